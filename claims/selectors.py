"""Reads for the desk screens, each a fixed number of queries whatever the data size."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from .models import Article, Claim, ClaimStatus, ReviewEvent, Source


def desk_articles():
    return Article.objects.annotate(
        claim_count=Count("claims"),
        draft_count=Count("claims", filter=Q(claims__status=ClaimStatus.DRAFT)),
    ).select_related("created_by")


def claims_of_user(user, limit: int = 20):
    return (
        Claim.objects.filter(Q(created_by=user) | Q(updated_by=user))
        .select_related("article", "rating")
        .order_by("-updated_at")[:limit]
    )


def claims_in_text_order(article: Article):
    """The article's claims as the sidebar lists them: by position in the text."""
    return (
        Claim.objects.filter(article=article)
        .select_related("rating")
        .only(
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
        )
        .annotate(source_count=Count("sources"))
        .order_by("start", "end", "pk")
    )


def claim_for_panel(claim_id: int):
    return (
        Claim.objects.select_related(
            "article", "rating", "created_by", "updated_by", "submitted_by", "reviewing_by"
        )
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("order", "pk")),
            # The panel's timeline needs what changed, not the whole claim at each step.
            Prefetch("events", queryset=timeline_events().defer("snapshot")),
        )
        .filter(pk=claim_id)
        .first()
    )


def review_queue():
    """Claims waiting for review, oldest submission first."""
    return (
        Claim.objects.filter(status=ClaimStatus.IN_REVIEW)
        .select_related("article", "rating", "created_by", "submitted_by", "reviewing_by")
        .only(
            "statement",
            "exact",
            "submitted_at",
            "status",
            "last_published_at",
            "article__title",
            "article__language",
            "rating__label",
            "created_by__username",
            "submitted_by__username",
            "reviewing_by__username",
        )
        .order_by("submitted_at", "pk")
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
        )
        .prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("order", "pk")),
            Prefetch("events", queryset=timeline_events()),
        )
        .filter(pk=claim_id)
        .first()
    )


def timeline_events():
    return ReviewEvent.objects.select_related("actor").order_by("created_at", "pk")
