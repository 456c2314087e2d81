"""The Web Annotation export against the W3C Web Annotation Data Model's MUST rules.

https://www.w3.org/TR/annotation-model/ . The schema below is written here
from the spec's text (sections 3.1 to 4.2 and 5), not copied from anywhere:
the web-platform-tests repository's annotation-model schemas cannot be
vendored under this project's rules. Only what the spec says an annotation,
body, target, selector, collection or page MUST (or MUST NOT) have is
required; what it says SHOULD is checked by the tests around it.
"""

from __future__ import annotations

import html.parser
import json

import jsonschema
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from claims import services
from claims.public.article_html import render_public_article, text_content
from claims.text import canonicalize
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    make_article,
    people,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL
CONTEXT = "http://www.w3.org/ns/anno.jsonld"

# The spec's Motivation vocabulary (section 3.3.5): the terms the W3C context
# defines for motivation and purpose. Anything else expands, under that
# context, to an IRI relative to the document.
MOTIVATIONS = {
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "replying",
    "tagging",
}

IRI = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$"}
TERM_OR_IRI = {"type": "string", "minLength": 1}
ONE_OR_MORE = lambda item: {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}  # noqa: E731
NON_NEGATIVE = {"type": "integer", "minimum": 0}
# 3.3.4: xsd:dateTime with a timezone (the jsonschema "date-time" format needs an extra package).
DATE_TIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$ref": "#/$defs/collection",
    "$defs": {
        "agent": {
            "type": "object",
            "required": ["id"],  # the desk names its agents (SHOULD, required here)
            "properties": {
                "id": IRI,
                "type": ONE_OR_MORE({"enum": ["Person", "Organization", "Software"]}),
                "name": {"type": "string"},
                "homepage": ONE_OR_MORE(IRI),
            },
        },
        "motivation": {"type": "string", "enum": sorted(MOTIVATIONS)},
        # 3.2.2: an embedded textual body has a value, a string; no id needed.
        "textualBody": {
            "type": "object",
            "required": ["type", "value"],
            "properties": {
                "type": {"const": "TextualBody"},
                "value": {"type": "string"},
                "purpose": ONE_OR_MORE({"$ref": "#/$defs/motivation"}),
                "format": {"type": "string"},
                "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
            },
        },
        # 4.1: a SpecificResource MUST have exactly one source.
        "specificResource": {
            "type": "object",
            "required": ["source"],
            "properties": {
                "type": {"const": "SpecificResource"},
                "source": {
                    "anyOf": [
                        IRI,
                        {"type": "object", "required": ["id"], "properties": {"id": IRI}},
                    ]
                },
                "purpose": ONE_OR_MORE({"$ref": "#/$defs/motivation"}),
                "selector": ONE_OR_MORE({"$ref": "#/$defs/selector"}),
            },
        },
        # 4.2: every selector has a type; refinedBy is another selector.
        "selector": {
            "type": "object",
            "required": ["type"],
            "properties": {"refinedBy": ONE_OR_MORE({"$ref": "#/$defs/selector"})},
            "allOf": [
                {
                    # 4.2.1: a CssSelector MUST have exactly one value.
                    "if": {"properties": {"type": {"const": "CssSelector"}}},
                    "then": {
                        "required": ["value"],
                        "properties": {"value": {"type": "string", "minLength": 1}},
                    },
                },
                {
                    # 4.2.4: exact MUST be given; prefix and suffix at most once each.
                    "if": {"properties": {"type": {"const": "TextQuoteSelector"}}},
                    "then": {
                        "required": ["exact"],
                        "properties": {
                            "exact": {"type": "string", "minLength": 1},
                            "prefix": {"type": "string"},
                            "suffix": {"type": "string"},
                        },
                    },
                },
                {
                    # 4.2.5: start and end MUST be non-negative integers.
                    "if": {"properties": {"type": {"const": "TextPositionSelector"}}},
                    "then": {
                        "required": ["start", "end"],
                        "properties": {"start": NON_NEGATIVE, "end": NON_NEGATIVE},
                    },
                },
                {
                    "properties": {
                        "type": {
                            "enum": [
                                "CssSelector",
                                "TextQuoteSelector",
                                "TextPositionSelector",
                                "FragmentSelector",
                                "XPathSelector",
                                "DataPositionSelector",
                                "SvgSelector",
                                "RangeSelector",
                            ]
                        }
                    }
                },
            ],
        },
        # 3.1: @context, id, type Annotation, at least one target.
        "annotation": {
            "type": "object",
            "required": ["id", "type", "target"],
            "properties": {
                "@context": ONE_OR_MORE({"type": ["string", "object"]}),
                "id": IRI,
                "type": {
                    "anyOf": [
                        {"const": "Annotation"},
                        {"type": "array", "contains": {"const": "Annotation"}},
                    ]
                },
                "motivation": ONE_OR_MORE({"$ref": "#/$defs/motivation"}),
                "created": DATE_TIME,
                "modified": DATE_TIME,
                "creator": ONE_OR_MORE({"anyOf": [IRI, {"$ref": "#/$defs/agent"}]}),
                "body": ONE_OR_MORE(
                    {
                        "anyOf": [
                            IRI,
                            {"$ref": "#/$defs/textualBody"},
                            {"$ref": "#/$defs/specificResource"},
                        ]
                    }
                ),
                "target": ONE_OR_MORE({"anyOf": [IRI, {"$ref": "#/$defs/specificResource"}]}),
            },
        },
        # 5.2: a page MUST have an id, type AnnotationPage and items.
        "page": {
            "type": "object",
            "required": ["id", "type", "items"],
            "properties": {
                "id": IRI,
                "type": {"const": "AnnotationPage"},
                "partOf": {"anyOf": [IRI, {"$ref": "#/$defs/collectionRef"}]},
                "items": {"type": "array", "items": {"$ref": "#/$defs/annotation"}},
                "startIndex": NON_NEGATIVE,
                "next": IRI,
                "prev": IRI,
            },
        },
        "collectionRef": {
            "type": "object",
            "required": ["id", "type"],
            "properties": {
                "id": IRI,
                "type": {"const": "AnnotationCollection"},
                "total": NON_NEGATIVE,
            },
        },
        # 5.1: a collection MUST have an id and type; first and last name pages.
        "collection": {
            "type": "object",
            "required": ["@context", "id", "type"],
            "properties": {
                "@context": {
                    "anyOf": [{"const": CONTEXT}, {"type": "array", "contains": {"const": CONTEXT}}]
                },
                "id": IRI,
                "type": {"const": "AnnotationCollection"},
                "label": {"type": "string"},
                "total": NON_NEGATIVE,
                "creator": ONE_OR_MORE({"anyOf": [IRI, {"$ref": "#/$defs/agent"}]}),
                "first": {"anyOf": [IRI, {"$ref": "#/$defs/page"}]},
                "last": {"anyOf": [IRI, {"$ref": "#/$defs/page"}]},
            },
        },
    },
}

VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

BODY = (
    "Le 🦊 renard 𝒳 a déclaré\u00a0: «\u00a0la Terre est plate\u00a0».\n"
    "Une seconde ligne.\n\n"
    "La famille 👩‍👩‍👧 compte trois membres.\n\n"
    "Dernier paragraphe."
)


def export(client, article) -> dict:
    response = client.get(f"/articles/{article.slug}/annotations.jsonld")
    assert response.status_code == 200
    return json.loads(response.content)


def quoted(article, *quotes):
    for n, quote in enumerate(quotes):
        start = article.body.index(quote)
        published_claim(article, (start, start + len(quote)), text=f"Affirmation {n}")


def test_the_schema_itself_is_a_valid_schema_and_refuses_broken_annotations():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    good = {
        "@context": CONTEXT,
        "id": "https://x.example/c",
        "type": "AnnotationCollection",
        "first": {
            "id": "https://x.example/c#1",
            "type": "AnnotationPage",
            "items": [
                {
                    "id": "https://x.example/a",
                    "type": "Annotation",
                    "motivation": "assessing",
                    "target": {
                        "source": "https://x.example/",
                        "selector": {
                            "type": "CssSelector",
                            "value": "#t",
                            "refinedBy": {"type": "TextPositionSelector", "start": 0, "end": 1},
                        },
                    },
                }
            ],
        },
    }
    assert VALIDATOR.is_valid(good)
    item = good["first"]["items"][0]
    for path, value in [
        (("motivation",), "oa:assessing"),
        (("motivation",), "assessment"),
        (("type",), "Annotations"),
        (("created",), "2025-02-11 10:00"),
        (("target", "selector", "refinedBy", "start"), -1),
        (("target", "selector", "refinedBy", "end"), 1.5),
        (("target", "selector", "refinedBy"), {"type": "TextQuoteSelector", "prefix": "a"}),
        (("target", "selector"), {"type": "CssSelector"}),
    ]:
        broken = json.loads(json.dumps(good))
        node = broken["first"]["items"][0]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert not VALIDATOR.is_valid(broken), (path, value)
    del item["target"]
    assert not VALIDATOR.is_valid(good)


def test_the_export_validates_and_names_its_collection_pages_and_creator(client):
    article = services.create_article(people()[0], title="Emoji", language="fr", body=BODY)
    quoted(article, "la Terre est plate", "La famille 👩‍👩‍👧 compte", "Dernier paragraphe")
    data = export(client, article)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]
    assert errors == []
    page = data["first"]
    assert data["total"] == len(page["items"]) == 3
    assert data["last"] == page["id"]
    assert page["partOf"]["id"] == data["id"] and page["partOf"]["total"] == data["total"]
    newsroom = {a["creator"]["id"] for a in page["items"]} | {data["creator"]["id"]}
    assert newsroom == {f"{SITE}/#newsroom"}
    for item in page["items"]:
        assert item["motivation"] in MOTIVATIONS
        assert {body["purpose"] for body in item["body"]} <= MOTIVATIONS
        assert item["target"]["source"] == f"{SITE}/articles/{article.slug}/"
        for selector in item["target"]["selector"]:
            assert selector["type"] == "CssSelector" and selector["value"] == "#article-text"


def test_selectors_count_in_the_text_the_article_element_renders(client):
    """The selectors' offsets and context are over #article-text's textContent.

    The page is parsed here as HTML (the standard library's parser) to take that
    element's text; the Chromium test does the same in a browser.
    """
    article = services.create_article(people()[0], title="Emoji", language="fr", body=BODY)
    quoted(article, "la Terre est plate", "La famille 👩‍👩‍👧 compte", "Dernier paragraphe")
    text = ElementText("article-text").read(client.get(f"/articles/{article.slug}/").content)
    assert text == BODY
    for item in export(client, article)["first"]["items"]:
        quote, position = (s["refinedBy"] for s in item["target"]["selector"])
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
        assert text.count(quote["prefix"] + quote["exact"] + quote["suffix"]) == 1
    # A quote that opens a paragraph has the page's own blank line in its prefix.
    assert any(
        s["refinedBy"].get("prefix", "").endswith("\n\n")
        for item in export(client, article)["first"]["items"]
        for s in item["target"]["selector"]
    )


class ElementText(html.parser.HTMLParser):
    """The textContent of the element with a given id, as the HTML parser builds it."""

    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.parts = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth or dict(attrs).get("id") == self.element_id:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    def read(self, content: bytes) -> str:
        self.feed(content.decode())
        self.close()
        return "".join(self.parts)


@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_the_rendered_text_is_the_canonical_body(raw):
    body = canonicalize(raw)
    assert text_content(body) == body
    rendered = str(render_public_article(body, [], css_class_of=str))
    assert ElementText("x").read(f'<div id="x">{rendered}</div>'.encode()) == body


def test_a_new_publication_reaches_the_stored_export(client):
    article = make_article()
    published_claim(article, sentence(article, 2), text="Un")
    assert export(client, article)["total"] == 1
    published_claim(article, sentence(article, 30), text="Deux")
    data = export(client, article)
    assert data["total"] == data["first"]["partOf"]["total"] == 2
