from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Fact-checking"

    def ready(self):
        from .public import checks  # noqa: F401 - registers the SITE_URL check
