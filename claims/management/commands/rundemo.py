"""One command for a first look: migrate, load the demo newsroom, serve it."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the demo newsroom and serve on http://127.0.0.1:8000 (development)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo")
        self.stdout.write(f"\nOpen http://{addrport}/desk/ and log in with an account above.\n")
        call_command("runserver", addrport)
