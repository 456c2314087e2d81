"""Verdict card PNGs, drawn once per card and process.

A card is named by ``card_key`` (its fields, the translations of its words,
the fonts and the layout), so a stored PNG is never stale: a new version,
verdict colour or translation is a new key. Drawing one takes tens of
milliseconds, so the last few are kept; a bounded LRU keeps memory bounded
(a card is about 100 kB).
"""

from __future__ import annotations

import functools

from .cards import Card, card_key, render_card

CARDS_KEPT = 32


def card_png(card: Card) -> tuple[str, bytes]:
    """The card's key and PNG."""
    key = card_key(card)
    return key, _drawn(key, card)


@functools.lru_cache(maxsize=CARDS_KEPT)
def _drawn(key: str, card: Card) -> bytes:
    return render_card(card)
