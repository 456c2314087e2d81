"""The desk's lists in real Chromium: My work links, the filter form, page links, the queue.

Screenshots at 1280 and 390 px go to $SCREENSHOT_DIR when it is set (to look at them).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from claims import desk_lists
from claims.demo.loader import DEMO_PASSWORD
from claims.models import Claim, ClaimStatus
from tests.conftest import log_in
from tests.test_desk_lists import article, claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = ClaimStatus


def shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def newsroom(page_factory, django_user_model):
    make = django_user_model.objects.create_user
    editor = make("editor", password=DEMO_PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    other = make("editor2", password=DEMO_PASSWORD)
    other.groups.add(Group.objects.get(name="Editors"))
    reviewer = make("reviewer", password=DEMO_PASSWORD)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    today = timezone.localdate()
    late = today - dt.timedelta(days=2)
    for n in range(27):
        article(other, f"Article d’archive {n}", outlet="Le Quotidien")
    main = article(editor, "Le budget de la ville", outlet="La Gazette", due_on=late)
    english = article(other, "Transport figures", language="en", outlet="The Daily")
    claims = {
        "draft": claim(main, editor, 0, statement="Le budget a doublé en dix ans"),
        "sent_back": claim(
            main, editor, 1, statement="La dette baisse", status=S.CHANGES_REQUESTED
        ),
        "review": claim(main, other, 2, statement="Les impôts n’ont pas bougé", status=S.IN_REVIEW),
        "held": claim(
            english,
            other,
            0,
            statement="Bus ridership rose 40 %",
            status=S.IN_REVIEW,
            reviewing_by=reviewer,
            due_on=today + dt.timedelta(days=3),
        ),
        "published": claim(
            main, editor, 3, statement="La ville compte 80 000 habitants", status=S.PUBLISHED
        ),
    }
    return {"editor": editor, "reviewer": reviewer, "main": main, "claims": claims}


def test_an_editor_works_from_my_work_and_filters_the_articles(page_factory, newsroom):
    for width in (1280, 390):
        page = page_factory(width=width)
        log_in(page, "editor")
        work = page.get_by_role("region", name="My work")
        drafts = work.get_by_role("region", name=re.compile("My drafts"))
        assert drafts.get_by_role("heading").inner_text() == "My drafts (1)"
        overdue = work.get_by_role("region", name=re.compile("Overdue"))
        assert "Overdue (2)" in overdue.get_by_role("heading").inner_text()
        assert overdue.get_by_text("Overdue", exact=True).count() == 2  # said in words
        shoot(page, f"desk-{width}")
        if width == 390:
            continue
        # A claim in My work is a link to it in its article.
        drafts.get_by_role("link", name="Le budget a doublé en dix ans").click()
        page.wait_for_url(f"**/desk/articles/{newsroom['main'].pk}/?claim=*")
        assert page.url.endswith(f"?claim={newsroom['claims']['draft'].pk}")
        page.go_back()
        # The filter form, by its labels; the filters stay in the address and page links.
        page.get_by_label("Outlet").select_option("Le Quotidien")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/desk/?*outlet=Le+Quotidien*")
        assert "27 articles, showing 1–25" in page.inner_text("main")
        pages = page.get_by_role("navigation", name="Pages of articles")
        pages.get_by_role("link", name="Next").click()
        page.wait_for_url("**/desk/?*outlet=Le+Quotidien*page=2*")
        assert page.get_by_label("Outlet").input_value() == "Le Quotidien"
        assert pages.locator("[aria-current=page]").inner_text().endswith("2")
        page.get_by_label("Due date").select_option(label="Overdue")
        page.get_by_label("Outlet").select_option(label="Any")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**due=overdue*")
        titles = page.locator("#articles-heading ~ ul .list__title").all_inner_texts()
        assert titles == ["Le budget de la ville"]


def test_a_reviewer_sees_the_queue_by_due_date_and_who_holds_what(page_factory, newsroom):
    for width in (1280, 390):
        page = page_factory(width=width)
        log_in(page, "reviewer")
        page.goto("/desk/review/")
        rows = page.locator("table.queue tbody tr")
        assert rows.count() == 2
        # The article's due date (two days ago) comes first, and says it is late.
        # text_content: the status label is upper-cased by CSS only.
        first, second = rows.nth(0).text_content(), rows.nth(1).text_content()
        assert "Les impôts n’ont pas bougé" in first
        assert "Overdue" in first and "Overdue" not in second
        assert "Nobody yet" in first
        assert "Being reviewed by reviewer" in second
        shoot(page, f"queue-{width}")
        page.goto("/desk/")
        holding = page.get_by_role("region", name=re.compile("Reviews I hold"))
        holding.get_by_role("link", name="Bus ridership rose 40 %").click()
        page.wait_for_url("**?claim=*")
        assert page.url.endswith(f"?claim={newsroom['claims']['held'].pk}")


def test_a_stale_page_link_says_there_is_no_such_page(page_factory, newsroom):
    page = page_factory()
    log_in(page, "editor")
    response = page.goto("/desk/?page=7")
    assert response.status == 404
    assert "There is no page 7: this list has 2 pages." in page.inner_text("main")
    assert Claim.objects.count() == 5 and desk_lists.PER_PAGE == 25
