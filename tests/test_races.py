"""Races between real concurrent connections (DESIGN §4): exactly one outcome, nothing lost.

Each thread uses its own database connection (Django's connections are per thread) and
closes it at the end. A barrier releases the competitors together; every race is repeated
to exercise different interleavings.

The ORM races need PostgreSQL: SQLite serialises writers for the whole database, so it
cannot show a missing row lock. They skip elsewhere, except under CI, where a skipped race
test is a failure. The HTTP race at the end runs on any database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection
from django.test import Client

from claims import services, workflow
from claims.anchoring import make_anchor
from claims.models import Claim, ClaimStatus, ClaimVersion, EventKind, Rating, ReviewEvent
from claims.services import ClaimError, StaleClaimError
from claims.workflow import TransitionError
from tests.conftest import restore_seed_data

REPEAT = 10
TIMEOUT = 30


@pytest.fixture(scope="module")
def postgres_only():
    """Skip where the database is not PostgreSQL; under CI, fail instead of skipping."""
    if connection.vendor != "postgresql":
        message = (
            f"race tests need PostgreSQL (DATABASE_URL), not {connection.vendor}: "
            "run scripts/postgres-start"
        )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run them)", pytrace=False)
        pytest.skip(message)


# --- helpers --------------------------------------------------------------------------------


def run_together(*functions):
    """Call each function in its own thread, all released at once by a barrier.

    Returns one ("ok", value) or ("error", exception) per function, in order.
    """
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = ("ok", function())
        except Exception as error:  # reported to the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=runner, args=(i, f), daemon=True) for i, f in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a competitor is stuck (deadlock?)"
    return results


def split(results):
    oks = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    return oks, errors


def user(username, group):
    made = User.objects.create_user(username, f"{username}@desk.example", "factcheck")
    made.groups.add(Group.objects.get(name=group))
    return made


def make_article(author, sentences=40):
    body = " ".join(f"Phrase numéro {i} de l’article." for i in range(sentences))
    return services.create_article(author, title="Courses", language="fr", body=body)


def ready_claim(article, author, index, *, statement=None) -> Claim:
    start, end = article.sentences[index % len(article.sentences)]
    claim = services.create_claim(article, author, make_anchor(article.body, start, end))
    services.save_claim(
        claim.pk,
        claim.version,
        author,
        {
            "statement": statement or f"Affirmation {index}",
            "claimant": "Un oncle",
            "claim_date": dt.date(2025, 2, 11),
            "rating": Rating.objects.get(label="Faux"),
            "ruling": "Non.",
        },
        [
            services.SourceData(
                id=None,
                fields={
                    "url": f"https://example.org/{index}/{n}",
                    "title": f"Source {n}",
                    "stance": "refutes",
                },
            )
            for n in range(2)
        ],
    )
    return Claim.objects.get(pk=claim.pk)


def in_review(article, author, index, **kwargs) -> Claim:
    claim = ready_claim(article, author, index, **kwargs)
    workflow.submit(claim.pk, author)
    return Claim.objects.get(pk=claim.pk)


def same_sources(claim, *, extra_title=None):
    rows = [
        services.SourceData(id=s.pk, fields={n: getattr(s, n) for n in services.SOURCE_FIELDS})
        for s in Claim.objects.get(pk=claim.pk).sources.all()
    ]
    if extra_title:
        rows.append(
            services.SourceData(
                id=None,
                fields={
                    "url": "https://example.org/added",
                    "title": extra_title,
                    "stance": "context",
                },
            )
        )
    return rows


def published_matches_database(claim_id) -> None:
    """The version readers see is exactly what the database held when it was approved."""
    claim = Claim.objects.select_related("current_version", "rating").get(pk=claim_id)
    version = claim.current_version
    assert version is not None
    assert version.statement == claim.statement
    assert version.claimant == claim.claimant
    assert version.rating_id == claim.rating_id
    assert version.ruling == claim.ruling
    assert (version.start, version.end, version.exact) == (claim.start, claim.end, claim.exact)
    assert version.sources == [s.snapshot() for s in claim.sources.all()]


@pytest.fixture
def cast(postgres_only):
    restore_seed_data()
    editor = user("editor", "Editors")
    return {
        "editor": editor,
        "editor2": user("editor2", "Editors"),
        "rev1": user("rev1", "Reviewers"),
        "rev2": user("rev2", "Reviewers"),
        "article": make_article(editor),
    }


# --- (a) two reviewers approve at once ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_publish_one_version(cast):
    rev1, rev2 = cast["rev1"], cast["rev2"]
    for attempt in range(REPEAT):
        claim = in_review(cast["article"], cast["editor"], attempt)
        results = run_together(
            lambda pk=claim.pk: workflow.approve(pk, rev1),
            lambda pk=claim.pk: workflow.approve(pk, rev2),
        )
        (version,), (error,) = split(results)
        assert isinstance(error, TransitionError), repr(error)
        winner = version.approved_by
        assert error.message == (
            f"{winner.get_username()} has already approved and published this claim."
        )
        assert not error.forbidden
        assert ClaimVersion.objects.filter(claim=claim).count() == 1
        assert ReviewEvent.objects.filter(claim=claim, kind=EventKind.APPROVED).count() == 1
        fresh = Claim.objects.get(pk=claim.pk)
        assert fresh.status == ClaimStatus.PUBLISHED
        assert fresh.current_version_id == version.pk
        published_matches_database(claim.pk)


# --- (b) an approval races an edit ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approval_racing_a_save_of_the_claim_in_review(cast):
    """The editor's stale form posts a save while the reviewer approves: the claim in
    review is frozen, so the save is refused whichever comes first, and the published
    version is what the database holds."""
    editor, reviewer = cast["editor"], cast["rev1"]
    for attempt in range(REPEAT):
        claim = in_review(cast["article"], editor, attempt)
        before = Claim.objects.get(pk=claim.pk)
        results = run_together(
            lambda pk=claim.pk: workflow.approve(pk, reviewer),
            lambda c=before: services.save_claim(
                c.pk,
                c.version,
                editor,
                {"statement": "Changée pendant la relecture", "ruling": "Autre"},
                same_sources(c, extra_title="Ajoutée pendant la relecture"),
            ),
        )
        (approved, saved) = results
        assert approved[0] == "ok", approved
        assert saved[0] == "error"
        error = saved[1]
        assert isinstance(error, ClaimError) and not isinstance(error, StaleClaimError)
        assert re.fullmatch(
            r"This claim is (in review|published) and cannot be edited now\.", error.message
        )
        fresh = Claim.objects.get(pk=claim.pk)
        assert fresh.statement == before.statement and fresh.ruling == before.ruling
        assert fresh.sources.count() == 2
        assert ClaimVersion.objects.filter(claim=claim).count() == 1
        assert not ReviewEvent.objects.filter(
            claim=claim, kind=EventKind.EDITED, created_at__gt=before.submitted_at
        ).exists()
        published_matches_database(claim.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approval_racing_save_and_resubmit(cast):
    """The editor saves and resubmits a claim sent back ("Submit for review" in the panel)
    while a reviewer keeps pressing Approve: either the approval is refused (not in review
    yet) or it publishes exactly the saved content. Nothing the editor saved is lost."""
    editor, reviewer = cast["editor"], cast["rev1"]
    outcomes = set()
    for attempt in range(REPEAT):
        claim = in_review(cast["article"], editor, attempt)
        workflow.request_changes(claim.pk, cast["rev2"], "Reformulez.")
        before = Claim.objects.get(pk=claim.pk)
        new_statement = f"Reformulée {attempt}"

        def save_and_submit(c=before, statement=new_statement):
            saved = services.save_claim(
                c.pk, c.version, editor, {"statement": statement}, same_sources(c)
            )
            return workflow.submit(saved.pk, editor)

        def keep_approving(pk=claim.pk, tries=attempt * 5):
            for _ in range(tries):
                try:
                    return workflow.approve(pk, reviewer)
                except TransitionError:
                    time.sleep(0.002)
            return workflow.approve(pk, reviewer)

        (submitted, approved) = run_together(save_and_submit, keep_approving)
        assert submitted[0] == "ok", submitted
        fresh = Claim.objects.get(pk=claim.pk)
        assert fresh.statement == new_statement  # the save is never lost
        if approved[0] == "ok":
            outcomes.add("published")
            assert fresh.status == ClaimStatus.PUBLISHED
            assert approved[1].statement == new_statement
            published_matches_database(claim.pk)
        else:
            outcomes.add("refused")
            error = approved[1]
            assert isinstance(error, TransitionError), repr(error)
            assert "not in review" in error.message
            assert fresh.status == ClaimStatus.IN_REVIEW
            assert not ClaimVersion.objects.filter(claim=claim).exists()
    assert outcomes  # at least one race ran to an outcome


# --- (c) two editors save the same version --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_the_same_version_one_wins(cast):
    editors = {"A": cast["editor"], "B": cast["editor2"]}
    for attempt in range(REPEAT):
        claim = ready_claim(cast["article"], cast["editor"], attempt)
        edits_before = ReviewEvent.objects.filter(claim=claim, kind=EventKind.EDITED).count()

        def save(name, c=claim):
            return services.save_claim(
                c.pk,
                c.version,
                editors[name],
                {"statement": f"Version de {name}", "ruling": f"Motif de {name}"},
                same_sources(c, extra_title=f"Source de {name}"),
            )

        results = run_together(lambda: save("A"), lambda: save("B"))
        (winner,), (error,) = split(results)
        assert isinstance(error, StaleClaimError), repr(error)
        fresh = Claim.objects.get(pk=claim.pk)
        assert fresh.version == claim.version + 1
        name = fresh.statement.removeprefix("Version de ")
        assert fresh.updated_by == editors[name]
        assert fresh.ruling == f"Motif de {name}"  # no mix of the two forms
        assert error.current.version == fresh.version
        assert "saved this claim after you opened it" in error.message
        titles = list(fresh.sources.values_list("title", flat=True))
        assert titles == ["Source 0", "Source 1", f"Source de {name}"]
        edits = ReviewEvent.objects.filter(claim=claim, kind=EventKind.EDITED).count()
        assert edits == edits_before + 1
        assert winner.pk == claim.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_losing_editor_is_told_who_won(cast, monkeypatch):
    """editor2 saves and holds the row lock a moment; editor's save waits for it, then
    loses. The claim was last saved by `editor` before the race."""
    editor, editor2 = cast["editor"], cast["editor2"]
    claim = ready_claim(cast["article"], editor, 0)
    holding = threading.Event()
    original = services._sync_sources

    def slow_sync(*args, **kwargs):
        if threading.current_thread().name == "winner":
            holding.set()
            time.sleep(0.5)  # the loser reaches the lock and waits on it
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_sync_sources", slow_sync)
    outcome = {}

    def save(user, name):
        try:
            if name == "loser":
                assert holding.wait(TIMEOUT)
            outcome[name] = services.save_claim(
                claim.pk, claim.version, user, {"statement": name}, same_sources(claim)
            )
        except Exception as error:  # reported to the test
            outcome[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(editor2, "winner"), name="winner"),
        threading.Thread(target=save, args=(editor, "loser"), name="loser"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert isinstance(outcome["winner"], Claim), outcome
    error = outcome["loser"]
    assert isinstance(error, StaleClaimError), outcome
    assert error.message.startswith("editor2 saved this claim"), error.message


# --- public slugs of two claims approved at once --------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_claims_with_the_same_statement_approved_at_once(cast, monkeypatch):
    """Both approvals pass the slug check before either commits (the barrier in the
    wrapper holds them there, as an unlucky scheduler would)."""
    met = threading.Barrier(2)
    original = Claim.assign_public_slug

    def assign_then_meet(self, **kwargs):
        original(self, **kwargs)
        # A fixed app may serialise before this point: then there is nothing to hold.
        with contextlib.suppress(threading.BrokenBarrierError):
            met.wait(timeout=3)

    monkeypatch.setattr(Claim, "assign_public_slug", assign_then_meet)
    first = in_review(cast["article"], cast["editor"], 0, statement="Même affirmation")
    second = in_review(cast["article"], cast["editor"], 1, statement="Même affirmation")
    results = run_together(
        lambda: workflow.approve(first.pk, cast["rev1"]),
        lambda: workflow.approve(second.pk, cast["rev2"]),
    )
    oks, errors = split(results)
    assert not any(isinstance(e, IntegrityError) for e in errors), errors
    assert len(oks) == 2
    slugs = set(Claim.objects.filter(pk__in=[first.pk, second.pk]).values_list("slug", flat=True))
    assert len(slugs) == 2


# --- through HTTP, on any database ----------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def http(url, *, cookies: dict, data: dict | None = None):
    """(status, headers, body) of a GET, or of a POST when `data` is given."""
    assert url.startswith("http://")
    request = urllib.request.Request(  # noqa: S310 - the live server, over http
        url,
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    try:
        with OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def reviewer_session(live_server, reviewer, claim) -> tuple[dict, dict]:
    """A logged-in reviewer's cookies and the approve form of the review screen."""
    client = Client()
    client.force_login(reviewer)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    status, headers, body = http(f"{live_server.url}/desk/review/{claim.pk}/", cookies=cookies)
    assert status == 200, body[:500]
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name == settings.CSRF_COOKIE_NAME:
            cookies[name] = rest.split(";", 1)[0]
    form = re.search(
        r'<form[^>]*>(?:(?!</form>).)*name="action" value="approve".*?</form>', body, re.S
    )
    assert form, "no Approve and publish form"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    version = re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)
    return cookies, {"csrfmiddlewaretoken": token, "action": "approve", "version": version}


@pytest.mark.django_db(transaction=True)
def test_two_approvals_over_http_never_fail_and_publish_once(live_server):
    restore_seed_data()
    editor = user("editor", "Editors")
    reviewers = [user("rev1", "Reviewers"), user("rev2", "Reviewers")]
    article = make_article(editor)
    for attempt in range(5):
        claim = in_review(article, editor, attempt)
        sessions = [reviewer_session(live_server, r, claim) for r in reviewers]
        url = f"{live_server.url}/desk/claims/{claim.pk}/transition/"
        results = run_together(
            *(
                lambda url=url, cookies=cookies, form=form: http(url, cookies=cookies, data=form)
                for cookies, form in sessions
            )
        )
        (first, second) = [value for _, value in results]
        statuses = sorted([first[0], second[0]])
        assert all(s < 500 for s in statuses), (statuses, first[2][:300], second[2][:300])
        assert statuses == [302, 409], statuses
        refused = first if first[0] == 409 else second
        assert "has already approved and published this claim" in refused[2]
        accepted = first if first[0] == 302 else second
        assert accepted[1]["Location"] == "/desk/review/"
        assert ClaimVersion.objects.filter(claim=claim).count() == 1
        assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED
