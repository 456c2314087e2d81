"""Reads for the public pages: published versions only, a fixed number of queries each.

Every query starts from ``Claim.current_version``: what a reviewer approved
last. The claim's own fields (the editors' working copy) are never loaded,
except the public ones: its slug, its article, whether and why it was
withdrawn, and where readers see its checked quote in the article's current
text (``public_start``/``public_end``, set at approval and moved by a
revision only onto the same words). A claim without a published version is invisible here: it is not
counted, listed, linked or numbered.
"""

from __future__ import annotations

from django.db.models import Case, Count, Exists, F, OuterRef, Subquery, When
from django.db.models.functions import Coalesce

from ..models import Article, Claim, ClaimStatus, ClaimVersion
from .factchecks import CorrectionNote, FactCheck, Withdrawal, fact_check_from_claim

# What public pages read of a claim and its published version.
_FIELDS = [
    "slug",
    "status",
    "withdrawn_at",
    "withdrawn_reason",
    # Where readers see the checked quote in the current text (``revisions``).
    "public_start",
    "public_end",
    "public_changed_at",
    "article_id",
    "current_version_id",
    "current_version__number",
    "current_version__statement",
    "current_version__claimant",
    "current_version__claimant_kind",
    "current_version__claim_date",
    "current_version__rating_id",
    "current_version__rating_label",
    "current_version__rating_label_translations",
    "current_version__rating_value",
    "current_version__ruling",
    "current_version__start",
    "current_version__end",
    "current_version__exact",
    "current_version__sources",
    "current_version__approved_at",
    "first_published_at",
]
_ARTICLE_FIELDS = [
    "article__slug",
    "article__title",
    "article__outlet",
    "article__byline",
    "article__url",
    "article__language",
    "article__published_on",
]


def _public_claims():
    """Claims with a published version, withdrawn ones included."""
    return Claim.objects.filter(current_version__isnull=False).exclude(slug=None)


def _current():
    """Claims readers see with a verdict: published at least once, not withdrawn."""
    return _public_claims().exclude(status=ClaimStatus.WITHDRAWN)


def _with_versions(queryset, *, with_article: bool = True):
    fields = _FIELDS + (_ARTICLE_FIELDS if with_article else [])
    related = ["current_version", "article"] if with_article else ["current_version"]
    return queryset.select_related(*related).only(*fields)


def _latest_first(queryset):
    return queryset.order_by("-first_published_at", "-pk")


def verdict_counts() -> dict[int, int]:
    """How many current fact-checks carry each verdict (rating pk)."""
    rows = (
        _current()
        .order_by()
        .values("current_version__rating_id")
        .annotate(n=Count("pk"))
        .values_list("current_version__rating_id", "n")
    )
    return dict(rows)


def latest(*, rating_id: int | None, offset: int, limit: int) -> list[FactCheck]:
    queryset = _current()
    if rating_id is not None:
        queryset = queryset.filter(current_version__rating_id=rating_id)
    rows = _latest_first(_with_versions(queryset))[offset : offset + limit]
    return [fact_check_from_claim(c) for c in rows]


def public_count() -> int:
    """How many fact-checks were ever published, withdrawn ones included."""
    return _public_claims().count()


def latest_public(*, offset: int, limit: int) -> list[FactCheck]:
    """Every published fact-check, withdrawn ones included, newest first publication first:
    the JSON list, where a withdrawal stays as a withdrawn item."""
    rows = _latest_first(_with_versions(_public_claims()))[offset : offset + limit]
    return [fact_check_from_claim(c) for c in rows]


# When a fact-check last changed for readers: its withdrawal, else its last approval.
_LAST_CHANGE = Case(
    When(
        status=ClaimStatus.WITHDRAWN,
        then=Coalesce("withdrawn_at", "current_version__approved_at"),
    ),
    default=F("current_version__approved_at"),
)


def latest_changes(*, limit: int) -> list[FactCheck]:
    """Published fact-checks, withdrawn ones included, last changed first: the feed,
    where an update or a withdrawal brings the entry back to the top."""
    rows = _with_versions(_public_claims()).annotate(last_change=_LAST_CHANGE)
    return [fact_check_from_claim(c) for c in rows.order_by("-last_change", "-pk")[:limit]]


def fact_check(slug: str) -> FactCheck | None:
    """A fact-check by its address, withdrawn or not; None if it was never published."""
    claim = _with_versions(_public_claims().filter(slug=slug)).first()
    return fact_check_from_claim(claim) if claim else None


def corrections_of(fact_check: FactCheck) -> list[CorrectionNote]:
    """The notes of the versions published after the first, newest first."""
    versions = ClaimVersion.objects.filter(
        claim_id=fact_check.claim_id,
        number__gt=1,
        number__lte=fact_check.version_number,
    ).order_by("-number")
    return [
        CorrectionNote(
            number=v.number,
            kind=v.correction_kind,
            text=v.correction_text,
            date=v.approved_at,
            slug=fact_check.slug,
            statement=fact_check.statement,
            language=fact_check.article.language,
        )
        for v in versions.only(*_NOTE_FIELDS)
    ]


_NOTE_FIELDS = ["number", "approved_at", "correction_kind", "correction_text", "claim_id"]


def public_article(slug: str) -> Article | None:
    """An article readers may open: one with at least one published fact-check.

    An article with only drafts (or nothing) is not public, and its address
    answers exactly as an unknown one does.
    """
    published = _public_claims().filter(article=OuterRef("pk"))
    return (
        Article.objects.filter(Exists(published), slug=slug)
        .only(
            "slug",
            "title",
            "outlet",
            "byline",
            "url",
            "language",
            "published_on",
            "image_caption",
            "image_credit",
            "body",
        )
        .first()
    )


def article_fact_checks(article: Article) -> list[FactCheck]:
    """The current (not withdrawn) fact-checks of an article, in the current text's order;
    those whose passage a revision changed come last."""
    rows = _with_versions(_current().filter(article=article), with_article=False).order_by(
        F("public_start").asc(nulls_last=True), "public_end", "pk"
    )
    result = []
    for claim in rows:
        claim.article = article  # no query: the article is the one we have
        result.append(fact_check_from_claim(claim))
    return result


def all_corrections() -> list[CorrectionNote | Withdrawal]:
    """Every published correction note and every withdrawal, newest first.

    Notes of withdrawn fact-checks are not listed (their page no longer
    shows the verdict they corrected); the withdrawal itself is.
    """
    notes = (
        ClaimVersion.objects.filter(
            number__gt=1,
            claim__current_version__isnull=False,
            number__lte=F("claim__current_version__number"),
        )
        .exclude(claim__slug=None)
        .exclude(claim__status=ClaimStatus.WITHDRAWN)
        .select_related("claim", "claim__current_version", "claim__article")
        .only(
            *_NOTE_FIELDS,
            "claim__slug",
            "claim__current_version__statement",
            "claim__article__language",
        )
    )
    withdrawn = (
        _public_claims()
        .filter(status=ClaimStatus.WITHDRAWN)
        .select_related("current_version", "article")
        .only(
            "slug",
            "withdrawn_at",
            "withdrawn_reason",
            "current_version__statement",
            "current_version__approved_at",
            "article__language",
        )
    )
    entries = [
        CorrectionNote(
            number=v.number,
            kind=v.correction_kind,
            text=v.correction_text,
            date=v.approved_at,
            statement=v.claim.current_version.statement,
            slug=v.claim.slug,
            language=v.claim.article.language,
        )
        for v in notes
    ]
    entries += [
        Withdrawal(
            slug=c.slug,
            statement=c.current_version.statement,
            date=c.withdrawn_at or c.current_version.approved_at,
            text=c.withdrawn_reason,
            language=c.article.language,
        )
        for c in withdrawn
    ]
    entries.sort(key=lambda e: e.date, reverse=True)
    return entries


def sitemap_articles() -> list[tuple[str, object]]:
    """(slug, last change) of every public article: its own edits, and the approvals
    and withdrawals of its fact-checks, which change what its page shows."""
    published = _public_claims().filter(article=OuterRef("pk"))
    last_claim = Subquery(
        published.annotate(last_change=_LAST_CHANGE)
        .order_by("-last_change")
        .values("last_change")[:1]
    )
    rows = (
        Article.objects.filter(Exists(published))
        .annotate(last_claim=last_claim)
        .order_by("slug")
        .values_list("slug", "updated_at", "last_claim")
    )
    return [(slug, max(d for d in (edited, claimed) if d)) for slug, edited, claimed in rows]


def sitemap_fact_checks() -> list[tuple[str, object]]:
    """(slug, last approval) of every current fact-check; withdrawn ones are not listed."""
    return list(_current().order_by("slug").values_list("slug", "current_version__approved_at"))
