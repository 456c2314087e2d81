"""ClaimReview JSON-LD and W3C Web Annotations, parsed and checked field by field."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.utils import timezone

from claims import services, workflow
from claims.anchoring import CONTEXT_CHARS
from claims.models import Rating
from claims.rendering import Highlight, render_article
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    draft_claim,
    edit,
    make_article,
    people,
    publish,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db

# Every absolute address is on SITE_URL, never on the host the test client sends.
SITE = settings.SITE_URL
assert "testserver" not in SITE
ANNO_TYPE = 'application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"'


def ld_json(html: str) -> list[dict]:
    return [
        json.loads(m)
        for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def local_iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def test_claim_review_of_an_ordinal_verdict(client):
    article = make_article(url="https://news.example.org/original")
    claim = published_claim(article, sentence(article, 3), text="Ordinal", verdict="Inexact")
    first = claim.current_version
    workflow.start_update(claim.pk, people()[0])
    edit(claim, text="Ordinal v2", verdict="Inexact", correction=("update", "Nouveau chiffre"))
    claim = publish(claim)
    version = claim.current_version
    html = client.get(f"/fact-checks/{claim.slug}/").content.decode()
    (review,) = ld_json(html)
    url = f"{SITE}/fact-checks/{claim.slug}/"
    original = {
        "@type": "NewsArticle",
        "url": "https://news.example.org/original",
        "headline": "Article public",
        "inLanguage": "fr",
        "datePublished": "2025-02-11",
        "publisher": {"@type": "Organization", "name": "Le Quotidien"},
    }
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": f"{url}#claim-review",
        "url": url,
        "claimReviewed": "Ordinal v2 statement",
        "reviewRating": {
            "@type": "Rating",
            "name": "Inexact",
            "alternateName": "Inexact",
            "ratingValue": 2,
            "bestRating": 5,
            "worstRating": 1,
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Thing", "name": "Ordinal v2 claimant"},
            "datePublished": "2025-02-10",
            "inLanguage": "fr",
            "firstAppearance": original,
            "appearance": original,
        },
        "author": {
            "@type": "Organization",
            "name": "The Fact-Check Desk",
            "url": f"{SITE}/",
        },
        "datePublished": local_iso(first.approved_at),
        "dateModified": local_iso(version.approved_at),
        "inLanguage": "fr",
    }
    # What the JSON-LD says is what the page shows; the verdict in the reader's
    # language (English here), the JSON-LD's in the article's (French).
    for shown in (
        '<h1 id="fc-title" class="fact-check__title" lang="fr">Ordinal v2 statement</h1>',
        "Claimed by <strong>Ordinal v2 claimant</strong> on 10 February 2025",
        f'<span class="verdict__label badge v-{version.rating_id}" lang="en">Inaccurate</span>',
        "2 on our scale from 1 to 5.",
        f'<link rel="canonical" href="{url}">',
        f'Published <time datetime="{local_iso(first.approved_at)}">',
        f'Updated <time datetime="{local_iso(version.approved_at)}">',
        '<cite lang="fr">Article public</cite> (<span lang="fr">Le Quotidien</span>), '
        '<time datetime="2025-02-11">11 February 2025</time>',
        "The Fact-Check Desk",
    ):
        assert shown in html, shown


def test_the_claimant_is_typed_as_the_desk_recorded_it(client):
    """A Person or an Organization in ClaimReview, from the approved version only."""
    article = make_article()
    editor, _ = people()
    claim = publish(draft_claim(article, sentence(article, 3), text="Typée", kind="person"))
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Typée claimant"}
    # An update in progress changes nothing public until it is approved.
    workflow.start_update(claim.pk, editor)
    claim = edit(
        claim, text="Typée", kind="organisation", correction=("correction", "Une organisation.")
    )
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["itemReviewed"]["author"]["@type"] == "Person"
    event = claim.events.latest("pk")
    assert event.changes["claimant kind"] == ["person", "organisation"]
    claim = publish(claim)
    data = json.loads(client.get("/claim-reviews.json").content)
    assert data["items"][0]["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Typée claimant",
    }


def test_claim_review_of_a_non_ordinal_verdict_has_no_value(client):
    article = make_article()  # no original URL
    claim = published_claim(article, sentence(article, 3), text="Trompe", verdict="Trompeur")
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["reviewRating"] == {
        "@type": "Rating",
        "name": "Trompeur",
        "alternateName": "Trompeur",
    }
    # Without an original address, the article is described without one, and no
    # appearance is claimed: our copy is not where the claim was made.
    claim_node = review["itemReviewed"]
    assert "appearance" not in claim_node
    assert claim_node["firstAppearance"] == {
        "@type": "NewsArticle",
        "headline": "Article public",
        "inLanguage": "fr",
        "datePublished": "2025-02-11",
        "publisher": {"@type": "Organization", "name": "Le Quotidien"},
    }
    assert SITE not in json.dumps(claim_node)
    assert review["datePublished"] == review["dateModified"]


def test_the_json_list_holds_the_same_claim_reviews_as_the_pages(client):
    article = make_article()
    claims = [
        published_claim(article, sentence(article, i), text=f"Liste {i}", verdict=v)
        for i, v in enumerate(["Vrai", "Manque de contexte", "Faux"])
    ]
    data = json.loads(client.get("/claim-reviews.json").content)
    assert data["count"] == 3
    for claim in claims:
        (on_page,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
        assert on_page in data["items"]


def test_web_annotations_of_an_article(client):
    article = make_article()
    second = published_claim(article, sentence(article, 30), text="Deux", verdict="Vrai")
    first = published_claim(article, sentence(article, 2), text="Un", verdict="À nuancer")
    response = client.get(f"/articles/{article.slug}/annotations.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == ANNO_TYPE
    data = json.loads(response.content)
    base = f"{SITE}/articles/{article.slug}/"
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["id"] == f"{base}annotations.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["label"] == "Fact-checks of “Article public”"
    assert data["total"] == 2
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert page["id"] == f"{base}annotations.jsonld#page-1"
    assert data["last"] == page["id"]
    assert page["partOf"] == {
        "id": data["id"],
        "type": "AnnotationCollection",
        "label": data["label"],
        "total": 2,
    }
    newsroom = {
        "id": f"{SITE}/#newsroom",
        "type": "Organization",
        "name": "The Fact-Check Desk",
        "homepage": f"{SITE}/",
    }
    assert data["creator"] == newsroom
    items = page["items"]
    assert len(items) == 2  # in text order
    for item, claim, label in ((items[0], first, "À nuancer"), (items[1], second, "Vrai")):
        version = claim.current_version
        url = f"{SITE}/fact-checks/{claim.slug}/"
        start, end = version.start, version.end
        assert item == {
            "id": f"{url}#annotation",
            "type": "Annotation",
            "motivation": "assessing",
            "created": local_iso(version.approved_at),
            "modified": local_iso(version.approved_at),
            "creator": newsroom,
            "body": [
                {
                    "type": "TextualBody",
                    "purpose": "assessing",
                    "value": label,
                    "format": "text/plain",
                    "language": "fr",
                },
                {
                    "type": "TextualBody",
                    "purpose": "describing",
                    "value": version.statement,
                    "format": "text/plain",
                    "language": "fr",
                },
                {
                    "type": "SpecificResource",
                    "purpose": "linking",
                    "source": {"id": url, "type": "Text", "format": "text/html"},
                },
            ],
            "target": {
                "source": base,
                "selector": [
                    {
                        "type": "CssSelector",
                        "value": "#article-text",
                        "refinedBy": {
                            "type": "TextQuoteSelector",
                            "exact": article.body[start:end],
                            "prefix": article.body[max(0, start - CONTEXT_CHARS) : start],
                            "suffix": article.body[end : end + CONTEXT_CHARS],
                        },
                    },
                    {
                        "type": "CssSelector",
                        "value": "#article-text",
                        "refinedBy": {"type": "TextPositionSelector", "start": start, "end": end},
                    },
                ],
            },
        }


def test_annotation_offsets_count_code_points_past_an_emoji(client):
    body = "Le 🦊 renard 𝒳 dit : la Terre est plate. Fin."
    article = services.create_article(people()[0], title="Emoji", language="fr", body=body)
    start = body.index("la Terre")
    claim = published_claim(article, (start, start + len("la Terre est plate")), text="Emoji")
    data = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    (item,) = data["first"]["items"]
    quote, position = (selector["refinedBy"] for selector in item["target"]["selector"])
    assert position == {"type": "TextPositionSelector", "start": start, "end": claim.end}
    assert body[position["start"] : position["end"]] == quote["exact"] == "la Terre est plate"
    assert quote["prefix"] == body[:start]


def test_a_quote_no_longer_at_its_offsets_is_not_highlighted_nor_annotated(client):
    from claims.models import Article

    article = make_article()
    claim = published_claim(article, sentence(article, 2), text="Décalé")
    Article.objects.filter(pk=article.pk).update(body="Nouveau texte. " + article.body)
    html = client.get(f"/articles/{article.slug}/").content.decode()
    assert "<mark" not in html
    assert f'href="/fact-checks/{claim.slug}/"' in html  # still listed, without a highlight
    data = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    # Still exported, so that a client learns of it, but pointing at no text.
    (item,) = data["first"]["items"]
    assert "selector" not in item["target"]


def test_render_article_without_mark_link_is_unchanged():
    """The desk's output must not move: the new argument is additive."""
    body = "Une phrase. Une autre phrase.\n\nUn second paragraphe."
    sentences = [[0, 11], [12, 29], [31, 51]]
    highlights = [Highlight(7, 4, 20, css_class="x")]
    plain = str(render_article(body, sentences, highlights))
    assert plain == str(render_article(body, sentences, highlights, mark_link=None))
    assert "<a" not in plain
    linked = str(
        render_article(
            body,
            sentences,
            highlights,
            mark_link=lambda covering: {"href": f'/x/{covering[0].claim_id}?a=1&b="2"'},
        )
    )
    # One link per piece (the sentence boundaries cut the highlight in three).
    assert linked.count('<a href="/x/7?a=1&amp;b=&quot;2&quot;">') == 3
    assert re.sub(r"</?a[^>]*>", "", linked) == plain


def test_rating_labels_come_from_the_published_version(client):
    """Renaming a rating later does not change what a published verdict said."""
    article = make_article()
    claim = published_claim(article, sentence(article, 2), text="Figé", verdict="Faux")
    Rating.objects.filter(label="Faux").update(label="Totalement faux")
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["reviewRating"]["alternateName"] == "Faux"
