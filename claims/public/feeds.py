"""The Atom feed of published fact-checks (Django's syndication framework).

Entries are the latest current fact-checks, newest first publication first;
an update changes the entry's ``updated`` date, so feed readers see it again.
Withdrawn fact-checks leave the feed. Links and ids are absolute, on
SITE_URL (``links.absolute``), as on the pages: the syndication framework
only adds the request's host to links that are not, so none comes from it.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from . import conf, selectors
from .factchecks import FactCheck
from .links import absolute


class FactCheckFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return gettext("%(newsroom)s: latest fact-checks") % {"newsroom": conf.NEWSROOM_NAME}

    def subtitle(self):
        return gettext("Claims checked by the desk, with their verdict, sources and corrections.")

    def link(self):
        return absolute(reverse("public:home"))

    def feed_url(self):
        return absolute(reverse("public:feed"))

    def author_name(self):
        return conf.NEWSROOM_NAME

    def items(self) -> list[FactCheck]:
        return selectors.latest(rating_id=None, offset=0, limit=conf.FEED_SIZE)

    def item_title(self, item: FactCheck):
        return f"{item.rating_label}: {item.statement}"

    def item_description(self, item: FactCheck):
        return gettext("Verdict: %(verdict)s. %(summary)s") % {
            "verdict": item.rating_label,
            "summary": item.summary,
        }

    def item_link(self, item: FactCheck):
        return absolute(item.path)

    def item_guid(self, item: FactCheck):
        return absolute(item.path)

    def item_pubdate(self, item: FactCheck):
        return item.first_published_at

    def item_updateddate(self, item: FactCheck):
        return item.updated_at

    def item_categories(self, item: FactCheck):
        return [item.rating_label]

    def item_author_name(self, item: FactCheck):
        return conf.NEWSROOM_NAME
