"""Rendered public pages, reused while the publication stamp holds, with ETag and 304s.

A page is rendered once per process for each publication stamp (see
``freshness``): when the stamp changes, every page rendered before is
dropped, so a reused page is never older than what the database says is
published.

**One key.** A page is stored under ``key(environ)``, and nowhere else: the
view (``respond``) and the WSGI layer in front of Django (``wsgi``) both
compute it, from the same WSGI environ (Django's ``request.META`` is that
dict), with this one function. It holds everything a page's bytes and
headers depend on:

- whether the request is secure, as Django decides it (the TLS proxy's
  header when one is trusted): HSTS is only sent over HTTPS, and the HTTPS
  redirect only applies to plain HTTP;
- the script name as Django reads it (``FORCE_SCRIPT_NAME``, which settings
  derive from SITE_URL, so a SCRIPT_NAME header changes nothing);
- the path, as the server decoded it;
- the query parameters public pages read (``params.NAMES``), as Django
  parses them; views read their parameters from the key, not from
  ``request.GET``, so no other part of the query can reach a page, and
  equivalent addresses (other parameters, another order) share one page.
  A value longer than any valid one is kept as one marker, so hostile
  values cannot grow the keys;
- the interface language negotiated from the language cookie and
  Accept-Language, exactly as Django does.

The Host is not in the key because no page depends on it: every absolute
link comes from SITE_URL (``links.absolute``). It is validated instead, as
Django validates it (``HttpRequest.get_host``), before a stored page is
served. Everything else a request carries (forwarded hosts and ports,
other headers, other query parameters) reaches no page.

The interface language of a public page follows the reader exactly as on the
desk; content keeps its own ``lang``. Responses vary on Accept-Language and
Cookie (the switcher's cookie), and say their Content-Language.

The ETag is a hash of the content: a reader who has the page gets a 304 for
as long as it is identical, even across stamps and workers, and never when it
differs. No Last-Modified is sent: rating-scale edits carry no date, and a
304 decided by date could then be wrong. ``Cache-Control: no-cache`` lets
browsers and proxies keep a copy but makes them ask every time, which is
what "an approval is visible on the next request" requires.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi, get_script_name, get_str_from_wsgi
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict, parse_cookie
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers

from . import conf, params
from .freshness import Stamp

CACHE_CONTROL = "no-cache"
# The environ key by which ``respond`` tells the WSGI layer which page it answered with.
STORED_PAGE = "factcheck.public.stored_page"
CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


class Key(NamedTuple):
    """Everything a public page's bytes and headers depend on (see the module's notes)."""

    secure: bool
    script_name: str
    path: str
    query: tuple[tuple[str, str], ...]
    language: str

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)


class AsDjangoReadsIt(HttpRequest):
    """A request as Django reads its scheme and host, from the environ alone.

    ``HttpRequest``'s own ``is_secure()`` and ``get_host()`` (ALLOWED_HOSTS,
    X-Forwarded-Host and -Port when trusted), without building the rest of a
    request; ``_get_scheme`` is ``WSGIRequest``'s.
    """

    def __init__(self, environ):  # HttpRequest's other attributes are not needed here
        self.META = environ

    def _get_scheme(self):
        return self.META.get("wsgi.url_scheme")


def key(environ) -> Key:
    """The key of the page for this request: the one place it is computed."""
    raw_query = environ.get("QUERY_STRING")
    query = ()
    if raw_query:
        parsed = QueryDict(get_bytes_from_wsgi(environ, "QUERY_STRING", ""))
        query = tuple((name, _bounded(parsed[name])) for name in params.NAMES if name in parsed)
    cookie = None
    raw_cookies = environ.get("HTTP_COOKIE")
    if raw_cookies and settings.LANGUAGE_COOKIE_NAME in raw_cookies:
        cookie = parse_cookie(get_str_from_wsgi(environ, "HTTP_COOKIE", "")).get(
            settings.LANGUAGE_COOKIE_NAME
        )
    return Key(
        AsDjangoReadsIt(environ).is_secure(),
        get_script_name(environ),
        environ.get("PATH_INFO", ""),
        query,
        negotiated_language(cookie, environ.get("HTTP_ACCEPT_LANGUAGE", "")),
    )


def _bounded(value: str) -> str:
    return value if len(value) <= params.MAX_CHARS else params.TOO_LONG


def key_of(request) -> Key:
    """``key(request.META)``, once per request."""
    found = getattr(request, "_public_key", None)
    if found is None:
        found = request._public_key = key(request.META)
    return found


# Hosts Django accepted, as read from requests: readers send few, and checking
# one costs more than the rest of a stored page's answer. Only short, allowed
# values are kept, and the set starts again when full.
_allowed_hosts: set[str] = set()
_ALLOWED_HOSTS_MAX = 64


def validated_host(environ) -> str:
    """The host, checked exactly as Django checks it; DisallowedHost if it is not allowed."""
    request = AsDjangoReadsIt(environ)
    raw = request._get_raw_host()  # what get_host() checks, as it reads it
    if raw in _allowed_hosts:
        return raw
    host = request.get_host()
    if len(raw) <= 255:
        if len(_allowed_hosts) >= _ALLOWED_HOSTS_MAX:
            _allowed_hosts.clear()
        _allowed_hosts.add(raw)
    return host


@dataclasses.dataclass(frozen=True)
class CachedPage:
    content: bytes
    etag: str
    # The view's headers, validated once when the page was stored.
    headers: dict[str, str] = dataclasses.field(repr=False)
    # The headers of the 200 and of the 304 as the whole stack sent them, once
    # the WSGI layer has seen them (``wsgi``): what it answers with.
    sent: tuple[tuple[str, str], ...] | None = dataclasses.field(default=None, repr=False)
    not_modified: tuple[tuple[str, str], ...] | None = dataclasses.field(default=None, repr=False)

    @classmethod
    def from_response(cls, response: HttpResponse, *, cache_control: str = CACHE_CONTROL):
        content = response.content
        etag = '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
        response.headers.pop("Last-Modified", None)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = cache_control
        response.headers["Content-Length"] = str(len(content))
        with_language_headers(response, translation.get_language())
        return cls(content, etag, dict(response.headers.items()))

    def response(self, request) -> HttpResponse:
        """The page for this request: a 200, or a 304 when the reader already has it."""
        response = HttpResponse(self.content, headers=self.headers)
        if any(name in request.META for name in CONDITIONS):
            response = get_conditional_response(request, etag=self.etag, response=response)
        return response


def language_of(request) -> str:
    """The reader's interface language, as LocaleMiddleware chooses it for the desk:
    the switcher's cookie, else Accept-Language, else LANGUAGE_CODE; always one
    of settings.LANGUAGES."""
    return key_of(request).language


class _Asking:
    """What Django's negotiation reads of a request: the language cookie and Accept-Language."""

    def __init__(self, cookie: str | None, accept: str):
        self.COOKIES = {} if cookie is None else {settings.LANGUAGE_COOKIE_NAME: cookie}
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept}


_negotiated: dict[tuple[str | None, str], str] = {}
_NEGOTIATED_MAX = 1024
# Longer values are negotiated afresh each time: a server joins repeated headers, so one
# request can send hundreds of kilobytes, and the memo must not keep them.
_MEMO_ACCEPT_CHARS = 256
_MEMO_COOKIE_CHARS = 32


def negotiated_language(cookie: str | None, accept: str) -> str:
    """Django's own negotiation (``get_language_from_request``) of these two values,
    remembered: it depends on nothing else but the settings, and readers send
    few distinct Accept-Language headers."""
    if len(accept) > _MEMO_ACCEPT_CHARS or (cookie and len(cookie) > _MEMO_COOKIE_CHARS):
        return translation.get_language_from_request(_Asking(cookie, accept))
    memo_key = (cookie, accept)
    language = _negotiated.get(memo_key)
    if language is None:
        language = translation.get_language_from_request(_Asking(cookie, accept))
        if len(_negotiated) >= _NEGOTIATED_MAX:  # hostile variety: start again, stay small
            _negotiated.clear()
        _negotiated[memo_key] = language
    return language


@receiver(setting_changed)
def _forget_languages(*, setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LANGUAGE_COOKIE_NAME", "LOCALE_PATHS"):
        _negotiated.clear()
    if setting in ("ALLOWED_HOSTS", "DEBUG"):  # all get_host() depends on besides the host
        _allowed_hosts.clear()


def with_language_headers(response: HttpResponse, language: str | None = None) -> HttpResponse:
    """Vary on what chooses the language (Accept-Language, and Cookie for the
    switcher's), and the Content-Language."""
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response.headers.setdefault(
        "Content-Language", language or translation.get_language() or settings.LANGUAGE_CODE
    )
    return response


class PageCache:
    """This process's rendered pages, all for one stamp; least recently used go first."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._stamp_key: tuple | None = None
        self._pages: OrderedDict[Key, CachedPage] = OrderedDict()

    def get(self, stamp: Stamp, key: Key) -> CachedPage | None:
        with self._lock:
            if stamp.key != self._stamp_key:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def has(self, key: Key) -> bool:
        """Whether a page is held for `key` (for some stamp): no database needed to ask."""
        return key in self._pages

    def put(self, stamp: Stamp, key: Key, page: CachedPage) -> None:
        with self._lock:
            if stamp.key != self._stamp_key:
                self._pages.clear()
                self._stamp_key = stamp.key
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._stamp_key = None


pages = PageCache(conf.PAGE_CACHE_ENTRIES)


def respond(
    request,
    stamp: Stamp,
    render: Callable[[], HttpResponse],
    *,
    cache_control: str = CACHE_CONTROL,
) -> HttpResponse:
    """The page `render()` makes, rendered at most once per stamp and key.

    The page is rendered in the key's language. A response other than a 200
    is returned as it is and not kept.
    """
    request.get_host()  # as the WSGI layer does before it serves what is stored here
    page_key = key_of(request)
    page = pages.get(stamp, page_key)
    if page is None:
        with translation.override(page_key.language):
            response = render()
            if response.status_code != 200:
                response.headers.setdefault("Cache-Control", CACHE_CONTROL)
                return with_language_headers(response, page_key.language)
            page = CachedPage.from_response(response, cache_control=cache_control)
        pages.put(stamp, page_key, page)
    # For the WSGI layer, which keeps the headers as the whole stack sends them.
    request.META[STORED_PAGE] = (stamp, page_key, page)
    return page.response(request)


def is_not_modified(environ, etag: str) -> bool:
    """Whether Django would answer this GET's If-None-Match with a 304 for `etag`."""
    asking = AsDjangoReadsIt({"HTTP_IF_NONE_MATCH": environ.get("HTTP_IF_NONE_MATCH", "")})
    asking.method = "GET"
    return get_conditional_response(asking, etag=etag) is not None
