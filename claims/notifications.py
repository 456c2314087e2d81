"""Email notifications of the review workflow, sent as Django tasks after the commit.

A transition only schedules its emails (`after_commit`): if the transaction
rolls back, nobody is told about a change that did not happen, and a slow
mail server never holds a row lock. The tasks run on the backend configured in
TASKS: immediately in development (printing to the console mailer), on a
worker in production (see README, "Notifications in production").

Each email is its own task (`send_email`), so a mail server that fails is
retried for that one message, and a retry never sends twice what went out.
`check_mail` refuses a production run that has no way to send mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial, wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.checks.mail import NON_PRODUCTION_EMAIL_BACKENDS
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import Claim, NotificationSettings
from .public.links import absolute

logger = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted():
    """No emails for what happens inside (the demo loader replays a history)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def after_commit(task_function, claim_id: int) -> None:
    if not _muted.get():
        transaction.on_commit(partial(task_function.enqueue, claim_id))


def newsroom_language():
    return translation.override(settings.LANGUAGE_CODE)


def _in_newsroom_language(task_function):
    """Emails go out in the newsroom's language (LANGUAGE_CODE), whoever's request
    triggered them: the recipients' own choice of language is not known."""

    @wraps(task_function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return task_function(*args, **kwargs)

    return wrapper


def _send(subject: str, body: str, recipients: list[str]) -> int:
    """One message per recipient: reviewers do not see each other's addresses."""
    recipients = sorted({r for r in recipients if r})
    for recipient in recipients:
        send_email.enqueue(subject, body, recipient)
    return len(recipients)


@task
def send_email(subject: str, body: str, recipient: str, attempt: int = 1) -> int:
    """Send one message. When the mail server fails, this attempt is recorded as
    failed (with its traceback, for staff in the admin) and the message is tried
    again after the next of NOTIFICATION_RETRY_DELAYS, as a new task."""
    try:
        return send_mail(subject, body, None, [recipient])
    except OSError as error:  # smtplib's errors, refused or dropped connections, time-outs
        _retry_later(subject, body, recipient, attempt, error)
        raise


def _retry_later(subject: str, body: str, recipient: str, attempt: int, error: Exception):
    delays = settings.NOTIFICATION_RETRY_DELAYS
    attempts = len(delays) + 1
    if attempt >= attempts or not send_email.get_backend().supports_defer:
        # The last attempt, or a backend that runs tasks at once (development):
        # the failure stands, on record.
        logger.error("Email to %s failed for good (attempt %d): %s", recipient, attempt, error)
        return
    run_after = timezone.now() + dt.timedelta(seconds=delays[attempt - 1])
    send_email.using(run_after=run_after).enqueue(subject, body, recipient, attempt=attempt + 1)
    logger.warning(
        "Email to %s failed (attempt %d of %d), next try at %s: %s",
        recipient,
        attempt,
        attempts,
        run_after.isoformat(timespec="seconds"),
        error,
    )


SMTP_MAILER = "django.core.mail.backends.smtp.EmailBackend"
# Mailers that deliver nothing to anyone: Django's deploy check's own list.
NON_DELIVERING_MAILERS = NON_PRODUCTION_EMAIL_BACKENDS


@checks.register(checks.Tags.mail)
def check_mail(app_configs=None, **kwargs):
    """With DEBUG off, notifications need a mail transport, unless EMAIL_DISABLED
    says that this deployment sends no mail at all. Without it every email would
    fail (SMTP with no host) or vanish (console, dummy), and nobody would know."""
    if settings.DEBUG or getattr(settings, "EMAIL_DISABLED", False):
        return []
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    backend = mailer.get("BACKEND", SMTP_MAILER)
    if backend == SMTP_MAILER and not mailer.get("OPTIONS", {}).get("host"):
        problem = "the SMTP mailer has no host (EMAIL_HOST is not set)"
    elif backend in NON_DELIVERING_MAILERS:
        problem = f"the mailer {backend} delivers nothing"
    else:
        return []
    return [
        checks.Error(
            f"Workflow notifications cannot be sent: {problem}.",
            hint=(
                "Set EMAIL_HOST (and EMAIL_PORT, EMAIL_USERNAME, EMAIL_PASSWORD, "
                "EMAIL_USE_TLS as your mail server needs), or EMAIL_DISABLED=1 to run "
                "without email."
            ),
            id="notifications.E001",
        )
    ]


def _claim(claim_id: int) -> Claim | None:
    return Claim.objects.select_related("article", "created_by").filter(pk=claim_id).first()


@task
@_in_newsroom_language
def claim_submitted(claim_id: int) -> int:
    """Tell every reviewer (but the submitter) that a claim waits for review."""
    claim = _claim(claim_id)
    if claim is None:
        return 0
    reviewers = (
        get_user_model()
        .objects.filter(
            # The permission may come through a group or be granted directly.
            Q(groups__permissions__codename="review_claim")
            | Q(user_permissions__codename="review_claim"),
            is_active=True,
        )
        .exclude(pk=claim.submitted_by_id)
        .exclude(notification_settings__email="none")  # they chose the desk's bell only
        .values_list("email", flat=True)
        .distinct()
    )
    body = gettext(
        "A claim waits for review in “%(article)s”:\n\n  %(claim)s\n\nReview it: %(link)s\n"
    ) % {
        "article": claim.article.title,
        "claim": claim.statement,
        "link": absolute(reverse("desk:review", args=[claim.pk])),
    }
    subject = gettext("[Fact-check desk] For review: %(claim)s") % {"claim": claim.statement[:80]}
    return _send(subject, body, list(reviewers))


def _to_author(claim: Claim, subject: str, body: str) -> int:
    author = claim.created_by
    if author is None or _email_off(author):
        return 0
    return _send(subject, body, [author.email])


def _email_off(user) -> bool:
    """The person chose notifications in the desk only (claims.models.NotificationSettings)."""
    return NotificationSettings.objects.filter(user=user, email="none").exists()


@task
@_in_newsroom_language
def changes_requested(claim_id: int) -> int:
    claim = _claim(claim_id)
    if claim is None:
        return 0
    event = claim.events.filter(kind="changes_requested").order_by("-created_at").first()
    comment = event.comment if event else ""
    body = gettext(
        "A reviewer asked for changes to your claim:\n\n  %(claim)s\n\n"
        "Their comment:\n%(comment)s\n\nOpen it: %(link)s\n"
    ) % {
        "claim": claim.statement,
        "comment": comment,
        "link": absolute(claim.get_absolute_url()),
    }
    subject = gettext("[Fact-check desk] Changes requested: %(claim)s") % {
        "claim": claim.statement[:80]
    }
    return _to_author(claim, subject, body)


@task
@_in_newsroom_language
def claim_published(claim_id: int) -> int:
    claim = _claim(claim_id)
    if claim is None:
        return 0
    body = gettext(
        "Your claim was approved and published:\n\n  %(claim)s\n\nOpen it: %(link)s\n"
    ) % {
        "claim": claim.statement,
        "link": absolute(claim.get_absolute_url()),
    }
    subject = gettext("[Fact-check desk] Published: %(claim)s") % {"claim": claim.statement[:80]}
    return _to_author(claim, subject, body)
