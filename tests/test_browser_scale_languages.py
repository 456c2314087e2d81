"""The rating scale in the reader's language, in real Chromium: an English reader sees
English verdicts, a French reader French ones, on the public site and on the desk."""

import json

import pytest

from claims.demo.loader import load_demo
from claims.models import ClaimStatus, Rating
from tests.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_public_pages"),
]


def claim_review(page) -> dict:
    return json.loads(page.locator('script[type="application/ld+json"]').text_content())


@pytest.mark.parametrize(
    ("locale", "verdict", "meaning"),
    [
        ("en-GB", "Inaccurate", "The claim contains errors that change its meaning."),
        ("fr-FR", "Inexact", "L'affirmation contient des erreurs qui en changent le sens."),
    ],
)
def test_a_reader_sees_verdicts_in_their_language(page_factory, locale, verdict, meaning):
    demo = load_demo()
    published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
    language = locale[:2]
    page = page_factory(locale=locale)

    page.goto("/")
    badge = page.locator(".fc-card .badge [lang]")
    assert badge.inner_text() == verdict and badge.get_attribute("lang") == language

    page.goto(f"/articles/{demo['article'].slug}/")
    page.locator("#article-text mark").first.click()
    panel = page.locator("#hl-panel")
    panel.wait_for(state="visible")
    assert panel.locator(".badge").inner_text() == verdict

    page.goto(f"/fact-checks/{published.slug}/")
    label = page.locator(".verdict__label")
    assert label.inner_text() == verdict and label.get_attribute("lang") == language
    assert page.locator(".verdict__meaning").inner_text() == meaning
    # Whoever reads it, the ClaimReview of a French fact-check is in French.
    review = claim_review(page)
    assert (review["inLanguage"], review["reviewRating"]["alternateName"]) == ("fr", "Inexact")

    page.goto("/methodology/")
    labels = page.locator(".scale__label .badge").all_inner_texts()
    scale = list(Rating.objects.all())
    expected = [r.translations["en"]["label"] if language == "en" else r.label for r in scale]
    assert labels == expected


def test_switching_language_switches_the_verdicts_on_the_public_site_and_the_desk(
    page_factory,
):
    demo = load_demo()
    published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
    draft = next(c for c in demo["claims"] if c.status == ClaimStatus.DRAFT)
    page = page_factory(locale="en-GB")

    page.goto(f"/fact-checks/{published.slug}/")
    assert page.locator(".verdict__label").inner_text() == "Inaccurate"
    page.locator(".lang-switch button[value=fr]").click()
    page.wait_for_url(f"**/fact-checks/{published.slug}/")
    assert page.locator(".verdict__label").inner_text() == "Inexact"

    # The same cookie rules the desk: French verdicts, then English ones.
    log_in(page, "editor")
    page.goto(f"/desk/articles/{demo['article'].pk}/?claim={draft.pk}")
    verdict = page.locator("select[name=rating]")
    assert verdict.locator("option:checked").inner_text() == "Plutôt vrai"
    assert "Faux" in verdict.locator("option").all_inner_texts()
    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_load_state()
    page.goto(f"/desk/articles/{demo['article'].pk}/?claim={draft.pk}")
    verdict = page.get_by_label("Verdict")
    assert verdict.locator("option:checked").inner_text() == "Mostly true"
    assert "False" in verdict.locator("option").all_inner_texts()
    items = page.locator(".claim-link__meta [lang]").all_inner_texts()
    assert "Inaccurate" in items and "Mostly true" in items
