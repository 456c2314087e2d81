"""The public pages: thin views over ``selectors``, rendered once per publication stamp.

Each view reads the stamp (``freshness``), parses its parameters strictly
(``params``) from the page's key (``page_cache.key_of``), and asks
``page_cache.respond`` for the page, which renders it only if this process
has not rendered it under this stamp and key yet. A page depends on nothing
of the request but its key: parameters come from the key, absolute links
from SITE_URL (``links.absolute``), and templates are rendered without the
request. Nothing here reads the session or the user, so a public response
sets no cookie; it varies on the language cookie and Accept-Language, which
choose its interface language.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from ..card_cache import card_png
from ..cards import FALLBACK_COLOUR, HEIGHT, WIDTH, Card, card_alt_text, card_key
from . import conf, params, selectors, sitemaps
from .annotations import MEDIA_TYPE as ANNOTATION_MEDIA_TYPE
from .annotations import collection as annotation_collection
from .annotations import is_anchored
from .article_html import render_public_article
from .factchecks import FactCheck
from .feeds import FactCheckFeed
from .freshness import Stamp, current_stamp
from .jsonld import claim_review, script_json, withdrawn_claim_review
from .links import absolute, text_fragment_url
from .page_cache import key_of, language_of, respond, with_language_headers

MAX_SLUG = 120


def _page(request, stamp: Stamp, template: str, context: dict, *, path: str, status: int = 200):
    """A page of the public site; `path` is its own address (the canonical link, and
    where the language switcher comes back to), never one read from the request."""
    scale = stamp.scale
    base = {
        "newsroom": conf.NEWSROOM_NAME,
        "scale": scale,
        "verdict_css_url": f"{reverse('public:verdicts_css')}?v={scale.fingerprint}",
        "path": path,
        "canonical_url": absolute(path) if status == 200 else "",
        "feed_url": reverse("public:feed"),
    }
    with translation.override(language_of(request)):
        # Without the request: a page must not depend on anything but its key.
        html = render_to_string(template, base | context)
    return HttpResponse(html, status=status)


def not_found(request, stamp: Stamp | None = None) -> HttpResponse:
    """The styled 404 of the public site; the same for every kind of unknown address."""
    stamp = stamp or current_stamp(request)
    response = _page(request, stamp, "public/not_found.html", {}, path=request.path, status=404)
    response.headers["Cache-Control"] = "no-cache"
    return with_language_headers(response, language_of(request))


def _json(data, content_type="application/json") -> HttpResponse:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return readable_anywhere(HttpResponse(text.encode("utf-8"), content_type=content_type))


def readable_anywhere(response: HttpResponse) -> HttpResponse:
    """Let scripts on any origin read this response (CORS): for the machine-readable
    outputs only (JSON, JSON-LD, Atom), which are public and carry no credentials,
    so that browser-based annotation clients and aggregators can fetch them. Never
    on HTML: a page is for reading, not for other sites' scripts."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _claim_review(stamp: Stamp, fc: FactCheck) -> dict:
    if fc.is_withdrawn:
        return withdrawn_claim_review(
            fc,
            url=absolute(fc.path),
            newsroom=conf.NEWSROOM_NAME,
            newsroom_url=absolute(reverse("public:home")),
        )
    return claim_review(
        fc,
        scale=stamp.scale,
        url=absolute(fc.path),
        newsroom=conf.NEWSROOM_NAME,
        newsroom_url=absolute(reverse("public:home")),
    )


def _rating_of(stamp: Stamp, fc: FactCheck):
    return stamp.scale.by_pk.get(fc.rating_id)


# -- pages ---------------------------------------------------------------------


@require_safe
def home(request):
    stamp = current_stamp(request)
    query = key_of(request).params
    number = params.page_number(query)
    verdict = params.verdict(query, stamp.scale)
    if number is params.INVALID or verdict is params.INVALID:
        return not_found(request, stamp)

    def render():
        counts = selectors.verdict_counts()
        total = counts.get(verdict.pk, 0) if verdict else sum(counts.values())
        pages = params.page_count(total, conf.HOME_PAGE_SIZE)
        if number > pages:
            return not_found(request, stamp)
        items = selectors.latest(
            rating_id=verdict.pk if verdict else None,
            offset=(number - 1) * conf.HOME_PAGE_SIZE,
            limit=conf.HOME_PAGE_SIZE,
        )
        filters = [
            {"rating": r, "count": counts[r.pk], "current": verdict == r}
            for r in stamp.scale.ratings
            if counts.get(r.pk)
        ]
        return _page(
            request,
            stamp,
            "public/home.html",
            {
                "nav": "home",
                "items": [(fc, _rating_of(stamp, fc)) for fc in items],
                "filters": filters,
                "verdict": verdict,
                "total": total,
                "all_count": sum(counts.values()),
                "page_number": number,
                "page_total": pages,
                "page_query": f"verdict={verdict.slug}&" if verdict else "",
            },
            path=_home_path(verdict, number),
        )

    return respond(request, stamp, render)


def _home_path(verdict, number: int) -> str:
    query = [f"verdict={verdict.slug}"] if verdict else []
    if number > 1:
        query.append(f"page={number}")
    return reverse("public:home") + ("?" + "&".join(query) if query else "")


def _one_of(request, slug: str, find, render_found) -> HttpResponse:
    """The page of one public object found by `slug`, or the styled 404.

    `find(slug)` returns the object or None; `render_found(stamp, found)`
    renders its page. Both run only when this process has no page for the
    slug under the current stamp.
    """
    stamp = current_stamp(request)
    if len(slug) > MAX_SLUG:
        return not_found(request, stamp)

    def render():
        found = find(slug)
        if found is None:
            return not_found(request, stamp)
        return render_found(stamp, found)

    return respond(request, stamp, render)


@require_safe
def article(request, slug: str):
    def render(stamp, found):
        # Highlights only where the checked words are; the others are listed
        # under the text, with the checked quote and the revision's date.
        anchored, changed = [], []
        for fc in selectors.article_fact_checks(found):
            (anchored if is_anchored(found.body, fc) else changed).append(fc)
        numbered = list(enumerate(anchored, 1))
        html = render_public_article(
            found.body, numbered, css_class_of=lambda fc: _css_class(stamp, fc)
        )
        return _page(
            request,
            stamp,
            "public/article.html",
            {
                "article": found,
                "article_html": html,
                "numbered": [
                    {
                        "n": n,
                        "fc": fc,
                        "rating": _rating_of(stamp, fc),
                        "badge_id": f"fc-verdict-{n}",
                    }
                    for n, fc in numbered
                ],
                "changed": [(fc, _rating_of(stamp, fc)) for fc in changed],
                "annotations_url": reverse("public:annotations", args=[found.slug]),
                "annotations_type": ANNOTATION_MEDIA_TYPE,
            },
            path=reverse("public:article", args=[found.slug]),
        )

    return _one_of(request, slug, selectors.public_article, render)


def _css_class(stamp: Stamp, fc: FactCheck) -> str:
    rating = _rating_of(stamp, fc)
    return rating.css_class if rating else ""


@require_safe
def fact_check(request, slug: str):
    def render(stamp, fc):
        if fc.is_withdrawn:
            return _page(request, stamp, "public/withdrawn.html", {"fc": fc}, path=fc.path)
        original = fc.article.url
        if original and not fc.passage_changed:
            # The checked words, highlighted in the original; once our copy has
            # changed there, the original has too, and the fragment would find nothing.
            original = text_fragment_url(original, fc.exact)
        return _page(
            request,
            stamp,
            "public/fact_check.html",
            {
                "fc": fc,
                "rating": _rating_of(stamp, fc),
                "notes": selectors.corrections_of(fc),
                "original_url": original,
                "claim_review": script_json(_claim_review(stamp, fc)),
                "card": _card_meta(stamp, fc),
            },
            path=fc.path,
        )

    return _one_of(request, slug, selectors.fact_check, render)


def _card(stamp: Stamp, fc: FactCheck) -> Card:
    """The verdict card of a published fact-check, as ``cards.card_for_version`` makes it
    from the version: the same fields, from what the page shows."""
    rating = _rating_of(stamp, fc)
    return Card(
        quote=fc.exact or fc.statement,
        claimant=fc.claimant,
        verdict=fc.machine_verdict.label,
        colour=rating.colour if rating else FALLBACK_COLOUR,
        newsroom=conf.NEWSROOM_NAME,
        date=timezone.localtime(fc.updated_at).date(),
        language=fc.article.language,
    )


def _card_meta(stamp: Stamp, fc: FactCheck) -> dict:
    card = _card(stamp, fc)
    url = absolute(reverse("public:card", args=[fc.slug]))
    # The key in the address: a new version is a new address, so social networks'
    # caches of the old image cannot outlive it.
    return {
        "url": f"{url}?v={card_key(card)}",
        "alt": card_alt_text(card),
        "width": WIDTH,
        "height": HEIGHT,
    }


@require_safe
def card(request, slug: str):
    """A published fact-check's verdict card (PNG), for ``og:image``; 404 once withdrawn.

    Not a stored page: the PNG is kept by its card key (``card_cache``), and
    is the same whatever the reader's language or host. At its versioned
    address (``?v=<key>``, the og:image) it never changes, and caches may
    keep it for good; elsewhere they must ask again (``no-cache``), and get a
    304 while it is the same card.
    """
    stamp = current_stamp(request)
    found = selectors.fact_check(slug) if len(slug) <= MAX_SLUG else None
    if found is None or found.is_withdrawn:
        return not_found(request, stamp)
    key, png = card_png(_card(stamp, found))
    current = key_of(request).params.get("v") == key
    response = HttpResponse(png, content_type="image/png")
    response.headers["Content-Language"] = found.article.language  # the card's words
    response.headers["ETag"] = f'"{key}"'
    response.headers["Cache-Control"] = (
        "public, max-age=31536000, immutable" if current else "no-cache"
    )
    return get_conditional_response(request, etag=response.headers["ETag"], response=response)


@require_safe
def sitemap(request):
    """``/sitemap.xml``: every public article and current fact-check (``sitemaps``)."""
    stamp = current_stamp(request)

    def render():
        # The framework's own template, rendered without the request like every page.
        xml = render_to_string("sitemap.xml", {"urlset": sitemaps.urlset()})
        response = HttpResponse(xml, content_type="application/xml")
        response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as the framework's view
        return response

    return respond(request, stamp, render)


@require_safe
def robots(request):
    """``/robots.txt``: the sitemap's address, and no crawling of the desk or the admin."""
    stamp = current_stamp(request)
    text = sitemaps.robots_txt(absolute(reverse("public:sitemap")))
    return respond(
        request,
        stamp,
        lambda: HttpResponse(text, content_type="text/plain; charset=utf-8"),
    )


@require_safe
def methodology(request):
    stamp = current_stamp(request)
    return respond(
        request,
        stamp,
        lambda: _page(
            request,
            stamp,
            "public/methodology.html",
            {"nav": "methodology"},
            path=reverse("public:methodology"),
        ),
    )


@require_safe
def corrections(request):
    stamp = current_stamp(request)
    return respond(
        request,
        stamp,
        lambda: _page(
            request,
            stamp,
            "public/corrections.html",
            {"nav": "corrections", "entries": selectors.all_corrections()},
            path=reverse("public:corrections"),
        ),
    )


# -- the language switcher -------------------------------------------------------


@require_safe
def set_language(request):
    """The public site's language switcher: ``GET /language/?language=fr&next=/path/``.

    Why not Django's ``set_language`` (a POST with a CSRF token), as on the
    desk: public pages are rendered once and served to every reader from the
    page cache (and its fast path), so they must not carry anybody's CSRF
    token, and they set no cookie. The switcher is therefore a GET form, and
    this view, the one public address that sets a cookie, remembers the
    choice in Django's language cookie (read by ``page_cache.language_of``
    and by LocaleMiddleware on the desk) and redirects back. Choosing an
    interface language is harmless and idempotent, so a forged link can at
    worst switch a reader's language. `next` must be a path on this site
    (``url_has_allowed_host_and_scheme``), else the reader goes home; an
    unknown language sets nothing.
    """
    code = request.GET.get("language", "")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("public:home")
    response = HttpResponseRedirect(next_url)
    response.headers["Cache-Control"] = "no-store"
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


# -- machine-readable ------------------------------------------------------------


@require_safe
def feed(request):
    stamp = current_stamp(request)
    return respond(request, stamp, lambda: readable_anywhere(FactCheckFeed()(request)))


@require_safe
def claim_reviews(request):
    """Every ClaimReview, newest first, paginated: ``{"items": [...], "next": ...}``.

    Withdrawn fact-checks stay in the list, marked withdrawn, with the date and
    the reason (``jsonld.withdrawn_claim_review``), so that an aggregator that
    ingested the verdict learns of the withdrawal.
    """
    stamp = current_stamp(request)
    number = params.page_number(key_of(request).params)
    if number is params.INVALID:
        return not_found(request, stamp)

    def render():
        total = selectors.public_count()
        size = conf.CLAIM_REVIEWS_PAGE_SIZE
        pages = params.page_count(total, size)
        if number > pages:
            return not_found(request, stamp)
        items = selectors.latest_public(offset=(number - 1) * size, limit=size)
        here = absolute(reverse("public:claim_reviews"))
        links = {
            "next": f"{here}?page={number + 1}" if number < pages else None,
            "previous": f"{here}?page={number - 1}" if number > 1 else None,
        }
        response = _json(
            {
                "count": total,
                "page": number,
                "pages": pages,
                **links,
                "items": [_claim_review(stamp, fc) for fc in items],
            }
        )
        link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
        if link_header:
            response.headers["Link"] = link_header.replace('rel="previous"', 'rel="prev"')
        return response

    return respond(request, stamp, render)


@require_safe
def annotations(request, slug: str):
    def render(stamp, found):
        data = annotation_collection(
            selectors.article_fact_checks(found),
            body=found.body,
            title=gettext("Fact-checks of “%(title)s”") % {"title": found.title},
            collection_url=absolute(reverse("public:annotations", args=[found.slug])),
            article_url=absolute(reverse("public:article", args=[found.slug])),
            url_for=lambda fc: absolute(fc.path),
            newsroom=conf.NEWSROOM_NAME,
            newsroom_url=absolute(reverse("public:home")),
        )
        return _json(data, content_type=ANNOTATION_MEDIA_TYPE)

    return _one_of(request, slug, selectors.public_article, render)


@require_safe
def verdicts_css(request):
    """The scale's colours as CSS classes; immutable at its fingerprinted address."""
    stamp = current_stamp(request)
    current = key_of(request).params.get("v") == stamp.scale.fingerprint
    return respond(
        request,
        stamp,
        lambda: HttpResponse(stamp.scale.stylesheet, content_type="text/css; charset=utf-8"),
        cache_control="public, max-age=31536000, immutable" if current else "no-cache",
    )
