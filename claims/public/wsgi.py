"""Public pages answered in front of Django, exactly as Django last sent them.

A public page that this process has already served under the current
publication stamp is the same bytes and the same headers for every reader
whose request has the same key (``page_cache.key``). Django's request cycle
around it (the request object, the request signals, the middleware stack,
the response object) then only rebuilds what is already known, and costs
more than the page itself: it is what a bare Django view pays per request.
So the WSGI application is wrapped by this layer, which answers a GET
(plain, or with If-None-Match) from the page stored under its key, with the
status line, headers and body that Django handed to the server for that key
(its 200, or its 304 when Django's own comparison of ETags says the reader
has the page), after two checks:

- the Host is one Django accepts (``page_cache.validated_host``, Django's own
  ``get_host``); a disallowed one goes to Django, which answers 400;
- the stamp read from the database now (``freshness``) is still the one the
  page was rendered under, so an approval is visible on the very next
  request, on every worker and server.

The headers it replays are only kept after Django answered that key through
the whole stack (a 200, or a 304), so the HTTPS redirect did not apply and
the security headers (HSTS over HTTPS: the key says whether the request was
secure) are those Django sends. A response that sets a cookie is never kept.
Everything else (HEAD, other conditions, the first 200 and the first 304 for
a key, every address that is not a public page) goes to Django, where the
view serves the same stored page through ``page_cache.respond``. Any
failure here (the database unreachable, for instance) hands the request to
Django, which answers as it always does.
"""

from __future__ import annotations

import dataclasses
import logging

from django.core.exceptions import SuspiciousOperation

from . import page_cache
from .freshness import current_stamp

logger = logging.getLogger(__name__)


# A GET with any other condition goes to Django: public pages have no Last-Modified.
_OTHER_CONDITIONS = tuple(c for c in page_cache.CONDITIONS if c != "HTTP_IF_NONE_MATCH")


class StoredPagesApplication:
    """WSGI middleware: stored public pages first, Django for everything else."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or any(
            name in environ for name in _OTHER_CONDITIONS
        ):
            return self.application(environ, start_response)
        try:
            stored = self._stored(environ)
        except SuspiciousOperation:  # a disallowed host, too many fields: Django says so
            stored = None
        except Exception:  # never worse than Django alone: it answers instead
            logger.warning("Stored public page lookup failed.", exc_info=True)
            stored = None
        if stored is not None:
            status, headers, body = stored
            start_response(status, list(headers))
            return [body]
        answer = []

        def keep_answer(status, headers, exc_info=None):
            answer[:] = (status, headers)
            return start_response(status, headers, exc_info)

        result = self.application(environ, keep_answer)
        marked = environ.get(page_cache.STORED_PAGE)
        if marked is not None and answer:
            self._keep(*marked, *answer)
        return result

    @staticmethod
    def _stored(environ) -> tuple[str, tuple, bytes] | None:
        """(status, headers, body) as Django sent them for this key, or None."""
        key = page_cache.key(environ)
        if not page_cache.pages.has(key):  # no page, no query
            return None
        page_cache.validated_host(environ)
        page = page_cache.pages.get(current_stamp(), key)
        if page is None or page.sent is None:
            return None
        if "HTTP_IF_NONE_MATCH" not in environ or not page_cache.is_not_modified(
            environ, page.etag
        ):
            return "200 OK", page.sent, page.content
        if page.not_modified is None:  # Django makes the first 304, kept below
            return None
        return "304 Not Modified", page.not_modified, b""

    @staticmethod
    def _keep(stamp, key, page, status, headers) -> None:
        names = {name.lower(): value for name, value in headers}
        # Only the page the view stored, unchanged on its way out, and no cookie.
        if "set-cookie" in names or names.get("etag") != page.etag:
            return
        if status == "200 OK" and names.get("content-length") == str(len(page.content)):
            page = dataclasses.replace(page, sent=tuple(headers))
        elif status == "304 Not Modified":
            page = dataclasses.replace(page, not_modified=tuple(headers))
        else:
            return
        page_cache.pages.put(stamp, key, page)
