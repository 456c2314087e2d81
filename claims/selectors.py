"""Reads for the desk screens, each a fixed number of queries whatever the data size."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from .models import (
    UNCERTAIN_ANCHOR_STATUSES,
    Article,
    Claim,
    ClaimStatus,
    Note,
    ReviewEvent,
    Source,
)

_NOT_WITHDRAWN = [s for s in ClaimStatus.values if s != ClaimStatus.WITHDRAWN]


def changed_since_publication(prefix: str = "") -> Q:
    """`Claim.changed_since_publication` as a filter; `prefix` reaches claims from another model."""
    return (
        Q(**{f"{prefix}current_version__isnull": False})
        & Q(**{f"{prefix}status__in": _NOT_WITHDRAWN})
        & (
            Q(**{f"{prefix}public_start__isnull": True})
            | Q(**{f"{prefix}anchor_status__in": sorted(UNCERTAIN_ANCHOR_STATUSES)})
        )
    )


def claims_in_text_order(article: Article):
    """The article's claims as the sidebar lists them: by position in the text."""
    return (
        Claim.objects.filter(article=article)
        .select_related("rating")
        .only(
            "number",
            "start",
            "end",
            "exact",
            "statement",
            "status",
            "version",
            "anchor_status",
            "checked_exact",
            "current_version",
            "public_start",
            "rating__label",
            "rating__colour",
            "rating__translations",
        )
        .annotate(source_count=Count("sources"))
        .order_by("start", "end", "pk")
    )


def claim_for_panel(claim_id: int):
    return (
        Claim.objects.select_related(
            "article",
            "rating",
            "created_by",
            "updated_by",
            "submitted_by",
            "reviewing_by",
            "assignee",
        )
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("order", "pk")),
            # The panel's timeline needs what changed, not the whole claim at each step.
            Prefetch("events", queryset=timeline_events().defer("snapshot")),
            *note_threads(),
        )
        .filter(pk=claim_id)
        .first()
    )


def review_queue_count() -> int:
    return Claim.objects.filter(status=ClaimStatus.IN_REVIEW).count()


def claim_for_review(claim_id: int):
    return (
        Claim.objects.select_related(
            "article",
            "rating",
            "created_by",
            "updated_by",
            "submitted_by",
            "reviewing_by",
            "current_version",
            "current_version__approved_by",
            "assignee",
        )
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("order", "pk")),
            Prefetch("events", queryset=timeline_events()),
            *note_threads(),
        )
        .filter(pk=claim_id)
        .first()
    )


def timeline_events():
    return ReviewEvent.objects.select_related("actor").order_by("created_at", "pk")


def note_threads():
    """The claim's notes as threads (`claim.threads`, each with `thread_replies`): two queries,
    however many notes there are."""
    ordered = Note.objects.select_related("author").order_by("created_at", "pk")
    return [
        Prefetch(
            "notes",
            queryset=ordered.filter(parent=None).prefetch_related(
                Prefetch("replies", queryset=ordered, to_attr="thread_replies")
            ),
            to_attr="threads",
        )
    ]
