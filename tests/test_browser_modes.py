"""The editor's journey, mistakes included, in the README's dev mode and in production mode.

Dev mode is the README's first command, run as a new user runs it: `DEBUG=1 manage.py
rundemo` in its own process, on a free loopback port, against a fresh SQLite file.
Production mode is the live server with the test settings (DEBUG off). Both must answer a
mistake with a message in the page and leave the rest of the screen as it was: in dev mode,
django-htmx's debug script once replaced the whole document with any 400 answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from claims.demo.loader import load_demo
from tests.conftest import log_in
from tests.servers import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
# A sentence of the demo article that has no demo claim.
SENTENCE = (
    "Même si le conseil d'administration devra examiner l'offre, il n'est pas certain "
    "qu'il envisage sérieusement une offre qui équivaut effectivement à une OPA hostile "
    "de la société."
)
# Settings the test process puts in its own environment for the test settings; the
# dev server is started as a person would start it, without them.
TEST_ONLY_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "STATIC_PLAIN",
    "SITE_URL",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def dev_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    env["DEBUG"] = "1"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Server:
    """A `manage.py` process serving on `url`; its output is read when it is stopped."""

    def __init__(self, args: list[str], env: dict, url: str, log: Path):
        self.url = url
        self.log = log
        self._out = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, path="/accounts/login/", timeout=90.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"the server never answered:\n{self.output()}")

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        self._out.close()


@pytest.fixture
def dev_server(tmp_path):
    port = free_port()
    server = Server(
        ["rundemo", f"127.0.0.1:{port}", "--noreload"],
        dev_env(tmp_path),
        f"http://127.0.0.1:{port}",
        tmp_path / "server.log",
    )
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


def new_page(browser, base_url, width=1280):
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        base_url=base_url,
        reduced_motion="reduce",
        locale="en-GB",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return page


def assert_desk_intact(page, title):
    """The annotating screen is all there, styled, around the message."""
    assert page.locator("header.site-header").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.locator("#article-text p[data-offset]").count() > 5
    assert page.get_by_role("button", name="Create claim").is_visible()
    # Styled: the stylesheet applies (the header is laid out as a flex row, not as
    # the unstyled block a replaced document would show).
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.site-header__inner')).display"
    ) in ("flex", "grid")


def editor_journey_with_mistakes(page) -> int:
    """Create claim and Move highlight with nothing selected, an invalid Save, then the
    same actions done right. Returns the claim's id (from the page)."""
    log_in(page, "editor")
    link = page.get_by_role("link", name=re.compile("Sam Altman")).first
    title = link.inner_text()
    link.click()
    page.wait_for_selector("#article-text mark")
    title = page.get_by_role("heading", level=1).inner_text()

    # 1. Create claim with nothing selected.
    page.get_by_role("button", name="Create claim").click()
    alert = page.locator("#selection-message [role=alert]")
    alert.wait_for()
    assert "Select some text in the article first." in alert.inner_text()
    assert_desk_intact(page, title)

    # Then a sentence, clicked.
    page.locator("#article-text .sentence", has_text=SENTENCE[:40]).click()
    page.get_by_role("button", name="Create claim").click()
    panel = page.locator("#claim-panel")
    panel.get_by_text("Claim created.").wait_for()
    assert panel.locator(".quote").inner_text() == SENTENCE
    claim_id = int(panel.get_attribute("data-claim"))

    # 2. Move highlight to selection with nothing selected (the text was re-rendered,
    # so the earlier selection is gone).
    page.get_by_role("button", name="Move highlight to selection").click()
    panel.get_by_text("Select some text in the article first.").wait_for()
    assert_desk_intact(page, title)
    assert panel.locator(".quote").inner_text() == SENTENCE

    # 3. An invalid Save: a source address that is not http(s). What was typed stays.
    page.get_by_label("Claim", exact=True).fill("Le conseil examinera l'offre")
    page.get_by_role("button", name="Add source").click()
    page.get_by_label("URL", exact=True).fill("ftp://example.org/offre")
    page.get_by_label("Title", exact=True).fill("L'offre")
    page.get_by_role("button", name="Save", exact=True).click()
    panel.get_by_text("Nothing was saved: correct the fields marked below.").wait_for()
    assert_desk_intact(page, title)
    assert page.get_by_label("Claim", exact=True).input_value() == "Le conseil examinera l'offre"
    assert page.get_by_label("Title", exact=True).input_value() == "L'offre"

    # Corrected, saved and submitted.
    page.get_by_label("URL", exact=True).fill("https://example.org/offre")
    page.get_by_label("Claimant").fill("Tendances numériques")
    page.get_by_label("Verdict").select_option(label="False")
    page.get_by_label("Ruling").fill("Le conseil a rejeté l'offre.")
    page.get_by_role("button", name="Submit for review").click()
    panel.get_by_text("Saved and submitted for review.").wait_for()
    assert_desk_intact(page, title)
    assert not getattr(page, "errors", []), page.errors
    return claim_id


def test_editor_journey_in_dev_mode(browser, dev_server):
    page = new_page(browser, dev_server.url)
    claim_id = editor_journey_with_mistakes(page)
    page.context.close()
    output = dev_server.output()
    # The reviewers' email (the console mailer prints it) links to where the demo is
    # served, not to the default port 8000.
    assert f"{dev_server.url}/desk/review/{claim_id}/" in output
    assert "127.0.0.1:8000" not in output


def test_editor_journey_in_production_mode(page_factory):
    load_demo()
    page = page_factory()
    editor_journey_with_mistakes(page)


DRAFT_STATEMENT = "OpenAI est une organisation à but non lucratif"


def claim_deleted_meanwhile(page, other):
    """`page` opens a claim that `other` (another editor) deleted after `page` loaded."""
    log_in(page, "editor")
    page.get_by_role("link", name=re.compile("Sam Altman")).first.click()
    page.wait_for_selector("#article-text mark")
    title = page.get_by_role("heading", level=1).inner_text()
    link = page.locator(".claim-link", has_text=DRAFT_STATEMENT)
    claim_id = link.get_attribute("data-claim")

    log_in(other, "editor2")
    other.goto(page.url + f"?claim={claim_id}")
    other.get_by_role("link", name="Delete claim…").click()
    other.get_by_role("button", name="Delete claim").click()
    other.get_by_text("Claim deleted.").wait_for()

    link.click()
    page.locator("#flash [role=alert]").get_by_text("Page not found").wait_for()
    assert_desk_intact(page, title)
    assert page.locator("#claim-panel").get_by_text("Select a passage and press").is_visible()
    assert not page.errors, page.errors


def test_a_claim_deleted_meanwhile_in_dev_mode(browser, dev_server):
    pages = [new_page(browser, dev_server.url) for _ in range(2)]
    claim_deleted_meanwhile(*pages)
    for page in pages:
        page.context.close()


def test_a_claim_deleted_meanwhile_in_production_mode(browser, live_server, seeded_live_db):
    load_demo()
    pages = [new_page(browser, live_server.url) for _ in range(2)]
    claim_deleted_meanwhile(*pages)
    for page in pages:
        page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_error_messages_screenshots(browser, dev_server, width):
    """Not a visual diff: the PNGs are for people to look at (artifacts/)."""
    page = new_page(browser, dev_server.url, width=width)
    log_in(page, "editor")
    page.get_by_role("link", name=re.compile("Sam Altman")).first.click()
    page.get_by_role("button", name="Create claim").click()
    page.locator("#selection-message [role=alert]").wait_for()
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    # The viewport: on a phone the New claim box is pinned to the bottom of the screen.
    page.screenshot(path=str(out / f"dev-create-without-selection-{width}.png"), caret="initial")
    page.context.close()


def test_database_outage_is_reported_in_the_page(browser, dev_server, tmp_path):
    """The database gone (its file moved away) mid-session in dev mode: the 503 notice is
    swapped into the page's message region (htmx-config), and the text stays."""
    page = new_page(browser, dev_server.url)
    log_in(page, "editor")
    page.get_by_role("link", name=re.compile("Sam Altman")).first.click()
    page.wait_for_selector("#article-text mark")
    page.locator("#article-text .sentence", has_text=SENTENCE[:40]).click()
    database = tmp_path / "dev.sqlite3"
    away = tmp_path / "away"
    away.mkdir()
    for path in tmp_path.glob("dev.sqlite3*"):
        path.rename(away / path.name)
    try:
        page.get_by_role("button", name="Create claim").click()
        page.locator("#flash").get_by_text("cannot reach its database").wait_for()
    finally:
        for path in tmp_path.glob("dev.sqlite3*"):
            path.unlink()
        for path in away.iterdir():
            path.rename(tmp_path / path.name)
    assert database.exists()
    assert page.locator("#article-text p[data-offset]").count() > 5
    assert page.locator("header").first.is_visible()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "artifacts" / "dev-database-outage-1280.png"), caret="initial")
    page.context.close()


def test_server_error_is_reported_in_the_page(browser, dev_server):
    """A genuine 500 is not swapped into the page (htmx-config): desk.js says so in the
    message region and the text stays. The answer is forged in the browser, since nothing
    a person can send makes this server fail."""
    page = new_page(browser, dev_server.url)
    log_in(page, "editor")
    page.get_by_role("link", name=re.compile("Sam Altman")).first.click()
    page.wait_for_selector("#article-text mark")
    page.locator("#article-text .sentence", has_text=SENTENCE[:40]).click()
    page.route(
        "**/claims/",
        lambda route: route.fulfill(status=500, body="<h1>Server Error (500)</h1>"),
    )
    page.get_by_role("button", name="Create claim").click()
    page.locator("#flash [role=alert]").get_by_text("The desk hit an error").wait_for()
    assert page.locator("#article-text p[data-offset]").count() > 5
    assert "Server Error" not in page.locator("main").inner_text()
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_load_article_refusal_screenshots(page_factory, width, tmp_path):
    """Pasted text and a file together: the refusal names the file and keeps the text."""
    load_demo()
    page = page_factory(width=width)
    log_in(page, "editor")
    page.goto("/desk/articles/new/")
    page.get_by_label("Title", exact=True).fill("Le tram")
    page.get_by_label("Text", exact=True).fill("Le tram est de retour.")
    upload = tmp_path / "tram.txt"
    upload.write_text("Un autre texte.", encoding="utf-8")
    page.get_by_label("Or upload a file").set_input_files(str(upload))
    page.get_by_role("button", name="Load article").click()
    page.get_by_text("the file “tram.txt”").wait_for()
    assert page.get_by_label("Text", exact=True).input_value() == "Le tram est de retour."
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    page.screenshot(
        path=str(out / f"load-article-both-{width}.png"), full_page=True, caret="initial"
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_claim_panel_error_screenshots(page_factory, width):
    demo = load_demo()
    claim = demo["claims"][2]
    page = page_factory(width=width)
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/?claim={claim.pk}")
    page.get_by_role("button", name="Move highlight to selection").click()
    page.locator("#claim-panel").get_by_text("Select some text in the article first.").wait_for()
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    panel = page.locator("#claim-panel")
    # The viewport around the message, not the element: an element screenshot injects an
    # inline style, which the CSP refuses (and page_factory reports).
    panel.get_by_role("alert").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / f"panel-move-without-selection-{width}.png"), caret="initial")
    # The draft's sources are folded away until asked for.
    panel.locator("summary", has_text="Sources").click()
    page.get_by_label("URL", exact=True).first.fill("ftp://example.org/x")
    page.get_by_role("button", name="Save", exact=True).click()
    panel.get_by_text("Nothing was saved").wait_for()
    page.get_by_label("URL", exact=True).first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / f"panel-invalid-save-{width}.png"), caret="initial")
