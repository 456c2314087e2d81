"""Sentence boundaries of an article body, so an editor can select a sentence in one click.

Most claims are a sentence, and dragging a selection across one precisely is slow and
error-prone, so the page renders sentence spans the script can select whole (DESIGN.md §5).
Segmentation runs on the server with ``sentencex``, a rule-based segmenter that knows French
abbreviations, « guillemets » and no-break spaces, among ~300 languages.

Spans are code-point offsets into the canonical body, trimmed of whitespace at both edges,
never empty, sorted, non-overlapping, and never crossing a line break: paragraphs are
segmented one line at a time, because a single newline inside a paragraph separates things
like a photo caption and its credit line, which are not one sentence.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import regex
import sentencex

from .anchoring import trim_span
from .text import paragraph_spans

_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Opening punctuation besides Unicode categories Ps and Pi (« “ ‘ „ ( [): sentencex sometimes
# leaves it at the end of the previous sentence when no space follows it
# ("Bloomberg. «Beaucoup..." in the demo article).
_OPENERS = frozenset("\"'¡¿")
# Symbols that stand apart at the start of a sentence, followed by a space: emoji (with
# their modifiers, joiners and selectors: one grapheme cluster each), flags, keycaps,
# arrows, dingbats. sentencex leaves them at the start of the sentence after
# them ("Le tram est de retour ! 🚋 Les critiques..."), but they close the sentence before
# or stand alone. Currency signs and letterlike symbols (№, ™) belong to what follows.
_ORNAMENT = r"(?:(?=[\p{S}--\p{Sc}--[\u2100-\u214f]])\X|[0-9#*]\ufe0f?\u20e3)"
_LEADING_ORNAMENTS = regex.compile(rf"(?:{_ORNAMENT}[^\S\n]+)+", regex.V1)
_ONLY_ORNAMENTS = regex.compile(rf"(?:{_ORNAMENT}[^\S\n]*)+", regex.V1)


def segmenter_language(language: str | None) -> str:
    """The code passed to sentencex: the base language of a tag ("fr-CA" -> "fr"), or "en".

    sentencex keys its rules by base ISO 639 codes and quietly uses generic rules for codes
    it does not know, so region and script subtags only get in the way.
    """
    base = (language or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return base if _LANGUAGE.fullmatch(base) else "en"


def _segment(language: str, line: str) -> list[str]:
    try:
        return list(sentencex.segment(language, line))
    except Exception:  # a segmenter bug must not take the article page down
        if language != "en":
            return _segment("en", line)
        return [line]


def _line_spans(line: str, base: int, language: str) -> list[tuple[int, int]]:
    """Spans of the sentences of one line (no newline inside), offset by ``base``."""
    pieces = _segment(language, line)
    raw: list[tuple[int, int]] = []
    if "".join(pieces) == line:  # the normal case: segments tile the line
        cursor = 0
        for piece in pieces:
            raw.append((cursor, cursor + len(piece)))
            cursor += len(piece)
    else:  # be robust to a segmenter that drops or alters characters
        cursor = 0
        for piece in pieces:
            found = line.find(piece, cursor)
            if found == -1 and piece.strip():
                found = line.find(piece.strip(), cursor)
                piece = piece.strip()
            if found == -1:
                break
            raw.append((cursor, found + len(piece)))  # gaps join the following sentence
            cursor = found + len(piece)
        if cursor < len(line):
            raw.append((cursor, len(line)))
    spans = []
    for start, end in raw:
        start, end = trim_span(line, start, end)
        if start < end:
            spans.append((start, end))
    return [(base + s, base + e) for s, e in _detach_ornaments(line, _move_openers(line, spans))]


def _is_opener(char: str) -> bool:
    return char in _OPENERS or unicodedata.category(char) in ("Ps", "Pi")


def _move_openers(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give an opening quote or bracket stranded at a sentence's end to the next sentence.

    Only when it follows whitespace (or starts the sentence), so a closing quote that happens
    to be an "initial" character in some typography (German „…“) never moves.
    """
    fixed = list(spans)
    for i in range(len(fixed) - 1):
        start, end = fixed[i]
        last = end - 1
        if _is_opener(line[last]) and (last == start or line[last - 1].isspace()):
            new_start, new_end = trim_span(line, start, last)
            fixed[i + 1] = (last, fixed[i + 1][1])
            fixed[i] = (new_start, new_end)
    return [(s, e) for s, e in fixed if s < e]


def _detach_ornaments(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Start each sentence at its text: emoji and symbols before it go to the previous
    sentence on the line, or belong to no sentence at the start of a line.

    Otherwise a click on the sentence quotes "🚋 Les critiques..." to readers. A "sentence"
    of nothing but symbols joins the previous one, or stands alone at the start of a line.
    """
    fixed: list[tuple[int, int]] = []
    for start, end in spans:
        if fixed and _ONLY_ORNAMENTS.fullmatch(line, start, end):
            fixed[-1] = (fixed[-1][0], end)
            continue
        run = _LEADING_ORNAMENTS.match(line, start, end)
        if run is not None and run.end() < end:
            if fixed:
                fixed[-1] = (fixed[-1][0], trim_span(line, start, run.end())[1])
            start = run.end()
        fixed.append((start, end))
    return fixed


@lru_cache(maxsize=16)
def _cached_spans(body: str, language: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(body):
        line_start = p_start
        for line in body[p_start:p_end].split("\n"):
            spans.extend(_line_spans(line, line_start, language))
            line_start += len(line) + 1
    return tuple(spans)


def sentence_spans(body: str, language: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of the sentences of a canonical ``body``.

    ``language`` is a BCP 47-ish tag ("fr", "fr-CA", "pt_BR"); anything unusable falls back
    to English rules rather than failing.  Results for the last few bodies are cached, since
    the same article is rendered again after every claim edit.
    """
    return list(_cached_spans(body, segmenter_language(language)))
