"""The bell and the notifications page.

The bell's count is answered by one query on a partial index, for the
signed-in person only: it needs no role, since it counts nothing but their own
notices. Opening a notice is a POST (a form per notice) that marks it read and
redirects to what it is about, so no GET ever writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .. import inbox
from ..forms import EmailChoiceForm
from .access import desk_view

PER_PAGE = 20


@require_GET
def bell(request):
    """The bell's label, for htmx polling: a passive request that does not extend the session."""
    request.passive = True  # claims.middleware.DeskSessionMiddleware
    if not (request.user.is_authenticated and request.user.is_active):
        return HttpResponse(status=204)  # no swap; the next page asks to log in
    response = render(
        request, "desk/_bell.html#bell-label", {"unread": inbox.unread_count(request.user)}
    )
    return response


def _page_context(request, form=None):
    page = Paginator(inbox.notices_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for notice in page:
        notice.text = inbox.describe(notice)
    return {
        "page": page,
        # Also the bell's figure (a view's context wins over the context processor's).
        "unread_notifications": inbox.unread_count(request.user),
        "email_form": form or EmailChoiceForm(initial={"email": inbox.email_choice(request.user)}),
    }


@require_GET
@desk_view()
def notices(request):
    return render(request, "desk/notifications.html", _page_context(request))


@require_POST
@desk_view()
def notice_open(request, notice_id: int):
    notice = inbox.mark_read(notice_id, request.user)
    if notice is None:
        raise Http404("No such notification.")
    return redirect(inbox.target_url(notice))


@require_POST
@desk_view()
def notices_read(request):
    count = inbox.mark_all_read(request.user)
    if count:
        messages.success(request, gettext("All notifications marked read."))
    return redirect("desk:notifications")


@require_POST
@desk_view()
def notice_settings(request):
    form = EmailChoiceForm(request.POST)
    if not form.is_valid():
        return render(request, "desk/notifications.html", _page_context(request, form), status=400)
    inbox.set_email_choice(request.user, form.cleaned_data["email"])
    messages.success(request, gettext("Your email choice is saved."))
    return redirect("desk:notifications")
