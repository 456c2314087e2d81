"""Logins: the throttle's hooks into django-axes, and the login forms that explain a lockout.

django-axes counts failed logins per account and per client address
(settings: "Logins"). While either is locked, its backend refuses the attempt
before Django's ModelBackend hashes anything, and marks the request; the forms
below then say why instead of "wrong password", the page keeps the username
typed, and ``lockout_response`` turns that page into a 429 with Retry-After.
"""

from __future__ import annotations

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import ngettext


class ThrottleBackend(AxesStandaloneBackend):
    """Axes' backend, for logins made over HTTP.

    ``authenticate()`` called by code without a request (a shell, a script,
    the test client's ``login()``) has no client to count; axes would raise,
    and the password check that follows is left to ModelBackend. Every login
    form passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def cooloff_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return ngettext(
        "Too many failed logins for this account or from this address. Logging in is "
        "paused for up to %(minutes)d minute; try again later.",
        "Too many failed logins for this account or from this address. Logging in is "
        "paused for up to %(minutes)d minutes; try again later.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledLoginMixin:
    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


def lockout_response(request, original_response=None, credentials=None):
    """The login page as rendered, with the lockout message, answered as 429."""
    if original_response is None:
        response = HttpResponse(lockout_message(), content_type="text/plain; charset=utf-8")
    else:
        response = original_response
    response.status_code = 429
    response.reason_phrase = None  # "Too Many Requests", not the page's "OK"
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def client_address(request) -> str | None:
    """The address lockouts count: the peer's, or the one TRUSTED_PROXIES vouch for.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the entry that many places from the
    end; anything before it was written by the client and proves nothing.
    """
    address = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXIES
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None
