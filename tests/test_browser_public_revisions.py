"""In Chromium: a reader opens an article after a revision and finds the changed passages.

The article's text changed under two published claims and left a third in
place. The reader sees one highlight, on the kept words; under the text, a
heading and a list name the passages that changed, with the quote as it was
checked and the revision's date; with the keyboard alone they reach a
fact-check from there and read that the article changed, and when.
"""

from __future__ import annotations

import os
import re

import pytest
from django.utils import formats, timezone
from playwright.sync_api import expect

from claims import workflow
from claims.demo.loader import DEMO_PASSWORD
from claims.public import freshness
from claims.public.page_cache import pages
from tests.conftest import log_in
from tests.test_browser_a11y import audit
from tests.test_browser_public import no_sideways_scroll, tab_to
from tests.test_public_revisions import PARAS, QUOTES, published_newsroom, reattach, revise
from tests.test_public_support import edit, people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture(autouse=True)
def _no_pages_from_other_tests():
    pages.clear()
    yield
    pages.clear()
    freshness.close()


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True, caret="initial")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_finds_the_passages_changed_since_the_fact_check(page_factory, width):
    article, claims = published_newsroom()
    revision = revise(article)
    when = formats.date_format(timezone.localtime(revision.created_at), "j F Y")
    page = page_factory(width=width)
    page.goto(f"/articles/{article.slug}/")

    marks = page.locator("#article-text mark")
    assert marks.count() == 1 and marks.inner_text() == PARAS[2]

    heading = page.get_by_role(
        "heading", name="These passages were changed or removed after our fact-check", level=2
    )
    heading.wait_for()
    section = page.get_by_role("region", name="These passages were changed or removed")
    items = section.get_by_role("list").get_by_role("listitem")
    assert items.count() == 2
    for n, name in enumerate(("reworded", "gone")):
        item = items.nth(n)
        assert item.locator("blockquote").inner_text() == QUOTES[name]
        assert f"Article revised on {when}" in item.inner_text()
    assert no_sideways_scroll(page)
    audit(page, f"article after a revision at {width} px")
    shot(page, f"public-article-revised-{width}")

    # Keyboard only: from the page's start to the second note's link, then Enter.
    gone = claims["gone"]
    statement = gone.current_version.statement
    selector = f'#changed-passages a[href="/fact-checks/{gone.slug}/"]'
    tab_to(page, selector, limit=80)
    # The statement is in the link's name (visually hidden); Chromium puts a space
    # before its colon, as the positioned span is a separate box.
    expect(page.locator(selector)).to_have_accessible_name(
        re.compile(rf"^Read the fact-check ?: {re.escape(statement)}$")
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/fact-checks/{gone.slug}/")

    note = page.get_by_role("region", name="The article changed after this fact-check")
    assert f"On {when}, the article was revised" in note.inner_text()
    assert page.locator(".claim__quote").inner_text() == QUOTES["gone"]
    assert no_sideways_scroll(page)
    audit(page, f"fact-check after a revision at {width} px")
    shot(page, f"public-fact-check-revised-{width}")

    # Back to the article, where the note of this fact-check is.
    page.get_by_role("link", name="Read the article as it is now").click()
    page.wait_for_url(f"**/articles/{article.slug}/#fc-{gone.slug}")
    assert page.evaluate("location.hash") == f"#fc-{gone.slug}"
    assert page.locator(f"#fc-{gone.slug}").is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_desk_and_the_review_queue_flag_the_changed_article(page_factory, width):
    article, claims = published_newsroom()
    revise(article)
    editor, reviewer = people()
    gone = claims["gone"]
    workflow.start_update(gone.pk, editor)
    edit(gone, text="Mise à jour", correction=("update", "Le passage a disparu."))
    reattach(gone, editor)
    workflow.submit(gone.pk, editor)
    for user in (editor, reviewer):
        user.set_password(DEMO_PASSWORD)
        user.save()
    flag = "The article changed since publication"

    page = page_factory(width=width)
    log_in(page, editor.username)
    articles = page.get_by_role("region", name="Articles")
    expect(articles.get_by_role("listitem").filter(has_text=article.title)).to_contain_text(
        f"{flag} (2 published claims)"
    )
    page.goto("/desk/claims/")
    assert page.get_by_role("region", name="Claims").get_by_text(flag).count() == 2
    assert no_sideways_scroll(page)
    audit(page, f"desk with a changed article at {width} px")
    shot(page, f"desk-article-changed-{width}")

    page = page_factory(width=width)
    log_in(page, reviewer.username)
    page.goto("/desk/review/")
    row = page.get_by_role("row").filter(has_text="Mise à jour statement")
    expect(row).to_contain_text(flag)
    assert no_sideways_scroll(page)
    audit(page, f"review queue with a changed article at {width} px")
    shot(page, f"review-queue-article-changed-{width}")
