"""What the annotating screen shows about the article's last revision and the highlights
it left uncertain: the summary, the marks, the orphans under the text.

Built from the claims the screen already loaded, plus one query for the
latest revision, so the page's query count stays fixed whatever the claims.
"""

from __future__ import annotations

from .. import revisions
from ..models import AnchorStatus, Article

# The class on a highlight whose position a person must confirm (desk.css draws it
# with a dashed outline and a marker, not by colour alone).
CHECK_CSS = "hl--check"


def anchor_css(claim) -> str:
    return CHECK_CSS if claim.anchor_status == AnchorStatus.NEEDS_CHECK else ""


def revision_context(article: Article, claims) -> dict:
    latest = (
        article.revisions.select_related("created_by").defer("body").order_by("-number").first()
    )
    orphans = [c for c in claims if c.anchor_status == AnchorStatus.ORPHANED]
    to_check = [c for c in claims if c.anchor_status == AnchorStatus.NEEDS_CHECK]
    return {
        "latest_revision": latest,
        # Revision 1 is the text as loaded: nothing was re-anchored yet.
        "revision_summary": (
            revisions.outcome_summary(latest.outcome) if latest and latest.number > 1 else ""
        ),
        "orphans": orphans,
        "to_check": to_check,
        "uncertain_count": len(orphans) + len(to_check),
    }
