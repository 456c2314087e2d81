"""Slugs of articles and fact-checks: short enough for the column, cut between words."""

from django.utils.text import slugify
from hypothesis import example, given
from hypothesis import strategies as st

from claims import services
from claims.anchoring import make_anchor
from claims.models import cut_slug

TITLE = (
    "Ottawa announces new housing rules for the residents of the northern territories "
    "and their neighbours"
)


def ends_at_a_word(slug: str, cut: str) -> bool:
    return slug == cut or slug[len(cut)] == "-"


words = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12), min_size=1
)


@given(words, st.integers(1, 120))
@example(["residents", "of", "the", "northern"], 25)
@example(["a" * 30], 10)
@example(["abc", "def"], 3)
def test_cut_slug_keeps_whole_words_within_the_limit(parts, limit):
    slug = "-".join(parts)
    cut = cut_slug(slug, limit)
    assert len(cut) <= limit
    assert slug.startswith(cut)
    assert not cut.startswith("-") and not cut.endswith("-")
    if len(parts[0]) <= limit:
        assert cut and ends_at_a_word(slug, cut)
    else:  # one word longer than the limit: nothing to cut at, so it is cut
        assert cut == slug[:limit]


def test_article_slug_is_cut_at_a_word_boundary(editor):
    """The slug used to end "…-residents-of-the-norther" (cut at 100 characters)."""
    full = slugify(TITLE)
    assert len(full) > 100
    first = services.create_article(editor, title=TITLE, body="A.")
    second = services.create_article(editor, title=TITLE, body="B.")
    assert len(first.slug) <= 100 and ends_at_a_word(full, first.slug)
    assert first.slug.endswith("-territories-and-their")
    assert second.slug == first.slug + "-2" and len(second.slug) <= 120


def test_fact_check_slug_is_cut_at_a_word_boundary(demo, editor):
    article = demo["article"]
    statement = (
        "OpenAI est une organisation à but non lucratif qui contrôle sa filiale commerciale "
        "depuis deux mille dix-neuf"
    )
    full = slugify(statement)
    assert len(full) > 80 and "-" not in full[79:81]  # the limit falls inside a word
    start, end = article.sentences[3]
    claim = services.create_claim(article, editor, make_anchor(article.body, start, end))
    claim.statement = statement
    claim.save()
    claim.assign_public_slug()
    assert len(claim.slug) <= 80 and ends_at_a_word(full, claim.slug)
    assert claim.slug.endswith("-sa-filiale")


def test_a_title_of_one_endless_word_is_still_cut_to_the_limit(editor):
    article = services.create_article(editor, title="x" * 300, body="A.")
    assert article.slug == "x" * 100
