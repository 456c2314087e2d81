"""Recompute every article's sentence spans with today's segmentation rules.

Spans are stored when a body is saved (``services``), so articles loaded before the
fix for emoji and symbols opening a sentence (they glued to the next sentence, and a
click quoted "🚋 Critics…") would keep the old spans. Spans are a display aid for
selecting; claims store their own offsets, so recomputing them moves no claim.
"""

from django.db import migrations


def recompute(apps, schema_editor):
    from claims.segments import sentence_spans

    Article = apps.get_model("claims", "Article")
    for article in Article.objects.only("id", "body", "language").iterator():
        spans = sentence_spans(article.body, article.language)
        Article.objects.filter(pk=article.pk).update(sentences=spans)


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_claim_ref_required")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
