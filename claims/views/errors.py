"""Styled error pages; htmx requests get a short fragment for the message region."""

from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token
from django_htmx.http import reswap, retarget


def _error(request, status: int, title: str, text: str):
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
    return _error(request, 403, gettext("Not allowed"), text)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        gettext("Page not found"),
        gettext("There is nothing at this address. It may have been moved or deleted."),
    )


@requires_csrf_token
def bad_request(request, exception=None):
    return _error(
        request, 400, gettext("Bad request"), gettext("The request could not be understood.")
    )


@requires_csrf_token
def server_error(request):
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
    return _error(
        request,
        403,
        gettext("Not allowed"),
        gettext(
            "The form had expired or came from elsewhere. Reload the page and try again; "
            "copy anything you typed first."
        ),
    )
