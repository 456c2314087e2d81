"""A PostgreSQL outage under gunicorn: fast 503s for readers and editors, then 200s again.

The project is served as deployed (gunicorn, two sync workers, DEBUG off)
against a throwaway PostgreSQL cluster of its own (scripts/postgres-start,
port OUTAGE_PGPORT or the next free one). The cluster is stopped while the
app serves and started again, and nothing is restarted on the app's side.

Needs PostgreSQL and root (the cluster runs as the `postgres` user). It skips
elsewhere, except under CI, where a skipped outage test is a failure.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.servers import free_port, serving

PG_BIN = Path("/usr/lib/postgresql/15/bin")
FAST = 3.0  # seconds, for each 503
RECOVERY = 20.0  # seconds allowed for the first 200 after the cluster is back
ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def postgres_available():
    missing = None
    if connection.vendor != "postgresql":
        missing = f"the suite runs on {connection.vendor}, not PostgreSQL (DATABASE_URL)"
    elif os.geteuid() != 0 or not (PG_BIN / "pg_ctl").exists():
        missing = "starting a throwaway cluster needs root and PostgreSQL 15"
    if missing:
        message = f"outage test: {missing}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run it)", pytrace=False)
        pytest.skip(message)


def run(*command, env=None, check=True):
    return subprocess.run(  # noqa: S603 - the project's own scripts and PostgreSQL's tools
        command, env=env, cwd=ROOT, check=check, capture_output=True, text=True, timeout=120
    )


def pg_ctl(directory, *arguments):
    pg_ctl_path = str(PG_BIN / "pg_ctl")
    run("runuser", "-u", "postgres", "--", pg_ctl_path, "-D", directory, "-w", *arguments)


@pytest.fixture(scope="module")
def cluster(postgres_available):
    """A cluster of our own, migrated and holding the demo newsroom."""
    requested = os.environ.get("OUTAGE_PGPORT", "55465")
    env = {**os.environ, "PGPORT": requested}
    url = run(str(ROOT / "scripts/postgres-start"), env=env).stdout.strip()
    port = urllib.parse.urlsplit(url).port
    try:
        manage = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "DATABASE_URL": url,
            "DEBUG": "1",
        }
        run(sys.executable, "manage.py", "migrate", "-v0", env=manage)
        run(sys.executable, "manage.py", "load_demo", env=manage)
        yield url, f"/tmp/factcheck-pg-{port}"
    finally:
        run(str(ROOT / "scripts/postgres-stop"), env=env, check=False)


@pytest.fixture(scope="module")
def server(cluster):
    url, _ = cluster
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "STATIC_PLAIN": "1",
        "LOG_LEVEL": "CRITICAL",
    }
    base = f"http://127.0.0.1:{port}"
    command = [
        shutil.which("gunicorn", path=str(Path(sys.executable).parent)),
        "factcheck.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "critical",
    ]
    with serving(
        command,
        env=env,
        cwd=ROOT,
        name="gunicorn",
        ready=lambda: fetch(base + "/methodology/")[0] == 200,
    ):
        yield base


def fetch(url, cookie=None):
    """(status, headers, body, seconds); a connection that gives no answer is status None."""
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=35) as response:  # noqa: S310
            answer = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        answer = error.code, error.headers, error.read()
    except OSError:
        answer = None, {}, b""
    return (*answer, time.monotonic() - started)


def log_in(base, username="editor", password="factcheck") -> str:  # noqa: S107 - the demo's
    """Log in through the login form, as a browser does; returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    with opener.open(
        urllib.request.Request(  # noqa: S310 - loopback
            base + "/accounts/login/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": base + "/accounts/login/"},
        ),
        timeout=10,
    ) as response:
        assert response.url.endswith("/desk/")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def public_paths(url):
    """Home, the demo article and its published fact-check, read from the cluster."""
    import psycopg

    with psycopg.connect(url) as db:
        article = db.execute("SELECT slug FROM claims_article LIMIT 1").fetchone()[0]
        fact_check = db.execute(
            "SELECT slug FROM claims_claim WHERE current_version_id IS NOT NULL LIMIT 1"
        ).fetchone()[0]
    return ["/", f"/articles/{article}/", f"/fact-checks/{fact_check}/"]


def test_a_stopped_database_gives_fast_503s_and_its_return_gives_200s(cluster, server):
    url, directory = cluster
    cookie = log_in(server)
    requests = [(path, None) for path in public_paths(url)] + [("/desk/", cookie)]
    for _ in range(3):  # every page rendered and kept by both workers
        for path, session in requests:
            status, _, body, _ = fetch(server + path, session)
            assert status == 200, path
    assert b"Log out" in fetch(server + "/desk/", cookie)[2]

    pg_ctl(directory, "-m", "fast", "stop")
    try:
        timings = []
        for _ in range(4):  # both workers, several times
            for path, session in requests:
                status, headers, body, seconds = fetch(server + path, session)
                timings.append(seconds)
                assert status == 503, (path, status, body[:200])
                assert headers["Retry-After"] == "5", path
                assert b"Temporarily unavailable" in body, path
                assert seconds < FAST, (path, seconds)
        median = sorted(timings)[len(timings) // 2]
        print(f"503s: slowest {max(timings):.2f} s, median {median:.3f} s")
    finally:
        pg_ctl(directory, "-l", f"{directory}/server.log", "restart")

    # Each worker waits DB_RETRY_AFTER seconds after its last failure before
    # trying again; then everything answers again, with no restart.
    restarted = time.monotonic()
    healthy_rounds = 0
    while healthy_rounds < 4:
        statuses = [fetch(server + path, session)[0] for path, session in requests]
        assert set(statuses) <= {200, 503}, statuses
        healthy_rounds = healthy_rounds + 1 if set(statuses) == {200} else 0
        assert time.monotonic() - restarted < RECOVERY, f"still unavailable: {statuses}"
        time.sleep(0.1)
    print(f"recovered within {time.monotonic() - restarted:.1f} s of the restart")
    assert b"Log out" in fetch(server + "/desk/", cookie)[2]  # the session survived the outage
