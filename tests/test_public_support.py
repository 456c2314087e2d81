"""Helpers for the public-site tests: publish claims through the real workflow.

No tests here; the public test modules import these. Claims are made with
the desk's services and moved with ``claims.workflow`` exactly as editors and
reviewers do, so that what the public pages read is what production writes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, User

from claims import notifications, services, workflow
from claims.anchoring import make_anchor
from claims.models import Claim, Rating
from claims.public import freshness
from claims.public.page_cache import pages

PUBLIC_PATHS = [
    "/",
    "/methodology/",
    "/corrections/",
    "/fact-checks.atom",
    "/claim-reviews.json",
    "/verdicts.css",
]


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    """Each test starts with no rendered page kept from another test's database."""
    pages.clear()
    yield
    pages.clear()
    freshness.close()


@pytest.fixture(autouse=True)
def _quiet_notifications():
    with notifications.muted():
        yield


def people():
    """An editor and a reviewer (the four-eyes rule needs two people)."""
    editor, _ = User.objects.get_or_create(username="pub-editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    reviewer, _ = User.objects.get_or_create(username="pub-reviewer")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    return editor, reviewer


def make_article(*, title="Article public", sentences=40, language="fr", url="", editor=None):
    editor = editor or people()[0]
    body = " ".join(f"Phrase numéro {i} de l’article, avec un chiffre {i * 7}." for i in range(20))
    body += "\n\n" + " ".join(f"Second paragraphe, phrase {i}." for i in range(sentences))
    return services.create_article(
        editor,
        title=title,
        language=language,
        body=body,
        outlet="Le Quotidien",
        url=url,
        published_on=dt.date(2025, 2, 11),
    )


def rating(label="Faux") -> Rating:
    return Rating.objects.get(label=label)


def source_rows(prefix: str, count: int = 2):
    return [
        services.SourceData(
            id=None,
            fields={
                "url": f"https://example.org/{re.sub(r'[^a-z0-9]+', '-', prefix.lower())}/{n}",
                "title": f"{prefix} source title {n}",
                "publisher": f"{prefix} publisher",
                "published_on": dt.date(2025, 1, n + 1),
                "stance": "refutes",
                "excerpt": f"{prefix} excerpt {n}",
                "archive_url": f"https://archive.example.org/{n}",
            },
        )
        for n in range(count)
    ]


def draft_claim(
    article, span, *, text="Affirmation", verdict="Faux", sources=2, editor=None, kind=""
):
    """A claim on body[span] with every field filled, still a draft."""
    editor = editor or people()[0]
    start, end = span
    claim = services.create_claim(article, editor, make_anchor(article.body, start, end))
    return services.save_claim(
        claim.pk,
        claim.version,
        editor,
        {
            "statement": f"{text} statement",
            "claimant": f"{text} claimant",
            "claimant_kind": kind,
            "claim_date": dt.date(2025, 2, 10),
            "rating": rating(verdict),
            "ruling": f"{text} ruling, first paragraph.\n\n{text} ruling, second paragraph.",
        },
        source_rows(text, sources),
    )


def edit(claim, *, text, verdict=None, sources=2, correction=None, editor=None, kind=None):
    editor = editor or people()[0]
    claim.refresh_from_db()
    fields = {
        "statement": f"{text} statement",
        "claimant": f"{text} claimant",
        "ruling": f"{text} ruling.",
        "rating": rating(verdict) if verdict else claim.rating,
        "claimant_kind": claim.claimant_kind if kind is None else kind,
    }
    if correction:
        fields["correction_kind"], fields["correction_text"] = correction
    return services.save_claim(claim.pk, claim.version, editor, fields, source_rows(text, sources))


def publish(claim, *, editor=None, reviewer=None) -> Claim:
    editor_, reviewer_ = people()
    workflow.submit(claim.pk, editor or editor_)
    workflow.approve(claim.pk, reviewer or reviewer_)
    claim.refresh_from_db()
    return claim


def published_claim(article, span, *, text="Affirmation", verdict="Faux", versions=1, sources=2):
    """A claim published `versions` times (each later version with a correction note)."""
    claim = publish(draft_claim(article, span, text=text, verdict=verdict, sources=sources))
    editor, _ = people()
    for n in range(2, versions + 1):
        workflow.start_update(claim.pk, editor)
        kind = "correction" if n % 2 else "update"
        edit(
            claim,
            text=f"{text} v{n}",
            verdict=verdict,
            sources=sources,
            correction=(kind, f"{text} note {n}"),
        )
        claim = publish(claim)
    return claim


def sentence(article, i):
    return tuple(article.sentences[i])
