"""Email notifications of the review workflow, sent as Django tasks after the commit.

A transition only schedules its emails (`after_commit`): if the transaction
rolls back, nobody is told about a change that did not happen, and a slow
mail server never holds a row lock. The tasks run on the backend configured in
TASKS: immediately in development (printing to the console mailer), on a
worker in production (see README, "Notifications").
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.urls import reverse

from .models import Claim

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted():
    """No emails for what happens inside (the demo loader replays a history)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def after_commit(task_function, claim_id: int) -> None:
    if not _muted.get():
        transaction.on_commit(partial(task_function.enqueue, claim_id))


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(subject: str, body: str, recipients: list[str]) -> int:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    return send_mail(subject, body, None, recipients)


def _claim(claim_id: int) -> Claim | None:
    return Claim.objects.select_related("article", "created_by").filter(pk=claim_id).first()


@task
def claim_submitted(claim_id: int) -> int:
    """Tell every reviewer (but the submitter) that a claim waits for review."""
    claim = _claim(claim_id)
    if claim is None:
        return 0
    reviewers = (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="review_claim")
        .exclude(pk=claim.submitted_by_id)
        .values_list("email", flat=True)
        .distinct()
    )
    body = (
        f"A claim waits for review in “{claim.article.title}”:\n\n"
        f"  {claim.statement}\n\n"
        f"Review it: {_link(reverse('desk:review', args=[claim.pk]))}\n"
    )
    return _send(f"[Fact-check desk] For review: {claim.statement[:80]}", body, list(reviewers))


def _to_author(claim: Claim, subject: str, body: str) -> int:
    author = claim.created_by
    return _send(subject, body, [author.email] if author else [])


@task
def changes_requested(claim_id: int) -> int:
    claim = _claim(claim_id)
    if claim is None:
        return 0
    event = claim.events.filter(kind="changes_requested").order_by("-created_at").first()
    comment = event.comment if event else ""
    body = (
        f"A reviewer asked for changes to your claim:\n\n  {claim.statement}\n\n"
        f"Their comment:\n{comment}\n\n"
        f"Open it: {_link(claim.get_absolute_url())}\n"
    )
    return _to_author(claim, f"[Fact-check desk] Changes requested: {claim.statement[:80]}", body)


@task
def claim_published(claim_id: int) -> int:
    claim = _claim(claim_id)
    if claim is None:
        return 0
    body = (
        f"Your claim was approved and published:\n\n  {claim.statement}\n\n"
        f"Open it: {_link(claim.get_absolute_url())}\n"
    )
    return _to_author(claim, f"[Fact-check desk] Published: {claim.statement[:80]}", body)
