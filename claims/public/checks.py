"""The system check for SITE_URL, the one origin of every absolute address.

Pages, feeds, ClaimReview, Web Annotations and emails build their absolute
links on SITE_URL (``links.absolute``), never on the request, so a
deployment without it would publish links on no host at all. With DEBUG on,
settings default it to the development server's address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

HINT = (
    "Set SITE_URL to the address readers use, e.g. SITE_URL=https://desk.example.org "
    "(a path, if the site is served under one, becomes the script prefix)."
)


@register()
def site_url_is_set(app_configs=None, **kwargs) -> list[Error]:
    site_url = settings.SITE_URL
    if not site_url:
        if settings.DEBUG:
            return []
        return [
            Error(
                "SITE_URL is not set. With DEBUG off it is required: every absolute link "
                "in public pages, feeds and emails is built on it.",
                hint=HINT,
                id="claims.E101",
            )
        ]
    try:
        parts = urlsplit(site_url)
        parts.port  # noqa: B018 - raises ValueError when the port is not a number
    except ValueError:
        parts = None
    valid = (
        parts is not None
        and parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.query or parts.fragment or parts.username or parts.password)
    )
    if valid:
        return []
    return [
        Error(
            f"SITE_URL is {site_url!r}: it must be an http:// or https:// address with a "
            "host, and no user, query or fragment.",
            hint=HINT,
            id="claims.E102",
        )
    ]
