"""``/sitemap.xml`` (Django's sitemaps framework) and the ``/robots.txt`` that points at it.

Every public article and every current fact-check, with its last change.
Withdrawn fact-checks are left out: their page is ``noindex``, and a sitemap
must not ask search engines to index it.

The framework builds each address from a "domain", which it takes from
``django.contrib.sites`` or from the request's Host. Neither is ours: the
sitemaps here take the scheme and host of ``SITE_URL``, like every absolute
address the site gives out (``links.absolute``), so the page depends on
nothing of the request and can be stored like any public page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class OnSiteUrl(Sitemap):
    """A sitemap whose addresses are on SITE_URL, never on the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(OnSiteUrl):
    def items(self):
        return selectors.sitemap_articles()

    def location(self, item):
        return reverse("public:article", args=[item[0]])

    def lastmod(self, item):
        return item[1]


class FactCheckSitemap(OnSiteUrl):
    def items(self):
        return selectors.sitemap_fact_checks()

    def location(self, item):
        return reverse("public:fact_check", args=[item[0]])

    def lastmod(self, item):
        return item[1]


SITEMAPS = {"articles": ArticleSitemap(), "fact-checks": FactCheckSitemap()}


def urlset() -> list[dict]:
    """Every entry of the sitemap. One page: the protocol allows 50,000 addresses, far more
    than this desk publishes; past that it would need a sitemap index."""
    urls = []
    for sitemap in SITEMAPS.values():
        urls.extend(sitemap.get_urls(page=1))
    return urls


def robots_txt(sitemap_url: str) -> str:
    desk = reverse("desk:index")
    admin = reverse("admin:index")
    # Search results are rendered afresh for every request (never stored): not for crawlers.
    search = reverse("public:search")
    return (
        f"User-agent: *\nDisallow: {desk}\nDisallow: {admin}\nDisallow: {search}\n\n"
        f"Sitemap: {sitemap_url}\n"
    )
