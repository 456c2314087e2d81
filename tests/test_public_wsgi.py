"""The WSGI layer in front of Django (claims/public/wsgi.py), called as a server calls it.

These tests commit (transaction=True), as production does: on PostgreSQL the
stamp is then read through the process's own watcher connection, which sees
only committed data. The last one serves the project with gunicorn and two
workers and talks HTTP to it.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.utils import translation

from claims import workflow
from claims.models import Claim, ClaimStatus
from claims.public import page_cache
from claims.public import wsgi as public_wsgi
from claims.public.wsgi import StoredPagesApplication
from factcheck.wsgi import django_application
from tests.conftest import restore_seed_data
from tests.servers import answers, free_port, serving
from tests.test_public_support import (  # noqa: F401 - fixtures
    PUBLIC_PATHS,
    _fresh_public_cache,
    _quiet_notifications,
    draft_claim,
    make_article,
    people,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db(transaction=True)

BLNS = [
    line
    for line in Path(__file__).with_name("blns.txt").read_text(encoding="utf-8").split("\n")
    if line and not line.startswith("#")
]


@pytest.fixture(autouse=True)
def _seed():
    restore_seed_data()


class Counting:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self, application=django_application):
        self.application = application
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


def wsgi_environ(path="/", method="GET", query="", **extra):
    """What a WSGI server hands over: str values that are bytes read as latin-1."""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": query.encode("utf-8").decode("latin-1"),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    return environ


def call(application, path="/", **kwargs):
    """(status, headers, body) as the server would send them."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, list(headers)

    result = application(wsgi_environ(path, **kwargs), start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], body


@pytest.fixture
def layer():
    inner = Counting()
    return StoredPagesApplication(inner), inner


@pytest.fixture
def published():
    article = make_article()
    claim = published_claim(article, sentence(article, 2), text="Publiée")
    return article, claim


def header(headers, name):
    values = [value for key, value in headers if key.lower() == name.lower()]
    assert len(values) == 1, (name, headers)
    return values[0]


# -- what it answers ---------------------------------------------------------------------------


def test_a_page_served_once_is_answered_again_without_django_byte_for_byte(layer, published):
    application, inner = layer
    article, claim = published
    paths = [
        *PUBLIC_PATHS,
        f"/articles/{article.slug}/",
        f"/articles/{article.slug}/annotations.jsonld",
        f"/fact-checks/{claim.slug}/",
        "/?verdict=faux",
    ]
    for path in paths:
        path, _, query = path.partition("?")
        first = call(application, path, query=query)
        calls = inner.calls
        again = [call(application, path, query=query) for _ in range(3)]
        assert inner.calls == calls, f"{path}?{query} reached Django again"
        assert first[0] == "200 OK", (path, first[0])
        for response in again:
            assert response == first  # status, every header in order, body
        status, headers, body = first
        assert header(headers, "ETag").startswith('"')
        assert header(headers, "Cache-Control") in (
            "no-cache",
            "public, max-age=31536000, immutable",
        )
        assert "'unsafe-inline'" not in header(headers, "Content-Security-Policy")
        assert header(headers, "X-Content-Type-Options") == "nosniff"
        assert header(headers, "Referrer-Policy") == "same-origin"
        assert header(headers, "X-Frame-Options") == "DENY"
        assert header(headers, "Content-Length") == str(len(body))
        assert not [v for k, v in headers if k.lower() == "set-cookie"]


def test_an_approval_is_visible_on_the_very_next_request(layer, published):
    application, inner = layer
    article, claim = published
    editor, reviewer = people()
    waiting = draft_claim(article, sentence(article, 6), text="Approuvée")
    workflow.submit(waiting.pk, editor)
    for path in ("/", f"/articles/{article.slug}/"):
        call(application, path)
        assert b"Approuv\xc3\xa9e statement" not in call(application, path)[2]
    calls = inner.calls

    workflow.approve(waiting.pk, reviewer)

    home = call(application, "/")[2].decode()
    assert "Approuvée statement" in home
    assert f"/fact-checks/{Claim.objects.get(pk=waiting.pk).slug}/" in home
    assert inner.calls == calls + 1  # rendered again, by Django
    assert call(application, "/")[2].decode() == home
    assert inner.calls == calls + 1  # and kept again
    # A change behind the application's back (another server, the shell) too.
    Claim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.WITHDRAWN, withdrawn_reason="Retrait direct."
    )
    assert "Publiée statement" not in call(application, "/")[2].decode()
    assert "Publiée statement" not in call(application, f"/articles/{article.slug}/")[2].decode()


def test_what_the_layer_leaves_to_django(layer, published):
    application, inner = layer
    status, headers, body = call(application, "/")
    etag = header(headers, "ETag")

    def reaches_django(**kwargs):
        calls = inner.calls
        answer = call(application, kwargs.pop("path", "/"), **kwargs)
        assert inner.calls == calls + 1, kwargs
        return answer

    # Django makes the first 304; the layer answers the next ones exactly alike.
    not_modified = reaches_django(HTTP_IF_NONE_MATCH=etag)
    assert not_modified[0] == "304 Not Modified" and not_modified[2] == b""
    assert header(not_modified[1], "ETag") == etag
    calls = inner.calls
    for matching in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        assert call(application, "/", HTTP_IF_NONE_MATCH=matching) == not_modified, matching
    assert call(application, "/", HTTP_IF_NONE_MATCH='"other"') == (status, headers, body)
    assert inner.calls == calls
    assert reaches_django(HTTP_IF_MODIFIED_SINCE="Thu, 01 Jan 2026 00:00:00 GMT")[0] == "200 OK"
    assert reaches_django(HTTP_IF_NONE_MATCH=etag, HTTP_IF_MATCH='"x"')[0].startswith("412")
    assert reaches_django(method="HEAD")[0] == "200 OK"
    assert reaches_django(method="POST")[0].startswith(("403", "405"))
    assert reaches_django(HTTP_HOST="evil.example")[0].startswith("400")
    assert reaches_django(query="page=1")[0] == "200 OK"  # another key, even if same page
    assert reaches_django(**{"wsgi.url_scheme": "https"})[0] == "200 OK"  # HSTS may differ
    # What no page reads is not in the key: the same stored page, without Django.
    calls = inner.calls
    for extra in (
        {"query": "utm_source=x"},
        {"CONTENT_TYPE": "text/plain; charset=utf-16-le"},
        {"SCRIPT_NAME": "//evil.example"},
        {"HTTP_HOST": "localhost:8000"},
        {"HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_X_FORWARDED_PROTO": "https"},
    ):
        assert call(application, "/", **extra) == (status, headers, body), extra
    assert inner.calls == calls
    french = reaches_django(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert header(french[1], "Content-Language") == "fr"
    assert call(application, "/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9") == french  # kept
    assert call(application, "/", HTTP_COOKIE="django_language=fr") == french  # same language
    assert call(application, "/") == (status, headers, body)  # English still English
    assert header(reaches_django(path="/fact-checks/inconnu/")[1], "Content-Language") == "en"
    assert reaches_django(path="/fact-checks/inconnu/")[0].startswith("404")  # 404s are not kept
    assert reaches_django(path="/desk/")[0].startswith("302")


def test_a_response_that_sets_a_cookie_is_never_kept(published):
    def with_cookie(environ, start_response):
        def adding_a_cookie(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Set-Cookie", "sid=1; Path=/")], exc_info)

        return django_application(environ, adding_a_cookie)

    inner = Counting(with_cookie)
    application = StoredPagesApplication(inner)
    for _ in range(3):
        call(application, "/")
    assert inner.calls == 3


def test_a_failing_stamp_read_hands_the_request_to_django(layer, published, monkeypatch, caplog):
    application, inner = layer
    first = call(application, "/")

    def unreachable():
        raise OperationalError("the database went away")

    monkeypatch.setattr(public_wsgi, "current_stamp", unreachable)
    with caplog.at_level(logging.WARNING, logger="claims.public.wsgi"):
        assert call(application, "/") == first
    assert inner.calls == 2
    assert "Stored public page lookup failed" in caplog.text


def test_the_language_is_negotiated_exactly_as_django_does():
    factory = RequestFactory()
    accepts = [
        "",
        "fr",
        "fr-CA,fr;q=0.9",
        "de, en;q=0.5",
        "*",
        "en-GB",
        "xx",
        "fr;q=0",
        *BLNS[:200],
    ]
    cookies = [None, "fr", "en", "de", "FR", "fr-ca", ""]
    for accept in accepts:
        for cookie in cookies:
            sent = {} if cookie is None else {"HTTP_COOKIE": f"django_language={cookie}"}
            request = factory.get("/", HTTP_ACCEPT_LANGUAGE=accept, **sent)
            expected = translation.get_language_from_request(request)
            assert page_cache.negotiated_language(cookie, accept) == expected, (cookie, accept)
            assert page_cache.language_of(request) == expected


def test_long_language_headers_are_negotiated_but_never_remembered():
    """A server joins repeated headers: one request can send hundreds of kilobytes."""
    page_cache._negotiated.clear()
    factory = RequestFactory()
    for n in range(50):
        accept = f"x{n}-" + "a" * 8000 + ",fr;q=0.9"
        cookie = "fr" + "z" * 5000
        sent = f"{settings.LANGUAGE_COOKIE_NAME}={cookie}"
        request = factory.get("/", HTTP_ACCEPT_LANGUAGE=accept, HTTP_COOKIE=sent)
        assert page_cache.language_of(request) == translation.get_language_from_request(request)
        alone = factory.get("/", HTTP_ACCEPT_LANGUAGE=accept)
        assert page_cache.language_of(alone) == translation.get_language_from_request(alone)
    assert sum(len(a) + len(c or "") for c, a in page_cache._negotiated) < 1000
    assert page_cache.negotiated_language(None, "fr") == "fr"
    assert (None, "fr") in page_cache._negotiated


def test_hostile_requests_get_no_server_error_through_the_layer(layer, published):
    application, inner = layer
    article, claim = published
    for line in BLNS:
        for path, extra in (
            ("/", {"query": f"page={quote(line)}"}),
            ("/", {"query": line}),
            (f"/fact-checks/{line}/", {}),
            ("/", {"HTTP_ACCEPT_LANGUAGE": line.encode("utf-8").decode("latin-1")}),
            ("/", {"HTTP_COOKIE": f"django_language={quote(line)}; {quote(line)}=1"}),
        ):
            status = call(application, path, **extra)[0]
            assert not status.startswith("5"), (line, path, extra, status)


# -- with gunicorn -----------------------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


@pytest.fixture
def gunicorn(transactional_db):
    """The project as deployed: gunicorn, two sync workers, DEBUG off, this test database."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,[::1]",
        "SITE_URL": settings.SITE_URL,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "STATIC_PLAIN": "1",
        "LOG_LEVEL": "ERROR",
    }
    base = f"http://127.0.0.1:{port}"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "factcheck.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    with serving(
        command,
        env=env,
        cwd=settings.BASE_DIR,
        name="gunicorn",
        ready=lambda: answers(f"{base}/methodology/"),
    ):
        yield base


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_every_gunicorn_worker_shows_an_approval_on_the_very_next_request(published, gunicorn):
    article, claim = published
    editor, reviewer = people()
    waiting = draft_claim(article, sentence(article, 6), text="Approuvée")
    workflow.submit(waiting.pk, editor)
    paths = ["/", f"/articles/{article.slug}/", f"/fact-checks/{claim.slug}/"]
    etags = {}
    for path in paths:
        answers = [fetch(gunicorn + path) for _ in range(8)]  # rendered, then kept, by both
        assert {status for status, _, _ in answers} == {200}, path
        assert len({body for _, _, body in answers}) == 1, path
        assert len({tuple(h for h in hs.items() if h[0] != "Date") for _, hs, _ in answers}) == 1
        headers = answers[0][1]
        for name in ("ETag", "Content-Security-Policy", "X-Content-Type-Options"):
            assert headers[name], name
        assert b"Approuv\xc3\xa9e statement" not in answers[0][2]
        for _ in range(4):  # both workers: Django's 304, then the layer's
            assert fetch(gunicorn + path, **{"If-None-Match": headers["ETag"]})[0] == 304
        etags[path] = headers["ETag"]

    workflow.approve(waiting.pk, reviewer)

    for path in paths[:2]:
        bodies = [fetch(gunicorn + path)[2] for _ in range(8)]
        assert all("Approuvée statement".encode() in body for body in bodies), path
        # A reader who has the page from before the approval gets the new one.
        for _ in range(4):
            status, _, body = fetch(gunicorn + path, **{"If-None-Match": etags[path]})
            assert status == 200 and "Approuvée statement".encode() in body, path
    assert fetch(gunicorn + "/", Host="evil.example")[0] == 400
