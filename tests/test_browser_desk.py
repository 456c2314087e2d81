"""The editor's journeys in real Chromium against a live server."""

import pytest
from django.contrib.auth.models import User

from claims import services
from claims.demo.loader import load_demo
from claims.models import Claim
from tests.conftest import log_in

# The roles and the rating scale that data migrations created are put back by
# page_factory's seeded_live_db after each flush (serialized_rollback would clash
# with the content types that the flush of a test without it recreates).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A sentence of the demo article that has no demo claim.
SENTENCE = (
    "Même si le conseil d'administration devra examiner l'offre, il n'est pas certain "
    "qu'il envisage sérieusement une offre qui équivaut effectivement à une OPA hostile "
    "de la société."
)

# Screen coordinates of the first and last character of `phrase` in the text,
# found through the DOM (UTF-16 indices there, as the browser counts).
PHRASE_RECTS = """
(phrase) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let all = "";
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, all.length]);
    all += walker.currentNode.data;
  }
  const at = all.indexOf(phrase);
  if (at < 0) return null;
  function point(index) {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= index) return [nodes[i][0], index - nodes[i][1]];
    }
  }
  function rect(index) {
    const [node, offset] = point(index);
    const r = document.createRange();
    r.setStart(node, offset);
    r.setEnd(node, offset + 1);
    const box = r.getClientRects()[0];
    return {x: box.left, y: box.top + box.height / 2, w: box.width};
  }
  const first = rect(at);
  const last = rect(at + phrase.length - 1);
  return {startX: first.x + 1, startY: first.y, endX: last.x + last.w - 1, endY: last.y};
}
"""


def drag_across(page, phrase):
    page.locator("#article-text").get_by_text(phrase[:20]).first.scroll_into_view_if_needed()
    rects = page.evaluate(PHRASE_RECTS, phrase)
    assert rects, f"phrase not found on the page: {phrase!r}"
    page.mouse.move(rects["startX"], rects["startY"])
    page.mouse.down()
    page.mouse.move((rects["startX"] + rects["endX"]) / 2, rects["endY"], steps=5)
    page.mouse.move(rects["endX"], rects["endY"], steps=5)
    page.mouse.up()


def wait_saved(page):
    """Wait for the panel's "Saved." message; on failure, show what the panel said."""
    try:
        page.locator("#claim-panel").get_by_text("Saved.").wait_for()
    except Exception as error:
        raise AssertionError(page.locator("#claim-panel").inner_text()) from error


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches `selector`: keyboard only."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_editor_mouse_journey(page_factory):
    demo = load_demo()
    article = demo["article"]
    page = page_factory()
    log_in(page, "editor")
    page.get_by_role("link", name=article.title).first.click()
    page.wait_for_selector("#article-text mark")

    drag_across(page, SENTENCE)
    page.get_by_role("button", name="Create claim").click()
    panel = page.locator("#claim-panel")
    panel.locator(".quote").wait_for()
    assert panel.locator(".quote").inner_text() == SENTENCE
    claim = Claim.objects.get(article=article, exact=SENTENCE)
    assert article.body[claim.start : claim.end] == SENTENCE
    # The new highlight is in the text, exactly over the sentence.
    marks = page.locator(f'#article-text mark[data-claims~="{claim.pk}"]')
    assert "".join(marks.all_inner_texts()) == SENTENCE

    page.get_by_label("Claim", exact=True).fill("Le conseil d'OpenAI n'examinera pas l'offre")
    page.get_by_label("Claimant").fill("Tendances numériques")
    page.get_by_label("Verdict").select_option(label="False")
    page.get_by_label("Ruling").fill("Le conseil a rejeté l'offre à l'unanimité le 14 février.")
    page.get_by_role("button", name="Add source").click()
    page.get_by_label("URL", exact=True).fill("https://toronto.citynews.ca/2025/02/14/openai/")
    page.get_by_label("Title", exact=True).fill("OpenAI board rejects Musk's proposal")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_saved(page)

    page.reload()
    page.locator(f'.claim-link[data-claim="{claim.pk}"]').click()
    page.locator("#claim-panel .quote").wait_for()
    assert page.get_by_label("Claim", exact=True).input_value() == (
        "Le conseil d'OpenAI n'examinera pas l'offre"
    )
    assert page.get_by_label("Claimant").input_value() == "Tendances numériques"
    assert page.get_by_label("Verdict").locator("option:checked").inner_text() == "False"
    assert "14 février" in page.get_by_label("Ruling").input_value()
    assert page.get_by_label("URL", exact=True).input_value() == (
        "https://toronto.citynews.ca/2025/02/14/openai/"
    )
    assert page.get_by_label("Title", exact=True).input_value() == (
        "OpenAI board rejects Musk's proposal"
    )
    claim.refresh_from_db()
    assert claim.rating.label == "Faux" and claim.sources.count() == 1 and claim.version == 2


def test_typing_while_the_panel_settles_stays_in_the_field_typed_in(page_factory):
    """Moving focus into the new panel must not pull the user out of a field later.

    htmx settles a swap on a timer; on a slow machine that can be well after
    the user has moved on. The focus move used to happen then, and the rest of
    a title being typed landed in the new source's URL (Save answered 422).
    """
    demo = load_demo()
    claim = demo["claims"][2]  # the draft
    title = "OpenAI board rejects Musk's proposal"
    page = page_factory()
    page.add_init_script(
        'document.addEventListener("DOMContentLoaded",'
        " () => { window.htmx.config.defaultSettleDelay = 300; });"
    )
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/?claim={claim.pk}")
    page.get_by_role("button", name="Add source").click()
    # The new source is in the page at once; htmx settles the swap 300 ms later.
    new_source = page.locator(f"#source-{claim.sources.count()}")
    new_source.wait_for()
    new_source.get_by_label("Title", exact=True).click()
    page.keyboard.type(title, delay=20)
    page.wait_for_selector("#claim-panel:not(.htmx-settling)")
    assert new_source.get_by_label("Title", exact=True).input_value() == title
    assert new_source.get_by_label("URL", exact=True).input_value() == ""


def test_editor_keyboard_journey(page_factory):
    demo = load_demo()
    article = demo["article"]
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{article.pk}/")
    sentences = page.locator("#article-text .sentence")
    index = sentences.all_inner_texts().index(SENTENCE)

    tab_to(page, "#article-text .sentence")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == SENTENCE
    page.keyboard.press("Enter")
    assert SENTENCE[:40] in page.locator("#selection-preview").inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Create claim"
    page.keyboard.press("Enter")
    page.locator("#claim-panel .quote").wait_for()
    assert page.locator("#claim-panel .quote").inner_text() == SENTENCE

    tab_to(page, "textarea[name=statement]")
    page.keyboard.type("Une offre de rachat équivaut à une OPA hostile")
    tab_to(page, "input[name=claimant]")
    page.keyboard.type("Tendances numériques")
    tab_to(page, "select[name=rating]")
    page.keyboard.type("Misleading")
    tab_to(page, "textarea[name=ruling]")
    page.keyboard.type("Une offre non sollicitée n'est pas en soi une OPA hostile.")
    tab_to(page, "#add-source")
    page.keyboard.press("Enter")
    # Focus lands in the new source's URL field.
    page.wait_for_function("() => document.activeElement.name === 'sources-0-url'")
    page.keyboard.type("https://www.example.org/opa")
    tab_to(page, "input[name='sources-0-title']")
    page.keyboard.type("Qu'est-ce qu'une OPA hostile ?")
    tab_to(page, "button[value=save]:not(.default-submit)")
    page.keyboard.press("Enter")
    wait_saved(page)

    claim = Claim.objects.get(article=article, exact=SENTENCE)
    assert claim.statement == "Une offre de rachat équivaut à une OPA hostile"
    assert claim.claimant == "Tendances numériques"
    assert claim.rating.label == "Trompeur"
    assert claim.ruling.startswith("Une offre non sollicitée")
    source = claim.sources.get()
    assert (source.url, source.title) == (
        "https://www.example.org/opa",
        "Qu'est-ce qu'une OPA hostile ?",
    )


def test_enter_in_a_field_saves_rather_than_removing_a_source(page_factory):
    demo = load_demo()
    claim = demo["claims"][2]  # the draft
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/?claim={claim.pk}")
    page.get_by_label("Claimant").fill("Tendances numériques (édition française)")
    page.get_by_label("Claimant").press("Enter")
    wait_saved(page)
    claim.refresh_from_db()
    assert claim.claimant == "Tendances numériques (édition française)"
    assert claim.sources.count() == 2


def test_emoji_before_the_phrase_highlights_exactly_that_phrase(page_factory):
    load_demo()
    editor = User.objects.get(username="editor")
    body = (
        "🎉🎉 Lancement 😀 réussi : 👍🏽 la fusée a décollé.\n\n"
        "Un drapeau 🇫🇷 et un 𝒳 mathématique précèdent la phrase visée ici, puis la fin."
    )
    article = services.create_article(editor, title="Emoji", language="fr", body=body)
    phrase = "la phrase visée"
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{article.pk}/")
    drag_across(page, phrase)
    page.get_by_role("button", name="Create claim").click()
    page.locator("#claim-panel .quote").wait_for()
    claim = Claim.objects.get(article=article)
    assert claim.exact == phrase
    assert body[claim.start : claim.end] == phrase
    marks = page.locator(f'#article-text mark[data-claims~="{claim.pk}"]')
    assert "".join(marks.all_inner_texts()) == phrase


def test_clicking_the_sentence_after_an_emoji_quotes_only_the_sentence(page_factory):
    """The emoji closing one sentence used to be glued to the next one's quote."""
    load_demo()
    editor = User.objects.get(username="editor")
    body = "Le tram est de retour\u00a0! 🚋 Les critiques dénoncent le retard."
    article = services.create_article(editor, title="Tram", language="fr", body=body)
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{article.pk}/")
    page.locator("#article-text .sentence", has_text="Les critiques").click()
    page.get_by_role("button", name="Create claim").click()
    page.locator("#claim-panel .quote").wait_for()
    claim = Claim.objects.get(article=article)
    assert claim.exact == "Les critiques dénoncent le retard."
    assert page.locator("#claim-panel .quote").inner_text() == claim.exact


def test_create_claim_without_selection_shows_the_servers_message(page_factory):
    demo = load_demo()
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{demo['article'].pk}/")
    page.get_by_role("button", name="Create claim").click()
    alert = page.locator("#selection-message [role=alert]")
    alert.wait_for()
    assert "Select some text" in alert.inner_text()
    assert Claim.objects.count() == 3


def test_clicking_a_highlight_opens_its_claim_and_the_list_emphasises_it(page_factory):
    demo = load_demo()
    claim = demo["claims"][2]  # the draft: its panel is the editing form
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/")
    page.locator(f'#article-text mark[data-claims~="{claim.pk}"]').first.click()
    page.wait_for_selector(f'#claim-panel[data-claim="{claim.pk}"]')
    assert page.get_by_label("Claim", exact=True).input_value() == claim.statement
    page.wait_for_selector(f'.claim-link[data-claim="{claim.pk}"][aria-current="true"]')
    other = demo["claims"][1]
    page.locator(f'.claim-link[data-claim="{other.pk}"]').click()
    page.wait_for_selector(f'#claim-panel[data-claim="{other.pk}"]')
    # The emphasis follows htmx's settle step, a moment after the swap.
    page.wait_for_selector(f'#article-text mark.is-current[data-claims~="{other.pk}"]')


def test_move_highlight_then_delete_after_confirmation(page_factory):
    demo = load_demo()
    claim = demo["claims"][2]
    page = page_factory()
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/?claim={claim.pk}")
    drag_across(page, "La société LP à but lucratif")
    page.get_by_role("button", name="Move highlight to selection").click()
    page.get_by_text("Highlight moved.").wait_for()
    claim.refresh_from_db()
    assert claim.exact == "La société LP à but lucratif"
    page.get_by_role("link", name="Delete claim…").click()
    page.get_by_text("Delete this claim?").wait_for()
    page.get_by_role("button", name="Delete claim").click()
    page.get_by_text("Claim deleted.").wait_for()
    assert not Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("width", [1280, 390])
def test_annotating_screen_screenshots(page_factory, width, tmp_path_factory):
    """Not a visual diff: the PNGs are for people to look at (artifacts/)."""
    import pathlib

    demo = load_demo()
    claim = demo["claims"][0]
    page = page_factory(width=width)
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/?claim={claim.pk}")
    page.wait_for_selector("#article-text mark.is-current")
    no_sideways_scroll = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_sideways_scroll
    out = pathlib.Path("artifacts")
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / f"annotate-{width}.png"), full_page=width == 390)
