"""The task queue in the admin: staff see every notification email, failed ones first of all.

django-tasks-db's own admin lists tasks by id and function name. This one says, for an
email, who it was for, its subject, which attempt it was and when the next one is due,
so a failure is read without opening its traceback. Like the package's, it is read-only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "status",
        "recipient",
        "subject",
        "attempt",
        "finished_at",
        "next_try",
        "task_name",
    )
    list_display_links = ("status",)
    list_filter = ("status",)

    @staticmethod
    def _email_arguments(obj: DBTaskResult) -> dict:
        if not obj.task_path.endswith(".send_email"):
            return {}
        args, kwargs = obj.args_kwargs.get("args", []), obj.args_kwargs.get("kwargs", {})
        return dict(zip(["subject", "body", "recipient", "attempt"], args, strict=False)) | kwargs

    @admin.display(description=_("recipient"))
    def recipient(self, obj: DBTaskResult) -> str:
        return self._email_arguments(obj).get("recipient", "")

    @admin.display(description=_("subject"))
    def subject(self, obj: DBTaskResult) -> str:
        return self._email_arguments(obj).get("subject", "")

    @admin.display(description=_("attempt"))
    def attempt(self, obj: DBTaskResult) -> int:
        return self._email_arguments(obj).get("attempt", 1)

    @admin.display(description=_("next try"))
    def next_try(self, obj: DBTaskResult):
        if obj.status != "READY":
            return self.get_empty_value_display()
        return self.display_run_after(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
