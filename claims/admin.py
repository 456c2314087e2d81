"""The admin: users, roles and the rating scale are managed here; the desk's work is only read.

Claims, their sources and the article body change only through the desk's
services and workflow (claims/services.py, claims/workflow.py), which check
the optimistic lock, write the audit trail and enforce the four-eyes rule.
An admin form that saved them directly would publish text no reviewer saw.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget, AdminTextInputWidget
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Article, Claim, ClaimVersion, Rating, ReviewEvent, Source
from .scale_i18n import scale_language, translation_languages


def _translation_field_names(code: str) -> tuple[str, str]:
    return f"label_{code}", f"description_{code}"


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


class _RatingFormBase(forms.ModelForm):
    """The rating in the newsroom's language (label, description) and, next to it, a
    label and description for each other interface language, stored in the same row
    (``Rating.translations``). The admin's history records which of them changed."""

    class Meta:
        model = Rating
        fields = ["label", "description", "value", "order", "colour"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = {"language": _language_name(scale_language())}
        self.fields["label"].label = gettext("Label (%(language)s)") % own
        self.fields["description"].label = gettext("Description (%(language)s)") % own
        for name in ("label", "description"):
            self.fields[name].widget.attrs["lang"] = scale_language()
        stored = self.instance.translations if isinstance(self.instance.translations, dict) else {}
        for code, name in translation_languages():
            label_name, description_name = _translation_field_names(code)
            entry = stored.get(code) if isinstance(stored.get(code), dict) else {}
            self.initial.setdefault(label_name, entry.get("label", ""))
            self.initial.setdefault(description_name, entry.get("description", ""))
            self.fields[label_name].label = gettext("Label (%(language)s)") % {"language": name}
            self.fields[label_name].help_text = gettext(
                "Empty: readers in this language see the label above."
            )
            self.fields[description_name].label = gettext("Description (%(language)s)") % {
                "language": name
            }

    def clean(self):
        cleaned = super().clean()
        translations = {}
        for code, _name in translation_languages():
            label_name, description_name = _translation_field_names(code)
            label = (cleaned.get(label_name) or "").strip()
            description = (cleaned.get(description_name) or "").strip()
            if description and not label:
                self.add_error(label_name, gettext("A description in this language needs a label."))
            elif label:
                translations[code] = {"label": label, "description": description}
        self.instance.translations = translations
        return cleaned


def _rating_form() -> type[forms.ModelForm]:
    """The rating form, with one label and one description field per other language."""
    fields = {}
    for code, _name in translation_languages():
        label_name, description_name = _translation_field_names(code)
        # The admin's own widgets, sized as the newsroom's fields; `lang` for spell-checkers
        # and screen readers.
        fields[label_name] = forms.CharField(
            max_length=100, required=False, widget=AdminTextInputWidget(attrs={"lang": code})
        )
        fields[description_name] = forms.CharField(
            required=False, widget=AdminTextareaWidget(attrs={"lang": code})
        )
    return type("RatingForm", (_RatingFormBase,), fields)


RatingForm = _rating_form()


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    form = RatingForm
    list_display = ["label", "translated_labels", "value", "order", "colour"]
    list_editable = ["order"]
    search_fields = ["label", "description", "translations"]

    def get_fields(self, request, obj=None):
        others = [
            name
            for code, _name in translation_languages()
            for name in _translation_field_names(code)
        ]
        return ["label", "description", *others, "value", "order", "colour"]

    @admin.display(description=_("other languages"))
    def translated_labels(self, rating):
        labels = rating.translations if isinstance(rating.translations, dict) else {}
        return " · ".join(
            f"{code}: {entry.get('label', '')}"
            for code, entry in sorted(labels.items())
            if isinstance(entry, dict)
        )


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
