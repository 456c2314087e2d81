"""Styled error pages; htmx requests get a short fragment for the message region."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.csp import CSP, build_policy
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token
from django_htmx.http import reswap, retarget

from ..public import conf as public_conf

# Set on a request whose database access failed (claims.middleware).
DATABASE_UNAVAILABLE = "_database_unavailable"


def error_response(request, status: int, title: str, text: str):
    """The error page, or for htmx its fragment in the page's message region."""
    context = {"status": status, "title": title, "text": text}
    if getattr(request, "htmx", False):
        # Show the refusal in the page's message region rather than in
        # whatever fragment the request meant to replace.
        response = render(request, "error_fragment.html", context, status=status)
        return reswap(retarget(response, "#flash"), "innerHTML")
    return render(request, "error.html", context, status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    text = (
        str(exception)
        if exception and str(exception)
        else gettext("Your account cannot open this page. Ask an administrator for a desk role.")
    )
    return error_response(request, 403, gettext("Not allowed"), text)


@requires_csrf_token
def page_not_found(request, exception=None):
    return error_response(
        request,
        404,
        gettext("Page not found"),
        gettext("There is nothing at this address. It may have been moved or deleted."),
    )


@requires_csrf_token
def bad_request(request, exception=None):
    return error_response(
        request, 400, gettext("Bad request"), gettext("The request could not be understood.")
    )


@requires_csrf_token
def server_error(request):
    if getattr(request, DATABASE_UNAVAILABLE, False):
        return service_unavailable(request)
    return render(
        request,
        "error.html",
        {
            "status": 500,
            "title": gettext("Something went wrong"),
            "text": gettext(
                "The desk hit an error. Nothing you saved before is lost; try again in a moment."
            ),
        },
        status=500,
    )


@requires_csrf_token
def csrf_failure(request, reason=""):
    return error_response(
        request,
        403,
        gettext("Not allowed"),
        gettext(
            "The form had expired or came from elsewhere. Reload the page and try again; "
            "copy anything you typed first."
        ),
    )


def service_unavailable(request):
    """The 503 page, made without the database: no user, no session, no messages.

    The regular error page extends base.html, which reads the user from the
    session: while the database is down that would wait for it again, or fail
    inside the error handler. This page is rendered without a request, from
    static text, in the language the browser asks for (cookie or
    Accept-Language, which need no database either).
    """
    language = translation.get_language_from_request(request)
    with translation.override(language):
        context = {
            "status": 503,
            "title": gettext("Temporarily unavailable"),
            "text": gettext(
                "The site cannot reach its database right now. Nothing saved before is lost. "
                "Try again in a few seconds."
            ),
            "language": translation.get_language(),
            "newsroom": public_conf.NEWSROOM_NAME,
        }
        htmx = request.headers.get("HX-Request") == "true"
        content = render_to_string("error_fragment.html" if htmx else "503.html", context)
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = context["language"]
    # The failure may have come before the CSP middleware ran.
    if settings.SECURE_CSP:
        response[str(CSP.HEADER_ENFORCE)] = build_policy(settings.SECURE_CSP)
    if htmx:
        # Into the page's message region; the fragment the request targeted stays.
        response = reswap(retarget(response, "#flash"), "innerHTML")
    return response
