"""Issue 11's shared-work journey in real Chromium: two editors and two reviewers share a
claim through assignment, notes and mentions, and each sees their own notifications."""

import os
import re

import pytest

from claims.demo.loader import load_demo
from claims.models import Claim, ClaimStatus, EventKind, Note, Notification
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHARED_WORK_SCREENSHOTS", "")


def bell(page):
    return page.locator("#notification-bell")


def expect_bell(page, count: int):
    """The bell's accessible name holds "Notifications" and the unread count."""
    page.get_by_role("link", name=re.compile(rf"^Notifications {count} unread$")).wait_for()


def shot(page, name, element=None):
    if SHOTS:
        if element is not None:
            element.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=element is None)


def test_two_editors_and_two_reviewers_share_a_claim(page_factory):
    demo = load_demo()
    claim = demo["claims"][2]  # a draft written by editor
    claim_page = f"/desk/articles/{claim.article_id}/?claim={claim.pk}"

    # editor gives the claim to editor2 with a due date, and asks reviewer in a note.
    editor = page_factory()
    log_in(editor, "editor")
    expect_bell(editor, 0)
    editor.goto(claim_page)
    ownership = editor.locator("#claim-ownership")
    ownership.get_by_label("Assignee").select_option(label="editor2")
    ownership.get_by_label("Due date", exact=True).fill("2030-03-01")
    ownership.get_by_role("button", name="Save assignment").click()
    ownership.get_by_text("Assignment saved.").wait_for()
    editor.locator("#claim-panel summary", has_text="Claim history").click()
    timeline = editor.locator("#claim-timeline")
    timeline.get_by_text("Assigned").first.wait_for()
    assert "editor2" in timeline.inner_text()
    timeline.get_by_label("Note", exact=True).fill(
        "@reviewer peux-tu relire la source de Beebom ?\n<b>Merci</b>"
    )
    timeline.get_by_role("button", name="Add note").click()
    editor.locator("#claim-timeline").get_by_text("Note added.").wait_for()
    assert editor.evaluate("document.activeElement.id") == "id_note_body"  # ready for another
    note_text = editor.locator("#claim-timeline .note__body").first.inner_text()
    assert note_text == "@reviewer peux-tu relire la source de Beebom ?\n<b>Merci</b>"
    shot(editor, "annotate-shared-1280", editor.locator("#claim-ownership"))
    expect_bell(editor, 0)  # nobody is told of what they did themself

    # editor2 sees the assignment, opens it, replies, and submits the claim.
    editor2 = page_factory()
    log_in(editor2, "editor2")
    expect_bell(editor2, 1)
    bell(editor2).click()
    editor2.wait_for_url("**/desk/notifications/")
    shot(editor2, "notifications-1280")
    editor2.get_by_role("button", name=re.compile("editor assigned .* to you")).click()
    editor2.wait_for_url(f"**{claim_page}")
    expect_bell(editor2, 0)
    note = editor2.locator(".note").first
    note.locator("summary").click()
    note.get_by_label("Your reply").fill("Je m’en charge, @editor.")
    note.get_by_role("button", name="Send reply").click()
    editor2.locator("#claim-timeline").get_by_text("Note added.").wait_for()
    assert "Je m’en charge" in editor2.locator(".note__replies").inner_text()
    editor2.get_by_role("button", name="Submit for review").click()
    editor2.locator("#claim-panel").get_by_text("Saved and submitted for review.").wait_for()

    # reviewer: the mention and the submission; takes the review, asks reviewer2, releases.
    reviewer = page_factory()
    log_in(reviewer, "reviewer")
    expect_bell(reviewer, 2)
    reviewer.goto(f"/desk/review/{claim.pk}/")
    reviewer.get_by_role("button", name="Take review").click()
    reviewer.get_by_text("You are reviewing this claim; the desk shows it.").wait_for()
    reviewer.get_by_label("Note", exact=True).fill("@reviewer2 je dois partir, tu reprends ?")
    reviewer.get_by_role("button", name="Add note").click()
    reviewer.locator("#claim-timeline").get_by_text("Note added.").wait_for()
    reviewer.get_by_role("button", name="Release").click()
    reviewer.get_by_text("Review released: the claim waits for a reviewer again.").wait_for()
    expect_bell(reviewer, 2)  # still unread: seeing a page is not opening a notice

    # reviewer2 follows the mention, takes the review and approves.
    reviewer2 = page_factory()
    log_in(reviewer2, "reviewer2")
    expect_bell(reviewer2, 2)
    reviewer2.goto("/desk/notifications/")
    reviewer2.get_by_role("button", name=re.compile("reviewer mentioned you in a note")).click()
    reviewer2.wait_for_url(re.compile(rf".*\?claim={claim.pk}#note-\d+$"))
    expect_bell(reviewer2, 1)
    assert "tu reprends" in reviewer2.locator("#claim-timeline").inner_text()
    reviewer2.goto(f"/desk/review/{claim.pk}/")
    reviewer2.get_by_role("button", name="Take review").click()
    reviewer2.get_by_text("You are reviewing this claim; the desk shows it.").wait_for()
    reviewer2.get_by_role("button", name="Approve and publish").click()
    reviewer2.get_by_text("Approved and published.").wait_for()

    # editor's open page learns of the reply and the publication without a reload
    # (the bell refreshes on htmx's poll, here triggered at once), then the list says so.
    editor.evaluate("document.body.dispatchEvent(new Event('notifications-changed'))")
    expect_bell(editor, 2)
    editor.goto("/desk/notifications/")
    items = editor.locator(".notices").inner_text()
    assert "reviewer2 approved and published" in items
    assert "editor2 mentioned you in a note" in items  # the reply named them: one notice
    expect_bell(editor2, 0)
    editor2.reload()
    expect_bell(editor2, 1)  # the publication of the claim assigned to them
    editor2.goto("/desk/notifications/")
    editor2.get_by_role("button", name="Mark all read").click()
    expect_bell(editor2, 0)

    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.PUBLISHED
    assert claim.current_version.approved_by.username == "reviewer2"
    assert claim.assignee.username == "editor2"
    assert claim.events.filter(kind=EventKind.ASSIGNED).count() == 1
    assert Note.objects.filter(claim=claim).count() == 3
    unread = dict(
        (name, Notification.objects.filter(recipient__username=name, read_at=None).count())
        for name in ("editor", "editor2", "reviewer", "reviewer2")
    )
    assert unread == {"editor": 2, "editor2": 0, "reviewer": 2, "reviewer2": 1}


def test_shared_work_screens_at_phone_width(page_factory):
    demo = load_demo()
    claim = demo["claims"][1]
    page = page_factory(width=390, height=844)
    log_in(page, "editor")
    page.goto(f"/desk/articles/{claim.article_id}/?claim={claim.pk}")
    # No note yet: the history and its note form are folded.
    page.locator("#claim-panel summary", has_text="Claim history").click()
    # An empty note: the message is at the field, which has the focus.
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Write the note first: it is empty.").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_note_body"
    assert page.get_by_label("Note", exact=True).get_attribute("aria-invalid") == "true"
    page.get_by_label("Note", exact=True).fill("@editor2 tu suis celle-ci ?")
    page.get_by_role("button", name="Add note").click()
    page.locator("#claim-timeline").get_by_text("Note added.").wait_for()
    # Nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(page, "annotate-shared-390", page.locator("#claim-ownership"))
    other = page_factory(width=390, height=844)
    log_in(other, "editor2")
    expect_bell(other, 1)
    other.goto("/desk/notifications/")
    assert other.evaluate("document.documentElement.scrollWidth") <= 390
    shot(other, "notifications-390")
