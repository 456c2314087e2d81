"""In Chromium: an editor loads a fetched page, makes claims, edits the text, and deals with
what the revision did to each highlight (kept, to check, orphaned)."""

from __future__ import annotations

import os

import pytest
from pageserver import PageServer, page

from claims.demo.loader import load_demo
from claims.models import AnchorStatus, Claim, EventKind, ReviewEvent
from tests.conftest import log_in
from tests.test_browser_desk import drag_across

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")

REWORDED = "The mayor said ridership on the line would double by 2030"
KEPT = "Trams will run every six minutes at peak times"
DELETED = "said trade fell by a third during that period"
NEW_PLACE = "who runs a bakery on the corner of Harbour Street"


@pytest.fixture
def server():
    s = PageServer().start()
    yield s
    s.stop()


def shot(p, name):
    if SHOTS:
        p.screenshot(path=f"{SHOTS}/{name}.png", full_page=True, caret="initial")


def make_claim(p, phrase):
    drag_across(p, phrase)
    p.get_by_role("button", name="Create claim").click()
    # Wait for this claim's highlight: the previous claim's "Claim created." is still shown.
    p.locator("#claim-panel blockquote.quote", has_text=phrase).wait_for()


@pytest.mark.parametrize("width", [1280, 390])
def test_editor_revises_the_text_and_settles_every_highlight(page_factory, server, width):
    url = server.route("/2026/03/tram.html", page("news.html"))
    load_demo()
    p = page_factory(width=width)
    log_in(p, "editor")
    p.goto("/desk/articles/new/")
    p.get_by_label("Article URL").fill(url)
    p.get_by_role("button", name="Fetch article").click()
    p.get_by_role("status").filter(has_text="fetched").wait_for()
    p.get_by_role("button", name="Load article", exact=True).click()
    p.wait_for_url("**/desk/articles/*/")
    article_url = p.url

    for phrase in (REWORDED, KEPT, DELETED):
        make_claim(p, phrase)
    claims = {c.exact: c for c in Claim.objects.all() if c.exact in (REWORDED, KEPT, DELETED)}
    assert len(claims) == 3

    # Edit text: one unclaimed sentence changed, one claimed sentence reworded, and the
    # paragraph of a claim deleted.
    p.get_by_role("link", name="Edit text").click()
    box = p.get_by_label("Article text")
    text = box.input_value()
    assert text.startswith("The city's tram line 3 reopened")
    text = text.replace("48 million euros", "48.5 million euros").replace(
        "would double by 2030", "would double by 2032"
    )
    text = "\n\n".join(para for para in text.split("\n\n") if DELETED not in para)
    box.fill(text)
    p.get_by_label("Why").fill("Figures corrected by the Herald")
    shot(p, f"revision-edit-{width}")
    p.get_by_role("button", name="Save text").click()
    p.wait_for_url(article_url)

    summary = p.locator("#revision-summary")
    assert "1 kept, 1 to check, 1 orphaned" in summary.inner_text()
    assert "2 claims still need a person" in summary.inner_text()
    flash = p.locator("#flash").inner_text()
    assert "Text saved. Revision 2. Claims: 1 kept, 1 to check, 1 orphaned." in flash

    to_check = claims[REWORDED]
    orphan = claims[DELETED]
    # To check: marked in the text (outline and "?" marker) and in the list, in words.
    check_mark = p.locator(f'#article-text mark.hl--check[data-claims="{to_check.pk}"]')
    assert check_mark.inner_text() == "The mayor said ridership on the line would double by 2032"
    marker = p.evaluate(
        "(el) => getComputedStyle(el, '::after').content",
        check_mark.element_handle(),
    )
    assert marker == '"?"'
    link = p.locator(f'.claim-link[data-claim="{to_check.pk}"]')
    assert "Position to check" in link.inner_text()
    # The orphan: no highlight on stale offsets, listed under the text with its quote struck.
    assert p.locator(f'#article-text mark[data-claims~="{orphan.pk}"]').count() == 0
    orphans = p.locator("#orphaned-claims")
    assert "1 claim lost its passage" in orphans.inner_text()
    struck = orphans.locator("del.orphan__quote")
    assert DELETED in struck.inner_text()
    assert (
        p.evaluate("(el) => getComputedStyle(el).textDecorationLine", struck.element_handle())
        == "line-through"
    )
    assert "Passage gone" in p.locator(f'.claim-link[data-claim="{orphan.pk}"]').inner_text()
    shot(p, f"revision-summary-{width}")

    # Confirm position.
    check_mark.click()
    panel = p.locator("#claim-panel")
    panel.locator("#anchor-notice").wait_for()
    assert "would double by 2030" in panel.locator("#anchor-notice del").inner_text()
    shot(p, f"revision-to-check-{width}")
    panel.get_by_role("button", name="Confirm position").click()
    panel.get_by_text("Position confirmed.").wait_for()
    assert "1 claim still needs a person" in summary.inner_text()  # refreshed with the panel
    assert p.locator("#article-text mark.hl--check").count() == 0
    to_check.refresh_from_db()
    assert to_check.anchor_status == AnchorStatus.CONFIRMED

    # Re-attach the orphan: select its new place, then Move highlight to selection.
    drag_across(p, NEW_PLACE)
    p.locator("#orphaned-claims").get_by_role("button", name="Move highlight to selection").click()
    p.wait_for_url(f"**?claim={orphan.pk}")
    assert p.locator("#orphaned-claims section").count() == 0
    mark = p.locator(f'#article-text mark[data-claims~="{orphan.pk}"]')
    assert mark.inner_text() == NEW_PLACE
    orphan.refresh_from_db()
    assert (orphan.anchor_status, orphan.exact) == (AnchorStatus.CONFIRMED, NEW_PLACE)
    # The audit timeline shows the machine's re-anchoring and the person's move.
    p.locator("#claim-panel summary", has_text="Claim history").click()
    timeline = p.locator("#claim-panel .timeline").inner_text()
    assert "Re-anchored after the text changed" in timeline
    assert "Highlight moved" in timeline
    assert NEW_PLACE in timeline
    kinds = list(ReviewEvent.objects.filter(claim=orphan).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.REANCHORED, EventKind.ANCHOR_MOVED]
    shot(p, f"revision-reattached-{width}")

    # The history: both revisions, and the word diff between them.
    p.locator(".revision-tools").get_by_role("link", name="History").click()
    rows = p.locator("table.revisions tbody tr")
    assert rows.count() == 2
    assert "Figures corrected by the Herald" in rows.first.inner_text()
    diff = p.locator("#diff")
    assert diff.locator("ins").filter(has_text="2032").count() == 1
    assert diff.locator("del").filter(has_text="2030").count() == 1
    assert diff.locator("del").filter(has_text="Shopkeepers along Harbour Street").count() == 1
    shot(p, f"revision-history-{width}")
