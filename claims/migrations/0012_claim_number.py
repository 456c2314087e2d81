"""Claims get a stable number per article ("Claim 3"), given once at creation.

Existing claims are numbered in the order they were created, article by
article; the desk used to number them by position in the text, which changed
whenever a claim was added earlier in it.
"""

from django.db import migrations, models


def number_existing_claims(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    batch, article_id, number = [], None, 0
    rows = Claim.objects.order_by("article_id", "created_at", "pk").only("pk", "article_id")
    for claim in rows.iterator(chunk_size=2000):
        if claim.article_id != article_id:
            article_id, number = claim.article_id, 0
        number += 1
        claim.number = number
        batch.append(claim)
        if len(batch) >= 2000:
            Claim.objects.bulk_update(batch, ["number"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_first_revisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="number"),
        ),
        migrations.RunPython(number_existing_claims, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="claim",
            name="number",
            field=models.PositiveIntegerField(editable=False, verbose_name="number"),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                fields=("article", "number"), name="one_claim_number"
            ),
        ),
    ]
