"""Middleware for the desk's sessions and for database outages."""

from __future__ import annotations

import sys
import time

import psycopg
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404

from .views.errors import DATABASE_UNAVAILABLE, page_not_found, service_unavailable

# Django's wrappers, and psycopg's own errors for code that uses it directly.
_UNAVAILABLE = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether an error means the database could not serve the request (down, unreachable,
    overloaded) rather than a bug: the answer is then a 503, to retry."""
    while error is not None:
        if isinstance(error, _UNAVAILABLE):
            return True
        error = error.__cause__
    return False


def _note_database_failure(sender, request=None, **kwargs):
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        setattr(request, DATABASE_UNAVAILABLE, True)


# Django turns an exception into a response in whichever layer it was raised
# (handler500, or the debug page with DEBUG on), and tells this signal first.
got_request_exception.connect(_note_database_failure, dispatch_uid="claims.database_failure")


class DatabaseOutageMiddleware:
    """Answer the 503 page to a request the database failed, in production and with DEBUG.

    In production handler500 already does (``errors.server_error``); with
    DEBUG, Django renders its debug page instead, which this replaces: the
    debug page of an outage only shows the same connection error again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, DATABASE_UNAVAILABLE, False):
            return service_unavailable(request)
        return response


class HtmxNotFoundMiddleware:
    """With DEBUG on, a view's Http404 answered to htmx as production answers it.

    Django's technical 404 page would be swapped in where the fragment was (the
    claim panel, for a claim deleted meanwhile); production's page puts the
    message in the page's message region instead. Production needs nothing here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and getattr(request, "htmx", False):
            return page_not_found(request, exception)
        return None


LAST_SEEN = "desk_last_seen"
REFRESH_SECONDS = 60


class DeskSessionMiddleware:
    """Desk sessions expire after SESSION_COOKIE_AGE of inactivity; desk answers are not stored.

    A request that read a logged-in session (every desk page, the admin) saves
    it again, which moves its expiry SESSION_COOKIE_AGE ahead, in the database
    and in the cookie; at most once a minute, so that a busy screen does not
    write its session on every request. Public pages never read the session,
    so they neither extend it nor set a cookie.

    Any answer without its own Cache-Control gets ``private, no-store``: desk
    pages, the login page and the admin carry a session's data, and a browser
    or proxy must not keep them. Public pages set their own (``no-cache`` with
    an ETag) and keep it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            response.status_code < 500
            and session is not None
            and session.accessed
            and SESSION_KEY in session
            # The bell's polling is not activity: a tab left open must not keep a session alive.
            and not getattr(request, "passive", False)
        ):
            now = int(time.time())
            if now - session.get(LAST_SEEN, 0) >= REFRESH_SECONDS:
                session[LAST_SEEN] = now  # saved, so the expiry moves ahead
        if "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
