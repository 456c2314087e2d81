"""Notifications on the queue as deployed: the database backend, its worker, retries, the admin,
and the system check that refuses a production run with no way to send mail.

The worker is django-tasks-db's own `db_worker`, run in batch mode (every task that is
due, then exit) inside the test, on committed data (it closes connections as a worker
does, which a test transaction would not survive). Mail goes to a closed port on
loopback (refused, as when the mail server is down), then to pytest-django's outbox.
The end-to-end run with gunicorn, a worker process and a real SMTP server is
tests/test_notifications_e2e.py.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from claims import notifications, services, workflow
from claims.models import Claim
from tests.servers import free_port
from tests.test_notifications import ready_claim

SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SEND = "claims.notifications.send_email"


@pytest.fixture
def queue(settings, seeded_live_db):
    """The production task backend; the mail server refuses connections."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTIFICATION_RETRY_DELAYS = [60, 300]
    settings.MAILERS = {
        "default": {
            "BACKEND": SMTP,
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    return settings


def mail_server_back(settings):
    settings.MAILERS = {"default": {"BACKEND": LOCMEM}}


def run_worker():
    """django-tasks-db's worker: run every task that is due, then stop."""
    options = ["--batch", "--no-startup-delay", "--interval", "0"]
    call_command("db_worker", *options, verbosity=0, stdout=StringIO())


def emails(**filters):
    return [
        (row, notifications_arguments(row))
        for row in DBTaskResult.objects.filter(task_path=SEND, **filters).order_by("enqueued_at")
    ]


def notifications_arguments(row):
    subject, body, recipient = row.args_kwargs["args"]
    return {"recipient": recipient, "subject": subject, **row.args_kwargs["kwargs"]}


@pytest.fixture
def submitted_on_queue(queue, make_user):
    author = make_user("author", "Editors", email="author@desk.example")
    make_user("rev1", "Reviewers", email="rev1@desk.example")
    article = services.create_article(author, title="File", body="Une phrase. Une autre.")
    claim = ready_claim(article, author)
    workflow.submit(claim.pk, author)  # commits: its task is enqueued
    return claim


def test_a_transition_only_enqueues_and_the_worker_sends(submitted_on_queue, settings, mailoutbox):
    (row,) = DBTaskResult.objects.all()
    assert row.task_path == "claims.notifications.claim_submitted"
    assert row.status == "READY"
    assert mailoutbox == []
    mail_server_back(settings)
    run_worker()
    assert DBTaskResult.objects.get(pk=row.pk).status == "SUCCESSFUL"
    ((email, arguments),) = emails()
    assert email.status == "SUCCESSFUL"
    assert arguments["recipient"] == "rev1@desk.example"
    (message,) = mailoutbox
    assert message.to == ["rev1@desk.example"]
    assert message.subject == arguments["subject"]


def test_a_failed_email_is_on_record_retried_later_and_then_sent(
    submitted_on_queue, settings, mailoutbox, caplog
):
    before = timezone.now()
    run_worker()
    ((failed, first), (retry, second)) = emails()
    assert failed.status == "FAILED"
    assert "ConnectionRefusedError" in failed.traceback
    assert first["recipient"] == second["recipient"] == "rev1@desk.example"
    assert retry.status == "READY" and second["attempt"] == 2
    # Backoff: not before the first delay.
    assert retry.run_after >= before + dt.timedelta(seconds=60)
    assert retry.run_after <= timezone.now() + dt.timedelta(seconds=60)
    assert "next try" in caplog.text

    run_worker()  # not due yet: nothing happens
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    mail_server_back(settings)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    run_worker()
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    (message,) = mailoutbox
    assert message.to == ["rev1@desk.example"]
    assert [row.status for row, _ in emails()] == ["FAILED", "SUCCESSFUL"]


def test_retries_are_bounded(submitted_on_queue, settings, caplog):
    settings.NOTIFICATION_RETRY_DELAYS = [0, 0]  # three attempts, each due at once
    run_worker()
    attempts = emails()
    assert [(row.status, arguments.get("attempt", 1)) for row, arguments in attempts] == [
        ("FAILED", 1),
        ("FAILED", 2),
        ("FAILED", 3),
    ]
    assert "failed for good (attempt 3)" in caplog.text
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_each_message_is_a_task_of_its_own(queue):
    """So a retry resends only the message that failed, never one that went out."""
    assert notifications._send("Sujet", "Corps", ["b@desk.example", "a@desk.example", ""]) == 2
    assert [arguments["recipient"] for _, arguments in emails()] == [
        "a@desk.example",
        "b@desk.example",
    ]


def test_with_the_immediate_backend_a_failure_is_logged_and_the_transition_stands(
    queue, settings, make_user, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    author = make_user("author", "Editors", email="author@desk.example")
    make_user("rev1", "Reviewers", email="rev1@desk.example")
    article = services.create_article(author, title="Tout de suite", body="Une phrase.")
    claim = ready_claim(article, author)
    workflow.submit(claim.pk, author)
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    assert "Email to rev1@desk.example failed for good (attempt 1)" in caplog.text
    assert not DBTaskResult.objects.exists()


# --- staff see the failures -----------------------------------------------------------------


def test_staff_see_a_failed_notification_in_the_admin(submitted_on_queue, client, make_user):
    run_worker()
    (failed, _), _ = emails()
    staff = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(staff)
    listing = client.get("/admin/django_tasks_database/dbtaskresult/", {"status__exact": "FAILED"})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "rev1@desk.example" in page
    assert "[Fact-check desk] For review: La Terre est plate (0)" in page
    assert "Failed" in page
    assert "claim_submitted" not in page  # it succeeded: not in the failed list
    detail = client.get(f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")
    assert detail.status_code == 200
    assert "ConnectionRefusedError" in detail.content.decode()


def test_the_task_admin_is_staff_only(submitted_on_queue, client, make_user):
    run_worker()
    client.force_login(make_user("ed", "Editors", email="ed@desk.example"))
    response = client.get("/admin/django_tasks_database/dbtaskresult/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- the mail transport check ---------------------------------------------------------------


def mail_errors():
    return [message.id for message in notifications.check_mail()]


@pytest.mark.parametrize(
    ("mailer", "errors"),
    [
        ({"BACKEND": SMTP, "OPTIONS": {"host": "smtp.example.org"}}, []),
        ({"BACKEND": SMTP, "OPTIONS": {}}, ["notifications.E001"]),
        ({"OPTIONS": {"port": 587}}, ["notifications.E001"]),  # SMTP is Django's default
        ({"BACKEND": "django.core.mail.backends.console.EmailBackend"}, ["notifications.E001"]),
        ({"BACKEND": LOCMEM}, ["notifications.E001"]),
    ],
)
def test_mail_check_in_production(settings, mailer, errors):
    settings.DEBUG = False
    settings.EMAIL_DISABLED = False
    settings.MAILERS = {"default": mailer}
    assert mail_errors() == errors


def test_mail_check_passes_when_mail_is_explicitly_off_or_in_development(settings):
    settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": {}}}
    settings.DEBUG, settings.EMAIL_DISABLED = False, True
    assert mail_errors() == []
    settings.DEBUG, settings.EMAIL_DISABLED = True, False
    assert mail_errors() == []


def manage(*args, **environ):
    """`manage.py` with the settings read from this environment (production by default)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "DJANGO_", "TASKS_"))
    }
    env |= {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    env |= {"SITE_URL": "https://desk.example.org", **environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_mail_server_fails_its_check():
    result = manage("check")
    assert result.returncode != 0
    assert "notifications.E001" in result.stderr
    assert "the SMTP mailer has no host" in result.stderr
    assert "EMAIL_DISABLED=1" in result.stderr


def test_production_with_a_mail_server_or_mail_off_passes_its_check():
    configured = manage("check", EMAIL_HOST="smtp.example.org", EMAIL_PORT="587", EMAIL_USE_TLS="1")
    assert configured.returncode == 0, configured.stderr
    off = manage("check", "--deploy", "--tag", "mail", EMAIL_DISABLED="1")
    assert off.returncode == 0, off.stderr  # neither ours nor Django's mail.E001
    assert "System check identified no issues" in off.stdout


def test_development_prints_mail_even_with_a_mail_server_in_the_environment():
    """The console mailer takes no connection settings (it used to refuse `host`)."""
    send = (
        "from django.core.mail import send_mail; send_mail('Sujet', 'Corps', None, ['a@b.example'])"
    )
    result = manage(
        "shell", "-c", send, DEBUG="1", EMAIL_HOST="smtp.example.org", EMAIL_PORT="2525"
    )
    assert result.returncode == 0, result.stderr
    assert "Subject: Sujet" in result.stdout and "To: a@b.example" in result.stdout
