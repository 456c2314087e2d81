"""The interface in two languages: the French catalog, and the desk in French and English.

The catalog checks need no GNU gettext: `locale/msgfmt.py` reads the .po and
compiles it in Python, and the compiled .mo kept in the repository must say
exactly what the .po says. The page checks go through the test client with an
Accept-Language header, as a browser sends it, and through the switcher.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import importlib.util
import re
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation.template import templatize

from claims import workflow
from claims.models import Claim, ClaimStatus

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
NBSP = "\u00a0"


def _msgfmt():
    spec = importlib.util.spec_from_file_location("locale_msgfmt", LOCALE / "msgfmt.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


msgfmt = _msgfmt()
ENTRIES = msgfmt.parse_po(PO)
MESSAGES = [e for e in ENTRIES if e.msgid]  # without the header


def _id(entry) -> str:
    return f"line {entry.line}: {entry.msgid[:60]!r}"


# --- the catalog ------------------------------------------------------------------------------


def test_the_french_catalog_is_complete():
    assert len(MESSAGES) > 200
    untranslated = [_id(e) for e in MESSAGES if not e.translated]
    fuzzy = [_id(e) for e in ENTRIES if e.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_the_header_names_the_language_and_its_plural_forms():
    (header,) = [e for e in ENTRIES if not e.msgid]
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "fr"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    nplurals = int(re.search(r"nplurals=(\d+)", fields["Plural-Forms"]).group(1))
    plurals = [e for e in MESSAGES if e.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr) == list(range(nplurals)), _id(entry)
    # French: 0 and 1 take the singular.
    plural = gettext.c2py(fields["Plural-Forms"].split("plural=")[1].rstrip(";"))
    assert plural(0) == plural(1) == 0
    assert plural(2) != 0


def _placeholders(text: str) -> Counter:
    return Counter(re.findall(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}", text))


def _tags(text: str) -> Counter:
    return Counter(re.findall(r"</?[a-z]+\b[^>]*>", text))


@pytest.mark.parametrize("entry", MESSAGES, ids=lambda e: e.msgid[:40])
def test_translations_keep_placeholders_and_markup(entry):
    for index, text in entry.msgstr.items():
        if not text:
            continue  # untranslated: test_the_french_catalog_is_complete says so
        if entry.msgid_plural is None:
            assert _placeholders(text) == _placeholders(entry.msgid), text
            source = entry.msgid
        else:
            # French form 0 also serves n = 0: it may name the number the
            # English singular spells out ("One passage" -> "%(n)s passage").
            english = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural)
            assert set(_placeholders(text)) <= set(english), text
            source = entry.msgid_plural if index else entry.msgid
        # Translations of template literals are output as they are: exactly the
        # source's markup, and no quote that could end an attribute.
        assert _tags(text) == _tags(source), text
        assert ("<" in text) == ("<" in source), text
        assert text.count('"') == source.count('"'), text


@pytest.mark.parametrize("entry", MESSAGES, ids=lambda e: e.msgid[:40])
def test_french_typography(entry):
    for text in entry.msgstr.values():
        prose = re.sub(r"https?://|%\([a-z_]+\)[sd]|<[^>]*>", "", text)
        assert "'" not in prose, f"straight apostrophe: {text!r}"
        assert not re.search(r"[ ][:;?!»]|«[ ]", prose), f"breaking space in {text!r}"
        assert not re.search(r"\S[;?!»]|«\S", prose.replace(NBSP, " ")), text
        assert not re.search(r"[^\s\d]:\s", prose), f"no space before a colon: {text!r}"


def test_the_compiled_catalog_is_up_to_date():
    """django.mo is committed so that no machine needs gettext; it must match the .po."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled._catalog == msgfmt.catalog(ENTRIES), (
        "locale/fr/LC_MESSAGES/django.mo is stale: run `manage.py compilemessages` "
        "(GNU gettext) or `python locale/msgfmt.py`"
    )


def test_the_pure_python_compiler_agrees_with_the_catalog(tmp_path):
    mo = msgfmt.compile_po(PO, tmp_path / "django.mo")
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled._catalog == msgfmt.catalog(ENTRIES)
    assert compiled.ngettext("%(count)s source", "%(count)s sources", 2) == "%(count)s sources"


GETTEXT_ARGS = {
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "_": ("msgid",),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}


_STRING = r"""[rRuUbB]{0,2}(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_CALL = re.compile(
    r"(?<![\w.])(" + "|".join(GETTEXT_ARGS) + r")\(\s*((?:" + _STRING + r"\s*,?\s*)+)"
)


def _marked_in_template(text: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every string the template marks, from Django's templatize()."""
    found = set()
    for match in _CALL.finditer(text):
        args = [ast.literal_eval(a) for a in re.findall(_STRING, match.group(2))]
        found.add(_key(match.group(1), args))
    return found


def _marked_in_python(source: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every literal passed to a gettext function, as xgettext sees it."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_ARGS:
            continue
        args = []
        for arg in node.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                break
            args.append(arg.value)
        if len(args) > GETTEXT_ARGS[name].index("msgid"):
            found.add(_key(name, args))
    return found


def _key(name: str, args: list[str]) -> tuple[str | None, str]:
    values = dict(zip(GETTEXT_ARGS[name], args, strict=False))
    return values.get("context"), values["msgid"]


def _project_sources():
    for folder in ("claims", "factcheck", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts:
                yield path


def test_every_marked_string_is_in_the_catalog():
    """What makemessages would extract is there: nobody added a string and forgot the .po."""
    in_catalog = {(e.msgctxt, e.msgid) for e in MESSAGES}
    marked: dict[tuple, str] = {}
    for path in _project_sources():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            keys = _marked_in_python(text)
        else:
            keys = _marked_in_template(templatize(text, origin=str(path)))
        for key in keys:
            marked.setdefault(key, str(path.relative_to(ROOT)))
    assert len(marked) > 200
    missing = {key: where for key, where in marked.items() if key not in in_catalog}
    assert not missing, (
        "run `manage.py makemessages -l fr --ignore=.venv --ignore=tests`, translate, "
        f"then compile: {missing}"
    )


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english_afterwards():
    """LocaleMiddleware leaves the request's language active in the thread: put the
    default back, so that later tests in this worker run in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def client_for(user, language: str | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
    client.force_login(user)
    return client


def html_lang(html: str) -> str:
    return re.search(r"<html lang=\"([^\"]*)\"", html).group(1)


def text_of(html: str) -> str:
    """The page's text, as an accessible name would read it (tags dropped, entities decoded)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def buttons(html: str) -> list[str]:
    return [text_of(b).strip() for b in re.findall(r"<button\b[^>]*>(.*?)</button>", html, re.S)]


def labels(html: str) -> list[str]:
    return [text_of(b).strip() for b in re.findall(r"<label\b[^>]*>(.*?)</label>", html, re.S)]


@pytest.fixture
def users(demo):
    return demo["users"]


@pytest.fixture
def in_review(demo):
    claim = Claim.objects.get(pk=demo["claims"][1].pk)
    assert claim.status == ClaimStatus.IN_REVIEW
    # A known date, to read it back in each language (Paris: UTC+1 in February).
    Claim.objects.filter(pk=claim.pk).update(
        submitted_at=dt.datetime(2025, 2, 3, 10, 30, tzinfo=dt.UTC)
    )
    return claim


@pytest.fixture
def draft(demo):
    claim = Claim.objects.get(pk=demo["claims"][2].pk)
    assert claim.status == ClaimStatus.DRAFT
    return claim


def pages(demo, draft, in_review):
    """(who, path) of the desk's pages, with the demo loaded."""
    article = demo["article"]
    return [
        ("editor", "/desk/"),
        ("editor", "/desk/articles/new/"),
        ("editor", f"/desk/articles/{article.pk}/"),
        ("editor", f"/desk/articles/{article.pk}/?claim={draft.pk}"),
        ("reviewer2", "/desk/review/"),
        ("reviewer2", f"/desk/review/{in_review.pk}/"),
    ]


@pytest.mark.parametrize("language", ["fr", "fr-FR,fr;q=0.9,en;q=0.5", "fr-CA"])
def test_the_login_page_follows_the_browser_language(client, language):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert html_lang(html) == "fr"
    assert "Se connecter" in buttons(html)
    assert labels(html) == ["Nom d’utilisateur", "Mot de passe"]
    assert "<title>Se connecter · Desk de vérification</title>" in html


@pytest.mark.parametrize("language", [None, "en", "en-GB,en;q=0.8", "de-DE,de;q=0.9"])
def test_the_login_page_in_english_keeps_the_names_of_design_7(client, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get("/accounts/login/", **headers)
    html = response.content.decode()
    assert html_lang(html) == "en"
    assert response["Content-Language"] == "en"
    assert "Log in" in buttons(html)
    assert labels(html) == ["Username", "Password"]
    assert "Accept-Language" in response["Vary"]


def test_every_desk_page_is_in_french_with_the_right_lang(demo, users, draft, in_review):
    for who, path in pages(demo, draft, in_review):
        response = client_for(users[who], "fr").get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert html_lang(html) == "fr", path
        assert response["Content-Language"] == "fr"
        assert "Desk de vérification" in html, path
        for english in ("Fact-check desk", "Skip to content", ">Log out<"):
            assert english not in html, (path, english)


def test_every_desk_page_in_english_is_unchanged(demo, users, draft, in_review):
    for who, path in pages(demo, draft, in_review):
        for client in (client_for(users[who]), client_for(users[who], "en-US,en;q=0.9")):
            html = client.get(path).content.decode()
            assert html_lang(html) == "en", path
            assert "Fact-check desk" in html and "Desk de vérification" not in html, path


def test_the_annotating_screen_in_french(demo, users, draft):
    article = demo["article"]
    html = (
        client_for(users["editor"], "fr")
        .get(f"/desk/articles/{article.pk}/?claim={draft.pk}")
        .content.decode()
    )
    names = buttons(html)
    for name in (
        "Créer une affirmation",
        "Enregistrer",
        "Ajouter une source",
        "Soumettre à la relecture",
    ):
        assert name in names, name
    for label in ("Affirmation", "Auteur de l’affirmation", "Verdict", "Analyse"):
        assert label in labels(html), label
    # The selection preview's words, for desk.js.
    assert 'data-empty="Aucun texte sélectionné."' in html
    assert f'data-selected-template="Sélection{NBSP}: «{NBSP}{{quote}}{NBSP}»"' in html
    # The claim list, built in Python.
    assert f'<span class="visually-hidden">Affirmation 1{NBSP}: </span>' in html
    assert re.search(r"\d+ sources?</span>", html)
    # Content is shown as written: the article, the verdicts of the scale.
    assert article.title.replace("'", "&#x27;") in html or article.title in unescape(html)
    published = demo["claims"][0]
    assert published.rating.label in unescape(html)


def test_the_annotating_screen_in_english_keeps_the_names_of_design_7(demo, users, draft):
    article = demo["article"]
    html = (
        client_for(users["editor"])
        .get(f"/desk/articles/{article.pk}/?claim={draft.pk}")
        .content.decode()
    )
    names = buttons(html)
    for name in ("Create claim", "Save", "Add source", "Submit for review"):
        assert name in names, name
    for label in ("Claim", "Claimant", "Verdict", "Ruling"):
        assert label in labels(html), label
    assert 'data-empty="No text selected."' in html
    assert 'data-selected-template="Selected: « {quote} »"' in html
    assert '<span class="visually-hidden">Claim 1: </span>' in html


def test_sources_and_article_forms_in_both_languages(demo, users, draft):
    article = demo["article"]
    path = f"/desk/articles/{article.pk}/?claim={draft.pk}"
    fr = client_for(users["editor"], "fr")
    en = client_for(users["editor"])
    # One source row, added in the form (nothing is saved).
    post = {"action": "add_source", "version": draft.version, "sources-TOTAL_FORMS": "0"}
    post.update({"sources-INITIAL_FORMS": "0", "statement": "", "claimant": ""})
    hx = {"HTTP_HX_REQUEST": "true"}
    fr_panel = fr.post(f"/desk/claims/{draft.pk}/", post, **hx).content.decode()
    en_panel = en.post(f"/desk/claims/{draft.pk}/", post, **hx).content.decode()
    assert {"URL", "Titre"} <= set(labels(fr_panel))
    assert {"URL", "Title"} <= set(labels(en_panel))
    assert fr.get(path).status_code == 200
    fr_new = fr.get("/desk/articles/new/").content.decode()
    en_new = en.get("/desk/articles/new/").content.decode()
    assert "Charger un article" in buttons(fr_new) and "Texte" in labels(fr_new)
    assert "Load article" in buttons(en_new) and "Text" in labels(en_new)
    assert {"Title", "Outlet", "Byline", "Original URL", "Language"} <= set(labels(en_new))


def test_the_review_queue_and_screen_in_french(users, in_review):
    reviewer = client_for(users["reviewer2"], "fr")
    queue = reviewer.get("/desk/review/").content.decode()
    assert "<h1>File de relecture" in queue
    assert 'data-label="Verdict proposé"' in queue
    # "Waiting" is a duration, in French.
    assert re.search(r'title="3 fév\. 2025 à 11:30">\d+\xa0années?', queue)
    html = reviewer.get(f"/desk/review/{in_review.pk}/").content.decode()
    names = buttons(html)
    assert "Approuver et publier" in names
    assert "Demander des modifications" in names
    assert "Commentaire" in labels(html)
    # Dates for the language: French month names, French word order.
    assert "soumise le 3 fév. 2025 à 11:30" in html
    assert "Feb" not in text_of(html)


def test_the_review_screen_in_english_keeps_its_names_and_dates(users, in_review):
    html = client_for(users["reviewer2"]).get(f"/desk/review/{in_review.pk}/").content.decode()
    names = buttons(html)
    assert "Approve and publish" in names and "Request changes" in names
    assert "Comment" in labels(html)
    assert "submitted 3 Feb 2025, 11:30 by" in html


def test_french_dates_on_the_desk_pages(demo, users, in_review):
    article = demo["article"]
    html = client_for(users["editor"], "fr").get(f"/desk/articles/{article.pk}/").content.decode()
    if article.published_on:
        with translation.override("fr"):
            from django.utils.dateformat import format as date_format

            assert date_format(article.published_on, "j F Y") in html
    panel = (
        client_for(users["editor"], "fr")
        .get(f"/desk/articles/{article.pk}/?claim={in_review.pk}")
        .content.decode()
    )
    assert "En relecture depuis le <time" in panel
    assert "3 fév. 2025 à 11:30</time>" in panel


def test_messages_from_python_are_translated(demo, users, draft):
    """The workflow's refusal, from claims/workflow.py, in the reader's language."""
    data = {
        "action": "submit",
        "version": draft.version,
        "statement": "",
        "claimant": "",
        "ruling": "",
        "rating": "",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
    }
    hx = {"HTTP_HX_REQUEST": "true"}
    html = client_for(users["editor"], "fr").post(f"/desk/claims/{draft.pk}/", data, **hx)
    text = unescape(html.content.decode())
    assert "Enregistrée, mais pas soumise. Avant de soumettre, ajoutez l’affirmation" in text
    assert "et au moins une source." in text
    draft.refresh_from_db()
    data["version"] = draft.version
    english = client_for(users["editor"]).post(f"/desk/claims/{draft.pk}/", data, **hx)
    assert "Saved, but not submitted. Before submitting, add the claim" in unescape(
        english.content.decode()
    )


def test_error_pages_follow_the_language(users):
    fr = client_for(users["editor"], "fr").get("/desk/nowhere/")
    assert fr.status_code == 404
    html = fr.content.decode()
    assert html_lang(html) == "fr" and "Page introuvable" in html and "Erreur 404" in html
    en = client_for(users["editor"]).get("/desk/nowhere/").content.decode()
    assert html_lang(en) == "en" and "Page not found" in en and "Error 404" in en


def test_the_switcher_is_on_every_page_and_posts_the_current_page(client, users):
    html = client.get("/accounts/login/?next=/desk/").content.decode()
    form = re.search(r'<form class="lang-switch"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'action="/i18n/setlang/"' in form.group(0)
    assert 'name="next" value="/accounts/login/?next=/desk/"' in form.group(1)
    assert re.findall(r'<button [^>]*value="(\w+)"[^>]*>([^<]*)</button>', form.group(1)) == [
        ("en", "English"),
        ("fr", "Français"),
    ]
    assert 'value="en" lang="en" class="button button--link" aria-pressed="true"' in html
    desk = client_for(users["editor"], "fr").get("/desk/").content.decode()
    assert 'class="lang-switch"' in desk
    # Each language is named in itself, whatever the interface language.
    assert ">English</button>" in desk and ">Français</button>" in desk
    assert 'value="fr" lang="fr" class="button button--link" aria-pressed="true"' in desk


def test_the_switcher_overrides_the_browser_and_is_remembered(users):
    client = client_for(users["editor"], "en-US,en;q=0.9")
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/desk/"})
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr"
    assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60
    # Remembered: every later page, whatever the browser asks for.
    for path in ("/desk/", "/desk/articles/new/", "/desk/nowhere/"):
        html = client.get(path).content.decode()
        assert html_lang(html) == "fr", path
    # And back to English from a French browser.
    french_browser = client_for(users["editor"], "fr")
    french_browser.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    html = french_browser.get("/desk/").content.decode()
    assert html_lang(html) == "en" and "Load article" in html


def test_the_switcher_refuses_foreign_next_urls_and_unknown_languages(users):
    client = client_for(users["editor"])
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"}, HTTP_REFERER=""
    )
    assert response.status_code == 302 and "evil" not in response["Location"]
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/desk/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_html_lang_block_can_still_be_overridden():
    from django.template import engines

    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block html_lang %}fr-CA{% endblock %}'
    )
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("en"):
        html = template.render({}, request)
    assert '<html lang="fr-CA">' in html


def test_emails_go_out_in_the_newsroom_language(
    demo, users, mailoutbox, django_capture_on_commit_callbacks
):
    """Whoever triggers them, and in whatever language, emails are in LANGUAGE_CODE."""
    claim = demo["claims"][1]
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.DRAFT)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        workflow.submit(claim.pk, users["editor"])
        assert translation.get_language() == "fr"
    assert mailoutbox
    for message in mailoutbox:
        assert message.subject.startswith("[Fact-check desk] For review: ")
        assert "Review it: " in message.body


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_a_french_browser_gets_the_french_desk_and_can_switch(browser, live_server, seeded_live_db):
    """Chromium set to French: French pages, desk.js's preview in French, the switcher."""
    from claims.demo.loader import DEMO_PASSWORD, load_demo

    demo = load_demo()
    article = demo["article"]
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", reduced_motion="reduce")
    context.set_default_timeout(10_000)
    errors = []
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/accounts/login/")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_label("Nom d’utilisateur").fill("editor")
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/desk/")
        page.goto(f"/desk/articles/{article.pk}/")
        preview = page.locator("#selection-preview")
        assert preview.inner_text() == "Aucun texte sélectionné."
        sentence = page.locator("#article-text .sentence").nth(1)
        sentence.click()
        expected = sentence.inner_text().strip()
        assert (
            preview.inner_text()
            == f"Sélection{NBSP}: «{NBSP}{expected[:140]}"
            + ("…" if len(expected) > 140 else "")
            + f"{NBSP}»"
        )
        page.get_by_role("button", name="Créer une affirmation").click()
        page.locator("#claim-panel .quote").wait_for()
        assert page.get_by_role("button", name="Ajouter une source").is_visible()
        assert page.get_by_label("Auteur de l’affirmation").is_visible()
        # The switcher: English from now on, although the browser asks for French.
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("button", name="Create claim").is_visible()
        assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
        page.goto("/desk/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("link", name="Load article").first.is_visible()
    finally:
        context.close()
    assert not errors, f"browser console errors: {errors}"
