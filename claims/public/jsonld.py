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
from .factchecks import FactCheck
from .scale import Scale

SCHEMA_ORG = "https://schema.org"
AUTHOR_TYPES = {ClaimantKind.PERSON: "Person", ClaimantKind.ORGANISATION: "Organization"}


def claim_review(
    fc: FactCheck,
    *,
    scale: Scale,
    url: str,
    article_url: str,
    newsroom: str,
    newsroom_url: str,
) -> dict:
    """The ClaimReview of a current (not withdrawn) fact-check.

    `url` is the fact-check page, on SITE_URL; with a fragment it is also the
    review's ``@id``. `article_url` is our copy of the article with the
    highlight (the claim's appearance when the original has no address).
    ``itemReviewed.author`` is a Person or an Organization as the desk
    recorded it; a version approved without that carries a name only.
    """
    rating = {"@type": "Rating", "alternateName": fc.rating_label}
    if fc.rating_value is not None and scale.best is not None:
        rating["ratingValue"] = fc.rating_value
        rating["bestRating"] = scale.best
        rating["worstRating"] = scale.worst
    appearance = {
        "@type": "NewsArticle",
        "url": fc.article.url or article_url,
        "headline": fc.article.title,
        "inLanguage": fc.article.language,
    }
    if fc.article.published_on:
        appearance["datePublished"] = fc.article.published_on.isoformat()
    if fc.article.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": fc.article.outlet}
    author = {"name": fc.claimant}
    if fc.claimant_kind in AUTHOR_TYPES:
        author = {"@type": AUTHOR_TYPES[fc.claimant_kind], **author}
    claim = {"@type": "Claim", "author": author, "appearance": appearance}
    if fc.claim_date:
        claim["datePublished"] = fc.claim_date.isoformat()
    return {
        "@context": SCHEMA_ORG,
        "@type": "ClaimReview",
        "@id": f"{url}#claim-review",
        "url": url,
        "claimReviewed": fc.statement,
        "reviewRating": rating,
        "itemReviewed": claim,
        "author": {"@type": "Organization", "name": newsroom, "url": newsroom_url},
        "datePublished": iso(fc.first_published_at),
        "dateModified": iso(fc.updated_at),
        "inLanguage": fc.article.language,
    }


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
