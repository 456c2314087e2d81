"""Verdict cards: the 1200×630 PNG that social networks show beside a fact-check.

Drawing only, no HTTP. `card_for_version` collects what a card shows for a
published version, `render_card` draws it, `card_key` names it for a cache and
an ETag, and `card_alt_text` describes it for `og:image:alt`. The same card
always gives the same bytes.

The fonts come from Debian packages (``FONT_PACKAGES``): DejaVu covers Latin,
French, Greek, Cyrillic, Arabic and Hebrew; Noto Color Emoji draws emoji. A
missing font raises `CardFontMissing`: Pillow's own fallback is a bitmap font
with no accents, which would put boxes on every French card. Pillow has no
font fallback of its own either, so text is cut into runs, each drawn with the
first font of a chain whose character map has the run's characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import re
import unicodedata
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path

import PIL
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont, features

from .colours import contrast_ratio, ink_on, relative_luminance  # noqa: F401

WIDTH, HEIGHT = 1200, 630
# Part of every card's key: bump it when the drawing changes, so that cached
# cards and ETags change with it.
LAYOUT_VERSION = 1

FONT_PACKAGES = ("fonts-dejavu-core", "fonts-noto-color-emoji")
DEFAULT_FONTS = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans_bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "emoji": "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
}
# Which font draws a character: the first of its chain that has it.
QUOTE_CHAIN = ("serif", "sans", "emoji")
BOLD_CHAIN = ("sans_bold", "sans", "emoji")
REGULAR_CHAIN = ("sans", "emoji")
# Noto Color Emoji holds bitmaps 109 px high (CBDT) and FreeType opens it at
# that size only: emoji are drawn there and scaled to the text around them.
EMOJI_STRIKE = 109

BACKGROUND = "#ffffff"
TEXT = "#111827"  # 17.7:1 on the background
MUTED = "#4b5563"  # 7.6:1
RULE = "#e5e7eb"
FALLBACK_COLOUR = "#4b5563"
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

# The frame; nothing is drawn in the margins but the verdict's stripe on the left.
STRIPE = 24
LEFT, RIGHT = 80, WIDTH - 72
CONTENT = RIGHT - LEFT
QUOTE_TOP, QUOTE_BOTTOM = 196, 446
# Largest first: the first size at which the whole quote fits is used; the
# smallest one truncates what does not fit.
QUOTE_SIZES = (60, 54, 48, 42, 38)
# No more of a quote is measured than could ever fit on a card.
QUOTE_MAX_CHARS = 1200

ELLIPSIS = "…"
# As the fact-check page writes its dates: "11 février 2025", "11 February 2025".
DATE_FORMAT = "j F Y"
# Breaks lines; no-break spaces (U+00A0, U+202F) keep French « » : ; ! ? with their words.
_BREAKING_SPACE = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")
# Emoji joiners, presentation selectors, skin tones, tag characters and the keycap
# mark belong to the character before them, as do combining marks.
_JOINERS = frozenset({0x200D, 0xFE0E, 0xFE0F, 0x20E3})
# Characters shown as emoji even without U+FE0F (Unicode's Emoji_Presentation), which
# DejaVu also draws, in black: the emoji font comes first for them. Outside the BMP,
# nearly every character the emoji font has is one; inside, these are all of them.
_BMP_EMOJI_PRESENTATION = (
    (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3), (0x25FD, 0x25FE),
    (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693), (0x26A1, 0x26A1),
    (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26CE, 0x26CE), (0x26D4, 0x26D4),
    (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA), (0x26FD, 0x26FD),
    (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C), (0x274E, 0x274E),
    (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0), (0x27BF, 0x27BF),
    (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
)  # fmt: skip


def _emoji_presentation(cp: int) -> bool:
    return cp >= 0x1F000 or any(lo <= cp <= hi for lo, hi in _BMP_EMOJI_PRESENTATION)


class CardFontMissing(ImproperlyConfigured):
    """A font the verdict cards need is not installed."""


@dataclass(frozen=True)
class Card:
    """What one card shows; its fields are all its pixels depend on (with the layout)."""

    quote: str
    claimant: str
    verdict: str
    colour: str
    newsroom: str
    date: dt.date
    language: str


# --- what a card shows ------------------------------------------------------------------------


def card_for_version(version, language: str | None = None, newsroom: str | None = None) -> Card:
    """The card of a published ClaimVersion, in the fact-check's language by default.

    Reads version.rating and version.claim.article: select_related them.
    """
    from claims.public import conf

    colour = version.rating.colour
    language = language or version.claim.article.language
    return Card(
        quote=version.exact or version.statement,
        claimant=version.claimant,
        # The approved label in the card's language, like its other words.
        verdict=version.label_in(language).label,
        colour=colour if _HEX_COLOUR.fullmatch(colour or "") else FALLBACK_COLOUR,
        newsroom=conf.NEWSROOM_NAME if newsroom is None else newsroom,
        date=timezone.localtime(version.approved_at).date(),
        language=language,
    )


def card_key(card: Card) -> str:
    """The card's cache identity and ETag: changes whenever its bytes could, including
    with the translations of its words and the fonts."""
    identity = [LAYOUT_VERSION, PIL.__version__, sorted(_font_paths().items()), _words(card)]
    identity += [v.isoformat() if isinstance(v, dt.date) else v for v in astuple(card)]
    text = json.dumps(identity, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def _language(card: Card) -> str:
    """The card's language among the site's, else the default: never German months around
    English words."""
    try:
        return translation.get_supported_language_variant(card.language)
    except LookupError:
        return settings.LANGUAGE_CODE


def _words(card: Card) -> dict[str, str]:
    """The card's own words, in its language."""
    with translation.override(_language(card)):
        return {
            "date": formats.date_format(card.date, DATE_FORMAT),
            "claimed_by": _("Claimed by %(who)s"),
            # Translators: quotation marks around the claimed passage on a verdict card.
            "quote_marks": _("“%(quote)s”"),
            "verdict": _("Verdict"),
        }


def card_alt_text(card: Card) -> str:
    """A text equivalent of the card, for og:image:alt, in the card's language."""
    with translation.override(_language(card)):
        quote = _shorten(_clean(card.quote), 200)
        return _(
            "%(newsroom)s, %(date)s. “%(quote)s”, claimed by %(who)s. Verdict: %(verdict)s."
        ) % {
            "newsroom": card.newsroom,
            "date": formats.date_format(card.date, DATE_FORMAT),
            "quote": quote,
            "who": card.claimant,
            "verdict": card.verdict,
        }


# --- colours ----------------------------------------------------------------------------------


# relative_luminance, contrast_ratio and ink_on live in claims/colours.py (imported above).


# --- fonts ------------------------------------------------------------------------------------


def _font_paths() -> dict[str, str]:
    return {**DEFAULT_FONTS, **getattr(settings, "VERDICT_CARD_FONTS", {})}


def _missing(role: str, path: str, reason: str) -> CardFontMissing:
    return CardFontMissing(
        f"Verdict cards need the {role} font {path} ({reason}). Install the Debian packages: "
        f"apt-get install {' '.join(FONT_PACKAGES)}; or point settings.VERDICT_CARD_FONTS"
        f"[{role!r}] at another font."
    )


@lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


@lru_cache(maxsize=64)
def _face(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


class _Fonts:
    """The fonts of one rendering, checked before anything is drawn."""

    def __init__(self):
        if not features.check("raqm"):
            raise ImproperlyConfigured(
                "Verdict cards need Pillow's text layout (libraqm, with Debian's libfribidi0) "
                "to draw right-to-left text and emoji sequences: apt-get install libfribidi0."
            )
        self.paths = _font_paths()
        for role, path in self.paths.items():
            if not Path(path).is_file():
                raise _missing(role, path, "no such file")
            try:
                _cmap(path)
            except Exception as error:
                raise _missing(role, path, f"not a readable font: {error}") from error

    def role_for(self, char: str, following: str, chain: tuple[str, ...]) -> str:
        cp = ord(char)
        # U+FE0F asks for the emoji form of a character that also has a text form (❤️, 1️⃣).
        wants_emoji = following == "\ufe0f" or _emoji_presentation(cp)
        if wants_emoji and "emoji" in chain and cp in _cmap(self.paths["emoji"]):
            return "emoji"
        for role in chain:
            if cp in _cmap(self.paths[role]):
                return role
        return chain[0]  # nobody has it: the first font's box, at least in the right size

    def runs(self, text: str, chain: tuple[str, ...]) -> list[tuple[str, str]]:
        """`text` cut into (font role, text) runs, in logical order."""
        runs: list[list[str]] = []
        for i, char in enumerate(text):
            if runs and (_attaches(char) or text[i - 1] == "\u200d"):
                role = runs[-1][0]
            else:
                role = self.role_for(char, text[i + 1 : i + 2], chain)
            if runs and runs[-1][0] == role:
                runs[-1][1] += char
            else:
                runs.append([role, char])
        return [(role, run) for role, run in runs]

    def face(self, role: str, size: int) -> ImageFont.FreeTypeFont:
        return _face(self.paths[role], EMOJI_STRIKE if role == "emoji" else size)

    def run_width(self, role: str, text: str, size: int) -> float:
        width = self.face(role, size).getlength(text)
        return width * size / EMOJI_STRIKE if role == "emoji" else width

    def width(self, text: str, chain: tuple[str, ...], size: int) -> float:
        return sum(self.run_width(role, run, size) for role, run in self.runs(text, chain))


def _attaches(char: str) -> bool:
    cp = ord(char)
    return (
        cp in _JOINERS
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
        or unicodedata.category(char).startswith("M")
    )


def check_fonts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: a server that cannot draw cards says so before it serves."""
    try:
        _Fonts()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="claims.E001")]
    return []


# --- text -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """One paragraph, composed (NFC: é is one character, which every font here has):
    runs of breaking whitespace become one space; controls go."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cc" or c in "\t\n\r")
    return _BREAKING_SPACE.sub(" ", text).strip()


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + ELLIPSIS


def is_rtl(text: str) -> bool:
    """Whether the text's first strong character is right-to-left (Unicode's P2 rule)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def _split_long(fonts: _Fonts, word: str, chain, size: int, width: float) -> list[str]:
    """A word wider than the line, in pieces that fit (never splitting a character from its
    combining marks or emoji joiners)."""
    pieces, current = [], ""
    for char in word:
        breakable = current and not _attaches(char) and current[-1] != "\u200d"
        if breakable and fonts.width(current + char, chain, size) > width:
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(
    fonts: _Fonts,
    text: str,
    chain: tuple[str, ...],
    size: int,
    width: float,
    max_lines: int,
    closing: str = "",
) -> tuple[list[str], bool]:
    """Greedy lines of at most `width` px; if more than `max_lines` are needed, the last one
    ends at a word boundary with an ellipsis (then `closing`, e.g. the closing quotation
    mark). Returns the lines and whether the text was cut."""
    tokens: list[tuple[str, bool]] = []  # (text, follows a space)
    for word in text.split(" "):
        if fonts.width(word, chain, size) <= width:
            tokens.append((word, bool(tokens)))
        else:
            pieces = _split_long(fonts, word, chain, size, width)
            tokens += [(p, bool(tokens) and i == 0) for i, p in enumerate(pieces)]

    lines: list[list[tuple[str, bool]]] = [[]]
    for token in tokens:
        line = lines[-1]
        candidate = _join([*line, token])
        if line and fonts.width(candidate, chain, size) > width:
            lines.append([token])
        else:
            line.append(token)
    if len(lines) <= max_lines:
        return [_join(line) for line in lines], False

    last = lines[max_lines - 1]
    ending = ELLIPSIS + closing
    while True:
        text = _join(last).rstrip(" \u00a0\u202f,;:–—-") if last else ""
        if len(last) <= 1 or fonts.width(text + ending, chain, size) <= width:
            break
        last = last[:-1]
    if text and fonts.width(text + ending, chain, size) > width:
        # A single piece of a long word: cut it by characters instead.
        while text and fonts.width(text + ending, chain, size) > width:
            text = text[:-1]
    return [*(_join(line) for line in lines[: max_lines - 1]), text + ending], True


def _join(tokens: list[tuple[str, bool]]) -> str:
    out = ""
    for i, (text, spaced) in enumerate(tokens):
        out += (" " if spaced and i else "") + text
    return out


def fit_line(fonts: _Fonts, text: str, chain, size: int, width: float) -> str:
    """`text` on one line of at most `width` px, cut with an ellipsis if need be."""
    lines, _cut = wrap(fonts, _clean(text), chain, size, width, 1)
    return lines[0] if lines else ""


# --- drawing ----------------------------------------------------------------------------------


class _Canvas:
    def __init__(self, fonts: _Fonts):
        self.fonts = fonts
        self.image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    def line(
        self,
        text: str,
        chain,
        size: int,
        x: float,
        baseline: int,
        fill: str,
        align: str = "left",
        rtl: bool = False,
    ) -> float:
        """Draw one line of runs with its baseline at `baseline`; returns its width."""
        runs = self.fonts.runs(text, chain)
        widths = [self.fonts.run_width(role, run, size) for role, run in runs]
        total = sum(widths)
        left = x - total if align == "right" else x
        order = list(zip(runs, widths, strict=True))
        if rtl:
            order.reverse()
        for (role, run), width in order:
            self._run(role, run, size, round(left), baseline, fill, rtl)
            left += width
        return total

    def _run(self, role, text, size, x, baseline, fill, rtl):
        face = self.fonts.face(role, size)
        direction = "rtl" if rtl else None
        if role != "emoji":
            self.draw.text(
                (x, baseline), text, font=face, fill=fill, anchor="ls", direction=direction
            )
            return
        ascent, descent = face.getmetrics()
        width = math.ceil(face.getlength(text))
        strike = Image.new("RGBA", (max(width, 1), ascent + descent), (0, 0, 0, 0))
        ImageDraw.Draw(strike).text(
            (0, ascent), text, font=face, anchor="ls", embedded_color=True, direction=direction
        )
        scale = size / EMOJI_STRIKE
        shown = strike.resize(
            (max(1, round(strike.width * scale)), max(1, round(strike.height * scale))),
            Image.Resampling.LANCZOS,
        )
        self.image.paste(shown, (x, baseline - round(ascent * scale)), shown)


def render_card(card: Card) -> bytes:
    """The card as a 1200×630 PNG; the same card always gives the same bytes."""
    fonts = _Fonts()
    canvas = _Canvas(fonts)
    draw = canvas.draw
    colour = card.colour if _HEX_COLOUR.fullmatch(card.colour or "") else FALLBACK_COLOUR

    words = _words(card)

    # The verdict's colour down the left edge.
    draw.rectangle((0, 0, STRIPE - 1, HEIGHT - 1), fill=colour)

    # Header: the newsroom, and the date on the right.
    date_width = canvas.line(words["date"], REGULAR_CHAIN, 26, RIGHT, 76, MUTED, align="right")
    newsroom = fit_line(fonts, card.newsroom, BOLD_CHAIN, 30, CONTENT - date_width - 40)
    canvas.line(newsroom, BOLD_CHAIN, 30, LEFT, 76, TEXT)
    draw.rectangle((LEFT, 104, RIGHT - 1, 105), fill=RULE)

    # Who made the claim: the translated sentence, the name in bold.
    claimant = _clean(card.claimant)
    if claimant:
        before, _sep, after = words["claimed_by"].partition("%(who)s")
        room = CONTENT - fonts.width(before + after, REGULAR_CHAIN, 28)
        name = fit_line(fonts, claimant, BOLD_CHAIN, 28, room)
        x = LEFT + canvas.line(before, REGULAR_CHAIN, 28, LEFT, 158, MUTED)
        x += canvas.line(name, BOLD_CHAIN, 28, x, 158, TEXT)
        canvas.line(after, REGULAR_CHAIN, 28, x, 158, MUTED)

    # The quote, as large as it fits.
    quote = _clean(card.quote)[:QUOTE_MAX_CHARS]
    opening, _sep, closing = words["quote_marks"].partition("%(quote)s")
    rtl = is_rtl(quote)
    for size in QUOTE_SIZES:
        leading = round(size * 1.28)
        max_lines = (QUOTE_BOTTOM - QUOTE_TOP) // leading
        lines, cut = wrap(
            fonts, opening + quote + closing, QUOTE_CHAIN, size, CONTENT, max_lines, closing
        )
        if not cut:
            break
    baseline = QUOTE_TOP + round(size * 0.95)
    for text in lines:
        if rtl:
            canvas.line(text, QUOTE_CHAIN, size, RIGHT, baseline, TEXT, align="right", rtl=True)
        else:
            canvas.line(text, QUOTE_CHAIN, size, LEFT, baseline, TEXT)
        baseline += leading

    # The verdict: its heading, then its label on its colour.
    canvas.line(words["verdict"], REGULAR_CHAIN, 24, LEFT, 490, MUTED)
    label_size, pad = 44, 30
    label = fit_line(fonts, card.verdict, BOLD_CHAIN, label_size, CONTENT - 2 * pad)
    label_width = fonts.width(label, BOLD_CHAIN, label_size)
    box = (LEFT, 504, LEFT + round(label_width) + 2 * pad, 580)
    # A light colour on the white card still needs an edge one can see (WCAG 1.4.11: 3:1).
    edge = MUTED if contrast_ratio(colour, BACKGROUND) < 3 else colour
    draw.rounded_rectangle(box, radius=14, fill=colour, outline=edge, width=2)
    canvas.line(label, BOLD_CHAIN, label_size, LEFT + pad, 557, ink_on(colour))

    out = io.BytesIO()
    canvas.image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
