"""Pagination of the desk's lists: junk page numbers give page 1, numbers past the end a 404."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.utils.translation import gettext, ngettext

from .. import desk_lists
from .errors import error_response
from .params import parse_id


def paginate(
    request, queryset, per_page: int | None = None
) -> tuple[Page | None, HttpResponse | None]:
    """The requested page of `queryset` (counted once), or a 404 page saying how many there are.

    A page past the end is a link that went stale (the list shrank): a 404
    that says so is clearer than another page shown in its place.
    """
    number = parse_id(request.GET.get("page"), default=1)
    paginator = Paginator(queryset, per_page or desk_lists.PER_PAGE)
    if number > paginator.num_pages:
        pages = paginator.num_pages
        text = ngettext(
            "There is no page %(number)s: this list has %(pages)s page.",
            "There is no page %(number)s: this list has %(pages)s pages.",
            pages,
        ) % {"number": number, "pages": pages}
        return None, error_response(request, 404, gettext("Page not found"), text)
    return paginator.page(number), None


def page_range(page: Page):
    """Page numbers to link to, with an ellipsis for the long runs between them."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
