"""In Chromium: Load article, Fetch article from a local news page, check, load, annotate."""

from __future__ import annotations

import os

import pytest
from pageserver import page

from claims.demo.loader import load_demo
from tests.conftest import log_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(p, name):
    if SHOTS:
        # caret="initial": hiding the caret injects a style, which our CSP (rightly) blocks.
        p.screenshot(path=f"{SHOTS}/{name}.png", full_page=True, caret="initial")


@pytest.mark.parametrize("width", [1280, 390])
def test_editor_fetches_checks_and_loads_an_article(page_factory, server, width):
    url = server.route("/2026/03/tram.html", page("news.html"))
    server.route("/photo.png", b"\x89PNG\r\n", headers={"Content-Type": "image/png"})
    load_demo()
    p = page_factory(width=width)
    log_in(p, "editor")
    p.goto("/desk/articles/new/")

    # A refusal first: the message is on the form, and what was typed stays.
    p.get_by_label("Title", exact=True).fill("My working title")
    p.get_by_label("Article URL").fill(server.url("/photo.png"))
    p.get_by_role("button", name="Fetch article").click()
    alert = p.get_by_role("alert")
    alert.wait_for()
    assert "not fetched" in alert.inner_text()
    assert "That is not a web page (image/png)" in p.locator("#article-form").inner_text()
    assert p.get_by_label("Title", exact=True).input_value() == "My working title"
    assert p.get_by_label("Article URL").input_value() == server.url("/photo.png")
    shot(p, f"fetch-refused-{width}")

    p.get_by_label("Article URL").fill(url)
    p.get_by_role("button", name="Fetch article").click()
    p.get_by_role("status").filter(has_text="fetched").wait_for()
    assert p.get_by_label("Title", exact=True).input_value() == (
        "Tram line 3 reopens after two years of works"
    )
    assert p.get_by_label("Byline").input_value() == "Maya Okafor"
    assert p.get_by_label("Outlet").input_value() == "The Riverside Herald"
    assert p.get_by_label("Publication date").input_value() == "2026-03-14"
    assert p.get_by_label("Language", exact=True).input_value() == "en"
    assert p.get_by_label("Original URL").input_value() == url
    text = p.get_by_label("Text", exact=True).input_value()
    assert text.startswith("The city's tram line 3 reopened")
    assert p.url.endswith("/desk/articles/new/")  # swapped in place, nothing saved yet
    shot(p, f"fetch-done-{width}")

    p.get_by_role("button", name="Load article", exact=True).click()
    p.wait_for_url("**/desk/articles/*/")
    body = p.locator("#article-text").inner_text()
    assert "tram line 3 reopened on Saturday morning" in body
    assert "said Léa Martin" in body
    for junk in ("Home", "Advertisement", "Sponsored", "Related articles", "Finally!", "©"):
        assert junk not in body
    assert p.get_by_role("heading", name="Tram line 3 reopens after two years of works").count()
