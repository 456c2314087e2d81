"""The desk's search page: articles and claims, every status, for editors and reviewers."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from .. import search
from ..models import Article, Claim
from ..public import params
from .access import desk_view

KINDS = ("claims", "articles")


@require_GET
@desk_view()
def search_page(request):
    query = search.parse(request.GET.get("q"))
    number = params.page_number(request.GET)
    if number is params.INVALID:
        raise Http404("No such page of results.")
    context = {
        "query": query,
        "query_max": search.MAX_QUERY_CHARS,
        "kind": "claims",
        "totals": {},
        "results": [],
        "failed": False,
    }
    status = 400 if query.message and query.text.strip() else 200
    if query.searchable:
        try:
            context.update(_results(query, request.GET.get("kind"), number))
        except search.SearchError:
            context["failed"], status = True, 503
    return render(request, "desk/search.html", context, status=status)


def _results(query, asked_kind, number) -> dict:
    offset, size = (number - 1) * search.PAGE_SIZE, search.PAGE_SIZE
    # The other kind's count only: its page is not shown.
    first = asked_kind if asked_kind in KINDS else "claims"
    shown = search.search(first, query, offset=offset, limit=size)
    other = "articles" if first == "claims" else "claims"
    totals = {first: shown.total, other: search.search(other, query, offset=0, limit=0).total}
    if asked_kind not in KINDS and not shown.total and totals["articles"]:
        # Nothing among claims: show the articles that matched rather than an empty page.
        first = "articles"
        shown = search.search(first, query, offset=offset, limit=size)
    pages = params.page_count(shown.total, size)
    if number > pages:
        raise Http404("No such page of results.")
    return {
        "kind": first,
        "totals": totals,
        "results": _with_objects(first, shown.hits),
        "total": shown.total,
        "page_number": number,
        "page_total": pages,
        "page_query": urlencode({"q": query.text, "kind": first}) + "&",
        "kind_links": {kind: "?" + urlencode({"q": query.text, "kind": kind}) for kind in KINDS},
    }


def _with_objects(kind: str, hits: list[search.Hit]) -> list[tuple]:
    """(hit, object) in rank order, in one query whatever the number of hits."""
    if not hits:
        return []
    pks = [hit.pk for hit in hits]
    if kind == "claims":
        objects = Claim.objects.filter(pk__in=pks).select_related("article", "rating")
    else:
        objects = Article.objects.filter(pk__in=pks).defer("body", "sentences")
    by_pk = {o.pk: o for o in objects}
    return [(hit, by_pk[hit.pk]) for hit in hits if hit.pk in by_pk]
