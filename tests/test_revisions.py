"""claims.revisions: a body changes only as a revision, and every claim follows or is flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from claims import revisions, services, workflow
from claims.anchoring import make_anchor
from claims.models import (
    AnchorStatus,
    ArticleRevision,
    Claim,
    EventKind,
    Rating,
    ReviewEvent,
    RevisionReason,
)
from claims.text import TextImportError
from claims.workflow import TransitionError

PARAS = [
    "Le chômage a baissé de 2,5 % en 2019, selon l’Insee.",
    "La ministre a présenté mercredi son plan pour l’emploi des jeunes.",
    "Les syndicats jugent le plan insuffisant et demandent davantage de moyens.",
]
BODY = "\n\n".join(PARAS)


@pytest.fixture
def article(editor):
    return services.create_article(editor, title="Chômage", language="fr", body=BODY)


def claim_on(article, user, text):
    start = article.body.index(text)
    return services.create_claim(article, user, make_anchor(article.body, start, start + len(text)))


def publish(claim, editor, reviewer):
    services.save_claim(
        claim.pk,
        claim.version,
        editor,
        {
            "statement": "Le chômage a baissé",
            "claimant": "Insee",
            "claim_date": dt.date(2020, 1, 1),
            "rating": Rating.objects.get(label="Vrai"),
            "ruling": "Oui.",
        },
        [services.SourceData(id=None, fields={"url": "https://insee.fr/", "title": "Insee"})],
    )
    claim.refresh_from_db()
    workflow.submit(claim.pk, editor)
    workflow.start_review(claim.pk, reviewer)
    workflow.approve(claim.pk, reviewer)
    claim.refresh_from_db()
    return claim


def revise(article, body, user):
    return revisions.revise_article(article.pk, body, user=user, reason=RevisionReason.EDITED)


def test_new_article_has_revision_one(article, editor):
    (rev,) = ArticleRevision.objects.filter(article=article)
    assert (rev.number, rev.body, rev.reason, rev.created_by) == (1, BODY, "imported", editor)
    assert rev.sha256 == revisions.body_sha256(BODY)


def test_unchanged_text_writes_nothing(article, editor):
    outcome = revise(article, BODY.replace("\n\n", "\r\n\r\n"), editor)
    assert not outcome.changed
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_refuses_an_empty_text(article, editor):
    with pytest.raises(TextImportError):
        revise(article, "   ", editor)
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_kept_shifted_needs_check_and_orphaned(article, editor):
    kept = claim_on(article, editor, PARAS[2])
    reworded = claim_on(article, editor, "baissé de 2,5 % en 2019")
    gone = claim_on(article, editor, PARAS[1])
    versions = {c.pk: c.version for c in (kept, reworded, gone)}
    new_body = "\n\n".join(
        [
            "Un paragraphe ajouté en tête.",
            PARAS[0].replace("2,5 % en 2019", "1,5 % en 2018"),
            PARAS[2],
        ]
    )
    outcome = revise(article, new_body, editor)
    assert outcome.counts == {"kept": 1, "moved": 0, "needs_check": 1, "orphaned": 1}
    assert outcome.revision.number == 2 and outcome.revision.outcome == outcome.counts
    article.refresh_from_db()
    assert article.body == new_body

    kept, reworded, gone = (Claim.objects.get(pk=c.pk) for c in (kept, reworded, gone))
    assert new_body[kept.start : kept.end] == PARAS[2] == kept.exact
    assert kept.anchor_status == AnchorStatus.KEPT and kept.position_is_certain
    assert reworded.anchor_status == AnchorStatus.NEEDS_CHECK
    assert reworded.checked_exact == "baissé de 2,5 % en 2019"
    assert new_body[reworded.start : reworded.end] == reworded.exact
    assert gone.anchor_status == AnchorStatus.ORPHANED and not gone.is_placed
    assert gone.checked_exact == PARAS[1]
    for claim in (kept, reworded, gone):
        assert claim.version == versions[claim.pk] + 1
        event = ReviewEvent.objects.filter(claim=claim, kind=EventKind.REANCHORED).get()
        assert event.actor == editor and event.changes["revision"] == [None, 2]
    assert ReviewEvent.objects.get(claim=kept, kind=EventKind.REANCHORED).changes["position"] == [
        [BODY.index(PARAS[2]), len(BODY)],
        [kept.start, kept.end],
    ]


def test_claim_untouched_by_the_edit_is_not_marked(article, editor):
    first = claim_on(article, editor, PARAS[0])
    version = first.version
    revise(article, BODY + "\n\nUn paragraphe ajouté à la fin.", editor)
    first.refresh_from_db()
    assert (first.anchor_status, first.version) == (AnchorStatus.PLACED, version)
    assert not ReviewEvent.objects.filter(claim=first, kind=EventKind.REANCHORED).exists()


def test_published_position_follows_or_is_cleared(article, editor, reviewer):
    kept = publish(claim_on(article, editor, PARAS[2]), editor, reviewer)
    gone = publish(claim_on(article, editor, PARAS[1]), editor, reviewer)
    assert (kept.public_start, kept.public_end) == (kept.start, kept.end)
    assert kept.current_version.revision.number == 1
    new_body = "\n\n".join(["Nouveau début.", PARAS[0], PARAS[2]])
    outcome = revise(article, new_body, editor)
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert new_body[kept.public_start : kept.public_end] == PARAS[2]
    assert not kept.public_passage_changed
    assert gone.public_passage_changed
    assert gone.public_anchor_status == "orphaned"
    assert gone.public_changed_at == outcome.revision.created_at


def test_approval_refused_while_position_uncertain(article, editor, reviewer, make_user):
    claim = claim_on(article, editor, PARAS[1])
    services.save_claim(
        claim.pk,
        claim.version,
        editor,
        {
            "statement": "S",
            "claimant": "C",
            "rating": Rating.objects.get(label="Vrai"),
            "ruling": "R",
        },
        [services.SourceData(id=None, fields={"url": "https://insee.fr/", "title": "Insee"})],
    )
    workflow.submit(claim.pk, editor)
    workflow.start_review(claim.pk, reviewer)
    revise(article, BODY.replace("mercredi", "jeudi"), editor)
    claim.refresh_from_db()
    assert claim.anchor_status == AnchorStatus.NEEDS_CHECK
    with pytest.raises(TransitionError, match="confirmed or moved"):
        workflow.approve(claim.pk, reviewer)


def test_published_position_survives_a_quote_style_edit_then_another_revision(
    article, editor, reviewer
):
    claim = publish(claim_on(article, editor, PARAS[0]), editor, reviewer)
    straight = BODY.replace("l’Insee", "l'Insee")
    revise(article, straight, editor)  # kept: the words are the same, the apostrophe is not
    revise(article, "Un paragraphe ajouté en tête.\n\n" + straight, editor)
    claim.refresh_from_db()
    article.refresh_from_db()
    assert not claim.public_passage_changed
    assert article.body[claim.public_start : claim.public_end] == PARAS[0].replace("’", "'")
