"""The publication stamp: it moves with every public change and only then.

These tests commit (transaction=True), as production does, so that on
PostgreSQL the stamp is read through the process's own watcher connection
and its snapshot check, which only sees committed data.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import User
from django.db import connection

from claims import workflow
from claims.models import Rating
from claims.public import freshness
from tests.conftest import restore_seed_data
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    draft_claim,
    edit,
    make_article,
    people,
    publish,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _seed():
    restore_seed_data()


def needs_postgresql():
    if connection.vendor != "postgresql":
        message = "the stamp watcher is PostgreSQL's"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI runs on PostgreSQL)", pytrace=False)
        pytest.skip(message)


def test_the_stamp_moves_with_every_public_change_and_only_then():
    article = make_article()
    claim = published_claim(article, sentence(article, 1), text="Tampon")
    stamps = [freshness.current_stamp()]

    def moved() -> bool:
        stamps.append(freshness.current_stamp())
        return stamps[-1].key != stamps[-2].key

    # Nothing public changes: a new user, a draft, a draft saved again.
    User.objects.create_user("somebody")
    other = draft_claim(article, sentence(article, 5), text="Brouillon")
    edit(other, text="Brouillon encore")
    assert not moved()
    assert stamps[-1] is stamps[-2]  # not even rebuilt

    editor, reviewer = people()
    publish(other)
    assert moved()  # an approval
    workflow.start_update(claim.pk, editor)
    edit(claim, text="En cours", correction=("update", "Note"))
    assert moved()  # harmless: the page is rendered again, identical, same ETag
    workflow.submit(claim.pk, editor)
    workflow.approve(claim.pk, reviewer)
    assert moved()  # an update published
    workflow.withdraw(claim.pk, reviewer, "Retrait.")
    assert moved()  # a withdrawal
    article.refresh_from_db()
    article.title = "Titre corrigé"
    article.save()
    assert moved()  # an article edited (the admin saves)
    Rating.objects.filter(label="Vrai").update(colour="#00aa00")
    assert moved()  # the scale's colours
    Rating.objects.filter(label="Vrai").update(description="Autre définition.")
    assert moved()  # and its descriptions
    assert stamps[-1].scale.by_slug["vrai"].description == "Autre définition."
    rating = Rating.objects.get(label="Vrai")
    rating.translations = {"en": {"label": "Correct", "description": "Right."}}
    rating.save()
    assert moved()  # and their translations, read in the same query
    assert stamps[-1].scale.by_slug["vrai"].shown_in("en").label == "Correct"


def test_postgresql_reads_the_stamp_through_its_own_prepared_connection():
    needs_postgresql()
    article = make_article()
    published_claim(article, sentence(article, 1), text="Surveillé")
    first = freshness.current_stamp()
    reader = freshness._reader
    assert reader._watcher is not None and not reader._watcher.closed
    # Same snapshot: the same stamp object, from one cheap statement.
    assert freshness.current_stamp() is first
    # Another connection commits an approval: the next read sees it.
    published_claim(article, sentence(article, 2), text="Ailleurs")
    second = freshness.current_stamp()
    assert second.key != first.key
    # A write that changes nothing public moves the snapshot, not the stamp.
    User.objects.create_user("somebody-else")
    third = freshness.current_stamp()
    assert third is second


def test_postgresql_watcher_recovers_from_a_lost_connection():
    needs_postgresql()
    article = make_article()
    published_claim(article, sentence(article, 1), text="Coupé")
    freshness.current_stamp()
    freshness._reader._watcher.close()  # the server went away
    stamp = freshness.current_stamp()  # falls back, then reconnects
    assert stamp.key
    assert freshness.current_stamp().key == stamp.key
    assert not freshness._reader._watcher.closed
