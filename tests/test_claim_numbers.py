"""Claim numbers are stable: given once per article, kept when claims are added before them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from claims import services
from claims.anchoring import make_anchor
from claims.models import Claim
from tests.conftest import restore_seed_data
from tests.test_races import postgres_only, run_together, split  # noqa: F401 (fixture)

BODY = " ".join(f"Phrase numéro {i} de l’article." for i in range(30))


@pytest.fixture
def article(editor):
    return services.create_article(editor, title="Numéros", language="fr", body=BODY)


def claim_on(article, user, sentence):
    start, end = article.sentences[sentence]
    return services.create_claim(article, user, make_anchor(article.body, start, end))


def test_a_claim_added_earlier_in_the_text_takes_the_next_number(article, editor):
    late = claim_on(article, editor, 10)
    middle = claim_on(article, editor, 5)
    first = claim_on(article, editor, 0)
    assert [late.number, middle.number, first.number] == [1, 2, 3]
    late.refresh_from_db()
    assert late.number == 1


def test_numbers_are_per_article(article, editor):
    other = services.create_article(editor, title="Autre", language="fr", body=BODY)
    assert claim_on(article, editor, 0).number == 1
    assert claim_on(other, editor, 0).number == 1
    assert claim_on(article, editor, 1).number == 2


def test_deleting_a_claim_leaves_the_others_numbers_alone(article, editor):
    claims = [claim_on(article, editor, i) for i in range(3)]
    services.delete_claim(claims[1].pk, editor)
    assert claim_on(article, editor, 7).number == 4
    assert sorted(Claim.objects.filter(article=article).values_list("number", flat=True)) == [
        1,
        3,
        4,
    ]


def test_a_number_is_unique_within_its_article(article, editor):
    claim = claim_on(article, editor, 0)
    twin = Claim(article=article, number=claim.number, start=0, end=3, exact=BODY[:3])
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_claims_made_directly_or_in_bulk_are_numbered_after_the_highest(article, editor):
    claim_on(article, editor, 0)
    direct = Claim.objects.create(article=article, start=0, end=3, exact=BODY[:3])
    assert direct.number == 2
    bulk = Claim.objects.bulk_create(
        Claim(article=article, start=0, end=3, exact=BODY[:3]) for _ in range(3)
    )
    assert [c.number for c in bulk] == [3, 4, 5]


# --- concurrent creation ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_editors_creating_claims_at_once_get_distinct_numbers(postgres_only):  # noqa: F811
    restore_seed_data()
    from django.contrib.auth.models import Group, User

    users = []
    for name in ("racer1", "racer2", "racer3", "racer4"):
        user = User.objects.create_user(name)
        user.groups.add(Group.objects.get(name="Editors"))
        users.append(user)
    article = services.create_article(users[0], title="Course", language="fr", body=BODY)
    for round_ in range(5):
        results = run_together(
            *(
                lambda u=u, n=round_ * 4 + i: claim_on(article, u, n % 30)
                for i, u in enumerate(users)
            )
        )
        made, errors = split(results)
        assert not errors, errors
    numbers = sorted(Claim.objects.filter(article=article).values_list("number", flat=True))
    assert numbers == list(range(1, 21))


# --- the data migration ------------------------------------------------------------------


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_claims_by_creation_order():
    old = migrate([("claims", "0011_first_revisions")])
    try:
        Article = old.get_model("claims", "Article")
        OldClaim = old.get_model("claims", "Claim")
        one = Article.objects.create(title="A", slug="a", body=BODY)
        two = Article.objects.create(title="B", slug="b", body=BODY)
        made = []
        # Created in an order that is not the text's: the last sentence first.
        for article, start in ((one, 60), (two, 30), (one, 0), (one, 30), (two, 0)):
            made.append(
                OldClaim.objects.create(article=article, start=start, end=start + 5, exact="x")
            )
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        for n, claim in enumerate(made):
            OldClaim.objects.filter(pk=claim.pk).update(created_at=base + dt.timedelta(hours=n))

        new = migrate([("claims", "0012_claim_number")])
        NewClaim = new.get_model("claims", "Claim")
        numbered = {c.pk: c.number for c in NewClaim.objects.all()}
        assert [numbered[c.pk] for c in made] == [1, 1, 2, 3, 2]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        restore_seed_data()
