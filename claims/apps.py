from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Fact-checking"

    def ready(self):
        from django.core import checks

        from . import cards

        checks.register(cards.check_fonts, checks.Tags.compatibility, deploy=True)
