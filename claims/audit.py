"""What the audit trail records about a claim, and how a change reads on the screen.

A claim's *state* is everything a reviewer judges: the claim as checked, its
claimant, date, verdict, ruling, correction note, highlight, and every field of
every source, in order. Edits store the difference between two states as
`ReviewEvent.changes`::

    {"ruling": [old, new], "verdict": ["Faux", "Trompeur"], ...,
     "sources": {"added": [source, ...], "removed": [source, ...],
                 "changed": [{"id": 3, "title": "…", "fields": {"excerpt": [old, new]}}],
                 "order": [[titles before], [titles after]]}}

Transitions store the whole state (`ReviewEvent.snapshot`), so the review
screen can show what changed since a reviewer last acted, field by field.
Events written before this module recorded less (a list of source titles
under "sources"); `change_rows` reads both shapes.

Pure functions over plain data: no query, no request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ClaimantKind, CorrectionKind, Stance

# The claim's own fields, as the audit trail names them, in screen order.
CLAIM_LABELS = {
    "claim": _("Claim"),
    "claimant": _("Claimant"),
    "claimant kind": _("Kind of claimant"),
    "date": _("Date of the claim"),
    "verdict": _("Verdict"),
    "ruling": _("Ruling"),
    "correction kind": _("Kind of correction note"),
    "correction note": _("Correction note"),
    "quote": _("Highlighted passage"),
    "position": _("Position in the text"),
}
# Who does the work and by when (claims/ownership.py): not part of the claim's state.
OWNERSHIP_LABELS = {
    "assignee": _("Assignee"),
    "due date": _("Due date"),
}
SOURCE_LABELS = {
    "url": _("URL"),
    "title": _("title"),
    "publisher": _("publisher"),
    "published_on": _("publication date"),
    "accessed_on": _("date accessed"),
    "excerpt": _("excerpt"),
    "stance": _("stance"),
    "archive_url": _("archived copy URL"),
}
CHOICES = {
    "claimant kind": ClaimantKind,
    "correction kind": CorrectionKind,
    "stance": Stance,
}


def _iso(value):
    return value.isoformat() if value else None


def source_state(source) -> dict:
    return {
        "id": source.pk,
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published_on": _iso(source.published_on),
        "accessed_on": _iso(source.accessed_on),
        "excerpt": source.excerpt,
        "stance": source.stance,
        "archive_url": source.archive_url,
    }


def claim_fields_state(claim) -> dict:
    """The claim's own fields (no sources): what a highlight move can change, among others."""
    return {
        "claim": claim.statement,
        "claimant": claim.claimant,
        "claimant kind": claim.claimant_kind,
        "date": _iso(claim.claim_date),
        "verdict": claim.rating.label if claim.rating_id else None,
        "ruling": claim.ruling,
        "correction kind": claim.correction_kind,
        "correction note": claim.correction_text,
        "quote": claim.exact,
        "position": [claim.start, claim.end],
    }


def claim_state(claim, sources) -> dict:
    """Everything a reviewer judges, sources in order."""
    return {**claim_fields_state(claim), "sources": [source_state(s) for s in sources]}


def diff(before: dict, after: dict) -> dict:
    """The changes from one state to another, in the shape `ReviewEvent.changes` stores."""
    changes = {
        key: [before.get(key), after.get(key)]
        for key in CLAIM_LABELS
        if key in after and before.get(key) != after.get(key)
    }
    if "sources" in before and "sources" in after:
        sources = _source_changes(before["sources"], after["sources"])
        if sources:
            changes["sources"] = sources
    return changes


def _source_changes(before: list[dict], after: list[dict]) -> dict:
    old = {s["id"]: s for s in before}
    new = {s["id"]: s for s in after}
    changed = []
    for source in after:
        if source["id"] in old:
            was = old[source["id"]]
            fields = {
                name: [was.get(name), source.get(name)]
                for name in SOURCE_LABELS
                if was.get(name) != source.get(name)
            }
            if fields:
                changed.append({"id": source["id"], "title": source["title"], "fields": fields})
    result = {
        "added": [s for s in after if s["id"] not in old],
        "removed": [s for s in before if s["id"] not in new],
        "changed": changed,
    }
    kept_before = [s["id"] for s in before if s["id"] in new]
    kept_after = [s["id"] for s in after if s["id"] in old]
    if kept_before != kept_after:
        result["order"] = [[s["title"] for s in before], [s["title"] for s in after]]
    return {k: v for k, v in result.items() if v}


# -- reading changes ----------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if name in CHOICES:
        try:
            return str(CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if name == "position" and isinstance(value, list) and len(value) == 2:
        return f"{value[0]}–{value[1]}"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def source_summary(source: dict) -> str:
    """A source on a few lines, every field that has a value."""
    facts = [
        source.get("publisher") or "",
        gettext("published %(date)s") % {"date": source["published_on"]}
        if source.get("published_on")
        else "",
        gettext("accessed %(date)s") % {"date": source["accessed_on"]}
        if source.get("accessed_on")
        else "",
        _shown("stance", source.get("stance")),
    ]
    lines = [
        source.get("title") or "",
        source.get("url") or "",
        " · ".join(f for f in facts if f),
        gettext("archived copy: %(url)s") % {"url": source["archive_url"]}
        if source.get("archive_url")
        else "",
        source.get("excerpt") or "",
    ]
    return "\n".join(line for line in lines if line)


def _source_rows(sources: dict) -> list[ChangeRow]:
    rows = [
        ChangeRow(gettext("Source added"), "", source_summary(s)) for s in sources.get("added", [])
    ]
    rows += [
        ChangeRow(gettext("Source removed"), source_summary(s), "")
        for s in sources.get("removed", [])
    ]
    for source in sources.get("changed", []):
        for name, (before, after) in source["fields"].items():
            label = gettext("Source “%(title)s”: %(field)s") % {
                "title": source["title"],
                "field": SOURCE_LABELS.get(name, name),
            }
            rows.append(ChangeRow(label, _shown(name, before), _shown(name, after)))
    if "order" in sources:
        before, after = sources["order"]
        rows.append(ChangeRow(gettext("Order of sources"), "\n".join(before), "\n".join(after)))
    return rows


def change_rows(changes: dict) -> list[ChangeRow]:
    """Every recorded change as (what, old value, new value), in screen order."""
    rows = []
    for key in [*CLAIM_LABELS, *(k for k in changes if k not in CLAIM_LABELS)]:
        if key not in changes:
            continue
        value = changes[key]
        if key == "sources" and isinstance(value, dict):
            rows.extend(_source_rows(value))
            continue
        label = CLAIM_LABELS.get(key) or OWNERSHIP_LABELS.get(key)
        label = str(label or (gettext("Sources") if key == "sources" else key))
        if isinstance(value, list) and len(value) == 2:
            rows.append(ChangeRow(label, _shown(key, value[0]), _shown(key, value[1])))
    return rows
