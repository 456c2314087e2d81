"""The review workflow: the one place that knows which transition is allowed to whom.

    draft ──submit──▶ in_review ──approve──▶ published ──withdraw──▶ withdrawn
      ▲                  │                      │
      │          request changes                │ start an update
      └── changes_requested ◀┘                  ▼
                                         draft (readers keep the last published version)

Each transition is a function that locks the claim's row, checks the state and
the person, changes the claim, writes an audit event and schedules the
notifications for after the commit. The screens ask `available_actions()`,
so a button is shown exactly when the server would accept it; the server
checks again on every request.

Concurrency: every transition takes the claim's row lock (SELECT … FOR UPDATE)
before reading its status, so two reviewers approving at once serialise; the
second one finds the claim already published and gets a TransitionError.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import audit, inbox, notifications, revisions
from .models import (
    CONTENT_CHANGE_KINDS,
    Claim,
    ClaimStatus,
    ClaimVersion,
    CorrectionKind,
    EventKind,
    ReviewEvent,
)
from .permissions import can_edit_claims, can_review
from .scale_i18n import frozen_labels

SUBMIT = "submit"
APPROVE = "approve"
REQUEST_CHANGES = "request_changes"
START_UPDATE = "start_update"
WITHDRAW = "withdraw"
TAKE_REVIEW = "take_review"
RELEASE_REVIEW = "release_review"

ACTION_LABELS = {
    SUBMIT: _("Submit for review"),
    APPROVE: _("Approve and publish"),
    REQUEST_CHANGES: _("Request changes"),
    START_UPDATE: _("Start an update"),
    WITHDRAW: _("Withdraw"),
    TAKE_REVIEW: _("Take review"),
    RELEASE_REVIEW: _("Release"),
}


class TransitionError(Exception):
    """A refused transition, with a message for the person and an HTTP-ish kind."""

    def __init__(self, message: str, *, forbidden: bool = False):
        super().__init__(message)
        self.message = message
        self.forbidden = forbidden


# -- questions the screens ask ------------------------------------------------


def contributors(claim: Claim) -> set[int]:
    """Ids of the people who may not approve this claim (the four-eyes rule).

    Its creator, always; and whoever changed its claim, verdict, ruling,
    sources or highlight since its last publication (or ever, if never
    published), as the audit trail records it.
    """
    people = {claim.created_by_id} if claim.created_by_id else set()
    events = ReviewEvent.objects.filter(claim=claim, kind__in=CONTENT_CHANGE_KINDS)
    if claim.last_published_at:
        events = events.filter(created_at__gt=claim.last_published_at)
    people.update(a for a in events.values_list("actor_id", flat=True) if a)
    return people


def approval_refusal(user, claim: Claim, people: set[int] | None = None) -> str:
    """Why `user` may not approve `claim` now, or "" if they may."""
    return _approval_check(user, claim, people)[0]


def _approval_check(user, claim: Claim, people: set[int] | None = None) -> tuple[str, bool]:
    """(why `user` may not approve `claim`, or ""; whether that is a matter of rights)."""
    if not can_review(user):
        return gettext("Only reviewers can approve and publish."), True
    if claim.status != ClaimStatus.IN_REVIEW:
        return _not_in_review(claim), False
    if not claim.position_is_certain:
        # Readers would get a highlight nobody has checked on the revised text.
        return (
            gettext(
                "The article's text changed under this claim: its highlight must be "
                "confirmed or moved before it can be approved."
            ),
            False,
        )
    people = contributors(claim) if people is None else people
    if user.pk in people:
        return (
            gettext(
                "You wrote or changed this claim since its last publication: a second person "
                "must approve it (four-eyes rule)."
            ),
            True,
        )
    return "", False


def _status(claim: Claim) -> str:
    """The claim's status in a sentence ("This claim is published")."""
    return str(claim.get_status_display()).lower()


def _not_in_review(claim: Claim) -> str:
    return gettext("This claim is %(status)s, not in review.") % {"status": _status(claim)}


def available_actions(user, claim: Claim, people: set[int] | None = None) -> list[str]:
    """The transitions `user` may take on `claim` now, in the order the screen shows them."""
    actions = []
    if claim.status in (ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED):
        if can_edit_claims(user):
            actions.append(SUBMIT)
    elif claim.status == ClaimStatus.IN_REVIEW:
        # DESIGN §2: neither decision is taken on one's own work.
        if can_review(user) and not approval_refusal(user, claim, people):
            if not claim.reviewing_by_id:
                actions.append(TAKE_REVIEW)
            actions.extend([APPROVE, REQUEST_CHANGES])
        if claim.reviewing_by_id and claim.reviewing_by_id == user.pk and can_review(user):
            actions.append(RELEASE_REVIEW)
    elif claim.status == ClaimStatus.PUBLISHED:
        if can_edit_claims(user):
            actions.append(START_UPDATE)
        if can_review(user):
            actions.append(WITHDRAW)
    return actions


# The review actions after which "what changed" on the review screen is counted.
SEEN_KINDS = (EventKind.CHANGES_REQUESTED, EventKind.REVIEW_TAKEN, EventKind.REVIEW_RELEASED)


def review_baseline(events: list[ReviewEvent], user) -> ReviewEvent | None:
    """The event whose snapshot the review screen compares the claim with, or None.

    Since the last publication: the reviewer's own last review action (they
    saw the claim then), else the last request for changes by anyone (the
    editor answered it). Otherwise there is nothing to compare with but the
    published version, which the screen shows on its own, or nothing at all
    for a first review. Read from the audit trail, so opening the screen
    writes nothing.
    """
    published = [i for i, e in enumerate(events) if e.kind == EventKind.APPROVED]
    recent = [e for e in events[published[-1] + 1 if published else 0 :] if e.snapshot]
    own = [e for e in recent if e.kind in SEEN_KINDS and e.actor_id == user.pk]
    if own:
        return own[-1]
    requests = [e for e in recent if e.kind == EventKind.CHANGES_REQUESTED]
    return requests[-1] if requests else None


def missing_for_submission(claim: Claim) -> list[str]:
    """What a claim lacks before it can go to review, named as the screen names it."""
    return [label for _key, label in missing_fields(claim)]


def missing_fields(claim: Claim) -> list[tuple[str, str]]:
    """The same, each with the key of what to fill in (the panel links to its field)."""
    missing = []
    if not claim.statement.strip():
        missing.append(("statement", gettext("the claim")))
    if not claim.claimant.strip():
        missing.append(("claimant", gettext("the claimant")))
    if claim.rating_id is None:
        missing.append(("rating", gettext("a verdict")))
    if not claim.ruling.strip():
        missing.append(("ruling", gettext("a ruling")))
    if not claim.sources.exists():
        missing.append(("sources", gettext("at least one source")))
    if claim.last_published_at and not (claim.correction_kind and claim.correction_text.strip()):
        missing.append(
            (
                "correction",
                gettext("a correction note (an update of a published verdict needs one)"),
            )
        )
    return missing


# -- transitions --------------------------------------------------------------


def _lock(claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update(of=("self",)).filter(pk=claim_id).first()
    if claim is None:
        raise TransitionError(gettext("This claim no longer exists."))
    return claim


def _move(claim: Claim, user, kind: str, to_status: str, comment: str = "", **fields) -> None:
    from_status = claim.status
    claim.status = to_status
    for name, value in fields.items():
        setattr(claim, name, value)
    claim.version = F("version") + 1
    claim.save()
    claim.refresh_from_db()
    _record(claim, user, kind, from_status, comment)


def _record(claim: Claim, user, kind: str, from_status: str, comment: str = "") -> None:
    """The transition's audit row, with the claim as it stands: what the actor saw."""
    ReviewEvent.objects.create(
        claim=claim,
        actor=user,
        kind=kind,
        from_status=from_status,
        to_status=claim.status,
        comment=comment,
        snapshot=audit.claim_state(claim, claim.sources.order_by("order", "pk")),
    )


def _joined(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    # Translators: the end of a list, "the claim, a verdict and a ruling".
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


@transaction.atomic
def submit(claim_id: int, user) -> Claim:
    claim = _lock(claim_id)
    if not can_edit_claims(user):
        raise TransitionError(gettext("Your role cannot submit claims."), forbidden=True)
    if claim.status not in (ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED):
        raise TransitionError(
            gettext("This claim is %(status)s; only a draft can be submitted.")
            % {"status": _status(claim)}
        )
    if not claim.position_is_certain:
        # A reviewer could not approve it anyway (_approval_check): say so now, to its editor.
        raise TransitionError(
            gettext(
                "The article's text changed under this claim: confirm its highlight, or "
                "select the right words and press Move highlight to selection, before "
                "submitting."
            )
        )
    missing = missing_for_submission(claim)
    if missing:
        raise TransitionError(
            gettext("Before submitting, add %(missing)s.") % {"missing": _joined(missing)}
        )
    _move(
        claim,
        user,
        EventKind.SUBMITTED,
        ClaimStatus.IN_REVIEW,
        submitted_at=timezone.now(),
        submitted_by=user,
        reviewing_by=None,
    )
    notifications.after_commit(notifications.claim_submitted, claim.pk)
    inbox.notify(
        inbox.NotificationKind.SUBMITTED,
        claim,
        user,
        inbox.reviewers().values_list("pk", flat=True),
    )
    return claim


def _lock_for_review(claim_id: int, user, not_a_reviewer: str) -> Claim:
    """The claim, locked, when `user` may act on it as its reviewer: a reviewer, the
    claim in review, and the four-eyes rule met (what approving needs, too)."""
    claim = _lock(claim_id)
    if not can_review(user):
        raise TransitionError(not_a_reviewer, forbidden=True)
    if claim.status != ClaimStatus.IN_REVIEW:
        raise TransitionError(_not_in_review(claim))
    refusal, forbidden = _approval_check(user, claim)
    if refusal:
        raise TransitionError(refusal, forbidden=forbidden)
    return claim


@transaction.atomic
def start_review(claim_id: int, user) -> Claim:
    """Take review: editors and other reviewers see who is reviewing the claim.

    A courtesy between reviewers, not a lock: approving does not require it.
    It does not bump the version, so a review screen opened by someone else
    stays valid.
    """
    claim = _lock_for_review(claim_id, user, gettext("Only reviewers can take a review."))
    if claim.reviewing_by_id:
        if claim.reviewing_by_id == user.pk:
            raise TransitionError(gettext("You are already reviewing this claim."))
        raise TransitionError(
            gettext("%(who)s is already reviewing this claim.")
            % {"who": claim.reviewing_by.get_username()}
        )
    Claim.objects.filter(pk=claim.pk).update(reviewing_by=user)
    claim.reviewing_by = user
    _record(claim, user, EventKind.REVIEW_TAKEN, claim.status)
    return claim


@transaction.atomic
def release_review(claim_id: int, user) -> Claim:
    """Release: the reviewer who took the review gives it back to the queue."""
    claim = _lock(claim_id)
    if not can_review(user):
        raise TransitionError(gettext("Only reviewers can release a review."), forbidden=True)
    if claim.status != ClaimStatus.IN_REVIEW:
        raise TransitionError(_not_in_review(claim))
    if claim.reviewing_by_id != user.pk:
        raise TransitionError(gettext("You are not reviewing this claim."))
    Claim.objects.filter(pk=claim.pk).update(reviewing_by=None)
    claim.reviewing_by = None
    _record(claim, user, EventKind.REVIEW_RELEASED, claim.status)
    return claim


@transaction.atomic
def approve(claim_id: int, user, *, expected_version: int | None = None) -> ClaimVersion:
    claim = _lock(claim_id)
    if claim.status == ClaimStatus.PUBLISHED and claim.current_version_id:
        approver = claim.current_version.approved_by
        if approver:
            message = gettext("%(who)s has already approved and published this claim.") % {
                "who": approver.get_username()
            }
        else:
            message = gettext("someone else has already approved and published this claim.")
        raise TransitionError(message)
    refusal, forbidden = _approval_check(user, claim)
    if refusal:
        raise TransitionError(refusal, forbidden=forbidden)
    if expected_version is not None and claim.version != expected_version:
        raise TransitionError(
            gettext("The claim changed while you were reviewing it; reload the review screen.")
        )
    now = timezone.now()
    number = claim.versions.count() + 1
    version = ClaimVersion.objects.create(
        claim=claim,
        number=number,
        statement=claim.statement,
        claimant=claim.claimant,
        claimant_kind=claim.claimant_kind,
        claim_date=claim.claim_date,
        rating=claim.rating,
        rating_label=claim.rating.label,
        rating_label_translations=frozen_labels(claim.rating),
        rating_value=claim.rating.value,
        ruling=claim.ruling,
        exact=claim.exact,
        start=claim.start,
        end=claim.end,
        revision=revisions.latest_revision(claim.article),
        sources=[s.snapshot() for s in claim.sources.all()],
        approved_by=user,
        approved_at=now,
        correction_kind=claim.correction_kind if number > 1 else "",
        correction_text=claim.correction_text if number > 1 else "",
    )
    _reserve_public_slug(claim)
    revisions.place_published(claim, version)
    _move(
        claim,
        user,
        EventKind.APPROVED,
        ClaimStatus.PUBLISHED,
        last_published_at=now,
        first_published_at=claim.first_published_at or now,
        current_version=version,
        reviewing_by=None,
        correction_kind="",
        correction_text="",
    )
    notifications.after_commit(notifications.claim_published, claim.pk)
    inbox.notify(inbox.NotificationKind.PUBLISHED, claim, user, inbox.author_and_assignee(claim))
    return version


def _reserve_public_slug(claim: Claim) -> None:
    """Give the claim its public slug, even if another claim takes the same one meanwhile.

    Two claims with the same statement approved at the same moment would both
    find the slug free; the unique index refuses the second, which then
    retries (inside a savepoint, so the approval's transaction survives).
    """
    for attempt in range(5):
        if claim.slug:
            return
        claim.assign_public_slug(random_suffix=attempt > 0)
        try:
            with transaction.atomic():
                Claim.objects.filter(pk=claim.pk).update(slug=claim.slug)
            return
        except IntegrityError:
            claim.slug = None
    raise TransitionError(gettext("Could not give this fact-check an address; try again."))


@transaction.atomic
def request_changes(claim_id: int, user, comment: str) -> Claim:
    claim = _lock_for_review(claim_id, user, gettext("Only reviewers can request changes."))
    comment = (comment or "").strip()
    if not comment:
        raise TransitionError(gettext("Write a comment: say what needs to change."))
    _move(
        claim,
        user,
        EventKind.CHANGES_REQUESTED,
        ClaimStatus.CHANGES_REQUESTED,
        comment,
        reviewing_by=None,
    )
    notifications.after_commit(notifications.changes_requested, claim.pk)
    inbox.notify(
        inbox.NotificationKind.CHANGES_REQUESTED, claim, user, inbox.author_and_assignee(claim)
    )
    return claim


@transaction.atomic
def start_update(claim_id: int, user) -> Claim:
    claim = _lock(claim_id)
    if not can_edit_claims(user):
        raise TransitionError(gettext("Your role cannot edit claims."), forbidden=True)
    if claim.status != ClaimStatus.PUBLISHED:
        raise TransitionError(gettext("Only a published claim can be updated."))
    _move(
        claim,
        user,
        EventKind.UPDATE_STARTED,
        ClaimStatus.DRAFT,
        correction_kind=CorrectionKind.UPDATE,
    )
    return claim


@transaction.atomic
def withdraw(claim_id: int, user, reason: str) -> Claim:
    claim = _lock(claim_id)
    if not can_review(user):
        raise TransitionError(gettext("Only reviewers can withdraw a fact-check."), forbidden=True)
    if claim.status != ClaimStatus.PUBLISHED:
        raise TransitionError(gettext("Only a published fact-check can be withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(gettext("Write the reason for withdrawing: readers will see it."))
    _move(
        claim,
        user,
        EventKind.WITHDRAWN,
        ClaimStatus.WITHDRAWN,
        reason,
        withdrawn_at=timezone.now(),
        withdrawn_by=user,
        withdrawn_reason=reason,
    )
    return claim
