"""Who does the work on a claim, and by when: assignment and due dates.

Ownership is not content: it bumps no version (an editor's open form stays
valid), leaves `updated_by` alone and does not make anyone a contributor for
the four-eyes rule. It is on record all the same: a claim's assignment and due
date as an ASSIGNED event with old → new in `changes`; an article's due date in
Django's admin log (LogEntry), the article's history in the admin, since an
article has no audit trail of its own and its claims' timelines are about them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext

from . import inbox
from .models import Article, Claim, EventKind, NotificationKind, ReviewEvent
from .permissions import can_edit_claims, can_review, can_use_desk
from .services import ClaimError, ClaimGoneError


def can_assign(user) -> bool:
    """Editors and reviewers share out the work."""
    return can_use_desk(user) and (can_edit_claims(user) or can_review(user))


def can_be_assigned(user) -> bool:
    return user is not None and can_use_desk(user) and can_edit_claims(user)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def set_ownership(claim_id: int, user, *, assignee, due_on: dt.date | None) -> Claim:
    """Give the claim to `assignee` (None: nobody) and set its due date (None: none).

    One audited event records whatever changed; nothing changed writes nothing.
    The new assignee is notified (unless they assigned themself).
    """
    if not can_assign(user):
        raise ClaimError(gettext("Your role cannot assign claims."))
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise ClaimGoneError()
    if assignee is not None and not can_be_assigned(assignee):
        raise ClaimError(
            gettext(
                "%(who)s cannot be assigned claims: only active desk users who can edit claims can."
            )
            % {"who": assignee.get_username()}
        )
    changes = {}
    if claim.assignee_id != (assignee.pk if assignee else None):
        before = claim.assignee.get_username() if claim.assignee_id else None
        changes["assignee"] = [before, assignee.get_username() if assignee else None]
    if claim.due_on != due_on:
        changes["due date"] = [_iso(claim.due_on), _iso(due_on)]
    if not changes:
        return claim
    Claim.objects.filter(pk=claim.pk).update(assignee=assignee, due_on=due_on)
    claim.assignee, claim.due_on = assignee, due_on
    ReviewEvent.objects.create(
        claim=claim,
        actor=user,
        kind=EventKind.ASSIGNED,
        from_status=claim.status,
        to_status=claim.status,
        changes=changes,
    )
    if "assignee" in changes and assignee is not None:
        inbox.notify(NotificationKind.ASSIGNED, claim, user, [assignee])
    return claim


@transaction.atomic
def set_article_due(article_id: int, user, due_on: dt.date | None) -> Article:
    if not can_assign(user):
        raise ClaimError(gettext("Your role cannot set due dates."))
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise ClaimError(gettext("This article no longer exists."))
    if article.due_on == due_on:
        return article
    before = article.due_on
    Article.objects.filter(pk=article.pk).update(due_on=due_on)
    article.due_on = due_on
    # Plain text, old → new: LogEntry's structured form would keep only the field's name.
    LogEntry.objects.log_actions(
        user.pk,
        [article],
        CHANGE,
        change_message=f"due date: {_iso(before) or '—'} → {_iso(due_on) or '—'}",
        single_object=True,
    )
    return article
