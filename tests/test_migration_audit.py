"""Migrations 0007–0008 keep every existing event, and then events outlive their claim."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import restore_seed_data

BEFORE = [("claims", "0006_claimant_kind")]
AFTER = [("claims", "0008_claim_ref_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_events_keep_their_claim_and_survive_its_deletion():
    old = migrate(BEFORE)
    try:
        Article = old.get_model("claims", "Article")
        Claim = old.get_model("claims", "Claim")
        ReviewEvent = old.get_model("claims", "ReviewEvent")
        article = Article.objects.create(title="A", slug="a", body="Une phrase.")
        claims = [
            Claim.objects.create(article=article, start=0, end=3, exact="Une") for _ in range(3)
        ]
        for claim in claims:
            for kind in ("created", "edited", "changes_requested"):
                ReviewEvent.objects.create(
                    claim=claim,
                    kind=kind,
                    comment=f"{kind} {claim.pk}",
                    changes={"ruling": ["a", "b"]},
                )
        rows = sorted(ReviewEvent.objects.values_list("pk", "claim_id", "kind", "comment"))

        new = migrate(AFTER)
        Claim = new.get_model("claims", "Claim")
        ReviewEvent = new.get_model("claims", "ReviewEvent")
        kept = sorted(ReviewEvent.objects.values_list("pk", "claim_ref", "kind", "comment"))
        assert kept == rows  # every event, each with its claim's id
        assert all(e.snapshot == {} for e in ReviewEvent.objects.all())
        Claim.objects.filter(pk=claims[0].pk).delete()
        assert ReviewEvent.objects.count() == len(rows)
        assert ReviewEvent.objects.filter(claim__isnull=True, claim_ref=claims[0].pk).count() == 3
    finally:
        migrate(executor_leaf_nodes())
        restore_seed_data()


def executor_leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
