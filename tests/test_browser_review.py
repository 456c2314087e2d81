"""The review journeys in real Chromium: submit, four-eyes approval, requested changes."""

import pytest

from claims import services, workflow
from claims.anchoring import make_anchor
from claims.demo.loader import load_demo
from claims.models import Claim, ClaimStatus, Rating
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_review_from_queue(page, claim):
    page.goto("/desk/review/")
    page.locator(f'table.queue a[href="/desk/review/{claim.pk}/"]').click()
    page.wait_for_url(f"**/desk/review/{claim.pk}/")


def test_editor_submits_reviewer_approves_and_the_timeline_shows_both(page_factory):
    demo = load_demo()
    draft = demo["claims"][2]

    editor = page_factory()
    log_in(editor, "editor")
    editor.goto(f"/desk/articles/{draft.article_id}/?claim={draft.pk}")
    editor.get_by_role("button", name="Submit for review").click()
    editor.locator("#claim-panel").get_by_text("Saved and submitted for review.").wait_for()
    panel = editor.locator("#claim-panel")
    assert "Waiting for a reviewer" in panel.inner_text()
    assert panel.locator("form.claim-form").count() == 0  # read-only while in review
    assert editor.get_by_role("button", name="Approve and publish").count() == 0
    editor.goto(f"/desk/review/{draft.pk}/")
    assert editor.get_by_role("button", name="Approve and publish").count() == 0

    reviewer = page_factory()
    log_in(reviewer, "reviewer")
    open_review_from_queue(reviewer, draft)
    reviewer.get_by_role("button", name="Approve and publish").click()
    reviewer.wait_for_url("**/desk/review/")
    reviewer.get_by_text("Approved and published.").wait_for()

    draft.refresh_from_db()
    assert draft.status == ClaimStatus.PUBLISHED
    assert draft.current_version.number == 1
    assert draft.current_version.approved_by.username == "reviewer"

    editor.goto(f"/desk/articles/{draft.article_id}/?claim={draft.pk}")
    # The claim's history is folded away in the panel until asked for.
    editor.locator("#claim-panel summary", has_text="Claim history").click()
    timeline = editor.locator("#claim-panel .timeline").inner_text()
    assert "Submitted for review" in timeline and "by editor" in timeline
    assert "Approved and published" in timeline and "by reviewer" in timeline


def test_a_reviewer_cannot_approve_their_own_claim_but_reviewer2_can(page_factory):
    demo = load_demo()
    reviewer = demo["users"]["reviewer"]
    article = demo["article"]
    phrase = "Dans le cadre de l'offre"
    start = article.body.index(phrase)
    claim = services.create_claim(article, reviewer, make_anchor(article.body, start, start + 24))
    services.save_claim(
        claim.pk,
        claim.version,
        reviewer,
        {
            "statement": "xAI fusionnerait avec OpenAI",
            "claimant": "Tendances numériques",
            "rating": Rating.objects.get(label="Invérifiable"),
            "ruling": "Les termes de l'offre n'ont pas été publiés.",
            "claim_date": None,
        },
        [
            services.SourceData(
                None, {"url": "https://example.org/offre", "title": "L'offre", "stance": "context"}
            )
        ],
    )
    workflow.submit(claim.pk, reviewer)

    own = page_factory()
    log_in(own, "reviewer")
    open_review_from_queue(own, claim)
    assert own.get_by_role("button", name="Approve and publish").count() == 0
    assert "four-eyes" in own.locator("#main").inner_text()

    other = page_factory()
    log_in(other, "reviewer2")
    open_review_from_queue(other, claim)
    other.get_by_role("button", name="Approve and publish").click()
    other.get_by_text("Approved and published.").wait_for()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    assert claim.current_version.approved_by.username == "reviewer2"


def test_requested_changes_come_back_to_the_editor_with_the_comment(page_factory):
    demo = load_demo()
    in_review = demo["claims"][1]

    reviewer = page_factory()
    log_in(reviewer, "reviewer2")
    open_review_from_queue(reviewer, in_review)
    reviewer.get_by_role("button", name="Request changes").click()
    error = reviewer.locator("#id_comment_error")
    error.wait_for()
    assert "comment" in error.inner_text().lower()
    assert reviewer.get_by_label("Comment").get_attribute("aria-invalid") == "true"
    comment = "La date d'immatriculation de X.AI Corp. mérite une source primaire."
    reviewer.get_by_label("Comment").fill(comment)
    reviewer.get_by_role("button", name="Request changes").click()
    reviewer.get_by_text("Changes requested; the claim went back to its editor.").wait_for()

    editor = page_factory()
    log_in(editor, "editor")
    editor.goto(f"/desk/articles/{in_review.article_id}/?claim={in_review.pk}")
    panel = editor.locator("#claim-panel")
    assert "Changes requested" in panel.inner_text()
    assert comment in panel.inner_text()
    # Back in the editor's hands: the form is there again.
    assert panel.locator("form.claim-form").count() == 1
    assert Claim.objects.get(pk=in_review.pk).status == ClaimStatus.CHANGES_REQUESTED
