"""Revising an article's text: the one service that changes a body, and re-anchors every claim.

A revision is written once (ArticleRevision) with who, when and why. The
article's `body` becomes the revision's body, and in the same transaction
every claim is re-anchored through the diff of the two texts
(`anchoring.reanchor_revision`):

- the working highlight (`Claim.start/end/exact`, `anchor_status`) follows the
  text, or is flagged `needs_check` (a candidate to confirm) or `orphaned`;
- the published version's position (`Claim.public_start/end`) follows only
  when the checked words are found for certain; otherwise it is cleared, and
  readers are told the passage changed (`public_changed_at`), until a
  reviewer approves a version placed on the new text.

Every claim whose anchor changed gets a REANCHORED event with old and new
values, and its version goes up, so a panel opened on the old text cannot save
over the new positions.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from . import audit
from .anchoring import Anchor, make_anchor, reanchor_revision
from .models import (
    AnchorStatus,
    Article,
    ArticleRevision,
    Claim,
    EventKind,
    ReviewEvent,
    RevisionReason,
)
from .segments import sentence_spans
from .text import TextImportError, canonicalize, check_body_length

OUTCOME_ORDER = ("kept", "moved", "needs_check", "orphaned")


class StaleRevisionError(Exception):
    """The text was revised since the editor opened it: saving would undo that revision."""

    def __init__(self, current: ArticleRevision | None):
        self.current = current
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.current is None:
            return gettext("The text was changed while you were editing it.")
        who = self.current.created_by.get_username() if self.current.created_by else ""
        if who:
            return gettext(
                "Someone else changed the text while you were editing it (revision "
                "%(number)s, by %(who)s). Nothing was saved: your text is below as you "
                "typed it."
            ) % {"number": self.current.number, "who": who}
        return gettext(
            "Someone else changed the text while you were editing it (revision %(number)s). "
            "Nothing was saved: your text is below as you typed it."
        ) % {"number": self.current.number}


@dataclass(frozen=True)
class RevisionOutcome:
    revision: ArticleRevision | None  # None: the text did not change, nothing was written
    counts: dict[str, int]

    @property
    def changed(self) -> bool:
        return self.revision is not None


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_first_revision(
    article: Article, user, reason: str = RevisionReason.IMPORTED
) -> ArticleRevision:
    """Revision 1 of a new article (called by `services.create_article` and the demo loader)."""
    return ArticleRevision.objects.create(
        article=article,
        number=1,
        body=article.body,
        sha256=body_sha256(article.body),
        reason=reason,
        created_by=user,
    )


def latest_revision(article: Article) -> ArticleRevision | None:
    return article.revisions.order_by("-number").first()


@transaction.atomic
def revise_article(
    article_id: int,
    text: str,
    *,
    user,
    reason: str,
    note: str = "",
    expected_sha256: str | None = None,
) -> RevisionOutcome:
    """Make `text` (canonicalised) the article's body, as a new revision.

    Raises `text.TextImportError` for a text the desk cannot take (empty, too
    long). Returns an outcome without revision when the canonical text is the
    current body. With `expected_sha256` (the body the editor started from),
    raises `StaleRevisionError` when the body changed since: checked under the
    article's lock, so two editors saving at once cannot both win.
    """
    body = check_body_length(canonicalize(text))
    if not body:
        raise TextImportError(gettext("The article's text cannot be empty."))
    article = Article.objects.select_for_update().get(pk=article_id)
    if body == article.body:
        return RevisionOutcome(None, {})  # even from a stale form: nothing to undo
    if expected_sha256 is not None and expected_sha256 != body_sha256(article.body):
        raise StaleRevisionError(latest_revision(article))
    old_body = article.body
    # Lock the article's claims: a save racing this revision would write
    # offsets into the old text.
    # No joins in the locking query (see services._locked_claim): what the
    # audit and the published quote need is fetched after the rows are ours.
    claims = list(
        Claim.objects.select_for_update()
        .filter(article=article)
        .prefetch_related("current_version", "rating")
        .order_by("pk")
    )
    now = timezone.now()
    working = [c for c in claims if c.anchor_status != AnchorStatus.ORPHANED]
    public = [c for c in claims if c.current_version_id and c.public_start is not None]
    anchors = [c.anchor for c in working] + [_public_anchor(old_body, c) for c in public]
    results = reanchor_revision(old_body, body, anchors)
    working_results, public_results = results[: len(working)], results[len(working) :]

    counts = Counter({name: 0 for name in OUTCOME_ORDER})
    befores = {
        c.pk: (audit.claim_fields_state(c), c.anchor_status, c.public_anchor_status, c.public_start)
        for c in claims
    }
    for claim, (anchor, status) in zip(working, working_results, strict=True):
        counts[status] += 1
        _apply_working(claim, anchor, status)
    counts["orphaned"] += len(claims) - len(working)  # orphans stay orphans
    for claim, (anchor, status) in zip(public, public_results, strict=True):
        _apply_public(claim, anchor, status, now)

    revision = ArticleRevision.objects.create(
        article=article,
        number=(article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1,
        body=body,
        sha256=body_sha256(body),
        reason=reason,
        note=note,
        created_by=user,
        created_at=now,
        outcome=dict(counts),
    )
    article.body = body
    article.sentences = sentence_spans(body, article.language)
    article.save(update_fields=["body", "sentences", "updated_at"])

    changed: dict[int, dict] = {}
    for claim in claims:
        state, status, public_status, public_start = befores[claim.pk]
        diff = audit.diff(state, audit.claim_fields_state(claim))
        if diff or (status, public_status, public_start) != (
            claim.anchor_status,
            claim.public_anchor_status,
            claim.public_start,
        ):
            changed[claim.pk] = diff
    touched = [c for c in claims if c.pk in changed]
    if touched:
        Claim.objects.bulk_update(
            touched,
            [
                "start",
                "end",
                "exact",
                "prefix",
                "suffix",
                "anchor_status",
                "checked_exact",
                "public_start",
                "public_end",
                "public_anchor_status",
                "public_changed_at",
            ],
        )
        # Bump versions and updated_at in one statement (bulk_update skips auto_now).
        Claim.objects.filter(pk__in=changed).update(version=F("version") + 1, updated_at=now)
        ReviewEvent.objects.bulk_create(
            [
                ReviewEvent(
                    claim=claim,
                    claim_ref=claim.pk,
                    actor=user,
                    kind=EventKind.REANCHORED,
                    from_status=claim.status,
                    to_status=claim.status,
                    comment=claim.anchor_status,
                    changes={**changed[claim.pk], "revision": [None, revision.number]},
                )
                for claim in touched
            ]
        )
    return RevisionOutcome(revision, dict(counts))


def outcome_summary(outcome: dict) -> str:
    """ "41 kept, 2 moved, 1 to check, 1 orphaned": the non-zero counts, in a fixed order."""
    words = {
        # Translators: counts of claims after the article's text was revised.
        "kept": lambda n: ngettext("%(count)s kept", "%(count)s kept", n),
        "moved": lambda n: ngettext("%(count)s moved", "%(count)s moved", n),
        "needs_check": lambda n: ngettext("%(count)s to check", "%(count)s to check", n),
        "orphaned": lambda n: ngettext("%(count)s orphaned", "%(count)s orphaned", n),
    }
    parts = [
        words[name](count) % {"count": count}
        for name in OUTCOME_ORDER
        if (count := int(outcome.get(name) or 0))
    ]
    return ", ".join(parts) if parts else gettext("no claim to re-anchor")


def _public_anchor(old_body: str, claim: Claim) -> Anchor:
    """The published quote where it stands in the old body, as the old body words it.

    Its words there may differ from the version's in whitespace and quote style (a
    kept re-anchoring allows that); the re-anchoring starts from the text it is in.
    """
    return make_anchor(old_body, claim.public_start, claim.public_end)


def _apply_working(claim: Claim, anchor: Anchor | None, status: str) -> None:
    if status in ("kept", "moved"):
        if anchor == claim.anchor:
            return  # untouched by the edit: nothing to say about it
        claim.set_anchor(anchor)
        # A candidate still waiting for a person stays to check wherever it goes.
        if claim.anchor_status != AnchorStatus.NEEDS_CHECK:
            claim.anchor_status = status
        return
    if not claim.checked_exact:
        claim.checked_exact = claim.exact
    if status == "needs_check":
        claim.set_anchor(anchor)
        claim.anchor_status = AnchorStatus.NEEDS_CHECK
    else:
        claim.anchor_status = AnchorStatus.ORPHANED


def _apply_public(claim: Claim, anchor: Anchor | None, status: str, now) -> None:
    if status in ("kept", "moved"):
        if (anchor.start, anchor.end) != (claim.public_start, claim.public_end):
            claim.public_start, claim.public_end = anchor.start, anchor.end
            claim.public_anchor_status = status
    else:
        claim.public_start = claim.public_end = None
        claim.public_anchor_status = status
        claim.public_changed_at = now


def place_published(claim: Claim, version) -> None:
    """At approval: readers' position is the approved version's, on the current text."""
    claim.public_start, claim.public_end = version.start, version.end
    claim.public_anchor_status = AnchorStatus.PLACED
    claim.public_changed_at = None
