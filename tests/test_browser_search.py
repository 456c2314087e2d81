"""Search in real Chromium: a reviewer finds a claim by a word typed without its accents and
opens it; a reader finds the published fact-check from the masthead."""

import os

import pytest

from claims.demo.loader import load_demo
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    """Screenshots for a person to look at, when SCREENSHOT_DIR says where."""
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reviewer_searches_evalue_and_opens_the_claim(page_factory, width):
    demo = load_demo()
    claim = demo["claims"][0]
    page = page_factory(width=width)
    log_in(page, "reviewer")
    box = page.get_by_role("searchbox", name="Search the desk")
    box.fill("evalue")
    box.press("Enter")
    page.wait_for_url("**/desk/search/?q=evalue")
    results = page.get_by_role("list", name="Results, best match first")
    link = results.get_by_role("link", name="OpenAI est évalué à environ 100 milliards de dollars")
    assert link.locator("mark").inner_text() == "évalué"
    assert page.get_by_role("link", name="1 claim").get_attribute("aria-current") == "page"
    shot(page, f"desk-search-{width}.png")
    link.click()
    page.wait_for_url(f"**/desk/articles/{claim.article_id}/?claim={claim.pk}")
    panel = page.locator("#claim-panel")
    panel.get_by_text("OpenAI est évalué à environ 100 milliards de dollars").first.wait_for()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_searches_from_the_masthead_and_opens_the_fact_check(page_factory, width):
    demo = load_demo()
    claim = demo["claims"][0]
    claim.refresh_from_db()
    page = page_factory(width=width)
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search the fact-checks")
    box.fill("EVALUE milliards")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=EVALUE+milliards")
    page.get_by_text("1 fact-check found").wait_for()
    # The draft and the claim in review say "OpenAI" too; readers find only the published one.
    assert page.locator("ol.fc-list > li").count() == 1
    shot(page, f"public-search-{width}.png")
    page.get_by_role("link", name="OpenAI est évalué à environ 100 milliards de dollars").click()
    page.wait_for_url(f"**/fact-checks/{claim.slug}/")
