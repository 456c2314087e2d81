"""The rating scale as the public pages use it: labels, slugs, colours.

The scale is read with the publication stamp (``freshness``), in the same
query, so a page never needs a query of its own for it. Colours are the
newsroom's, editable in the admin; the strict CSP forbids inline styles, so
each verdict becomes a CSS class in a small stylesheet served from the same
origin (``stylesheet()``), whose address changes with the scale.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property

from django.utils.text import slugify

from .. import scale_i18n
from ..colours import ink_on

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FALLBACK_COLOUR = "#4b5563"


def canonical_translations(value) -> str:
    """Rating.translations as read by a raw query: JSON text (SQLite, Django's
    PostgreSQL connection) or already decoded (a plain psycopg connection), as one
    canonical text, so that equal translations give equal stamps."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            value = {}
    if not isinstance(value, dict):
        value = {}
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class PublicRating:
    pk: int
    label: str
    description: str
    value: int | None
    colour: str
    order: int
    slug: str  # from the newsroom's label: one address per verdict in every language
    # Rating.translations as canonical JSON text: a frozen value, in the fingerprint.
    translations: str = "{}"

    @property
    def css_class(self) -> str:
        return f"v-{self.pk}"

    @property
    def shown(self) -> scale_i18n.Shown:
        """Label and description in the active interface language, or the newsroom's."""
        return self.shown_in(None)

    def shown_in(self, language: str | None) -> scale_i18n.Shown:
        return scale_i18n.shown(
            self.label, self.description, json.loads(self.translations), language
        )


@dataclass(frozen=True)
class Scale:
    """The ratings in scale order, with what ClaimReview needs about the ordinal ones."""

    ratings: tuple[PublicRating, ...]

    @classmethod
    def from_rows(cls, rows) -> Scale:
        """Rows of (pk, label, description, value, colour, order, translations), in scale
        order; translations as ``canonical_translations`` gives them."""
        taken: set[str] = set()
        ratings = []
        for pk, label, description, value, colour, order, *translations in rows:
            slug = slugify(label) or f"verdict-{pk}"
            if slug in taken:
                slug = f"{slug}-{pk}"
            taken.add(slug)
            ratings.append(
                PublicRating(
                    pk=int(pk),
                    label=label,
                    description=description or "",
                    value=value,
                    colour=colour if _HEX_COLOUR.fullmatch(colour or "") else _FALLBACK_COLOUR,
                    order=order,
                    slug=slug,
                    translations=translations[0] if translations else "{}",
                )
            )
        return cls(tuple(ratings))

    @cached_property
    def by_pk(self) -> dict[int, PublicRating]:
        return {r.pk: r for r in self.ratings}

    @cached_property
    def by_slug(self) -> dict[str, PublicRating]:
        return {r.slug: r for r in self.ratings}

    @cached_property
    def best(self) -> int | None:
        values = [r.value for r in self.ratings if r.value is not None]
        return max(values) if values else None

    @cached_property
    def worst(self) -> int | None:
        values = [r.value for r in self.ratings if r.value is not None]
        return min(values) if values else None

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever a label, description (in any language), value, colour or the
        order changes."""
        text = repr(self.ratings).encode("utf-8")
        return hashlib.blake2b(text, digest_size=6).hexdigest()

    @cached_property
    def stylesheet(self) -> str:
        """One class per verdict: its colour and a text colour readable on it."""
        rules = [
            f".{r.css_class}{{--verdict:{r.colour};--verdict-ink:{ink_on(r.colour)}}}"
            for r in self.ratings
        ]
        return "/* The rating scale's colours (generated). */\n" + "\n".join(rules) + "\n"
