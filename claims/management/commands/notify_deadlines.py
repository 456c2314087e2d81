"""Notify assignees of claims due within 24 hours. Run it periodically (cron, every 15 minutes
or hourly); it is idempotent: one notice per claim per due date, however often it runs."""

from django.core.management.base import BaseCommand

from claims.inbox import notify_deadlines


class Command(BaseCommand):
    help = "Notify the assignee (else the author) of each open claim due within 24 hours, once."

    def handle(self, *args, **options):
        written = notify_deadlines()
        self.stdout.write(f"{written} deadline notice(s) written.")
