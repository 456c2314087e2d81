"""schema.org ClaimReview for a fact-check, as JSON-LD (DESIGN §10).

One per fact-check page, in a ``<script type="application/ld+json">``
(data, not code: the CSP does not apply to it and browsers do not run it),
and the same objects in the paginated JSON list. Every value comes from the
``FactCheck`` the page shows.
"""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ..models import ClaimantKind
from ..scale_i18n import review_language
from .factchecks import FactCheck
from .scale import Scale

SCHEMA_ORG = "https://schema.org"
# Google shows this many characters of claimReviewed; the desk warns past it.
CLAIM_REVIEWED_CHARS = 75
# creativeWorkStatus of a withdrawn review (schema.org gives examples, not a list).
WITHDRAWN = "Withdrawn"
AUTHOR_TYPES = {ClaimantKind.PERSON: "Person", ClaimantKind.ORGANISATION: "Organization"}


def claim_review(
    fc: FactCheck,
    *,
    scale: Scale,
    url: str,
    newsroom: str,
    newsroom_url: str,
) -> dict:
    """The ClaimReview of a current (not withdrawn) fact-check.

    `url` is the fact-check page, on SITE_URL; with a fragment it is also the
    review's ``@id``. Our copy of the article is never the claim's
    appearance: ``firstAppearance`` and ``appearance`` are the original
    article (``original_article``).
    ``claimReviewed`` is the statement as approved, never cut: the desk
    warns when it is longer than aggregators show (``CLAIM_REVIEWED_CHARS``).
    """
    label = fc.machine_verdict
    rating = {"@type": "Rating", "name": label.label, "alternateName": label.label}
    if fc.rating_value is not None and scale.best is not None:
        rating["ratingValue"] = fc.rating_value
        rating["bestRating"] = scale.best
        rating["worstRating"] = scale.worst
    claim = {
        "@type": "Claim",
        "author": claimant(fc),
        "inLanguage": fc.article.language,
        "firstAppearance": original_article(fc),
    }
    if fc.article.url:
        claim["appearance"] = original_article(fc)
    if fc.claim_date:
        claim["datePublished"] = fc.claim_date.isoformat()
    return _review(
        fc,
        url=url,
        newsroom=newsroom,
        newsroom_url=newsroom_url,
        verdict={"reviewRating": rating, "itemReviewed": claim},
        modified=iso(fc.updated_at),
        # The fact-check's language, the article's, in which the verdict label is
        # given; the newsroom's when the scale has no translation for it, so that
        # inLanguage always names the language of alternateName.
        language=review_language(fc.article.language, label),
    )


def withdrawn_claim_review(fc: FactCheck, *, url: str, newsroom: str, newsroom_url: str) -> dict:
    """What stays of a withdrawn fact-check in the JSON list: the same ``@id``, marked
    withdrawn, with the date and the reason, and no verdict.

    An aggregator that ingested the review finds it again by its ``@id`` and
    learns that it was withdrawn, when and why, in schema.org terms:
    ``creativeWorkStatus`` "Withdrawn", ``dateModified`` the withdrawal, and
    the reason as a dated ``CorrectionComment``. The verdict, ruling and
    sources are gone, as on the page.
    """
    when = iso(fc.withdrawn_at)
    correction = {"@type": "CorrectionComment", "datePublished": when}
    if fc.withdrawn_reason:
        correction["text"] = fc.withdrawn_reason
    return _review(
        fc,
        url=url,
        newsroom=newsroom,
        newsroom_url=newsroom_url,
        verdict={"creativeWorkStatus": WITHDRAWN, "correction": correction},
        modified=when,
        language=fc.article.language,
    )


def _review(fc, *, url, newsroom, newsroom_url, verdict: dict, modified, language) -> dict:
    """What every ClaimReview of ours says, current or withdrawn, around `verdict`."""
    return {
        "@context": SCHEMA_ORG,
        "@type": "ClaimReview",
        "@id": f"{url}#claim-review",
        "url": url,
        "claimReviewed": fc.statement,
        **verdict,
        "author": {"@type": "Organization", "name": newsroom, "url": newsroom_url},
        "datePublished": iso(fc.first_published_at),
        "dateModified": modified,
        "inLanguage": language,
    }


def original_article(fc: FactCheck) -> dict:
    """The article the claim was made in, as its outlet published it.

    With its original address when the desk recorded one; without one, it is
    described (headline, outlet, date) but given no ``url``: our copy is not
    where the claim appeared, and saying it was would send aggregators to us
    as the claim's source.
    """
    article = {
        "@type": "NewsArticle",
        "headline": fc.article.title,
        "inLanguage": fc.article.language,
    }
    if fc.article.url:
        article["url"] = fc.article.url
    if fc.article.published_on:
        article["datePublished"] = fc.article.published_on.isoformat()
    if fc.article.outlet:
        article["publisher"] = {"@type": "Organization", "name": fc.article.outlet}
    return article


def claimant(fc: FactCheck) -> dict:
    """Who made the claim: a Person or an Organization as the desk recorded it.

    When the kind was not recorded, a ``Thing``: schema.org's own supertype of
    both, so the node is typed without saying something the desk does not
    know (a Person that is a ministry, or the reverse).
    """
    return {"@type": AUTHOR_TYPES.get(fc.claimant_kind, "Thing"), "name": fc.claimant}


def claim_reviewed_is_long(statement: str) -> bool:
    """Whether a statement is longer than aggregators show of ``claimReviewed``."""
    return len(" ".join(statement.split())) > CLAIM_REVIEWED_CHARS


def iso(moment) -> str:
    """A date-time in the newsroom's time zone, to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data: dict) -> SafeString:
    """JSON safe inside a ``<script>`` element: no "</script>" can close it early."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    # U+2028/2029 are fine in JSON but old parsers choke on them inside scripts.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return mark_safe(text)  # noqa: S308 - escaped for the script context above
