"""Internal notes on a claim, with replies one level deep, and @mentions.

Notes are never public and never exported: the public site and every
machine-readable output read published versions only (tests/test_public_leaks.py
plants a note to prove it). A note's text is stored as typed and always
escaped when shown; line breaks are kept by the stylesheet (white-space).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext

from . import inbox
from .models import Claim, Note, NotificationKind
from .permissions import can_edit_claims, can_review, can_use_desk
from .services import ClaimError, ClaimGoneError

NOTE_MAX_CHARS = Note._meta.get_field("body").max_length
# "@name" where Django usernames allow letters, digits and @ . + - _; not inside
# an address ("ana@example.org" mentions nobody).
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")


def can_write_notes(user) -> bool:
    return can_use_desk(user) and (can_edit_claims(user) or can_review(user))


def mentioned_users(body: str) -> list:
    """Active desk users named with @ in `body`; unknown names are just text.

    A mention may end a sentence ("ask @reviewer."): trailing dots and hyphens,
    which usernames may contain but rarely end with, are tried without.
    """
    names = set()
    for name in MENTION.findall(body):
        names.update({name, name.rstrip(".-")})
    if not names:
        return []
    return list(inbox.desk_users().filter(username__in=names))


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ClaimError(gettext("Write the note first: it is empty."))
    if len(body) > NOTE_MAX_CHARS:
        raise ClaimError(
            gettext("A note is at most %(max)s characters; this one has %(count)s.")
            % {"max": NOTE_MAX_CHARS, "count": len(body)}
        )
    return body


@transaction.atomic
def add_note(claim_id: int, user, body: str, *, parent_id: int | None = None) -> Note:
    """Write a note (or a reply to `parent_id`) and notify whoever it mentions or answers."""
    if not can_write_notes(user):
        raise ClaimError(gettext("Your role cannot write notes."))
    body = clean_body(body)
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise ClaimGoneError()
    parent = None
    if parent_id is not None:
        parent = Note.objects.filter(pk=parent_id, claim=claim).first()
        if parent is None:
            raise ClaimError(gettext("The note you answered no longer exists."))
        # One level of replies: an answer to a reply joins its thread.
        if parent.parent_id:
            parent = parent.parent
    note = Note.objects.create(claim=claim, parent=parent, author=user, body=body)
    mentioned = mentioned_users(body)
    inbox.notify(NotificationKind.MENTIONED, claim, user, mentioned, note=note)
    if parent is not None and parent.author_id not in {u.pk for u in mentioned}:
        inbox.notify(NotificationKind.REPLIED, claim, user, [parent.author_id], note=note)
    return note
