"""The desk's lists: order, pagination, filters, counts per status, "My work", the review queue.

Data is made through the services (articles, claims) and then put in the state
a test needs with queryset updates (status, assignee, due dates), since
assigning and setting due dates is another part's screen.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import desk_lists, services
from claims.anchoring import make_anchor
from claims.models import Article, Claim, ClaimStatus
from tests.test_blns import LINES

pytestmark = pytest.mark.django_db

S = ClaimStatus
TODAY = timezone.localdate
BODY = " ".join(f"Phrase numéro {i} de l’article." for i in range(12))


def article(user, title="Article", **fields) -> Article:
    return services.create_article(user, title=title, body=BODY, **fields)


def claim(in_article, user, n=0, *, statement=None, **state) -> Claim:
    start, end = in_article.sentences[n]
    made = services.create_claim(in_article, user, make_anchor(in_article.body, start, end))
    state.setdefault("statement", statement or f"Affirmation {in_article.pk}.{n}")
    if state.get("status") == S.IN_REVIEW:
        state.setdefault("submitted_at", timezone.now())
        state.setdefault("submitted_by", user)
    if state.get("status") == S.PUBLISHED:
        state.setdefault("last_published_at", timezone.now())
    Claim.objects.filter(pk=made.pk).update(**state)
    made.refresh_from_db()
    return made


def html(client, path, expect=200) -> str:
    response = client.get(path)
    assert response.status_code == expect, (path, response.status_code)
    return response.content.decode()


def article_links(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="list__title" href="/desk/articles/(\d+)/"', page)]


def claim_links(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/desk/articles/\d+/\?claim=(\d+)"', page)]


def queue_links(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/desk/review/(\d+)/"', page)]


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


# -- order and pagination ------------------------------------------------------------


def test_the_newest_of_107_articles_is_on_page_one(editor_client, editor):
    """Regression: /desk/ listed articles oldest first and stopped at 100."""
    made = [article(editor, f"Article numéro {n}") for n in range(107)]
    first = html(editor_client, "/desk/")
    assert article_links(first)[0] == made[-1].pk
    assert "107 articles, showing 1–25, newest first." in first
    seen = []
    for number in range(1, 6):
        seen += article_links(html(editor_client, f"/desk/?page={number}"))
    # Every article once, newest first: nothing is cut off.
    assert seen == [a.pk for a in reversed(made)]
    assert 'aria-current="page"' in first and 'rel="next" href="?page=2"' in first


def test_order_is_stable_when_articles_share_a_time(editor_client, editor):
    made = [article(editor, f"Même instant {n}") for n in range(30)]
    Article.objects.update(created_at=timezone.now())
    pages = article_links(html(editor_client, "/desk/")) + article_links(
        html(editor_client, "/desk/?page=2")
    )
    assert pages == sorted((a.pk for a in made), reverse=True)


@pytest.mark.parametrize("junk", ["abc", "0", "-1", "1.5", "²", " ", "9" * 40, "1e3", "%00"])
def test_a_junk_page_number_gives_page_one(editor_client, editor, junk):
    made = [article(editor, f"A{n}") for n in range(30)]
    page = html(editor_client, f"/desk/?page={junk}")
    assert article_links(page)[0] == made[-1].pk


@pytest.mark.parametrize("path", ["/desk/?page=3", "/desk/claims/?page=2", "/desk/review/?page=2"])
def test_a_page_past_the_end_is_a_clear_404(client, editor, reviewer, path):
    client.force_login(reviewer)
    [article(editor, f"A{n}") for n in range(30)]
    page = html(client, path, expect=404)
    assert "There is no page" in page and "this list has" in page


def test_page_links_keep_the_filters(editor_client, editor):
    for n in range(30):
        article(editor, f"En {n}", language="en")
    article(editor, "Fr", language="fr")
    page = html(editor_client, "/desk/?language=en")
    assert "30 articles" in page
    assert 'href="?language=en&amp;page=2"' in page
    second = html(editor_client, "/desk/?language=en&page=2")
    assert len(article_links(second)) == 5
    # The form shows the filter it applied.
    assert '<option value="en" selected>' in second


def test_claim_list_and_queue_are_paginated_too(client, editor, reviewer):
    a = article(editor)
    b = article(editor, "B")
    for n in range(12):
        claim(a, editor, n, status=S.IN_REVIEW)
        claim(b, editor, n, status=S.IN_REVIEW)
    client.force_login(reviewer)
    assert len(queue_links(html(client, "/desk/review/"))) == 24
    for n in range(2):  # 26 in review: two pages
        claim(a, editor, n, status=S.IN_REVIEW)
    seen = queue_links(html(client, "/desk/review/")) + queue_links(
        html(client, "/desk/review/?page=2")
    )
    assert len(seen) == len(set(seen)) == 26
    listed = claim_links(html(client, "/desk/claims/")) + claim_links(
        html(client, "/desk/claims/?page=2")
    )
    assert sorted(listed) == sorted(Claim.objects.values_list("pk", flat=True))


# -- counts per status ---------------------------------------------------------------


def test_each_article_shows_its_counts_per_status(editor_client, editor):
    a = article(editor, "Compté")
    for n, status in enumerate([S.DRAFT, S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.PUBLISHED]):
        claim(a, editor, n, status=status)
    article(editor, "Vide")
    page = html(editor_client, "/desk/")
    page = page[page.index('id="articles-heading"') :]
    row = page[page.index("Compté") :]
    row = row[: row.index("</li>")]
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
    assert "5 claims Draft 2 In review 1 Changes requested 1 Published 1" in text
    empty = page[page.index("Vide") :]
    assert "0 claims" in empty[: empty.index("</li>")]


def test_counts_are_one_aggregated_query_for_the_page(editor):
    articles = [article(editor, f"A{n}") for n in range(3)]
    for a in articles:
        claim(a, editor, 0, status=S.PUBLISHED)
        claim(a, editor, 1)
    with CaptureQueriesContext(connection) as ctx:
        desk_lists.count_claims(articles)
    assert len(ctx.captured_queries) == 1
    assert "FILTER" in ctx.captured_queries[0]["sql"] or "CASE" in ctx.captured_queries[0]["sql"]
    assert [a.status_counts for a in articles] == [
        [("draft", "Draft", 1), ("published", "Published", 1)]
    ] * 3


# -- filters ---------------------------------------------------------------------------


@pytest.fixture
def desk(editor, reviewer, make_user):
    """Three articles with claims in every state, assignees and due dates."""
    other = make_user("ed2", "Editors")
    today = TODAY()
    fr = article(editor, "Français", language="fr", outlet="Le Quotidien")
    en = article(editor, "English", language="en", outlet="The Daily")
    late_article = article(other, "Due yesterday", due_on=today - dt.timedelta(days=1))
    untouched = article(other, "Nobody started", due_on=today - dt.timedelta(days=3))
    c = {
        "my_draft": claim(fr, editor, 0),
        "assigned_away": claim(fr, editor, 1, assignee=other),
        "assigned_to_me": claim(en, other, 0, assignee=editor, due_on=today),
        "sent_back": claim(en, editor, 1, status=S.CHANGES_REQUESTED),
        "late": claim(fr, editor, 2, status=S.IN_REVIEW, due_on=today - dt.timedelta(days=2)),
        "held": claim(en, other, 2, status=S.IN_REVIEW, reviewing_by=reviewer),
        "inherits": claim(late_article, other, 0, status=S.IN_REVIEW),
        "published": claim(fr, editor, 3, status=S.PUBLISHED, due_on=today - dt.timedelta(days=9)),
        "soon": claim(late_article, other, 1, due_on=today + dt.timedelta(days=6)),
        "next_week": claim(late_article, other, 2, due_on=today + dt.timedelta(days=7)),
    }
    return {"editor": editor, "other": other, "reviewer": reviewer, "claims": c} | {
        "fr": fr,
        "en": en,
        "late_article": late_article,
        "untouched": untouched,
    }


def listed(desk, path, user=None):
    """Names of the fixture's articles or claims that the page lists."""
    from django.test import Client

    client = Client()
    client.force_login(user or desk["editor"])
    page = html(client, path)
    if path.startswith("/desk/?") or path == "/desk/":
        pks = article_links(page)
        names = ("fr", "en", "late_article", "untouched")
    else:
        pks = queue_links(page) if path.startswith("/desk/review/") else claim_links(page)
        names = desk["claims"]
        return {name for name in names if desk["claims"][name].pk in pks}
    return {name for name in names if desk[name].pk in pks}


ALL_CLAIMS = {
    "my_draft",
    "assigned_away",
    "assigned_to_me",
    "sent_back",
    "late",
    "held",
    "inherits",
    "published",
    "soon",
    "next_week",
}


@pytest.mark.parametrize(
    ("query", "articles", "claims"),
    [
        ("", {"fr", "en", "late_article", "untouched"}, ALL_CLAIMS),
        (
            "status=draft",
            {"fr", "en", "late_article"},
            {"my_draft", "assigned_away", "assigned_to_me", "soon", "next_week"},
        ),
        ("status=published", {"fr"}, {"published"}),
        ("status=changes_requested", {"en"}, {"sent_back"}),
        ("language=en", {"en"}, {"assigned_to_me", "sent_back", "held"}),
        ("outlet=Le+Quotidien", {"fr"}, {"my_draft", "assigned_away", "late", "published"}),
        ("due=overdue", {"fr", "late_article", "untouched"}, {"late", "inherits"}),
        ("due=soon", {"en", "late_article"}, {"assigned_to_me", "soon"}),
        ("due=none", {"fr", "en"}, {"my_draft", "assigned_away", "sent_back", "held"}),
        ("status=in_review&language=fr", {"fr", "late_article"}, {"late", "inherits"}),
        ("assignee=none&status=draft", {"fr", "late_article"}, {"my_draft", "soon", "next_week"}),
        ("due=overdue&status=in_review&language=en", set(), set()),
    ],
)
def test_filters_on_articles_and_claims(desk, query, articles, claims):
    assert listed(desk, f"/desk/?{query}") == articles
    assert listed(desk, f"/desk/claims/?{query}") == claims


def test_assignee_filter(desk):
    other = desk["other"].pk
    assert listed(desk, f"/desk/claims/?assignee={other}") == {"assigned_away"}
    assert listed(desk, f"/desk/claims/?assignee={desk['editor'].pk}") == {"assigned_to_me"}
    assert listed(desk, f"/desk/?assignee={other}") == {"fr"}
    assert listed(desk, "/desk/review/?assignee=none", desk["reviewer"]) == {
        "late",
        "held",
        "inherits",
    }


def test_needs_my_attention_for_an_editor(desk):
    # Their drafts (assigned to them, or unassigned and theirs) and what was sent back.
    mine = {"my_draft", "assigned_to_me", "sent_back"}
    assert listed(desk, "/desk/claims/?attention=on") == mine
    assert listed(desk, "/desk/?attention=on") == {"fr", "en"}
    # For the other editor: the claim assigned to them and their unassigned drafts.
    assert listed(desk, "/desk/claims/?attention=on", desk["other"]) == {
        "assigned_away",
        "soon",
        "next_week",
    }


def test_needs_my_attention_for_a_reviewer(desk, make_user):
    reviewer = desk["reviewer"]
    # Reviews they hold, and the ones nobody holds.
    assert listed(desk, "/desk/review/?attention=on", reviewer) == {"late", "held", "inherits"}
    second = make_user("rev2", "Reviewers")
    assert listed(desk, "/desk/review/?attention=on", second) == {"late", "inherits"}
    # Reviewers may edit claims too: their own drafts would count; they have none.
    assert listed(desk, "/desk/claims/?attention=on", second) == {"late", "inherits"}


def test_a_reviewer_is_not_asked_to_review_their_own_claim(desk, make_user):
    both = make_user("both", "Reviewers")
    mine = claim(desk["fr"], both, 4, status=S.IN_REVIEW)
    assert mine.pk not in claim_links(html_for(both, "/desk/claims/?attention=on"))


def html_for(user, path, expect=200):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return html(client, path, expect)


def test_invalid_filter_values_are_named_and_ignored(desk):
    page = html_for(desk["editor"], "/desk/?status=nope&due=later&language=en")
    assert "Select a valid choice. nope is not one of the available choices." in page
    assert "later is not one of the available choices" in page
    # The valid filter still applies.
    assert article_links(page) == [desk["en"].pk]


def test_due_soon_is_the_next_seven_days(desk):
    assert "next_week" not in listed(desk, "/desk/claims/?due=soon")
    Claim.objects.filter(pk=desk["claims"]["next_week"].pk).update(
        due_on=TODAY() + dt.timedelta(days=6)
    )
    assert "next_week" in listed(desk, "/desk/claims/?due=soon")


# -- the review queue ------------------------------------------------------------------


def test_queue_sorts_by_due_date_then_age_and_shows_what_is_overdue(
    reviewer_client, editor, reviewer, make_user
):
    today = TODAY()
    a = article(editor, "Queue", due_on=today + dt.timedelta(days=3))
    b = article(editor, "Queue sans date")
    now = timezone.now()
    hours = dt.timedelta(hours=1)
    no_date_old = claim(b, editor, 0, status=S.IN_REVIEW, submitted_at=now - 50 * hours)
    no_date_new = claim(b, editor, 1, status=S.IN_REVIEW, submitted_at=now - 1 * hours)
    inherits = claim(a, editor, 0, status=S.IN_REVIEW, submitted_at=now - 2 * hours)
    late = claim(
        b, editor, 2, status=S.IN_REVIEW, due_on=today - dt.timedelta(days=1), submitted_at=now
    )
    tie_old = claim(b, editor, 3, status=S.IN_REVIEW, due_on=today, submitted_at=now - 9 * hours)
    tie_new = claim(b, editor, 4, status=S.IN_REVIEW, due_on=today, submitted_at=now - 3 * hours)
    Claim.objects.filter(pk=tie_new.pk).update(reviewing_by=make_user("rev2", "Reviewers"))
    claim(b, editor, 5, status=S.DRAFT, due_on=today - dt.timedelta(days=5))  # not in review
    page = html(reviewer_client, "/desk/review/")
    assert queue_links(page) == [
        late.pk,
        tie_old.pk,
        tie_new.pk,
        inherits.pk,
        no_date_old.pk,
        no_date_new.pk,
    ]
    rows = page.split("<tr")[2:]
    assert "Overdue" in rows[0] and rows[0].count("Overdue") == 1
    assert not any("Overdue" in row for row in rows[1:])
    assert "Being reviewed by rev2" in rows[2]
    assert "Nobody yet" in rows[0]
    assert "No due date" in rows[4]
    assert f'<time datetime="{(today + dt.timedelta(days=3)).isoformat()}">' in rows[3]


def test_queue_overdue_filter(desk):
    assert listed(desk, "/desk/review/?due=overdue", desk["reviewer"]) == {"late", "inherits"}
    assert listed(desk, "/desk/review/?language=en", desk["reviewer"]) == {"held"}


# -- My work -------------------------------------------------------------------------------


def work(page: str, key: str) -> tuple[int, list[int]]:
    """A My work section's count and the claims it links to."""
    section = page[page.index(f'id="work-{key}"') :]
    section = section[: section.index("</section>")]
    count = int(re.search(r'class="count">\((\d+)\)', section).group(1))
    return count, claim_links(section)


def test_my_work_for_an_editor(desk):
    c = desk["claims"]
    Claim.objects.filter(pk=c["sent_back"].pk).update(due_on=TODAY() - dt.timedelta(days=1))
    page = html_for(desk["editor"], "/desk/")
    assert work(page, "drafts") == (2, [c["assigned_to_me"].pk, c["my_draft"].pk])
    assert work(page, "sent_back") == (1, [c["sent_back"].pk])
    assert work(page, "overdue") == (1, [c["sent_back"].pk])
    assert work(page, "published") == (1, [c["published"].pk])
    assert 'id="work-holding"' not in page  # editors hold no reviews
    # Links to the claim in its article, not grey text.
    assert f'href="/desk/articles/{desk["fr"].pk}/?claim={c["my_draft"].pk}"' in page


def test_my_work_for_a_reviewer(desk):
    c = desk["claims"]
    page = html_for(desk["reviewer"], "/desk/")
    assert work(page, "holding") == (1, [c["held"].pk])
    assert work(page, "overdue") == (2, [c["late"].pk, c["inherits"].pk])
    assert work(page, "drafts") == (0, [])
    assert "Nothing here." in page


def test_my_work_says_how_many_and_links_to_them_all(editor_client, editor):
    a = article(editor)
    made = [claim(a, editor, n) for n in range(8)]
    page = html(editor_client, "/desk/")
    count, shown = work(page, "drafts")
    assert count == 8 and len(shown) == 5
    assert 'href="/desk/claims/?work=drafts">See all 8' in page
    listed_all = claim_links(html(editor_client, "/desk/claims/?work=drafts"))
    assert sorted(listed_all) == sorted(c.pk for c in made)


def test_recently_published_leaves_old_publications_out(editor_client, editor):
    a = article(editor)
    recent = claim(a, editor, 0, status=S.PUBLISHED)
    claim(
        a, editor, 1, status=S.PUBLISHED, last_published_at=timezone.now() - dt.timedelta(days=40)
    )
    page = html(editor_client, "/desk/")
    assert work(page, "published") == (1, [recent.pk])


# -- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/claims/", "/desk/review/", "/desk/?attention=on"]
)
def test_anonymous_visitors_log_in_and_outsiders_are_refused(client, outsider, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(path).status_code == 403


def test_editors_cannot_open_the_review_queue(editor_client):
    assert editor_client.get("/desk/review/").status_code == 403
    assert editor_client.get("/desk/claims/?work=holding").status_code == 200  # ignored


def test_lists_refuse_other_methods(editor_client):
    for path in ("/desk/", "/desk/claims/"):
        assert editor_client.post(path).status_code == 405


# -- hostile input --------------------------------------------------------------------------

PARAMS = ("status", "language", "outlet", "assignee", "due", "attention", "work", "page")


def test_naughty_strings_in_the_query_string_never_fail(client, editor, reviewer):
    a = article(editor, "Liste")
    claim(a, editor, 0, status=S.IN_REVIEW)
    client.force_login(reviewer)
    paths = ["/desk/", "/desk/claims/", "/desk/review/"]
    for n, line in enumerate(LINES):
        path = paths[n % 3]
        response = client.get(path, {name: line for name in PARAMS})
        assert response.status_code in (200, 404), (line, response.status_code)
        if "<script" in line.lower():
            assert line not in response.content.decode(), line
    # Every line through every list, one parameter at a time for a sample.
    for line in LINES[::25]:
        for name in PARAMS:
            for path in paths:
                assert client.get(path, {name: line}).status_code in (200, 404), (name, line)


# -- query counts ----------------------------------------------------------------------------


def measure(client, paths):
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200, path
        counts[path] = len(ctx.captured_queries)
    return counts


def fill(editor, other, reviewer, articles, claims_each):
    today = TODAY()
    for n in range(articles):
        a = article(editor, f"Rempli {n}", due_on=today - dt.timedelta(days=1) if n % 2 else None)
        for i in range(claims_each):
            status = [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.PUBLISHED][i % 4]
            claim(
                a,
                other if i % 3 else editor,
                i,
                status=status,
                assignee=editor if i % 4 in (1, 2) else None,
                due_on=today - dt.timedelta(days=i + 1) if i % 3 == 0 else None,
                reviewing_by=editor if status == S.IN_REVIEW else None,
            )


def test_list_query_counts_do_not_grow_with_articles_and_claims(
    client, editor, reviewer, make_user
):
    """Every section of My work is non-empty from the start, so the same queries run."""
    other = make_user("ed2", "Editors")
    editor.groups.add(*reviewer.groups.all())  # an editor who reviews: every section
    fill(editor, other, reviewer, 2, 8)
    client.force_login(editor)
    paths = [
        "/desk/",
        "/desk/?status=draft&due=overdue",
        "/desk/?due=soon",
        "/desk/?due=none&language=fr",
        "/desk/?attention=on&page=1",
        f"/desk/?assignee={editor.pk}",
        "/desk/claims/",
        "/desk/claims/?work=overdue",
        "/desk/review/",
        "/desk/review/?due=overdue&attention=on",
    ]
    client.get("/desk/")
    small = measure(client, paths)
    fill(editor, other, reviewer, 30, 12)
    assert Claim.objects.count() > 300
    assert measure(client, paths) == small
    assert max(small.values()) <= 20, small
