"""Sentence spans (claims.segments): what an editor selects with one click."""

import time
from pathlib import Path

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from claims import segments
from claims.segments import segmenter_language, sentence_spans
from claims.text import canonicalize, paragraph_spans

SEED = Path(__file__).resolve().parent.parent / "claims" / "demo" / "article-fr.txt"


@pytest.fixture
def body() -> str:
    if not SEED.exists():
        pytest.skip("demo article not available")
    return canonicalize(SEED.read_text(encoding="utf-8"))


def texts(body: str, language: str = "fr") -> list[str]:
    return [body[s:e] for s, e in sentence_spans(body, language)]


def assert_well_formed(body: str, spans: list[tuple[int, int]]) -> None:
    paragraphs = paragraph_spans(body)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(body)
        sentence = body[start:end]
        assert sentence.strip() == sentence  # trimmed, never empty
        assert "\n" not in sentence  # never crosses a line, let alone a paragraph
        assert any(p_start <= start and end <= p_end for p_start, p_end in paragraphs)
        previous_end = end


def test_demo_article_spans_are_well_formed(body):
    spans = sentence_spans(body, "fr")
    assert_well_formed(body, spans)
    assert len(spans) > 20
    # Every non-blank character of the article belongs to some sentence.
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(body[i].isspace() or i in covered for i in range(len(body)))


def test_demo_article_sentence_contents(body):
    sentences = texts(body)
    quote = "avant de lancer sa société xAI presque exactement six mois plus tard"
    assert sum(quote in sentence for sentence in sentences) == 1
    assert sentences[0] == "Sam Altman ne pense pas qu’Elon Musk soit « une personne heureuse »"
    # The photo caption and its credit line are separate lines, hence separate sentences.
    assert sentences[1].startswith("Sam Altman, PDG d'OpenAI")
    assert sentences[2] == "Andrew Martonik / Tendances numériques"
    assert "Je ressens pour lui." in sentences
    # No-break spaces inside guillemets do not end a sentence.
    assert any("«\u00a0non à vendre\u00a0»." in sentence for sentence in sentences)


def test_opening_guillemet_goes_with_its_sentence(body):
    sentences = texts(body)
    assert not any(sentence.endswith("«") for sentence in sentences)
    assert any(s.startswith("«Beaucoup, beaucoup de procès") for s in sentences)


def test_simple_french():
    body = (
        "Bonjour M. Dupont. Il a dit «\u00a0non\u00a0!\u00a0» puis est parti. Vraiment\u00a0? Oui."
    )
    assert texts(body) == [
        "Bonjour M. Dupont.",
        "Il a dit «\u00a0non\u00a0!\u00a0» puis est parti.",
        "Vraiment\u00a0?",
        "Oui.",
    ]


def test_newline_inside_paragraph_splits():
    assert texts("Légende de la photo\nCrédit : AFP\n\nTexte. Suite.") == [
        "Légende de la photo",
        "Crédit : AFP",
        "Texte.",
        "Suite.",
    ]


def test_astral_characters_do_not_shift_offsets():
    body = "😀 Premier 𝔸. Deuxième 👩‍👩‍👧 phrase.\n\n𠀋 Troisième."
    # The emoji opening the line stands alone (see the ornament tests below); 𠀋 is a letter.
    assert texts(body) == ["Premier 𝔸.", "Deuxième 👩‍👩‍👧 phrase.", "𠀋 Troisième."]


@pytest.mark.parametrize("language", ["fr", "fr-CA", "fr_FR", "FR", "en", "xx", "", "zz-Latn-ZZ",
                                      "!!", "12", "de", "ja"])  # fmt: skip
def test_odd_language_codes_do_not_crash(language):
    body = "Une phrase. Une autre phrase.\n\nFin."
    assert_well_formed(body, sentence_spans(body, language))
    assert texts(body, language)[-1] == "Fin."


def test_segmenter_language():
    assert segmenter_language("fr-CA") == "fr"
    assert segmenter_language("pt_BR") == "pt"
    assert segmenter_language(" EN ") == "en"
    assert segmenter_language("") == "en"
    assert segmenter_language(None) == "en"
    assert segmenter_language("français") == "en"


def test_empty_and_blank_bodies():
    assert sentence_spans("", "fr") == []
    assert sentence_spans("   ", "fr") == []


def test_segmenter_failure_falls_back(monkeypatch):
    calls = []

    def broken(language, text):
        calls.append(language)
        raise RuntimeError("boom")

    monkeypatch.setattr(segments.sentencex, "segment", broken)
    segments._cached_spans.cache_clear()
    try:
        assert texts("Une phrase. Deux.") == ["Une phrase. Deux."]
        assert calls == ["fr", "en"]
    finally:
        segments._cached_spans.cache_clear()


def test_segments_that_do_not_tile_the_line_are_located(monkeypatch):
    monkeypatch.setattr(segments.sentencex, "segment", lambda lang, text: ["Un.", "Deux."])
    segments._cached_spans.cache_clear()
    try:
        assert texts("Un.  Deux. Trois") == ["Un.", "Deux.", "Trois"]
    finally:
        segments._cached_spans.cache_clear()


def test_result_is_a_fresh_list():
    first = sentence_spans("Un. Deux.", "fr")
    first.clear()
    assert sentence_spans("Un. Deux.", "fr") == [(0, 3), (4, 9)]


TRICKY = ["a", "é", " ", "\u00a0", "\n", "\n\n", ".", "!", "?", "«", "»", "😀", "\u200b",
          "M.", "Il", "\u200f", "e\u0301", "…", '"']  # fmt: skip


@settings(deadline=None)
@given(st.lists(st.sampled_from(TRICKY), max_size=60).map("".join))
def test_random_bodies_give_well_formed_spans(text):
    body = canonicalize(text)
    assert_well_formed(body, sentence_spans(body, "fr"))


# --- emoji and symbols between sentences -----------------------------------------------------

ORNAMENTS = ["🚋", "☔", "🎉", "👍🏽", "👩\u200d👩\u200d👧", "🇫🇷", "1\ufe0f\u20e3", "\u2764\ufe0f",
             "→", "★", "©"]  # fmt: skip
WORDS = ["Critics", "say", "it", "is", "late", "Le", "tram", "est", "de", "retour", "café",
         "cafe\u0301", "한국", "O’Brien", "42", "M.", "«\u00a0oui\u00a0»", "(voir)",
         "$5"]  # fmt: skip
ENDS = [".", "!", "?", "\u00a0!", "…"]


def starts_with_ornament(sentence: str) -> bool:
    first = regex.match(r"\X", sentence)[0]
    rest = sentence[len(first) :]
    return first in ORNAMENTS and rest[:1].isspace()


@st.composite
def lines_with_ornaments(draw):
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        parts += draw(st.lists(st.sampled_from(ORNAMENTS), max_size=2))
        parts.append(" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))))
        parts[-1] += draw(st.sampled_from(ENDS))
    parts += draw(st.lists(st.sampled_from(ORNAMENTS), max_size=2))
    return " ".join(parts)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The tram is back! 🚋 Critics say it is late.",
            ["The tram is back! 🚋", "Critics say it is late."],
        ),
        (
            "Le tram est de retour\u00a0! 🚋 👍🏽 Les critiques dénoncent le retard.",
            ["Le tram est de retour\u00a0! 🚋 👍🏽", "Les critiques dénoncent le retard."],
        ),
        ("🇫🇷 La France gagne. → Ensuite, la suite.", ["La France gagne. →", "Ensuite, la suite."]),
        ("Il pleut. ☔ « Rentrez », dit-il.", ["Il pleut. ☔", "« Rentrez », dit-il."]),
        ("Les prix montent. $5 is a lot.", ["Les prix montent.", "$5 is a lot."]),
        ("C’est fait. 👍🏽 🎉", ["C’est fait. 👍🏽 🎉"]),
    ],
)
def test_emoji_and_symbols_before_a_sentence_stay_out_of_it(text, expected, language):
    """Clicking the sentence after an emoji used to quote "🚋 Critics…" to readers."""
    assert texts(text, language) == expected


@settings(deadline=None)
@given(lines_with_ornaments(), st.sampled_from(["en", "fr"]))
@example("The tram is back! 🚋 Critics say it is late.", "en")
@example("🇫🇷 👩\u200d👩\u200d👧 Le tram. 🚋", "fr")
@example("👩\u200d👩\u200d👧 ★ Critics. ★ 🚋", "en")
def test_sentences_start_at_their_text(text, language):
    body = canonicalize(text)
    spans = sentence_spans(body, language)
    assert_well_formed(body, spans)
    for start, end in spans:
        sentence = body[start:end]
        # A sentence starts at its text, unless it is nothing but symbols.
        text = sentence
        for ornament in ORNAMENTS:
            text = text.replace(ornament, "")
        if any(char.isalnum() for char in text):
            assert not starts_with_ornament(sentence), sentence
    # No word is lost: every letter and digit is inside some sentence (the digit of a
    # keycap emoji is a symbol, not a word).
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    keycaps = {m.start() for m in regex.finditer("[0-9#*]\ufe0f?\u20e3", body)}
    assert all(i in covered for i, c in enumerate(body) if c.isalnum() and i not in keycaps)


def test_fifty_thousand_characters_are_fast(body):
    big = "\n\n".join([body] * (50_000 // len(body) + 1))[:50_000]
    segments._cached_spans.cache_clear()
    started = time.perf_counter()
    spans = sentence_spans(big, "fr")
    elapsed = time.perf_counter() - started
    assert_well_formed(big, spans)
    assert elapsed < 0.1, f"{elapsed * 1000:.1f} ms for 50,000 characters"


@pytest.mark.django_db(transaction=True)
def test_migration_recomputes_the_spans_of_articles_stored_before():
    """Articles stored with the old spans (an emoji glued to the next sentence) get today's."""
    from django.core.management import call_command

    from claims.models import Article
    from claims.segments import sentence_spans

    body = "Le tram est de retour ! 🚋 Les critiques restent nombreuses."
    article = Article.objects.create(
        title="Tram", body=body, language="fr", slug="tram", sentences=[[0, len(body)]]
    )
    call_command("migrate", "claims", "0008", verbosity=0)
    call_command("migrate", "claims", verbosity=0)
    article.refresh_from_db()
    assert article.sentences == [list(s) for s in sentence_spans(body, "fr")]
    assert [body[a:b] for a, b in article.sentences][-1] == "Les critiques restent nombreuses."
