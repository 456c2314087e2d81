"""Every existing article gets its body as revision 1, and every published claim its
readers' position (the current version's, which points into that body)."""

import hashlib

from django.db import migrations


def forwards(apps, schema_editor):
    Article = apps.get_model("claims", "Article")
    ArticleRevision = apps.get_model("claims", "ArticleRevision")
    Claim = apps.get_model("claims", "Claim")
    ArticleRevision.objects.bulk_create(
        [
            ArticleRevision(
                article_id=a.pk,
                number=1,
                body=a.body,
                sha256=hashlib.sha256(a.body.encode("utf-8")).hexdigest(),
                reason="imported",
                created_by_id=a.created_by_id,
                created_at=a.created_at,
            )
            for a in Article.objects.exclude(revisions__isnull=False)
        ]
    )
    published = Claim.objects.filter(current_version__isnull=False).select_related(
        "current_version"
    )
    published = list(published)
    for claim in published:
        claim.public_start = claim.current_version.start
        claim.public_end = claim.current_version.end
    Claim.objects.bulk_update(published, ["public_start", "public_end"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_revisions_ownership")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
