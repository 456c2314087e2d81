from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_audit_outlives_claims"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewevent",
            name="claim_ref",
            field=models.PositiveIntegerField(db_index=True, verbose_name="claim id"),
        ),
    ]
