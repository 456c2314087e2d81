"""No request can change the page another reader gets (issue 9, item 1).

Every hostile variant a client can send (a SCRIPT_NAME header, forwarded
headers, odd and disallowed hosts, path tricks, languages) is sent a dozen
times, after the page cache was filled with other addresses so that pages
are rendered again. Then plain requests must get exactly the bytes and
headers a fresh process gives them. Absolute addresses come from SITE_URL,
never from the request, so the hosts readers may use all get one page.

Both through the WSGI callable (the layer and Django, in this process) and
over HTTP against gunicorn with two workers.
"""

from __future__ import annotations

import re
import socket

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from claims.public import conf, page_cache
from claims.public.wsgi import StoredPagesApplication
from factcheck.wsgi import django_application
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    make_article,
    published_claim,
    sentence,
)
from tests.test_public_wsgi import _seed, gunicorn, wsgi_environ  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

EVIL = "//evil.example"
REPEAT = 12


@pytest.fixture
def site():
    article = make_article()
    claim = published_claim(article, sentence(article, 2), text="Publiée")
    return article, claim


def plain_paths(article, claim) -> list[str]:
    return [
        "/",
        "/?verdict=faux",
        "/methodology/",
        "/corrections/",
        "/fact-checks.atom",
        "/claim-reviews.json",
        "/verdicts.css",
        f"/articles/{article.slug}/",
        f"/articles/{article.slug}/annotations.jsonld",
        f"/fact-checks/{claim.slug}/",
        f"/fact-checks/{claim.slug}/card.png",
        "/sitemap.xml",
        "/robots.txt",
    ]


def hostile_variants(path: str) -> list[tuple[str, dict]]:
    """(path as the server decodes it, environ) pairs that must not touch the plain page."""
    slug_path = path.partition("?")[0]
    return [
        # gunicorn strips a SCRIPT_NAME header's value from the front of the path.
        (slug_path, {"SCRIPT_NAME": EVIL}),
        (slug_path, {"SCRIPT_NAME": "/prefix"}),
        (slug_path, {"SCRIPT_NAME": EVIL, "HTTP_HOST": "localhost"}),
        (EVIL + slug_path, {}),
        (slug_path, {"HTTP_X_FORWARDED_HOST": "evil.example"}),
        (slug_path, {"HTTP_X_FORWARDED_PROTO": "https"}),
        (slug_path, {"HTTP_X_FORWARDED_PORT": "8443"}),
        (slug_path, {"wsgi.url_scheme": "https", "SERVER_PORT": "443"}),
        (slug_path, {"HTTP_HOST": "localhost"}),
        (slug_path, {"HTTP_HOST": "localhost:8000"}),
        (slug_path, {"HTTP_HOST": "127.0.0.1"}),
        (slug_path, {"HTTP_HOST": "127.0.0.1:8443"}),
        (slug_path, {"HTTP_HOST": "[::1]"}),
        (slug_path, {"HTTP_HOST": "[::1]:8000"}),
        (slug_path, {"HTTP_HOST": "LOCALHOST."}),
        (slug_path, {"HTTP_HOST": "evil.example"}),
        (slug_path, {"HTTP_HOST": "testserver:80@evil.example"}),
        (slug_path, {"HTTP_HOST": ""}),
        (slug_path, {"SERVER_NAME": "evil.example", "HTTP_HOST": None}),
        ("/." + slug_path, {}),
        (slug_path + "./", {}),
        ("/" + slug_path, {}),
        (slug_path.replace("/", "//"), {}),
        (slug_path.replace("/", "%2F"), {}),
        (slug_path.rstrip("/"), {}),
        (slug_path, {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}),
        (slug_path, {"HTTP_COOKIE": "django_language=fr"}),
        (slug_path, {"HTTP_ACCEPT_LANGUAGE": "fr", "SCRIPT_NAME": EVIL}),
        (slug_path, {"HTTP_ACCEPT_LANGUAGE": "de;q=1, fr;q=0.5" + ", x" * 300}),
    ]


def send(application, path: str, **environ):
    """(status, headers, body) of a GET of `path` (query string included) with these
    environ values; None removes a key (a request without a Host header)."""
    path, _, query = path.partition("?")
    full = wsgi_environ(path, query=query)
    for key, value in environ.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, list(headers)

    result = application(full, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], body


def fillers(times: int = 1) -> list[str]:
    return [
        # The reproduction: distinct query strings (one key now: pages ignore them)...
        *(f"/?fill={n}" for n in range(conf.PAGE_CACHE_ENTRIES + 8)),
        # ...and addresses that are distinct keys, so that every kept page is evicted.
        *(f"/verdicts.css?v={n}" for n in range(times * conf.PAGE_CACHE_ENTRIES + 8)),
    ]


def fill_the_cache(application):
    for path in fillers():
        send(application, path)


def etag_of(answer) -> str:
    (etag,) = [value for name, value in answer[1] if name == "ETag"]
    return etag


def test_no_hostile_request_changes_what_plain_readers_get(site):
    article, claim = site
    paths = plain_paths(article, claim)
    application = StoredPagesApplication(django_application)

    def plain(path, etag=None):
        """A reader's first visit, or a revalidation of the page they have."""
        return send(application, path, **({"HTTP_IF_NONE_MATCH": etag} if etag else {}))

    def fresh_answers():
        page_cache.pages.clear()
        page_cache._negotiated.clear()
        answers = {}
        for path in paths:
            first = plain(path)
            answers[path] = (first, plain(path, etag_of(first)))
        for path, (first, again) in answers.items():  # the same again, now stored
            assert (plain(path), plain(path, etag_of(first))) == (first, again), path
        return answers

    fresh = fresh_answers()
    for path, (first, again) in fresh.items():
        assert first[0] == "200 OK" and again[0] == "304 Not Modified", path
        assert b"evil.example" not in first[2]
    for path in paths:
        fill_the_cache(application)
        query = path.partition("?")[2]
        etag = etag_of(fresh[path][0])
        for hostile_path, extra in hostile_variants(path):
            target = f"{hostile_path}?{query}" if query else hostile_path
            for n in range(REPEAT):
                conditional = {"HTTP_IF_NONE_MATCH": etag} if n % 2 else {}
                status = send(application, target, **extra, **conditional)[0]
                assert not status.startswith("5"), (target, extra, status)
        for other in paths:
            first, again = fresh[other]
            assert (plain(other), plain(other, etag_of(first))) == (first, again), (path, other)
    assert fresh_answers() == fresh


def test_every_host_a_reader_may_use_gets_the_same_page(site):
    """Links and ids come from SITE_URL: one Atom id per entry, whatever the Host."""
    article, claim = site
    application = StoredPagesApplication(django_application)
    origin = settings.SITE_URL.rstrip("/")
    for path in plain_paths(article, claim):
        plain = send(application, path)
        for host in ("localhost", "127.0.0.1", "localhost:8000", "testserver:8080"):
            page_cache.pages.clear()
            assert send(application, path, HTTP_HOST=host) == plain, (path, host)
    feed = send(application, "/fact-checks.atom")[2].decode()
    assert f"<id>{origin}/fact-checks/{claim.slug}/</id>" in feed
    assert f'href="{origin}/fact-checks.atom"' in feed
    page = send(application, f"/fact-checks/{claim.slug}/")[2].decode()
    assert f'<link rel="canonical" href="{origin}/fact-checks/{claim.slug}/">' in page
    assert f'<meta property="og:url" content="{origin}/fact-checks/{claim.slug}/">' in page
    assert f'"@id": "{origin}/fact-checks/{claim.slug}/#claim-review"' in page
    assert f'"url": "{origin}/fact-checks/{claim.slug}/"' in page
    annotations = send(application, f"/articles/{article.slug}/annotations.jsonld")[2].decode()
    assert f'"id": "{origin}/fact-checks/{claim.slug}/#annotation"' in annotations
    assert f'"id": "{origin}/articles/{article.slug}/annotations.jsonld"' in annotations


def test_a_disallowed_host_is_refused_even_when_its_page_is_stored(site):
    article, claim = site
    application = StoredPagesApplication(django_application)
    for path in plain_paths(article, claim):
        assert send(application, path)[0] == "200 OK"
        for host in ("evil.example", "evil.example:80", "", "testserver@evil.example"):
            assert send(application, path, HTTP_HOST=host)[0].startswith("400"), (path, host)
        forwarded = send(application, path, HTTP_X_FORWARDED_HOST="evil.example")
        assert forwarded[0] == "200 OK"  # not trusted: USE_X_FORWARDED_HOST is off


# -- against gunicorn ------------------------------------------------------------------------


def raw_get(base: str, target: str, headers: list[tuple[str, str]], *, version="1.1"):
    """(status, headers without Date, body) of a GET sent byte for byte as given."""
    host, port = base.removeprefix("http://").split(":")
    lines = [f"GET {target} HTTP/{version}", *(f"{k}: {v}" for k, v in headers)]
    lines += ["Connection: close", "", ""]
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall("\r\n".join(lines).encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *header_lines = head.decode("latin-1").split("\r\n")
    kept = [tuple(line.split(": ", 1)) for line in header_lines]
    return int(status.split()[1]), [h for h in kept if h[0].lower() != "date"], body


def hostile_http(base: str, path: str) -> list[tuple[str, list[tuple[str, str]], str]]:
    """(target, headers, HTTP version) as a client may send them to gunicorn."""
    here = base.removeprefix("http://")
    slug_path, _, query = path.partition("?")
    q = f"?{query}" if query else ""
    return [
        (EVIL + path, [("Host", here), ("SCRIPT_NAME", EVIL)], "1.1"),
        ("/prefix" + path, [("Host", here), ("SCRIPT_NAME", "/prefix")], "1.1"),
        (EVIL + path, [("Host", here)], "1.1"),
        (path, [("Host", here), ("X-Forwarded-Host", "evil.example")], "1.1"),
        (path, [("Host", here), ("X-Forwarded-Proto", "https")], "1.1"),
        (path, [("Host", here), ("X-Forwarded-Port", "8443")], "1.1"),
        (path, [("Host", here), ("X-Forwarded-Ssl", "on")], "1.1"),
        (path, [("Host", "localhost")], "1.1"),
        (path, [("Host", "localhost:8000")], "1.1"),
        (path, [("Host", "[::1]")], "1.1"),
        (path, [("Host", "[::1]:" + here.split(":")[1])], "1.1"),
        (path, [("Host", "evil.example")], "1.1"),
        (path, [], "1.0"),
        (f"http://evil.example{path}", [("Host", here)], "1.1"),
        ("/." + path, [("Host", here)], "1.1"),
        ("/" + path, [("Host", here)], "1.1"),
        (slug_path.replace("/", "//") + q, [("Host", here)], "1.1"),
        (slug_path.replace("/", "%2F") + q, [("Host", here)], "1.1"),
        (slug_path.replace("/", "/./") + q, [("Host", here)], "1.1"),
        (path, [("Host", here), ("Accept-Language", "fr-FR,fr;q=0.9")], "1.1"),
        (path, [("Host", here), ("Cookie", "django_language=fr")], "1.1"),
        (path, [("Host", "localhost"), ("Accept-Language", "fr"), ("SCRIPT_NAME", "")], "1.1"),
    ]


def test_no_hostile_request_changes_what_gunicorn_serves(site, gunicorn):  # noqa: F811
    article, claim = site
    paths = plain_paths(article, claim)
    here = gunicorn.removeprefix("http://")

    def plain_answers(host=here):
        """Each page, and its revalidation with the ETag it carries."""
        answers = {}
        for path in paths:
            # Four times: both workers render it, then answer from what they keep.
            seen = {repr(raw_get(gunicorn, path, [("Host", host)])) for _ in range(4)}
            assert len(seen) == 1, (path, seen)
            first = seen.pop()
            etag = re.search(r"\('ETag', '([^']+)'\)", first).group(1)
            revalidated = {
                repr(raw_get(gunicorn, path, [("Host", host), ("If-None-Match", etag)]))
                for _ in range(4)
            }
            assert len(revalidated) == 1, (path, revalidated)
            answers[path] = (first, revalidated.pop())
        return answers

    fresh = plain_answers()  # two fresh processes
    for path, (first, again) in fresh.items():
        assert "evil.example" not in first
        assert first.startswith("(200,") and again.startswith("(304,"), path
    for path in fillers(times=3):  # each worker's cache, evicted
        raw_get(gunicorn, path, [("Host", here)])
    for path in paths:
        etag = re.search(r"\('ETag', '([^']+)'\)", fresh[path][0]).group(1)
        for target, headers, version in hostile_http(gunicorn, path):
            for n in range(REPEAT):
                conditional = [("If-None-Match", etag)] if n % 2 else []
                status = raw_get(gunicorn, target, headers + conditional, version=version)[0]
                assert status < 500, (target, headers, status)
    assert plain_answers() == fresh
    # Every host a reader may use gets the same bytes: links come from SITE_URL.
    for host in ("localhost", f"localhost:{here.split(':')[1]}", "[::1]"):
        assert plain_answers(host) == fresh, host


# -- behind a trusted proxy ----------------------------------------------------------------------


@pytest.fixture
def behind_a_proxy():
    """Forwarded host and scheme trusted, HTTPS redirect and HSTS on: a handler built
    under these settings (the middleware reads them when it is made)."""
    with override_settings(
        USE_X_FORWARDED_HOST=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=3600,
    ):
        yield StoredPagesApplication(WSGIHandler())


def test_behind_a_proxy_the_forwarded_host_is_checked_and_the_redirect_and_hsts_hold(
    site, behind_a_proxy
):
    application = behind_a_proxy
    article, claim = site
    tls = {"HTTP_X_FORWARDED_PROTO": "https"}
    for path in plain_paths(article, claim):
        first = send(application, path, **tls)
        assert first[0] == "200 OK", path
        hsts = [value for name, value in first[1] if name == "Strict-Transport-Security"]
        assert [value.split(";")[0] for value in hsts] == ["max-age=3600"], path
        for _ in range(3):
            assert send(application, path, **tls) == first  # kept, with its HSTS
            # Plain HTTP is redirected, never answered with the page kept for HTTPS.
            redirect = send(application, path)
            assert redirect[0].startswith("301"), path
            assert ("Location", f"https://testserver{path}") in redirect[1]
            assert send(application, path, HTTP_X_FORWARDED_PROTO="http")[0].startswith("301")
        for host in ("evil.example", "testserver@evil.example", ""):
            refused = send(application, path, HTTP_X_FORWARDED_HOST=host, **tls)
            assert refused[0].startswith("400"), (path, host)
        assert send(application, path, HTTP_X_FORWARDED_HOST="localhost", **tls) == first


def test_hostile_variety_keeps_the_cache_small(site):
    """Keys hold only bounded values, whatever the request sends."""
    article, claim = site
    application = StoredPagesApplication(django_application)
    long = "x" * 20_000
    for n in range(conf.PAGE_CACHE_ENTRIES + 50):
        for path, extra in (
            (f"/verdicts.css?v={n}{long}", {}),
            (f"/?page=1&verdict={n}{long}", {}),
            (f"/articles/{article.slug}/?{n}={long}", {}),
            (f"/fact-checks/{claim.slug}/", {"SCRIPT_NAME": f"/{n}{long}"}),
            (f"/fact-checks/{claim.slug}/", {"HTTP_ACCEPT_LANGUAGE": f"x{n}-{long},fr"}),
            ("/", {"HTTP_COOKIE": f"django_language=fr{n}{long}"}),
        ):
            assert not send(application, path, **extra)[0].startswith("5")
    kept = page_cache.pages._pages
    assert len(kept) <= conf.PAGE_CACHE_ENTRIES
    assert max(len(repr(key)) for key in kept) < 400, max(kept, key=lambda k: len(repr(k)))
    assert sum(len(a) + len(c or "") for c, a in page_cache._negotiated) < 100_000


def test_the_hosts_remembered_follow_allowed_hosts(site):
    application = StoredPagesApplication(django_application)
    first = send(application, "/")
    assert send(application, "/") == first  # answered by the layer, its host remembered
    with override_settings(ALLOWED_HOSTS=["desk.example.org"]):
        assert send(application, "/")[0].startswith("400")
        assert send(application, "/", HTTP_HOST="desk.example.org")[0] == "200 OK"
    assert send(application, "/") == first
    for n in range(200):  # many allowed hosts: the memory of them stays small
        assert send(application, "/", HTTP_HOST=f"localhost:{8000 + n}") == first
    assert len(page_cache._allowed_hosts) <= page_cache._ALLOWED_HOSTS_MAX
