from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Fact-checking"

    def ready(self):
        from django.core import checks

        # Registered here, once every app is loaded: the mail transport check
        # (notifications.E001), the task queue's admin in place of the
        # package's, the SITE_URL check, and the verdict cards' fonts (deploy check).
        from . import cards, notifications, task_admin  # noqa: F401
        from .public import checks as site_url_check  # noqa: F401

        checks.register(cards.check_fonts, checks.Tags.compatibility, deploy=True)

        from django.db.models.signals import post_migrate

        from .search_schema import ensure_after_migrate

        # SQLite drops a table's triggers when a migration rebuilds it: put the
        # search index's back (search_schema explains).
        post_migrate.connect(ensure_after_migrate, sender=self)
