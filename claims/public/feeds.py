"""The Atom feed of published fact-checks (Django's syndication framework).

Entries are the fact-checks that changed last first: an update changes the
entry's ``updated`` date and brings it back to the top, so feed readers see it
again. A withdrawal does the same: the entry keeps its id and becomes
"Withdrawn: <the claim>", with the date and the reason and no verdict.

Why an updated entry rather than an RFC 6721 tombstone (``at:deleted-entry``):
feed readers show an entry whose ``updated`` moved, under the id they already
have, to every reader; the ones that know RFC 6721 at all silently drop the
entry, so readers would never learn why, and most ignore the tombstone, so the
verdict would stay in their copy. Validators know Atom entries, and the
tombstone is an extension few of them check. An updated entry also needs
nothing beyond Django's syndication framework. Verdict labels are in each
fact-check's language (the article's, as in its ClaimReview), next to the
claim they qualify; the feed's own words are in the reader's. Links and ids are absolute, on
SITE_URL (``links.absolute``), as on the pages: the syndication framework
only adds the request's host to links that are not, so none comes from it.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import formats, timezone
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
        return selectors.latest_changes(limit=conf.FEED_SIZE)

    def item_title(self, item: FactCheck):
        if item.is_withdrawn:
            return gettext("Withdrawn: %(statement)s") % {"statement": item.statement}
        return f"{item.machine_verdict.label}: {item.statement}"

    def item_description(self, item: FactCheck):
        if item.is_withdrawn:
            said = gettext("We withdrew this fact-check on %(when)s.") % {
                "when": formats.date_format(timezone.localtime(item.withdrawn_at), "j F Y")
            }
            if item.withdrawn_reason:
                said += " " + gettext("Why: %(reason)s") % {"reason": item.withdrawn_reason}
            return said
        return gettext("Verdict: %(verdict)s. %(summary)s") % {
            "verdict": item.machine_verdict.label,
            "summary": item.summary,
        }

    def item_link(self, item: FactCheck):
        return absolute(item.path)

    def item_guid(self, item: FactCheck):
        return absolute(item.path)

    def item_pubdate(self, item: FactCheck):
        return item.first_published_at

    def item_updateddate(self, item: FactCheck):
        return item.withdrawn_at or item.updated_at

    def item_categories(self, item: FactCheck):
        return [] if item.is_withdrawn else [item.machine_verdict.label]

    def item_author_name(self, item: FactCheck):
        return conf.NEWSROOM_NAME
