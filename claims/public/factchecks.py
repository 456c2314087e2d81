"""What the public pages show of a fact-check, built from its published version only.

``FactCheck`` is a plain, frozen value: templates, the JSON-LD, the Web
Annotations and the feed all read the same one, so what the page says and
what the machine-readable output says cannot drift apart. The claim's id is
kept for the one query that needs it (its correction notes) and never
rendered: public pages identify fact-checks by slug only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from .. import scale_i18n
from ..models import ClaimStatus, CorrectionKind, Stance
from ..rendering import shorten
from ..revision_anchoring import normalized
from . import conf

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class PublicArticle:
    slug: str
    title: str
    outlet: str
    byline: str
    url: str
    language: str
    published_on: dt.date | None

    @property
    def path(self) -> str:
        return reverse("public:article", args=[self.slug])

    @classmethod
    def from_model(cls, article) -> PublicArticle:
        return cls(
            slug=article.slug,
            title=article.title,
            outlet=article.outlet,
            byline=article.byline,
            url=_web_url(article.url),
            language=article.language,
            published_on=article.published_on,
        )


@dataclass(frozen=True)
class Source:
    url: str
    title: str
    publisher: str
    published_on: dt.date | None
    accessed_on: dt.date | None
    excerpt: str
    stance: str
    stance_label: str
    archive_url: str


@dataclass(frozen=True)
class FactCheck:
    claim_id: int  # for queries only; never rendered
    slug: str
    version_number: int
    statement: str
    claimant: str
    claimant_kind: str  # "person", "organisation" or "" (not recorded)
    claim_date: dt.date | None
    rating_id: int
    rating_label: str  # as approved, in the newsroom's language
    rating_value: int | None
    ruling: str
    # Where the checked quote is in the article's current text: the claim's
    # readers' position (``Claim.public_start/end``), never the version's own
    # offsets, which point into the text it was approved on. None when a
    # revision changed or removed the passage (``passage_changed_at`` says when).
    start: int | None
    end: int | None
    exact: str  # the quote as checked
    passage_changed_at: dt.datetime | None
    sources: tuple[Source, ...]
    first_published_at: dt.datetime
    updated_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str
    article: PublicArticle = field(repr=False)
    # The label in other languages as approved, ((language, label), ...): frozen
    # (ClaimVersion.rating_label_translations).
    rating_label_translations: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return reverse("public:fact_check", args=[self.slug])

    @property
    def verdict(self) -> scale_i18n.Shown:
        """The approved label in the active interface language (or the newsroom's)."""
        return self.verdict_in(None)

    def verdict_in(self, language: str | None) -> scale_i18n.Shown:
        return scale_i18n.shown_label(
            self.rating_label, dict(self.rating_label_translations), language
        )

    @property
    def machine_verdict(self) -> scale_i18n.Shown:
        """The label machines read (ClaimReview, annotations, feed, card): in the
        fact-check's own language, the article's, when the scale has it."""
        return self.verdict_in(self.article.language)

    @property
    def anchor_id(self) -> str:
        """The id of its highlight in the article page."""
        return f"fc-{self.slug}"

    @property
    def place_in_article(self) -> str:
        return f"{self.article.path}#{self.anchor_id}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_updated(self) -> bool:
        return self.version_number > 1

    @property
    def passage_changed(self) -> bool:
        """The article's text was revised under the checked quote: readers get no highlight."""
        return self.start is None

    def position_in(self, body: str) -> tuple[int, int] | None:
        """Where to highlight the checked quote in `body`, or None if it is not there.

        The readers' position is trusted only when the text there still is
        the quote that was checked, modulo whitespace and quote style (what a
        ``kept`` or ``moved`` re-anchoring allows): a body changed without a
        revision (which re-anchors) must not put a verdict on other words.
        """
        start, end = self.start, self.end
        if start is None or end is None or not 0 <= start < end <= len(body):
            return None
        here = body[start:end]
        if here != self.exact and normalized(here) != normalized(self.exact):
            return None
        return start, end

    @property
    def summary(self) -> str:
        """The ruling's first paragraph, shortened: what the highlight panel shows."""
        first = _PARAGRAPH_BREAK.split(self.ruling.strip(), maxsplit=1)[0]
        return _shorten_words(" ".join(first.split()), conf.SUMMARY_CHARS)


@dataclass(frozen=True)
class CorrectionNote:
    number: int
    kind: str
    text: str
    date: dt.datetime
    slug: str
    statement: str
    language: str

    is_withdrawal = False

    @property
    def kind_label(self):
        if self.kind == CorrectionKind.CORRECTION:
            return gettext("Correction")
        return gettext("Update")

    @property
    def path(self) -> str:
        return reverse("public:fact_check", args=[self.slug])


@dataclass(frozen=True)
class Withdrawal:
    slug: str
    statement: str
    date: dt.datetime
    text: str
    language: str

    is_withdrawal = True
    kind = "withdrawn"
    kind_label = gettext_lazy("Withdrawn")

    @property
    def path(self) -> str:
        return reverse("public:fact_check", args=[self.slug])


def fact_check_from_claim(claim) -> FactCheck:
    """From a claim loaded by ``selectors`` (its current version and article joined)."""
    version = claim.current_version
    withdrawn = claim.status == ClaimStatus.WITHDRAWN
    return FactCheck(
        claim_id=claim.pk,
        slug=claim.slug,
        version_number=version.number,
        statement=version.statement,
        claimant=version.claimant,
        claimant_kind=version.claimant_kind,
        claim_date=version.claim_date,
        rating_id=version.rating_id,
        rating_label=version.rating_label,
        rating_label_translations=_label_translations(version.rating_label_translations),
        rating_value=version.rating_value,
        ruling=version.ruling,
        start=claim.public_start,
        end=claim.public_end,
        exact=version.exact,
        passage_changed_at=claim.public_changed_at,
        sources=tuple(_source(s) for s in version.sources if isinstance(s, dict)),
        first_published_at=getattr(claim, "first_published_at", None) or version.approved_at,
        updated_at=version.approved_at,
        # A claim marked withdrawn without a date (the admin) is still withdrawn.
        withdrawn_at=(claim.withdrawn_at or version.approved_at) if withdrawn else None,
        withdrawn_reason=claim.withdrawn_reason if withdrawn else "",
        article=PublicArticle.from_model(claim.article),
    )


def _label_translations(value) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in value.items() if isinstance(v, str) and v))


def _source(data: dict) -> Source:
    stance = str(data.get("stance") or "")
    return Source(
        url=_web_url(data.get("url")),
        title=str(data.get("title") or data.get("url") or ""),
        publisher=str(data.get("publisher") or ""),
        published_on=_date(data.get("published_on")),
        accessed_on=_date(data.get("accessed_on")),
        excerpt=str(data.get("excerpt") or ""),
        stance=stance if stance in Stance.values else "",
        stance_label=_STANCES.get(stance, ""),
        archive_url=_web_url(data.get("archive_url")),
    )


_STANCES = {
    Stance.SUPPORTS: gettext_lazy("Supports the claim"),
    Stance.REFUTES: gettext_lazy("Refutes the claim"),
    Stance.CONTEXT: gettext_lazy("Gives context"),
}


def _web_url(value) -> str:
    """Only http(s) links reach a page; anything else (never stored, but) is dropped."""
    value = str(value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _shorten_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return shorten(cut.rstrip(" ,;:") + "…", limit)
