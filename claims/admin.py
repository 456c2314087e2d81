from django.contrib import admin

from .models import Article, Claim, ClaimVersion, Rating, ReviewEvent, Source


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "value", "order", "colour"]
    list_editable = ["order"]
    search_fields = ["label", "description"]


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["statement", "status", "rating", "start", "end"]
    # Status moves only through the workflow (claims/workflow.py), which
    # enforces the four-eyes rule and writes the audit trail.
    readonly_fields = ["status", "start", "end"]
    extra = 0
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "language", "published_on", "created_by", "created_at"]
    list_filter = ["language", "outlet", "published_on"]
    search_fields = ["title", "outlet", "byline", "body"]
    readonly_fields = ["slug", "created_by", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ClaimInline]


class SourceInline(admin.StackedInline):
    model = Source
    extra = 0


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "claimant", "rating", "status", "updated_at"]
    list_filter = ["status", "rating", "article"]
    list_select_related = ["article", "rating"]
    search_fields = ["statement", "claimant", "exact", "ruling", "article__title"]
    readonly_fields = [
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "last_published_at",
        # The workflow's fields: changed only by its transitions.
        "status",
        "current_version",
        "slug",
        "submitted_at",
        "submitted_by",
        "reviewing_by",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]
    inlines = [SourceInline]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "stance", "claim", "published_on"]
    list_filter = ["stance", "publisher"]
    list_select_related = ["claim"]
    search_fields = ["title", "publisher", "url", "excerpt"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit trail and published versions can be read, never changed."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClaimVersion)
class ClaimVersionAdmin(ReadOnlyAdmin):
    list_display = ["claim", "number", "rating_label", "approved_by", "approved_at"]
    list_filter = ["rating_label", "correction_kind"]
    list_select_related = ["claim", "approved_by"]
    search_fields = ["statement", "claimant", "ruling"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "claim", "actor", "from_status", "to_status"]
    list_filter = ["kind", "to_status"]
    list_select_related = ["claim", "actor"]
    search_fields = ["comment", "claim__statement"]
    date_hierarchy = "created_at"
