"""Notifications in the desk: the bell's notices, written with the event that causes them.

`notify()` is called inside the transaction of the change it reports (a
transition, an assignment, a note), so a rolled-back change leaves no notice,
and nobody is ever told about what they did themselves. Emails stay in
claims/notifications.py: the three workflow emails go out as before to whoever
has not turned email off; people who chose email "for every notification" also
get the other notices by email, one task per message, after the commit.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from . import notifications
from .models import (
    Claim,
    ClaimStatus,
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationSettings,
)
from .public.links import absolute
from .rendering import shorten

# Notices the workflow emails of claims/notifications.py already cover, for whom.
WORKFLOW_EMAIL_KINDS = {
    NotificationKind.SUBMITTED,
    NotificationKind.CHANGES_REQUESTED,
    NotificationKind.PUBLISHED,
}
NOTE_KINDS = {NotificationKind.MENTIONED, NotificationKind.REPLIED}
DEADLINE_WINDOW = dt.timedelta(hours=24)


def users_with(codename: str):
    """Active users holding a claims permission, through a group, directly, or as superuser."""
    return (
        get_user_model()
        .objects.filter(
            Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label="claims",
            )
            | Q(
                user_permissions__codename=codename,
                user_permissions__content_type__app_label="claims",
            )
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
    )


def reviewers():
    return users_with("review_claim")


def desk_users():
    return users_with("view_claim")


def assignable_users():
    """Who may be given a claim: desk users who can edit claims (editors, in practice)."""
    return users_with("change_claim").order_by("username")


def notify(kind: str, claim: Claim, actor, recipients, *, note=None, due_on=None) -> list:
    """Write one notice per recipient (never the actor, never twice) in the current transaction."""
    if notifications.is_muted():
        return []
    actor_id = getattr(actor, "pk", None)
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None} - {actor_id, None})
    if not ids:
        return []
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                claim_id=claim.pk,
                actor_id=actor_id,
                note=note,
                due_on=due_on,
                created_at=now,
            )
            for pk in ids
        ]
    )
    _email_later(created, claim)
    return created


def _email_later(created: list[Notification], claim: Claim) -> None:
    """Queue, for after the commit, the emails of those who want every notice by email."""
    wanting = set(
        NotificationSettings.objects.filter(
            user_id__in=[n.recipient_id for n in created], email=EmailChoice.ALL
        ).values_list("user_id", flat=True)
    )
    ids = [n.pk for n in created if n.recipient_id in wanting and not _has_workflow_email(n, claim)]
    # bulk_create returns primary keys on PostgreSQL and SQLite alike.
    if ids:
        transaction.on_commit(partial(email_notices.enqueue, ids))


def _has_workflow_email(notice: Notification, claim: Claim) -> bool:
    """Whether claims/notifications.py already emails this person about this event."""
    if notice.kind == NotificationKind.SUBMITTED:
        return True  # every reviewer gets the submission email
    if notice.kind in WORKFLOW_EMAIL_KINDS:
        return notice.recipient_id == claim.created_by_id  # the author gets the other two
    return False


def author_and_assignee(claim: Claim) -> list[int]:
    return [claim.created_by_id, claim.assignee_id]


# -- reading ----------------------------------------------------------------


def unread_count(user) -> int:
    """The bell's figure: one query on the partial index of unread notices."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notices_of(user):
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "claim")
        .only(
            "kind",
            "created_at",
            "read_at",
            "due_on",
            "note_id",
            "claim_id",
            "actor__username",
            "claim__statement",
            "claim__exact",
            "claim__article_id",
        )
        .order_by("-created_at", "-pk")
    )


def describe(notice: Notification) -> str:
    """The notice in a sentence, in the interface language."""
    values = {
        "who": notice.actor.get_username() if notice.actor else gettext("someone"),
        "claim": shorten(notice.claim.statement or notice.claim.exact, 90),
    }
    if notice.kind == NotificationKind.DEADLINE:
        values["date"] = notice.due_on.isoformat() if notice.due_on else ""
    texts = {
        NotificationKind.SUBMITTED: gettext("%(who)s submitted “%(claim)s” for review."),
        NotificationKind.CHANGES_REQUESTED: gettext("%(who)s requested changes to “%(claim)s”."),
        NotificationKind.PUBLISHED: gettext("%(who)s approved and published “%(claim)s”."),
        NotificationKind.ASSIGNED: gettext("%(who)s assigned “%(claim)s” to you."),
        NotificationKind.MENTIONED: gettext("%(who)s mentioned you in a note on “%(claim)s”."),
        NotificationKind.REPLIED: gettext("%(who)s replied to your note on “%(claim)s”."),
        NotificationKind.DEADLINE: gettext("“%(claim)s” is due on %(date)s."),
    }
    return texts.get(notice.kind, "%(claim)s") % values


def target_url(notice: Notification, user=None) -> str:
    """Where opening the notice leads: the claim in its article, at the note if there is one."""
    if notice.kind == NotificationKind.SUBMITTED:
        return reverse("desk:review", args=[notice.claim_id])
    url = reverse("desk:article", args=[notice.claim.article_id]) + f"?claim={notice.claim_id}"
    if notice.note_id and notice.kind in NOTE_KINDS:
        url += f"#note-{notice.note_id}"
    return url


# -- writing ------------------------------------------------------------------


def mark_read(notice_id: int, user) -> Notification | None:
    """The user's own notice, marked read (once: the first reading is kept)."""
    notice = notices_of(user).filter(pk=notice_id).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=notice.read_at
        )
    return notice


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def email_choice(user) -> str:
    found = NotificationSettings.objects.filter(user=user).values_list("email", flat=True).first()
    return found or EmailChoice.WORKFLOW


def set_email_choice(user, choice: str) -> None:
    NotificationSettings.objects.update_or_create(user=user, defaults={"email": choice})


def notify_deadlines(now=None) -> int:
    """Tell each open claim's assignee (else its author) that its due date is near.

    Near: due on or before the day 24 hours from now (overdue claims too). One
    notice per claim per deadline: a unique constraint holds it, so runs may
    overlap or repeat; a new due date is a new deadline. Returns how many were written.
    """
    now = now or timezone.now()
    limit = timezone.localdate(now + DEADLINE_WINDOW)
    already = Notification.objects.filter(
        kind=NotificationKind.DEADLINE, claim=OuterRef("pk"), due_on=OuterRef("due_on")
    )
    due = (
        Claim.objects.filter(due_on__isnull=False, due_on__lte=limit)
        .exclude(status__in=[ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN])
        .exclude(Exists(already))
        .select_related("assignee", "created_by")
        .only(
            "statement",
            "exact",
            "due_on",
            "created_by_id",
            "assignee_id",
            "assignee__is_active",
            "created_by__is_active",
        )
    )
    written = 0
    for claim in due:
        recipient = claim.assignee if claim.assignee_id else claim.created_by
        if recipient is None or not recipient.is_active:
            continue
        try:
            # A savepoint: a concurrent run may have written this deadline's notice first.
            with transaction.atomic():
                notice = Notification.objects.create(
                    recipient=recipient,
                    kind=NotificationKind.DEADLINE,
                    claim=claim,
                    due_on=claim.due_on,
                )
                _email_later([notice], claim)
        except IntegrityError:
            continue
        written += 1
    return written


@task
def email_notices(notice_ids: list[int]) -> int:
    """Email each notice to its recipient (who chose email for every notification)."""
    sent = 0
    notices = Notification.objects.select_related("recipient", "actor", "claim").filter(
        pk__in=notice_ids
    )
    for notice in notices:
        address = notice.recipient.email
        if not address:
            continue
        with notifications.newsroom_language():
            text = describe(notice)
            subject = gettext("[Fact-check desk] %(notice)s") % {"notice": text[:120]}
            body = gettext("%(notice)s\n\nOpen it: %(link)s\n") % {
                "notice": text,
                "link": absolute(target_url(notice)),
            }
        sent += notifications._send(subject, body, [address])
    return sent
