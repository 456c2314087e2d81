"""The review workflow without HTTP: every transition, allowed and refused, per role.

DESIGN §2 (roles) and §4 (the workflow).

The state machine lives in claims/workflow.py; these tests call its functions directly,
the way the views and the demo loader do.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from claims import services, workflow
from claims.anchoring import make_anchor
from claims.models import (
    Claim,
    ClaimStatus,
    ClaimVersion,
    CorrectionKind,
    EventKind,
    Rating,
    ReviewEvent,
)
from claims.workflow import TransitionError

SENTENCES = 30
ACTIONS = [
    workflow.SUBMIT,
    workflow.TAKE_REVIEW,
    workflow.APPROVE,
    workflow.REQUEST_CHANGES,
    workflow.RELEASE_REVIEW,
    workflow.START_UPDATE,
    workflow.WITHDRAW,
]

# --- helpers --------------------------------------------------------------------------------


# Who may make a transition: the editors' ones (submit, start an update) and the
# reviewers' ones (request changes, withdraw; approve adds a second reviewer).
EDITORS_MAY = [
    ("editor", True),
    ("reviewer", True),
    ("superuser", True),
    ("nobody", False),
    ("inactive_reviewer", False),
    ("inactive_editor", False),
]
REVIEWERS_MAY = [("editor", False), *EDITORS_MAY[1:]]


def ready_fields(**overrides):
    fields = {
        "statement": "La Terre est plate",
        "claimant": "Un oncle",
        "claim_date": dt.date(2025, 2, 11),
        "rating": Rating.objects.get(label="Faux"),
        "ruling": "Elle ne l'est pas.",
    }
    fields.update(overrides)
    return fields


def source_rows(count=2, *, prefix="Source"):
    return [
        services.SourceData(
            id=None,
            fields={
                "url": f"https://example.org/{prefix.lower()}/{n}",
                "title": f"{prefix} {n}",
                "publisher": f"Publisher {n}",
                "published_on": dt.date(2024, 10, n + 1),
                "accessed_on": dt.date(2025, 1, n + 1),
                "excerpt": f"Extrait {n}",
                "stance": "refutes" if n % 2 == 0 else "context",
                "archive_url": f"https://web.archive.org/web/2024/https://example.org/{n}",
            },
        )
        for n in range(count)
    ]


def reload(claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def new_claim(article, author, index, *, ready=True, sources=2) -> Claim:
    start, end = article.sentences[index]
    claim = services.create_claim(article, author, make_anchor(article.body, start, end))
    if ready:
        services.save_claim(claim.pk, claim.version, author, ready_fields(), source_rows(sources))
    return reload(claim)


def edit(claim, user, **fields) -> Claim:
    """Save `fields` over the claim as `user` (keeping its sources)."""
    claim = reload(claim)
    sources = [
        services.SourceData(id=s.pk, fields={n: getattr(s, n) for n in services.SOURCE_FIELDS})
        for s in claim.sources.all()
    ]
    services.save_claim(claim.pk, claim.version, user, fields, sources)
    return reload(claim)


STATES = [
    "draft",
    "changes_requested",
    "in_review",
    "in_review_by_reviewer",
    "in_review_taken",
    "published",
    "update_draft",
    "withdrawn",
]


def claim_in_state(state, article, people, index) -> Claim:
    """A submit-ready claim in `state`, written by `people['author']` (an editor).

    "in_review_by_reviewer" is written (and submitted) by `people['reviewer']`;
    "in_review_taken" is in review, taken by `people['reviewer']` (Take review);
    "update_draft" is a published claim whose update started, with a correction note.
    The approvals are made by `people['approver']`, a reviewer who is not one of the
    role users under test.
    """
    author = people["reviewer"] if state == "in_review_by_reviewer" else people["author"]
    approver = people["approver"]
    claim = new_claim(article, author, index)
    if state == "draft":
        return claim
    workflow.submit(claim.pk, author)
    if state == "changes_requested":
        workflow.request_changes(claim.pk, approver, "Sources manquantes.")
    elif state == "in_review_taken":
        workflow.start_review(claim.pk, people["reviewer"])
    elif state in ("published", "update_draft", "withdrawn"):
        workflow.approve(claim.pk, approver)
        if state == "withdrawn":
            workflow.withdraw(claim.pk, approver, "Erreur de méthode.")
        elif state == "update_draft":
            workflow.start_update(claim.pk, author)
            edit(claim, author, correction_text="Nouvelle donnée publiée.")
    claim = reload(claim)
    expected = {
        "in_review_by_reviewer": "in_review",
        "in_review_taken": "in_review",
        "update_draft": "draft",
    }.get(state, state)
    assert claim.status == expected
    return claim


def call(action, claim, user, *, comment="Précisez la source 2.", reason="Erreur."):
    if action == workflow.SUBMIT:
        return workflow.submit(claim.pk, user)
    if action == workflow.APPROVE:
        return workflow.approve(claim.pk, user)
    if action == workflow.REQUEST_CHANGES:
        return workflow.request_changes(claim.pk, user, comment)
    if action == workflow.START_UPDATE:
        return workflow.start_update(claim.pk, user)
    if action == workflow.WITHDRAW:
        return workflow.withdraw(claim.pk, user, reason)
    if action == workflow.TAKE_REVIEW:
        return workflow.start_review(claim.pk, user)
    if action == workflow.RELEASE_REVIEW:
        return workflow.release_review(claim.pk, user)
    raise AssertionError(action)


class _Undo(Exception):
    """Raised to roll a tried transition back."""


def try_call(action, claim, user, **kwargs):
    """Run the transition and roll it back: (accepted, error)."""
    error = None
    try:
        with transaction.atomic():
            try:
                call(action, claim, user, **kwargs)
            except TransitionError as refused:
                error = refused
            raise _Undo
    except _Undo:
        pass
    return error is None, error


def event_count(claim) -> int:
    return ReviewEvent.objects.filter(claim_id=claim.pk).count()


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def article(make_user):
    creator = make_user("loader", "Editors")
    body = " ".join(f"Phrase numéro {i} de l’article." for i in range(SENTENCES))
    return services.create_article(creator, title="Workflow", language="fr", body=body)


@pytest.fixture
def people(make_user, editor, reviewer, outsider):
    """Everyone the role tests need, by role."""
    return {
        "author": make_user("author", "Editors"),
        "approver": make_user("approver", "Reviewers"),
        "editor": editor,
        "reviewer": reviewer,
        "reviewer2": make_user("rev2", "Reviewers"),
        "superuser": User.objects.create_superuser("boss", "boss@desk.example", "factcheck"),
        "nobody": outsider,
        "inactive_reviewer": make_user("gone-rev", "Reviewers", is_active=False),
        "inactive_editor": make_user("gone-ed", "Editors", is_active=False),
    }


@pytest.fixture
def ready(article, people):
    """A submit-ready draft written by the author."""
    return new_claim(article, people["author"], 0)


@pytest.fixture
def in_review(article, people):
    return claim_in_state("in_review", article, people, 1)


@pytest.fixture
def published(article, people):
    return claim_in_state("published", article, people, 2)


# --- submit ---------------------------------------------------------------------------------


def test_submit_moves_a_ready_draft_to_review(ready, people):
    author = people["author"]
    before = ready.version
    claim = workflow.submit(ready.pk, author)
    claim = reload(claim)
    assert claim.status == ClaimStatus.IN_REVIEW
    assert claim.submitted_by == author
    assert claim.submitted_at is not None
    assert claim.reviewing_by is None
    assert claim.version == before + 1
    assert claim.current_version is None and claim.last_published_at is None


def test_submit_from_changes_requested(article, people):
    claim = claim_in_state("changes_requested", article, people, 3)
    workflow.submit(claim.pk, people["author"])
    assert reload(claim).status == ClaimStatus.IN_REVIEW


@pytest.mark.parametrize(("role", "allowed"), EDITORS_MAY)
def test_submit_per_role(ready, people, role, allowed):
    user = people[role]
    if allowed:
        workflow.submit(ready.pk, user)
        assert reload(ready).status == ClaimStatus.IN_REVIEW
        assert reload(ready).submitted_by == user
        return
    events = event_count(ready)
    with pytest.raises(TransitionError) as caught:
        workflow.submit(ready.pk, user)
    assert caught.value.forbidden
    assert "cannot submit" in caught.value.message
    assert reload(ready).status == ClaimStatus.DRAFT
    assert event_count(ready) == events


@pytest.mark.parametrize("state", ["in_review", "published", "withdrawn"])
def test_submit_refused_outside_draft(article, people, state):
    claim = claim_in_state(state, article, people, 4)
    with pytest.raises(TransitionError) as caught:
        workflow.submit(claim.pk, people["superuser"])
    assert not caught.value.forbidden
    assert "only a draft can be submitted" in caught.value.message
    assert reload(claim).status == state


def test_submit_names_everything_missing(article, people):
    claim = new_claim(article, people["author"], 5, ready=False)
    with pytest.raises(TransitionError) as caught:
        workflow.submit(claim.pk, people["author"])
    assert not caught.value.forbidden
    assert caught.value.message == (
        "Before submitting, add the claim, the claimant, a verdict, a ruling "
        "and at least one source."
    )
    assert reload(claim).status == ClaimStatus.DRAFT
    assert workflow.missing_for_submission(claim) == [
        "the claim",
        "the claimant",
        "a verdict",
        "a ruling",
        "at least one source",
    ]


MISSING_ONE = [
    ({"statement": ""}, "the claim"),
    ({"statement": "   \n "}, "the claim"),
    ({"claimant": ""}, "the claimant"),
    ({"claimant": "\t"}, "the claimant"),
    ({"rating": None}, "a verdict"),
    ({"ruling": ""}, "a ruling"),
    ({"ruling": "  "}, "a ruling"),
]


@pytest.mark.parametrize(("blank", "named"), MISSING_ONE)
def test_submit_names_the_one_missing_field(article, people, blank, named):
    author = people["author"]
    claim = new_claim(article, author, 6)
    claim = edit(claim, author, **blank)
    with pytest.raises(TransitionError) as caught:
        workflow.submit(claim.pk, author)
    assert caught.value.message == f"Before submitting, add {named}."
    assert reload(claim).status == ClaimStatus.DRAFT


def test_submit_without_source_is_refused(article, people):
    author = people["author"]
    claim = new_claim(article, author, 7, sources=0)
    with pytest.raises(TransitionError) as caught:
        workflow.submit(claim.pk, author)
    assert caught.value.message == "Before submitting, add at least one source."


def test_submit_ready_claim_misses_nothing(ready):
    assert workflow.missing_for_submission(ready) == []


def test_submit_of_an_update_needs_a_correction_note(published, people):
    author = people["author"]
    workflow.start_update(published.pk, author)
    claim = edit(published, author, statement="La Terre est ronde, en fait")
    assert claim.last_published_at is not None
    assert claim.correction_kind == CorrectionKind.UPDATE and claim.correction_text == ""
    with pytest.raises(TransitionError) as caught:
        workflow.submit(claim.pk, author)
    assert not caught.value.forbidden
    assert "a correction note" in caught.value.message
    # A blank note is no note.
    claim = edit(claim, author, correction_text="   ")
    with pytest.raises(TransitionError):
        workflow.submit(claim.pk, author)
    assert reload(claim).status == ClaimStatus.DRAFT
    claim = edit(claim, author, correction_text="Nouvelle donnée.")
    workflow.submit(claim.pk, author)
    assert reload(claim).status == ClaimStatus.IN_REVIEW


def test_submit_of_an_update_names_the_note_with_the_other_missing_fields(published, people):
    author = people["author"]
    workflow.start_update(published.pk, author)
    claim = edit(published, author, claimant="")
    with pytest.raises(TransitionError) as caught:
        workflow.submit(claim.pk, author)
    assert caught.value.message == (
        "Before submitting, add the claimant and a correction note "
        "(an update of a published verdict needs one)."
    )


def test_a_never_published_claim_needs_no_correction_note(ready):
    assert ready.last_published_at is None
    assert "a correction note" not in " ".join(workflow.missing_for_submission(ready))


# --- approve --------------------------------------------------------------------------------


def version_fields(version: ClaimVersion) -> dict:
    return ClaimVersion.objects.filter(pk=version.pk).values().get()


def test_approve_publishes_version_1_with_frozen_fields(in_review, people):
    approver = people["reviewer"]
    claim = reload(in_review)
    sources = [s.snapshot() for s in claim.sources.all()]
    version = workflow.approve(claim.pk, approver)
    version = ClaimVersion.objects.get(pk=version.pk)
    assert version.number == 1
    assert version.claim_id == claim.pk
    assert version.statement == claim.statement == "La Terre est plate"
    assert version.claimant == claim.claimant
    assert version.claim_date == claim.claim_date
    assert version.rating == claim.rating
    assert version.rating_label == "Faux" and version.rating_value == 1
    assert version.ruling == claim.ruling
    assert (version.start, version.end, version.exact) == (claim.start, claim.end, claim.exact)
    assert version.sources == sources
    assert [s["title"] for s in version.sources] == ["Source 0", "Source 1"]
    assert version.sources[0]["published_on"] == "2024-10-01"
    assert version.sources[0]["archive_url"].startswith("https://web.archive.org/")
    assert version.approved_by == approver
    assert version.correction_kind == "" and version.correction_text == ""
    published = reload(claim)
    assert published.status == ClaimStatus.PUBLISHED
    assert published.current_version == version
    assert published.last_published_at == version.approved_at
    assert published.reviewing_by is None
    assert published.version == claim.version + 1


def test_published_version_does_not_change_when_the_claim_does(published, people):
    author = people["author"]
    version = reload(published).current_version
    frozen = version_fields(version)
    workflow.start_update(published.pk, author)
    claim = reload(published)
    new_sources = [
        services.SourceData(
            id=claim.sources.first().pk,
            fields={"url": "https://x.org/new", "title": "Renamed", "stance": "supports"},
        ),
        *source_rows(1, prefix="Added"),
    ]
    services.save_claim(
        claim.pk,
        claim.version,
        author,
        ready_fields(
            statement="Autre chose",
            claimant="Quelqu'un d'autre",
            rating=Rating.objects.get(label="Vrai"),
            ruling="Tout a changé.",
            claim_date=dt.date(2020, 1, 1),
            correction_text="Nouvelle donnée.",
        ),
        new_sources,
    )
    start, end = claim.article.sentences[20]
    claim = reload(claim)
    services.move_claim_anchor(
        claim.pk, claim.version, author, make_anchor(claim.article.body, start, end)
    )
    Rating.objects.filter(label="Faux").update(label="Totalement faux", value=0)
    assert version_fields(version) == frozen
    assert reload(published).current_version_id == version.pk


def test_second_approval_makes_version_2_with_the_correction_note(published, people):
    author, approver = people["author"], people["reviewer"]
    first = reload(published).current_version
    workflow.start_update(published.pk, author)
    claim = edit(
        published,
        author,
        statement="La Terre est ronde",
        rating=Rating.objects.get(label="Vrai"),
        correction_kind=CorrectionKind.CORRECTION,
        correction_text="Nous avions mal lu la source.",
    )
    workflow.submit(claim.pk, author)
    second = workflow.approve(claim.pk, approver)
    second = ClaimVersion.objects.get(pk=second.pk)
    assert second.number == 2
    assert second.statement == "La Terre est ronde"
    assert second.rating_label == "Vrai" and second.rating_value == 5
    assert second.correction_kind == CorrectionKind.CORRECTION
    assert second.correction_text == "Nous avions mal lu la source."
    assert second.approved_by == approver
    assert list(reload(claim).versions.values_list("number", flat=True)) == [1, 2]
    claim = reload(claim)
    assert claim.current_version == second
    assert claim.last_published_at == second.approved_at > first.approved_at
    # The note belongs to version 2 now; the next update writes its own.
    assert claim.correction_kind == "" and claim.correction_text == ""
    first.refresh_from_db()
    assert first.statement == "La Terre est plate" and first.correction_text == ""


@pytest.mark.parametrize(("role", "allowed"), [*REVIEWERS_MAY, ("reviewer2", True)])
def test_approve_per_role(in_review, people, role, allowed):
    user = people[role]
    if allowed:
        version = workflow.approve(in_review.pk, user)
        assert version.approved_by == user
        assert reload(in_review).status == ClaimStatus.PUBLISHED
        return
    events = event_count(in_review)
    with pytest.raises(TransitionError) as caught:
        workflow.approve(in_review.pk, user)
    assert caught.value.forbidden
    assert caught.value.message == "Only reviewers can approve and publish."
    assert reload(in_review).status == ClaimStatus.IN_REVIEW
    assert not ClaimVersion.objects.filter(claim=in_review).exists()
    assert event_count(in_review) == events


@pytest.mark.parametrize("state", ["draft", "changes_requested", "update_draft", "withdrawn"])
def test_approve_refused_outside_review(article, people, state):
    claim = claim_in_state(state, article, people, 8)
    versions = ClaimVersion.objects.filter(claim=claim).count()
    with pytest.raises(TransitionError) as caught:
        workflow.approve(claim.pk, people["superuser"])
    assert not caught.value.forbidden
    assert "not in review" in caught.value.message
    assert ClaimVersion.objects.filter(claim=claim).count() == versions


def test_approve_of_a_published_claim_names_who_published_it(published, people):
    with pytest.raises(TransitionError) as caught:
        workflow.approve(published.pk, people["reviewer"])
    assert not caught.value.forbidden
    assert caught.value.message == "approver has already approved and published this claim."
    assert ClaimVersion.objects.filter(claim=published).count() == 1


def test_approve_checks_the_version_the_reviewer_saw(in_review, people):
    seen = reload(in_review).version
    with pytest.raises(TransitionError) as caught:
        workflow.approve(in_review.pk, people["reviewer"], expected_version=seen - 1)
    assert "changed while you were reviewing" in caught.value.message
    assert not caught.value.forbidden
    assert reload(in_review).status == ClaimStatus.IN_REVIEW
    workflow.approve(in_review.pk, people["reviewer"], expected_version=seen)
    assert reload(in_review).status == ClaimStatus.PUBLISHED


# --- four-eyes ------------------------------------------------------------------------------


def test_creator_can_never_approve(article, people):
    """A reviewer who wrote the claim cannot approve it, before or after any publication."""
    creator, other = people["reviewer"], people["reviewer2"]
    claim = claim_in_state("in_review_by_reviewer", article, people, 9)
    assert workflow.contributors(claim) == {creator.pk}
    with pytest.raises(TransitionError) as caught:
        workflow.approve(claim.pk, creator)
    assert caught.value.forbidden
    assert "four-eyes" in caught.value.message
    assert workflow.APPROVE not in workflow.available_actions(creator, claim)
    assert "four-eyes" in workflow.approval_refusal(creator, claim)
    workflow.approve(claim.pk, other)
    # After publication, with no edit since: the creator still may not approve.
    workflow.start_update(claim.pk, people["editor"])
    edit(claim, people["editor"], correction_text="Mise à jour.")
    workflow.submit(claim.pk, people["editor"])
    claim = reload(claim)
    assert creator.pk in workflow.contributors(claim)
    with pytest.raises(TransitionError):
        workflow.approve(claim.pk, creator)
    workflow.approve(claim.pk, other)
    assert reload(claim).versions.count() == 2


def test_an_editor_since_publication_cannot_approve_until_the_next_one(article, people):
    author, editing, clean = people["author"], people["reviewer2"], people["reviewer"]
    claim = new_claim(article, author, 10)
    edit(claim, editing, ruling="Elle ne l'est pas du tout.")  # reviewer2 edits the draft
    workflow.submit(claim.pk, author)
    claim = reload(claim)
    assert workflow.contributors(claim) == {author.pk, editing.pk}
    assert workflow.APPROVE not in workflow.available_actions(editing, claim)
    with pytest.raises(TransitionError) as caught:
        workflow.approve(claim.pk, editing)
    assert caught.value.forbidden and "four-eyes" in caught.value.message
    assert workflow.APPROVE in workflow.available_actions(clean, claim)
    workflow.approve(claim.pk, clean)

    # An update written by the author alone: reviewer2's old edit no longer counts.
    workflow.start_update(claim.pk, author)
    edit(claim, author, statement="La Terre est ronde", correction_text="Mise à jour.")
    workflow.submit(claim.pk, author)
    claim = reload(claim)
    assert workflow.contributors(claim) == {author.pk}
    assert workflow.APPROVE in workflow.available_actions(editing, claim)
    workflow.approve(claim.pk, editing)
    assert reload(claim).current_version.approved_by == editing


def test_the_last_approver_who_edits_the_update_cannot_approve_it(published, people):
    author, approver = people["author"], people["approver"]
    workflow.start_update(published.pk, author)
    edit(published, approver, correction_text="Corrigé par le relecteur.")
    workflow.submit(published.pk, author)
    claim = reload(published)
    assert approver.pk in workflow.contributors(claim)
    with pytest.raises(TransitionError) as caught:
        workflow.approve(claim.pk, approver)
    assert caught.value.forbidden


def test_moving_the_highlight_makes_a_contributor(article, people):
    author, mover = people["author"], people["reviewer2"]
    claim = new_claim(article, author, 11)
    start, end = article.sentences[12]
    services.move_claim_anchor(
        claim.pk, claim.version, mover, make_anchor(article.body, start, end)
    )
    workflow.submit(claim.pk, author)
    claim = reload(claim)
    assert mover.pk in workflow.contributors(claim)
    with pytest.raises(TransitionError) as caught:
        workflow.approve(claim.pk, mover)
    assert caught.value.forbidden


def test_a_submitter_who_did_not_edit_may_approve(article, people):
    """Submitting is not writing: a reviewer who only pressed Submit may approve."""
    author, submitter = people["author"], people["reviewer"]
    claim = new_claim(article, author, 13)
    workflow.submit(claim.pk, submitter)
    workflow.approve(claim.pk, submitter)
    assert reload(claim).status == ClaimStatus.PUBLISHED


# --- request changes ------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   ", "\n\t", None])
def test_request_changes_needs_a_comment(in_review, people, comment):
    events = event_count(in_review)
    with pytest.raises(TransitionError) as caught:
        workflow.request_changes(in_review.pk, people["reviewer"], comment)
    assert not caught.value.forbidden
    assert caught.value.message == "Write a comment: say what needs to change."
    assert reload(in_review).status == ClaimStatus.IN_REVIEW
    assert event_count(in_review) == events


def test_request_changes_sends_the_claim_back_with_the_comment(in_review, people):
    reviewer = people["reviewer"]
    workflow.start_review(in_review.pk, reviewer)
    workflow.request_changes(in_review.pk, reviewer, "  Ajoutez une source primaire.  ")
    claim = reload(in_review)
    assert claim.status == ClaimStatus.CHANGES_REQUESTED
    assert claim.reviewing_by is None
    assert claim.is_editable
    event = claim.events.order_by("pk").last()
    assert event.kind == EventKind.CHANGES_REQUESTED
    assert event.comment == "Ajoutez une source primaire."


@pytest.mark.parametrize(("role", "allowed"), REVIEWERS_MAY)
def test_request_changes_per_role(in_review, people, role, allowed):
    user = people[role]
    if allowed:
        workflow.request_changes(in_review.pk, user, "Non.")
        assert reload(in_review).status == ClaimStatus.CHANGES_REQUESTED
        return
    with pytest.raises(TransitionError) as caught:
        workflow.request_changes(in_review.pk, user, "Non.")
    assert caught.value.forbidden
    assert reload(in_review).status == ClaimStatus.IN_REVIEW


@pytest.mark.parametrize("state", ["draft", "changes_requested", "published", "withdrawn"])
def test_request_changes_refused_outside_review(article, people, state):
    claim = claim_in_state(state, article, people, 14)
    with pytest.raises(TransitionError) as caught:
        workflow.request_changes(claim.pk, people["superuser"], "Non.")
    assert not caught.value.forbidden
    assert "not in review" in caught.value.message
    assert reload(claim).status == state


def test_the_author_cannot_request_changes_on_their_own_claim(article, people):
    creator = people["reviewer"]
    claim = claim_in_state("in_review_by_reviewer", article, people, 15)
    assert workflow.REQUEST_CHANGES not in workflow.available_actions(creator, claim)
    with pytest.raises(TransitionError):
        workflow.request_changes(claim.pk, creator, "Je me renvoie la copie.")


# --- start an update ------------------------------------------------------------------------


def test_start_update_returns_to_draft_and_keeps_the_published_version(published, people):
    claim = reload(published)
    version, published_at = claim.current_version, claim.last_published_at
    workflow.start_update(claim.pk, people["author"])
    claim = reload(claim)
    assert claim.status == ClaimStatus.DRAFT
    assert claim.is_editable
    assert claim.current_version == version
    assert claim.last_published_at == published_at
    assert claim.correction_kind == CorrectionKind.UPDATE
    assert claim.versions.count() == 1
    assert not claim.can_be_deleted  # published work stays on record


@pytest.mark.parametrize(("role", "allowed"), EDITORS_MAY)
def test_start_update_per_role(published, people, role, allowed):
    user = people[role]
    if allowed:
        workflow.start_update(published.pk, user)
        assert reload(published).status == ClaimStatus.DRAFT
        return
    with pytest.raises(TransitionError) as caught:
        workflow.start_update(published.pk, user)
    assert caught.value.forbidden
    assert reload(published).status == ClaimStatus.PUBLISHED


@pytest.mark.parametrize("state", ["draft", "changes_requested", "in_review", "withdrawn"])
def test_start_update_refused_unless_published(article, people, state):
    claim = claim_in_state(state, article, people, 16)
    with pytest.raises(TransitionError) as caught:
        workflow.start_update(claim.pk, people["superuser"])
    assert not caught.value.forbidden
    assert caught.value.message == "Only a published claim can be updated."
    assert reload(claim).status == state


# --- withdraw -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_withdraw_needs_a_reason(published, people, reason):
    with pytest.raises(TransitionError) as caught:
        workflow.withdraw(published.pk, people["reviewer"], reason)
    assert not caught.value.forbidden
    assert "reason" in caught.value.message
    assert reload(published).status == ClaimStatus.PUBLISHED


def test_withdraw_records_who_when_and_why(published, people):
    reviewer = people["reviewer"]
    version = reload(published).current_version
    workflow.withdraw(published.pk, reviewer, " Source retirée par l'auteur. ")
    claim = reload(published)
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.withdrawn_by == reviewer
    assert claim.withdrawn_at is not None
    assert claim.withdrawn_reason == "Source retirée par l'auteur."
    assert claim.current_version == version
    assert workflow.available_actions(reviewer, claim) == []


@pytest.mark.parametrize(("role", "allowed"), REVIEWERS_MAY)
def test_withdraw_per_role(published, people, role, allowed):
    user = people[role]
    if allowed:
        workflow.withdraw(published.pk, user, "Erreur.")
        assert reload(published).status == ClaimStatus.WITHDRAWN
        return
    with pytest.raises(TransitionError) as caught:
        workflow.withdraw(published.pk, user, "Erreur.")
    assert caught.value.forbidden
    assert reload(published).status == ClaimStatus.PUBLISHED


@pytest.mark.parametrize("state", ["draft", "changes_requested", "in_review", "withdrawn"])
def test_withdraw_refused_unless_published(article, people, state):
    claim = claim_in_state(state, article, people, 17)
    with pytest.raises(TransitionError) as caught:
        workflow.withdraw(claim.pk, people["superuser"], "Erreur.")
    assert not caught.value.forbidden
    assert reload(claim).status == state


def test_transition_on_a_missing_claim(people):
    with pytest.raises(TransitionError, match="no longer exists"):
        workflow.approve(999_999, people["reviewer"])


# --- the screens ask the same module --------------------------------------------------------

MATRIX_USERS = [
    "author",
    "editor",
    "reviewer",
    "reviewer2",
    "superuser",
    "nobody",
    "inactive_reviewer",
    "inactive_editor",
]


def test_available_actions_are_exactly_the_accepted_transitions(article, people):
    """For each state × user × action: listed iff the transition accepts it."""
    seen = set()
    for index, state in enumerate(STATES):
        claim = claim_in_state(state, article, people, index)
        for name in MATRIX_USERS:
            user = people[name]
            listed = workflow.available_actions(user, reload(claim))
            assert listed == [a for a in ACTIONS if a in listed], "screen order"
            for action in ACTIONS:
                accepted, error = try_call(action, claim, user)
                assert (action in listed) == accepted, (state, name, action, listed, error)
                if accepted:
                    seen.add((state, name, action))
            assert reload(claim).status == claim.status  # every try was rolled back
    # The property is not vacuous: the expected grants happen.
    assert ("draft", "author", "submit") in seen
    assert ("update_draft", "editor", "submit") in seen
    assert ("in_review", "reviewer", "approve") in seen
    assert ("in_review_by_reviewer", "reviewer2", "approve") in seen
    assert ("in_review_by_reviewer", "reviewer", "approve") not in seen
    assert ("in_review", "superuser", "request_changes") in seen
    assert ("published", "editor", "start_update") in seen
    assert ("published", "reviewer", "withdraw") in seen
    assert ("in_review", "reviewer", "take_review") in seen
    assert ("in_review_taken", "reviewer", "release_review") in seen
    assert ("in_review_taken", "reviewer2", "take_review") not in seen
    assert ("in_review_taken", "reviewer2", "approve") in seen  # a courtesy, not a lock
    assert ("in_review_by_reviewer", "reviewer", "take_review") not in seen
    assert not any(name.startswith(("inactive", "nobody")) for _, name, _ in seen)
    assert not any(state == "withdrawn" for state, _, _ in seen)


def test_available_actions_accept_precomputed_contributors(in_review, people):
    claim = reload(in_review)
    people_ids = workflow.contributors(claim)
    reviewer = people["reviewer"]
    assert workflow.available_actions(reviewer, claim, people_ids) == [
        workflow.TAKE_REVIEW,
        workflow.APPROVE,
        workflow.REQUEST_CHANGES,
    ]
    # A contributor takes neither decision on their own work (DESIGN §2).
    assert workflow.available_actions(reviewer, claim, people_ids | {reviewer.pk}) == []


# --- the audit trail ------------------------------------------------------------------------

TRANSITIONS = [
    # action, starting state, actor, from, to, kind, comment
    ("submit", "draft", "author", "draft", "in_review", EventKind.SUBMITTED, ""),
    (
        "submit",
        "changes_requested",
        "author",
        "changes_requested",
        "in_review",
        EventKind.SUBMITTED,
        "",
    ),
    ("approve", "in_review", "reviewer", "in_review", "published", EventKind.APPROVED, ""),
    (
        "request_changes",
        "in_review",
        "reviewer",
        "in_review",
        "changes_requested",
        EventKind.CHANGES_REQUESTED,
        "Précisez la source 2.",
    ),
    (
        "start_update",
        "published",
        "editor",
        "published",
        "draft",
        EventKind.UPDATE_STARTED,
        "",
    ),
    ("withdraw", "published", "reviewer", "published", "withdrawn", EventKind.WITHDRAWN, "Erreur."),
]
# Take review and Release are on record too, but leave the status and the version alone.
HOLDS = [
    ("take_review", "in_review", EventKind.REVIEW_TAKEN),
    ("release_review", "in_review_taken", EventKind.REVIEW_RELEASED),
]


@pytest.mark.parametrize(
    ("action", "state", "actor", "from_status", "to_status", "kind", "comment"), TRANSITIONS
)
def test_every_transition_writes_exactly_one_event(
    article, people, action, state, actor, from_status, to_status, kind, comment
):
    claim = claim_in_state(state, article, people, 18)
    user = people[actor]
    before = set(ReviewEvent.objects.values_list("pk", flat=True))
    version = claim.version
    call(action, claim, user)
    new = list(ReviewEvent.objects.exclude(pk__in=before))
    assert len(new) == 1
    (event,) = new
    assert event.claim_id == claim.pk
    assert event.kind == kind
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert event.actor == user
    assert event.comment == comment
    claim = reload(claim)
    assert claim.status == to_status
    # Every transition bumps the optimistic-locking version: a form opened before it
    # cannot save over it.
    assert claim.version == version + 1


@pytest.mark.parametrize(("action", "state", "kind"), HOLDS)
def test_a_review_hold_writes_one_event_and_keeps_the_version(article, people, action, state, kind):
    claim = claim_in_state(state, article, people, 18)
    before = set(ReviewEvent.objects.values_list("pk", flat=True))
    call(action, claim, people["reviewer"])
    (event,) = ReviewEvent.objects.exclude(pk__in=before)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        kind,
        people["reviewer"],
        "in_review",
        "in_review",
    )
    after = reload(claim)
    assert (after.status, after.version) == (claim.status, claim.version)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_refused_transition_writes_no_event(article, people, action):
    claim = claim_in_state("draft" if action != "submit" else "withdrawn", article, people, 19)
    before = ReviewEvent.objects.count(), reload(claim).version
    with pytest.raises(TransitionError):
        call(action, claim, people["nobody"])
    assert (ReviewEvent.objects.count(), reload(claim).version) == before


def test_take_review_marks_the_reviewer_on_record_without_bumping_the_version(in_review, people):
    first, second = people["reviewer"], people["reviewer2"]
    events, version = event_count(in_review), reload(in_review).version
    with pytest.raises(TransitionError) as caught:
        workflow.start_review(in_review.pk, people["editor"])
    assert caught.value.forbidden
    assert reload(in_review).reviewing_by is None
    workflow.start_review(in_review.pk, first)
    with pytest.raises(TransitionError, match="rev is already reviewing this claim."):
        workflow.start_review(in_review.pk, second)
    claim = reload(in_review)
    assert claim.reviewing_by == first  # the first one keeps it
    assert claim.status == ClaimStatus.IN_REVIEW
    # On record, but the version a reviewer's open screen carries holds.
    event = ReviewEvent.objects.filter(claim=claim).latest("pk")
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        EventKind.REVIEW_TAKEN,
        first,
        "in_review",
        "in_review",
    )
    assert event.snapshot["claim"] == claim.statement
    assert (event_count(claim), claim.version) == (events + 1, version)


def test_release_gives_the_review_back(in_review, people):
    reviewer, other = people["reviewer"], people["reviewer2"]
    workflow.start_review(in_review.pk, reviewer)
    with pytest.raises(TransitionError, match="You are not reviewing this claim."):
        workflow.release_review(in_review.pk, other)
    workflow.release_review(in_review.pk, reviewer)
    claim = reload(in_review)
    assert claim.reviewing_by is None
    assert ReviewEvent.objects.filter(claim=claim).latest("pk").kind == EventKind.REVIEW_RELEASED
    workflow.start_review(in_review.pk, other)
    assert reload(in_review).reviewing_by == other


def test_deciding_ends_the_review_hold(in_review, people):
    reviewer = people["reviewer"]
    workflow.start_review(in_review.pk, reviewer)
    workflow.request_changes(in_review.pk, reviewer, "Une source de plus.")
    assert reload(in_review).reviewing_by is None


def test_take_review_refused_outside_review_and_to_the_author(ready, article, people):
    with pytest.raises(TransitionError, match="not in review"):
        workflow.start_review(ready.pk, people["reviewer"])
    own = claim_in_state("in_review_by_reviewer", article, people, 21)
    with pytest.raises(TransitionError) as caught:
        workflow.start_review(own.pk, people["reviewer"])
    assert caught.value.forbidden
    workflow.start_review(own.pk, people["reviewer2"])
    assert reload(own).reviewing_by == people["reviewer2"]


def test_a_full_history_is_in_order(article, people):
    author, reviewer = people["author"], people["reviewer"]
    claim = new_claim(article, author, 22)
    workflow.submit(claim.pk, author)
    workflow.request_changes(claim.pk, reviewer, "Une source de plus.")
    edit(claim, author, ruling="Elle ne l'est vraiment pas.")
    workflow.submit(claim.pk, author)
    workflow.approve(claim.pk, reviewer)
    workflow.start_update(claim.pk, author)
    edit(claim, author, correction_text="Mise à jour.")
    workflow.submit(claim.pk, author)
    workflow.approve(claim.pk, reviewer)
    workflow.withdraw(claim.pk, reviewer, "Retiré.")
    events = list(ReviewEvent.objects.filter(claim=claim).order_by("created_at", "pk"))
    assert [e.kind for e in events] == [
        "created",
        "edited",
        "submitted",
        "changes_requested",
        "edited",
        "submitted",
        "approved",
        "update_started",
        "edited",
        "submitted",
        "approved",
        "withdrawn",
    ]
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    # Each transition starts where the previous one ended.
    moves = [e for e in events if e.from_status != e.to_status]
    for previous, following in zip(moves, moves[1:], strict=False):
        assert previous.to_status == following.from_status
    assert list(reload(claim).versions.values_list("number", flat=True)) == [1, 2]


# --- immutable records ----------------------------------------------------------------------


def test_review_events_cannot_be_changed_or_deleted(in_review):
    event = ReviewEvent.objects.filter(claim=in_review).latest("pk")
    original = event.comment
    event.comment = "rewritten history"
    with pytest.raises(ValueError, match="cannot be changed"):
        event.save()
    with pytest.raises(ValueError, match="cannot be changed"):
        event.save(update_fields=["comment"])
    with pytest.raises(ValueError, match="cannot be deleted"):
        event.delete()
    fresh = ReviewEvent.objects.get(pk=event.pk)
    assert fresh.comment == original


def test_claim_versions_cannot_be_changed_or_deleted(published):
    version = reload(published).current_version
    version.statement = "rewritten"
    with pytest.raises(ValueError, match="cannot be changed"):
        version.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        version.delete()
    assert ClaimVersion.objects.get(pk=version.pk).statement == "La Terre est plate"


def test_new_immutable_rows_can_be_written(in_review, people):
    event = ReviewEvent(claim=in_review, actor=people["reviewer"], kind=EventKind.EDITED)
    event.save()
    assert event.pk is not None


# --- the demo loader goes through the same workflow -----------------------------------------


def test_demo_states(demo):
    users = demo["users"]
    published, in_review, draft = (reload(c) for c in demo["claims"])

    assert published.status == ClaimStatus.PUBLISHED
    version = published.current_version
    assert version.number == 1
    assert version.approved_by == users["reviewer"]
    assert list(published.versions.all()) == [version]
    assert version.statement == published.statement
    assert version.ruling == published.ruling
    assert version.rating_label == published.rating.label
    assert [s["url"] for s in version.sources] == [s.url for s in published.sources.all()]
    assert published.last_published_at == version.approved_at

    assert in_review.status == ClaimStatus.IN_REVIEW
    assert in_review.submitted_by == users["editor"]
    assert in_review.reviewing_by is None
    assert in_review.current_version is None
    assert workflow.available_actions(users["reviewer"], in_review) == [
        "take_review",
        "approve",
        "request_changes",
    ]
    assert workflow.available_actions(users["editor"], in_review) == []

    assert draft.status == ClaimStatus.DRAFT
    assert draft.current_version is None
    assert workflow.missing_for_submission(draft) == []


def test_demo_history_is_consistent(demo):
    users = demo["users"]
    editor, reviewer = users["editor"], users["reviewer"]
    expected = {
        "published": [
            ("created", editor, "", "draft"),
            ("edited", editor, "draft", "draft"),
            ("submitted", editor, "draft", "in_review"),
            ("approved", reviewer, "in_review", "published"),
        ],
        "in_review": [
            ("created", editor, "", "draft"),
            ("edited", editor, "draft", "draft"),
            ("submitted", editor, "draft", "in_review"),
        ],
        "draft": [
            ("created", editor, "", "draft"),
            ("edited", editor, "draft", "draft"),
        ],
    }
    for claim in demo["claims"]:
        events = list(ReviewEvent.objects.filter(claim=claim).order_by("created_at", "pk"))
        got = [(e.kind, e.actor, e.from_status, e.to_status) for e in events]
        assert got == expected[reload(claim).status], claim.statement
        assert [e.pk for e in events] == sorted(e.pk for e in events)
        times = [e.created_at for e in events]
        assert times == sorted(times)
    published = reload(demo["claims"][0])
    approved = published.events.get(kind="approved")
    assert approved.created_at >= published.current_version.approved_at
