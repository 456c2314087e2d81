"""Public pages answered in front of Django, exactly as Django last sent them.

A public page that this process has already served under the current
publication stamp is the same bytes and the same headers for every reader
whose request has the same key (``page_cache.key``). Django's request cycle
around it (the request object, the request signals, the middleware stack,
the response object) then only rebuilds what is already known, and costs
more than the page itself: it is what a bare Django view pays per request.
So the WSGI application is wrapped by this layer, which answers a plain GET
(no condition, no HEAD) from the page stored under its key, with the status
line, headers and body that Django handed to the server for that key, after
two checks:

- the Host is one Django accepts (``page_cache.validated_host``, Django's own
  ``get_host``); a disallowed one goes to Django, which answers 400;
- the stamp read from the database now (``freshness``) is still the one the
  page was rendered under, so an approval is visible on the very next
  request, on every worker and server.

The headers it replays are only kept after Django answered a 200 for that
key through the whole stack, so the HTTPS redirect did not apply and the
security headers (HSTS over HTTPS: the key says whether the request was
secure) are those Django sends. A response that sets a cookie is never kept.
Everything else (HEAD, conditional requests, the first request for a key,
every address that is not a public page) goes to Django, where the view
serves the same stored page through ``page_cache.respond``, with Django's
304s. Any failure here (the database unreachable, for instance) hands the
request to Django, which answers as it always does.
"""

from __future__ import annotations

import dataclasses
import logging

from django.core.exceptions import SuspiciousOperation

from . import page_cache
from .freshness import current_stamp

logger = logging.getLogger(__name__)


class StoredPagesApplication:
    """WSGI middleware: stored public pages first, Django for everything else."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or any(
            name in environ for name in page_cache.CONDITIONS
        ):
            return self.application(environ, start_response)
        try:
            page = self._stored(environ)
        except SuspiciousOperation:  # a disallowed host, too many fields: Django says so
            page = None
        except Exception:  # never worse than Django alone: it answers instead
            logger.warning("Stored public page lookup failed.", exc_info=True)
            page = None
        if page is not None:
            start_response("200 OK", list(page.sent))
            return [page.content]
        answer = []

        def keep_answer(status, headers, exc_info=None):
            answer[:] = (status, headers)
            return start_response(status, headers, exc_info)

        result = self.application(environ, keep_answer)
        marked = environ.get(page_cache.STORED_PAGE)
        if marked is not None and answer and answer[0] == "200 OK":
            self._keep(*marked, answer[1])
        return result

    @staticmethod
    def _stored(environ) -> page_cache.CachedPage | None:
        key = page_cache.key(environ)
        if not page_cache.pages.has(key):  # no page, no query
            return None
        page_cache.validated_host(environ)
        page = page_cache.pages.get(current_stamp(), key)
        return page if page is not None and page.sent is not None else None

    @staticmethod
    def _keep(stamp, key, page, headers) -> None:
        names = {name.lower(): value for name, value in headers}
        # Only the page the view stored, unchanged on its way out, and no cookie.
        if "set-cookie" in names or names.get("etag") != page.etag:
            return
        if names.get("content-length") != str(len(page.content)):
            return
        page_cache.pages.put(stamp, key, dataclasses.replace(page, sent=tuple(headers)))
