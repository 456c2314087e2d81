"""The scale fixture and benchmark keep working; the publication stamp costs the same at any size.

fill_scale and benchmark_scale run here with tiny numbers, so that they do not
rot between the times someone measures a newsroom's volume with them.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max

from claims import workflow
from claims.management.commands.benchmark_scale import PAGES
from claims.models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimStatus,
    ClaimVersion,
    EventKind,
    PublicStamp,
    ReviewEvent,
)
from claims.public import freshness
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    draft_claim,
    make_article,
    people,
    publish,
    published_claim,
    sentence,
)

TINY = {"articles": 4, "claims": 120, "events": 400, "big_article_claims": 30}


def fill(**sizes):
    out = io.StringIO()
    call_command("fill_scale", **(TINY | sizes), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_fill_scale_makes_a_desk_in_the_states_of_a_real_one():
    printed = fill()
    assert "Made 4 articles (4 revisions), 120 claims, 360 sources" in printed
    assert Article.objects.count() == ArticleRevision.objects.filter(number=1).count() == 4
    assert Claim.objects.count() == 120
    assert not Claim.objects.annotate(n=Count("sources")).exclude(n=3).exists()
    assert ReviewEvent.objects.count() >= 400
    # The 300-claim article's stand-in: the newest, long, with its share of claims.
    big = Article.objects.order_by("-created_at").first()
    assert len(big.body) >= 50_000 and big.claims.count() == 30
    statuses = set(big.claims.values_list("status", flat=True))
    assert {ClaimStatus.PUBLISHED, ClaimStatus.DRAFT} <= statuses
    for article in Article.objects.all():  # sentences computed, anchors exact
        assert article.sentences
        for claim in article.claims.all():
            assert article.body[claim.start : claim.end] == claim.exact
    # What the workflow leaves: a published claim shows its latest version, at its place.
    for claim in Claim.objects.exclude(last_published_at=None):
        latest = claim.versions.aggregate(n=Max("number"))["n"]
        assert claim.current_version.number == latest
        assert claim.slug and claim.public_start == claim.current_version.start
        first = claim.versions.get(number=1).approved_at
        assert claim.first_published_at == first
        assert claim.events.filter(kind=EventKind.APPROVED).count() == latest
    for claim in Claim.objects.filter(last_published_at=None):
        assert claim.current_version_id is None and not claim.versions.exists()
    # Every claim's history starts with its creation, in order, by a real person.
    firsts = ReviewEvent.objects.order_by("claim_ref", "created_at", "pk")
    seen = set()
    for event in firsts:
        if event.claim_ref not in seen:
            assert event.kind == EventKind.CREATED
            seen.add(event.claim_ref)
        assert event.actor_id is not None
    assert seen == set(Claim.objects.values_list("pk", flat=True))
    assert "Claims by status:" in printed


@pytest.mark.django_db
def test_fill_scale_refuses_a_database_with_articles_unless_forced():
    make_article()
    with pytest.raises(CommandError, match="already holds 1 articles"):
        fill()
    assert Claim.objects.count() == 0
    fill(force=True)
    assert Claim.objects.count() == 120


@pytest.mark.django_db
def test_benchmark_scale_measures_every_page_and_leaves_the_database_as_it_was():
    fill()
    before = (Article.objects.count(), Claim.objects.count(), ReviewEvent.objects.count())
    out = io.StringIO()
    call_command("benchmark_scale", runs=1, small="2,40,120,20", stdout=out)
    printed = out.getvalue()
    print(printed)
    assert (Article.objects.count(), Claim.objects.count(), ReviewEvent.objects.count()) == before
    rows = {line[:34].strip(): line[34:].split() for line in printed.splitlines()}
    for page in PAGES:
        row = rows[page.name]
        # Measured ("7 / 7 12.3 …"), or a page of a branch not merged yet: never an error.
        # "–": the small database has no such claim (nothing in review, say).
        measured = (row[0] == "–" or row[0].isdigit()) and row[2].isdigit()
        assert row[:2] == ["not", "available"] or row[0] == "no" or measured, (page, row)
    for page in ["/desk/", "review queue", "annotating screen (300 claims)", "public home"]:
        assert rows[page][0].isdigit(), printed
    assert "Publication stamp read: empty" in printed


def _stamp_cost():
    """What one full stamp read touches: buffers on PostgreSQL, tables in SQLite's plan."""
    sql = freshness._stamp_sql(connection.ops.quote_name, with_snapshot=False)
    sql = sql.replace("%s", "'withdrawn'")  # the stamp before triggers had one parameter
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]["Plan"]
            return plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = " ".join(row[-1] for row in cursor.fetchall())
        # SQLite's plan has no cost: what matters is that no table that grows is read.
        return [t for t in ("claims_article", "claims_claim", "claims_claimversion") if t in plan]


@pytest.mark.django_db
def test_the_publication_stamp_costs_the_same_on_an_empty_and_a_full_database():
    empty = _stamp_cost()
    fill(claims=600, events=1_800)
    assert _stamp_cost() == empty
    if connection.vendor != "postgresql":
        assert empty == []  # none of the tables that grow is read


@pytest.mark.django_db
def test_writes_outside_the_services_move_the_stamp_too():
    """The triggers see the admin's, a shell's, a migration's writes: no path is missed."""
    article = make_article()
    claim = published_claim(article, sentence(article, 1), text="Partout")
    draft = draft_claim(article, sentence(article, 3), text="Brouillon")

    def stamp():
        return freshness.current_stamp().key

    start = stamp()
    Claim.objects.filter(pk=draft.pk).update(statement="Rien de public")
    assert stamp() == start  # a draft never published is nobody's business
    changes = [
        lambda: Article.objects.filter(pk=article.pk).update(title="Autre titre"),
        lambda: Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.WITHDRAWN),
        lambda: ClaimVersion.objects.bulk_create(
            [_copy_of(claim.current_version, number=claim.current_version.number + 1)]
        ),
        lambda: Article.objects.filter(pk=article.pk).update(outlet="Autre journal"),
    ]
    seen = {start}
    for change in changes:
        change()
        assert stamp() not in seen
        seen.add(stamp())


def _copy_of(version, *, number):
    fields = {
        f.attname: getattr(version, f.attname)
        for f in ClaimVersion._meta.concrete_fields
        if not f.primary_key
    }
    return ClaimVersion(**(fields | {"number": number}))


def test_a_flushed_stamp_row_is_a_new_stamp(db):
    before = freshness.current_stamp().key
    PublicStamp.objects.all().delete()
    emptied = freshness.current_stamp().key
    make_article()  # the first write after it creates the row with a new epoch
    assert len({before, emptied, freshness.current_stamp().key}) == 3


@pytest.mark.django_db(transaction=True)
def test_an_article_edit_and_an_approval_on_the_same_claim_never_deadlock():
    """The stamp's row is locked at commit, after every other lock of the transaction.

    One transaction edits an article and then locks a claim; the other approves
    that claim (its version is inserted while it holds the claim's lock). Were
    the stamp bumped when each row changed, each would wait for the other.
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    from tests.conftest import restore_seed_data

    restore_seed_data()
    article = make_article()
    claim = draft_claim(article, sentence(article, 2), text="Course")
    editor, reviewer = people()
    workflow.submit(claim.pk, editor)
    generation = PublicStamp.objects.get().generation
    edited, approving = threading.Event(), threading.Event()
    errors = []

    def edit_then_lock():
        try:
            with transaction.atomic():
                Article.objects.filter(pk=article.pk).update(title="Titre modifié")
                edited.set()
                approving.wait(10)
                list(Claim.objects.select_for_update().filter(pk=claim.pk))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def approve():
        try:
            edited.wait(10)
            with transaction.atomic():
                locked = Claim.objects.select_for_update().get(pk=claim.pk)
                approving.set()
                workflow.approve(locked.pk, reviewer)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (edit_then_lock, approve)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert PublicStamp.objects.get().generation == generation + 2  # one per commit
