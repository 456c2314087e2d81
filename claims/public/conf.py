"""Settings of the public site, with defaults; a deployment may set them in settings.py."""

from django.conf import settings

# The language of the public pages' own words (headings, labels, dates) is the
# reader's, negotiated as on the desk (page_cache.language_of): the switcher's
# cookie, else Accept-Language, within settings.LANGUAGES. Their content (the
# fact-checks) is shown as written, with its own `lang`.

# The newsroom as readers and ClaimReview's `author` name it.
NEWSROOM_NAME = getattr(settings, "NEWSROOM_NAME", "The Fact-Check Desk")

HOME_PAGE_SIZE = 20
CLAIM_REVIEWS_PAGE_SIZE = 50
FEED_SIZE = 50

# The one-paragraph summary of a ruling, in the article's highlight panel.
SUMMARY_CHARS = 320

# Rendered pages kept per process, all for the current publication stamp.
PAGE_CACHE_ENTRIES = 512

# The language the rating scale is written in (BCP 47): Rating.label and
# description; their translations fall back to it (claims/scale_i18n.py).
SCALE_LANGUAGE = getattr(settings, "NEWSROOM_LANGUAGE", "fr")
