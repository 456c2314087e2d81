"""The annotating screen, easier to work in (issue 11, item 7), in real Chromium.

Stable claim numbers, highlights that show their claim's status by more than
colour, an address that names the open claim, Ctrl+S, and errors that take
focus to their field.
"""

import re

import pytest
from django.contrib.auth.models import User

from claims import services, workflow
from claims.anchoring import make_anchor
from claims.demo.loader import load_demo
from claims.models import Claim, ClaimStatus
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo article's first sentence: before every demo claim in the text.
FIRST_SENTENCE_START = "Suite à l'annonce lundi"


def open_article(page, article, claim=None, user="editor"):
    log_in(page, user)
    page.goto(f"/desk/articles/{article.pk}/" + (f"?claim={claim.pk}" if claim else ""))
    page.wait_for_selector("#article-text mark")


def panel_heading(page):
    return page.locator("#claim-panel-heading").inner_text()


def list_numbers(page):
    """{claim id: the number its list item shows}."""
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('.claim-link'),
            a => [a.dataset.claim, a.querySelector('.claim-link__num').textContent]))"""
    )


def test_numbers_stay_when_a_claim_is_added_earlier_in_the_text(page_factory):
    demo = load_demo()
    article = demo["article"]
    published, in_review, draft = demo["claims"]
    page = page_factory()
    open_article(page, article, draft)
    assert panel_heading(page) == "Claim 3"  # the demo's claims, numbered as created
    before = list_numbers(page)

    page.locator("#article-text .sentence", has_text=FIRST_SENTENCE_START).click()
    page.get_by_role("button", name="Create claim").click()
    # The draft's panel has a quote too: wait for the panel of another claim.
    page.wait_for_selector(f'#claim-panel[data-claim]:not([data-claim="{draft.pk}"]) .quote')
    new = Claim.objects.get(article=article, start=0)
    page.wait_for_selector(f'#claim-panel[data-claim="{new.pk}"]')
    assert panel_heading(page) == "Claim 4"
    after = list_numbers(page)
    # The new claim comes first in the list, as in the text, with the next number.
    assert page.locator(".claim-link").first.get_attribute("data-claim") == str(new.pk)
    assert after.pop(str(new.pk)).startswith("4")
    assert after == before
    for claim, number in ((published, 1), (in_review, 2), (draft, 3)):
        start = page.locator(f'#article-text mark[data-claims~="{claim.pk}"][data-badge]').first
        assert start.get_attribute("data-badge").startswith(str(number))

    page.reload()
    page.wait_for_selector("#article-text mark")
    assert list_numbers(page) == {**before, str(new.pk): "4✎"}
    page.locator(f'.claim-link[data-claim="{draft.pk}"]').click()
    page.wait_for_selector(f'#claim-panel[data-claim="{draft.pk}"]')
    assert panel_heading(page) == "Claim 3"


def test_the_address_names_the_open_claim_and_the_back_button_returns(page_factory):
    demo = load_demo()
    article = demo["article"]
    published, in_review, draft = demo["claims"]
    page = page_factory()
    open_article(page, article)
    path = f"/desk/articles/{article.pk}/"

    page.locator(f'#article-text mark[data-claims~="{draft.pk}"]').first.click()
    page.wait_for_selector(f'#claim-panel[data-claim="{draft.pk}"]')
    page.wait_for_url(f"**{path}?claim={draft.pk}")

    page.locator(f'.claim-link[data-claim="{published.pk}"]').click()
    page.wait_for_selector(f'#claim-panel[data-claim="{published.pk}"]')
    page.wait_for_url(f"**{path}?claim={published.pk}")

    # Shared or reloaded, the address opens the same claim.
    page.reload()
    page.wait_for_selector(f'#claim-panel[data-claim="{published.pk}"]')
    assert panel_heading(page) == "Claim 1"
    other = page_factory()
    log_in(other, "reviewer2")
    other.goto(page.url)
    other.wait_for_selector(f'#claim-panel[data-claim="{published.pk}"]')

    page.go_back()
    page.wait_for_url(f"**{path}?claim={draft.pk}")
    page.wait_for_selector(f'#claim-panel[data-claim="{draft.pk}"]')
    assert page.get_by_label("Claim", exact=True).input_value() == draft.statement
    page.go_back()
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    page.wait_for_selector("#claim-panel:not([data-claim])")
    page.go_forward()
    page.wait_for_selector(f'#claim-panel[data-claim="{draft.pk}"]')


def test_ctrl_s_saves_the_open_claim_and_keeps_what_was_typed(page_factory):
    demo = load_demo()
    draft = demo["claims"][2]
    page = page_factory()
    open_article(page, draft.article, draft)
    # Whether the browser's own "save page" was stopped, seen after desk.js ran.
    page.evaluate(
        """() => { window.savePrevented = [];
          window.addEventListener('keydown', e => {
            if (e.key === 's') window.savePrevented.push(e.defaultPrevented); }); }"""
    )
    page.get_by_label("Claimant").fill("Tendances numériques (édition française)")
    page.get_by_label("Ruling").click()
    page.keyboard.press("Control+s")
    page.locator("#claim-panel").get_by_text("Saved.").wait_for()
    draft.refresh_from_db()
    assert draft.claimant == "Tendances numériques (édition française)"
    assert page.get_by_label("Claimant").input_value() == draft.claimant

    page.get_by_label("Ruling").fill("Une autre décision.")
    page.keyboard.press("Meta+s")
    page.wait_for_function(
        "() => document.querySelector('#claim-panel textarea[name=ruling]').defaultValue"
        " === 'Une autre décision.'"
    )
    draft.refresh_from_db()
    assert draft.ruling == "Une autre décision."
    assert page.evaluate("window.savePrevented") == [True, True]
    assert draft.sources.count() == 2  # Save, not "Remove source": whatever had focus


def test_an_error_takes_focus_to_its_field_and_nothing_typed_is_lost(page_factory):
    demo = load_demo()
    draft = demo["claims"][2]
    page = page_factory()
    open_article(page, draft.article, draft)
    sources = page.locator("details.panel-section--sources")
    assert sources.get_attribute("open") is None  # folded: the verdict fields come first
    sources.locator("summary").click()
    url = page.locator("#id_sources-0-url")
    url.fill("pas une adresse")
    page.get_by_label("Claimant").fill("Quelqu’un d’autre")
    page.keyboard.press("Control+s")
    page.locator("#claim-panel .notice--error").wait_for()
    # Focus is in the field at fault, unfolded, with what was typed.
    page.wait_for_function("() => document.activeElement.id === 'id_sources-0-url'")
    assert sources.get_attribute("open") is not None
    assert url.input_value() == "pas une adresse"
    assert page.get_by_label("Claimant").input_value() == "Quelqu’un d’autre"
    link = page.locator("#claim-panel .error-summary a").first
    assert link.get_attribute("href") == "#id_sources-0-url"
    assert "URL" in link.inner_text()
    # From elsewhere, the summary's link goes back to the field.
    page.locator("#claim-panel-heading").focus()
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_sources-0-url"
    draft.refresh_from_db()
    assert draft.claimant != "Quelqu’un d’autre"  # nothing was saved


def test_submitting_an_incomplete_claim_takes_focus_to_what_is_missing(page_factory):
    demo = load_demo()
    article = demo["article"]
    editor = User.objects.get(username="editor")
    start, end = article.sentences[0]
    claim = services.create_claim(article, editor, make_anchor(article.body, start, end))
    page = page_factory()
    open_article(page, article, claim)
    page.get_by_label("Claim", exact=True).fill("Un groupe a offert 97,4 milliards")
    page.get_by_role("button", name="Submit for review").click()
    page.locator("#claim-panel").get_by_text("Saved, but not submitted.").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'id_claimant'")
    links = page.locator("#claim-panel .error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_claimant",
        "#id_rating",
        "#id_ruling",
        "#add-source",
    ]
    claim.refresh_from_db()
    assert claim.statement == "Un groupe a offert 97,4 milliards"
    assert claim.status == ClaimStatus.DRAFT


STYLE = """(mark) => {
  const s = getComputedStyle(mark), b = getComputedStyle(mark, '::before');
  return {border: s.borderBottomStyle, decoration: s.textDecorationStyle,
          line: s.textDecorationLine, badge: b.content, background: s.backgroundColor};
}"""


def test_highlights_show_their_claims_status_by_more_than_colour(page_factory):
    demo = load_demo()
    article = demo["article"]
    published, in_review, draft = demo["claims"]
    reviewer = User.objects.get(username="reviewer2")
    editor = User.objects.get(username="editor")
    sent_back = services.create_claim(
        article, editor, make_anchor(article.body, *article.sentences[0])
    )
    services.save_claim(
        sent_back.pk,
        sent_back.version,
        editor,
        {"statement": "Offre", "claimant": "X", "rating": published.rating, "ruling": "Non."},
        [services.SourceData(None, {"url": "https://example.org/", "title": "T"})],
    )
    workflow.submit(sent_back.pk, editor)
    workflow.request_changes(sent_back.pk, reviewer, "Une source de plus.")
    gone = services.create_claim(article, editor, make_anchor(article.body, *article.sentences[1]))
    services.save_claim(
        gone.pk,
        gone.version,
        editor,
        {"statement": "Retirée", "claimant": "X", "rating": published.rating, "ruling": "Non."},
        [services.SourceData(None, {"url": "https://example.org/", "title": "T"})],
    )
    workflow.submit(gone.pk, editor)
    workflow.approve(gone.pk, reviewer)
    workflow.withdraw(gone.pk, reviewer, "Source retirée.")
    page = page_factory()
    open_article(page, article)
    expected = {
        published.pk: ("published", "solid", "✓", "Claim 1, published:"),
        in_review.pk: ("in_review", "dotted", "◐", "Claim 2, in review:"),
        draft.pk: ("draft", "dashed", "✎", "Claim 3, draft:"),
        sent_back.pk: ("changes_requested", "none", "↺", "Claim 4, changes requested:"),
        gone.pk: ("withdrawn", "double", "⊘", "Claim 5, withdrawn:"),
    }
    styles = {}
    for pk, (status, border, sign, spoken) in expected.items():
        mark = page.locator(f'#article-text mark[data-claims="{pk}"][data-badge]').first
        assert mark.get_attribute("data-status") == status
        style = mark.evaluate(STYLE)
        styles[pk] = style
        assert style["border"] == border, (status, style)
        assert sign in style["badge"] and spoken in style["badge"], style
    # Changes requested has a wavy underline instead of a border.
    assert styles[sent_back.pk]["decoration"] == "wavy"
    assert styles[sent_back.pk]["line"] == "underline"
    # Five statuses, five line styles: nothing rests on the colour alone.
    assert len({(s["border"], s["decoration"]) for s in styles.values()}) == 5
    # Screen readers hear the claim and its status where its highlight starts.
    snapshot = page.locator("#article-text").aria_snapshot()
    for _status, _border, _sign, spoken in expected.values():
        assert spoken in snapshot, snapshot[:500]
    # The legend names each style, and the text is still exactly the article's.
    legend = page.locator(".status-key").inner_text()
    for name in ("Draft", "In review", "Changes requested", "Published", "Withdrawn"):
        assert name in legend
    text = page.evaluate(
        "Array.from(document.querySelectorAll('#article-text p'), p => p.textContent)"
        ".join('\\n\\n')"
    )
    assert text == article.body


def test_the_list_of_claims_is_one_skip_link_away(page_factory):
    demo = load_demo()
    page = page_factory()
    open_article(page, demo["article"])
    page.keyboard.press("Tab")  # the page's own skip link
    for _ in range(30):
        if page.evaluate("document.activeElement.getAttribute('href') === '#claim-list'"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("no skip link to the list of claims")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('claim-link')")
    # The list comes before the panel, so it is not under the form and the history.
    assert page.evaluate(
        "document.getElementById('claim-list').compareDocumentPosition("
        "document.getElementById('claim-panel')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
