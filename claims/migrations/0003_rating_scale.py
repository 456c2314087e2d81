"""Seed the newsroom's default rating scale (from the demo newsroom.json).

The data is copied here rather than read from a file so that this migration
gives the same result for ever, whatever happens to the demo files.
"""

from django.db import migrations

SCALE = [
    ("Vrai", 5, "#1e6b34", "L'affirmation est exacte et ne manque d'aucun élément important."),
    ("Plutôt vrai", 4, "#3f7d20",
     "L'affirmation est exacte pour l'essentiel mais demande une précision."),
    ("À nuancer", 3, "#8a5a00",
     "L'affirmation est en partie exacte mais omet ou déforme des éléments importants."),
    ("Inexact", 2, "#b4380f", "L'affirmation contient des erreurs qui en changent le sens."),
    ("Faux", 1, "#a4161a", "L'affirmation est contredite par les faits établis."),
    ("Trompeur", None, "#6b2d8f",
     "Des faits exacts sont présentés de manière à induire en erreur."),
    ("Manque de contexte", None, "#1f5f8b",
     "Sans contexte supplémentaire, l'affirmation induit en erreur."),
    ("Invérifiable", None, "#4b5563", "Les éléments disponibles ne permettent pas de trancher."),
]  # fmt: skip


def seed(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    for order, (label, value, colour, description) in enumerate(SCALE):
        Rating.objects.update_or_create(
            label=label,
            defaults={"value": value, "colour": colour, "description": description,
                      "order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("claims", "Rating").objects.filter(label__in=[s[0] for s in SCALE]).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_roles")]

    operations = [migrations.RunPython(seed, unseed)]
