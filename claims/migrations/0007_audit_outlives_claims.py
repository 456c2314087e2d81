"""The audit trail outlives its claims; an article with claims cannot be deleted.

Existing events keep their rows: `claim_ref` is filled from `claim_id`
before `claim` may become NULL (0008 makes `claim_ref` required).
"""

import django.db.models.deletion
from django.db import migrations, models


def keep_claim_ids(apps, schema_editor):
    ReviewEvent = apps.get_model("claims", "ReviewEvent")
    ReviewEvent.objects.filter(claim_ref__isnull=True).update(claim_ref=models.F("claim_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_claimant_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="claim",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="claims",
                to="claims.article",
            ),
        ),
        migrations.AddField(
            model_name="reviewevent",
            name="claim_ref",
            field=models.PositiveIntegerField(db_index=True, null=True, verbose_name="claim id"),
        ),
        migrations.AddField(
            model_name="reviewevent",
            name="snapshot",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="claim",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="events",
                to="claims.claim",
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("edited", "Edited"),
                    ("anchor_moved", "Highlight moved"),
                    ("submitted", "Submitted for review"),
                    ("review_taken", "Review taken"),
                    ("review_released", "Review released"),
                    ("changes_requested", "Changes requested"),
                    ("approved", "Approved and published"),
                    ("update_started", "Update started"),
                    ("withdrawn", "Withdrawn"),
                    ("deleted", "Deleted"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterModelOptions(
            name="reviewevent",
            options={"ordering": ["claim_ref", "created_at", "pk"]},
        ),
        # Last, after every schema change: PostgreSQL refuses ALTER TABLE on a
        # table with row changes pending in the same transaction.
        migrations.RunPython(keep_claim_ids, migrations.RunPython.noop),
    ]
