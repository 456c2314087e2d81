"""Verdict cards (claims.cards): the PNG social networks show, read back pixel by pixel."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from claims import cards
from claims.models import ClaimVersion
from claims.public import conf

NBSP, NNBSP = "\u00a0", "\u202f"
ARTICLE = (Path(__file__).resolve().parent.parent / "claims/demo/article-fr.txt").read_text()
BODY = " ".join(ARTICLE.splitlines()[5:])


def card(**changes) -> cards.Card:
    fields = {
        "quote": "un leader de l’industrie évalué à environ 100 milliards de dollars",
        "claimant": "Tendances numériques",
        "verdict": "Inexact",
        "colour": "#b4380f",
        "newsroom": "La Rédaction",
        "date": dt.date(2025, 2, 11),
        "language": "fr",
        **changes,
    }
    return cards.Card(**fields)


def image_of(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def colours(image: Image.Image, box) -> list[tuple[int, tuple[int, int, int]]]:
    """(count, colour) of the pixels in `box`."""
    area = image.crop(box)
    return area.getcolors(area.width * area.height)


def pixels(image: Image.Image, box: tuple[int, int, int, int]) -> set[tuple[int, int, int]]:
    return {colour for _count, colour in colours(image, box)}


def colourful(image: Image.Image, box) -> int:
    """How many pixels in `box` are clearly not grey (text and rules are all grey)."""
    return sum(n for n, (r, g, b) in colours(image, box) if max(r, g, b) - min(r, g, b) > 80)


WHITE = (255, 255, 255)
QUOTE_BOX = (cards.LEFT, cards.QUOTE_TOP, cards.RIGHT, cards.QUOTE_BOTTOM)


# --- the file ---------------------------------------------------------------------------------


def test_a_card_is_a_1200_by_630_png():
    png = cards.render_card(card())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = image_of(png)
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert image.mode == "RGB"
    assert 10_000 < len(png) < 300_000


def test_the_same_card_gives_the_same_bytes_and_key():
    first = cards.render_card(card())
    cards._face.cache_clear()
    cards._cmap.cache_clear()
    assert cards.render_card(card()) == first
    assert cards.card_key(card()) == cards.card_key(card())


@pytest.mark.parametrize(
    "change",
    [
        {"quote": "Autre chose"},
        {"claimant": "Sam Altman"},
        {"verdict": "Faux"},
        {"colour": "#a4161a"},
        {"newsroom": "Autre rédaction"},
        {"date": dt.date(2025, 2, 12)},
        {"language": "en"},
    ],
)
def test_everything_a_card_shows_changes_its_bytes_and_its_key(change):
    assert cards.render_card(card(**change)) != cards.render_card(card())
    assert cards.card_key(card(**change)) != cards.card_key(card())


def test_the_key_changes_with_the_fonts():
    with override_settings(VERDICT_CARD_FONTS={"serif": cards.DEFAULT_FONTS["sans"]}):
        other_fonts = cards.card_key(card())
    assert other_fonts != cards.card_key(card())


# --- nothing overflows ------------------------------------------------------------------------

LONG = {
    "the whole article": BODY,
    "one word of 3000 letters": "x" * 3000,
    "a long address": "Voir https://example.org/" + "segment-sans-espace/" * 60,
    "Hebrew": "הבינה המלאכותית תחליף את כל העיתונאים עד 2030, אמר המנכ״ל. " * 12,
    "Arabic": "الذكاء الاصطناعي سيغير كل شيء في غرفة الأخبار " * 12,
    "emoji": "🚀🎉👍🏽👨‍👩‍👧🇫🇷❤️ " * 30 + "🚀" * 80,
    "wide letters": "W" * 40 + " " + "M" * 40 + " ÉÉÉÉÉ" * 50,
}


@pytest.mark.parametrize("quote", LONG.values(), ids=LONG.keys())
def test_long_quotes_and_labels_stay_inside_the_frame(quote):
    long = card(
        quote=quote,
        claimant="Tendances numériques (édition française de Digital Trends) " * 5,
        verdict="Un libellé de verdict bien trop long pour tenir sur une ligne " * 3,
        newsroom="Une rédaction au nom vraiment très long " * 4,
        colour="#ffd43b",
    )
    image = image_of(cards.render_card(long))
    # The right margin, the bottom margin and the gap between the quote and the verdict
    # are all background: nothing ran past its place.
    assert pixels(image, (cards.RIGHT, 0, cards.WIDTH, cards.HEIGHT)) == {WHITE}
    assert pixels(image, (cards.STRIPE, 582, cards.WIDTH, cards.HEIGHT)) == {WHITE}
    assert pixels(image, (cards.STRIPE, cards.QUOTE_BOTTOM, cards.WIDTH, 466)) == {WHITE}
    assert pixels(image, (cards.STRIPE, 0, cards.LEFT, cards.HEIGHT)) == {WHITE}
    # ... and the quote is there, cut with an ellipsis.
    assert len(pixels(image, QUOTE_BOX)) > 2


def test_a_cut_quote_ends_at_a_word_with_an_ellipsis_and_its_closing_mark():
    fonts = cards._Fonts()
    text = "« " + BODY + " »"
    lines, cut = cards.wrap(fonts, text, cards.QUOTE_CHAIN, 38, cards.CONTENT, 5, NBSP + "»")
    assert cut
    assert len(lines) == 5
    assert lines[-1].endswith("…" + NBSP + "»")
    kept = lines[-1].removesuffix("…" + NBSP + "»")
    # A word boundary: what is kept of the last line is whole words of the text.
    assert " ".join(lines[:-1]) + " " + kept in text
    assert text[len(" ".join(lines[:-1]) + " " + kept)] in " ,;:"
    for line in lines:
        assert fonts.width(line, cards.QUOTE_CHAIN, 38) <= cards.CONTENT


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzÉéàç’«»!?;:-/ ") + [NBSP, "🚀"]),
        max_size=400,
    ),
    st.integers(min_value=1, max_value=6),
)
def test_wrapped_lines_fit_and_keep_the_text_when_it_fits(text, max_lines):
    fonts = cards._Fonts()
    text = cards._clean(text)
    lines, cut = cards.wrap(fonts, text, cards.QUOTE_CHAIN, 48, 500, max_lines)
    assert len(lines) <= max(max_lines, 1)
    for line in lines:
        assert fonts.width(line, cards.QUOTE_CHAIN, 48) <= 500
    if not cut:
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_no_break_spaces_keep_french_punctuation_with_its_word():
    fonts = cards._Fonts()
    text = (
        f"Il a dit{NBSP}: «{NBSP}OpenAI n’est pas à vendre{NBSP}» ; est-ce vrai{NNBSP}? "
        f"Oui{NBSP}! Et pourquoi{NBSP}? «{NBSP}Parce que{NBSP}»."
    )
    for width in range(300, 1000, 15):  # the longest word fits
        lines, _cut = cards.wrap(fonts, text, cards.QUOTE_CHAIN, 42, width, 40)
        for line in lines:
            assert not line.startswith(("»", ":", "?", "!", NBSP, NNBSP)), (width, lines)
            assert not line.endswith("«"), (width, lines)


# --- colours ----------------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag():
    assert cards.contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert cards.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert cards.contrast_ratio("#777777", "#777777") == pytest.approx(1)
    # WebAIM's figures: #767676 is the lightest grey that passes AA on white.
    assert cards.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert cards.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert cards.contrast_ratio(cards.TEXT, cards.BACKGROUND) >= 7
    assert cards.contrast_ratio(cards.MUTED, cards.BACKGROUND) >= 7


def test_the_label_on_any_colour_reaches_wcag_aa():
    steps = range(0, 256, 17)
    for r in steps:
        for g in steps:
            for b in steps:
                colour = f"#{r:02x}{g:02x}{b:02x}"
                assert cards.contrast_ratio(cards.ink_on(colour), colour) >= 4.5, colour
    assert cards.ink_on("#ffd43b") == "#000000"
    assert cards.ink_on("#a4161a") == "#ffffff"


@pytest.mark.parametrize("colour", ["#ffd43b", "#a4161a", "#767676", "#1f5f8b"])
def test_the_verdict_is_drawn_on_its_colour_in_its_ink(colour):
    image = image_of(cards.render_card(card(colour=colour, verdict="Manque de contexte")))
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    ink = tuple(int(cards.ink_on(colour)[i : i + 2], 16) for i in (1, 3, 5))
    label = pixels(image, (cards.LEFT + 20, 512, cards.LEFT + 200, 572))
    assert rgb in label
    assert ink in label
    assert image.getpixel((5, 300)) == rgb  # the stripe


# --- emoji, French, right to left -------------------------------------------------------------


def test_emoji_are_drawn_in_colour():
    grey = {"colour": "#4b5563"}  # so that the only colour on the card is the emoji's
    plain = image_of(cards.render_card(card(quote="Bravo à tous", **grey)))
    with_emoji = image_of(cards.render_card(card(quote="Bravo à tous 🎉🚀 😢", **grey)))
    assert colourful(plain, (0, 0, cards.WIDTH, cards.HEIGHT)) == 0
    assert colourful(with_emoji, QUOTE_BOX) > 1500


def test_emoji_take_the_emoji_font_and_sequences_stay_whole():
    fonts = cards._Fonts()
    # 😢 is also in DejaVu, in black and white: emoji presentation wins.
    assert fonts.runs("Bravo 😢", cards.QUOTE_CHAIN) == [("serif", "Bravo "), ("emoji", "😢")]
    family, thumb, flag, heart = "👨\u200d👩\u200d👧", "👍🏽", "🇫🇷", "❤\ufe0f"
    for sequence in (family, thumb, flag, heart, "1\ufe0f\u20e3"):
        assert fonts.runs(f"a{sequence}b", cards.QUOTE_CHAIN) == [
            ("serif", "a"),
            ("emoji", sequence),
            ("serif", "b"),
        ]
    # Without U+FE0F, ❤ and digits are text.
    assert fonts.runs("❤ 1", cards.BOLD_CHAIN) == [("sans_bold", "❤ 1")]


FRENCH = (
    "À l’été, l’œuvre d’Æsop coûtait 3,5 €, « déjà » ; Ça, c’est sûr ! "
    "Où êtes-vous ? Noël, naïf, Ève, Île, Œdipe, ÿ, Ÿ, ù, Û, ô, Ô, è, Ê, Ë, ï, Î — 20 °C… "
    f"deux{NBSP}points{NBSP}: et{NNBSP}; fin{NNBSP}!"
)


@pytest.mark.parametrize("chain", [cards.QUOTE_CHAIN, cards.BOLD_CHAIN, cards.REGULAR_CHAIN])
def test_french_has_a_glyph_for_every_character(chain):
    fonts = cards._Fonts()
    runs = fonts.runs(FRENCH, chain)
    assert {role for role, _text in runs} == {chain[0]}  # all in the chain's own face
    (role,) = {role for role, _text in runs}
    cmap = TTFont(fonts.paths[role], lazy=True).getBestCmap()
    missing = {c for c in FRENCH if ord(c) not in cmap}
    assert not missing


def test_the_card_s_french_words_have_glyphs():
    fonts = cards._Fonts()
    cmap = TTFont(fonts.paths["sans"], lazy=True).getBestCmap()
    bold = TTFont(fonts.paths["sans_bold"], lazy=True).getBestCmap()
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    from django.utils import formats, translation

    with translation.override("fr"):
        words = " ".join(formats.date_format(d, cards.DATE_FORMAT) for d in months)
        words += " ".join(["Affirmé par", "Verdict", "«\u00a0»"])
    assert "août" in words and "février" in words and "décembre" in words
    assert not {c for c in words if ord(c) not in cmap or ord(c) not in bold}


def test_right_to_left_quotes_start_on_the_right():
    def ink_columns(quote):
        image = image_of(cards.render_card(card(quote=quote, colour="#4b5563")))
        line = image.crop((cards.LEFT, cards.QUOTE_TOP, cards.RIGHT, cards.QUOTE_TOP + 80))
        return [
            x for x in range(line.width) if min(line.getpixel((x, y))[0] for y in range(80)) < 128
        ]

    hebrew = ink_columns("שלום עולם")
    latin = ink_columns("Bonjour")
    assert min(hebrew) > 500 and max(hebrew) > cards.CONTENT - 20
    assert min(latin) < 20 and max(latin) < 500
    assert cards.is_rtl("«\u00a0שלום") and not cards.is_rtl("« Bonjour שלום")


# --- fonts missing ----------------------------------------------------------------------------


def test_a_missing_font_fails_loudly_and_says_what_to_install():
    missing = {"serif": "/nonexistent/DejaVuSerif.ttf"}
    with (
        override_settings(VERDICT_CARD_FONTS=missing),
        pytest.raises(cards.CardFontMissing) as error,
    ):
        cards.render_card(card())
    message = str(error.value)
    assert "/nonexistent/DejaVuSerif.ttf" in message
    assert "apt-get install fonts-dejavu-core fonts-noto-color-emoji" in message


def test_a_file_that_is_no_font_fails_loudly(tmp_path):
    fake = tmp_path / "NotoColorEmoji.ttf"
    fake.write_text("not a font")
    with (
        override_settings(VERDICT_CARD_FONTS={"emoji": str(fake)}),
        pytest.raises(cards.CardFontMissing, match="not a readable font"),
    ):
        cards.render_card(card())


def test_deploy_check_reports_a_missing_font():
    with override_settings(VERDICT_CARD_FONTS={"emoji": "/nonexistent/NotoColorEmoji.ttf"}):
        assert [e.id for e in cards.check_fonts()] == ["claims.E001"]
        with pytest.raises(SystemCheckError, match="fonts-noto-color-emoji"):
            call_command("check", deploy=True, tags=["compatibility"])
    assert cards.check_fonts() == []


# --- from a published version -----------------------------------------------------------------


def test_the_card_of_a_published_version(demo):
    version = ClaimVersion.objects.select_related("rating", "claim__article").get()
    shown = cards.card_for_version(version)
    assert shown.quote == version.exact
    assert shown.claimant == "Tendances numériques"
    assert shown.verdict == version.rating_label == "Inexact"
    assert shown.colour == version.rating.colour
    assert shown.language == "fr"
    assert shown.newsroom == conf.NEWSROOM_NAME
    assert image_of(cards.render_card(shown)).size == (1200, 630)
    alt = cards.card_alt_text(shown)
    assert f"«{NBSP}{version.exact}{NBSP}»" in alt
    assert "affirmé par Tendances numériques" in alt
    assert f"Verdict{NBSP}: Inexact" in alt
    # In English, the card's words and the approved English label.
    english = cards.card_alt_text(cards.card_for_version(version, language="en"))
    assert f"“{version.exact}”, claimed by Tendances numériques. Verdict: Inaccurate." in english


def test_a_language_the_site_lacks_gives_the_default_language_throughout():
    german = cards.card_alt_text(card(language="de"))
    assert german == cards.card_alt_text(card(language="en"))
    assert "11 February 2025" in german  # not "11 Februar" among English words
    assert "février" in cards.card_alt_text(card(language="fr-CA"))
