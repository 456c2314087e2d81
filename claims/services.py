"""Writes to the domain: every change to articles, claims and sources goes through here.

Views stay thin and call these functions; they raise domain exceptions with a
message meant for the person on the screen, never an HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from . import audit, revisions
from .anchoring import Anchor
from .models import AnchorStatus, Article, Claim, EventKind, ReviewEvent, Source
from .segments import sentence_spans

CLAIM_FIELDS = ("statement", "claimant", "claimant_kind", "claim_date", "rating", "ruling")
# Only offered (and saved) once a claim has been published: the note that
# will accompany the next version.
CORRECTION_FIELDS = ("correction_kind", "correction_text")
SOURCE_FIELDS = (
    "url",
    "title",
    "publisher",
    "published_on",
    "accessed_on",
    "excerpt",
    "stance",
    "archive_url",
)
SOURCE_DATE_FIELDS = ("published_on", "accessed_on")


class ClaimError(Exception):
    """A change the desk refuses, with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleClaimError(ClaimError):
    """Someone saved the claim after this person opened it."""

    def __init__(self, current: Claim):
        if current.updated_by:
            message = gettext(
                "%(who)s saved this claim after you opened it (now version %(version)s). "
                "Their version is shown below; your changes are still in the form. "
                "Press Save again to replace theirs with yours."
            ) % {"who": current.updated_by.get_username(), "version": current.version}
        else:
            message = gettext(
                "someone else saved this claim after you opened it (now version %(version)s). "
                "Their version is shown below; your changes are still in the form. "
                "Press Save again to replace theirs with yours."
            ) % {"version": current.version}
        super().__init__(message)
        self.current = current


class ClaimGoneError(ClaimError):
    def __init__(self):
        super().__init__(gettext("This claim no longer exists; it may have been deleted."))


@dataclass
class SourceData:
    """A source row as submitted: `id` is None for a new source."""

    id: int | None
    fields: dict


def create_article(user, **fields) -> Article:
    article = Article(created_by=user, **fields)
    article.sentences = sentence_spans(article.body, article.language)
    for attempt in range(5):
        article.assign_unique_slug(random_suffix=attempt > 0)
        try:
            # A savepoint: another article may take the same slug between the
            # check and the insert; then pick again rather than fail.
            with transaction.atomic():
                article.save()
                revisions.record_first_revision(article, user)
            return article
        except IntegrityError:
            if attempt == 4:
                raise
    return article


@transaction.atomic
def create_claim(article: Article, user, anchor: Anchor) -> Claim:
    # The article's row lock serialises numbering: two editors creating claims
    # at once get consecutive numbers, not the same one.
    Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
    claim = Claim(article=article, created_by=user, updated_by=user)
    claim.number = Claim.objects.next_number(article.pk)
    claim.set_anchor(anchor)
    claim.save()
    ReviewEvent.objects.create(
        claim=claim,
        actor=user,
        kind=EventKind.CREATED,
        to_status=claim.status,
        changes={"quote": [None, anchor.exact]},
    )
    return claim


def _locked_claim(claim_id: int, expected_version: int) -> Claim:
    """Fetch the claim for a write, refusing when it is gone, frozen or newer than expected."""
    # No joins in the locking query: when it waits for another transaction,
    # PostgreSQL re-reads the locked row but not the joined ones, which would
    # then describe the old state (who saved last, which verdict).
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise ClaimGoneError()
    if not claim.is_editable:
        raise ClaimError(
            gettext("This claim is %(status)s and cannot be edited now.")
            % {"status": str(claim.get_status_display()).lower()}
        )
    if claim.version != expected_version:
        raise StaleClaimError(claim)
    return claim


@transaction.atomic
def save_claim(
    claim_id: int, expected_version: int, user, fields: dict, sources: list[SourceData]
) -> Claim:
    """Save the claim's verdict fields and its whole list of sources in one step.

    The row lock plus the version check make concurrent saves end in exactly
    one winner; the loser gets StaleClaimError and keeps what they typed.
    The audit event records what changed, computed from the rows in hand.
    """
    claim = _locked_claim(claim_id, expected_version)
    existing = list(claim.sources.all())
    before = audit.claim_state(claim, existing)
    for name in (*CLAIM_FIELDS, *CORRECTION_FIELDS):
        if name in fields:
            value = fields[name]
            setattr(claim, name, "" if value is None and name not in NULLABLE else value)
    _save_edit(claim, user)
    final = _sync_sources(claim, existing, sources)
    # Every field of the claim and of each source, old and new: the four-eyes
    # rule counts whoever changed any of them.
    changes = audit.diff(before, audit.claim_state(claim, final))
    if changes:
        _record_edit(claim, user, EventKind.EDITED, changes)
    return claim


def _save_edit(claim: Claim, user) -> None:
    """Write an edit of a locked claim: one version more, saved by `user`."""
    claim.version = F("version") + 1
    claim.updated_by = user
    claim.save()
    claim.refresh_from_db(fields=["version", "updated_at"])


def _record_edit(claim: Claim, user, kind: str, changes: dict) -> None:
    """The audit row of an edit: who changed what (the status does not move)."""
    ReviewEvent.objects.create(
        claim=claim,
        actor=user,
        kind=kind,
        from_status=claim.status,
        to_status=claim.status,
        changes=changes,
    )


NULLABLE = {"claim_date", "rating"}


def _sync_sources(claim: Claim, existing: list[Source], sources: list[SourceData]):
    """Make the claim's sources exactly `sources`, in order; returns them."""
    by_id = {s.pk: s for s in existing}
    kept, to_update, to_create, final = set(), [], [], []
    for order, row in enumerate(sources):
        source = by_id.get(row.id) if row.id is not None else None
        if source is None:
            source = Source(claim=claim)
            to_create.append(source)
        else:
            kept.add(source.pk)
            to_update.append(source)
        for name in SOURCE_FIELDS:
            value = row.fields.get(name)
            if value is None and name not in SOURCE_DATE_FIELDS:
                value = ""
            setattr(source, name, value)
        source.order = order
        final.append(source)
    removed = set(by_id) - kept
    if removed:
        Source.objects.filter(claim=claim, pk__in=removed).delete()
    if to_update:
        Source.objects.bulk_update(to_update, [*SOURCE_FIELDS, "order"])
    if to_create:
        Source.objects.bulk_create(to_create)
    return final


@transaction.atomic
def move_claim_anchor(claim_id: int, expected_version: int, user, anchor: Anchor) -> Claim:
    """Put the highlight on `anchor`: a person's choice, so the position is certain again.

    After a revision this is how an orphan is re-attached, or a candidate to
    check replaced by the right words (status confirmed).
    """
    claim = _locked_claim(claim_id, expected_version)
    before = audit.claim_fields_state(claim)
    claim.set_anchor(anchor)
    claim.anchor_status = (
        AnchorStatus.PLACED if claim.position_is_certain else AnchorStatus.CONFIRMED
    )
    claim.checked_exact = ""
    _save_edit(claim, user)
    _record_edit(
        claim, user, EventKind.ANCHOR_MOVED, audit.diff(before, audit.claim_fields_state(claim))
    )
    return claim


@transaction.atomic
def confirm_claim_anchor(claim_id: int, expected_version: int, user) -> Claim:
    """Accept the candidate re-anchoring found after a revision (status needs_check).

    A highlight move like any other: audited as ANCHOR_MOVED, from the words as
    checked to the words now highlighted, so the person confirming counts as a
    contributor under the four-eyes rule.
    """
    claim = _locked_claim(claim_id, expected_version)
    if claim.anchor_status != AnchorStatus.NEEDS_CHECK:
        raise ClaimError(gettext("This claim's highlight has nothing to confirm."))
    changes = {"quote": [claim.checked_exact or claim.exact, claim.exact]}
    claim.anchor_status = AnchorStatus.CONFIRMED
    claim.checked_exact = ""
    _save_edit(claim, user)
    _record_edit(claim, user, EventKind.ANCHOR_MOVED, changes)
    return claim


@transaction.atomic
def delete_claim(claim_id: int, user) -> None:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise ClaimGoneError()
    if not claim.can_be_deleted:
        raise ClaimError(
            gettext("A claim that has been published or is in review cannot be deleted.")
        )
    # The claim goes; its history stays (ReviewEvent.claim is SET_NULL), closed
    # by an event that keeps what was deleted.
    ReviewEvent.objects.create(
        claim=claim,
        actor=user,
        kind=EventKind.DELETED,
        from_status=claim.status,
        snapshot=deletion_snapshot(claim),
    )
    claim.delete()


def deletion_snapshot(claim: Claim) -> dict:
    """What a deleted claim was: its state, its anchor and its article."""
    article = claim.article
    return {
        **audit.claim_state(claim, claim.sources.all()),
        "label": str(claim),
        "status": claim.status,
        "number": claim.number,
        "version": claim.version,
        "anchor": {
            "start": claim.start,
            "end": claim.end,
            "exact": claim.exact,
            "prefix": claim.prefix,
            "suffix": claim.suffix,
        },
        "article": {"id": article.pk, "title": article.title, "slug": article.slug},
        "created_by": claim.created_by_id,
        "created_at": claim.created_at.isoformat(),
    }
