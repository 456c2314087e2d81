"""The claim panel's form state: build it from the database or from what was typed.

Adding, removing and reordering sources happen in the form, not in the
database: they re-render the panel with everything typed so far and nothing is
stored until **Save**, which writes the claim and its sources in one
optimistic-locked step (claims.services.save_claim).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.utils.translation import gettext

from ..forms import ClaimForm, SourceForm, SourceFormSet
from ..models import Claim
from ..services import SourceData

PREFIX = "sources"
CLAIM_FORM_FIELDS = [*ClaimForm.Meta.fields, "version"]
SOURCE_FORM_FIELDS = ["id", *SourceForm.Meta.fields]


@dataclass
class PanelForms:
    form: ClaimForm
    formset: SourceFormSet
    focus: str = ""


def forms_from_claim(claim: Claim) -> PanelForms:
    form = ClaimForm(instance=claim, initial={"version": claim.version})
    initial = [
        {"id": s.pk, **{name: getattr(s, name) for name in SourceForm.Meta.fields}}
        for s in claim.sources.all()
    ]
    return PanelForms(form, SourceFormSet(initial=initial, prefix=PREFIX))


def bound_forms(data, claim: Claim) -> PanelForms:
    # A copy: validating a ModelForm writes the typed values into its
    # instance, and the panel still shows `claim` as the stored version.
    return PanelForms(
        ClaimForm(data, instance=copy.copy(claim)), SourceFormSet(data, prefix=PREFIX)
    )


def _typed_rows(data) -> list[dict]:
    try:
        total = int(data.get(f"{PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    total = max(0, min(total, SourceFormSet.max_num))
    return [
        {name: data.get(f"{PREFIX}-{i}-{name}", "") for name in SOURCE_FORM_FIELDS}
        for i in range(total)
    ]


def rearranged_forms(data, claim: Claim, action: str) -> PanelForms:
    """Apply an add/remove/move action to what was typed, without validating or saving."""
    rows = _typed_rows(data)
    kind, _, raw_index = action.partition(":")
    # ASCII digits only: str.isdigit() also accepts '²', which int() refuses.
    small_number = raw_index.isascii() and raw_index.isdigit() and len(raw_index) < 6
    index = int(raw_index) if small_number else -1
    focus = ""
    if kind == "add_source" and len(rows) < SourceFormSet.max_num:
        rows.append({"stance": "context"})
        focus = f"id_{PREFIX}-{len(rows) - 1}-url"
    elif kind == "remove_source" and 0 <= index < len(rows):
        rows.pop(index)
        focus = "add-source"
    elif kind == "up" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
        focus = f"up-{index - 1}" if index - 1 > 0 else f"down-{index - 1}"
    elif kind == "down" and 0 <= index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
        focus = f"down-{index + 1}" if index + 1 < len(rows) - 1 else f"up-{index + 1}"
    initial = {name: data.get(name, "") for name in CLAIM_FORM_FIELDS}
    form = ClaimForm(instance=claim, initial=initial)
    return PanelForms(form, SourceFormSet(initial=rows, prefix=PREFIX), focus)


def sources_from_formset(formset) -> list[SourceData]:
    rows = []
    for source_form in formset.forms:
        fields = dict(source_form.cleaned_data)
        rows.append(SourceData(id=fields.pop("id", None), fields=fields))
    return rows


@dataclass(frozen=True)
class ErrorLink:
    """A line of the panel's error summary: what is wrong, linked to the field."""

    target: str  # the id of the field (or button) to go to
    text: str


def error_links(forms: PanelForms) -> list[ErrorLink]:
    """Every field error of a validated panel, in the order of the form."""
    links = []
    form, formset = forms.form, forms.formset
    if form.is_bound:
        for field in form.visible_fields():
            links += [ErrorLink(field.auto_id, f"{field.label}: {e}") for e in field.errors]
    if formset.is_bound:
        for number, source_form in enumerate(formset.forms, start=1):
            for field in source_form.visible_fields():
                links += [
                    ErrorLink(
                        field.auto_id,
                        gettext("Source %(number)s, %(field)s: %(error)s")
                        % {"number": number, "field": field.label, "error": e},
                    )
                    for e in field.errors
                ]
    return links


# Where each thing a submission lacks is filled in (workflow.missing_fields).
MISSING_TARGETS = {
    "statement": "id_statement",
    "claimant": "id_claimant",
    "rating": "id_rating",
    "ruling": "id_ruling",
    "sources": "add-source",
    "correction": "id_correction_kind",
}


def missing_links(missing: list[tuple[str, str]]) -> list[ErrorLink]:
    return [
        ErrorLink(MISSING_TARGETS[key], label[:1].upper() + label[1:]) for key, label in missing
    ]


def sources_open(forms: PanelForms) -> bool:
    """Whether the panel shows the sources unfolded: when there is something to do there."""
    formset = forms.formset
    if not formset.forms or forms.focus.startswith((f"id_{PREFIX}-", "up-", "down-")):
        return True
    return formset.is_bound and formset.total_error_count() > 0
