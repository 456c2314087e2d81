"""The public pages through Django's test client: content, formats, errors, caching, headers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.csp import CSP, build_policy
from django.utils.html import escape

from claims import workflow
from claims.models import Claim, ClaimStatus, Rating
from claims.public import conf
from claims.public.page_cache import pages
from claims.text import paragraph_spans
from tests.test_public_support import (  # noqa: F401 - fixtures
    PUBLIC_PATHS,
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

BLNS_LINES = [
    line
    for line in Path(__file__).with_name("blns.txt").read_text(encoding="utf-8").split("\n")
    if line and not line.startswith("#")
]
# Every absolute address is on SITE_URL, never on the host the test client sends.
SITE = settings.SITE_URL
assert "testserver" not in SITE
ATOM = "{http://www.w3.org/2005/Atom}"


# -- helpers --------------------------------------------------------------------------------


class ArticleText(HTMLParser):
    """The paragraphs of #article-text: their offsets, text, and the highlight links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.paragraphs: list[dict] = []
        self.links: list[dict] = []
        self.marks: list[dict] = []
        self.text = ""  # the element's whole text (its textContent)
        self._link = None
        self._in_paragraph = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "article-text":
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "div":
            self.depth += 1
        if tag == "p":
            self.paragraphs.append({"offset": int(attrs["data-offset"]), "text": ""})
            self._in_paragraph = True
        elif tag == "a":
            self._link = dict(attrs, text="")
            self.links.append(self._link)
        elif tag == "mark":
            self.marks.append(dict(attrs))

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
        if tag == "a":
            self._link = None
        if tag == "p":
            self._in_paragraph = False

    def handle_data(self, data):
        if self.depth:
            self.text += data
        if self.depth and self._in_paragraph:
            self.paragraphs[-1]["text"] += data
            if self._link is not None:
                self._link["text"] += data


def article_text(html: str) -> ArticleText:
    parser = ArticleText()
    parser.feed(html)
    return parser


def ld_json_scripts(html: str) -> list[dict]:
    return [
        json.loads(m)
        for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def html_of(response) -> str:
    return response.content.decode("utf-8")


@pytest.fixture
def article():
    return make_article(url="https://news.example.org/article-original?ref=1")


@pytest.fixture
def two_published(article):
    first = published_claim(article, sentence(article, 2), text="Premier", verdict="Faux")
    second = published_claim(article, sentence(article, 25), text="Second", verdict="Vrai")
    return first, second


# -- home --------------------------------------------------------------------------------------


def test_home_lists_latest_fact_checks_with_verdict_article_and_date(client, article):
    older = published_claim(article, sentence(article, 2), text="Ancien", verdict="Faux")
    newer = published_claim(article, sentence(article, 30), text="Récent", verdict="Vrai")
    response = client.get("/")
    assert response.status_code == 200
    html = html_of(response)
    assert html.index("Récent statement") < html.index("Ancien statement")  # newest first
    for claim, label in ((older, "False"), (newer, "True")):  # in the reader's language
        assert f'href="/fact-checks/{claim.slug}/"' in html
        assert f'<span lang="en">{label}</span>' in html
    assert f'href="/articles/{article.slug}/"' in html
    assert "Article public" in html
    assert "Claimed by Récent claimant on 10 February 2025" in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/fact-checks.atom"' in html


def test_home_filters_by_verdict_and_counts_only_current_fact_checks(client, two_published):
    first, second = two_published
    html = html_of(client.get("/"))
    assert 'href="/?verdict=faux"' in html and 'href="/?verdict=vrai"' in html
    assert "?verdict=inexact" not in html  # no fact-check has it: no chip
    filtered = html_of(client.get("/?verdict=faux"))
    assert "Premier v1 statement" not in filtered
    assert "Premier statement" in filtered and "Second statement" not in filtered
    assert 'aria-current="page"><span class="chip__dot"' in filtered


def test_home_pagination_and_bad_pages(client, article, monkeypatch):
    monkeypatch.setattr(conf, "HOME_PAGE_SIZE", 2)
    for i in range(5):
        published_claim(article, sentence(article, i), text=f"Numéro {i}")
    first = html_of(client.get("/"))
    assert "Page 1 of 3" in first and 'rel="next" href="?page=2"' in first
    third = html_of(client.get("/?page=3&utm_source=x"))
    assert "Numéro 0 statement" in third and 'rel="prev" href="?page=2"' in third
    assert f'<link rel="canonical" href="{SITE}/?page=3">' in third
    assert f'<link rel="canonical" href="{SITE}/">' in first
    for bad in ("4", "0", "-1", "abc", "1.5", "٣", "9" * 40, "%00", "1e3"):
        response = client.get("/", {"page": bad})
        assert response.status_code == 404, bad
        assert "Page not found" in html_of(response)
    assert client.get("/?verdict=nope").status_code == 404
    filtered = client.get("/?page=2&verdict=faux")
    assert filtered.status_code == 200
    assert f'href="{SITE}/?verdict=faux&amp;page=2"' in html_of(filtered)
    assert client.get("/?verdict=faux&page=4").status_code == 404


def test_home_with_nothing_published(client, article):
    draft_claim(article, sentence(article, 1), text="Brouillon")
    response = client.get("/")
    assert response.status_code == 200
    assert "No fact-check has been published yet." in html_of(response)
    assert "Brouillon" not in html_of(response)


# -- the annotated article -------------------------------------------------------------------


def test_article_text_is_intact_and_every_highlight_links_to_its_fact_check(
    client, article, two_published
):
    first, second = two_published
    response = client.get(f"/articles/{article.slug}/")
    assert response.status_code == 200
    parsed = article_text(html_of(response))
    # The text nodes of each paragraph are exactly the body's: nothing added.
    spans = paragraph_spans(article.body)
    assert [(p["offset"], p["text"]) for p in parsed.paragraphs] == [
        (a, article.body[a:b]) for a, b in spans
    ]
    # Between them, the body's blank line: the element's text is the body (annotations).
    assert parsed.text == article.body
    links = {link["href"]: link for link in parsed.links}
    for n, claim in enumerate((first, second), 1):
        link = links[f"/fact-checks/{claim.slug}/"]
        assert link["text"] == claim.exact
        assert link["id"] == f"fc-{claim.slug}"
        assert link["aria-describedby"] == f"fc-verdict-{n}"
        assert "tabindex" not in link  # reachable with Tab
        assert "hl-link" in link["class"]
    # Public numbering, never database ids.
    assert [m["data-claims"] for m in parsed.marks] == ["1", "2"]
    html = html_of(response)
    assert 'id="fc-verdict-1"' in html and 'id="fc-panel-1"' in html
    assert "Premier ruling, first paragraph." in html  # the summary, in the panel template
    assert "Premier ruling, second paragraph." not in html  # one paragraph only
    assert 'rel="alternate" type="application/ld+json;profile=&quot;http://www.w3.org/ns/anno' in (
        html
    )


def test_a_highlight_split_by_a_paragraph_has_one_tab_stop(client):
    article = make_article()
    end_of_first = article.body.index("\n\n")
    claim = published_claim(article, (end_of_first - 20, end_of_first + 12), text="Coupé")
    parsed = article_text(html_of(client.get(f"/articles/{article.slug}/")))
    pieces = [link for link in parsed.links if link["href"] == f"/fact-checks/{claim.slug}/"]
    assert len(pieces) == 2
    assert "tabindex" not in pieces[0] and pieces[1]["tabindex"] == "-1"
    assert "id" in pieces[0] and "id" not in pieces[1]


def test_overlapping_claims_link_to_the_innermost_and_list_both(client, article):
    outer = published_claim(article, (0, 60), text="Extérieur")
    inner = published_claim(article, (10, 30), text="Intérieur")
    parsed = article_text(html_of(client.get(f"/articles/{article.slug}/")))
    hrefs = [link["href"] for link in parsed.links]
    assert hrefs == [
        f"/fact-checks/{outer.slug}/",
        f"/fact-checks/{inner.slug}/",
        f"/fact-checks/{outer.slug}/",
    ]
    assert [m["data-claims"] for m in parsed.marks] == ["1", "2 1", "1"]


def test_article_without_a_published_fact_check_is_not_public(client, article):
    draft_claim(article, sentence(article, 3), text="Caché")
    response = client.get(f"/articles/{article.slug}/")
    assert response.status_code == 404
    unknown = client.get("/articles/no-such-article/")
    assert response.content.replace(article.slug.encode(), b"") == unknown.content.replace(
        b"no-such-article", b""
    )
    assert client.get(f"/articles/{article.slug}/annotations.jsonld").status_code == 404


# -- the fact-check page -------------------------------------------------------------------------


def test_fact_check_page_shows_the_published_verdict_with_sources(client, article):
    claim = published_claim(article, sentence(article, 4), text="Vérifié", verdict="Inexact")
    response = client.get(f"/fact-checks/{claim.slug}/")
    assert response.status_code == 200
    html = html_of(response)
    assert claim.exact in html  # the quote, verbatim
    assert "Vérifié statement" in html and "Vérifié claimant" in html
    assert "10 February 2025" in html  # date of the claim
    rating = Rating.objects.get(label="Inexact")
    english = rating.translations["en"]
    assert f'lang="en">{english["label"]}</span>' in html
    assert escape(english["description"]) in html
    assert "2 on our scale from 1 to 5." in html
    assert "<p>Vérifié ruling, first paragraph.</p>" in html
    assert "<p>Vérifié ruling, second paragraph.</p>" in html
    for n in range(2):
        assert f'href="https://example.org/v-rifi-/{n}"' in html or "example.org/" in html
        assert f"Vérifié source title {n}" in html
        assert f"Vérifié excerpt {n}" in html
        assert f'href="https://archive.example.org/{n}"' in html
    assert "Vérifié publisher" in html and "Refutes the claim" in html
    assert f'href="/articles/{article.slug}/#fc-{claim.slug}"' in html
    # The original article, scrolled to the quote by a text fragment.
    assert 'href="https://news.example.org/article-original?ref=1#:~:text=' in html
    assert f'<link rel="canonical" href="{SITE}/fact-checks/{claim.slug}/">' in html
    assert '<meta property="og:title" content="Inaccurate: Vérifié statement">' in html
    assert '<meta property="og:type" content="article">' in html
    assert len(ld_json_scripts(html)) == 1


def test_text_fragment_link_encodes_the_quote():
    from claims.public.links import text_fragment_url

    assert text_fragment_url("https://x.org/a#old", "deux-trois, quatre & cinq") == (
        "https://x.org/a#:~:text=deux%2Dtrois%2C%20quatre%20%26%20cinq"
    )
    long = " ".join(f"mot{i}" for i in range(30))
    assert text_fragment_url("https://x.org/a", long) == (
        "https://x.org/a#:~:text=mot0%20mot1%20mot2%20mot3%20mot4,"
        "mot25%20mot26%20mot27%20mot28%20mot29"
    )


def test_versions_show_dated_notes_above_the_verdict(client, article):
    claim = published_claim(article, sentence(article, 5), text="Évolutif", versions=3)
    html = html_of(client.get(f"/fact-checks/{claim.slug}/"))
    assert "Évolutif v3 statement" in html and "Évolutif v2 statement" not in html
    notes = html.index("Updates and corrections")
    assert html.index("Évolutif note 3") < html.index("Évolutif note 2")  # newest first
    assert notes < html.index('id="verdict-title"')
    assert ">Correction</span>" in html and ">Update</span>" in html
    assert "Updated" in html


def test_an_update_in_progress_leaves_the_published_version_public(client, article):
    claim = published_claim(article, sentence(article, 6), text="Publié", verdict="Faux")
    editor, _ = people()
    workflow.start_update(claim.pk, editor)
    edit(claim, text="Retravaillé", verdict="Vrai", correction=("update", "Note en cours"))
    workflow.submit(claim.pk, editor)
    for path in (f"/fact-checks/{claim.slug}/", "/", f"/articles/{article.slug}/"):
        html = html_of(client.get(path))
        assert "Publié statement" in html
        assert "Retravaillé" not in html and "Note en cours" not in html


def test_withdrawn_fact_check_keeps_its_address_without_verdict(client, article):
    published_claim(article, sentence(article, 1), text="Gardé")
    gone = published_claim(article, sentence(article, 8), text="Retiré", verdict="Trompeur")
    _, reviewer = people()
    workflow.withdraw(gone.pk, reviewer, "La source principale s’est révélée falsifiée.")
    gone.refresh_from_db()
    response = client.get(f"/fact-checks/{gone.slug}/")
    assert response.status_code == 200
    html = html_of(response)
    assert "We withdrew this fact-check on" in html
    assert "La source principale s’est révélée falsifiée." in html
    assert '<meta name="robots" content="noindex">' in html
    for hidden in ("Trompeur", "Retiré ruling", "Retiré source title", "Our verdict"):
        assert hidden not in html
    assert ld_json_scripts(html) == []
    home = html_of(client.get("/"))
    assert "Retiré statement" not in home and "Gardé statement" in home
    assert "?verdict=trompeur" not in home
    article_page = html_of(client.get(f"/articles/{article.slug}/"))
    assert gone.slug not in article_page and "Retiré" not in article_page
    # Machines learn of the withdrawal (tests/test_machine_output.py), never the verdict again.
    for machine in ("/fact-checks.atom", "/claim-reviews.json"):
        text = client.get(machine).content.decode()
        assert "Retiré statement" in text and "Trompeur" not in text
        assert "Retiré ruling" not in text and "Retiré source" not in text
    annotations = client.get(f"/articles/{article.slug}/annotations.jsonld").content.decode()
    assert "Retiré" not in annotations
    corrections = html_of(client.get("/corrections/"))
    assert "Retiré statement" in corrections and ">Withdrawn</span>" in corrections


def test_a_withdrawn_only_article_stays_readable_without_highlights(client, article):
    gone = published_claim(article, sentence(article, 8), text="Seul")
    workflow.withdraw(gone.pk, people()[1], "Erreur.")
    response = client.get(f"/articles/{article.slug}/")
    assert response.status_code == 200
    assert "<mark" not in html_of(response)
    assert "No passage of this article currently has a published verdict." in html_of(response)


# -- methodology, corrections ---------------------------------------------------------------------


def test_methodology_explains_every_rating_of_the_scale(client):
    html = html_of(client.get("/methodology/"))
    for rating in Rating.objects.all():
        english = rating.translations["en"]
        assert f'lang="en">{english["label"]}</span>' in html
        assert escape(english["description"]) in html
    assert "from 1 to 5" in html
    assert "second journalist" in html


def test_corrections_lists_every_note_newest_first(client, article):
    a = published_claim(article, sentence(article, 2), text="Alpha", versions=2)
    b = published_claim(article, sentence(article, 3), text="Bêta", versions=3)
    html = html_of(client.get("/corrections/"))
    order = [html.index(t) for t in ("Bêta note 3", "Bêta note 2", "Alpha note 2")]
    assert order == sorted(order)
    assert f'href="/fact-checks/{a.slug}/"' in html and f'href="/fact-checks/{b.slug}/"' in html


# -- machine-readable output ------------------------------------------------------------------


def test_atom_feed_lists_current_fact_checks_with_absolute_links(client, two_published):
    first, second = two_published
    response = client.get("/fact-checks.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"{SITE}/fact-checks/{second.slug}/",
        f"{SITE}/fact-checks/{first.slug}/",
    ]
    entry = entries[0]
    assert entry.find(f"{ATOM}title").text == "Vrai: Second statement"
    assert entry.find(f"{ATOM}category").get("term") == "Vrai"
    assert "Second ruling, first paragraph." in entry.find(f"{ATOM}summary").text
    assert entry.find(f"{ATOM}id").text == f"{SITE}/fact-checks/{second.slug}/"
    assert entry.find(f"{ATOM}published") is not None
    assert entry.find(f"{ATOM}updated") is not None


def test_claim_reviews_json_is_paginated(client, article, monkeypatch):
    monkeypatch.setattr(conf, "CLAIM_REVIEWS_PAGE_SIZE", 2)
    for i in range(3):
        published_claim(article, sentence(article, i), text=f"Json {i}")
    response = client.get("/claim-reviews.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert (data["count"], data["page"], data["pages"]) == (3, 1, 2)
    assert data["previous"] is None
    assert data["next"] == f"{SITE}/claim-reviews.json?page=2"
    assert response["Link"] == f'<{SITE}/claim-reviews.json?page=2>; rel="next"'
    assert [item["claimReviewed"] for item in data["items"]] == [
        "Json 2 statement",
        "Json 1 statement",
    ]
    last = json.loads(client.get("/claim-reviews.json?page=2").content)
    assert [item["claimReviewed"] for item in last["items"]] == ["Json 0 statement"]
    assert last["next"] is None
    assert client.get("/claim-reviews.json?page=3").status_code == 404
    assert client.get("/claim-reviews.json?page=x").status_code == 404


def test_verdict_stylesheet_has_a_class_per_rating(client):
    response = client.get("/verdicts.css")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    for rating in Rating.objects.all():
        assert f".v-{rating.pk}{{--verdict:{rating.colour};" in css
    assert response["Cache-Control"] == "no-cache"
    html = html_of(client.get("/methodology/"))
    versioned = re.search(r'href="(/verdicts\.css\?v=[0-9a-f]+)"', html).group(1)
    assert "immutable" in client.get(versioned)["Cache-Control"]
    Rating.objects.filter(label="Faux").update(colour="#123456")
    html = html_of(client.get("/methodology/"))
    assert versioned not in html  # the address changes with the scale
    assert "#123456" in client.get("/verdicts.css").content.decode()


def test_ink_on_a_light_verdict_colour_is_dark():
    from claims.public.scale import Scale

    scale = Scale.from_rows([(1, "Clair", "", None, "#fde68a", 0), (2, "Sombre", "", 1, "x", 1)])
    assert "--verdict-ink:#000000" in scale.stylesheet
    assert ".v-2{--verdict:#4b5563;--verdict-ink:#ffffff}" in scale.stylesheet  # bad colour


# -- errors and hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/fact-checks/no-such-fact-check/",
        "/articles/no-such-article/",
        "/articles/no-such-article/annotations.jsonld",
        "/fact-checks/" + "a" * 500 + "/",
    ],
)
def test_unknown_slugs_get_the_styled_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = html_of(response)
    assert "Page not found" in html and 'class="masthead"' in html
    assert "/static/css/public.css" in html


def test_a_never_published_claim_has_no_address(client, article):
    claim = draft_claim(article, sentence(article, 3), text="Jamais")
    Claim.objects.filter(pk=claim.pk).update(slug="jamais-publie")  # even with a slug
    assert client.get("/fact-checks/jamais-publie/").status_code == 404


def test_hostile_query_strings_never_get_a_server_error(client, article):
    claim = published_claim(article, sentence(article, 2), text="Robuste")
    paths = [*PUBLIC_PATHS, f"/articles/{article.slug}/", f"/fact-checks/{claim.slug}/"]
    paths.append(f"/articles/{article.slug}/annotations.jsonld")
    for line in BLNS_LINES:
        encoded = quote(line, safe="")
        for path in paths:
            status = client.get(f"{path}?{encoded}").status_code
            assert status < 500, (path, line)
            raw = line.encode("utf-8", "surrogatepass").decode("latin-1")
            status = client.get(path, QUERY_STRING=raw).status_code
            assert status < 500, (path, "raw", line)
        for path in ("/", "/claim-reviews.json"):
            assert client.get(path, {"page": line}).status_code in (200, 404), line
        assert client.get("/", {"verdict": line}).status_code in (200, 404), line
        assert client.get(f"/fact-checks/{encoded}/").status_code < 500, line
        assert client.get(f"/articles/{encoded}/").status_code < 500, line
    assert len(pages._pages) <= conf.PAGE_CACHE_ENTRIES  # bounded, whatever was asked


def test_only_get_and_head(client):
    assert client.head("/").status_code == 200
    assert client.head("/").content == b""
    assert client.post("/").status_code in (403, 405)
    assert client.delete("/").status_code == 405


# -- caching --------------------------------------------------------------------------------------


def test_conditional_get_answers_304_until_something_is_published(client, article):
    published_claim(article, sentence(article, 2), text="Cache")
    paths = [*PUBLIC_PATHS, f"/articles/{article.slug}/"]
    etags = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        etag = response["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
        assert response["Cache-Control"] == "no-cache" or "immutable" in response["Cache-Control"]
        assert "Last-Modified" not in response
        again = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, path
        assert again.content == b"" and again["ETag"] == etag
        etags[path] = etag
    published_claim(article, sentence(article, 9), text="Nouveau")
    for path in ("/", "/fact-checks.atom", "/claim-reviews.json", f"/articles/{article.slug}/"):
        response = client.get(path, HTTP_IF_NONE_MATCH=etags[path])
        assert response.status_code == 200, path
        assert response["ETag"] != etags[path]
        assert "Nouveau statement" in response.content.decode()
    # Nothing on the methodology page changed: same content, same ETag, still a 304.
    assert client.get("/methodology/", HTTP_IF_NONE_MATCH=etags["/methodology/"]).status_code == 304


def test_a_rendered_page_is_reused_with_one_query_until_the_stamp_changes(client, article):
    published_claim(article, sentence(article, 2), text="Réutilisé")
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert len(queries) == 1, [q["sql"] for q in queries]  # the stamp
    # A change made behind the application's back (another server, the shell)
    # is seen on the very next request.
    Claim.objects.filter(slug__isnull=False).update(
        status=ClaimStatus.WITHDRAWN, withdrawn_reason="Retrait direct."
    )
    assert "Réutilisé statement" not in html_of(client.get("/"))


def test_no_worker_keeps_serving_a_page_after_an_approval(client, article, monkeypatch):
    """Several workers: each keeps its own pages, and every one follows the database."""
    from claims.public import page_cache

    published_claim(article, sentence(article, 2), text="Premier")
    workers = [page_cache.PageCache(conf.PAGE_CACHE_ENTRIES) for _ in range(3)]
    for worker in workers:
        monkeypatch.setattr(page_cache, "pages", worker)
        assert "Premier statement" in html_of(client.get("/"))
        assert worker.has(page_cache.key(client.get("/").wsgi_request.META))
    published_claim(article, sentence(article, 9), text="Approuvé")  # by "another worker"
    for worker in workers:
        monkeypatch.setattr(page_cache, "pages", worker)
        assert "Approuvé statement" in html_of(client.get("/"))


# -- headers -------------------------------------------------------------------------------------


def security_headers_of(response):
    from django.conf import settings

    assert response[str(CSP.HEADER_ENFORCE)] == build_policy(settings.SECURE_CSP)
    assert "script-src 'self'" in response[str(CSP.HEADER_ENFORCE)]
    assert "'unsafe-inline'" not in response[str(CSP.HEADER_ENFORCE)]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response[str(CSP.HEADER_ENFORCE)]
    assert not response.cookies  # no session, no CSRF cookie
    # The interface language follows the switcher's cookie, else Accept-Language.
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert response["Content-Language"] in ("en", "fr")


def test_every_public_response_has_the_security_headers(client, article):
    claim = published_claim(article, sentence(article, 2), text="Entêtes")
    paths = [
        *PUBLIC_PATHS,
        f"/articles/{article.slug}/",
        f"/articles/{article.slug}/annotations.jsonld",
        f"/fact-checks/{claim.slug}/",
        "/fact-checks/unknown/",
        "/?page=99",
    ]
    for path in paths:
        first = client.get(path)  # rendered by the view
        second = client.get(path)  # served from the stored page
        for response in (first, second):
            security_headers_of(response)
        assert sorted(k for k in first.headers if k != "Date") == sorted(
            k for k in second.headers if k != "Date"
        ), path
        if first.status_code == 200:
            security_headers_of(client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]))


def test_public_pages_speak_the_language_the_reader_asks_for(client, article):
    """The interface follows the reader (cookie, else Accept-Language); content does not."""
    published_claim(article, sentence(article, 2), text="Langue")
    english = client.get("/")
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    client.cookies["django_language"] = "fr"
    cookie = client.get("/")
    assert english["Content-Language"] == "en"
    assert '<html lang="en">' in html_of(english)
    assert "10 February 2025" in html_of(english)
    for response in (french, cookie):
        assert response["Content-Language"] == "fr"
        assert "Accept-Language" in response["Vary"]
        assert '<html lang="fr">' in html_of(response)
        assert "10 février 2025" in html_of(response)
        assert "Langue statement" in html_of(response)
    assert cookie.content == french.content


def test_a_host_that_is_not_allowed_is_refused_even_for_a_page_in_the_cache(client, article):
    published_claim(article, sentence(article, 2), text="Hôte")
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # now served from the stored page
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    # Links are on SITE_URL whichever allowed host was asked: one page for all.
    assert "localhost" not in html_of(response)
    assert f'<link rel="canonical" href="{SITE}/">' in html_of(response)
    assert response.content == client.get("/").content


def test_json_ld_in_the_page_cannot_close_its_script(client, article):
    claim = draft_claim(article, sentence(article, 2), text="</script><script>alert(1)</script>")
    claim = publish(claim)
    html = html_of(client.get(f"/fact-checks/{claim.slug}/"))
    assert "</script><script>alert(1)" not in html
    (data,) = ld_json_scripts(html)
    assert data["claimReviewed"] == "</script><script>alert(1)</script> statement"


def test_public_pages_ignore_the_session_and_never_set_a_cookie(client, article, editor):
    published_claim(article, sentence(article, 2), text="Anonyme")
    client.force_login(editor)
    response = client.get("/")
    assert response.status_code == 200
    assert not response.cookies
    assert "pub-editor" not in html_of(response) and "Log out" not in html_of(response)


def test_public_verdict_ink_reaches_wcag_aa_on_any_colour():
    """A colour an admin may choose (#c34bb4 gave 4.21:1 with the old near-black rule)."""
    from claims.colours import contrast_ratio
    from claims.public.scale import Scale

    colours = ["#c34bb4"] + [
        f"#{r:x}{r:x}{g:x}{g:x}{b:x}{b:x}"
        for r in range(16)
        for g in range(0, 16, 3)
        for b in range(0, 16, 5)
    ]
    scale = Scale.from_rows([(i, f"V{i}", "", None, c, i) for i, c in enumerate(colours)])
    for rating in scale.ratings:
        ink = re.search(
            rf"\.{rating.css_class}{{--verdict:[^;]+;--verdict-ink:(#[0-9a-f]+)}}", scale.stylesheet
        ).group(1)
        assert contrast_ratio(ink, rating.colour) >= 4.5, rating.colour
