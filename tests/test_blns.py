"""The Big List of Naughty Strings through every text field of the desk.

Each line goes through the Load article form (title, outlet, byline, image caption and credit,
and the Text body) and through the claim panel's Save (claim, claimant, ruling, and a source's
title, publisher and excerpt). For every line: never a 5xx; what is accepted is stored exactly
as sent (surrounding whitespace aside, which Django's CharField strips; the body is the
canonical text); what is refused is a 4xx with a message beside the field; and the page that
shows it afterwards contains it escaped, never as markup.

The lines are batched (all fields of one form at once, one logged-in client, one claim saved
again and again) so that the whole list runs in a few seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils.html import escape

from claims import services
from claims.anchoring import make_anchor
from claims.models import Article, Claim, ClaimStatus, Source
from claims.text import canonicalize

BLNS = Path(__file__).with_name("blns.txt")
# Split on "\n" only: some lines hold U+2028, U+0085, VT or FF, which are part of the string.
LINES = [
    line
    for line in BLNS.read_text(encoding="utf-8").split("\n")
    if line and not line.startswith("#")
]
HX = {"HTTP_HX_REQUEST": "true"}
MARKUP_CHARS = "<>&\"'"

ARTICLE_FIELDS = ["title", "outlet", "byline", "image_caption", "image_credit"]
CLAIM_FIELDS = ["statement", "claimant", "ruling"]
SOURCE_FIELDS = ["title", "publisher", "excerpt"]
SAFE_ARTICLE = {
    "title": "Safe title",
    "outlet": "",
    "byline": "",
    "url": "",
    "language": "en",
    "published_on": "",
    "image_caption": "",
    "image_credit": "",
    "text": "Safe body.",
}
SAFE_CLAIM = {"statement": "Safe", "claimant": "", "ruling": ""}
SAFE_SOURCE = {"title": "Safe source", "publisher": "", "excerpt": ""}


def test_blns_is_there():
    assert len(LINES) > 500
    assert any("<script>" in line for line in LINES)


# --- parsing what the page shows ------------------------------------------------------------


class _Structure(HTMLParser):
    """Tag counts, inline handlers, the article's paragraphs and a few elements' text."""

    WATCH = {"article-title", "article-caption", "article-credit", "article-meta"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.handlers: list[str] = []
        self.paragraphs: list[tuple[int, int, str]] = []
        self.texts: dict[str, str] = {}
        self._p: list | None = None
        self._open: list[tuple[str, str | None]] = []  # (tag, watched key)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.handlers += [name for name, _ in attrs if name.startswith("on") or name == "style"]
        if tag in {"input", "meta", "link", "br", "img"}:
            return
        key = a.get("id") if a.get("id") in self.WATCH else None
        classes = (a.get("class") or "").split()
        key = key or next((c for c in classes if c in self.WATCH), None)
        if key:
            self.texts.setdefault(key, "")
        self._open.append((tag, key))
        if tag == "p" and "data-offset" in a:
            self._p = [int(a["data-offset"]), int(a["data-end"]), []]

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _key = self._open.pop()
            if open_tag == tag:
                break
        if tag == "p" and self._p is not None:
            self.paragraphs.append((self._p[0], self._p[1], "".join(self._p[2])))
            self._p = None

    def handle_data(self, data):
        for _tag, key in self._open:
            if key:
                self.texts[key] += data
        if self._p is not None:
            self._p[2].append(data)


def structure(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser


def assert_shown_escaped(html: str, value: str, where: str):
    """`value` is in the page escaped and, when it holds markup, never raw."""
    if value:
        assert escape(value) in html, where
    if "<" in value and value != escape(value):
        assert value not in html, where


def assert_no_injected_markup(html: str, baseline: _Structure, where: str) -> _Structure:
    """The page has the same scripts, links, forms... as a page showing harmless values."""
    found = structure(html)
    assert found.handlers == baseline.handlers, where
    for tag in ("script", "img", "svg", "iframe", "object", "embed", "style", "a", "form"):
        assert found.tags[tag] == baseline.tags[tag], (where, tag)
    for tag in found.tags:
        assert tag in baseline.tags, (where, tag)
    return found


# --- articles -------------------------------------------------------------------------------


def check_article_page(client, article: Article, baseline: _Structure, line: str):
    response = client.get(f"/desk/articles/{article.pk}/")
    assert response.status_code == 200, repr(line)
    html = response.content.decode()
    for name in ARTICLE_FIELDS:
        assert_shown_escaped(html, getattr(article, name), f"{name}: {line!r}")
    page = assert_no_injected_markup(html, baseline, repr(line))
    if article.title:
        assert page.texts["article-title"] == article.title, repr(line)
    if article.image_credit:
        assert page.texts["article-credit"] == article.image_credit, repr(line)
    # The article text: each paragraph's text is exactly its slice of the body.
    assert page.paragraphs, repr(line)
    for start, end, text in page.paragraphs:
        assert text == article.body[start:end], repr(line)
    assert "\n\n".join(text for _s, _e, text in page.paragraphs) == article.body, repr(line)


def refused_beside(response, field: str, line: str):
    assert 400 <= response.status_code < 500, (field, repr(line), response.status_code)
    html = response.content.decode()
    assert "The article was not loaded" in html, repr(line)
    assert re.search(rf'<ul class="errorlist" id="id_{field}_error"><li>[^<]+', html), (
        field,
        repr(line),
    )


def post_article(client, data):
    response = client.post("/desk/articles/new/", data)
    assert response.status_code < 500, repr(data)
    return response


def created(response) -> Article:
    match = re.fullmatch(r"/desk/articles/(\d+)/", response["Location"])
    return Article.objects.get(pk=int(match.group(1)))


@pytest.fixture
def baseline_article_page(editor_client, editor):
    article = services.create_article(
        editor,
        title="Safe",
        outlet="Outlet",
        byline="Byline",
        image_caption="Caption",
        image_credit="Credit",
        language="en",
        body="Safe body.",
    )
    page = structure(editor_client.get(f"/desk/articles/{article.pk}/").content.decode())
    article.delete()
    return page


def test_blns_through_the_load_article_form(editor_client, baseline_article_page):
    client, baseline = editor_client, baseline_article_page
    accepted = refused = 0
    for line in LINES:
        data = {**SAFE_ARTICLE, **dict.fromkeys(ARTICLE_FIELDS, line), "text": line}
        response = post_article(client, data)
        if response.status_code == 302:
            article = created(response)
            for name in ARTICLE_FIELDS:
                assert getattr(article, name) == line.strip(), (name, repr(line))
            assert article.body == canonicalize(line), repr(line)
            check_article_page(client, article, baseline, line)
            article.delete()
            accepted += 1
            continue
        assert response.status_code == 400, repr(line)
        # Which field refused it? Try each alone, with safe values in the others.
        for name in [*ARTICLE_FIELDS, "text"]:
            response = post_article(client, {**SAFE_ARTICLE, name: line})
            if response.status_code == 302:
                article = created(response)
                if name == "text":
                    assert article.body == canonicalize(line), repr(line)
                else:
                    assert getattr(article, name) == line.strip(), (name, repr(line))
                check_article_page(client, article, baseline, line)
                article.delete()
            else:
                refused_beside(response, name, line)
                refused += 1
    assert accepted > 400
    assert Article.objects.count() == 0


# --- claims and sources ---------------------------------------------------------------------


def save_data(version, claim_fields, source_fields):
    data = {
        "action": "save",
        "version": str(version),
        "claim_date": "",
        "rating": "",
        **claim_fields,
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "1",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "50",
        "sources-0-id": "",
        "sources-0-url": "https://example.org/source",
        "sources-0-stance": "context",
        "sources-0-published_on": "",
        "sources-0-accessed_on": "",
        "sources-0-archive_url": "",
    }
    for name, value in source_fields.items():
        data[f"sources-0-{name}"] = value
    return data


@pytest.fixture
def small_claim(editor):
    article = services.create_article(
        editor, title="Small", language="en", body="A short sentence. Another one."
    )
    return services.create_claim(article, editor, make_anchor(article.body, 0, 17))


def test_blns_through_the_claim_panel(editor_client, small_claim):
    client, claim = editor_client, small_claim
    url = f"/desk/claims/{claim.pk}/"
    baseline_html = client.post(
        url, save_data(claim.version, SAFE_CLAIM, SAFE_SOURCE), **HX
    ).content.decode()
    baseline = structure(baseline_html)
    version = Claim.objects.get(pk=claim.pk).version
    accepted = 0

    def save(claim_fields, source_fields, line):
        nonlocal version
        response = client.post(url, save_data(version, claim_fields, source_fields), **HX)
        assert response.status_code < 500, repr(line)
        if response.status_code == 200:
            version += 1
            stored = Claim.objects.get(pk=claim.pk)
            assert stored.version == version
            source = Source.objects.get(claim=claim)
            html = response.content.decode()
            for name, value in claim_fields.items():
                assert getattr(stored, name) == value.strip(), (name, repr(line))
                assert_shown_escaped(html, value.strip(), f"{name}: {line!r}")
            for name, value in source_fields.items():
                assert getattr(source, name) == value.strip(), (name, repr(line))
                assert_shown_escaped(html, value.strip(), f"source {name}: {line!r}")
            if any(c in line for c in MARKUP_CHARS):
                assert_no_injected_markup(html, baseline, repr(line))
        else:
            assert response.status_code == 422, repr(line)
            html = response.content.decode()
            assert "Nothing was saved" in html, repr(line)
            assert re.search(r'<ul class="errorlist" id="id_[a-z0-9_-]+_error"><li>[^<]+', html)
            assert Claim.objects.get(pk=claim.pk).version == version
        return response.status_code

    for line in LINES:
        status = save(dict.fromkeys(CLAIM_FIELDS, line), dict.fromkeys(SOURCE_FIELDS, line), line)
        if status == 200:
            accepted += 1
            continue
        for name in CLAIM_FIELDS:
            save({**SAFE_CLAIM, name: line}, SAFE_SOURCE, line)
        for name in SOURCE_FIELDS:
            save(SAFE_CLAIM, {**SAFE_SOURCE, name: line}, line)
    assert accepted > 400


MARKUP_LINES = [line for line in LINES if any(c in line for c in MARKUP_CHARS)]


def test_blns_markup_in_read_only_panel_and_lists(client, reviewer, small_claim):
    """A reviewer sees claims in review read-only: values are escaped there too."""
    article = small_claim.article
    claims = []
    for line in MARKUP_LINES:
        value = line.strip()
        claim = Claim.objects.create(
            article=article,
            start=0,
            end=17,
            exact=article.body[:17],
            status=ClaimStatus.IN_REVIEW,
            statement=value[:500],
            claimant=value[:200],
            ruling=value,
            created_by=reviewer,
        )
        Source.objects.create(
            claim=claim,
            url="https://example.org/",
            title=value[:500],
            publisher=value[:200],
            excerpt=value[:2000],
        )
        claims.append((claim, value))
    client.force_login(reviewer)
    Claim.objects.filter(pk=small_claim.pk).update(
        status=ClaimStatus.IN_REVIEW, statement="Safe", claimant="Safe", ruling="Safe"
    )
    Source.objects.create(
        claim=small_claim,
        url="https://example.org/",
        title="Safe",
        publisher="Safe",
        excerpt="Safe",
    )
    baseline = structure(client.get(f"/desk/claims/{small_claim.pk}/", **HX).content.decode())
    for claim, value in claims:
        response = client.get(f"/desk/claims/{claim.pk}/", **HX)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="form claim-form"' not in html
        assert_shown_escaped(html, value[:200], repr(value))
        assert_shown_escaped(html, value, repr(value))
        assert_no_injected_markup(html, baseline, repr(value))
    # The lists: the annotating screen's claim list and the desk's "My claims".
    for path in (f"/desk/articles/{article.pk}/", "/desk/"):
        html = client.get(path).content.decode()
        page = structure(html)
        assert page.handlers == []
        assert page.tags["script"] == 2
        for _claim, value in claims:
            if "<" in value and value != escape(value):
                assert value not in html, (path, value)
