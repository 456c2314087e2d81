"""Query-string parameters of the public pages, parsed strictly.

Anything that is not exactly a valid value is refused (the view answers 404)
rather than guessed at: a hostile or mistyped query string can then neither
reach the database nor multiply the pages kept in the cache. Parameters a
page does not use are ignored.
"""

from __future__ import annotations

from .scale import PublicRating, Scale

# The only query parameters public pages read. They reach views through the
# page's key (``page_cache.key``), never from request.GET, so that nothing else
# in a query string can change a page.
NAMES = ("page", "verdict", "v")
# No valid value is longer (verdict slugs come from labels of at most 100
# characters). The key keeps a longer one as TOO_LONG, which no parameter
# accepts, so that hostile values cannot grow the cache's keys.
MAX_CHARS = 128
TOO_LONG = "\x00"

INVALID = object()
_MAX_PAGE_DIGITS = 6


def page_number(query) -> int | object:
    """``?page=N``, N from 1; absent means 1."""
    value = query.get("page")
    if value is None or value == "":
        return 1
    if value.isascii() and value.isdigit() and len(value) <= _MAX_PAGE_DIGITS:
        number = int(value)
        if number >= 1:
            return number
    return INVALID


def verdict(query, scale: Scale) -> PublicRating | None | object:
    """``?verdict=<slug of a rating>``; absent or empty means every verdict."""
    value = query.get("verdict")
    if value is None or value == "":
        return None
    return scale.by_slug.get(value, INVALID)


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))
