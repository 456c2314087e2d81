from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Fact-checking"

    def ready(self):
        # Registered here, once every app is loaded: the mail transport check
        # (notifications.E001), and the task queue's admin in place of the
        # package's.
        from . import notifications, task_admin  # noqa: F401
