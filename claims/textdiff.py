"""A readable word-level diff between two revisions of an article, for the History page.

Paragraphs are compared first (most revisions touch a few of them), then the
words of each changed stretch, so a 50,000-character article with one typo
fixed costs one paragraph's diff. A replaced stretch reads as the removed
words followed by the added ones. Pure functions; the HTML escapes every
piece of text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .revision_anchoring import TOKEN

_PARAGRAPHS = re.compile(r"(\n\n)")
# Above this many token pairs in one changed stretch, it is shown as replaced whole.
MAX_WORD_PAIRS = 4_000_000


@dataclass(frozen=True)
class Piece:
    kind: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, adjacent pieces of a kind merged."""
    # Separators are elements of their own, so that joining a stretch gives its exact text.
    old_paras, new_paras = _PARAGRAPHS.split(old), _PARAGRAPHS.split(new)
    pieces: list[Piece] = []
    outer = difflib.SequenceMatcher(None, old_paras, new_paras, autojunk=False)
    for tag, a1, a2, b1, b2 in outer.get_opcodes():
        a_text, b_text = "".join(old_paras[a1:a2]), "".join(new_paras[b1:b2])
        if tag == "equal":
            _add(pieces, "equal", a_text)
            continue
        a_tokens, b_tokens = TOKEN.findall(a_text), TOKEN.findall(b_text)
        if len(a_tokens) * len(b_tokens) > MAX_WORD_PAIRS:
            # Most of the article rewritten: a word diff would take seconds and read no
            # better than the old text struck through and the new one underlined.
            _add(pieces, "delete", a_text)
            _add(pieces, "insert", b_text)
            continue
        inner = difflib.SequenceMatcher(None, a_tokens, b_tokens, autojunk=False)
        for tag2, c1, c2, d1, d2 in inner.get_opcodes():
            if tag2 == "equal":
                _add(pieces, "equal", "".join(a_tokens[c1:c2]))
                continue
            _add(pieces, "delete", "".join(a_tokens[c1:c2]))
            _add(pieces, "insert", "".join(b_tokens[d1:d2]))
    return _absorb_lone_spaces(pieces)


def _add(pieces: list[Piece], kind: str, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + text)
    else:
        pieces.append(Piece(kind, text))


def _absorb_lone_spaces(pieces: list[Piece]) -> list[Piece]:
    """ "<del>a</del><ins>x</ins> <del>b</del><ins>y</ins>" reads better as "<del>a b</del>
    <ins>x y</ins>": a lone space kept between two changes joins them."""

    def joins(k: int) -> bool:
        piece = pieces[k]
        return (
            piece.kind == "equal"
            and piece.text.isspace()
            and "\n" not in piece.text
            and 0 < k < len(pieces) - 1
            and pieces[k - 1].kind != "equal"
            and pieces[k + 1].kind != "equal"
        )

    out: list[Piece] = []
    i = 0
    while i < len(pieces):
        if pieces[i].kind == "equal":
            _add(out, "equal", pieces[i].text)
            i += 1
            continue
        old, new = [], []
        while i < len(pieces) and (pieces[i].kind != "equal" or joins(i)):
            piece = pieces[i]
            if piece.kind != "insert":
                old.append(piece.text)
            if piece.kind != "delete":
                new.append(piece.text)
            i += 1
        for kind, parts in (("delete", old), ("insert", new)):
            if "".join(parts).strip():
                _add(out, kind, "".join(parts))
    return out


def diff_counts(pieces: list[Piece]) -> dict[str, int]:
    """Words added and removed (for the summary above the diff)."""
    counts = {"insert": 0, "delete": 0}
    for piece in pieces:
        if piece.kind in counts:
            counts[piece.kind] += len(re.findall(r"\w+", piece.text))
    return counts


def render_diff(pieces: list[Piece]) -> SafeString:
    """HTML: <ins> and <del>, each announced in words too (not by colour or line alone)."""
    added = escape(gettext("added:"))
    removed = escape(gettext("removed:"))
    end = escape(gettext("end of change"))
    out = []
    for piece in pieces:
        text = escape(piece.text)
        if piece.kind == "equal":
            out.append(text)
        elif piece.kind == "insert":
            out.append(
                f'<ins><span class="visually-hidden">[{added} </span>{text}'
                f'<span class="visually-hidden"> {end}]</span></ins>'
            )
        else:
            out.append(
                f'<del><span class="visually-hidden">[{removed} </span>{text}'
                f'<span class="visually-hidden"> {end}]</span></del>'
            )
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped
