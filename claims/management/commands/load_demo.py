from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo newsroom (article, claims, accounts). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have a public password).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo article's claims and their history, then load them again.",
        )

    def handle(self, *args, force=False, reset=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load the demo newsroom with DEBUG off: its accounts have a "
                "public password. Use --force if you really mean it."
            )
        result = load_demo(reset=reset)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo newsroom loaded: “{result['article'].title}” with "
                f"{len(result['claims'])} claims."
            )
        )
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, group, is_admin in DEMO_ACCOUNTS:
            role = "staff and superuser" if is_admin else group
            self.stdout.write(f"  {username:<10} {role}")
