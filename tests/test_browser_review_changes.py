"""In Chromium: Take review and Release, and a resubmission's changes field by field.

The screenshots (1280 and 390 px wide) land in the pytest temporary directory, for a
person to look at; the assertions check what they show.
"""

import datetime as dt

import pytest

from claims import services, workflow
from claims.demo.loader import load_demo
from claims.models import Claim
from tests.conftest import log_in
from tests.test_browser_a11y import audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_reviewer_takes_the_review_and_sees_what_changed_after_requesting_changes(
    page_factory, tmp_path, width
):
    demo = load_demo()
    claim = demo["claims"][1]
    editor = demo["users"]["editor"]

    page = page_factory(width=width)
    log_in(page, "reviewer2")
    page.goto(f"/desk/review/{claim.pk}/")
    assert Claim.objects.get(pk=claim.pk).reviewing_by is None  # opening changed nothing
    page.get_by_role("button", name="Take review").click()
    page.get_by_text("You are reviewing this claim.").wait_for()
    assert Claim.objects.get(pk=claim.pk).reviewing_by.username == "reviewer2"
    page.get_by_label("Comment").fill("Datez la première source et revoyez son extrait.")
    page.get_by_role("button", name="Request changes").click()
    page.wait_for_url("**/desk/review/")

    # The editor answers: a new excerpt and date on the first source, a sharper ruling.
    claim = Claim.objects.get(pk=claim.pk)
    rows = []
    for index, source in enumerate(claim.sources.all()):
        fields = {n: getattr(source, n) for n in services.SOURCE_FIELDS}
        if index == 0:
            fields.update(excerpt="« Un extrait revu » <b>&</b>", published_on=dt.date(2024, 3, 9))
        rows.append(services.SourceData(id=source.pk, fields=fields))
    services.save_claim(
        claim.pk, claim.version, editor, {"ruling": claim.ruling + " Précision ajoutée."}, rows
    )
    workflow.submit(claim.pk, editor)

    page.goto(f"/desk/review/{claim.pk}/")
    section = page.locator('section[aria-labelledby="since-heading"]')
    section.get_by_role("heading", name="Changes since you requested changes").wait_for()
    text = section.inner_text()
    assert "Datez la première source" in text
    assert "« Un extrait revu » <b>&</b>" in text  # shown as text, escaped
    assert "2024-03-09" in text and "Précision ajoutée." in text
    assert section.locator("tbody tr").count() == 3
    # Nothing scrolls sideways on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(tmp_path / f"review-changes-{width}.png"), full_page=True)
    section.screenshot(path=str(tmp_path / f"review-changes-section-{width}.png"))
    audit(page, f"review screen with changes at {width} px")
    page.locator(".timeline").screenshot(path=str(tmp_path / f"review-timeline-{width}.png"))
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
        > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' '
        + Math.round(e.getBoundingClientRect().right))"""
    )
    assert overflow <= 0, (overflow, wide)

    page.get_by_role("button", name="Take review").click()
    page.get_by_role("button", name="Release").click()
    page.get_by_text("Review released").first.wait_for()
    assert Claim.objects.get(pk=claim.pk).reviewing_by is None
    timeline = page.locator(".timeline").inner_text()
    assert "Review taken" in timeline and "Review released" in timeline
