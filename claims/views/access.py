"""Access control for desk views: anonymous visitors log in, others need the permission."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from ..permissions import can_use_desk


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
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
