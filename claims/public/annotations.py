"""An article's published fact-checks as W3C Web Annotations (JSON-LD).

https://www.w3.org/TR/annotation-model/ : each fact-check is an Annotation
whose target is the passage of the article, located twice, as the model
recommends: by quote with context (TextQuoteSelector) and by position
(TextPositionSelector, in Unicode code points of the article's canonical
text: its paragraphs joined by one blank line, as the article page renders
them). The motivation is "assessing"; the bodies are the verdict, the claim
as checked, and a link to the fact-check page. They come in one
AnnotationCollection per article, its items embedded in the first page.
"""

from __future__ import annotations

from ..anchoring import make_anchor, to_web_annotation_selectors
from . import conf
from .factchecks import FactCheck
from .jsonld import iso

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json;profile="{ANNOTATION_CONTEXT}"'


def is_anchored(body: str, fc: FactCheck) -> bool:
    """Whether the published quote is still at its offsets in the article text."""
    return 0 <= fc.start < fc.end <= len(body) and body[fc.start : fc.end] == fc.exact


def annotation(
    fc: FactCheck, *, body: str, url: str, article_url: str, newsroom: str, newsroom_url: str
) -> dict:
    anchor = make_anchor(body, fc.start, fc.end)
    language = fc.article.language
    return {
        "id": f"{url}#annotation",
        "type": "Annotation",
        "motivation": "assessing",
        "created": iso(fc.first_published_at),
        "modified": iso(fc.updated_at),
        "creator": {"type": "Organization", "name": newsroom, "homepage": newsroom_url},
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": fc.rating_label,
                "format": "text/plain",
                "language": conf.SCALE_LANGUAGE,  # the scale's label, not the article's words
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
            "selector": to_web_annotation_selectors(anchor),
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
    return {
        "@context": ANNOTATION_CONTEXT,
        "id": collection_url,
        "type": "AnnotationCollection",
        "label": title,
        "total": len(items),
        "first": {
            "id": f"{collection_url}#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }
