"""Forms of the desk. Labels are the accessible names DESIGN §7 fixes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Article, Claim, Source
from .public.jsonld import CLAIM_REVIEWED_CHARS, claim_reviewed_is_long
from .text import MAX_BODY_CHARS, TextImportError, canonicalize, check_body_length, import_upload
from .validators import web_url_validator

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class DeskFormMixin:
    """Labels exactly as DESIGN §7 names them: no trailing colon in accessible names."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _as_text_unless(context: dict, valid) -> dict:
    """Show a value its input type does not allow (a date typed where the browser has
    no date picker, a malformed address) in a text input: HTML allows only valid
    values there and a browser would blank a bad date out, losing what was typed."""
    value = context["widget"]["value"]
    if value and not valid(str(value)):
        context["widget"]["type"] = "text"
    return context


def _is_iso_date(value: str) -> bool:
    try:
        return len(value) == 10 and dt.date.fromisoformat(value) is not None
    except ValueError:
        return False


def _is_web_url(value: str) -> bool:
    try:
        web_url_validator(value)
    except ValidationError:
        return False
    return True


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def get_context(self, name, value, attrs):
        return _as_text_unless(super().get_context(name, value, attrs), _is_iso_date)


class URLInput(forms.URLInput):
    def get_context(self, name, value, attrs):
        return _as_text_unless(super().get_context(name, value, attrs), _is_web_url)


class ArticleFetchForm(DeskFormMixin, forms.Form):
    """The address to fetch an article from; its own form so that a refusal can be marked
    on it while the article's fields are shown as typed."""

    article_url = forms.CharField(
        label=_("Article URL"),
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
        help_text=_(
            "Fetch article fills the fields below from the page, for you to check. "
            "Nothing is saved until you press Load article."
        ),
    )

    def clean_article_url(self):
        url = self.cleaned_data["article_url"].strip()
        if not url:
            raise forms.ValidationError(_("Type the article's address to fetch it."))
        if "://" not in url:
            url = f"https://{url}"  # what a browser's address bar would do
        web_url_validator(url)
        return url


# What an uploaded HTML page may fill in when the editor left the field empty.
UPLOAD_FILLS = ("title", "byline", "outlet", "published_on")


class ArticleForm(DeskFormMixin, forms.ModelForm):
    both_given = None  # the file's name, when a file and pasted text came together
    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Paste the article body, or upload a file below."),
    )
    upload = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_(".txt, .md or .html, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.html,.htm"}),
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "outlet",
            "byline",
            "url",
            "language",
            "published_on",
            "image_caption",
            "image_credit",
        ]
        labels = {
            "title": _("Title"),
            "outlet": _("Outlet"),
            "byline": _("Byline"),
            "url": _("Original URL"),
            "language": _("Language"),
            "published_on": _("Publication date"),
            "image_caption": _("Image caption"),
            "image_credit": _("Image credit"),
        }
        widgets = {"published_on": DateInput(), "url": URLInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.files.get("upload"):
            # An uploaded page can bring its own title; required is checked after it is read.
            self.fields["title"].required = False

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        if url:
            web_url_validator(url)
        return url

    def clean(self):
        cleaned = super().clean()
        self._clean_body(cleaned)
        if not cleaned.get("title") and "title" not in self.errors:
            self.add_error("title", self.fields["title"].error_messages["required"])
        return cleaned

    def _clean_body(self, cleaned):
        upload = cleaned.get("upload")
        raw_text = cleaned.get("text") or ""
        body = ""
        if upload and raw_text.strip():
            # Neither wins silently. The file input cannot be filled in again
            # by the server, so the message names the file; the text stays.
            self.both_given = upload.name or ""
            self.add_error(
                "upload",
                _(
                    "Choose a file or paste the text, not both: pressing Load article again "
                    "loads the pasted text; to load the file instead, empty Text and choose "
                    "the file again."
                ),
            )
            return cleaned
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("upload", _("The file is larger than 2 MB."))
                return cleaned
            try:
                body, metadata = import_upload(upload.read(), upload.name or "")
            except TextImportError as error:
                self.add_error("upload", str(error))
                return cleaned
            for name in UPLOAD_FILLS:
                if not cleaned.get(name) and metadata.get(name) and name not in self.errors:
                    cleaned[name] = metadata[name]
        elif raw_text.strip():
            body = canonicalize(raw_text)
            try:
                check_body_length(body)
            except TextImportError as error:
                self.add_error("text", str(error))
                return cleaned
        if not body:
            self.add_error("text", _("Paste the article text here, or upload a file."))
        cleaned["body"] = body
        return cleaned

    def save(self, commit=True):
        raise NotImplementedError("use claims.services.create_article")


STATEMENT_WARNING_ID = "statement-length-warning"


class ClaimForm(DeskFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @property
    def statement_warning(self) -> str:
        """A warning, not a refusal, when the claim is longer than aggregators show."""
        value = self["statement"].value() or ""
        if not claim_reviewed_is_long(str(value)):
            return ""
        return _(
            "Fact-check search engines show about %(limit)s characters of the claim; "
            "this one has %(count)s. A shorter sentence reads better there."
        ) % {"limit": CLAIM_REVIEWED_CHARS, "count": len(" ".join(str(value).split()))}

    class Meta:
        model = Claim
        fields = [
            "statement",
            "claimant",
            "claimant_kind",
            "claim_date",
            "rating",
            "ruling",
            "correction_kind",
            "correction_text",
        ]
        labels = {
            "correction_kind": _("Kind of note"),
            "correction_text": _("Correction note"),
            "statement": _("Claim"),
            "claimant": _("Claimant"),
            "claimant_kind": _("Person or organisation?"),
            "claim_date": _("Date of the claim"),
            "rating": _("Verdict"),
            "ruling": _("Ruling"),
        }
        help_texts = {
            "statement": _("The claim as checked, in one sentence."),
            "claimant": _("Who made the claim: a person or an organisation."),
            "claimant_kind": _("Search engines and fact-check aggregators are told which."),
            "correction_text": _("Readers see it, dated, above the verdict of the new version."),
        }
        widgets = {
            "claim_date": DateInput(),
            "ruling": forms.Textarea(attrs={"rows": 6}),
            "statement": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.statement_warning:
            # Read with the field: its help text, then the warning.
            self.fields["statement"].widget.attrs["aria-describedby"] = (
                f"{self['statement'].auto_id}_helptext {STATEMENT_WARNING_ID}"
            )
        self.fields["rating"].empty_label = _("No verdict yet")
        self.fields["claimant_kind"].choices = [
            ("", _("Not stated")),
            *self.fields["claimant_kind"].choices[1:],
        ]
        if self.instance.last_published_at is None:
            # A correction note belongs to updates of a published verdict only.
            del self.fields["correction_kind"]
            del self.fields["correction_text"]
        else:
            self.fields["correction_kind"].widget = forms.RadioSelect(
                choices=self.fields["correction_kind"].choices[1:]
            )
            self.fields["correction_text"].widget = forms.Textarea(attrs={"rows": 3})


class SourceForm(DeskFormMixin, forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Source
        fields = [
            "url",
            "title",
            "publisher",
            "published_on",
            "accessed_on",
            "stance",
            "excerpt",
            "archive_url",
        ]
        labels = {
            "url": _("URL"),
            "title": _("Title"),
            "publisher": _("Publisher"),
            "published_on": _("Publication date"),
            "accessed_on": _("Date accessed"),
            "stance": _("Stance"),
            "excerpt": _("Excerpt"),
            "archive_url": _("Archived copy URL"),
        }
        widgets = {
            "url": URLInput(),
            "archive_url": URLInput(),
            "published_on": DateInput(),
            "accessed_on": DateInput(),
            "excerpt": forms.Textarea(attrs={"rows": 2}),
        }


class BaseSourceFormSet(forms.BaseFormSet):
    """Every submitted source row is validated, including newly added ones.

    Django lets "extra" forms (beyond INITIAL_FORMS) stay blank; here a row
    exists only because someone pressed Add source, so a blank one is an
    error to show, not a row to skip or to store empty.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form


SourceFormSet = forms.formset_factory(
    SourceForm,
    formset=BaseSourceFormSet,
    extra=0,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)

__all__ = [
    "ArticleFetchForm",
    "ArticleForm",
    "ClaimForm",
    "SourceForm",
    "SourceFormSet",
    "MAX_BODY_CHARS",
]


# -- shared work: assignment, due dates, notes, email choice -----------------------------


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_username()


class OwnershipForm(DeskFormMixin, forms.Form):
    """Who does the work on a claim and by when (claims.ownership.set_ownership)."""

    assignee = AssigneeField(
        queryset=None, required=False, label=_("Assignee"), empty_label=_("Nobody")
    )
    due_on = forms.DateField(required=False, label=_("Due date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        from .inbox import assignable_users

        # Its own ids: the article's due date is on the same screen.
        kwargs.setdefault("auto_id", "ownership_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()


class ArticleDueForm(DeskFormMixin, forms.Form):
    due_on = forms.DateField(required=False, label=_("Article due date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "article_%s")
        super().__init__(*args, **kwargs)


class EmailChoiceForm(DeskFormMixin, forms.Form):
    email = forms.ChoiceField(label=_("Email me"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        from .models import EmailChoice

        super().__init__(*args, **kwargs)
        self.fields["email"].choices = EmailChoice.choices


class ArticleTextForm(DeskFormMixin, forms.Form):
    """Edit text: the body as a new revision, with why, and the body it was started from."""

    text = forms.CharField(
        label=_("Article text"),
        strip=False,
        # Length is checked on the canonical text by the service; this bounds the request.
        max_length=MAX_BODY_CHARS * 2,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        help_text=_("Paragraphs are separated by a blank line. Highlights follow the text."),
    )
    note = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=500,
        help_text=_("For the history: what changed and why, e.g. “Typo fixed by the outlet”."),
    )
    base_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
