"""Access control for desk views: anonymous visitors log in, others need the permission."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from ..permissions import can_use_desk
from .errors import page_not_found


def desk_view(check=can_use_desk):
    """Send anonymous visitors to the login page and answer 403 to users failing `check`.

    Django's own `permission_required(raise_exception=True)` would answer 403
    to anonymous visitors too, where the desk wants them to log in.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (can_use_desk(request.user) and check(request.user)):
                raise PermissionDenied(gettext("Your account has no role on the fact-check desk."))
            try:
                return view(request, *args, **kwargs)
            except Http404 as error:
                # With DEBUG on, Django answers Http404 with its technical page, which
                # htmx would swap in where the claim panel was; answer as production
                # does, with the message in the page (a claim deleted meanwhile).
                if settings.DEBUG and request.htmx:
                    return page_not_found(request, error)
                raise

        return wrapper

    return decorator
