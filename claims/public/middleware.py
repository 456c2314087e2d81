"""The fast path for public pages: serve a page already rendered under the current stamp.

Reading the publication stamp is the one thing a public request must do; the
rest of the middleware stack (CSP nonces, sessions, locale, CSRF,
authentication, messages, htmx) has nothing to say about an anonymous page
that reads no session and sets no cookie. This middleware sits right after
the security and static-file middleware, so the redirect to HTTPS, HSTS and
the security headers apply as usual, and answers before the rest: when this
process holds a page for the exact request (address, and the interface
language negotiated from the language cookie and Accept-Language, as
``page_cache.language_of`` does for the view) and the stamp read now is the
one it was rendered under, it returns it, or a 304. Otherwise, including for
every address that is not a public page, it does nothing and costs no query:
the view renders the page, through the whole stack, and keeps it for the
next request.

The response is the view's, headers included: the stored page carries those
the skipped middleware adds (CSP, frame protection, Vary and
Content-Language), and the tests compare the two paths header by header.
"""

from __future__ import annotations

from . import page_cache
from .freshness import current_stamp


class PublicPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            pages = page_cache.pages
            key = page_cache.address_key(request)
            if pages.has(key):
                page = pages.get(current_stamp(request), key)
                if page is not None:
                    return page.response(request)
        return self.get_response(request)
