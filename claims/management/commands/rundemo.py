"""One command for a first look: migrate, load the demo newsroom, serve it."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

DEFAULT_ADDRPORT = "127.0.0.1:8000"
# Addresses that mean "every interface": a browser on this machine reaches
# them as 127.0.0.1, one of the hosts ALLOWED_HOSTS accepts by default in DEBUG.
WILDCARDS = {"0", "0.0.0.0", "[::]"}  # noqa: S104 - compared with, never bound to


def served_url(addrport: str) -> str:
    """The origin runserver serves for `addrport` ("8123", "0.0.0.0:9000", "[::1]:8000")."""
    match = naiveip_re.match(addrport)
    if match is None:
        raise CommandError(f'"{addrport}" is not a valid port number or address:port pair.')
    addr, port = match["addr"], match["port"]
    host = "127.0.0.1" if not addr or addr in WILDCARDS else addr
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Migrate, load the demo newsroom and serve on http://127.0.0.1:8000 (development)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT)
        parser.add_argument(
            "--noreload",
            action="store_false",
            dest="use_reloader",
            help="Do not restart the server when the code changes.",
        )

    def handle(self, *args, addrport, use_reloader, **options):
        url = served_url(addrport)
        # The autoreloader runs this command again in a child process, which
        # is the one that serves: the setup and its output happen once, in
        # the parent, and the child goes straight to serving.
        if os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            if "SITE_URL" not in os.environ:
                # Emailed links point where the demo is served. Through the
                # environment, so the reloader's child reads it in its settings.
                os.environ["SITE_URL"] = url
                settings.SITE_URL = url
            call_command("migrate", interactive=False, verbosity=0)
            call_command("load_demo")
            self.stdout.write(f"\nOpen {url}/desk/ and log in with an account above.\n")
        call_command("runserver", addrport, use_reloader=use_reloader)
