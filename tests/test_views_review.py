"""The review side through the test client: the queue, the review screen, the transitions.

Also the claim panel's "Submit for review", the read-only panel of a claim in review,
the query counts of the review pages, and the read-only admin of the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from claims import services, workflow
from claims.anchoring import make_anchor
from claims.models import Claim, ClaimStatus, ClaimVersion, Rating, ReviewEvent

HX = {"HTTP_HX_REQUEST": "true"}
FOUR_EYES = (
    "You wrote or changed this claim since its last publication: a second person "
    "must approve it (four-eyes rule)."
)
APPROVE_BUTTON = ">Approve and publish</button>"

# --- helpers --------------------------------------------------------------------------------


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def start_tags(html: str, tag_name: str, /, **attrs) -> list[dict]:
    """The attributes of every <name> start tag whose attributes include `attrs`."""
    parser = _StartTags()
    parser.feed(html)
    return [
        found
        for tag, found in parser.tags
        if tag == tag_name and all(found.get(k) == v for k, v in attrs.items())
    ]


def rows_of(html: str) -> list[str]:
    return re.findall(r"<tr\b.*?</tr>", html, re.S)


def row_linking(html: str, claim) -> str:
    (row,) = [r for r in rows_of(html) if f'href="/desk/review/{claim.pk}/"' in r]
    return row


def cell_texts(row: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<t[dh]\b.*?</t[dh]>", row, re.S)
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reload(claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def source_rows(count, *, tag="s"):
    return [
        services.SourceData(
            id=None,
            fields={
                "url": f"https://example.org/{tag}/{n}?a=1&b=2",
                "title": f"Source {tag}{n}",
                "publisher": "Le Journal",
                "stance": "refutes",
                "excerpt": "Un extrait.",
            },
        )
        for n in range(count)
    ]


def make_claim(article, author, index, *, statement="La Terre est plate", sources=2):
    """A submit-ready draft on the article's sentence `index`."""
    # Overlapping claims are allowed: wrap around the demo article's 19 sentences.
    start, end = article.sentences[index % len(article.sentences)]
    claim = services.create_claim(article, author, make_anchor(article.body, start, end))
    services.save_claim(
        claim.pk,
        claim.version,
        author,
        {
            "statement": statement,
            "claimant": "Un oncle",
            "claim_date": dt.date(2025, 2, 11),
            "rating": Rating.objects.get(label="Faux"),
            "ruling": "Elle ne l'est pas.",
        },
        source_rows(sources, tag=str(index)),
    )
    return reload(claim)


def submitted(article, author, index, **kwargs) -> Claim:
    claim = make_claim(article, author, index, **kwargs)
    workflow.submit(claim.pk, author)
    return reload(claim)


def edit(claim, user, **fields) -> Claim:
    claim = reload(claim)
    sources = [
        services.SourceData(id=s.pk, fields={n: getattr(s, n) for n in services.SOURCE_FIELDS})
        for s in claim.sources.all()
    ]
    services.save_claim(claim.pk, claim.version, user, fields, sources)
    return reload(claim)


def transition(client, claim, action, **data):
    return client.post(f"/desk/claims/{claim.pk}/transition/", {"action": action, **data})


def panel(client, claim) -> str:
    response = client.get(f"/desk/claims/{claim.pk}/", **HX)
    assert response.status_code == 200
    return response.content.decode()


def panel_data(claim, *, action="submit", sources=(), **fields):
    """The claim form as a browser posts it."""
    data = {
        "action": action,
        "version": str(claim.version),
        "statement": "La Lune est un fromage",
        "claimant": "Un voisin",
        "claim_date": "2025-02-11",
        "rating": str(Rating.objects.get(label="Faux").pk),
        "ruling": "Ce n'en est pas un.",
        "sources-TOTAL_FORMS": str(len(sources)),
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "50",
    }
    data.update(fields)
    for i, row in enumerate(sources):
        for name, value in row.items():
            data[f"sources-{i}-{name}"] = value
        data.setdefault(f"sources-{i}-stance", "refutes")
    return data


ONE_SOURCE = [{"url": "https://example.org/lune", "title": "La Lune", "stance": "refutes"}]


@pytest.fixture
def users(demo):
    return demo["users"]


@pytest.fixture
def article(demo):
    return demo["article"]


@pytest.fixture
def in_review(demo):
    """The demo claim in review: written and submitted by `editor`."""
    return reload(demo["claims"][1])


@pytest.fixture
def own_claim(article, users):
    """A claim in review written and submitted by `reviewer` (who may not approve it)."""
    return submitted(article, users["reviewer"], 5, statement="Écrite par le relecteur")


# --- the queue ------------------------------------------------------------------------------


def test_queue_access(client, users, outsider):
    response = client.get("/desk/review/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desk/review/"
    assert client_for(users["reviewer"]).get("/desk/review/").status_code == 200
    assert client_for(users["admin"]).get("/desk/review/").status_code == 200
    assert client_for(users["editor"]).get("/desk/review/").status_code == 403
    assert client_for(outsider).get("/desk/review/").status_code == 403


def test_queue_lists_oldest_first_with_what_a_reviewer_needs(article, users, in_review):
    editor2 = users["editor2"]
    young = submitted(article, editor2, 6, statement="La plus récente")
    old = submitted(article, editor2, 7, statement="La plus ancienne")
    now = timezone.now()
    Claim.objects.filter(pk=old.pk).update(submitted_at=now - dt.timedelta(days=3))
    Claim.objects.filter(pk=in_review.pk).update(
        submitted_at=now - dt.timedelta(hours=2, minutes=5)
    )
    Claim.objects.filter(pk=young.pk).update(submitted_at=now - dt.timedelta(minutes=10))
    response = client_for(users["reviewer"]).get("/desk/review/")
    html = response.content.decode()
    assert "Review queue" in html and "(3)" in html
    links = re.findall(r'<a href="/desk/review/(\d+)/"', html)
    assert links == [str(old.pk), str(in_review.pk), str(young.pk)]
    cells = cell_texts(row_linking(html, in_review))
    assert cells[0] == in_review.statement
    assert cells[1] == article.title
    assert in_review.rating.label == "Inexact"
    assert cells[2] == "Inaccurate"  # in the reviewer's interface language
    assert cells[3] == "editor"
    assert re.fullmatch(r"2\s+hours, 5\s+minutes", cells[4]), cells
    assert start_tags(row_linking(html, in_review), "time")[0]["datetime"].startswith(
        timezone.localtime(now - dt.timedelta(hours=2, minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    old_cells = cell_texts(row_linking(html, old))
    assert old_cells[0] == "La plus ancienne"
    assert old_cells[3] == "editor2"
    assert re.fullmatch(r"3\s+days", old_cells[4]), old_cells


def test_queue_marks_updates_and_who_reviews(users, in_review, demo):
    reviewer2 = users["reviewer2"]
    transition(client_for(reviewer2), in_review, "take_review")
    published = demo["claims"][0]
    workflow.start_update(published.pk, users["editor"])
    edit(published, users["editor"], correction_text="Nouvelle donnée.")
    workflow.submit(published.pk, users["editor"])
    html = client_for(users["reviewer"]).get("/desk/review/").content.decode()
    assert "Being reviewed by reviewer2" in html
    assert "status--update" in row_linking(html, published)
    assert "status--update" not in row_linking(html, in_review)


def test_empty_queue(users, in_review):
    workflow.request_changes(in_review.pk, users["reviewer"], "Non.")
    html = client_for(users["reviewer"]).get("/desk/review/").content.decode()
    assert "Nothing waits for review." in html


def test_desk_shows_the_queue_count(article, users, in_review):
    submitted(article, users["editor2"], 6)
    reviewer_html = client_for(users["reviewer"]).get("/desk/").content.decode()
    assert re.search(
        r'href="/desk/review/">Review queue <span class="count">\(2\)</span>', reviewer_html
    )
    editor_html = client_for(users["editor"]).get("/desk/").content.decode()
    assert "2 claims in review" in editor_html
    assert 'href="/desk/review/">Review queue' not in editor_html


# --- the review screen ----------------------------------------------------------------------


def test_review_screen_shows_passage_sources_verdict_and_ruling(users, in_review):
    response = client_for(users["reviewer2"]).get(f"/desk/review/{in_review.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    marks = re.findall(r"<mark\b[^>]*>(.*?)</mark>", html, re.S)
    assert marks == [escape(in_review.exact)]
    sources = list(in_review.sources.all())
    assert len(sources) == 3
    for source in sources:
        (link,) = start_tags(html, "a", href=source.url)
        assert link["target"] == "_blank"
        assert set(link["rel"].split()) >= {"noopener", "noreferrer"}
        assert escape(source.title) in html
    english = in_review.rating.translations["en"]
    assert re.search(rf'<strong lang="en">{escape(english["label"])}</strong>', html)
    assert escape(english["description"]) in html
    assert escape(in_review.ruling) in html
    assert escape(in_review.statement) in html
    assert escape(in_review.claimant) in html
    assert "Changes since version" not in html  # no diff for a first publication


def test_review_screen_of_an_update_shows_a_diff_against_the_published_version(users, demo):
    editor = users["editor"]
    claim = reload(demo["claims"][0])
    old_statement = claim.statement
    workflow.start_update(claim.pk, editor)
    edit(
        claim,
        editor,
        statement="Une nouvelle formulation",
        correction_text="Le chiffre a été revu.",
    )
    workflow.submit(claim.pk, editor)
    html = client_for(users["reviewer2"]).get(f"/desk/review/{claim.pk}/").content.decode()
    assert "Changes since version 1" in html
    table = re.search(r'<table class="diff">.*?</table>', html, re.S).group(0)
    rows = {cell_texts(r)[0].removesuffix("changed").strip(): r for r in rows_of(table)[1:]}
    assert {"Claim", "Claimant", "Verdict", "Ruling", "Sources"} <= set(rows)
    claim_row = rows["Claim"]
    assert "diff--changed" in claim_row
    assert cell_texts(claim_row)[1:] == [old_statement, "Une nouvelle formulation"]
    assert "diff--changed" not in rows["Verdict"]  # an unchanged field is not flagged
    assert "diff--changed" not in rows["Sources"]
    assert "Le chiffre a été revu." in html  # the correction note the readers will see
    assert APPROVE_BUTTON in html


def test_approve_button_only_for_a_reviewer_who_may_approve(users, own_claim, in_review):
    # reviewer2 did not write either claim.
    for claim in (own_claim, in_review):
        html = client_for(users["reviewer2"]).get(f"/desk/review/{claim.pk}/").content.decode()
        assert APPROVE_BUTTON in html
        assert ">Request changes</button>" in html
    # The author of own_claim is a reviewer: no button, the rule is explained.
    html = client_for(users["reviewer"]).get(f"/desk/review/{own_claim.pk}/").content.decode()
    assert APPROVE_BUTTON not in html
    assert escape(FOUR_EYES) in html
    # An editor may read the review screen but decides nothing.
    html = client_for(users["editor2"]).get(f"/desk/review/{in_review.pk}/").content.decode()
    assert APPROVE_BUTTON not in html
    assert ">Request changes</button>" not in html


def test_review_screen_access(client, users, outsider, in_review):
    url = f"/desk/review/{in_review.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(users["reviewer"]).get("/desk/review/999999/").status_code == 404


def test_opening_the_review_screen_tells_the_editor_who_reviews(users, in_review):
    editor = client_for(users["editor"])
    html = panel(editor, in_review)
    assert "Waiting for a reviewer." in html
    # Opening the review screen claims nothing (a GET changes nothing)...
    editor.get(f"/desk/review/{in_review.pk}/")
    reviewer = client_for(users["reviewer2"])
    html = reviewer.get(f"/desk/review/{in_review.pk}/").content.decode()
    assert reload(in_review).reviewing_by is None
    assert ">Take review</button>" in html and ">Release</button>" not in html
    # ... Take review does, on record; Release gives it back.
    response = transition(reviewer, in_review, "take_review")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/review/{in_review.pk}/"
    assert reload(in_review).reviewing_by == users["reviewer2"]
    html = reviewer.get(response["Location"]).content.decode()
    assert "You are reviewing this claim." in html
    assert ">Release</button>" in html and ">Take review</button>" not in html
    assert "Being reviewed by reviewer2." in panel(editor, in_review)
    other = client_for(users["reviewer"]).get(f"/desk/review/{in_review.pk}/").content.decode()
    assert "Being reviewed by reviewer2." in other
    assert ">Take review</button>" not in other and APPROVE_BUTTON in other
    refused = transition(client_for(users["reviewer"]), in_review, "take_review")
    assert refused.status_code == 409
    assert "reviewer2 is already reviewing this claim." in refused.content.decode()
    assert transition(editor, in_review, "take_review").status_code == 403
    assert transition(reviewer, in_review, "release_review").status_code == 302
    assert reload(in_review).reviewing_by is None
    assert "Waiting for a reviewer." in panel(editor, in_review)
    kinds = list(reload(in_review).events.values_list("kind", flat=True))
    assert kinds[-2:] == ["review_taken", "review_released"]


def test_claim_in_review_is_read_only_in_the_editor_panel(users, in_review):
    html = panel(client_for(users["editor"]), in_review)
    assert 'class="form claim-form"' not in html
    assert ">Save</button>" not in html and ">Submit for review</button>" not in html
    assert "In review since" in html and "submitted by editor" in html
    assert escape(in_review.statement) in html


# --- transitions ----------------------------------------------------------------------------


def test_forged_approve_by_the_author_is_refused(users, own_claim):
    response = transition(
        client_for(users["reviewer"]), own_claim, "approve", version=own_claim.version
    )
    assert response.status_code == 403
    assert escape(FOUR_EYES) in response.content.decode()
    claim = reload(own_claim)
    assert claim.status == ClaimStatus.IN_REVIEW and claim.current_version is None
    assert not ClaimVersion.objects.filter(claim=claim).exists()


def test_forged_approve_by_the_author_with_htmx_shows_the_message_in_the_flash(users, own_claim):
    response = client_for(users["reviewer"]).post(
        f"/desk/claims/{own_claim.pk}/transition/",
        {"action": "approve", "version": own_claim.version},
        **HX,
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert escape(FOUR_EYES) in response.content.decode()
    assert not ClaimVersion.objects.filter(claim=own_claim).exists()


def test_forged_approve_by_an_editor_is_refused(users, in_review):
    for name in ("editor", "editor2"):
        response = transition(
            client_for(users[name]), in_review, "approve", version=in_review.version
        )
        assert response.status_code == 403
        assert "Only reviewers can approve and publish." in response.content.decode()
    assert reload(in_review).status == ClaimStatus.IN_REVIEW
    assert not ClaimVersion.objects.filter(claim=in_review).exists()


def test_forged_request_changes_by_an_editor_is_refused(users, in_review):
    response = transition(client_for(users["editor2"]), in_review, "request_changes", comment="x")
    assert response.status_code == 403
    assert reload(in_review).status == ClaimStatus.IN_REVIEW


def test_transitions_refuse_anonymous_and_roleless_users(client, outsider, in_review):
    response = transition(client, in_review, "approve")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert transition(client_for(outsider), in_review, "approve").status_code == 403
    assert reload(in_review).status == ClaimStatus.IN_REVIEW


def test_transition_endpoint_is_post_only_and_knows_its_actions(users, in_review):
    reviewer = client_for(users["reviewer2"])
    assert reviewer.get(f"/desk/claims/{in_review.pk}/transition/").status_code == 405
    response = transition(reviewer, in_review, "publish_everything")
    assert response.status_code == 400
    assert "Unknown action." in response.content.decode()
    assert transition(reviewer, Claim(pk=999_999), "approve").status_code == 404


@pytest.mark.parametrize("comment", ["", "   "])
def test_request_changes_without_comment_shows_the_error_at_the_field(users, in_review, comment):
    response = transition(
        client_for(users["reviewer2"]), in_review, "request_changes", comment=comment
    )
    assert response.status_code == 400
    html = response.content.decode()
    label = html.index('<label for="id_comment">Comment</label>')
    (error,) = re.findall(r'<ul class="errorlist" id="id_comment_error">(.*?)</ul>', html, re.S)
    assert "Write a comment: say what needs to change." in error
    (textarea,) = start_tags(html, "textarea", name="comment")
    assert textarea["aria-invalid"] == "true"
    assert "id_comment_error" in textarea["aria-describedby"].split()
    # The message sits between the Comment label and its field.
    assert label < html.index('id="id_comment_error"') < html.index('<textarea name="comment"')
    assert html.count('role="alert"') >= 1  # the page-level notice too
    assert reload(in_review).status == ClaimStatus.IN_REVIEW


def test_request_changes_sends_the_claim_back_and_the_editor_sees_the_comment(users, in_review):
    comment = "Ajoutez la source primaire <b>& datez-la</b>."
    response = transition(
        client_for(users["reviewer2"]), in_review, "request_changes", comment=comment
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/review/"
    claim = reload(in_review)
    assert claim.status == ClaimStatus.CHANGES_REQUESTED
    event = ReviewEvent.objects.filter(claim=claim).latest("pk")
    assert (event.kind, event.actor, event.comment) == (
        "changes_requested",
        users["reviewer2"],
        comment,
    )
    html = panel(client_for(users["editor"]), claim)
    assert "Changes requested</strong> by reviewer2" in html
    assert escape(comment) in html and "<b>&" not in html
    assert 'class="form claim-form"' in html  # editable again
    assert ">Submit for review</button>" in html


def test_approve_publishes_and_returns_to_the_queue(users, in_review):
    client = client_for(users["reviewer2"])
    client.get(f"/desk/review/{in_review.pk}/")
    version = reload(in_review).version
    response = transition(client, in_review, "approve", version=version)
    assert response.status_code == 302
    assert response["Location"] == "/desk/review/"
    claim = reload(in_review)
    assert claim.status == ClaimStatus.PUBLISHED
    published = ClaimVersion.objects.get(claim=claim)
    assert published.number == 1 and published.approved_by == users["reviewer2"]
    assert claim.current_version == published
    html = client.get("/desk/review/").content.decode()
    assert "Approved and published." in html
    assert f'href="/desk/review/{claim.pk}/"' not in html


def test_approve_after_someone_else_did_explains_it(users, in_review):
    version = in_review.version
    transition(client_for(users["reviewer"]), in_review, "approve", version=version)
    response = transition(client_for(users["reviewer2"]), in_review, "approve", version=version)
    assert response.status_code == 409
    assert "reviewer has already approved and published this claim." in response.content.decode()
    assert ClaimVersion.objects.filter(claim=in_review).count() == 1


def test_approve_from_a_stale_review_screen_is_refused(users, in_review):
    response = transition(
        client_for(users["reviewer2"]), in_review, "approve", version=in_review.version - 1
    )
    assert response.status_code == 409
    assert "changed while you were reviewing it" in response.content.decode()
    assert not ClaimVersion.objects.filter(claim=in_review).exists()


def test_withdraw_needs_a_reason_then_withdraws(users, demo):
    claim = demo["claims"][0]
    client = client_for(users["reviewer2"])
    response = transition(client, claim, "withdraw", reason=" ")
    assert response.status_code == 400
    html = response.content.decode()
    (error,) = re.findall(r'<ul class="errorlist" id="id_reason_error">(.*?)</ul>', html, re.S)
    assert "Write the reason for withdrawing" in error
    (textarea,) = start_tags(html, "textarea", name="reason")
    assert textarea["aria-invalid"] == "true"
    assert reload(claim).status == ClaimStatus.PUBLISHED
    response = transition(client, claim, "withdraw", reason="La source a été retirée.")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/review/{claim.pk}/"
    claim = reload(claim)
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claim.withdrawn_reason == "La source a été retirée."
    assert claim.withdrawn_by == users["reviewer2"]
    html = client.get(response["Location"]).content.decode()
    assert "Withdrawn." in html and "nothing to decide now" in html


def test_editor_cannot_withdraw(users, demo):
    claim = demo["claims"][0]
    response = transition(client_for(users["editor"]), claim, "withdraw", reason="Non.")
    assert response.status_code == 403
    assert reload(claim).status == ClaimStatus.PUBLISHED


def test_start_update_from_the_panel(users, demo):
    claim = demo["claims"][0]
    response = client_for(users["editor"]).post(
        f"/desk/claims/{claim.pk}/transition/",
        {"action": "start_update", "from": "panel"},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claim-panel"')
    assert 'class="form claim-form"' in html
    assert "Correction note" in html
    claim = reload(claim)
    assert claim.status == ClaimStatus.DRAFT and claim.current_version.number == 1


# --- the claim panel's Submit for review ----------------------------------------------------


@pytest.fixture
def fresh(article, users):
    """A new draft claim by `editor`, with nothing filled in."""
    start, end = article.sentences[8]
    return services.create_claim(article, users["editor"], make_anchor(article.body, start, end))


def test_panel_submit_saves_then_submits(users, fresh):
    response = client_for(users["editor"]).post(
        f"/desk/claims/{fresh.pk}/", panel_data(fresh, sources=ONE_SOURCE), **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved and submitted for review." in html
    claim = reload(fresh)
    assert claim.status == ClaimStatus.IN_REVIEW
    assert claim.statement == "La Lune est un fromage"
    assert [s.title for s in claim.sources.all()] == ["La Lune"]
    assert claim.submitted_by == users["editor"]
    kinds = list(claim.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["created", "edited", "submitted"]
    # The panel that comes back is read-only: the claim is in review now.
    assert 'class="form claim-form"' not in html
    assert "Waiting for a reviewer." in html


def test_panel_submit_with_missing_fields_saves_but_does_not_submit(users, fresh):
    data = panel_data(fresh, claimant="", ruling="  ")
    response = client_for(users["editor"]).post(f"/desk/claims/{fresh.pk}/", data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Saved, but not submitted. Before submitting, add the claimant, a ruling and at "
        "least one source."
    ) in html
    assert 'role="alert"' in html
    claim = reload(fresh)
    assert claim.status == ClaimStatus.DRAFT
    assert claim.statement == "La Lune est un fromage"  # saved
    assert 'class="form claim-form"' in html and ">Submit for review</button>" in html


def test_panel_submit_of_an_update_asks_for_the_correction_note(users, demo):
    editor = users["editor"]
    claim = demo["claims"][0]
    workflow.start_update(claim.pk, editor)
    claim = reload(claim)
    sources = [
        {"id": str(s.pk), "url": s.url, "title": s.title, "stance": s.stance}
        for s in claim.sources.all()
    ]
    data = panel_data(claim, sources=sources, correction_kind="update", correction_text="")
    data["sources-INITIAL_FORMS"] = str(len(sources))
    response = client_for(editor).post(f"/desk/claims/{claim.pk}/", data, **HX)
    html = response.content.decode()
    assert "Saved, but not submitted. Before submitting, add a correction note" in html
    assert reload(claim).status == ClaimStatus.DRAFT
    data["correction_text"] = "Le chiffre a été revu."
    data["version"] = str(reload(claim).version)
    response = client_for(editor).post(f"/desk/claims/{claim.pk}/", data, **HX)
    assert "Saved and submitted for review." in response.content.decode()
    assert reload(claim).status == ClaimStatus.IN_REVIEW


def test_panel_submit_without_htmx_tells_what_is_missing(users, fresh):
    client = client_for(users["editor"])
    response = client.post(f"/desk/claims/{fresh.pk}/", panel_data(fresh, claimant=""))
    assert response.status_code == 302
    assert reload(fresh).status == ClaimStatus.DRAFT
    html = client.get(response["Location"]).content.decode()
    assert "not submitted" in html and "the claimant" in html


def test_panel_submit_refused_to_a_roleless_user(outsider, fresh):
    response = client_for(outsider).post(
        f"/desk/claims/{fresh.pk}/", panel_data(fresh, sources=ONE_SOURCE), **HX
    )
    assert response.status_code == 403
    assert reload(fresh).status == ClaimStatus.DRAFT


# --- query counts ---------------------------------------------------------------------------


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def busy_claim(article, author, reviewer, index, *, sources):
    """A claim in review with a history: created, edited, submitted, sent back, edited,
    submitted again."""
    claim = submitted(article, author, index, sources=sources)
    workflow.request_changes(claim.pk, reviewer, "Encore une source.")
    edit(claim, author, ruling=f"Elle ne l'est pas ({index}).")
    workflow.submit(claim.pk, author)
    return reload(claim)


def test_review_pages_do_not_grow_with_claims_sources_or_events(users, article, in_review):
    author, sender = users["editor2"], users["reviewer"]
    reviewer = client_for(users["reviewer2"])
    workflow.request_changes(in_review.pk, sender, "Hors champ.")  # only our claims in review
    first = submitted(article, author, 0, sources=1)  # 3 events, 1 source
    review_first = f"/desk/review/{first.pk}/"
    reviewer.get(review_first)  # warm up
    queue_one = count_queries(reviewer, "/desk/review/")
    review_one = count_queries(reviewer, review_first)

    others = [busy_claim(article, author, sender, i, sources=3) for i in range(1, 30)]
    assert Claim.objects.filter(status=ClaimStatus.IN_REVIEW).count() == 30
    busiest = others[-1]
    assert busiest.sources.count() == 3 and busiest.events.count() == 6
    review_busy = f"/desk/review/{busiest.pk}/"
    reviewer.get(review_busy)

    assert count_queries(reviewer, "/desk/review/") == queue_one
    assert count_queries(reviewer, review_first) == review_one
    assert count_queries(reviewer, review_busy) == review_one
    assert queue_one <= 10 and review_one <= 15, (queue_one, review_one)


def test_review_screen_of_an_update_does_not_grow_with_sources(users, article, demo):
    editor, reviewer = users["editor2"], client_for(users["reviewer2"])

    def update_with(claim, extra_sources):
        workflow.start_update(claim.pk, editor)
        claim = reload(claim)
        rows = [
            services.SourceData(id=s.pk, fields={n: getattr(s, n) for n in services.SOURCE_FIELDS})
            for s in claim.sources.all()
        ] + source_rows(extra_sources, tag=f"u{claim.pk}-")
        services.save_claim(claim.pk, claim.version, editor, {"correction_text": "Màj."}, rows)
        workflow.submit(claim.pk, editor)
        reviewer.get(f"/desk/review/{claim.pk}/")
        return f"/desk/review/{claim.pk}/"

    small = demo["claims"][0]
    big = make_claim(article, users["editor"], 9, sources=1)
    workflow.submit(big.pk, users["editor"])
    workflow.approve(big.pk, users["reviewer"])
    small_url, big_url = update_with(small, 0), update_with(big, 12)
    assert count_queries(reviewer, small_url) == count_queries(reviewer, big_url)


# --- the admin: the audit trail and the versions are read-only ------------------------------


@pytest.mark.parametrize("model", ["claimversion", "reviewevent"])
def test_admin_reads_but_never_changes_versions_and_events(users, demo, model):
    admin = client_for(users["admin"])
    if model == "claimversion":
        obj = ClaimVersion.objects.get(claim=demo["claims"][0])
        field, value = "statement", obj.statement
    else:
        obj = ReviewEvent.objects.filter(claim=demo["claims"][0]).latest("pk")
        field, value = "comment", obj.comment
    base = f"/admin/claims/{model}/"
    changelist = admin.get(base)
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert f'href="{base}add/"' not in html
    assert "delete_selected" not in html
    change = admin.get(f"{base}{obj.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin.get(f"{base}add/").status_code == 403
    assert admin.post(f"{base}add/", {field: "forged"}).status_code == 403
    assert admin.post(f"{base}{obj.pk}/change/", {field: "forged"}).status_code == 403
    assert admin.get(f"{base}{obj.pk}/delete/").status_code == 403
    assert admin.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    admin.post(base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    fresh = type(obj).objects.get(pk=obj.pk)
    assert getattr(fresh, field) == value


class _AdminForm(HTMLParser):
    """The values a browser would post from an admin change form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value") or "on"
            elif kind not in ("submit", "button"):
                self.values[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def test_admin_cannot_move_a_claim_through_the_workflow(users, demo):
    admin = client_for(users["admin"])
    draft, other = reload(demo["claims"][2]), reload(demo["claims"][0])
    url = f"/admin/claims/claim/{draft.pk}/change/"
    html = admin.get(url).content.decode()
    form = re.search(r'<form[^>]*id="claim_form".*?</form>', html, re.S)
    assert form, "no change form"
    parser = _AdminForm()
    parser.feed(form.group(0))
    data = {**parser.values, "status": "published", "current_version": other.current_version_id}
    events = ReviewEvent.objects.filter(claim=draft).count()
    admin.post(url, data)
    claim = reload(draft)
    assert claim.status == ClaimStatus.DRAFT
    assert claim.current_version_id is None
    assert ReviewEvent.objects.filter(claim=draft).count() == events
