"""In Chromium, issue 10 from start to finish: an article changes after its fact-checks are
published, and the desk, the reviewers and the readers each see what the change did.

Maya (editor) fetches the Herald's article from its page (a local server serves it, with
navigation, adverts and comments around it), loads it and checks three passages in it. Sam
(reviewer) publishes them, and an anonymous reader sees three verdicts. The Herald then
corrects its text: a figure in a sentence nobody checked, the figure of one checked sentence
(the mayor's), and it removes the shopkeepers' paragraph, rewording that sentence further
down. The checked passage about the trams moves (kept), the mayor's must be checked, and the
shopkeepers' is orphaned. Readers keep the one verdict that is still certain, at its new
place, and a note lists the two others. Maya confirms the mayor's position and Sam approves
it. Sam re-attaches the shopkeepers' claim to its new sentence, and that move counts for the
four-eyes rule: Lou, a second reviewer, has to approve it. Readers then see three verdicts
on the new text and no note. The History page shows the word diff.

Whole sentences are chosen with the keyboard, as the annotating screen offers (Tab into the
text, arrow keys, Enter), and part of a sentence with the mouse. Screenshots
(SCREENSHOT_DIR) are for a person to look at: the desk after the revision, the review
queue, the reader's page before and after the updates, and the History.

The last two tests pin bugs the journey ran into (now fixed).
"""

from __future__ import annotations

import os
import re
from html import escape

import pytest
from django.utils import formats, timezone
from pageserver import page
from playwright.sync_api import expect

from claims.models import (
    AnchorStatus,
    Article,
    ArticleRevision,
    Claim,
    ClaimStatus,
    EventKind,
    ReviewEvent,
)
from tests.conftest import log_in
from tests.test_browser_a11y import audit
from tests.test_browser_desk import drag_across
from tests.test_browser_public import no_sideways_scroll
from tests.test_public_revisions import published_newsroom, revise

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_public_pages"),
]
SHOTS = os.environ.get("SCREENSHOT_DIR")

TITLE = "Tram line 3 reopens after two years of works"
PARAS = [
    "The city's tram line 3 reopened on Saturday morning after two years of works that "
    "cost 48 million euros, the transport authority said.",
    "The mayor said ridership on the line would double by 2030. The authority's own report "
    "puts the rise at 30 percent.",
    "Trams will run every six minutes at peak times. Before the works began in 2024, they "
    "ran every ten minutes.",
    "Shopkeepers along Harbour Street said trade fell by a third while the road was closed. "
    "Several of them asked the council for help.",
    "“We survived, just about,” said Léa Martin, who runs a bakery on the corner of Harbour "
    "Street and Mill Lane.",
]
MAYOR = "The mayor said ridership on the line would double by 2030."
MAYOR_REVISED = "The mayor said ridership on the line would double by 2032."
TRAMS = "Trams will run every six minutes at peak times"  # part of a sentence
SHOPS = "Shopkeepers along Harbour Street said trade fell by a third while the road was closed."
SHOPS_REWORDED = (
    "Traders on the street told the Herald they lost a third of their sales during the closure."
)
FLAG = "The article changed since publication"
CHANGED_ONE = "This passage was changed or removed after our fact-check"
CHANGED_MANY = "These passages were changed or removed after our fact-check"

# (offset in #article-text's text, text) of each highlight on the public page. The text
# of #article-text is the article's body character for character (article_html.py).
PUBLIC_MARKS = """() => {
  const root = document.getElementById("article-text");
  return [...root.querySelectorAll("mark")].map((mark) => {
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEnd(mark, 0);
    return [before.toString().length, mark.textContent];
  });
}"""


def herald_page() -> bytes:
    """The news page of tests/pages/news.html (menu, adverts, related links, comments,
    JSON-LD metadata) with this story's paragraphs as its article."""
    html = page("news.html").decode("utf-8")
    start, end = html.index("<p>The city's"), html.index("</article>")
    story = "".join(f"<p>{escape(p)}</p>\n" for p in PARAS)
    return (html[:start] + story + html[end:]).encode("utf-8")


def shot(page, name, width):
    if SHOTS:
        # caret="initial": hiding the caret injects a style, which our CSP (rightly) blocks.
        page.screenshot(path=f"{SHOTS}/journey-{name}-{width}.png", full_page=True, caret="initial")


def focused(page, selector):
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def press_until(page, key, selector, limit=80):
    """Press `key` until the focused element matches `selector`: keyboard only."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector}")


def select_sentence(page, sentence):
    """The annotating screen's keyboard way: into the text (one tab stop), Home, arrows, Enter."""
    # From the top of a page just loaded, forwards; from the claim panel, backwards.
    key = "Tab" if focused(page, "body") else "Shift+Tab"
    press_until(page, key, "#article-text .sentence")
    index = page.locator("#article-text .sentence").all_inner_texts().index(sentence)
    page.keyboard.press("Home")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == sentence
    page.keyboard.press("Enter")
    expect(page.locator("#selection-preview")).to_contain_text(sentence[:40])


def create_claim(page, article_path, sentence):
    """By keyboard, on a page of its own (the keyboard also works after a redraw:
    test_the_keyboard_still_selects_sentences_after_a_claim_is_created)."""
    page.goto(article_path)
    select_sentence(page, sentence)
    press_until(page, "Tab", "#create-claim-form button")
    page.keyboard.press("Enter")
    page.locator("#claim-panel blockquote.quote", has_text=sentence).wait_for()
    return Claim.objects.get(exact=sentence)


def create_claim_with_the_mouse(page, phrase):
    """Any span, dragged across, then Create claim: no reload needed."""
    drag_across(page, phrase)
    expect(page.locator("#selection-preview")).to_contain_text(phrase)
    page.get_by_role("button", name="Create claim").click()
    page.locator("#claim-panel blockquote.quote", has_text=phrase).wait_for()
    return Claim.objects.get(exact=phrase)


def fill_claim(page, *, statement, claimant, verdict, ruling, url, title):
    panel = page.locator("#claim-panel")
    panel.get_by_label("Claim", exact=True).fill(statement)
    panel.get_by_label("Claimant").fill(claimant)
    panel.get_by_label("Verdict").select_option(label=verdict)
    panel.get_by_label("Ruling").fill(ruling)
    panel.get_by_role("button", name="Add source").click()
    source = panel.locator("#source-0")
    source.get_by_label("URL", exact=True).fill(url)
    source.get_by_label("Title", exact=True).fill(title)


def submit(page, claim):
    panel = page.locator(f'#claim-panel[data-claim="{claim.pk}"]')
    panel.get_by_role("button", name="Submit for review").click()
    panel.get_by_text("Saved and submitted for review.").wait_for()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW


def open_review(page, claim):
    page.goto("/desk/review/")
    page.locator(f'table.queue a[href="/desk/review/{claim.pk}/"]').click()
    page.wait_for_url(f"**/desk/review/{claim.pk}/")


def approve(page, claim):
    open_review(page, claim)
    page.get_by_role("button", name="Approve and publish").click()
    page.get_by_text("Approved and published.").wait_for()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED


def style(page, locator, prop, pseudo=None):
    return page.evaluate(
        "([el, prop, pseudo]) => getComputedStyle(el, pseudo)[prop]",
        [locator.element_handle(), prop, pseudo],
    )


def public_marks(page):
    return [tuple(m) for m in page.evaluate(PUBLIC_MARKS)]


def changed_passages(page):
    """The quotes listed under the public article's text as changed since the fact-check."""
    return page.locator("#changed-passages li blockquote").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_living_article_from_the_desk_to_the_reader_and_back(
    page_factory, make_user, server, width
):
    maya = make_user("maya", "Editors")
    make_user("sam", "Reviewers")
    make_user("lou", "Reviewers")

    # 1. Maya fetches the article from the Herald's page, checks what was extracted, loads it
    # and makes three claims: two sentences by keyboard, part of one with the mouse.
    url = server.route("/2026/03/tram.html", herald_page())
    editor = page_factory(width=width)
    log_in(editor, "maya")
    editor.get_by_role("link", name="Load article").first.click()
    editor.get_by_label("Article URL").fill(url)
    editor.get_by_role("button", name="Fetch article").click()
    editor.get_by_role("status").filter(has_text="fetched").wait_for()
    assert editor.get_by_label("Title", exact=True).input_value() == TITLE
    assert editor.get_by_label("Outlet").input_value() == "The Riverside Herald"
    assert editor.get_by_label("Byline").input_value() == "Maya Okafor"
    assert editor.get_by_label("Language", exact=True).input_value() == "en"
    editor.get_by_role("button", name="Load article", exact=True).click()
    editor.wait_for_url("**/desk/articles/*/")
    article = Article.objects.get(title=TITLE)
    article_path = f"/desk/articles/{article.pk}/"
    assert article.body == "\n\n".join(PARAS)

    mayor = create_claim(editor, article_path, MAYOR)
    fill_claim(
        editor,
        statement="Ridership on tram line 3 will double by 2030",
        claimant="The mayor",
        verdict="Misleading",
        ruling="The transport authority's own forecast is a rise of 30 percent by 2030.",
        url="https://transport.example.org/line-3-forecast",
        title="Line 3 ridership forecast",
    )
    submit(editor, mayor)

    # The mouse, for part of a sentence; Ctrl+S saves a claim from any field.
    trams = create_claim_with_the_mouse(editor, TRAMS)
    fill_claim(
        editor,
        statement="Trams on line 3 will run every six minutes at peak times",
        claimant="The transport authority",
        verdict="True",
        ruling="The published timetable has a tram every six minutes from 7 to 9.",
        url="https://transport.example.org/line-3-timetable",
        title="Line 3 timetable",
    )
    editor.locator("#claim-panel").get_by_label("Ruling").press("Control+s")
    editor.locator("#claim-panel").get_by_text("Saved.", exact=True).wait_for()
    submit(editor, trams)

    shops = create_claim(editor, article_path, SHOPS)
    fill_claim(
        editor,
        statement="Harbour Street shops lost a third of their trade during the works",
        claimant="Harbour Street shopkeepers",
        verdict="Half true",
        ruling="The chamber of commerce measured a fall of 22 to 35 percent, shop by shop.",
        url="https://chamber.example.org/harbour-street-survey",
        title="Harbour Street trade survey",
    )
    submit(editor, shops)

    # 2. Sam, another person, approves all three; a reader sees the three verdicts.
    sam = page_factory(width=width)
    log_in(sam, "sam")
    for claim in (mayor, trams, shops):
        approve(sam, claim)
    mayor, trams, shops = (Claim.objects.get(pk=c.pk) for c in (mayor, trams, shops))

    reader = page_factory(width=width)
    reader.goto("/")
    reader.locator(".fc-card").first.get_by_role("link", name=TITLE).click()
    reader.wait_for_url(f"**/articles/{article.slug}/")
    body = article.body
    assert public_marks(reader) == [(body.index(q), q) for q in (MAYOR, TRAMS, SHOPS)]
    assert reader.locator("#changed-passages").count() == 0

    # 3. The Herald corrects its text; Maya edits it to match. An unchecked figure changes
    # (48 → 48.5 million, which shifts everything after it), the mayor's figure changes, and
    # the shopkeepers' paragraph goes, reworded into the last paragraph.
    editor.goto(article_path)
    editor.locator(".revision-tools").get_by_role("link", name="Edit text").click()
    box = editor.get_by_label("Article text")
    assert box.input_value() == body
    revised = body.replace("48 million", "48.5 million").replace(MAYOR, MAYOR_REVISED)
    paras = revised.split("\n\n")
    revised = "\n\n".join(paras[:3] + [paras[4] + " " + SHOPS_REWORDED])
    box.fill(revised)
    editor.get_by_label("Why").fill("Figures corrected by the Herald")
    editor.get_by_role("button", name="Save text").click()
    editor.wait_for_url(f"**{article_path}")
    revision = ArticleRevision.objects.get(article=article, number=2)
    when = formats.date_format(timezone.localtime(revision.created_at), "j F Y")

    assert "Text saved. Revision 2. Claims: 1 kept, 1 to check, 1 orphaned." in (
        editor.locator("#flash").inner_text()
    )
    summary = editor.locator("#revision-summary")
    assert "Highlights: 1 kept, 1 to check, 1 orphaned." in summary.inner_text()
    assert "2 claims still need a person to place their highlight." in summary.inner_text()
    # Kept: the same words, shifted by the two characters of ".5".
    trams = Claim.objects.get(pk=trams.pk)
    assert (trams.anchor_status, trams.start) == (AnchorStatus.KEPT, revised.index(TRAMS))
    assert trams.start == body.index(TRAMS) + 2
    trams_mark = editor.locator(f'#article-text mark[data-claims~="{trams.pk}"]')
    assert trams_mark.inner_text() == TRAMS
    # To check: a dashed outline, a "?" marker and, in the list, words.
    check_mark = editor.locator(f'#article-text mark.hl--check[data-claims="{mayor.pk}"]')
    assert check_mark.inner_text() == MAYOR_REVISED
    assert style(editor, check_mark, "content", "::after") == '"?"'
    assert (
        "Position to check" in editor.locator(f'.claim-link[data-claim="{mayor.pk}"]').inner_text()
    )
    # Orphaned: no highlight on stale offsets; listed under the text, its quote struck through.
    assert editor.locator(f'#article-text mark[data-claims~="{shops.pk}"]').count() == 0
    assert "Passage gone" in editor.locator(f'.claim-link[data-claim="{shops.pk}"]').inner_text()
    orphans = editor.locator("#orphaned-claims")
    assert "1 claim lost its passage" in orphans.inner_text()
    struck = orphans.locator("del.orphan__quote")
    assert SHOPS in struck.inner_text()
    assert style(editor, struck, "textDecorationLine") == "line-through"
    # Published, so not re-attached in place: an update comes first.
    assert "Start an update of this claim to re-attach it." in orphans.inner_text()
    assert no_sideways_scroll(editor)
    audit(editor, f"annotating screen after a revision at {width} px")
    shot(editor, "desk-after-revision", width)

    # 4. Readers see the current text. The verdict still certain keeps its highlight, on the
    # same words at their new place; the two others are listed under the text as checked.
    reader.reload()
    text = reader.locator("#article-text").inner_text()
    assert "48.5 million" in text and MAYOR_REVISED in text and SHOPS not in text
    assert public_marks(reader) == [(revised.index(TRAMS), TRAMS)]
    assert Claim.objects.get(pk=trams.pk).public_start == revised.index(TRAMS)
    reader.get_by_role("heading", name=CHANGED_MANY, level=2).wait_for()
    section = reader.get_by_role("region", name=CHANGED_MANY)
    assert changed_passages(reader) == [MAYOR, SHOPS]  # the quotes as checked
    for item in section.get_by_role("list").get_by_role("listitem").all():
        assert f"Article revised on {when}" in item.inner_text()
    assert no_sideways_scroll(reader)
    audit(reader, f"article after a revision at {width} px")
    shot(reader, "reader-after-revision", width)

    # With the keyboard alone, from the note to the shopkeepers' fact-check and back.
    note_link = f'#changed-passages a[href="/fact-checks/{shops.slug}/"]'
    reader.locator("body").focus()
    press_until(reader, "Tab", note_link)
    # The statement is in the link's name (visually hidden); Chromium puts a space
    # before its colon, as the positioned span is a separate box.
    statement = shops.current_version.statement
    expect(reader.locator(note_link)).to_have_accessible_name(
        re.compile(rf"^Read the fact-check ?: {re.escape(statement)}$")
    )
    reader.keyboard.press("Enter")
    reader.wait_for_url(f"**/fact-checks/{shops.slug}/")
    changed_note = reader.get_by_role("region", name="The article changed after this fact-check")
    assert f"On {when}, the article was revised" in changed_note.inner_text()
    assert reader.locator(".claim__quote").inner_text() == SHOPS
    assert no_sideways_scroll(reader)
    audit(reader, f"fact-check after a revision at {width} px")
    reader.get_by_role("link", name="Read the article as it is now").click()
    reader.wait_for_url(f"**/articles/{article.slug}/#fc-{shops.slug}")
    assert reader.locator(f"#fc-{shops.slug}").is_visible()

    # The desk flags the article and both claims.
    editor.goto("/desk/")
    articles = editor.get_by_role("region", name="Articles")
    expect(articles.get_by_role("listitem").filter(has_text=TITLE)).to_contain_text(
        f"{FLAG} (2 published claims)"
    )
    editor.goto("/desk/claims/")
    assert editor.get_by_role("region", name="Claims").get_by_text(FLAG).count() == 2
    assert no_sideways_scroll(editor)
    audit(editor, f"claim list with a changed article at {width} px")

    # 5a. Maya opens the mayor's claim from its highlight: published, so she starts an
    # update, confirms the words the revision put there, writes the correction, resubmits.
    editor.goto(article_path)
    editor.locator(f'#article-text mark.hl--check[data-claims="{mayor.pk}"]').click()
    panel = editor.locator(f'#claim-panel[data-claim="{mayor.pk}"]')
    assert f"{FLAG}." in panel.locator("#published-changed").inner_text()
    panel.get_by_role("button", name="Start an update").click()
    notice = panel.locator("#anchor-notice")
    notice.get_by_role("button", name="Confirm position").wait_for()
    assert notice.locator("del").inner_text().endswith(MAYOR)
    assert notice.locator("ins").inner_text().endswith(MAYOR_REVISED)
    notice.get_by_role("button", name="Confirm position").click()
    panel.get_by_text("Position confirmed.").wait_for()
    assert "1 claim still needs a person" in summary.inner_text()
    assert editor.locator("#article-text mark.hl--check").count() == 0
    assert Claim.objects.get(pk=mayor.pk).anchor_status == AnchorStatus.CONFIRMED
    panel.get_by_label("Correction (an error was fixed)").check()
    panel.get_by_label("Correction note").fill("The Herald corrected the mayor's date: 2032.")
    panel.get_by_label("Claim", exact=True).fill("Ridership on tram line 3 will double by 2032")
    submit(editor, mayor)
    moved = ReviewEvent.objects.filter(claim=mayor, kind=EventKind.ANCHOR_MOVED).get()
    assert moved.actor == maya

    # The review queue flags it until the update is approved; Sam approves it.
    sam.goto("/desk/review/")
    expect(sam.get_by_role("row").filter(has_text="will double by 2032")).to_contain_text(FLAG)
    assert no_sideways_scroll(sam)
    audit(sam, f"review queue with a changed article at {width} px")
    shot(sam, "review-queue-after-revision", width)
    approve(sam, mayor)

    reader.goto(f"/articles/{article.slug}/")
    assert public_marks(reader) == [
        (revised.index(MAYOR_REVISED), MAYOR_REVISED),
        (revised.index(TRAMS), TRAMS),
    ]
    reader.get_by_role("heading", name=CHANGED_ONE, level=2).wait_for()
    assert changed_passages(reader) == [SHOPS]

    # 5b. The shopkeepers' claim: Maya starts its update and writes the correction, but
    # cannot submit before its highlight is placed again.
    editor.goto(f"{article_path}?claim={shops.pk}")
    panel = editor.locator(f'#claim-panel[data-claim="{shops.pk}"]')
    panel.get_by_role("button", name="Start an update").click()
    panel.get_by_label("Update (new information)").check()
    panel.get_by_label("Correction note").fill("The Herald reworded the traders' figures.")
    panel.get_by_role("button", name="Submit for review").click()
    panel.get_by_text("Saved, but not submitted.").wait_for()
    assert "confirm its highlight, or select the right words" in panel.inner_text()
    assert Claim.objects.get(pk=shops.pk).status == ClaimStatus.DRAFT

    # Sam, who followed the Herald's correction, selects the reworded sentence and
    # re-attaches the orphan to it from the list under the text.
    sam.goto(article_path)
    select_sentence(sam, SHOPS_REWORDED)
    press_until(sam, "Tab", "#orphaned-claims button")
    sam.keyboard.press("Enter")
    sam.wait_for_url(f"**?claim={shops.pk}")
    assert sam.locator("#orphaned-claims section").count() == 0
    mark = sam.locator(f'#article-text mark[data-claims~="{shops.pk}"]')
    assert mark.inner_text() == SHOPS_REWORDED
    shops = Claim.objects.get(pk=shops.pk)
    assert (shops.anchor_status, shops.exact) == (AnchorStatus.CONFIRMED, SHOPS_REWORDED)
    sam.locator("#claim-panel summary", has_text="Claim history").click()
    timeline = sam.locator("#claim-panel .timeline").inner_text()
    assert "Re-anchored after the text changed" in timeline
    assert "Highlight moved" in timeline and SHOPS_REWORDED in timeline
    events = list(ReviewEvent.objects.filter(claim=shops).order_by("pk"))
    kinds = [e.kind for e in events]
    assert kinds.index(EventKind.REANCHORED) < kinds.index(EventKind.ANCHOR_MOVED)
    assert (events[-1].kind, events[-1].actor.username) == (EventKind.ANCHOR_MOVED, "sam")

    # Maya submits. Sam moved its highlight, so the four-eyes rule keeps him from
    # approving it; Lou approves.
    editor.goto(f"{article_path}?claim={shops.pk}")
    submit(editor, shops)
    open_review(sam, shops)
    expect(sam.locator("h1")).to_contain_text(FLAG)
    assert sam.get_by_role("button", name="Approve and publish").count() == 0
    assert "four-eyes" in sam.locator("#main").inner_text()
    lou = page_factory(width=width)
    log_in(lou, "lou")
    approve(lou, shops)
    shops = Claim.objects.get(pk=shops.pk)
    assert shops.current_version.approved_by.username == "lou"

    # Readers: three verdicts on the new text, and no note.
    reader.goto(f"/articles/{article.slug}/")
    assert public_marks(reader) == [
        (revised.index(q), q) for q in (MAYOR_REVISED, TRAMS, SHOPS_REWORDED)
    ]
    assert reader.locator("#changed-passages").count() == 0
    assert no_sideways_scroll(reader)
    shot(reader, "reader-after-updates", width)
    editor.goto("/desk/")
    expect(editor.get_by_role("region", name="Articles")).not_to_contain_text(FLAG)

    # 6. The History: both revisions, and a word diff marked by more than colour.
    editor.goto(article_path)
    editor.locator(".revision-tools").get_by_role("link", name="History").click()
    rows = editor.locator("table.revisions tbody tr")
    assert rows.count() == 2
    assert "Figures corrected by the Herald" in rows.first.inner_text()
    assert "1 kept, 1 to check, 1 orphaned" in rows.first.inner_text()
    diff = editor.locator("#diff")
    inserted, deleted = diff.locator("ins"), diff.locator("del")
    assert inserted.filter(has_text=".5").count() == 1
    assert inserted.filter(has_text="2032").count() == 1
    assert inserted.filter(has_text=SHOPS_REWORDED).count() == 1
    assert deleted.filter(has_text="2030").count() == 1
    assert deleted.filter(has_text=SHOPS).count() == 1
    # Underlined and struck through, and announced in words ("[added: … end of change]").
    marked = ((inserted, "underline", "added:"), (deleted, "line-through", "removed:"))
    for pieces, line, said in marked:
        for one in pieces.all():
            assert style(editor, one, "textDecorationLine") == line
            words = one.text_content()
            assert re.match(rf"^\[{said} .+ end of change\]$", words, re.S), words
    assert no_sideways_scroll(editor)
    shot(editor, "history", width)


def test_the_keyboard_still_selects_sentences_after_a_claim_is_created(page_factory, make_user):
    make_user("maya", "Editors")
    page = page_factory()
    log_in(page, "maya")
    page.get_by_role("link", name="Load article").first.click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Language", exact=True).fill("en")
    page.get_by_label("Text", exact=True).fill("\n\n".join(PARAS))
    page.get_by_role("button", name="Load article", exact=True).click()
    page.wait_for_url("**/desk/articles/*/")

    select_sentence(page, MAYOR)
    press_until(page, "Tab", "#create-claim-form button")
    page.keyboard.press("Enter")
    page.locator("#claim-panel blockquote.quote", has_text=MAYOR).wait_for()
    # Back into the text from the new claim's panel, as a keyboard user goes.
    select_sentence(page, TRAMS + ".")  # the whole sentence


def test_a_changed_passage_gives_its_verdict_in_the_readers_language(page_factory):
    article, _claims = published_newsroom()  # French article, verdicts "Faux"
    revise(article)
    page = page_factory(locale="en-GB")
    page.goto(f"/articles/{article.slug}/")
    badges = page.locator("#changed-passages .changed-item__meta .badge")
    assert badges.count() == 2
    for badge in badges.all():
        assert (badge.inner_text(), badge.get_attribute("lang")) == ("False", "en")
