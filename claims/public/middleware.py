"""The fast path for public pages: serve a page already rendered under the current stamp.

Plain GETs of a page already sent are answered before Django by the WSGI
layer (``wsgi``); this middleware answers what reaches Django anyway: HEAD,
conditional requests (with Django's 304s), a first GET in a language or at
an address this process had not been asked yet, and servers that do not use
``factcheck.wsgi``.

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
                stamp = current_stamp(request)
                page = pages.get(stamp, key)
                if page is not None:
                    response = page.response(request)
                    if response.status_code == 200:  # the WSGI layer may keep it too
                        request.META[page_cache.STORED_PAGE] = (stamp, page)
                    return response
        return self.get_response(request)
