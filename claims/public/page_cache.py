"""Rendered public pages, reused while the publication stamp holds, with ETag and 304s.

A page is rendered once per process for each publication stamp (see
``freshness``): when the stamp changes, every page rendered before is
dropped, so a reused page is never older than what the database says is
published. The cache is keyed twice: by what the view parsed from the request
(``("home", page, verdict)``) so that equivalent addresses share one
rendering, and by the exact request (address, and the interface language
negotiated from the language cookie and Accept-Language), which is all the
fast path in ``middleware`` may look at without a query. Both keys include
the negotiated language: a page is never served in another language than the
one its reader would get from the view.

The interface language of a public page follows the reader exactly as on the
desk (``language_of``); content keeps its own ``lang``. Responses vary on
Accept-Language and Cookie (the switcher's cookie), and say their
Content-Language.

The ETag is a hash of the content: a reader who has the page gets a 304 for
as long as it is identical, even across stamps and workers, and never when it
differs. No Last-Modified is sent: rating-scale edits carry no date, and a
304 decided by date could then be wrong. ``Cache-Control: no-cache`` lets
browsers and proxies keep a copy but makes them ask every time, which is
what "an approval is visible on the next request" requires.

A stored page carries every header the middleware after the fast path would
add (CSP, frame protection, the language's Vary and Content-Language), so
both paths send the same response; the security middleware before it adds
the rest.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.csp import CSP, build_policy

from . import conf
from .freshness import Stamp

CACHE_CONTROL = "no-cache"
# The environ key by which a view tells the WSGI layer that its 200 is a page it may keep.
STORED_PAGE = "factcheck.public.stored_page"
CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


@dataclass(frozen=True)
class CachedPage:
    content: bytes
    etag: str
    # Every header of the response, validated once when the page was stored.
    headers: dict[str, str] = field(repr=False)

    @classmethod
    def from_response(cls, response: HttpResponse, *, cache_control: str = CACHE_CONTROL):
        content = response.content
        etag = '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
        response.headers.pop("Last-Modified", None)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = cache_control
        response.headers["Content-Length"] = str(len(content))
        with_security_headers(response)
        with_language_headers(response, translation.get_language())
        return cls(content, etag, dict(response.headers.items()))

    def response(self, request) -> HttpResponse:
        """The page for this request: a 200, or a 304 when the reader already has it."""
        response = HttpResponse(self.content, headers=self.headers)
        if any(name in request.META for name in CONDITIONS):
            response = get_conditional_response(request, etag=self.etag, response=response)
            if response.status_code == 304:
                with_security_headers(response)
                with_language_headers(response, self.headers.get("Content-Language"))
        return response


_policies: tuple[object, object, str, str] | None = None


def with_security_headers(response: HttpResponse) -> HttpResponse:
    """The CSP and frame protection: what the fast path skips the middleware for.

    The policies are built once per configuration (the CSP middleware would
    build them for every response, and leaves a header already set alone);
    public pages use no nonce, so they are the same for every response.
    """
    global _policies
    enforce, report = settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY
    if _policies is None or _policies[0] is not enforce or _policies[1] is not report:
        _policies = (
            enforce,
            report,
            build_policy(enforce) if enforce else "",
            build_policy(report) if report else "",
        )
    for header, policy in (
        (CSP.HEADER_ENFORCE, _policies[2]),
        (CSP.HEADER_REPORT_ONLY, _policies[3]),
    ):
        if policy and header not in response:
            response.headers[str(header)] = policy
    if settings.X_FRAME_OPTIONS and "X-Frame-Options" not in response:
        response.headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


def language_of(request) -> str:
    """The reader's interface language, as LocaleMiddleware chooses it for the desk:
    the switcher's cookie, else Accept-Language, else LANGUAGE_CODE; always one
    of settings.LANGUAGES. Cheap (no query), so the fast paths can ask it."""
    return negotiated_language(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
    )


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
    key = (cookie, accept)
    language = _negotiated.get(key)
    if language is None:
        language = translation.get_language_from_request(_Asking(cookie, accept))
        if len(_negotiated) >= _NEGOTIATED_MAX:  # hostile variety: start again, stay small
            _negotiated.clear()
        _negotiated[key] = language
    return language


@receiver(setting_changed)
def _forget_languages(*, setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LANGUAGE_COOKIE_NAME", "LOCALE_PATHS"):
        _negotiated.clear()


def with_language_headers(response: HttpResponse, language: str | None = None) -> HttpResponse:
    """The headers LocaleMiddleware adds on the view's path (plus Cookie, since the
    switcher's cookie chooses the language too), so that the fast path, which
    answers before it, sends the same ones."""
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
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()

    def get(self, stamp: Stamp, key: tuple) -> CachedPage | None:
        with self._lock:
            if stamp.key != self._stamp_key:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def has(self, key: tuple) -> bool:
        """Whether a page is held for `key` (for some stamp): no database needed to ask."""
        return key in self._pages

    def put(self, stamp: Stamp, keys: tuple[tuple, ...], page: CachedPage) -> None:
        with self._lock:
            if stamp.key != self._stamp_key:
                self._pages.clear()
                self._stamp_key = stamp.key
            for key in keys:
                self._pages[key] = page
                self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._stamp_key = None


pages = PageCache(conf.PAGE_CACHE_ENTRIES)


def address_key(request) -> tuple:
    """The request's address as sent: nothing is parsed or validated here.

    The Host header is taken as sent: a page is only stored under it after
    the view validated it (``get_host()`` checks ALLOWED_HOSTS), so a request
    with a host that is not allowed finds nothing and goes on to the view,
    which refuses it. The reader's negotiated interface language is part of
    the key, so that one reader's language is never served to another.
    """
    meta = request.META
    return (
        request.scheme,
        meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""),
        request.path,
        meta.get("QUERY_STRING", ""),
        # Its charset decides how Django decodes the query string, even on a GET.
        meta.get("CONTENT_TYPE", ""),
        language_of(request),
    )


def respond(
    request,
    stamp: Stamp,
    key: tuple,
    render: Callable[[], HttpResponse],
    *,
    cache_control: str = CACHE_CONTROL,
) -> HttpResponse:
    """The page `render()` makes, rendered at most once per stamp and key.

    `key` names what the view parsed from the request; the origin (absolute
    links in the page) and the reader's interface language are added here, and
    the page is rendered in that language. A response other than a 200 is returned as it
    is and not kept.
    """
    origin = request.get_host()  # validated here, before anything is stored under it
    language = language_of(request)
    full_key = ("page", request.scheme, origin, language, *key)
    page = pages.get(stamp, full_key)
    if page is None:
        with translation.override(language):
            response = render()
            if response.status_code != 200:
                response.headers.setdefault("Cache-Control", CACHE_CONTROL)
                return with_language_headers(with_security_headers(response), language)
            page = CachedPage.from_response(response, cache_control=cache_control)
    pages.put(stamp, (full_key, address_key(request)), page)
    response = page.response(request)
    if response.status_code == 200:
        # For the WSGI layer (``public.wsgi``), which keeps the response as
        # the whole stack sends it, under this stamp.
        request.META[STORED_PAGE] = (stamp, page)
    return response
