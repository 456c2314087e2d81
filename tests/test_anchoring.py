"""Exact anchoring and re-anchoring (claims.anchoring): a highlight must never land off by one."""

import difflib
import time
from pathlib import Path

import pytest
import regex
from hypothesis import assume, example, given
from hypothesis import strategies as st

from claims.anchoring import (
    CONTEXT_CHARS,
    EMPTY,
    NO_SELECTION,
    OUT_OF_RANGE,
    STALE,
    UNREADABLE,
    Anchor,
    AnchorError,
    anchor_selection,
    codepoint_to_utf16,
    make_anchor,
    reanchor,
    snap_to_graphemes,
    to_web_annotation_selectors,
    utf16_to_codepoint,
)
from claims.text import canonicalize

SEED = Path(__file__).resolve().parent.parent / "claims" / "demo" / "article-fr.txt"
BLNS = Path(__file__).with_name("blns.txt")
NBSP = "\u00a0"

# Characters that break naive offset code: astral emoji (2 UTF-16 units), a ZWJ sequence,
# combining marks, RTL letters and marks, zero-width characters, no-break spaces, newlines.
TRICKY = [
    "a", "é", "e\u0301", " ", NBSP, "\u202f", "\n", "\n\n", "\t", "😀", "👩‍👩‍👧", "𝔸", "𠀋",
    "שלום", "\u200f", "\u200e", "\u200b", "\ufeff", "\u200d", "’", "«", "»", ".", "x",
]  # fmt: skip
tricky_text = st.lists(st.sampled_from(TRICKY), max_size=40).map("".join)


@pytest.fixture
def body() -> str:
    if not SEED.exists():
        pytest.skip("demo article not available")
    return canonicalize(SEED.read_text(encoding="utf-8"))


def on_grapheme_boundaries(body: str, *offsets: int) -> bool:
    """Every offset falls between two extended grapheme clusters (UAX #29)."""
    bounds = {0} | {m.end() for m in regex.finditer(r"\X", body)}
    return all(offset in bounds for offset in offsets)


def error_of(*args) -> str:
    with pytest.raises(AnchorError) as info:
        anchor_selection(*args)
    return str(info.value)


# --- anchor_selection -----------------------------------------------------------------------


def test_anchor_on_demo_article(body):
    quote = "avant de lancer sa société xAI presque exactement six mois plus tard"
    start = body.index(quote)
    anchor = anchor_selection(body, str(start), str(start + len(quote)), quote)
    assert anchor == Anchor(
        start=start,
        end=start + len(quote),
        exact=quote,
        prefix=body[start - CONTEXT_CHARS : start],
        suffix=body[start + len(quote) : start + len(quote) + CONTEXT_CHARS],
    )
    assert len(anchor.prefix) == len(anchor.suffix) == 32


def test_selection_is_trimmed_including_nbsp_and_newlines():
    body = f"Il dit{NBSP}: «{NBSP}non{NBSP}».\n\nFin."
    start = body.index("«") + 1
    end = body.index("»")
    anchor = anchor_selection(body, start, end, body[start:end])
    assert anchor.exact == "non"
    assert (anchor.start, anchor.end) == (start + 1, end - 1)
    whole = anchor_selection(body, 0, len(body), body)
    assert whole.exact == body and whole.prefix == "" and whole.suffix == ""


def test_zero_width_chars_are_content_not_trimmed():
    body = "a \u200bb\u200b c"
    anchor = anchor_selection(body, 1, 6, body[1:6])
    assert anchor.exact == "\u200bb\u200b"


def test_context_is_cut_at_body_edges():
    anchor = anchor_selection("😀 abc 😀", 2, 5, "abc")
    assert (anchor.prefix, anchor.suffix) == ("😀 ", " 😀")


def test_crlf_from_form_submission_is_accepted():
    body = "Un.\n\nDeux."
    assert anchor_selection(body, 0, len(body), "Un.\r\n\r\nDeux.").exact == body


@pytest.mark.parametrize(
    ("start", "end", "exact", "message"),
    [
        ("", "", "", NO_SELECTION),
        (None, 3, "abc", NO_SELECTION),
        ("0", "  ", "", NO_SELECTION),
        ("a", "3", "abc", UNREADABLE),
        ("1.5", "3", "bc", UNREADABLE),
        ("٠", "3", "abc", UNREADABLE),  # non-ASCII digit
        ("1_0", "3", "abc", UNREADABLE),
        ("9" * 5000, "3", "abc", UNREADABLE),  # would trip int()'s digit limit
        (True, 3, "bc", UNREADABLE),
        (0.0, 3, "abc", UNREADABLE),
        (2, 1, "", UNREADABLE),
        (-1, 3, "abc", OUT_OF_RANGE),
        ("-1", "3", "abc", OUT_OF_RANGE),
        (0, 99, "abc def", OUT_OF_RANGE),
        (0, 3, "abd", STALE),
        (1, 4, "abc", STALE),
        (0, 3, None, UNREADABLE),
        (3, 4, " ", EMPTY),
        (2, 2, "", EMPTY),
    ],
)
def test_refusals(start, end, exact, message):
    assert error_of("abc def", start, end, exact) == message


def test_messages_are_plain_english_sentences():
    for message in (NO_SELECTION, UNREADABLE, OUT_OF_RANGE, STALE, EMPTY):
        assert message[0].isupper() and message.endswith(".")
    assert isinstance(AnchorError(EMPTY), ValueError)


@st.composite
def body_and_selection(draw):
    body = draw(tricky_text)
    start = draw(st.integers(0, len(body)))
    end = draw(st.integers(start, len(body)))
    return body, start, end


@given(body_and_selection())
@example((" \u200d", 0, 2))  # a joiner after a space: one character, no visible text
def test_any_valid_selection_round_trips_or_is_whitespace(case):
    body, start, end = case
    selected = body[start:end]
    # Trimmed of whitespace, then widened to whole characters as a reader sees them.
    trimmed = len(selected) - len(selected.lstrip()), len(selected.rstrip())
    expected = snap_to_graphemes(body, start + trimmed[0], start + trimmed[1])
    if not selected.strip() or expected[0] == expected[1]:
        assert error_of(body, start, end, selected) == EMPTY
        return
    anchor = anchor_selection(body, str(start), str(end), selected)
    assert anchor.exact == body[anchor.start : anchor.end]
    assert (anchor.start, anchor.end) == expected
    assert on_grapheme_boundaries(body, anchor.start, anchor.end)
    assert anchor.prefix == body[max(0, anchor.start - CONTEXT_CHARS) : anchor.start]
    assert anchor.suffix == body[anchor.end : anchor.end + CONTEXT_CHARS]


# --- grapheme clusters ------------------------------------------------------------------------

# (text, what a reader sees as one character in it): a letter and its combining accent, a
# stack of marks, an emoji ZWJ family, a flag, a skin tone, Hangul jamo, a keycap, an
# emoji with its presentation selector, Devanagari with a vowel sign.
CLUSTERS = [
    ("Cafe\u0301 ouvert", "e\u0301"),
    ("Ba\u0308\u0323r", "a\u0308\u0323"),
    ("La famille 👩\u200d👩\u200d👧 arrive", "👩\u200d👩\u200d👧"),
    ("Drapeau 🇫🇷 ici", "🇫🇷"),
    ("Bravo 👍🏽 !", "👍🏽"),
    ("Séoul \u1109\u1165\u110b\u116e\u11af", "\u1109\u1165"),
    ("Touche 1\ufe0f\u20e3 ici", "1\ufe0f\u20e3"),
    ("Cœur \u2764\ufe0f rouge", "\u2764\ufe0f"),
    ("नमस्ते दुनिया", "स्ते"),
]


@pytest.mark.parametrize(("body", "cluster"), CLUSTERS)
def test_a_selection_inside_a_character_takes_the_whole_character(body, cluster):
    """Ending (or starting) between a letter and its mark used to store the quote
    without the accent; the server widens it to the character as seen."""
    at = body.index(cluster)
    whole = body[: at + len(cluster)].split(" ")[-1]  # the word ending with the cluster
    word_start = at + len(cluster) - len(whole)
    for cut in range(at + 1, at + len(cluster)):
        ends_inside = anchor_selection(body, word_start, cut, body[word_start:cut])
        assert ends_inside.exact == whole, (cut, ends_inside)
        starts_inside = anchor_selection(
            body, cut, at + len(cluster), body[cut : at + len(cluster)]
        )
        assert starts_inside.exact == cluster
        assert on_grapheme_boundaries(body, ends_inside.start, ends_inside.end)


def test_a_selection_of_whole_characters_is_unchanged():
    body = "Cafe\u0301 👩\u200d👩\u200d👧 🇫🇷🇩🇪 fin"
    for start, end in [(0, 5), (6, 11), (12, 14), (14, 16), (12, 16), (17, 20)]:
        assert snap_to_graphemes(body, start, end) == (start, end)
    # Two flags side by side: each pair of regional indicators is one flag.
    assert snap_to_graphemes(body, 13, 15) == (12, 16)


CLUSTER_PIECES = [
    "e\u0301", "a\u0308\u0323", "👩\u200d👩\u200d👧", "🇫🇷", "🇩🇪", "👍🏽", "\u1100\u1161\u11a8",
    "\u110b\u116e", "1\ufe0f\u20e3", "\u2764\ufe0f", "स्ते", "a", " ", "\n", NBSP, ".", "\u0301",
]  # fmt: skip
cluster_text = st.lists(st.sampled_from(CLUSTER_PIECES + TRICKY), max_size=30).map("".join)


@st.composite
def cluster_body_and_selection(draw):
    body = draw(cluster_text)
    start = draw(st.integers(0, len(body)))
    end = draw(st.integers(start, len(body)))
    return body, start, end


@given(cluster_body_and_selection())
@example(("Cafe\u0301", 0, 4))
@example(("🇫🇷🇩🇪", 1, 3))
@example(("a \u0301b", 2, 4))
def test_stored_quotes_never_split_a_character(case):
    body, start, end = case
    selected = body[start:end]
    # The body's grapheme clusters that the selection touches, and those of them a reader
    # sees as text rather than as whitespace (a space carrying a joiner is whitespace).
    touched = (
        [
            m.span()
            for line in _lines(body)
            for m in _CLUSTER.finditer(body, line[0], line[1])
            if m.start() < end and m.end() > start
        ]
        if start < end
        else []
    )
    seen = [(a, b) for a, b in touched if not body[a].isspace() and not body[b - 1].isspace()]
    if not seen:
        assert error_of(body, start, end, selected) == EMPTY
        return
    anchor = anchor_selection(body, start, end, selected)
    assert anchor.exact == body[anchor.start : anchor.end]
    assert on_grapheme_boundaries(body, anchor.start, anchor.end)
    assert anchor.exact.strip() == anchor.exact
    # Widened to take every visible character touched, and no further than those touched.
    assert anchor.start <= seen[0][0] and anchor.end >= seen[-1][1]
    assert touched[0][0] <= anchor.start and anchor.end <= touched[-1][1]
    assert "\n" not in body[anchor.start : start] and "\n" not in body[end : anchor.end]


_CLUSTER = regex.compile(r"\X")


def _lines(body):
    """(start, end) of each line: a line break always ends a grapheme cluster."""
    at = 0
    for line in body.split("\n"):
        yield at, at + len(line)
        at += len(line) + 1


@given(body_and_selection(), tricky_text)
def test_mismatched_exact_is_refused(case, other):
    body, start, end = case
    assume(other != body[start:end] and other.replace("\r\n", "\n") != body[start:end])
    assert error_of(body, start, end, other) == STALE


@given(tricky_text, st.integers(-50, 50), st.integers(-50, 50))
def test_invalid_offsets_are_refused(body, start, end):
    assume(start < 0 or end > len(body) or start > end)
    with pytest.raises(AnchorError):
        anchor_selection(body, start, end, body[max(0, start) : max(0, end)])


def test_naughty_strings_round_trip():
    if not BLNS.exists():
        pytest.skip("blns.txt not available")
    lines = [line for line in BLNS.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    body = canonicalize("\n".join(lines))
    cursor = 0
    for line in lines:
        if not line.strip() or (start := body.find(line.strip(), cursor)) == -1:
            continue
        exact = line.strip()
        anchor = anchor_selection(body, start, start + len(exact), exact)
        assert body[anchor.start : anchor.end] == anchor.exact
        cursor = start


# --- UTF-16 ---------------------------------------------------------------------------------


def test_utf16_conversion_by_hand():
    text = "a😀b👩‍👩‍👧c"
    # a=0, 😀=1-2, b=3, 👩=4-5, ZWJ=6, 👩=7-8, ZWJ=9, 👧=10-11, c=12
    assert [codepoint_to_utf16(text, i) for i in range(len(text) + 1)] == [
        0, 1, 3, 4, 6, 7, 9, 10, 12, 13,
    ]  # fmt: skip
    assert utf16_to_codepoint(text, 3) == 2
    assert utf16_to_codepoint(text, 13) == len(text)
    with pytest.raises(ValueError, match="surrogate"):
        utf16_to_codepoint(text, 2)
    with pytest.raises(ValueError):
        utf16_to_codepoint(text, 14)
    with pytest.raises(ValueError):
        codepoint_to_utf16(text, -1)


@given(tricky_text, st.data())
def test_utf16_round_trip(text, data):
    cp = data.draw(st.integers(0, len(text)))
    unit = codepoint_to_utf16(text, cp)
    assert unit == len(text[:cp].encode("utf-16-le")) // 2
    assert utf16_to_codepoint(text, unit) == cp


@given(body_and_selection())
def test_browser_selection_after_emoji_lands_exactly(case):
    """Simulate the script: DOM offsets in UTF-16 units, converted before posting."""
    body, start, end = case
    js_start, js_end = codepoint_to_utf16(body, start), codepoint_to_utf16(body, end)
    js_exact = body.encode("utf-16-le")[2 * js_start : 2 * js_end].decode("utf-16-le")
    s, e = utf16_to_codepoint(body, js_start), utf16_to_codepoint(body, js_end)
    assert (s, e) == (start, end) and body[s:e] == js_exact


# --- selectors ------------------------------------------------------------------------------


def test_web_annotation_selectors():
    anchor = make_anchor("Le ciel est bleu.", 8, 11)
    assert to_web_annotation_selectors(anchor) == [
        {"type": "TextQuoteSelector", "exact": "est", "prefix": "Le ciel ", "suffix": " bleu."},
        {"type": "TextPositionSelector", "start": 8, "end": 11},
    ]


# --- reanchor -------------------------------------------------------------------------------

QUOTE = "avant de lancer sa société xAI presque exactement six mois plus tard"


@pytest.fixture
def claim(body) -> Anchor:
    start = body.index(QUOTE)
    return anchor_selection(body, start, start + len(QUOTE), QUOTE)


def test_reanchor_same_text_by_position(body, claim):
    result = reanchor(body, claim)
    assert (result.anchor, result.method, result.score) == (claim, "position", 1.0)


def test_reanchor_after_text_inserted_before(body, claim):
    new_body = "Mise à jour : précision ajoutée.\n\n" + body
    result = reanchor(new_body, claim)
    assert result.method == "quote"
    assert result.anchor.start == claim.start + 34
    assert new_body[result.anchor.start : result.anchor.end] == QUOTE
    assert result.anchor.prefix == claim.prefix


def test_reanchor_duplicated_quote_uses_context():
    old = (
        "Il a dit oui. Le vote est prévu demain. Puis il a dit non. Le vote est prévu demain. Fin."
    )
    second = old.rindex("Le vote")
    claim = make_anchor(old, second, second + len("Le vote est prévu demain."))
    new = "Introduction. " + old
    result = reanchor(new, claim)
    assert result.method == "context"
    assert result.anchor.start == second + len("Introduction. ")
    assert result.anchor.prefix.endswith("Puis il a dit non. ")
    assert result.score == 1.0


def test_reanchor_duplicated_quote_ties_go_to_nearest():
    old = "Cela. " * 20
    claim = make_anchor(old, 60, 65)  # the 11th "Cela.", with identical context all around
    result = reanchor("X" + old, claim)
    assert result.method == "context" and result.score == 1.0
    assert result.anchor.start == 61


def test_reanchor_small_edit_is_fuzzy(body, claim):
    new_body = body.replace("presque exactement six mois", "presque exactement 6 mois")
    result = reanchor(new_body, claim)
    assert result.method == "fuzzy"
    assert result.score >= 0.8
    assert (
        result.anchor.exact == "avant de lancer sa société xAI presque exactement 6 mois plus tard"
    )
    assert new_body[result.anchor.start : result.anchor.end] == result.anchor.exact


def test_reanchor_small_edit_after_move_is_fuzzy(body, claim):
    new_body = ("Chapeau ajouté en tête.\n\n" * 3) + body.replace("lancer sa", "créer sa")
    result = reanchor(new_body, claim)
    assert result.method == "fuzzy"
    assert result.anchor.exact == QUOTE.replace("lancer sa", "créer sa")


def test_reanchor_deleted_text_is_orphan(body, claim):
    new_body = body.replace(QUOTE, "")
    result = reanchor(new_body, claim)
    assert (result.anchor, result.method) == (None, "orphan")
    assert result.score < 0.8


def test_reanchor_rewritten_text_is_orphan_not_moved(body, claim):
    new_body = body.replace(QUOTE, "après avoir fondé une autre entreprise en Californie")
    result = reanchor(new_body, claim)
    assert result.anchor is None and result.method == "orphan"


def test_reanchor_threshold_is_respected(body, claim):
    new_body = body.replace("presque exactement six mois", "environ six mois")
    assert reanchor(new_body, claim).method == "fuzzy"  # about 0.83 similar
    assert reanchor(new_body, claim, threshold=0.95).method == "orphan"


def test_reanchor_long_quote_edited_at_both_ends_and_inside(body):
    paragraphs = body.split("\n\n")
    passage = "\n\n".join(paragraphs[4:8])
    assert len(passage) > 1000
    start = body.index(passage)
    claim = make_anchor(body, start, start + len(passage))
    edited = (
        "Juste avant, "
        + passage.replace("Musk", "Elon Musk", 1).replace("GPT-4", "GPT-4o")[:-10]
        + "…"
    )
    new_body = "Nouveau chapeau.\n\n" + body.replace(passage, edited)
    started = time.perf_counter()
    result = reanchor(new_body, claim)
    assert time.perf_counter() - started < 1
    assert result.method == "fuzzy" and result.score > 0.9
    # Text inserted right at the start boundary stays outside the claim; the replaced ending
    # is inside it.
    assert result.anchor.exact == edited.removeprefix("Juste avant, ")


def test_reanchor_empty_body_and_empty_anchor():
    assert reanchor("", make_anchor("abc", 0, 3)).method == "orphan"
    assert reanchor("abc", Anchor(0, 0, "", "", "")).method == "orphan"


@given(tricky_text, tricky_text, body_and_selection())
def test_reanchor_never_returns_a_wrong_slice(before, after, case):
    body, start, end = case
    claim = selectable(body, start, end)
    new_body = before + body + after
    result = reanchor(new_body, claim)
    assert result.method != "orphan"  # the quote is still there, verbatim
    assert new_body[result.anchor.start : result.anchor.end] == result.anchor.exact
    assert result.anchor.exact == claim.exact


def selectable(body, start, end):
    """The anchor for a selection, or skip the example when the selection holds nothing a
    reader sees (whitespace, or a space carrying a joiner)."""
    try:
        return anchor_selection(body, start, end, body[start:end])
    except AnchorError:
        assume(False)


@st.composite
def edited_body(draw):
    body, start, end = draw(body_and_selection())
    assume(body[start:end].strip())
    at = draw(st.integers(0, len(body)))
    cut = draw(st.integers(0, 5))
    new_body = body[:at] + draw(tricky_text.map(lambda t: t[:6])) + body[at + cut :]
    return body, start, end, new_body


@given(edited_body())
def test_reanchor_after_any_small_edit_is_exact_or_orphan(case):
    body, start, end, new_body = case
    claim = selectable(body, start, end)
    result = reanchor(new_body, claim)
    if result.anchor is None:
        assert result.method == "orphan"
        return
    found = result.anchor
    assert found == make_anchor(new_body, found.start, found.end)
    assert found.exact.strip() == found.exact != ""
    if result.method == "fuzzy":
        ratio = difflib.SequenceMatcher(None, claim.exact, found.exact, autojunk=False).ratio()
        assert ratio == result.score >= 0.8
    else:
        assert found.exact == claim.exact


@pytest.mark.parametrize(
    ("body", "start", "end", "expected"),
    [
        (" \u200d", 0, 2, None),  # a space carrying a joiner: whitespace, nothing to quote
        ("a \u0301b", 0, 4, "a \u0301b"),  # inside, a combining mark on a space is content
        (" \u0301b", 0, 3, "b"),  # at the start, the space-led cluster is left out
        ("b \u200d", 0, 3, "b"),  # at the end too
        ("b\u0600 ", 0, 3, "b"),  # a prepended mark fused with the space after it
    ],
)
def test_grapheme_widening_never_takes_in_whitespace(body, start, end, expected):
    if expected is None:
        with pytest.raises(AnchorError):
            anchor_selection(body, start, end, body[start:end])
        return
    assert anchor_selection(body, start, end, body[start:end]).exact == expected
