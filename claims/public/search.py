"""Search for readers: published fact-checks only, as the public site shows them.

What is searched and shown is the published version (``ClaimVersion``, via
``Claim.current_version``) and nothing else: the index readers search is
built from published versions only (``search_schema``: ``public_vector`` on
PostgreSQL, the ``claims_public_fts`` table on SQLite), with nothing for a
claim never published or withdrawn, as on the home page. The hits are then
loaded through the public selectors, which read published versions only and
drop anything not current, so even an index out of step could not show a
draft.

The page is **not** stored in the page cache (``page_cache``). Its key holds
only the parameters in ``params.NAMES``, so storing it would serve one
reader's results for every query, and storing one page per query would let
any list of words push the site's real pages out of the cache. It is
rendered by the same machinery as the other public pages (``_page``:
without the request, in the negotiated language, no cookie), for every
request.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from .. import search
from . import params, selectors
from .factchecks import fact_check_from_claim
from .freshness import current_stamp
from .page_cache import CACHE_CONTROL, language_of, with_language_headers
from .views import _page, _rating_of, not_found

PAGE_SIZE = search.PAGE_SIZE


def published_hits(query: search.Query, *, offset: int, limit: int):
    """(total, [(hit, FactCheck)]) for one page of published fact-checks, best first."""
    page = search.search("published", query, offset=offset, limit=limit)
    if not page.hits:
        return page.total, []
    pks = [hit.pk for hit in page.hits]
    claims = selectors._with_versions(selectors._current().filter(pk__in=pks))
    found = {claim.pk: fact_check_from_claim(claim) for claim in claims}
    return page.total, [(hit, found[hit.pk]) for hit in page.hits if hit.pk in found]


@require_safe
def search_page(request):
    stamp = current_stamp(request)
    # Read from the request, not from the page's key: this page is never stored.
    query = search.parse(request.GET.get("q"))
    number = params.page_number(request.GET)
    if number is params.INVALID:
        return not_found(request, stamp)
    context = {"nav": "search", "query": query, "query_max": search.MAX_QUERY_CHARS}
    status = 400 if query.message and query.text.strip() else 200
    if query.searchable:
        try:
            total, hits = published_hits(query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        except search.SearchError:
            context["failed"], status = True, 503
        else:
            pages = params.page_count(total, PAGE_SIZE)
            if number > pages:
                return not_found(request, stamp)
            context |= {
                "results": [(hit, fc, _rating_of(stamp, fc)) for hit, fc in hits],
                "total": total,
                "page_number": number,
                "page_total": pages,
                "page_query": urlencode({"q": query.text}) + "&",
            }
    path = reverse("public:search")
    if query.text:
        path += "?" + urlencode({"q": query.text} | ({"page": number} if number > 1 else {}))
    # No canonical address: results are not a page of their own for search engines.
    context["canonical_url"] = ""
    response: HttpResponse = _page(
        request, stamp, "public/search.html", context, path=path, status=status
    )
    response.headers["Cache-Control"] = CACHE_CONTROL
    return with_language_headers(response, language_of(request))
