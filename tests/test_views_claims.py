"""The annotating screen's htmx endpoints: create a claim, edit it in the panel, move, delete.

Every endpoint is exercised as htmx calls it (HX-Request header, fragments back) and as a
plain browser form post (redirect or full page), with the roles of DESIGN §2.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from claims import services
from claims.anchoring import make_anchor
from claims.models import Claim, ClaimStatus, Rating, Source

HX = {"HTTP_HX_REQUEST": "true"}

# --- helpers --------------------------------------------------------------------------------


class _FormValues(HTMLParser):
    """name -> list of values of the inputs, textareas and selects of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._selected: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") not in {"submit", "button"} and "name" in attrs:
            self.values.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self._text = []
        elif tag == "select":
            self._select = attrs.get("name")
            self._selected = ""
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self._selected = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # Django writes a newline after <textarea>; browsers drop it, so do we.
            if text.startswith("\n"):
                text = text[1:]
            self.values.setdefault(self._textarea, []).append(text)
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.values.setdefault(self._select, []).append(self._selected or "")
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def claim_form_html(html: str) -> str:
    match = re.search(r'<form class="form claim-form".*?</form>', html, re.S)
    assert match, "no claim form in the response"
    return match.group(0)


def form_values(html: str) -> dict[str, str]:
    """The claim form's fields as a browser would submit them (first value of each name)."""
    parser = _FormValues()
    parser.feed(claim_form_html(html))
    return {name: values[0] for name, values in parser.values.items()}


def their_version_html(html: str) -> str:
    match = re.search(r'<section class="their-version".*?</section>', html, re.S)
    assert match, "no 'Their version' section in the response"
    return match.group(0)


SOURCE_ROW = {
    "id": "",
    "url": "",
    "title": "",
    "publisher": "",
    "published_on": "",
    "accessed_on": "",
    "stance": "context",
    "excerpt": "",
    "archive_url": "",
}


def save_data(
    version,
    *,
    statement="La Terre est plate",
    claimant="Un oncle",
    claimant_kind="",
    claim_date="2025-02-11",
    rating="",
    ruling="Elle ne l'est pas.",
    sources=(),
    action="save",
    initial_forms=None,
):
    """The POST a browser sends from the claim form (the UI renders INITIAL == TOTAL)."""
    data = {
        "action": action,
        "version": str(version),
        "statement": statement,
        "claimant": claimant,
        "claimant_kind": claimant_kind,
        "claim_date": claim_date,
        "rating": str(rating),
        "ruling": ruling,
        "sources-TOTAL_FORMS": str(len(sources)),
        "sources-INITIAL_FORMS": str(len(sources) if initial_forms is None else initial_forms),
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(sources):
        for name, value in {**SOURCE_ROW, **row}.items():
            data[f"sources-{i}-{name}"] = str(value)
    return data


def two_sources():
    return [
        {
            "url": "https://example.org/a",
            "title": "Source A",
            "publisher": "Pub A",
            "stance": "refutes",
            "excerpt": "Extrait A",
            "published_on": "2024-10-03",
        },
        {
            "url": "http://example.net/b?x=1&y=2",
            "title": "Source B",
            "publisher": "Pub B",
            "stance": "supports",
            "archive_url": "https://web.archive.org/web/2024/https://example.net/b",
        },
    ]


def with_three_sources(claim):
    """The demo draft has two sources; some tests move a third one around."""
    Source.objects.create(
        claim=claim, order=2, url="https://example.org/third", title="Third source"
    )
    return Claim.objects.get(pk=claim.pk)


def claim_url(claim):
    return f"/desk/claims/{claim.pk}/"


def snapshot(claim_id):
    """What the database holds for a claim: its fields, version and ordered sources."""
    claim = Claim.objects.get(pk=claim_id)
    sources = list(
        Source.objects.filter(claim_id=claim_id)
        .order_by("order", "pk")
        .values_list("pk", "url", "title", "order")
    )
    return (
        claim.statement,
        claim.claimant,
        claim.ruling,
        claim.rating_id,
        claim.version,
        claim.start,
        claim.end,
        sources,
    )


@pytest.fixture
def article(demo):
    return demo["article"]


@pytest.fixture
def draft(demo, editor):
    """A fresh draft claim (on the demo article's second sentence) with no source."""
    article = demo["article"]
    start, end = article.sentences[1]
    return services.create_claim(article, editor, make_anchor(article.body, start, end))


@pytest.fixture
def faux():
    return Rating.objects.get(label="Faux")


def editor_client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- create a claim from a selection --------------------------------------------------------


def selection(article, index=2):
    start, end = article.sentences[index]
    return {"start": str(start), "end": str(end), "exact": article.body[start:end]}


def test_create_claim_htmx_returns_panel_and_oob_text_and_list(editor_client, article):
    before = Claim.objects.count()
    data = selection(article)
    response = editor_client.post(f"/desk/articles/{article.pk}/claims/", data, **HX)
    assert response.status_code == 201
    html = response.content.decode()
    assert Claim.objects.count() == before + 1
    claim = Claim.objects.latest("pk")
    start, end = int(data["start"]), int(data["end"])
    assert (claim.start, claim.end) == (start, end)
    assert claim.exact == article.body[start:end] == data["exact"]
    assert claim.prefix == article.body[max(0, start - 32) : start]
    assert claim.suffix == article.body[end : end + 32]
    assert claim.status == ClaimStatus.DRAFT and claim.version == 1
    # The panel first (the hx-target), then the text and the list out of band.
    assert html.lstrip().startswith('<section id="claim-panel"')
    assert f'data-claim="{claim.pk}"' in html
    assert re.search(r'<div id="article-text"[^>]*data-hx-swap-oob="true"', html)
    assert re.search(r'<section id="claim-list"[^>]*data-hx-swap-oob="true"', html)
    assert f'data-claims="{claim.pk}"' in html or re.search(
        rf'data-claims="[^"]*\b{claim.pk}\b', html
    )
    assert "Claim created" in html
    assert "<html" not in html


def test_create_claim_trims_surrounding_whitespace(editor_client, article):
    body = article.body
    # A sentence preceded by a space and followed by a space, in the middle of a line.
    for s, e in article.sentences:
        if s > 0 and body[s - 1] == " " and e < len(body) and body[e] == " ":
            break
    else:  # pragma: no cover - the demo article has such sentences
        pytest.fail("no sentence between spaces in the demo article")
    data = {"start": str(s - 1), "end": str(e + 1), "exact": body[s - 1 : e + 1]}
    response = editor_client.post(f"/desk/articles/{article.pk}/claims/", data, **HX)
    assert response.status_code == 201
    claim = Claim.objects.latest("pk")
    assert (claim.start, claim.end, claim.exact) == (s, e, body[s:e])


def test_create_and_move_widen_a_selection_cut_inside_a_character(editor_client, editor):
    """A selection ending between "e" and its combining accent, or inside a flag, is
    stored with the whole character: the quote keeps its accent."""
    body = "Le cafe\u0301 ouvre. Le drapeau 🇫🇷 flotte."
    article = services.create_article(editor, title="Graphèmes", language="fr", body=body)
    end = body.index("\u0301")  # between the "e" and its accent
    data = {"start": "3", "end": str(end), "exact": body[3:end]}
    response = editor_client.post(f"/desk/articles/{article.pk}/claims/", data, **HX)
    assert response.status_code == 201
    claim = Claim.objects.get(article=article)
    assert claim.exact == "cafe\u0301" and (claim.start, claim.end) == (3, end + 1)
    assert "cafe\u0301</blockquote>" in response.content.decode()
    flag = body.index("🇫🇷")
    data = {"start": str(flag + 1), "end": str(flag + 2), "exact": body[flag + 1 : flag + 2]}
    data["version"] = claim.version
    response = editor_client.post(f"/desk/claims/{claim.pk}/anchor/", data, **HX)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.exact == "🇫🇷" and claim.start == flag


def test_create_claim_accepts_crlf_in_exact(editor_client, article):
    """Form submission turns "\\n" into "\\r\\n"; a selection across a line break still works."""
    start = article.body.index("\n\n") - 5
    end = start + 12
    exact = article.body[start:end].replace("\n", "\r\n")
    response = editor_client.post(
        f"/desk/articles/{article.pk}/claims/",
        {"start": start, "end": end, "exact": exact},
        **HX,
    )
    assert response.status_code == 201


def refused_selections(article):
    body = article.body
    para = body.index("\n\n")
    s0, e0 = article.sentences[0]
    return {
        "empty": {"start": "", "end": "", "exact": ""},
        "missing": {},
        "whitespace-only": {"start": str(para), "end": str(para + 2), "exact": "\n\n"},
        "out-of-range": {
            "start": str(len(body) - 3),
            "end": str(len(body) + 10),
            "exact": body[-3:],
        },
        "negative": {"start": "-1", "end": "3", "exact": body[:3]},
        "mismatched-exact": {"start": str(s0), "end": str(e0), "exact": "Something else"},
        "non-numeric": {"start": "abc", "end": "def", "exact": ""},
        "float": {"start": "1.5", "end": "4", "exact": body[1:4]},
        "non-ascii-digits": {"start": "٣", "end": "٥", "exact": body[3:5]},
        "start-after-end": {"start": str(e0), "end": str(s0), "exact": ""},
        "huge": {"start": "0", "end": "9" * 40, "exact": body},
    }


CASES = [
    "empty",
    "missing",
    "whitespace-only",
    "out-of-range",
    "negative",
    "mismatched-exact",
    "non-numeric",
    "float",
    "non-ascii-digits",
    "start-after-end",
    "huge",
]


@pytest.mark.parametrize("case", CASES)
def test_create_claim_refuses_bad_selection_htmx(editor_client, article, case):
    before = Claim.objects.count()
    data = refused_selections(article)[case]
    response = editor_client.post(f"/desk/articles/{article.pk}/claims/", data, **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="selection-message"' in html
    assert 'role="alert"' in html
    assert re.search(r'notice--error" role="alert">[^<]+</p>', html)
    assert response["HX-Retarget"] == "#selection-message"
    assert response["HX-Reswap"] == "outerHTML"
    assert Claim.objects.count() == before


@pytest.mark.parametrize("case", ["empty", "mismatched-exact", "start-after-end"])
def test_create_claim_refusal_without_htmx_is_full_page_400(editor_client, article, case):
    before = Claim.objects.count()
    data = refused_selections(article)[case]
    response = editor_client.post(f"/desk/articles/{article.pk}/claims/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and 'id="article-text"' in html
    assert re.search(r'<div id="selection-message"[^>]*><p class="notice notice--error"', html)
    assert Claim.objects.count() == before


def test_create_claim_without_htmx_redirects_to_the_claim(editor_client, article):
    response = editor_client.post(f"/desk/articles/{article.pk}/claims/", selection(article))
    claim = Claim.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/articles/{article.pk}/?claim={claim.pk}"
    page = editor_client.get(response["Location"])
    assert page.status_code == 200
    assert f'data-claim="{claim.pk}"' in page.content.decode()


def test_create_claim_on_unknown_article_is_404(editor_client, article):
    response = editor_client.post("/desk/articles/999999/claims/", selection(article), **HX)
    assert response.status_code == 404


def test_create_claim_get_not_allowed(editor_client, article):
    assert editor_client.get(f"/desk/articles/{article.pk}/claims/").status_code == 405


def test_create_claim_by_reviewer(client, reviewer, article):
    client.force_login(reviewer)
    response = client.post(f"/desk/articles/{article.pk}/claims/", selection(article), **HX)
    assert response.status_code == 201
    assert Claim.objects.latest("pk").created_by == reviewer


# --- the claim panel ------------------------------------------------------------------------


def test_panel_get_htmx_is_a_fragment(editor_client, demo):
    claim = with_three_sources(demo["claims"][2])
    response = editor_client.get(claim_url(claim), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claim-panel"')
    assert "<html" not in html
    assert "hx-swap-oob" not in html
    values = form_values(html)
    assert values["statement"] == claim.statement
    assert values["claimant"] == claim.claimant
    assert values["version"] == str(claim.version)
    assert values["sources-TOTAL_FORMS"] == "3"
    assert values["sources-INITIAL_FORMS"] == "3"
    titles = [values[f"sources-{i}-title"] for i in range(3)]
    assert titles == list(claim.sources.order_by("order").values_list("title", flat=True))
    for label in ("Claim", "Claimant", "Verdict", "Ruling", "URL", "Title"):
        assert f">{label}</label>" in html
    assert ">Save</button>" in html and ">Add source</button>" in html


def test_panel_get_without_htmx_redirects_to_the_article(editor_client, demo):
    claim = demo["claims"][2]
    response = editor_client.get(claim_url(claim))
    assert response.status_code == 302
    assert response["Location"] == f"/desk/articles/{claim.article_id}/?claim={claim.pk}"


def test_save_valid_claim_with_two_sources(editor_client, draft, faux, editor):
    data = save_data(draft.version, rating=faux.pk, sources=two_sources())
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved." in html
    draft.refresh_from_db()
    assert draft.statement == "La Terre est plate"
    assert draft.claimant == "Un oncle"
    assert draft.ruling == "Elle ne l'est pas."
    assert draft.rating == faux
    assert str(draft.claim_date) == "2025-02-11"
    assert draft.version == 2
    assert draft.updated_by == editor
    sources = list(draft.sources.order_by("order"))
    assert [(s.title, s.url, s.order, s.stance) for s in sources] == [
        ("Source A", "https://example.org/a", 0, "refutes"),
        ("Source B", "http://example.net/b?x=1&y=2", 1, "supports"),
    ]
    assert sources[0].publisher == "Pub A" and sources[0].excerpt == "Extrait A"
    assert str(sources[0].published_on) == "2024-10-03"
    assert sources[1].archive_url.startswith("https://web.archive.org/")
    # The response is the refreshed panel (with the new version and the source ids) + oob.
    values = form_values(html)
    assert values["version"] == "2"
    assert values["sources-0-id"] == str(sources[0].pk)
    assert values["sources-1-id"] == str(sources[1].pk)
    assert re.search(r'<div id="article-text"[^>]*data-hx-swap-oob="true"', html)
    assert re.search(r'<section id="claim-list"[^>]*data-hx-swap-oob="true"', html)


def test_the_kind_of_claimant_is_saved_shown_and_checked(editor_client, draft):
    data = save_data(draft.version, claimant_kind="organisation")
    html = editor_client.post(claim_url(draft), data, **HX).content.decode()
    draft.refresh_from_db()
    assert draft.claimant_kind == "organisation"
    assert form_values(html)["claimant_kind"] == "organisation"
    assert ">Not stated</option>" in html
    assert draft.events.latest("pk").changes["claimant kind"] == ["", "organisation"]
    # Anything but the two kinds (or none) is refused, and what was typed is kept.
    data = save_data(draft.version, claimant="Gardé", claimant_kind="robot")
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 422
    assert form_values(response.content.decode())["claimant"] == "Gardé"
    assert 'id="id_claimant_kind_error"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.claimant_kind == "organisation"


def test_save_without_htmx_redirects(editor_client, draft):
    response = editor_client.post(claim_url(draft), save_data(draft.version))
    assert response.status_code == 302
    assert response["Location"] == f"/desk/articles/{draft.article_id}/?claim={draft.pk}"
    draft.refresh_from_db()
    assert draft.version == 2 and draft.statement == "La Terre est plate"


def test_save_updates_reorders_and_deletes_existing_sources(editor_client, demo):
    claim = with_three_sources(demo["claims"][2])
    old = list(claim.sources.order_by("order"))
    rows = [
        {"id": old[2].pk, "url": old[2].url, "title": "Third, now first", "stance": "context"},
        {"id": old[0].pk, "url": old[0].url, "title": old[0].title, "stance": old[0].stance},
        {"url": "https://example.com/new", "title": "Brand new", "stance": "supports"},
    ]
    data = save_data(claim.version, sources=rows, rating=claim.rating_id)
    response = editor_client.post(claim_url(claim), data, **HX)
    assert response.status_code == 200
    now = list(Source.objects.filter(claim=claim).order_by("order"))
    assert [s.title for s in now] == ["Third, now first", old[0].title, "Brand new"]
    assert [s.order for s in now] == [0, 1, 2]
    assert now[0].pk == old[2].pk and now[1].pk == old[0].pk
    assert not Source.objects.filter(pk=old[1].pk).exists()


BAD_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://x",
    "ftp://example.org/file",
    "not a url",
    "http://",
    "javascript://example.org/%0Aalert(1)",
]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_save_refuses_non_web_source_url_and_keeps_typed_values(editor_client, draft, bad):
    before = snapshot(draft.pk)
    rows = two_sources()
    rows[1]["url"] = bad
    data = save_data(
        draft.version,
        statement="Typed <statement> & co",
        claimant="Typed claimant",
        ruling="Typed ruling",
        sources=rows,
    )
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html
    # The error sits beside the URL field of the second source, not the first.
    assert 'id="id_sources-1-url_error"' in html
    assert 'id="id_sources-0-url_error"' not in html
    source_1 = re.search(r'<fieldset class="source" id="source-1">.*?</fieldset>', html, re.S)
    assert 'class="errorlist"' in source_1.group(0)
    assert 'aria-invalid="true"' in source_1.group(0)
    values = form_values(html)
    assert values["statement"] == "Typed <statement> & co"
    assert values["claimant"] == "Typed claimant"
    assert values["ruling"] == "Typed ruling"
    assert values["sources-0-url"] == "https://example.org/a"
    assert values["sources-0-title"] == "Source A"
    assert values["sources-1-title"] == "Source B"
    assert values["sources-1-url"] == bad
    assert values["version"] == str(draft.version)
    assert "<statement>" not in html
    assert snapshot(draft.pk) == before


@pytest.mark.parametrize("field", ["archive_url"])
def test_save_refuses_non_web_archive_url(editor_client, draft, field):
    rows = two_sources()
    rows[0][field] = "javascript:alert(1)"
    response = editor_client.post(claim_url(draft), save_data(draft.version, sources=rows), **HX)
    assert response.status_code == 422
    assert f'id="id_sources-0-{field}_error"' in response.content.decode()


def test_save_refuses_missing_source_title_and_unknown_rating(editor_client, draft):
    before = snapshot(draft.pk)
    rows = [{"url": "https://example.org/", "title": "   "}]
    data = save_data(draft.version, sources=rows, rating="99999")
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_sources-0-title_error"' in html
    assert 'id="id_rating_error"' in html
    assert snapshot(draft.pk) == before


def test_save_invalid_without_htmx_renders_full_page_422(editor_client, draft):
    rows = [{"url": "javascript:alert(1)", "title": "T"}]
    response = editor_client.post(claim_url(draft), save_data(draft.version, sources=rows))
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html and 'id="id_sources-0-url_error"' in html
    assert form_values(html)["sources-0-url"] == "javascript:alert(1)"


def test_save_refuses_blank_source_row_even_when_initial_forms_is_zero(editor_client, draft):
    """A row with no URL and no title must never be stored, whatever the management form says."""
    data = save_data(draft.version, sources=[{}], initial_forms=0)
    response = editor_client.post(claim_url(draft), data, **HX)
    assert not Source.objects.filter(claim=draft, url="").exists()
    assert response.status_code == 422


def test_save_with_stale_version_is_409_and_keeps_typed_values(client, draft, make_user):
    """Optimistic locking: a save from an old version is refused, nothing is lost."""
    other = make_user("ed2", "Editors")
    mine = make_user("ed3", "Editors")
    their_client = editor_client_for(other)
    opened_version = draft.version
    theirs = save_data(
        opened_version,
        statement="THEIR statement",
        claimant="THEIR claimant",
        ruling="THEIR ruling",
        sources=[{"url": "https://their.example/", "title": "THEIR source"}],
    )
    assert their_client.post(claim_url(draft), theirs, **HX).status_code == 200
    after_theirs = snapshot(draft.pk)

    client.force_login(mine)
    my_rows = [{"url": "https://mine.example/", "title": "MY source"}]
    typed = save_data(
        opened_version,
        statement="MY statement",
        claimant="MY claimant",
        ruling="MY ruling",
        sources=my_rows,
    )
    response = client.post(claim_url(draft), typed, **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Their version" in html
    assert "ed2" in html
    values = form_values(html)
    assert values["statement"] == "MY statement"
    assert values["claimant"] == "MY claimant"
    assert values["ruling"] == "MY ruling"
    assert values["sources-0-title"] == "MY source"
    assert values["sources-0-url"] == "https://mine.example/"
    # The hidden version now carries the current version, so Save again replaces theirs.
    assert values["version"] == str(opened_version + 1)
    assert snapshot(draft.pk) == after_theirs

    again = client.post(claim_url(draft), {**typed, "version": values["version"]}, **HX)
    assert again.status_code == 200
    draft.refresh_from_db()
    assert draft.statement == "MY statement" and draft.version == opened_version + 2
    assert list(draft.sources.values_list("title", flat=True)) == ["MY source"]
    assert draft.updated_by == mine


def test_stale_save_their_version_shows_the_other_persons_values(client, draft, make_user, faux):
    other = make_user("ed2", "Editors")
    theirs = save_data(
        draft.version,
        statement="THEIR statement",
        claimant="THEIR claimant",
        ruling="THEIR ruling",
        rating=faux.pk,
        sources=[{"url": "https://their.example/", "title": "THEIR source"}],
    )
    assert editor_client_for(other).post(claim_url(draft), theirs, **HX).status_code == 200
    client.force_login(make_user("ed3", "Editors"))
    typed = save_data(
        draft.version,
        statement="MY statement",
        claimant="MY claimant",
        ruling="MY ruling",
        rating="",
        sources=[{"url": "https://mine.example/", "title": "MY source"}],
    )
    response = client.post(claim_url(draft), typed, **HX)
    assert response.status_code == 409
    box = their_version_html(response.content.decode())
    assert "THEIR source" in box
    assert "THEIR statement" in box
    assert "THEIR claimant" in box
    assert "THEIR ruling" in box
    assert '<span lang="en">False</span>' in box  # "Faux", in the editor's language
    assert "MY statement" not in box and "MY claimant" not in box


def test_stale_save_without_htmx_is_409_full_page(client, draft, make_user):
    services.save_claim(
        draft.pk,
        draft.version,
        make_user("ed2", "Editors"),
        {"statement": "theirs", "claimant": "", "claim_date": None, "rating": None, "ruling": ""},
        [],
    )
    client.force_login(make_user("ed3", "Editors"))
    response = client.post(claim_url(draft), save_data(draft.version, statement="mine"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "<html" in html and "Their version" in html
    assert form_values(html)["statement"] == "mine"


def test_save_of_claim_in_review_is_refused(editor_client, draft):
    Claim.objects.filter(pk=draft.pk).update(status=ClaimStatus.IN_REVIEW)
    before = snapshot(draft.pk)
    response = editor_client.post(claim_url(draft), save_data(draft.version), **HX)
    assert response.status_code == 409
    assert "in review" in response.content.decode()
    assert snapshot(draft.pk) == before


# --- add / remove / move sources without saving ---------------------------------------------


def three_rows():
    return [
        {"url": "https://a.example/", "title": "Title A", "publisher": "Pub A"},
        {"url": "javascript:not-validated-yet", "title": "Title B", "publisher": "Pub B"},
        {"url": "https://c.example/", "title": "Title C", "publisher": "Pub C"},
    ]


def rows_of(values, n):
    assert values["sources-TOTAL_FORMS"] == str(n)
    return [
        (values[f"sources-{i}-title"], values[f"sources-{i}-url"], values[f"sources-{i}-publisher"])
        for i in range(n)
    ]


ABC = [
    ("Title A", "https://a.example/", "Pub A"),
    ("Title B", "javascript:not-validated-yet", "Pub B"),
    ("Title C", "https://c.example/", "Pub C"),
]


@pytest.mark.parametrize(
    ("action", "expected", "focus"),
    [
        ("add_source", [*ABC, ("", "", "")], "id_sources-3-url"),
        ("remove_source:1", [ABC[0], ABC[2]], "add-source"),
        ("remove_source:0", [ABC[1], ABC[2]], "add-source"),
        ("up:1", [ABC[1], ABC[0], ABC[2]], "down-0"),
        ("up:2", [ABC[0], ABC[2], ABC[1]], "up-1"),
        ("down:0", [ABC[1], ABC[0], ABC[2]], "down-1"),
        ("down:1", [ABC[0], ABC[2], ABC[1]], "up-2"),
        ("up:0", ABC, None),
        ("down:2", ABC, None),
        ("remove_source:9", ABC, None),
        ("nonsense", ABC, None),
    ],
)
def test_source_actions_rearrange_without_saving(editor_client, draft, action, expected, focus):
    before = snapshot(draft.pk)
    data = save_data(
        draft.version,
        statement="Typed statement",
        claimant="Typed claimant",
        ruling="Typed ruling",
        sources=three_rows(),
        action=action,
    )
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved yet" in html
    values = form_values(html)
    assert rows_of(values, len(expected)) == expected
    assert values["statement"] == "Typed statement"
    assert values["claimant"] == "Typed claimant"
    assert values["ruling"] == "Typed ruling"
    assert values["version"] == str(draft.version)
    assert values["sources-INITIAL_FORMS"] == str(len(expected))
    if focus:
        assert f'data-focus="{focus}"' in html
        assert f'id="{focus}"' in html
    assert snapshot(draft.pk) == before


def test_source_actions_keep_ids_with_their_rows(editor_client, demo):
    claim = with_three_sources(demo["claims"][2])
    before = snapshot(claim.pk)
    values = form_values(editor_client.get(claim_url(claim), **HX).content.decode())
    ids = [values[f"sources-{i}-id"] for i in range(3)]
    titles = [values[f"sources-{i}-title"] for i in range(3)]
    values["action"] = "down:0"
    response = editor_client.post(claim_url(claim), values, **HX)
    moved = form_values(response.content.decode())
    assert [moved[f"sources-{i}-id"] for i in range(3)] == [ids[1], ids[0], ids[2]]
    assert [moved[f"sources-{i}-title"] for i in range(3)] == [titles[1], titles[0], titles[2]]
    assert snapshot(claim.pk) == before
    # Saving what is on screen now stores the new order with the same rows.
    moved["action"] = "save"
    assert editor_client.post(claim_url(claim), moved, **HX).status_code == 200
    assert list(claim.sources.order_by("order").values_list("pk", flat=True)) == [
        int(ids[1]),
        int(ids[0]),
        int(ids[2]),
    ]


def test_round_trip_of_rendered_form_saves_identical_values(editor_client, demo):
    """Submitting the panel unchanged stores exactly what was there (only the version moves)."""
    claim = demo["claims"][2]
    before = snapshot(claim.pk)
    values = form_values(editor_client.get(claim_url(claim), **HX).content.decode())
    values["action"] = "save"
    assert editor_client.post(claim_url(claim), values, **HX).status_code == 200
    after = snapshot(claim.pk)
    assert after[:4] == before[:4] and after[5:] == before[5:]
    assert after[4] == before[4] + 1


# --- move the highlight ---------------------------------------------------------------------


def test_move_highlight(editor_client, draft):
    article = draft.article
    start, end = article.sentences[4]
    data = {"start": start, "end": end, "exact": article.body[start:end], "version": draft.version}
    response = editor_client.post(f"/desk/claims/{draft.pk}/anchor/", data, **HX)
    assert response.status_code == 200
    assert "Highlight moved." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.start, draft.end, draft.exact) == (start, end, article.body[start:end])
    assert draft.prefix == article.body[max(0, start - 32) : start]
    assert draft.version == 2


def test_move_highlight_without_htmx_redirects(editor_client, draft):
    article = draft.article
    start, end = article.sentences[4]
    data = {"start": start, "end": end, "exact": article.body[start:end], "version": draft.version}
    response = editor_client.post(f"/desk/claims/{draft.pk}/anchor/", data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?claim={draft.pk}")


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"exact": "not the text"}, 400),
        ({"start": "", "end": ""}, 400),
        ({"start": "x"}, 400),
        ({"version": ""}, 400),
        ({"version": "abc"}, 400),
        ({"version": "0"}, 409),
    ],
)
def test_move_highlight_refused(editor_client, draft, change, status):
    article = draft.article
    start, end = article.sentences[4]
    data = {"start": start, "end": end, "exact": article.body[start:end], "version": draft.version}
    data.update(change)
    before = snapshot(draft.pk)
    response = editor_client.post(f"/desk/claims/{draft.pk}/anchor/", data, **HX)
    assert response.status_code == status
    assert 'notice--error" role="alert"' in response.content.decode()
    assert snapshot(draft.pk) == before


# --- delete ---------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_then_deletes(editor_client, draft):
    response = editor_client.get(f"/desk/claims/{draft.pk}/delete/", **HX)
    assert response.status_code == 200
    assert "Delete this claim?" in response.content.decode()
    assert Claim.objects.filter(pk=draft.pk).exists()
    response = editor_client.post(f"/desk/claims/{draft.pk}/delete/", **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Claim deleted." in html
    assert re.search(r'<section id="claim-list"[^>]*data-hx-swap-oob="true"', html)
    assert not Claim.objects.filter(pk=draft.pk).exists()


def test_delete_without_htmx(editor_client, draft):
    page = editor_client.get(f"/desk/claims/{draft.pk}/delete/")
    assert page.status_code == 200 and "Delete this claim?" in page.content.decode()
    response = editor_client.post(f"/desk/claims/{draft.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/articles/{draft.article_id}/"
    assert not Claim.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"last_published_at": timezone.now()},
        {"status": ClaimStatus.IN_REVIEW},
        {"status": ClaimStatus.PUBLISHED, "last_published_at": timezone.now()},
        {"status": ClaimStatus.DRAFT, "last_published_at": timezone.now()},
    ],
)
def test_delete_refused_for_published_or_in_review(editor_client, draft, change):
    Claim.objects.filter(pk=draft.pk).update(**change)
    for kwargs in ({}, HX):
        assert editor_client.get(f"/desk/claims/{draft.pk}/delete/", **kwargs).status_code == 403
        response = editor_client.post(f"/desk/claims/{draft.pk}/delete/", **kwargs)
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()
    assert Claim.objects.filter(pk=draft.pk).exists()


def test_delete_link_hidden_when_claim_cannot_be_deleted(editor_client, draft):
    html = editor_client.get(claim_url(draft), **HX).content.decode()
    assert f"/desk/claims/{draft.pk}/delete/" in html
    Claim.objects.filter(pk=draft.pk).update(last_published_at=timezone.now())
    html = editor_client.get(claim_url(draft), **HX).content.decode()
    assert f"/desk/claims/{draft.pk}/delete/" not in html


# --- roles ----------------------------------------------------------------------------------


def test_reviewer_can_edit(client, reviewer, draft):
    client.force_login(reviewer)
    response = client.post(claim_url(draft), save_data(draft.version, sources=two_sources()), **HX)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.version == 2 and draft.updated_by == reviewer
    assert client.get(f"/desk/claims/{draft.pk}/delete/", **HX).status_code == 200


def test_in_review_claim_panel_is_read_only(editor_client, demo):
    claim = demo["claims"][2]
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
    html = editor_client.get(claim_url(claim), **HX).content.decode()
    assert 'class="form claim-form"' not in html
    assert claim.statement in html or escape(claim.statement) in html


def outsider_requests(demo, article):
    claim = demo["claims"][2]
    s = selection(article)
    return [
        (f"/desk/articles/{article.pk}/claims/", s),
        (claim_url(claim), save_data(claim.version)),
        (claim_url(claim), save_data(claim.version, action="add_source")),
        (f"/desk/claims/{claim.pk}/anchor/", {**s, "version": claim.version}),
        (f"/desk/claims/{claim.pk}/delete/", {}),
    ]


@pytest.mark.parametrize("htmx", [False, True])
def test_outsider_gets_403_on_every_post(client, outsider, demo, article, htmx):
    client.force_login(outsider)
    before = [snapshot(c.pk) for c in demo["claims"]], Claim.objects.count()
    for url, data in outsider_requests(demo, article):
        response = client.post(url, data, **(HX if htmx else {}))
        assert response.status_code == 403, url
        assert "Not allowed" in response.content.decode()
        if htmx:
            assert response["HX-Retarget"] == "#flash"
    assert ([snapshot(c.pk) for c in demo["claims"]], Claim.objects.count()) == before


def test_outsider_gets_403_on_panel_get(client, outsider, demo):
    client.force_login(outsider)
    claim = demo["claims"][2]
    assert client.get(claim_url(claim), **HX).status_code == 403
    assert client.get(f"/desk/claims/{claim.pk}/delete/", **HX).status_code == 403


def test_anonymous_post_goes_to_login(client, demo, article):
    for url, data in outsider_requests(demo, article):
        response = client.post(url, data, **HX)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")
    assert Claim.objects.count() == 3


def test_inactive_editor_is_refused(client, make_user, demo):
    user = make_user("gone", "Editors", is_active=False)
    client.force_login(user)  # a session from before the account was disabled
    response = client.get(claim_url(demo["claims"][2]), **HX)
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/desk/claims/999999/"),
        ("post", "/desk/claims/999999/"),
        ("post", "/desk/claims/999999/anchor/"),
        ("get", "/desk/claims/999999/delete/"),
        ("post", "/desk/claims/999999/delete/"),
        ("get", "/desk/claims/99999999999999999999999999/"),
    ],
)
def test_unknown_claim_is_404(editor_client, demo, method, path):
    for kwargs in ({}, HX):
        response = getattr(editor_client, method)(path, {}, **kwargs)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


# --- malformed forms never crash ------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"sources-TOTAL_FORMS": None, "sources-INITIAL_FORMS": None},
        {"sources-TOTAL_FORMS": "abc"},
        {"sources-TOTAL_FORMS": "51", "sources-INITIAL_FORMS": "51"},
        {"sources-TOTAL_FORMS": "60", "sources-INITIAL_FORMS": "60"},
        {"version": "abc"},
        {"version": None},
        {"version": "-1"},
        {"claim_date": "2025-13-45"},
        {"rating": "abc"},
        {"statement": "x" * 501},
        {"claimant": "\x00"},
    ],
)
def test_malformed_save_is_refused_without_saving(editor_client, draft, change):
    before = snapshot(draft.pk)
    data = save_data(draft.version, sources=two_sources())
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 422
    assert "Nothing was saved" in response.content.decode()
    assert snapshot(draft.pk) == before


@pytest.mark.parametrize(
    "action", ["up:99999999999999999999", "remove_source:-1", "down:", "add_source:x", ""]
)
def test_odd_actions_do_not_crash_or_save(editor_client, draft, action):
    before = snapshot(draft.pk)
    data = save_data(draft.version, sources=two_sources(), action=action)
    data["sources-TOTAL_FORMS"] = "zz" if action == "" else data["sources-TOTAL_FORMS"]
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code in (200, 422)
    assert snapshot(draft.pk) == before


# --- the full page agrees with the panel about what may be edited ---------------------------


def test_full_page_shows_claim_in_review_read_only(editor_client, demo):
    claim = demo["claims"][2]
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
    html = editor_client.get(
        f"/desk/articles/{claim.article_id}/?claim={claim.pk}"
    ).content.decode()
    assert ">Create claim</button>" in html  # the editor may still create other claims
    assert 'class="form claim-form"' not in html
    assert ">Save</button>" not in html


def test_full_page_refusal_for_claim_in_review_keeps_create_claim(editor_client, demo):
    claim = demo["claims"][2]
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
    response = editor_client.post(claim_url(claim), save_data(claim.version))
    assert response.status_code == 409
    html = response.content.decode()
    assert 'class="form claim-form"' not in html
    assert ">Create claim</button>" in html


def test_move_highlight_of_claim_in_review_is_refused(editor_client, draft):
    Claim.objects.filter(pk=draft.pk).update(status=ClaimStatus.IN_REVIEW)
    article = draft.article
    start, end = article.sentences[4]
    data = {"start": start, "end": end, "exact": article.body[start:end], "version": draft.version}
    before = snapshot(draft.pk)
    response = editor_client.post(f"/desk/claims/{draft.pk}/anchor/", data, **HX)
    assert response.status_code == 409
    assert "in review" in response.content.decode()
    assert snapshot(draft.pk) == before


def test_refused_save_of_claim_in_review_shows_stored_values(editor_client, demo):
    claim = demo["claims"][2]
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
    response = editor_client.post(
        claim_url(claim), save_data(claim.version, statement="TYPED statement"), **HX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "TYPED statement" not in html
    assert escape(claim.statement) in html


def test_huge_total_forms_is_capped_at_the_maximum(editor_client, draft):
    data = save_data(draft.version, sources=two_sources())
    data["sources-TOTAL_FORMS"] = "200"  # up to 100000 is accepted the same way
    response = editor_client.post(claim_url(draft), data, **HX)
    assert response.status_code == 422
    assert response.content.decode().count('<fieldset class="source"') <= 50
