"""Exact anchoring of highlights in an article body, and re-anchoring after edits.

A claim points at ``body[start:end]`` of the canonical body (see ``claims.text``), with
offsets in Unicode code points, i.e. Python string indices, as the W3C Web Annotation model
specifies.  The browser sends offsets plus the text it believes is selected; the server checks
the two agree, so a stale page or a forged request is refused instead of highlighting the
wrong words.  The selectors stored alongside (quote with context, and position) are what lets
a claim find its text again when the article is edited, following the Hypothesis client:
position first, then exact quote disambiguated by context, then a fuzzy match above a
threshold, and otherwise an explicit orphan rather than a silent move.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass
from typing import Literal

import regex

# Only for the messages: lazy, so they are translated when shown, into the
# language of whoever reads them (nothing here needs a request).
from django.utils.translation import gettext_lazy as _

CONTEXT_CHARS = 32

NO_SELECTION = _("Select some text in the article first.")
UNREADABLE = _("The selection could not be read; select the text again.")
OUT_OF_RANGE = _("The selection is outside the article text.")
STALE = _(
    "The article text has changed since this page was loaded; reload the page and select again."
)
EMPTY = _("The selection is empty or only whitespace.")

_OFFSET = re.compile(r"-?[0-9]{1,15}")  # ASCII digits only; int() would accept "٣" or "1_0"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_WORD = re.compile(r"\w+|[^\w\s]")
# An extended grapheme cluster (Unicode UAX #29): what a reader sees as one character.
# The `regex` module implements it (\\X) and follows new Unicode versions closely; the
# standard library has no grapheme segmentation.
_GRAPHEME = regex.compile(r"\X")
_EDGE_CHARS = 200  # a long quote is aligned by its two ends only
_MAX_WINDOWS = 4  # candidate positions tried by the fuzzy matcher


class AnchorError(ValueError):
    """A selection the server refuses; ``str(error)`` is a message for the editor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Anchor:
    """A located quote: ``exact == body[start:end]``, with up to CONTEXT_CHARS of context."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def make_anchor(body: str, start: int, end: int) -> Anchor:
    """Build the Anchor for ``body[start:end]``, context included (offsets must be valid)."""
    return Anchor(
        start=start,
        end=end,
        exact=body[start:end],
        prefix=body[max(0, start - CONTEXT_CHARS) : start],
        suffix=body[end : end + CONTEXT_CHARS],
    )


def _parse_offset(value: object) -> int:
    if isinstance(value, bool):  # a bool is an int to Python, never an offset to us
        raise AnchorError(UNREADABLE)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _OFFSET.fullmatch(value.strip()):
        return int(value.strip())
    raise AnchorError(UNREADABLE)


def trim_span(body: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``body[start:end]`` past whitespace at both edges (``str.isspace()``).

    Whitespace here is what Python calls whitespace: ASCII spaces and line breaks, U+00A0 and
    the other Unicode spaces.  Zero-width and bidi format characters (U+200B, U+200D, U+FEFF,
    U+200E...) are *not* trimmed: they are format characters that can carry meaning (ZWJ in
    emoji sequences, joiners in Persian or Indic scripts) and canonical text keeps them as
    content.  The server returns the trimmed offsets, so the browser need not mirror this rule.
    """
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def snap_to_graphemes(body: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``body[start:end]`` to whole grapheme clusters.

    A boundary between a letter and its combining accent, inside an emoji ZWJ sequence, a
    flag, a skin-toned emoji or a Hangul syllable made of jamo, moves outward to take the
    whole character: the editor meant the character they saw, and a quote that drops an
    accent misquotes.  Widening rather than refusing mirrors the whitespace rule (the
    server fixes the edges of a selection and says what it kept).  A line break always
    ends a cluster, so each boundary is found by segmenting only its own line.
    Widening never takes in whitespace: an edge cluster built on a space (a space carrying
    a zero-width joiner or a combining mark), or at the end one that ends with a space (a
    prepended mark before it), is left out instead, so the trimmed edges stay trimmed.  The
    result may then be empty, which the callers refuse as a whitespace-only selection.
    """
    while start < end:
        first_start, first_end = _cluster_around(body, start)
        if body[first_start].isspace():
            start = first_end
            continue
        last_start, last_end = _cluster_around(body, end - 1)
        if body[last_start].isspace() or body[last_end - 1].isspace():
            end = last_start
            continue
        start, end = first_start, last_end
        if body[start].isspace() or body[end - 1].isspace():  # cannot happen; belt and braces
            start, end = trim_span(body, start, end)
            continue
        break
    return start, max(start, end)


def _cluster_around(body: str, index: int) -> tuple[int, int]:
    """(start, end) of the grapheme cluster holding ``body[index]``."""
    line_start = body.rfind("\n", 0, index) + 1
    line_end = body.find("\n", index)
    for cluster in _GRAPHEME.finditer(body, line_start, len(body) if line_end < 0 else line_end):
        if cluster.end() > index:
            return cluster.span()
    return index, index + 1  # index is the "\n" itself, a cluster of its own


def anchor_selection(body: str, start: object, end: object, exact: str) -> Anchor:
    """Validate a selection sent by the browser and return its trimmed Anchor.

    ``start`` and ``end`` may be ints or strings from a form.  Raises AnchorError when the
    offsets are missing, unreadable or out of range, when ``body[start:end] != exact`` (the page
    is stale or the request forged), or when nothing but whitespace is selected.  The edges
    are trimmed of whitespace, then widened to whole grapheme clusters (``snap_to_graphemes``).
    Line breaks in ``exact`` are compared modulo CRLF, because HTML form submission turns
    "\\n" into "\\r\\n" and a canonical body never contains "\\r".
    """
    if start is None or end is None or (isinstance(start, str) and not start.strip()):
        raise AnchorError(NO_SELECTION)
    if isinstance(end, str) and not end.strip():
        raise AnchorError(NO_SELECTION)
    start_i, end_i = _parse_offset(start), _parse_offset(end)
    if start_i > end_i:
        raise AnchorError(UNREADABLE)
    if start_i < 0 or end_i > len(body):
        raise AnchorError(OUT_OF_RANGE)
    if not isinstance(exact, str):
        raise AnchorError(UNREADABLE)
    selected = body[start_i:end_i]
    if selected != exact and selected != exact.replace("\r\n", "\n"):
        raise AnchorError(STALE)
    start_i, end_i = snap_to_graphemes(body, *trim_span(body, start_i, end_i))
    if start_i == end_i:
        raise AnchorError(EMPTY)
    return make_anchor(body, start_i, end_i)


# --------------------------------------------------------------------------------------------
# UTF-16 (what the browser counts) <-> code points (what we store)
# --------------------------------------------------------------------------------------------


def codepoint_to_utf16(text: str, cp_offset: int) -> int:
    """Convert a code-point offset in ``text`` to a UTF-16 code-unit offset.

    JavaScript strings and DOM Ranges count UTF-16 units: every character beyond U+FFFF
    (emoji, some CJK, mathematical letters) counts 2 there and 1 in Python.  The script does
    the mirror conversion; this one documents it and lets tests play the browser.
    """
    if not 0 <= cp_offset <= len(text):
        raise ValueError(f"offset {cp_offset} is outside a text of {len(text)} code points")
    astral = [m.start() for m in _ASTRAL.finditer(text, 0, cp_offset)]
    return cp_offset + len(astral)


def utf16_to_codepoint(text: str, utf16_offset: int) -> int:
    """Convert a UTF-16 code-unit offset in ``text`` to a code-point offset.

    Raises ValueError for an offset outside the text or in the middle of a surrogate pair
    (half an emoji), which no valid selection produces.
    """
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not 0 <= utf16_offset <= len(text) + len(astral):
        raise ValueError(f"UTF-16 offset {utf16_offset} is outside the text")
    # The i-th astral character, at code point a, starts at UTF-16 unit a + i.
    units = [a + i for i, a in enumerate(astral)]
    before = bisect.bisect_left(units, utf16_offset)  # astral chars starting before the offset
    if before and units[before - 1] + 1 == utf16_offset:
        raise ValueError(f"UTF-16 offset {utf16_offset} splits a surrogate pair")
    return utf16_offset - before


def to_web_annotation_selectors(anchor: Anchor) -> list[dict]:
    """The W3C Web Annotation selectors (TextQuoteSelector, TextPositionSelector)."""
    return [
        {
            "type": "TextQuoteSelector",
            "exact": anchor.exact,
            "prefix": anchor.prefix,
            "suffix": anchor.suffix,
        },
        {"type": "TextPositionSelector", "start": anchor.start, "end": anchor.end},
    ]


# --------------------------------------------------------------------------------------------
# Re-anchoring
# --------------------------------------------------------------------------------------------

Method = Literal["position", "quote", "context", "fuzzy", "orphan"]


@dataclass(frozen=True)
class ReanchorResult:
    """Where a claim's text is in the new body, how it was found, and how sure we are.

    ``anchor`` is None for an orphan: the desk must flag it for an editor, never guess.
    ``score`` is 1.0 for position and exact quote, the context similarity when duplicated
    quotes were told apart by context, and the quote similarity for a fuzzy match (or the best
    similarity seen, for an orphan).
    """

    anchor: Anchor | None
    method: Method
    score: float


def _similarity(a: str, b: str) -> float:
    """difflib's ratio, 2 * matches / total length, in [0, 1].

    Character by character for short texts, which tolerates typos; word by word (words and
    punctuation marks as tokens) beyond 2 * _EDGE_CHARS, because the character version takes
    seconds on a 5,000-character claim and the word version milliseconds, with nearly the same
    result on text that long.
    """
    if not a and not b:
        return 1.0
    if max(len(a), len(b)) > 2 * _EDGE_CHARS:
        a, b = _WORD.findall(a), _WORD.findall(b)  # type: ignore[assignment]
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _context_score(body: str, start: int, end: int, anchor: Anchor) -> float:
    before = body[max(0, start - len(anchor.prefix)) : start]
    after = body[end : end + len(anchor.suffix)]
    return (_similarity(anchor.prefix, before) + _similarity(anchor.suffix, after)) / 2


def _occurrences(body: str, needle: str) -> list[int]:
    found, i = [], body.find(needle)
    while i != -1:
        found.append(i)
        i = body.find(needle, i + 1)
    return found


def _map_boundary(opcodes, x: int, is_end: bool) -> int:
    """Map index ``x`` of the needle to the window through SequenceMatcher opcodes.

    Text inserted exactly at a boundary is left outside the quote, on either side.
    """
    for _tag, i1, i2, j1, j2 in opcodes:
        if i1 == i2:
            continue
        inside = i1 < x <= i2 if is_end else i1 <= x < i2
        if inside:
            if x == i2:
                return j2
            return j1 + min(x - i1, j2 - j1)
    return opcodes[-1][4] if x else 0


def _fuzzy_candidates(body: str, anchor: Anchor, spread: int) -> list[int]:
    """Likely start positions of the quote in ``body``, best first, at least ``spread`` apart.

    The old start comes first; then positions voted for by exact occurrences of small pieces
    of prefix+quote+suffix, so a passage that moved far away is still found without running
    an approximate match over the whole article.
    """
    votes: dict[int, int] = {}
    needle = anchor.prefix + anchor.exact + anchor.suffix
    offset = len(anchor.prefix)
    piece = max(4, min(16, len(anchor.exact) // 4))
    for i in range(0, max(1, len(needle) - piece + 1), piece):
        hits = _occurrences(body, needle[i : i + piece])
        if len(hits) > 50:  # too common to say anything ("de la ")
            continue
        for hit in hits:
            bucket = (hit - (i - offset)) // 8
            votes[bucket] = votes.get(bucket, 0) + 1
    guesses = [anchor.start] + [b * 8 for b in sorted(votes, key=lambda b: -votes[b])]
    chosen: list[int] = []
    for guess in guesses:
        guess = min(max(0, guess), len(body))
        if all(abs(guess - c) > spread for c in chosen):
            chosen.append(guess)
            if len(chosen) == _MAX_WINDOWS:
                break
    return chosen


def _align(body: str, needle: str, w_start: int, w_end: int):
    """Align ``needle`` with ``body[w_start:w_end]``.

    Returns a function mapping a needle index to a ``body`` offset (``is_end`` says whether
    it is an end boundary), and the number of needle characters that matched.
    """
    matcher = difflib.SequenceMatcher(None, needle, body[w_start:w_end], autojunk=False)
    opcodes = matcher.get_opcodes()
    matched = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in opcodes if tag == "equal")

    def to_body(x: int, is_end: bool) -> int:
        return w_start + _map_boundary(opcodes, x, is_end)

    return to_body, matched


def _fuzzy(body: str, anchor: Anchor, threshold: float) -> ReanchorResult:
    """Approximate match around a few candidate positions.

    SequenceMatcher is roughly quadratic, so it never sees the whole article: only a window
    a little larger than prefix+quote+suffix around each candidate.  A quote longer than
    2 * _EDGE_CHARS is aligned by its head (with the prefix) for the start and its tail (with
    the suffix) for the end, which keeps a 5,000-character claim fast.
    """
    prefix, exact, suffix = anchor.prefix, anchor.exact, anchor.suffix
    # An insertion longer than half the quote would fail a 0.8 threshold anyway.
    slack = max(CONTEXT_CHARS, len(exact) // 2)
    long_quote = len(exact) > 2 * _EDGE_CHARS
    best: tuple[float, int, int] | None = None  # (rank, start, end)
    for guess in _fuzzy_candidates(body, anchor, spread=slack):
        if not long_quote:
            needle = prefix + exact + suffix
            w_start = max(0, guess - len(prefix) - slack)
            w_end = min(len(body), guess + len(exact) + len(suffix) + slack)
            to_body, matched = _align(body, needle, w_start, w_end)
            start = to_body(len(prefix), is_end=False)
            end = to_body(len(prefix) + len(exact), is_end=True)
            edges = len(needle)
        else:
            head, tail = prefix + exact[:_EDGE_CHARS], exact[-_EDGE_CHARS:] + suffix
            head_slack = CONTEXT_CHARS + _EDGE_CHARS // 2
            w_start = max(0, guess - len(prefix) - head_slack)
            w_end = min(len(body), guess + _EDGE_CHARS + head_slack)
            to_body, matched_head = _align(body, head, w_start, w_end)
            start = to_body(len(prefix), is_end=False)
            w_start = max(start, start + len(exact) - _EDGE_CHARS - slack)
            w_end = min(len(body), start + len(exact) + len(suffix) + slack)
            to_body, matched_tail = _align(body, tail, w_start, w_end)
            end = to_body(_EDGE_CHARS, is_end=True)
            matched, edges = matched_head + matched_tail, len(head) + len(tail)
        start, end = snap_to_graphemes(body, *trim_span(body, start, max(start, end)))
        if start == end:
            continue
        # Hypothesis weighs quote 50, prefix 20, suffix 20, position 2.
        closeness = 1 - abs(start - anchor.start) / max(1, len(body))
        context = _context_score(body, start, end, anchor)
        rank = (50 * matched / edges + 40 * context + 2 * closeness) / 92
        if best is None or rank > best[0]:
            best = (rank, start, end)
    if best is None:
        return ReanchorResult(None, "orphan", 0.0)
    _rank, start, end = best
    score = _similarity(exact, body[start:end])  # computed once, for the winner only
    if score < threshold:
        return ReanchorResult(None, "orphan", score)
    return ReanchorResult(make_anchor(body, start, end), "fuzzy", score)


def reanchor(new_body: str, anchor: Anchor, *, threshold: float = 0.8) -> ReanchorResult:
    """Find ``anchor``'s text in ``new_body`` after the article was edited.

    1. position: the same offsets still hold the same quote;
    2. quote: the exact quote occurs once; if it occurs several times, the occurrence whose
       surroundings best match the stored prefix/suffix wins ("context"), ties going to the
       one closest to the old position; if no occurrence's context reaches ``threshold`` the
       claim is orphaned, since picking one would be a guess;
    3. fuzzy: an approximate match of prefix+quote+suffix near the old position or wherever
       pieces of it still occur, accepted only if the quote similarity reaches ``threshold``;
    4. orphan (``anchor`` None): the caller flags the claim for an editor.
    Prefix and suffix of the returned anchor are recomputed from ``new_body``.
    """
    exact = anchor.exact
    if not exact:
        return ReanchorResult(None, "orphan", 0.0)
    if 0 <= anchor.start <= anchor.end <= len(new_body) and (
        new_body[anchor.start : anchor.end] == exact
    ):
        return ReanchorResult(make_anchor(new_body, anchor.start, anchor.end), "position", 1.0)
    hits = _occurrences(new_body, exact)
    if len(hits) == 1:
        return ReanchorResult(make_anchor(new_body, hits[0], hits[0] + len(exact)), "quote", 1.0)
    if hits:
        scored = [
            (_context_score(new_body, h, h + len(exact), anchor), -abs(h - anchor.start), h)
            for h in hits
        ]
        score, _distance, start = max(scored)
        if score >= threshold:
            return ReanchorResult(
                make_anchor(new_body, start, start + len(exact)), "context", score
            )
        return ReanchorResult(None, "orphan", score)
    return _fuzzy(new_body, anchor, threshold)


def reanchor_revision(old_body: str, new_body: str, anchors):
    """Re-anchor claims across a revision whose two texts are known (see
    ``claims.revision_anchoring``): a list of ``(Anchor | None, status)``, one per anchor,
    with status ``"kept"``, ``"moved"``, ``"needs_check"`` or ``"orphaned"``."""
    from claims.revision_anchoring import reanchor_revision as implementation

    return implementation(old_body, new_body, anchors)
