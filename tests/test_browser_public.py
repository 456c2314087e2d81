"""The reader's journey in real Chromium: home, article, a highlight by keyboard, its verdict."""

import pytest

from claims import workflow
from claims.demo.loader import load_demo
from claims.models import ClaimStatus

# The roles and the rating scale that data migrations created are put back by
# page_factory's seeded_live_db after each flush (serialized_rollback would clash
# with the content types that the flush of a test without it recreates).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_public_pages"),
]


def tab_to(page, selector, limit=60):
    """Press Tab until the focused element matches `selector`: keyboard only."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_reader_reaches_a_verdict_with_the_keyboard_and_opens_the_fact_check(page_factory):
    demo = load_demo()
    article = demo["article"]
    published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
    unpublished = [c for c in demo["claims"] if c.status != ClaimStatus.PUBLISHED]
    page = page_factory()

    page.goto("/")
    card = page.locator(".fc-card")
    assert card.count() == 1
    assert published.current_version.statement in card.inner_text()
    assert "Inaccurate" in card.locator(".badge").inner_text()
    page.locator(".fc-card").get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**/articles/{article.slug}/")

    # Only the published claim is highlighted.
    marks = page.locator("#article-text mark")
    assert marks.count() == 1
    assert marks.inner_text() == published.exact
    for claim in unpublished:
        assert claim.statement not in page.content()

    tab_to(page, "#article-text a.hl-link")
    link = page.locator("#article-text a.hl-link")
    assert page.evaluate("document.activeElement.textContent") == published.exact
    # Announced as a control with its verdict.
    assert link.get_attribute("role") == "button"
    assert link.get_attribute("aria-expanded") == "false"
    described_by = link.get_attribute("aria-describedby")
    assert "Inaccurate" in page.locator(f"#{described_by}").inner_text()

    page.keyboard.press("Enter")
    panel = page.locator("#hl-panel")
    panel.wait_for(state="visible")
    assert link.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "hl-panel"
    text = panel.inner_text()
    assert "Inaccurate" in text
    assert published.current_version.statement in text
    assert "157 milliards" in text  # the ruling's summary
    assert page.url.endswith(f"/articles/{article.slug}/")  # no navigation yet

    # Escape closes it and gives focus back to the highlight; Enter opens it again.
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.matches('a.hl-link')")
    page.keyboard.press("Enter")
    panel.wait_for(state="visible")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Read the fact-check")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/fact-checks/{published.slug}/")
    assert page.locator("h1").inner_text() == published.current_version.statement
    assert page.locator(".verdict__label").inner_text() == "Inaccurate"
    # And back to its place in the article.
    page.get_by_role("link", name="See the passage in the article").click()
    page.wait_for_url(f"**/articles/{article.slug}/#fc-{published.slug}")
    page.wait_for_function("document.activeElement.matches('a.hl-link')")


def test_a_click_opens_the_panel_and_an_approval_shows_on_the_next_request(page_factory):
    demo = load_demo()
    article = demo["article"]
    in_review = next(c for c in demo["claims"] if c.status == ClaimStatus.IN_REVIEW)
    page = page_factory()
    page.goto(f"/articles/{article.slug}/")
    page.locator("#article-text mark").first.click()
    page.locator("#hl-panel").wait_for(state="visible")
    page.mouse.click(5, 5)  # a click elsewhere closes it
    page.locator("#hl-panel").wait_for(state="hidden")

    workflow.approve(in_review.pk, demo["users"]["reviewer"])
    page.reload()
    assert page.locator("#article-text mark").count() == 2
    assert "2 passages of this article were fact-checked" in page.content()


def test_without_javascript_a_highlight_is_a_link_to_its_fact_check(
    browser, live_server, seeded_live_db
):
    demo = load_demo()
    published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(f"/articles/{demo['article'].slug}/")
        page.locator("#article-text mark").click()
        page.wait_for_url(f"**/fact-checks/{published.slug}/")
        assert page.locator(".verdict__label").inner_text() == "Inaccurate"
    finally:
        context.close()


def test_no_page_scrolls_sideways_on_a_phone(page_factory):
    demo = load_demo()
    published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
    page = page_factory(width=390, height=844)
    for path in (
        "/",
        f"/articles/{demo['article'].slug}/",
        f"/fact-checks/{published.slug}/",
        "/methodology/",
        "/corrections/",
        "/?verdict=inexact",
    ):
        page.goto(path)
        assert no_sideways_scroll(page), path
    page.goto(f"/articles/{demo['article'].slug}/")
    page.locator("#article-text mark").first.click()
    page.locator("#hl-panel").wait_for(state="visible")
    assert no_sideways_scroll(page)
    box = page.locator("#hl-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
