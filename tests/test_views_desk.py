"""Desk pages by role, logging in, loading an article, and the security headers of every page."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.models import Article, Claim
from claims.text import canonicalize

HX = {"HTTP_HX_REQUEST": "true"}


# --- helpers --------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Inputs by name, labels by target, buttons, scripts and inline handlers/styles of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.buttons: list[str] = []
        self.scripts: list[dict] = []
        self.inline_script_bodies: list[str] = []
        self.inline_handlers: list[tuple[str, str]] = []
        self.style_attributes: list[str] = []
        self.javascript_urls: list[str] = []
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._button: list[str] | None = None
        self._textarea: str | None = None
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.inline_handlers.append((tag, name))
            if name == "style":
                self.style_attributes.append(tag)
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.javascript_urls.append(value)
        if tag == "input" and "name" in attrs_d:
            self.inputs[attrs_d["name"]] = attrs_d.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs_d.get("name")
            self.textareas[self._textarea] = ""
        elif tag == "label":
            self._label_for = attrs_d.get("for")
            self._label_text = []
        elif tag == "button":
            self._button = []
        elif tag == "script":
            self.scripts.append(attrs_d)
            self._script = []

    def handle_endtag(self, tag):
        if tag == "label" and self._label_for is not None:
            self.labels[self._label_for] = "".join(self._label_text).strip()
            self._label_for = None
        elif tag == "button" and self._button is not None:
            self.buttons.append(" ".join("".join(self._button).split()))
            self._button = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "script" and self._script is not None:
            self.inline_script_bodies.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        if self._label_for is not None:
            self._label_text.append(data)
        if self._button is not None:
            self._button.append(data)
        if self._textarea is not None:
            self.textareas[self._textarea] += data
        if self._script is not None:
            self._script.append(data)


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def desk_pages(demo):
    article = demo["article"]
    claim = demo["claims"][2]
    return [
        "/desk/",
        "/desk/articles/new/",
        f"/desk/articles/{article.pk}/",
        f"/desk/articles/{article.pk}/?claim={claim.pk}",
    ]


def article_post(**overrides):
    data = {
        "title": "Un titre",
        "outlet": "Le Journal",
        "byline": "Jeanne Dupont",
        "url": "https://example.org/article",
        "language": "fr",
        "published_on": "2025-02-11",
        "image_caption": "Une légende",
        "image_credit": "Photo X",
        "text": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def created_article(response) -> Article:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/desk/articles/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Article.objects.get(pk=int(match.group(1)))


# --- pages by role --------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_with_next(client, demo):
    for path in desk_pages(demo):
        response = client.get(path)
        assert response.status_code == 302, path
        location = urlsplit(response["Location"])
        assert location.path == "/accounts/login/"
        assert parse_qs(location.query)["next"] == [path]


def test_desk_root_sends_anonymous_visitors_to_login(client, db):
    # "/" is the public home page; the desk starts at /desk/.
    response = client.get("/desk/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert response.status_code == 200


def test_user_without_role_gets_styled_403(client, demo, outsider):
    client.force_login(outsider)
    for path in desk_pages(demo):
        response = client.get(path)
        assert response.status_code == 403, path
        html = response.content.decode()
        assert "Not allowed" in html
        assert "<html" in html and 'class="card error-page"' in html
        # htmx callers get the short fragment aimed at the message region.
        fragment = client.get(path, **HX)
        assert fragment.status_code == 403
        assert "Not allowed" in fragment.content.decode()
        assert "<html" not in fragment.content.decode()
        assert fragment["HX-Retarget"] == "#flash"


def test_user_without_role_cannot_load_an_article(client, db, outsider):
    client.force_login(outsider)
    response = client.post("/desk/articles/new/", article_post(text="Du texte."))
    assert response.status_code == 403
    assert Article.objects.count() == 0


def test_inactive_user_is_refused(client, make_user, demo):
    client.force_login(make_user("gone", "Editors", is_active=False))
    for path in desk_pages(demo):
        assert client.get(path).status_code in (302, 403), path


@pytest.mark.parametrize("role", ["editor", "reviewer", "admin", "demo-editor", "demo-reviewer"])
def test_desk_roles_see_every_page(client, demo, editor, reviewer, role):
    user = {
        "editor": editor,
        "reviewer": reviewer,
        "admin": demo["users"]["admin"],
        "demo-editor": demo["users"]["editor"],
        "demo-reviewer": demo["users"]["reviewer2"],
    }[role]
    client.force_login(user)
    for path in desk_pages(demo):
        response = client.get(path)
        assert response.status_code == 200, path


def test_desk_index_lists_articles_and_my_claims(client, demo):
    client.force_login(demo["users"]["editor"])
    html = client.get("/desk/").content.decode()
    article = demo["article"]
    assert f'href="/desk/articles/{article.pk}/"' in html
    assert "3 claims" in html
    # My work links the editor's draft and what was just published; the claim in
    # review waits for a reviewer. The claim list has every one.
    claims = {claim.status: claim for claim in Claim.objects.filter(article=article)}
    assert f"?claim={claims['draft'].pk}" in html
    assert f"?claim={claims['published'].pk}" in html
    assert f"?claim={claims['in_review'].pk}" not in html
    every = client.get("/desk/claims/").content.decode()
    for claim in claims.values():
        assert f"?claim={claim.pk}" in every
    assert ">Load article</a>" in html


def test_annotating_screen_shows_article_and_claims(editor_client, demo):
    article = demo["article"]
    claim = demo["claims"][2]
    html = editor_client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert 'id="article-text"' in html and "<mark" in html
    assert ">Create claim</button>" in html
    assert 'Claims in this article <span class="count">(3)</span>' in html
    assert 'class="form claim-form"' not in html
    html = editor_client.get(f"/desk/articles/{article.pk}/?claim={claim.pk}").content.decode()
    assert f'data-claim="{claim.pk}"' in html and 'class="form claim-form"' in html
    assert 'aria-current="true"' in html


@pytest.mark.parametrize("query", ["abc", "", "-1", "999999", "99999999999999999999999", "1.0"])
def test_annotating_screen_ignores_or_redirects_odd_claim_parameter(editor_client, demo, query):
    article = demo["article"]
    response = editor_client.get(f"/desk/articles/{article.pk}/", {"claim": query})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == f"/desk/articles/{article.pk}/"


@pytest.mark.parametrize("query", ["²", "①"])
def test_annotating_screen_with_superscript_claim_parameter(editor_client, demo, query):
    article = demo["article"]
    editor_client.raise_request_exception = False
    response = editor_client.get(f"/desk/articles/{article.pk}/", {"claim": query})
    assert response.status_code in (200, 302)


def test_claim_of_another_article_redirects_to_the_bare_article(editor_client, demo, editor):
    from claims import services

    other = services.create_article(editor, title="Autre", body="Une phrase. Une autre.")
    claim = demo["claims"][2]
    response = editor_client.get(f"/desk/articles/{other.pk}/?claim={claim.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/articles/{other.pk}/"


def test_unknown_article_is_styled_404(editor_client, db):
    response = editor_client.get("/desk/articles/424242/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_desk_pages_refuse_other_methods(editor_client, demo):
    article = demo["article"]
    assert editor_client.post("/desk/").status_code == 405
    assert editor_client.post(f"/desk/articles/{article.pk}/").status_code == 405
    assert editor_client.delete("/desk/articles/new/").status_code == 405


# --- logging in -----------------------------------------------------------------------------


def test_login_page_has_labelled_fields_and_button(client, db):
    response = client.get("/accounts/login/?next=/desk/")
    assert response.status_code == 200
    page = parse(response)
    assert page.labels.get("id_username") == "Username"
    assert page.labels.get("id_password") == "Password"
    assert "Log in" in page.buttons
    assert page.inputs.get("next") == "/desk/"


def test_demo_editor_logs_in_with_the_form(client, demo):
    response = client.post(
        "/accounts/login/", {"username": "editor", "password": "factcheck", "next": "/desk/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_wrong_password_is_refused_with_message(client, demo):
    response = client.post("/accounts/login/", {"username": "editor", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert client.get("/desk/").status_code == 302


def test_login_does_not_redirect_offsite(client, demo):
    response = client.post(
        "/accounts/login/",
        {"username": "editor", "password": "factcheck", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_logout_is_post_only(editor_client):
    assert editor_client.get("/accounts/logout/").status_code == 405
    response = editor_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert editor_client.get("/desk/").status_code == 302


# --- load an article ------------------------------------------------------------------------


def test_load_article_form_has_the_named_fields(editor_client):
    page = parse(editor_client.get("/desk/articles/new/"))
    assert page.labels["id_title"] == "Title"
    assert page.labels["id_text"] == "Text"
    assert "Load article" in page.buttons
    assert page.inputs.get("language") == "fr"


def test_paste_text_loads_canonical_body_and_redirects(editor_client, editor):
    text = "  Cafe\u0301 ouvert\u00a0!\r\n\r\n\r\n\r\nDeuxième   \r\nligne\rtrois\u2028quatre  \n\n"
    response = editor_client.post("/desk/articles/new/", article_post(text=text))
    article = created_article(response)
    assert article.body == "Café ouvert\u00a0!\n\nDeuxième\nligne\ntrois\nquatre"
    assert article.body == canonicalize(text)
    assert unicodedata.is_normalized("NFC", article.body)
    assert "\r" not in article.body
    assert article.title == "Un titre" and article.outlet == "Le Journal"
    assert article.byline == "Jeanne Dupont" and article.language == "fr"
    assert str(article.published_on) == "2025-02-11"
    assert article.image_caption == "Une légende" and article.image_credit == "Photo X"
    assert article.url == "https://example.org/article"
    assert article.created_by == editor
    assert article.slug == "un-titre"
    assert article.sentences and all(0 <= s < e <= len(article.body) for s, e in article.sentences)
    page = editor_client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-offset="0"' in page.content.decode()


def test_reviewer_can_load_an_article(client, reviewer):
    client.force_login(reviewer)
    created_article(client.post("/desk/articles/new/", article_post(text="Du texte.")))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("article.txt", "Premier.\r\n\r\nSecond\u00a0!".encode(), "Premier.\n\nSecond\u00a0!"),
        ("article.TXT", "\ufeffAvec BOM.".encode(), "Avec BOM."),
        ("article.txt", "UTF-16 aussi.".encode("utf-16"), "UTF-16 aussi."),
        (
            "article.md",
            b"# Titre\n\nUn *texte* avec [un lien](https://x.example).\n",
            "Titre\n\nUn texte avec un lien.",
        ),
        (
            "article.html",
            b"<html><head><title>T</title><script>alert('x')</script><style>p{}</style></head>"
            b"<body><h1>Titre</h1><p>Un &lt;b&gt; paragraphe&nbsp;!</p>"
            b'<script>evil()</script><p onclick="bad()">Fin.</p></body></html>',
            # The headline is the Title field, not a paragraph (claims/extraction.py).
            "Un <b> paragraphe\u00a0!\n\nFin.",
        ),
        ("article.htm", b"<p>Caf\xc3\xa9</p>", "Café"),
    ],
)
def test_upload_loads_the_file(editor_client, name, content, expected):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = editor_client.post("/desk/articles/new/", {**article_post(), "upload": upload})
    article = created_article(response)
    assert article.body == expected
    assert "alert" not in article.body and "evil" not in article.body


def upload_errors():
    return [
        ("empty.txt", b"", "empty"),
        ("big.txt", b"a" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("bad.txt", b"caf\xc3\x28 ok", "not valid UTF-8"),
        ("bad16.txt", b"\xff\xfe\x00", "not valid UTF-8"),
        ("bad16b.txt", b"\xff\xfe\x00\xd8", "not valid UTF-8"),
        ("latin1.txt", "Déjà vu".encode("latin-1"), "not valid UTF-8"),
        ("image.png", b"Just text.", "Upload a .txt, .md or .html file."),
        ("noext", b"Just text.", "Upload a .txt, .md or .html file."),
        ("article.txt.exe", b"Just text.", "Upload a .txt, .md or .html file."),
        ("blank.txt", b"   \n\n\t  ", "no text"),
        ("scripts.html", b"<script>alert(1)</script><style>x</style>", "no text"),
        ("controls.txt", bytes(range(1, 9)) * 10, "binary"),
    ]


@pytest.mark.parametrize(("name", "content", "message"), upload_errors())
def test_upload_refusals_keep_typed_fields(editor_client, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="text/plain")
    data = {**article_post(title="Mon <titre> & co", outlet="L'Outlet"), "upload": upload}
    response = editor_client.post("/desk/articles/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_upload_error"' in html
    assert "The article was not loaded" in html and "choose the file again" in html
    page = parse(response)
    assert page.inputs["title"] == "Mon <titre> & co"
    assert page.inputs["outlet"] == "L'Outlet"
    assert page.inputs["byline"] == "Jeanne Dupont"
    assert "<titre>" not in html
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"text": ""}, "text", "Paste the article text here, or upload a file."),
        ({"text": "  \r\n\t\u00a0 \n"}, "text", "Paste the article text here, or upload a file."),
        ({"text": "\x00\x00"}, "text", ""),
        ({"text": "a" * 200_001}, "text", "longer than 200,000 characters"),
        ({"text": "Du texte.", "url": "javascript:alert(1)"}, "url", "Enter a "),
        ({"text": "Du texte.", "url": "JavaScript:alert(1)"}, "url", "Enter a "),
        ({"text": "Du texte.", "url": "data:text/html,<b>x</b>"}, "url", "Enter a "),
        ({"text": "Du texte.", "url": "file:///etc/passwd"}, "url", "Enter a "),
        ({"text": "Du texte.", "url": "ftp://example.org/a"}, "url", "Enter a "),
        ({"text": "Du texte.", "title": "   "}, "title", "required"),
        ({"text": "Du texte.", "title": None}, "title", "required"),
        ({"text": "Du texte.", "language": "<script>"}, "language", "language tag"),
        ({"text": "Du texte.", "published_on": "2025-02-30"}, "published_on", "valid date"),
        ({"text": "Du texte.", "outlet": "x" * 201}, "outlet", "at most 200"),
    ],
)
def test_load_article_refusals(editor_client, overrides, field, message):
    data = article_post(title="Gardé", outlet="Outlet gardé")
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    response = editor_client.post("/desk/articles/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    page = parse(response)
    if field != "title":
        assert page.inputs["title"] == "Gardé"
    if field != "outlet":
        assert page.inputs["outlet"] == "Outlet gardé"
    if field != "text" and "text" in data:
        assert page.textareas["text"].lstrip("\n") == data["text"]
    assert Article.objects.count() == 0


def test_pasted_text_and_a_file_together_are_refused_keeping_the_text(editor_client):
    """Neither silently wins: the message names the file (a browser cannot re-fill a file
    input), and the pasted text is kept for the next press of Load article."""
    text = "Le texte collé.\r\n\r\nSecond paragraphe."
    upload = SimpleUploadedFile("rapport <b>final.txt", b"Le fichier.", content_type="text/plain")
    data = {**article_post(text=text, title="Gardé"), "upload": upload}
    response = editor_client.post("/desk/articles/new/", data)
    assert response.status_code == 400
    assert Article.objects.count() == 0
    html = response.content.decode()
    assert "it came both as pasted text and as the file “rapport &lt;b&gt;final.txt”" in html
    assert "<b>final" not in html
    assert 'id="id_upload_error"' in html and "not both" in html
    page = parse(response)
    assert page.textareas["text"].lstrip("\n") == text
    assert page.inputs["title"] == "Gardé"
    # Pressing Load article again (the file input is empty now) loads the pasted text.
    article = created_article(editor_client.post("/desk/articles/new/", article_post(text=text)))
    assert article.body == "Le texte collé.\n\nSecond paragraphe."


def test_django_htmx_debug_script_is_not_loaded_in_dev_mode(client, demo, editor, settings):
    """With DEBUG on, django-htmx's debug script replaced the whole page with any 400,
    403 or 404 answer, which the desk answers with a message to show in place."""
    settings.DEBUG = True
    client.force_login(editor)
    html = client.get(f"/desk/articles/{demo['article'].pk}/").content.decode()
    assert "django-htmx.js" not in html
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer>', html)


def test_a_claim_gone_answers_htmx_in_the_page_in_dev_mode_too(client, demo, editor, settings):
    """With DEBUG on, Django's technical 404 page was swapped in place of the claim panel;
    dev mode answers as production does, with the message for the page's message region."""
    client.force_login(editor)
    answers = []
    for debug in (False, True):
        settings.DEBUG = debug
        response = client.get("/desk/claims/999999/", HTTP_HX_REQUEST="true")
        assert response.status_code == 404
        assert response["HX-Retarget"] == "#flash"
        answers.append(response.content.decode())
    assert answers[0] == answers[1]
    assert "Page not found" in answers[1] and "<html" not in answers[1]


def test_text_of_exactly_200000_characters_is_accepted(editor_client):
    text = ("Phrase. " * 25_000)[:200_000]
    article = created_article(editor_client.post("/desk/articles/new/", article_post(text=text)))
    assert len(article.body) == len(text.strip())


def test_same_title_twice_gets_distinct_slugs(editor_client):
    first = created_article(editor_client.post("/desk/articles/new/", article_post(text="A.")))
    second = created_article(editor_client.post("/desk/articles/new/", article_post(text="B.")))
    assert first.slug != second.slug


# --- security headers and markup ------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def all_pages(client, demo, editor):
    """Every page a desk user or visitor can see, as (path, response)."""
    anonymous = Client()
    pages = [("/accounts/login/", anonymous.get("/accounts/login/"))]
    client.force_login(editor)
    for path in desk_pages(demo):
        pages.append((path, client.get(path)))
    pages.append(("404", client.get("/desk/articles/424242/")))
    pages.append(("400", client.post("/desk/articles/new/", article_post())))
    claim = demo["claims"][2]
    pages.append(("delete", client.get(f"/desk/claims/{claim.pk}/delete/")))
    outsider = Client()
    from django.contrib.auth.models import User

    outsider.force_login(User.objects.create_user("nobody"))
    pages.append(("403", outsider.get("/desk/")))
    return pages


def test_csp_forbids_inline_script_and_eval(client, demo, editor):
    for path, response in all_pages(client, demo, editor):
        directives = csp_directives(response)
        script_src = directives.get("script-src", directives.get("default-src"))
        assert script_src is not None, path
        assert "'unsafe-inline'" not in script_src, path
        assert "'unsafe-eval'" not in script_src, path
        assert "'unsafe-inline'" not in directives.get("style-src", []), path
        assert directives.get("object-src") == ["'none'"], path
        assert directives.get("frame-ancestors") == ["'none'"], path
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_handler_or_style(client, demo, editor):
    for path, response in all_pages(client, demo, editor):
        page = parse(response)
        assert page.scripts, path  # htmx and desk.js, from files
        for attrs in page.scripts:
            assert attrs.get("src"), (path, attrs)
        assert all(not body.strip() for body in page.inline_script_bodies), path
        assert page.inline_handlers == [], path
        assert page.style_attributes == [], path
        assert page.javascript_urls == [], path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()), path


def test_htmx_is_served_locally_and_configured_without_eval(client, demo, editor):
    client.force_login(editor)
    html = client.get("/desk/").content.decode()
    srcs = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert srcs and all(src.startswith("/static/") for src in srcs)
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html


# --- CSRF -----------------------------------------------------------------------------------


def test_every_post_requires_csrf(demo, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    article = demo["article"]
    claim = demo["claims"][2]
    start, end = article.sentences[0]
    posts = [
        ("/desk/articles/new/", article_post(text="Du texte.")),
        (
            f"/desk/articles/{article.pk}/claims/",
            {"start": start, "end": end, "exact": article.body[start:end]},
        ),
        (f"/desk/claims/{claim.pk}/", {"action": "save", "version": claim.version}),
        (
            f"/desk/claims/{claim.pk}/anchor/",
            {
                "start": start,
                "end": end,
                "exact": article.body[start:end],
                "version": claim.version,
            },
        ),
        (f"/desk/claims/{claim.pk}/delete/", {}),
        ("/accounts/logout/", {}),
    ]
    counts = (Article.objects.count(), claim.__class__.objects.count())
    for url, data in posts:
        for extra in ({}, HX):
            response = client.post(url, data, **extra)
            assert response.status_code == 403, url
    assert (Article.objects.count(), claim.__class__.objects.count()) == counts
    assert client.get("/desk/").status_code == 200  # still logged in: logout was refused too


def test_csrf_token_from_the_page_and_the_htmx_header_are_accepted(demo, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = parse(client.get("/desk/articles/new/"))
    token = page.inputs["csrfmiddlewaretoken"]
    response = client.post(
        "/desk/articles/new/", {**article_post(text="Du texte."), "csrfmiddlewaretoken": token}
    )
    created_article(response)
    article = demo["article"]
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    header_token = re.search(r'data-hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html).group(1)
    start, end = article.sentences[0]
    response = client.post(
        f"/desk/articles/{article.pk}/claims/",
        {"start": start, "end": end, "exact": article.body[start:end]},
        HTTP_X_CSRFTOKEN=header_token,
        **HX,
    )
    assert response.status_code == 201


def test_login_requires_csrf(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "editor", "password": "factcheck"})
    assert response.status_code == 403


def test_csrf_failure_is_a_styled_message_for_htmx(demo, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    claim = demo["claims"][2]
    response = client.post(f"/desk/claims/{claim.pk}/", {"action": "save"}, **HX)
    assert response.status_code == 403
    assert response.get("HX-Retarget") == "#flash"
    assert "<html" not in response.content.decode()


def test_server_error_page_is_styled(db):
    from django.test import RequestFactory

    from claims.views.errors import server_error

    response = server_error(RequestFactory().get("/desk/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "<html" in html


def test_ids_are_unique_on_every_page(client, demo, editor):
    for path, response in all_pages(client, demo, editor):
        ids = re.findall(r'\sid="([^"]+)"', response.content.decode())
        duplicates = {i for i in ids if ids.count(i) > 1}
        assert not duplicates, (path, duplicates)


def test_every_label_points_at_a_field(client, demo, editor):
    for path, response in all_pages(client, demo, editor):
        html = response.content.decode()
        for target in re.findall(r'<label for="([^"]+)"', html):
            assert f'id="{target}"' in html, (path, target)


def test_request_too_big_is_400_not_500(editor_client):
    response = editor_client.post("/desk/articles/new/", article_post(text="a" * 3_300_000))
    assert response.status_code == 400
    assert Article.objects.count() == 0


def test_too_many_fields_is_400_not_500(editor_client):
    data = article_post(text="Du texte.")
    data.update({f"f{i}": "x" for i in range(4100)})
    response = editor_client.post("/desk/articles/new/", data)
    assert response.status_code == 400
    assert Article.objects.count() == 0
