"""Public pages answered in front of Django, exactly as Django last sent them.

A public page that this process has already served under the current
publication stamp is the same bytes and the same headers for every reader who
asks the same address in the same language. Django's request cycle around it
(the request object, the request signals, the middleware stack, the response
object) then only rebuilds what is already known, and costs more than the
page itself: it is what a bare Django view pays per request. So the WSGI
application is wrapped by this layer, which keeps, for each plain GET that
the whole stack answered with a stored page (``page_cache.respond`` marks it
in the environ), the status line, headers and body that Django handed to the
server, and answers the next identical request with them after one check:
the stamp read from the database now (``freshness``) is still the one the
page was rendered under. An approval is therefore visible on the very next
request, on every worker and server, as on the view's path.

What the layer may compare is only what it can read without Django, so its
key is the request as sent: scheme (and the TLS proxy's header when one is
trusted), Host (and the forwarded host and port when trusted), script name,
path, query string and Content-Type (whose charset decides how the query
string is decoded), raw, and the interface language negotiated from the
language cookie and Accept-Language exactly as Django does. A key is only ever
stored after Django itself answered a 200 for it, so the host was validated,
the HTTPS redirect did not apply and the view accepted the address; anything
else, including a host that is not allowed, finds nothing here and goes to
Django. A response that sets a cookie is never kept.

Conditional requests and HEAD go to Django, where the middleware fast path
(``middleware``) answers them from the same pages without rendering, with
the 304s Django makes. Any failure here (the database unreachable, for
instance) hands the request to Django, which answers as it always does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.wsgi import get_str_from_wsgi
from django.http import parse_cookie

from . import page_cache
from .freshness import current_stamp

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentPage:
    """A page as Django handed it to the server: status line, headers, body."""

    headers: tuple[tuple[str, str], ...]
    content: bytes


def request_key(environ) -> tuple:
    """The request as sent, and the reader's language: all a stored page may depend on."""
    get = environ.get
    cookie = None
    raw_cookies = get("HTTP_COOKIE")
    if raw_cookies and settings.LANGUAGE_COOKIE_NAME in raw_cookies:
        cookie = parse_cookie(get_str_from_wsgi(environ, "HTTP_COOKIE", "")).get(
            settings.LANGUAGE_COOKIE_NAME
        )
    proxy = settings.SECURE_PROXY_SSL_HEADER
    return (
        "wsgi",
        get("wsgi.url_scheme"),
        get(proxy[0]) if proxy else None,
        get("HTTP_HOST"),
        get("SERVER_NAME"),
        get("SERVER_PORT"),
        get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None,
        get("HTTP_X_FORWARDED_PORT") if settings.USE_X_FORWARDED_PORT else None,
        get("SCRIPT_NAME", ""),
        get("PATH_INFO", ""),
        get("QUERY_STRING", ""),
        get("CONTENT_TYPE", ""),  # its charset decides how Django decodes the query string
        page_cache.negotiated_language(cookie, get("HTTP_ACCEPT_LANGUAGE", "")),
    )


def _answerable(environ) -> bool:
    return environ.get("REQUEST_METHOD") == "GET" and not any(
        name in environ for name in page_cache.CONDITIONS
    )


class StoredPagesApplication:
    """WSGI middleware: stored public pages first, Django for everything else."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        key = None
        if _answerable(environ):
            try:
                key = request_key(environ)
                sent = self._stored(key)
            except Exception:  # never worse than Django alone: it answers instead
                logger.warning("Stored public page lookup failed.", exc_info=True)
                key = sent = None
            if sent is not None:
                start_response("200 OK", list(sent.headers))
                return [sent.content]
        if key is None:
            return self.application(environ, start_response)
        answer = []

        def keep_answer(status, headers, exc_info=None):
            answer[:] = (status, headers)
            return start_response(status, headers, exc_info)

        result = self.application(environ, keep_answer)
        marked = environ.get(page_cache.STORED_PAGE)
        if marked is not None and answer and answer[0] == "200 OK":
            self._keep(key, *marked, answer[1])
        return result

    @staticmethod
    def _stored(key) -> SentPage | None:
        pages = page_cache.pages
        if not pages.has(key):  # no page, no query
            return None
        sent = pages.get(current_stamp(), key)
        return sent if isinstance(sent, SentPage) else None

    @staticmethod
    def _keep(key, stamp, page, headers) -> None:
        names = {name.lower(): value for name, value in headers}
        # Only the page the view stored, unchanged on its way out, and no cookie.
        if "set-cookie" in names or names.get("etag") != page.etag:
            return
        if names.get("content-length") != str(len(page.content)):
            return
        page_cache.pages.put(stamp, (key,), SentPage(tuple(headers), page.content))
