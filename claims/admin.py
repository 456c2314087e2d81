"""The admin: users, roles and the rating scale are managed here; the desk's work is only read.

Claims, their sources and the article body change only through the desk's
services and workflow (claims/services.py, claims/workflow.py), which check
the optimistic lock, write the audit trail and enforce the four-eyes rule.
An admin form that saved them directly would publish text no reviewer saw.
"""

from django.contrib import admin

from .models import Article, Claim, ClaimVersion, Rating, ReviewEvent, Source


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "value", "order", "colour"]
    list_editable = ["order"]
    search_fields = ["label", "description"]


class ReadOnlyMixin:
    """Can be read, never added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ClaimInline(ReadOnlyMixin, admin.TabularInline):
    model = Claim
    fields = ["statement", "status", "rating", "start", "end"]
    extra = 0
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "language", "published_on", "created_by", "created_at"]
    list_filter = ["language", "outlet", "published_on"]
    search_fields = ["title", "outlet", "byline", "body"]
    # Claims point into the body by offset: an edit here would silently shift
    # every highlight. Articles are loaded on the desk (Load article), which
    # stores canonical text and its sentences.
    readonly_fields = ["body", "slug", "created_by", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ClaimInline]

    def has_add_permission(self, request):
        return False


class SourceInline(ReadOnlyMixin, admin.StackedInline):
    model = Source
    extra = 0


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "article", "claimant", "rating", "status", "updated_at"]
    list_filter = ["status", "rating", "article"]
    list_select_related = ["article", "rating"]
    search_fields = ["statement", "claimant", "exact", "ruling", "article__title"]
    inlines = [SourceInline]


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ["title", "publisher", "stance", "claim", "published_on"]
    list_filter = ["stance", "publisher"]
    list_select_related = ["claim"]
    search_fields = ["title", "publisher", "url", "excerpt"]


@admin.register(ClaimVersion)
class ClaimVersionAdmin(ReadOnlyAdmin):
    list_display = ["claim", "number", "rating_label", "approved_by", "approved_at"]
    list_filter = ["rating_label", "correction_kind"]
    list_select_related = ["claim", "approved_by"]
    search_fields = ["statement", "claimant", "ruling"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    """The audit trail, deleted claims' events included (their claim is empty, claim id kept)."""

    list_display = ["created_at", "kind", "claim_ref", "claim", "actor", "from_status", "to_status"]
    list_filter = ["kind", "to_status"]
    list_select_related = ["claim", "actor"]
    search_fields = ["comment", "claim__statement", "=claim_ref"]
    date_hierarchy = "created_at"
