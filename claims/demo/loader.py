"""Load the demo newsroom: the French article, its demo claims and the demo accounts.

Idempotent: running it again updates what it made instead of duplicating it,
so a desk can be reset to the demo state at any time.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .. import notifications, revisions, services, workflow
from ..anchoring import make_anchor
from ..models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimVersion,
    Rating,
    ReviewEvent,
    RevisionReason,
)
from ..segments import sentence_spans
from ..text import canonicalize

DEMO_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "factcheck"  # noqa: S105 - documented demo accounts, never created by migrations
DEMO_SLUG = "sam-altman-elon-musk-personne-heureuse"
DEMO_ACCOUNTS = [
    ("editor", "Editors", False),
    ("editor2", "Editors", False),
    ("reviewer", "Reviewers", False),
    ("reviewer2", "Reviewers", False),
    ("admin", None, True),
]


def newsroom() -> dict:
    return json.loads((DEMO_DIR / "newsroom.json").read_text(encoding="utf-8"))


def demo_body(data: dict) -> str:
    lines = (DEMO_DIR / data["article"]["body_file"]).read_text(encoding="utf-8").splitlines()
    return canonicalize("\n".join(lines[data["article"]["body_starts_at_line"] - 1 :]))


@transaction.atomic
def load_demo(*, reset: bool = False) -> dict:
    """Load the demo newsroom; demo claims already there are kept as they are.

    With `reset`, the demo article's claims (and their history) are removed
    and replayed, which puts the desk back in its initial demo state.
    """
    data = newsroom()
    users = _accounts()
    article = _article(data, users["editor"], reset=reset)
    with notifications.muted():
        claims = [
            _existing_claim(article, spec) or _claim(article, spec, users)
            for spec in data["claims"]
        ]
    return {"article": article, "claims": claims, "users": users}


def _existing_claim(article: Article, spec: dict) -> Claim | None:
    start = article.body.index(spec["quote"])
    return Claim.objects.filter(
        article=article, start=start, end=start + len(spec["quote"])
    ).first()


def _clear_claims(article: Article) -> None:
    # Published versions are protected against deletion by code paths that
    # go through the model; the reset is the one place allowed to remove them.
    claims = Claim.objects.filter(article=article)
    # Events outlive a deleted claim; the reset replays the demo's history, so
    # it removes the old one rather than leaving it orphaned.
    ReviewEvent.objects.filter(claim__article=article).delete()
    claims.update(current_version=None)
    ClaimVersion.objects.filter(claim__article=article).delete()
    claims.delete()


def _accounts() -> dict:
    User = get_user_model()
    users = {}
    for username, group, is_admin in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.email = f"{username}@desk.example"
        user.is_staff = user.is_superuser = is_admin
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        if group:
            user.groups.set([Group.objects.get(name=group)])
        users[username] = user
    return users


def _article(data: dict, editor, *, reset: bool) -> Article:
    """The demo article; its text changes only as a revision (or from scratch with `reset`)."""
    meta = data["article"]
    body = demo_body(data)
    fields = {
        "title": meta["title"],
        "outlet": meta["outlet"],
        "language": meta["language"],
        "published_on": dt.date.fromisoformat(meta["published_on"]),
        "image_caption": meta["image_caption"],
        "image_credit": meta["image_credit"],
        "url": meta["url"] or "",
    }
    article = Article.objects.filter(slug=DEMO_SLUG).first()
    if article is not None and reset:
        _clear_claims(article)
        ArticleRevision.objects.filter(article=article).delete()
    if article is None or reset:
        article, _ = Article.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                **fields,
                "body": body,
                "sentences": sentence_spans(body, meta["language"]),
                "created_by": editor,
            },
        )
        revisions.record_first_revision(article, editor)
        return article
    Article.objects.filter(pk=article.pk).update(**fields)
    if article.body != body:
        revisions.revise_article(article.pk, body, user=editor, reason=RevisionReason.IMPORTED)
    article.refresh_from_db()
    return article


def _claim(article: Article, spec: dict, users: dict) -> Claim:
    """Replay the claim's history through the real services and workflow."""
    editor, reviewer = users["editor"], users["reviewer"]
    start = article.body.index(spec["quote"])
    anchor = make_anchor(article.body, start, start + len(spec["quote"]))
    claim = services.create_claim(article, editor, anchor)
    fields = {
        "statement": spec["statement"],
        "claimant": spec["claimant"],
        "claimant_kind": spec.get("claimant_kind", ""),
        "claim_date": dt.date.fromisoformat(spec["claim_date"]),
        "rating": Rating.objects.get(label=spec["rating"]),
        "ruling": spec["ruling"],
    }
    sources = [
        services.SourceData(
            id=None,
            fields={
                "url": s["url"],
                "title": s["title"],
                "publisher": s["publisher"],
                "published_on": dt.date.fromisoformat(s["published_on"]),
                "stance": s["stance"],
                "excerpt": s["excerpt"],
            },
        )
        for s in spec["sources"]
    ]
    claim = services.save_claim(claim.pk, claim.version, editor, fields, sources)
    if spec["demo_state"] in ("in_review", "published"):
        workflow.submit(claim.pk, editor)
    if spec["demo_state"] == "published":
        workflow.approve(claim.pk, reviewer)
    claim.refresh_from_db()
    return claim
