"""Public pages against a bare Django view, served alike by gunicorn, measured with wrk.

A benchmark, not a test. It serves the project as in production (gunicorn,
``factcheck.wsgi:application`` with its layer of stored pages in front of
Django, DEBUG off, whitenoise's hashed static files, PostgreSQL from
DATABASE_URL, every middleware and header) next to a bare Django app (``claims.public.
bare_app``: one view returning a one-line HttpResponse, no middleware, no
database) under the same gunicorn settings, loads the demo newsroom, checks
that the public pages carry their headers and answer conditional requests,
then alternates wrk runs on each public page and on the bare view, and
prints requests per second and their ratio. Last, it approves the demo claim
waiting for review and checks that every following request, whichever
worker answers, shows it.

    export DATABASE_URL="$(PGPORT=55494 scripts/postgres-start)"
    DEBUG=1 uv run python manage.py benchmark_public    # --duration 5 --rounds 3

``--django-only`` serves Django's application without that layer, to show
what it is worth. (DEBUG=1 is for this command's own process; the servers it starts run with
DEBUG off, a random SECRET_KEY and SECURE_SSL_REDIRECT=0 over loopback.)

The database's demo claims are reset (``load_demo --reset``), as ``rundemo``
would; use a throwaway database. wrk is Debian's package (apt-get install wrk)
and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.demo.loader import DEMO_SLUG

PAGES = ("home", "article", "fact-check")
HEADERS = (
    "ETag",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cache-Control",
)


class Command(BaseCommand):
    help = "Benchmark the public pages against a bare Django view (gunicorn + wrk)."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--connections", type=int, default=8, help="wrk connections")
        parser.add_argument("--wrk-threads", type=int, default=1)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument(
            "--threads", type=int, default=1, help="gunicorn threads per worker (1: sync)"
        )
        parser.add_argument(
            "--django-only",
            action="store_true",
            help="serve factcheck.wsgi:django_application, without the stored-pages layer",
        )
        parser.add_argument("--port", type=int, default=18301, help="the project's port")
        parser.add_argument("--bare-port", type=int, default=18302)

    def handle(self, *args, **options):
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith(("postgres://", "postgresql://")):
            raise CommandError(
                "Set DATABASE_URL to a throwaway PostgreSQL database "
                '(export DATABASE_URL="$(PGPORT=55494 scripts/postgres-start)").'
            )
        self.wrk_path = shutil.which("wrk")
        if not self.wrk_path:
            raise CommandError("wrk is missing: apt-get install -y wrk")
        self.options = options
        self.base_dir = Path(settings.BASE_DIR)
        self.static_root = Path(tempfile.mkdtemp(prefix="benchmark-public-static-"))
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{options['port']}",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(self.static_root),
            "STATIC_PLAIN": "0",
            "LOG_LEVEL": "ERROR",
            # The benchmark sends no mail: say so, or the production checks refuse
            # to migrate.
            "EMAIL_DISABLED": "1",
            "PYTHONPATH": str(self.base_dir),
        }
        self.servers: list[subprocess.Popen] = []
        try:
            self.prepare()
            entry = "django_application" if options["django_only"] else "application"
            app = self.serve("factcheck.settings", f"factcheck.wsgi:{entry}", options["port"])
            bare = self.serve(
                "claims.public.bare_app",
                "django.core.wsgi:get_wsgi_application()",
                options["bare_port"],
            )
            urls = self.public_urls(app)
            self.check_guarantees(urls)
            results = self.measure(urls, f"{bare}/")
            self.report(results)
            self.check_freshness(urls["home"])
        finally:
            self.stop()
            shutil.rmtree(self.static_root, ignore_errors=True)

    # -- setting up ---------------------------------------------------------------

    def manage(self, *arguments):
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, str(self.base_dir / "manage.py"), *arguments],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
            cwd=self.base_dir,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def prepare(self):
        self.stdout.write("Migrating, collecting static files, loading the demo newsroom…")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("load_demo", "--reset", "--force")

    def serve(self, settings_module: str, app: str, port: int) -> str:
        """Start gunicorn with the options both servers share; return its base URL."""
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            app,
            "--workers",
            str(self.options["workers"]),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        if self.options["threads"] > 1:
            command += ["--threads", str(self.options["threads"])]
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command,
            env={**self.env, "DJANGO_SETTINGS_MODULE": settings_module},
            cwd=self.base_dir,
            start_new_session=True,  # its own process group, stopped as one
        )
        self.servers.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError(f"gunicorn for {settings_module} exited ({process.returncode})")
            try:
                with urllib.request.urlopen(f"{url}/", timeout=10):  # noqa: S310 - loopback
                    return url
            except OSError:  # not listening yet, or still starting its workers
                time.sleep(0.2)
        raise CommandError(f"gunicorn for {settings_module} did not answer on {url}")

    def stop(self):
        for process in self.servers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def public_urls(self, base: str) -> dict[str, str]:
        from claims.models import Claim, ClaimStatus

        slug = (
            Claim.objects.filter(article__slug=DEMO_SLUG, status=ClaimStatus.PUBLISHED)
            .values_list("slug", flat=True)
            .first()
        )
        return {
            "home": f"{base}/",
            "article": f"{base}/articles/{DEMO_SLUG}/",
            "fact-check": f"{base}/fact-checks/{slug}/",
        }

    # -- guarantees -----------------------------------------------------------------

    def check_guarantees(self, urls: dict[str, str]):
        """Every page measured is a real 200 with its headers, and answers a 304."""
        for name, url in urls.items():
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                missing = [h for h in HEADERS if not response.headers.get(h)]
                if response.status != 200 or missing:
                    raise CommandError(f"{name}: status {response.status}, missing {missing}")
                etag = response.headers["ETag"]
            request = urllib.request.Request(url, headers={"If-None-Match": etag})  # noqa: S310
            try:
                urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback
                raise CommandError(f"{name}: a conditional GET did not get a 304")
            except urllib.error.HTTPError as error:
                if error.code != 304:
                    raise CommandError(f"{name}: conditional GET answered {error.code}") from None
        self.stdout.write("Headers (ETag, CSP, nosniff, Referrer-Policy, frames) and 304s: ok")

    def check_freshness(self, home: str):
        """Approve the demo claim in review; every next request must show it."""
        from django.contrib.auth import get_user_model

        from claims import notifications, workflow
        from claims.demo.loader import newsroom
        from claims.models import Claim, ClaimStatus

        claim = Claim.objects.filter(article__slug=DEMO_SLUG, status=ClaimStatus.IN_REVIEW).first()
        if claim is None:
            return
        statement = next(
            c["statement"] for c in newsroom()["claims"] if c["demo_state"] == "in_review"
        )
        reviewer = get_user_model().objects.get(username="reviewer")
        with notifications.muted():
            workflow.approve(claim.pk, reviewer)
        bodies = []
        for _ in range(8):  # enough requests to reach both workers
            with urllib.request.urlopen(home, timeout=5) as response:  # noqa: S310 - loopback
                bodies.append(response.read().decode("utf-8"))
        fresh = sum(statement.replace("'", "&#x27;") in body for body in bodies)
        self.stdout.write(
            f"After an approval: {fresh} of {len(bodies)} next requests show it "
            f"({'ok' if fresh == len(bodies) else 'STALE'})."
        )
        self.manage("load_demo", "--reset", "--force")

    # -- measuring ---------------------------------------------------------------------

    def wrk(self, url: str, duration: int) -> float:
        output = subprocess.run(  # noqa: S603 - wrk on loopback, fixed arguments
            [
                self.wrk_path,
                f"-t{self.options['wrk_threads']}",
                f"-c{self.options['connections']}",
                f"-d{duration}s",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if "Non-2xx" in output:
            raise CommandError(f"wrk got errors from {url}:\n{output}")
        match = re.search(r"Requests/sec:\s+([0-9.]+)", output)
        if not match:
            raise CommandError(f"Unreadable wrk output for {url}:\n{output}")
        return float(match.group(1))

    def measure(self, urls: dict[str, str], bare: str) -> dict[str, list[tuple[float, float]]]:
        duration, rounds = self.options["duration"], self.options["rounds"]
        for url in [bare, *urls.values()]:
            self.wrk(url, 1)  # warm up: imports, templates, caches, connections
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in urls}
        threads = self.options["threads"]
        self.stdout.write(
            f"wrk: {self.options['connections']} connections, {duration} s per run, "
            f"{rounds} rounds; gunicorn: {self.options['workers']} workers"
            + (f", {threads} threads each" if threads > 1 else " (sync)")
        )
        for n in range(rounds):
            for name, url in urls.items():
                # Alternate which goes first, so that neither always gets the warmer machine.
                if n % 2:
                    page = self.wrk(url, duration)
                    base = self.wrk(bare, duration)
                else:
                    base = self.wrk(bare, duration)
                    page = self.wrk(url, duration)
                results[name].append((page, base))
                self.stdout.write(
                    f"  round {n + 1} {name:<10} {page:>9.0f} req/s   bare {base:>9.0f} req/s"
                    f"   ratio {page / base:.2f}"
                )
        return results

    def report(self, results: dict[str, list[tuple[float, float]]]):
        self.stdout.write("")
        self.stdout.write(f"{'page':<12}{'req/s':>10}{'bare req/s':>12}{'ratio':>8}")
        for name, runs in results.items():
            page = statistics.median(p for p, _ in runs)
            base = statistics.median(b for _, b in runs)
            ratio = statistics.median(p / b for p, b in runs)
            verdict = "ok" if ratio >= 0.8 else "below 0.8"
            self.stdout.write(f"{name:<12}{page:>10.0f}{base:>12.0f}{ratio:>8.2f}  {verdict}")
        self.stdout.write("(medians over the rounds; the ratio is taken run by run)")
