"""The rating scale in several languages: which words a reader, or a machine, gets.

The scale is written in the newsroom's language (``NEWSROOM_LANGUAGE``):
``Rating.label`` and ``Rating.description`` are its source of truth, and
``Rating.translations`` holds the same step in the site's other interface
languages, ``{"en": {"label": "True", "description": "…"}}``, on the same row.
A published version freezes the labels of every language at approval
(``ClaimVersion.rating_label`` and ``rating_label_translations``).

Whatever has no translation in the language asked for is shown in the
newsroom's language, and says so: every ``Shown`` carries the language its
words are really in, for their ``lang`` attribute and ClaimReview's
``inLanguage``.

Pure functions over plain data: no query, no request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation


def scale_language() -> str:
    """The language the scale is written in (BCP 47), the fallback of every translation."""
    return getattr(settings, "NEWSROOM_LANGUAGE", "fr")


def primary(tag: str | None) -> str:
    """The primary language of a BCP 47 tag ("en" for "en-GB"), lower case."""
    return (tag or "").split("-")[0].lower()


def translation_languages() -> list[tuple[str, str]]:
    """(code, name) of the interface languages the scale can be translated into."""
    own = primary(scale_language())
    return [(code, name) for code, name in settings.LANGUAGES if primary(code) != own]


def pick(translations: Mapping, wanted: str | None) -> str | None:
    """The key of `translations` for the language `wanted`: the same tag, else the same
    primary language ("en-GB" finds "en", "en" finds "en-US"); None when there is none."""
    if not wanted or not isinstance(translations, Mapping):
        return None
    tags = {str(tag).lower(): tag for tag in translations}
    if wanted.lower() in tags:
        return tags[wanted.lower()]
    return next((tag for low, tag in sorted(tags.items()) if primary(low) == primary(wanted)), None)


def is_own_language(wanted: str | None) -> bool:
    return primary(wanted) == primary(scale_language())


@dataclass(frozen=True)
class Shown:
    """A verdict's words as shown in one language, with the language they are in."""

    label: str
    lang: str
    description: str = ""
    description_lang: str = ""


def shown(
    label: str, description: str, translations: Mapping | None, wanted: str | None = None
) -> Shown:
    """A rating in the language `wanted` (default: the active interface language).

    `translations` is ``{language: {"label": …, "description": …}}``. A label
    missing in that language falls back to the newsroom's, and so does a
    description on its own (a translated label with no translated text yet).
    """
    own = scale_language()
    wanted = wanted or translation.get_language() or own
    found = None if is_own_language(wanted) else pick(translations or {}, wanted)
    entry = (translations or {}).get(found) if found else None
    if not isinstance(entry, Mapping) or not str(entry.get("label") or "").strip():
        return Shown(label, own, description, own)
    text = str(entry.get("description") or "").strip()
    if text:
        return Shown(str(entry["label"]), found, text, found)
    return Shown(str(entry["label"]), found, description, own)


def shown_label(label: str, translations: Mapping | None, wanted: str | None = None) -> Shown:
    """A frozen label in the language `wanted`; `translations` is ``{language: label}``."""
    own = scale_language()
    wanted = wanted or translation.get_language() or own
    found = None if is_own_language(wanted) else pick(translations or {}, wanted)
    value = str((translations or {}).get(found) or "").strip() if found else ""
    return Shown(value, found) if value else Shown(label, own)


def review_language(article_language: str, label: Shown) -> str:
    """ClaimReview's ``inLanguage``: the article's, when the verdict label is in it, else
    the label's own (the newsroom's, when the scale has no translation for the article)."""
    if primary(article_language) == primary(label.lang):
        return article_language
    return label.lang


def frozen_labels(rating) -> dict[str, str]:
    """The labels of a rating in every translated language, as an approval freezes them."""
    translations = rating.translations if isinstance(rating.translations, Mapping) else {}
    return {
        str(lang): str(entry["label"]).strip()
        for lang, entry in sorted(translations.items())
        if isinstance(entry, Mapping) and str(entry.get("label") or "").strip()
    }
