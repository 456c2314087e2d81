"""The public site in two interface languages: it follows the reader, as the desk does.

The language is the switcher's cookie, else Accept-Language, within
settings.LANGUAGES; content (articles, claims, rulings, rating labels) is
shown as written, with its own `lang`. Public pages are cached and shared,
so the cache and the WSGI layer must key on the negotiated language.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from claims.public import page_cache
from claims.public.page_cache import pages
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    make_article,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
FRENCH = ["fr", "fr-FR,fr;q=0.9,en;q=0.5", "fr-CA"]
ENGLISH = [None, "en", "en-GB,en;q=0.8", "de-DE,de;q=0.9"]


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def site():
    """An English article (so that its `lang` differs from French interface words)
    with one published fact-check, corrected once."""
    article = make_article(title="An English article", language="en")
    claim = published_claim(article, sentence(article, 2), text="Langue", versions=2)
    claim.refresh_from_db()
    return {
        "article": article,
        "claim": claim,
        "paths": {
            "home": "/",
            "article": f"/articles/{article.slug}/",
            "fact-check": f"/fact-checks/{claim.slug}/",
            "methodology": "/methodology/",
            "corrections": "/corrections/",
        },
    }


def get(client, path, language=None, **extra):
    if language:
        extra["HTTP_ACCEPT_LANGUAGE"] = language
    return client.get(path, **extra)


def html_of(response) -> str:
    return response.content.decode()


def html_lang(html: str) -> str:
    return re.search(r"<html lang=\"([^\"]*)\"", html).group(1)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def assert_french(response, label):
    html = html_of(response)
    assert response.status_code == 200, label
    assert html_lang(html) == "fr", label
    assert response["Content-Language"] == "fr", label
    text = text_of(html)
    assert "Aller au contenu" in text, label
    assert "Notre méthode de notation" in text, label
    for english in ("Skip to content", "How we rate", "Methodology and rating scale"):
        assert english not in text, (label, english)


def assert_english(response, label):
    html = html_of(response)
    assert response.status_code == 200, label
    assert html_lang(html) == "en", label
    assert response["Content-Language"] == "en", label
    text = text_of(html)
    assert "Skip to content" in text and "How we rate" in text, label
    assert "Aller au contenu" not in text, label


def vary_of(response) -> set[str]:
    return {v.strip() for v in response["Vary"].split(",")}


# -- the language follows the browser ------------------------------------------------------------


@pytest.mark.parametrize("language", FRENCH)
def test_every_public_page_in_french_keeps_its_content_as_written(client, site, language):
    statement = "Langue v2 statement"
    for label, path in site["paths"].items():
        response = get(client, path, language)
        assert_french(response, label)
        html = html_of(response)
        assert {"Accept-Language", "Cookie"} <= vary_of(response), label
        if label in ("home", "article", "fact-check"):
            # The claim as written, in its article's language; the verdict in French.
            assert statement in text_of(html), label
            assert re.search(r'lang="en"[^>]*>' + re.escape(statement), html), label
            assert re.search(r'<span[^>]*lang="fr"[^>]*>Faux</span>', html), label
    home = text_of(html_of(get(client, "/", language)))
    assert "Dernières vérifications" in home
    assert "Affirmé par Langue v2 claimant le 10 février 2025" in home
    fact_check = text_of(html_of(get(client, site["paths"]["fact-check"], language)))
    assert "Notre verdict" in fact_check and "Notre analyse" in fact_check
    assert "Our verdict" not in fact_check
    assert "Rectificatif" in fact_check or "Mise à jour" in fact_check
    methodology = text_of(html_of(get(client, "/methodology/", language)))
    assert "Comment nous vérifions" in methodology
    corrections = text_of(html_of(get(client, "/corrections/", language)))
    assert "Rectificatifs et mises à jour" in corrections
    article = text_of(html_of(get(client, site["paths"]["article"], language)))
    assert "Article annoté" in article and "An English article" in article


@pytest.mark.parametrize("language", ENGLISH)
def test_every_public_page_in_english(client, site, language):
    for label, path in site["paths"].items():
        response = get(client, path, language)
        assert_english(response, label)
        assert response["Vary"]
    home = text_of(html_of(get(client, "/", language)))
    assert "Latest fact-checks" in home
    assert "Claimed by Langue v2 claimant on 10 February 2025" in home
    assert "False" in home and "Faux" not in home  # the verdict in the reader's language


def test_the_not_found_page_follows_the_reader_too(client, site):
    french = get(client, "/fact-checks/unknown/", "fr")
    english = get(client, "/fact-checks/unknown/", "en")
    assert french.status_code == english.status_code == 404
    assert html_lang(html_of(french)) == "fr" and french["Content-Language"] == "fr"
    assert "Page introuvable" in text_of(html_of(french))
    assert html_lang(html_of(english)) == "en" and english["Content-Language"] == "en"
    assert "Page not found" in text_of(html_of(english))


# -- the switcher --------------------------------------------------------------------------------


def switcher(html: str) -> str:
    return re.search(r'<form class="lang-switch".*?</form>', html, re.S).group(0)


def test_the_switcher_is_a_form_without_any_token(client, site):
    for language, pressed in (("fr", "fr"), ("en", "en")):
        html = html_of(get(client, "/methodology/", language))
        form = switcher(html)
        assert 'method="get"' in form and 'action="/language/"' in form
        assert '<input type="hidden" name="next" value="/methodology/">' in form
        assert "csrf" not in html.lower()
        buttons = re.findall(r"<button\b[^>]*>.*?</button>", form, re.S)
        assert len(buttons) == 2
        for code, name in (("en", "English"), ("fr", "Français")):
            (button,) = [b for b in buttons if f'value="{code}"' in b]
            assert f'lang="{code}"' in button and f">{name}</button>" in button
            expected = "true" if code == pressed else "false"
            assert f'aria-pressed="{expected}"' in button
    # It comes back to the page's own address, never to one echoed from the request.
    form = switcher(html_of(get(client, "/?page=1&utm_source=x", "en")))
    assert '<input type="hidden" name="next" value="/">' in form


def test_the_switcher_overrides_the_browser_and_is_remembered(client, site):
    path = site["paths"]["fact-check"]
    assert_english(get(client, path, "en-GB,en;q=0.9"), "before")
    response = get(client, "/language/", "en-GB,en;q=0.9", data={"language": "fr", "next": path})
    assert response.status_code == 302 and response["Location"] == path
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr"
    assert int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    assert cookie["samesite"] == settings.LANGUAGE_COOKIE_SAMESITE
    assert "no-store" in response["Cache-Control"]
    # Remembered: every later page, whatever the browser asks for.
    for label, other in site["paths"].items():
        assert_french(get(client, other, "en-GB,en;q=0.9"), label)
    # The desk honours the same cookie.
    assert html_lang(html_of(get(client, "/accounts/login/", "en"))) == "fr"
    # And back.
    response = get(client, "/language/", "fr", data={"language": "en", "next": "/"})
    assert response["Location"] == "/"
    assert_english(get(client, "/", "fr-FR,fr;q=0.9"), "switched back")


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", "/\\evil.example"],
)
def test_the_switcher_only_goes_back_to_this_site(client, site, next_url):
    response = get(client, "/language/", data={"language": "fr", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_language_sets_nothing(client, site):
    response = get(client, "/language/", data={"language": "de", "next": "/methodology/"})
    assert response.status_code == 302 and response["Location"] == "/methodology/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert_english(get(client, "/methodology/"), "unknown language")


def test_the_switcher_accepts_only_safe_methods(client, site):
    assert client.post("/language/", {"language": "fr"}).status_code == 405


# -- the cache -----------------------------------------------------------------------------------


def test_the_cache_never_serves_one_readers_language_to_another(site):
    """Alternate readers on one cache: each gets their own language, every time."""
    french, english = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"), Client()
    by_cookie = Client(HTTP_ACCEPT_LANGUAGE="en")
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    for label, path in site["paths"].items():
        seen = {}
        for _ in range(3):
            for name, client, check in (
                ("en", english, assert_english),
                ("fr", french, assert_french),
                ("cookie", by_cookie, assert_french),
                ("en", english, assert_english),
            ):
                response = client.get(path)
                check(response, f"{label} {name}")
                seen.setdefault(name, set()).add(response["ETag"])
        assert len(seen["en"]) == len(seen["fr"]) == 1, label
        assert seen["en"] != seen["fr"], label
        assert seen["cookie"] == seen["fr"], label


def test_both_languages_are_served_from_stored_pages_with_one_query(site):
    path = site["paths"]["article"]
    french, english = Client(HTTP_ACCEPT_LANGUAGE="fr"), Client(HTTP_ACCEPT_LANGUAGE="en")
    first_fr, first_en = french.get(path), english.get(path)
    for client, first in ((french, first_fr), (english, first_en), (french, first_fr)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert len(queries) == 1, [q["sql"] for q in queries]  # the stamp
        assert response.content == first.content
        assert sorted(k for k in response.headers if k != "Date") == sorted(
            k for k in first.headers if k != "Date"
        )
        assert response["Content-Language"] == first["Content-Language"]
    assert pages.has(page_cache.Key(False, "", path, (), "fr"))
    assert pages.has(page_cache.Key(False, "", path, (), "en"))


def test_etags_and_304s_are_per_language(client, site):
    path = site["paths"]["home"]
    en = get(client, path, "en")
    fr = get(client, path, "fr")
    assert en["ETag"] != fr["ETag"]
    same = get(client, path, "en", HTTP_IF_NONE_MATCH=en["ETag"])
    assert same.status_code == 304
    assert same["Content-Language"] == "en" and {"Accept-Language", "Cookie"} <= vary_of(same)
    same_fr = get(client, path, "fr", HTTP_IF_NONE_MATCH=fr["ETag"])
    assert same_fr.status_code == 304 and same_fr["Content-Language"] == "fr"
    # A reader who switched language gets the other page, never a 304 for the old one.
    other = get(client, path, "fr", HTTP_IF_NONE_MATCH=en["ETag"])
    assert other.status_code == 200
    assert html_lang(html_of(other)) == "fr"


def test_a_new_approval_shows_in_both_languages_on_the_next_request(site):
    french, english = Client(HTTP_ACCEPT_LANGUAGE="fr"), Client(HTTP_ACCEPT_LANGUAGE="en")
    for client in (french, english, french, english):
        client.get("/")
    published_claim(site["article"], sentence(site["article"], 9), text="Nouveau")
    for client in (french, english):
        assert "Nouveau statement" in html_of(client.get("/"))


def test_dates_are_formatted_for_the_language(client, site):
    path = site["paths"]["fact-check"]
    fr = text_of(html_of(get(client, path, "fr")))
    en = text_of(html_of(get(client, path, "en")))
    assert re.search(r"Publiée \d{1,2} [a-zéû]+ \d{4}", fr)
    assert re.search(r"Published \d{1,2} [A-Z][a-z]+ \d{4}", en)
    assert "Affirmé par Langue v2 claimant le 10 février 2025" in fr
    assert "Claimed by Langue v2 claimant on 10 February 2025" in en
