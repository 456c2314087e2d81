"""The public pages make a fixed number of queries, whatever the number of claims,
sources and versions: 1 published claim or 30, each with 3 sources and 3 versions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.public.page_cache import pages
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    make_article,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db


def page_paths(article, claims):
    slug = claims[-1].slug
    return {
        "home": "/",
        "home filtered": "/?verdict=faux",
        "article": f"/articles/{article.slug}/",
        "fact-check": f"/fact-checks/{slug}/",
        "methodology": "/methodology/",
        "corrections": "/corrections/",
        "feed": "/fact-checks.atom",
        "claim reviews": "/claim-reviews.json",
        "annotations": f"/articles/{article.slug}/annotations.jsonld",
        "verdicts.css": "/verdicts.css",
        "404": "/fact-checks/nothing-here/",
    }


def count_queries(client, paths) -> dict[str, tuple[int, int]]:
    """(queries when rendering, queries when reusing the rendered page) per page."""
    counts = {}
    for name, path in paths.items():
        pages.clear()
        with CaptureQueriesContext(connection) as rendering:
            first = client.get(path)
        with CaptureQueriesContext(connection) as reusing:
            client.get(path)
        assert first.status_code in (200, 404), (name, first.status_code)
        counts[name] = (len(rendering), len(reusing))
    return counts


def test_query_counts_do_not_grow_with_claims_sources_or_versions(client):
    article = make_article(sentences=40)
    claims = [published_claim(article, sentence(article, 0), versions=3, sources=3)]
    few = count_queries(client, page_paths(article, claims))
    for i in range(1, 30):
        claims.append(
            published_claim(article, sentence(article, i), text=f"N{i}", versions=3, sources=3)
        )
    many = count_queries(client, page_paths(article, claims))
    assert many == few
    for name, (rendering, reusing) in many.items():
        assert rendering <= 4, (name, rendering)
        assert reusing <= (2 if name == "404" else 1), (name, reusing)


def test_search_query_count_does_not_grow_with_results(client):
    """The search page is never stored, so every request renders it: the stamp, the count and
    the page of hits (in a savepoint), their fact-checks; 1 result or 30 (a page of 20)."""
    article = make_article(sentences=40)
    published_claim(article, sentence(article, 0), versions=2, sources=3)

    def search_count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/search/?q=statement")
        assert response.status_code == 200
        return len(ctx)

    one = search_count()
    for i in range(1, 30):
        published_claim(article, sentence(article, i), text=f"N{i}", versions=2, sources=3)
    assert search_count() == one <= 6
