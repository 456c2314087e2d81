"""Workflow emails: sent as tasks after the commit, to the right people, never by the demo.

pytest-django switches the mailer to Django's locmem backend (`mailoutbox`); the
tasks run on the immediate backend as soon as the transaction commits. Inside an
ordinary `db` test nothing commits, so `django_capture_on_commit_callbacks(execute=True)`
stands in for the commit; the `seeded_live_db` tests commit for real.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from claims import services, workflow
from claims.anchoring import make_anchor
from claims.demo.loader import load_demo
from claims.models import Claim, Rating
from claims.permissions import can_review

SENTENCES = 12


class Rollback(Exception):
    pass


def ready_claim(article, author, index=0) -> Claim:
    start, end = article.sentences[index]
    claim = services.create_claim(article, author, make_anchor(article.body, start, end))
    services.save_claim(
        claim.pk,
        claim.version,
        author,
        {
            "statement": f"La Terre est plate ({index})",
            "claimant": "Un oncle",
            "claim_date": dt.date(2025, 2, 11),
            "rating": Rating.objects.get(label="Faux"),
            "ruling": "Elle ne l'est pas.",
        },
        [
            services.SourceData(
                id=None,
                fields={"url": "https://example.org/a", "title": "A", "stance": "refutes"},
            )
        ],
    )
    return Claim.objects.get(pk=claim.pk)


def recipients(mail) -> set[str]:
    return {address for message in mail for address in message.to}


@pytest.fixture
def team(make_user):
    """An author, two active reviewers, an inactive one, another editor, a reviewer
    without an email address."""
    return {
        "author": make_user("author", "Editors", email="author@desk.example"),
        "editor2": make_user("editor2", "Editors", email="editor2@desk.example"),
        "rev1": make_user("rev1", "Reviewers", email="rev1@desk.example"),
        "rev2": make_user("rev2", "Reviewers", email="rev2@desk.example"),
        "gone": make_user("gone", "Reviewers", email="gone@desk.example", is_active=False),
        "silent": make_user("silent", "Reviewers"),
    }


@pytest.fixture
def article(team):
    body = " ".join(f"Phrase numéro {i} de l’article." for i in range(SENTENCES))
    return services.create_article(team["author"], title="Notifications", body=body)


# --- submission -----------------------------------------------------------------------------


def test_submit_emails_every_active_reviewer_after_commit(
    team, article, mailoutbox, django_capture_on_commit_callbacks
):
    claim = ready_claim(article, team["author"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.submit(claim.pk, team["author"])
    assert mailoutbox == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    # One message per reviewer: nobody sees the others' addresses.
    assert sorted(tuple(m.to) for m in mailoutbox) == [
        ("rev1@desk.example",),
        ("rev2@desk.example",),
    ]
    for message in mailoutbox:
        assert "For review" in message.subject and claim.statement in message.subject
        assert claim.statement in message.body
        assert f"/desk/review/{claim.pk}/" in message.body
        assert article.title in message.body


def test_submit_by_a_reviewer_does_not_email_the_submitter(
    team, article, mailoutbox, django_capture_on_commit_callbacks
):
    claim = ready_claim(article, team["rev1"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(claim.pk, team["rev1"])
    assert recipients(mailoutbox) == {"rev2@desk.example"}


def test_submit_with_no_one_to_tell_sends_nothing(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    author = make_user("lonely", "Reviewers", email="lonely@desk.example")
    article = services.create_article(author, title="Seul", body="Une phrase. Une autre.")
    claim = ready_claim(article, author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(claim.pk, author)
    assert mailoutbox == []


def test_rolled_back_submit_sends_nothing(
    team, article, mailoutbox, django_capture_on_commit_callbacks
):
    claim = ready_claim(article, team["author"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        workflow.submit(claim.pk, team["author"])
        raise Rollback
    assert callbacks == []
    assert mailoutbox == []
    assert Claim.objects.get(pk=claim.pk).status == "draft"


def test_refused_submit_sends_nothing(
    team, article, mailoutbox, django_capture_on_commit_callbacks
):
    start, end = article.sentences[3]
    empty = services.create_claim(article, team["author"], make_anchor(article.body, start, end))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(workflow.TransitionError),
    ):
        workflow.submit(empty.pk, team["author"])
    assert callbacks == [] and mailoutbox == []


def test_submit_emails_a_reviewer_whose_permission_is_granted_directly(
    team, article, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    direct = make_user("direct", "Editors", email="direct@desk.example")
    direct.user_permissions.add(Permission.objects.get(codename="review_claim"))
    direct = User.objects.get(pk=direct.pk)
    assert can_review(direct)
    claim = ready_claim(article, team["author"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(claim.pk, team["author"])
    assert "direct@desk.example" in recipients(mailoutbox)


# --- the author hears back ------------------------------------------------------------------


@pytest.fixture
def submitted(team, article, django_capture_on_commit_callbacks):
    claim = ready_claim(article, team["author"])
    workflow.submit(claim.pk, team["author"])  # its email never commits here
    return claim


def test_changes_requested_emails_the_author_with_the_comment(
    team, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    comment = "Ajoutez la source primaire,\net datez-la."
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.request_changes(submitted.pk, team["rev1"], comment)
    assert len(callbacks) == 1
    (message,) = mailoutbox
    assert message.to == ["author@desk.example"]
    assert "Changes requested" in message.subject
    assert comment in message.body
    assert f"/desk/articles/{submitted.article_id}/?claim={submitted.pk}" in message.body


def test_publish_emails_the_author(team, submitted, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.approve(submitted.pk, team["rev1"])
    assert len(callbacks) == 1
    (message,) = mailoutbox
    assert message.to == ["author@desk.example"]
    assert "Published" in message.subject
    assert submitted.statement in message.body


def test_opening_the_review_and_starting_an_update_send_nothing(
    team, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.start_review(submitted.pk, team["rev2"])
    assert callbacks == [] and mailoutbox == []
    workflow.approve(submitted.pk, team["rev1"])  # its email never commits here
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.start_update(submitted.pk, team["author"])
    assert callbacks == [] and mailoutbox == []
    assert Claim.objects.get(pk=submitted.pk).status == "draft"


def test_withdraw_sends_nothing(team, submitted, mailoutbox, django_capture_on_commit_callbacks):
    workflow.approve(submitted.pk, team["rev1"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.withdraw(submitted.pk, team["rev2"], "Erreur.")
    assert callbacks == [] and mailoutbox == []


# --- the demo -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_loader_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_demo()
        load_demo(reset=True)
    assert callbacks == []
    assert mailoutbox == []
    assert Claim.objects.filter(status="in_review").exists()
    assert Claim.objects.filter(status="published").exists()


# --- with real commits ----------------------------------------------------------------------


@pytest.fixture
def committed_team(seeded_live_db):
    def make(username, group, **extra):
        user = User.objects.create_user(username, password="factcheck", **extra)
        user.groups.add(Group.objects.get(name=group))
        return user

    author = make("author", "Editors", email="author@desk.example")
    make("rev1", "Reviewers", email="rev1@desk.example")
    article = services.create_article(author, title="Commit", body="Une phrase. Une autre.")
    return author, article


def test_real_commit_sends_and_real_rollback_does_not(committed_team, mailoutbox):
    author, article = committed_team
    claim = ready_claim(article, author)
    with pytest.raises(Rollback), transaction.atomic():
        workflow.submit(claim.pk, author)
        assert mailoutbox == []
        raise Rollback
    assert mailoutbox == []
    workflow.submit(claim.pk, author)  # its own transaction commits, then the task runs
    assert recipients(mailoutbox) == {"rev1@desk.example"}


def test_real_commit_waits_for_the_outer_transaction(committed_team, mailoutbox):
    author, article = committed_team
    claim = ready_claim(article, author)
    with transaction.atomic():
        workflow.submit(claim.pk, author)
        assert mailoutbox == []  # the outer transaction has not committed yet
    assert len(mailoutbox) == 1
