"""Main text and metadata of a news page (trafilatura), on upload and on Load article's fetch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pageserver import page

from claims.extraction import extract_html
from claims.models import Article
from claims.text import decode_upload, import_upload

NEW = "/desk/articles/new/"
JUNK = ("Home", "Advertisement", "Sponsored", "Related articles", "Finally!", "©", "Subscribe")


def test_news_page_extraction_drops_page_furniture():
    extracted = extract_html(page("news.html").decode())
    assert extracted.metadata == {
        "title": "Tram line 3 reopens after two years of works",
        "byline": "Maya Okafor",
        "outlet": "The Riverside Herald",
        "published_on": dt.date(2026, 3, 14),
        "language": "en",
    }
    paragraphs = extracted.body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The city's tram line 3 reopened")
    for junk in JUNK:
        assert junk not in extracted.body


def test_a_fragment_without_main_text_keeps_its_text():
    assert extract_html("<p>Hello <b>world</b></p>").body == "Hello world"


def test_uploaded_html_goes_through_the_same_extraction():
    """On main, an upload kept "Home | News …" and "© 2026 … Subscribe now!" as paragraphs."""
    body, metadata = import_upload(page("news.html"), "tram.html")
    assert body.startswith("The city's tram line 3 reopened")
    for junk in JUNK:
        assert junk not in body
    assert metadata["title"] == "Tram line 3 reopens after two years of works"
    assert decode_upload(page("news.html"), "tram.html") == body


def test_upload_fills_the_empty_metadata_fields(editor_client):
    response = editor_client.post(
        NEW,
        {
            "title": "",
            "outlet": "Our own name",
            "language": "en",
            "upload": SimpleUploadedFile("tram.html", page("news.html"), "text/html"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.title == "Tram line 3 reopens after two years of works"
    assert article.byline == "Maya Okafor"
    assert article.outlet == "Our own name"  # typed, so kept
    assert article.published_on == dt.date(2026, 3, 14)
    assert "Home" not in article.body and "Subscribe" not in article.body


def test_upload_without_a_title_anywhere_asks_for_one(editor_client):
    response = editor_client.post(
        NEW,
        {
            "title": "",
            "language": "fr",
            "upload": SimpleUploadedFile("a.html", b"<p>Juste un paragraphe.</p>", "text/html"),
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Article.objects.exists()


# --- Fetch article on Load article ----------------------------------------------------------


def test_fetch_fills_the_form_and_saves_nothing(editor_client, server):
    url = server.route("/tram", page("news.html"))
    response = editor_client.post(
        NEW,
        {
            "article_url": url,
            "fetch": "1",
            "title": "",
            "language": "fr",
            "image_credit": "Photo: J. Doe",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Tram line 3 reopens after two years of works"' in html
    assert 'value="Maya Okafor"' in html and 'value="The Riverside Herald"' in html
    assert 'value="2026-03-14"' in html and 'value="en"' in html
    assert f'value="{url}"' in html  # Article URL kept and Original URL filled
    assert 'value="Photo: J. Doe"' in html  # typed, the page says nothing: kept
    assert "The city&#x27;s tram line 3 reopened" in html
    assert "Advertisement" not in html.split('name="text"')[1]
    assert "The article was fetched" in html
    assert "<html" in html  # without JavaScript, the whole page
    assert not Article.objects.exists()


def test_fetch_with_htmx_swaps_only_the_form(editor_client, server, htmx_headers):
    url = server.route("/tram", page("news.html"))
    response = editor_client.post(NEW, {"article_url": url, "fetch": "1"}, **htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form method="post"') and "<html" not in html
    assert 'id="article-form"' in html and "Maya Okafor" in html


def test_enter_in_article_url_fetches(editor_client, server):
    # Enter submits with the form's default button, which is not Fetch article.
    url = server.route("/tram", page("news.html"))
    response = editor_client.post(NEW, {"article_url": url, "title": "", "text": ""})
    assert response.status_code == 200 and "Maya Okafor" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (
            {"status": 302, "headers": {"Location": "http://169.254.169.254/"}},
            "That address points inside our network",
        ),
        (
            {"body": b"\x89PNG", "headers": {"Content-Type": "image/png"}},
            "That is not a web page (image/png)",
        ),
        ({"body": b"x" * (5 * 1024 * 1024 + 1)}, "The page is larger than 5 MB"),
    ],
)
def test_fetch_refusal_is_on_the_form_and_keeps_what_was_typed(
    editor_client, server, route, message, htmx_headers
):
    url = server.route("/x", **route)
    data = {"article_url": url, "fetch": "1", "title": "Mon titre", "text": "Mon texte collé."}
    for headers in ({}, htmx_headers):
        response = editor_client.post(NEW, data, **headers)
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert "The article was not fetched" in html
        assert 'value="Mon titre"' in html and "Mon texte collé." in html
        assert f'value="{url}"' in html
        assert (
            'aria-invalid="true"'
            in html.split('name="article_url"')[0][-400:]
            + html.split('name="article_url"')[1][:400]
        )
    assert not Article.objects.exists()


@pytest.mark.parametrize("typed", ["", "ftp://example.org/", "http://"])
def test_fetch_of_a_bad_address_is_a_message(editor_client, typed):
    response = editor_client.post(NEW, {"article_url": typed, "fetch": "1", "title": "T"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The article was not fetched" in html and 'value="T"' in html


def test_fetch_needs_the_load_permission(client, outsider, server):
    client.force_login(outsider)
    url = server.route("/tram", page("news.html"))
    response = client.post(NEW, {"article_url": url, "fetch": "1"})
    assert response.status_code == 403
    assert server.requests == []


def test_fetched_then_loaded(editor_client, server):
    url = server.route("/tram", page("news.html"))
    editor_client.post(NEW, {"article_url": url, "fetch": "1"})
    fields = {
        "title": "Tram line 3 reopens after two years of works",
        "language": "en",
        "url": url,
        "text": "The city's tram line 3 reopened.",
        "article_url": url,
    }
    response = editor_client.post(NEW, fields)
    assert response.status_code == 302
    assert Article.objects.get().url == url


def test_no_break_spaces_survive_extraction():
    html = (
        "<html lang=fr><body><article><h1>Le tram</h1>"
        + "<p>« Enfin&nbsp;! », dit-elle. Le coût\u202f: 48&#160;millions d’euros.</p>" * 3
        + "</article></body></html>"
    )
    body = extract_html(html).body
    assert "« Enfin\u00a0! », dit-elle. Le coût\u202f: 48\u00a0millions d’euros." in body
    assert "\u27e6" not in body


def test_short_page_keeps_its_paragraphs_and_its_headline_is_the_title():
    body, metadata = import_upload(
        b"<html><head><title>T</title></head><body><h1>Titre</h1><p>Un paragraphe.</p>"
        b"<p>Fin.</p></body></html>",
        "a.html",
    )
    assert body == "Un paragraphe.\n\nFin."
    assert metadata["title"] == "Titre"
