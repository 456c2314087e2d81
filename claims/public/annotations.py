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

A fact-check whose passage a revision of the article changed or removed
(``FactCheck.position_in`` finds no checked words) keeps its annotation, so
that a client that stored it learns of the change, but loses its selectors:
a position or a quote would point a client at text nobody checked (and a
client that anchors quotes fuzzily, as Hypothesis does, would find a
neighbour of the old words). Its target is the article as a whole, in the
state we checked it (a TimeState dated at the approval), and ``modified`` is
the revision's date.

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
    """Whether the checked quote is where readers are shown it, in the current text."""
    return fc.position_in(body) is not None


def target(fc: FactCheck, *, body: str, article_url: str) -> dict:
    """The checked passage in the current text, or the article as it was checked."""
    position = fc.position_in(body)
    if position is None:
        return {
            "source": article_url,
            "state": {"type": "TimeState", "sourceDate": iso(fc.updated_at)},
        }
    return {"source": article_url, "selector": target_selectors(make_anchor(body, *position))}


def annotation(
    fc: FactCheck, *, body: str, url: str, article_url: str, newsroom: str, newsroom_url: str
) -> dict:
    language = fc.article.language
    modified = max(d for d in (fc.updated_at, fc.passage_changed_at) if d is not None)
    verdict = fc.machine_verdict
    return {
        "id": f"{url}#annotation",
        "type": "Annotation",
        "motivation": "assessing",
        "created": iso(fc.first_published_at),
        "modified": iso(modified),
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
        "target": target(fc, body=body, article_url=article_url),
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
