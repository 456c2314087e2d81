"""The default rating scale in English (from the newsroom.json of the shared seed).

Each seeded step gets its English label and description, unless the newsroom
already wrote its own. Published versions then freeze the English label of
their rating, but only where the version's label is the very label that
translation translates (the French label it was approved with): a version
approved under a label renamed since keeps showing its French label in English
pages until its next approval, since nobody approved an English word for it.

Copied here rather than read from a file, as in 0003, so that this migration
gives the same result for ever.
"""

from django.conf import settings
from django.db import migrations

ENGLISH = {
    "Vrai": ("True", "The claim is accurate and leaves out nothing important."),
    "Plutôt vrai": ("Mostly true", "The claim is accurate in substance but needs clarification."),
    "À nuancer": (
        "Half true",
        "The claim is partly accurate but leaves out or distorts important details.",
    ),
    "Inexact": ("Inaccurate", "The claim contains errors that change its meaning."),
    "Faux": ("False", "The claim is contradicted by established facts."),
    "Trompeur": ("Misleading", "Accurate facts are presented in a way that misleads."),
    "Manque de contexte": ("Missing context", "Without further context, the claim misleads."),
    "Invérifiable": ("Unverifiable", "The available evidence does not settle the question."),
}


def translate(apps, schema_editor):
    if getattr(settings, "NEWSROOM_LANGUAGE", "fr").split("-")[0].lower() != "fr":
        return  # a newsroom whose scale is not written in French translates its own
    Rating = apps.get_model("claims", "Rating")
    ClaimVersion = apps.get_model("claims", "ClaimVersion")
    for rating in Rating.objects.filter(label__in=ENGLISH):
        translations = dict(rating.translations or {})
        if "en" not in translations:
            label, description = ENGLISH[rating.label]
            translations["en"] = {"label": label, "description": description}
            rating.translations = translations
            rating.save(update_fields=["translations"])
        english = translations["en"].get("label")
        if english:
            # Historical models have no ImmutableModel.save; update() writes the rows.
            ClaimVersion.objects.filter(rating=rating, rating_label=rating.label).update(
                rating_label_translations={"en": english}
            )


class Migration(migrations.Migration):
    dependencies = [("claims", "0016_rating_translations")]

    # Backwards, the previous migration drops both fields: nothing to undo here.
    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]
