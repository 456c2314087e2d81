"""An article's published fact-checks as W3C Web Annotations (JSON-LD).

https://www.w3.org/TR/annotation-model/ : each fact-check is an Annotation
whose target is the passage of the article page, located twice, as the model
recommends: by quote with context (TextQuoteSelector) and by position
(TextPositionSelector, in Unicode code points, as the model counts). Both
are refinements of a CssSelector for the article's text element
(``#article-text``): they count in that element's ``textContent``, which
the page renders to be the canonical body itself (``article_html``), so the
offsets and context are the body's. Two alternatives, each a CssSelector
refined by one text selector, rather than one refined by two: the model
says a refinement is applied to the result of the selector it refines, and
a client that understands only one of the text selectors still finds the
quote.

The motivation and purposes are terms of the W3C context (its Motivation
vocabulary): "assessing" for the verdict, "describing" for the claim as
checked, "linking" for the fact-check page. The creator is the newsroom,
with an id on SITE_URL; no person who worked on a fact-check is named. The
items come in one AnnotationCollection per article, embedded in its only
page, which is both ``first`` and ``last`` and says what it is ``partOf``.
"""

from __future__ import annotations

from ..anchoring import make_anchor, to_web_annotation_selectors
from ..scale_i18n import review_language
from .article_html import ARTICLE_TEXT_SELECTOR
from .factchecks import FactCheck
from .jsonld import iso

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json;profile="{ANNOTATION_CONTEXT}"'


def newsroom_agent(*, newsroom: str, newsroom_url: str) -> dict:
    """The newsroom as the creator of every annotation: one id for one organisation."""
    return {
        "id": f"{newsroom_url}#newsroom",
        "type": "Organization",
        "name": newsroom,
        "homepage": newsroom_url,
    }


def target_selectors(anchor) -> list[dict]:
    """Each text selector as a refinement of the article's text element (see above)."""
    return [
        {"type": "CssSelector", "value": ARTICLE_TEXT_SELECTOR, "refinedBy": text_selector}
        for text_selector in to_web_annotation_selectors(anchor)
    ]


def is_anchored(body: str, fc: FactCheck) -> bool:
    """Whether the published quote is still at its offsets in the article text."""
    return 0 <= fc.start < fc.end <= len(body) and body[fc.start : fc.end] == fc.exact


def annotation(
    fc: FactCheck, *, body: str, url: str, article_url: str, newsroom: str, newsroom_url: str
) -> dict:
    anchor = make_anchor(body, fc.start, fc.end)
    language = fc.article.language
    verdict = fc.machine_verdict
    return {
        "id": f"{url}#annotation",
        "type": "Annotation",
        "motivation": "assessing",
        "created": iso(fc.first_published_at),
        "modified": iso(fc.updated_at),
        "creator": newsroom_agent(newsroom=newsroom, newsroom_url=newsroom_url),
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": verdict.label,
                "format": "text/plain",
                # The language the label is in: the article's, or the newsroom's.
                "language": review_language(language, verdict),
            },
            {
                "type": "TextualBody",
                "purpose": "describing",
                "value": fc.statement,
                "format": "text/plain",
                "language": language,
            },
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": {"id": url, "type": "Text", "format": "text/html"},
            },
        ],
        "target": {
            "source": article_url,
            "selector": target_selectors(anchor),
        },
    }


def collection(
    fact_checks: list[FactCheck],
    *,
    body: str,
    title: str,
    collection_url: str,
    article_url: str,
    url_for,
    newsroom: str,
    newsroom_url: str,
) -> dict:
    """The AnnotationCollection of an article; `url_for(fc)` is a fact-check's address."""
    items = [
        annotation(
            fc,
            body=body,
            url=url_for(fc),
            article_url=article_url,
            newsroom=newsroom,
            newsroom_url=newsroom_url,
        )
        for fc in fact_checks
        if is_anchored(body, fc)
    ]
    page_url = f"{collection_url}#page-1"
    about = {
        "id": collection_url,
        "type": "AnnotationCollection",
        "label": title,
        "total": len(items),
    }
    return {
        "@context": ANNOTATION_CONTEXT,
        **about,
        "creator": newsroom_agent(newsroom=newsroom, newsroom_url=newsroom_url),
        "first": {
            "id": page_url,
            "type": "AnnotationPage",
            "partOf": about,
            "startIndex": 0,
            "items": items,
        },
        "last": page_url,
    }
