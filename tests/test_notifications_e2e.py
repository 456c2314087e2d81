"""Notifications end to end, as deployed: gunicorn (DEBUG off) on PostgreSQL, the database
task backend and its worker process (`manage.py db_worker`), and a real SMTP server on
loopback (aiosmtpd). People act over HTTP, as in a browser.

An editor submits a claim: the reviewer's email arrives, sent by the worker. The mail
server then goes down and a reviewer requests changes: the author's email is recorded as
failed, with a retry scheduled, and staff see it in the admin. The mail server comes back
and the retry delivers it.

Needs PostgreSQL (the worker and the web server share the database with the test); it
skips elsewhere, except under CI, where it fails.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, User
from django.db import connection
from django_tasks_db.models import DBTaskResult

from claims import services
from claims.models import Claim
from tests.conftest import restore_seed_data
from tests.mailserver import MailServer
from tests.servers import answers, free_port, serving
from tests.test_notifications import ready_claim

PASSWORD = "a long passphrase for the desk"  # noqa: S105
SITE_URL = "https://desk.example.org"
RETRY_DELAY = 3  # seconds, between attempts of a failed email
SEND = "claims.notifications.send_email"


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        message = (
            "the end-to-end notification test needs PostgreSQL (DATABASE_URL), not "
            f"{connection.vendor}: run scripts/postgres-start"
        )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run it)", pytrace=False)
        pytest.skip(message)
    restore_seed_data()


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{db['NAME']}"


def person(username, group=None, **extra) -> User:
    """A user whose password the production settings can check (the test settings hash
    with MD5, which production does not accept)."""
    hasher = PBKDF2PasswordHasher()
    user = User.objects.create(
        username=username, password=hasher.encode(PASSWORD, hasher.salt()), **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def deployment(postgres):
    """A mail server, gunicorn and the task worker, configured as in production."""
    mail = MailServer().start()
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "DJANGO_", "TASKS_"))
    } | {
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": SITE_URL,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "STATIC_PLAIN": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
        "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": "desk@desk.example.org",
        "NOTIFICATION_RETRY_DELAYS": ",".join([str(RETRY_DELAY)] * 10),
        "DB_POOL_MAX": "4",
        "LOG_LEVEL": "WARNING",
    }
    bin_dir = Path(sys.executable).parent
    web = [str(bin_dir / "gunicorn"), "factcheck.wsgi:application", "--workers", "1"]
    web += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    worker = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"]
    try:
        base = f"http://127.0.0.1:{port}"
        cwd = settings.BASE_DIR
        with serving(worker, env=env, cwd=cwd, name="db_worker") as tasks:

            def ready():
                assert tasks.poll() is None, "the task worker exited"
                return answers(f"{base}/accounts/login/")

            with serving(web, env=env, cwd=cwd, name="gunicorn", ready=ready):
                yield base, mail, tasks
    finally:
        mail.stop()


class Browser:
    """Cookies, CSRF tokens and form posts over real HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def post(self, path, **data):
        token = next(c.value for c in self.cookies if c.name == settings.CSRF_COOKIE_NAME)
        return self.request(path, {"csrfmiddlewaretoken": token, **data})

    def log_in(self, username):
        status, _, page = self.request("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, url, _ = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 200 and url.endswith("/desk/"), (status, url)
        return self


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)
    return result


def emails_to(address, **filters):
    return [
        row
        for row in DBTaskResult.objects.filter(task_path=SEND, **filters).order_by("enqueued_at")
        if row.args_kwargs["args"][2] == address
    ]


def test_notifications_go_through_the_worker_and_survive_a_mail_outage(deployment):
    base, mail, worker = deployment
    author = person("author", "Editors", email="author@desk.example")
    person("rev", "Reviewers", email="rev@desk.example")
    person("boss", is_staff=True, is_superuser=True, email="boss@desk.example")
    article = services.create_article(author, title="Bout en bout", body="Une phrase. Une autre.")
    claim = ready_claim(article, author)

    # An editor submits the claim: the reviewer hears of it, through the worker.
    editor = Browser(base).log_in("author")
    status, _, _ = editor.post(f"/desk/claims/{claim.pk}/transition/", action="submit")
    assert status == 200
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    message = mail.wait_for("rev@desk.example", timeout=20)
    assert "For review" in message["Subject"]
    assert f"{SITE_URL}/desk/review/{claim.pk}/" in message.get_content()
    assert message["From"] == "desk@desk.example.org"
    (sent,) = emails_to("rev@desk.example")
    assert sent.status == "SUCCESSFUL" and sent.worker_ids  # run by the worker

    # The mail server goes down; a reviewer asks for changes.
    mail.stop()
    reviewer = Browser(base).log_in("rev")
    status, _, _ = reviewer.post(
        f"/desk/claims/{claim.pk}/transition/", action="request_changes", comment="Datez."
    )
    assert status == 200
    assert Claim.objects.get(pk=claim.pk).status == "changes_requested"
    failed = wait_until(
        lambda: emails_to("author@desk.example", status="FAILED"), 20, "a failed email"
    )[0]
    assert "ConnectionRefusedError" in failed.traceback
    retry = emails_to("author@desk.example", status="READY")[0]
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after >= failed.started_at + dt.timedelta(seconds=RETRY_DELAY)
    assert mail.messages_to("author@desk.example") == []

    # Staff see the failure in the admin.
    staff = Browser(base).log_in("boss")
    status, _, page = staff.request(
        "/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED"
    )
    assert status == 200
    assert "author@desk.example" in page and "Changes requested" in page and "Failed" in page

    # The mail server is back: the next attempt delivers the email, once.
    mail.start()
    message = mail.wait_for("author@desk.example", timeout=RETRY_DELAY * 4)
    assert "Changes requested" in message["Subject"] and "Datez." in message.get_content()
    delivered = wait_until(
        lambda: emails_to("author@desk.example", status="SUCCESSFUL"), 5, "a delivered email"
    )
    (delivered,) = delivered
    assert delivered.args_kwargs["kwargs"]["attempt"] >= 2
    time.sleep(RETRY_DELAY + 1)  # nothing else is due: no second copy
    assert len(mail.messages_to("author@desk.example")) == 1
    assert len(mail.messages_to("rev@desk.example")) == 1
    assert worker.poll() is None
