"""Nothing unpublished reaches a reader: claims in every non-published state, with
recognisable text in every field, and every public page and format searched for it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils.text import slugify

from claims import discussion, services, workflow
from claims.anchoring import make_anchor
from claims.models import Claim, ClaimStatus, Rating
from tests.test_public_support import (  # noqa: F401 - fixtures
    PUBLIC_PATHS,
    _fresh_public_cache,
    _quiet_notifications,
    people,
    publish,
)

pytestmark = pytest.mark.django_db

CANARY = "LEAKCANARY"


def canary_fields(state: str) -> dict:
    tag = f"{CANARY}-{state}"
    return {
        "statement": f"{tag} statement",
        "claimant": f"{tag} claimant",
        "claim_date": dt.date(2025, 2, 1),
        "rating": Rating.objects.get(label="Faux"),
        "ruling": f"{tag} ruling",
    }


def canary_sources(state: str):
    tag = f"{CANARY}-{state}"
    return [
        services.SourceData(
            id=None,
            fields={
                "url": f"https://example.org/{tag}/source",
                "title": f"{tag} source title",
                "publisher": f"{tag} publisher",
                "stance": "refutes",
                "excerpt": f"{tag} excerpt",
                "archive_url": f"https://archive.example.org/{tag}",
            },
        )
    ]


def neutral_fields(text: str) -> dict:
    return {
        "statement": f"{text} statement",
        "claimant": f"{text} claimant",
        "claim_date": dt.date(2025, 2, 1),
        "rating": Rating.objects.get(label="Vrai"),
        "ruling": f"{text} ruling",
    }


def neutral_sources(text: str):
    return [
        services.SourceData(
            id=None,
            fields={"url": f"https://example.org/{slugify(text)}", "title": f"{text} source"},
        )
    ]


def claim_on(article, phrase, fields, sources):
    editor, _ = people()
    start = article.body.index(phrase)
    claim = services.create_claim(
        article, editor, make_anchor(article.body, start, start + len(phrase))
    )
    return services.save_claim(claim.pk, claim.version, editor, fields, sources)


def save(claim, fields, sources, correction=None):
    editor, _ = people()
    claim.refresh_from_db()
    if correction:
        fields = {**fields, "correction_kind": "update", "correction_text": correction}
    return services.save_claim(claim.pk, claim.version, editor, fields, sources)


@pytest.fixture
def newsroom():
    """One article with only unpublished claims, one with public claims in every state."""
    editor, reviewer = people()
    hidden_body = (
        "QUOTECANARY-draft est une phrase. QUOTECANARY-review en est une autre. "
        "QUOTECANARY-changes aussi."
    )
    hidden = services.create_article(
        editor, title=f"{CANARY}-article title", language="fr", body=hidden_body
    )
    public_body = (
        "Une affirmation publiée et neutre. Une deuxième affirmation publiée. "
        "Une troisième affirmation publiée. Une quatrième affirmation publiée.\n\n"
        "QUOTECANARY-moved est un passage où une mise à jour a déplacé son surlignage. "
        "Une affirmation retirée plus tard."
    )
    public = services.create_article(
        editor, title="Article public", language="fr", body=public_body
    )

    # Never published: draft, in review, changes requested.
    claim_on(hidden, "QUOTECANARY-draft", canary_fields("draft"), canary_sources("draft"))
    in_review = claim_on(
        hidden, "QUOTECANARY-review", canary_fields("in_review"), canary_sources("in_review")
    )
    workflow.submit(in_review.pk, editor)
    sent_back = claim_on(
        hidden,
        "QUOTECANARY-changes",
        canary_fields("changes_requested"),
        canary_sources("changes_requested"),
    )
    workflow.submit(sent_back.pk, editor)
    workflow.request_changes(sent_back.pk, reviewer, f"{CANARY}-comment")

    # Published, with nothing pending.
    stable = publish(
        claim_on(
            public,
            "Une affirmation publiée et neutre.",
            neutral_fields("Stable"),
            neutral_sources("Stable"),
        )
    )
    # Published, then an update in each state, with new text everywhere.
    updates = {}
    for phrase, state in (
        ("Une deuxième affirmation publiée.", "update_draft"),
        ("Une troisième affirmation publiée.", "update_in_review"),
        ("Une quatrième affirmation publiée.", "update_changes_requested"),
    ):
        claim = publish(claim_on(public, phrase, neutral_fields(state), neutral_sources(state)))
        workflow.start_update(claim.pk, editor)
        save(claim, canary_fields(state), canary_sources(state), f"{CANARY}-{state} note")
        updates[state] = claim
    moved = updates["update_draft"]
    moved.refresh_from_db()
    start = public.body.index("QUOTECANARY-moved")
    services.move_claim_anchor(
        moved.pk, moved.version, editor, make_anchor(public.body, start, start + 40)
    )
    workflow.submit(updates["update_in_review"].pk, editor)
    workflow.submit(updates["update_changes_requested"].pk, editor)
    workflow.request_changes(updates["update_changes_requested"].pk, reviewer, "Encore.")

    # Published with canary text, then withdrawn: its verdict, ruling and sources go.
    withdrawn = publish(
        claim_on(
            public,
            "Une affirmation retirée plus tard.",
            {**canary_fields("withdrawn"), "statement": "Retired statement"},
            canary_sources("withdrawn"),
        )
    )
    workflow.withdraw(withdrawn.pk, reviewer, "Retired because the evidence fell apart.")

    # Internal notes, on published claims above all: never public, never exported.
    for claim in (stable, updates["update_in_review"], withdrawn, in_review):
        note = discussion.add_note(claim.pk, reviewer, f"{CANARY}-note @{editor.username}")
        discussion.add_note(claim.pk, editor, f"{CANARY}-reply", parent_id=note.pk)

    statuses = dict(Claim.objects.values_list("statement", "status"))
    assert set(statuses.values()) == {s.value for s in ClaimStatus}
    return {
        "hidden": hidden,
        "public": public,
        "stable": stable,
        "updates": updates,
        "withdrawn": Claim.objects.get(pk=withdrawn.pk),
    }


def everything_public(client, newsroom) -> dict[str, object]:
    """Every public address we can think of, with the response to it."""
    paths = list(PUBLIC_PATHS)
    for article in (newsroom["hidden"], newsroom["public"]):
        paths += [f"/articles/{article.slug}/", f"/articles/{article.slug}/annotations.jsonld"]
    for claim in Claim.objects.all():
        # Published claims by their address; the others by the address they would get.
        paths.append(f"/fact-checks/{claim.slug or slugify(claim.statement)}/")
        paths.append(f"/fact-checks/{slugify(claim.statement)}/")
    paths += [f"/?verdict={slugify(r.label)}" for r in Rating.objects.all()]
    paths += ["/?page=2", "/claim-reviews.json?page=2", "/fact-checks/leakcanary/", "/nope/"]
    return {path: client.get(path) for path in dict.fromkeys(paths)}


def test_no_unpublished_text_reaches_any_public_response(client, newsroom):
    responses = everything_public(client, newsroom)
    assert responses[f"/articles/{newsroom['hidden'].slug}/"].status_code == 404
    # A positive control: the search covers real pages, not only 404s.
    ok = [path for path, response in responses.items() if response.status_code == 200]
    assert len(ok) >= 15, ok
    for path, response in responses.items():
        assert response.status_code < 500, path
        body = response.content.decode("utf-8")
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert CANARY not in body, (path, body[body.find(CANARY) - 200 : body.find(CANARY) + 60])
        assert CANARY not in headers, path
        assert "QUOTECANARY-draft" not in body and "QUOTECANARY-review" not in body, path


def test_an_article_shows_only_published_highlights_and_counts(client, newsroom):
    public = newsroom["public"]
    html = client.get(f"/articles/{public.slug}/").content.decode()
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", html)
    # The four published (or updating) claims, at their published place; not
    # the withdrawn one, not the place an update moved one to.
    assert len(marked) == 4
    assert not any("QUOTECANARY" in m or "retirée" in m for m in marked)
    assert re.findall(r'data-claims="([^"]*)"', html) == ["1", "2", "3", "4"]
    assert "4 passages of this article were fact-checked" in html


def test_fact_check_pages_show_the_last_published_version(client, newsroom):
    for state, claim in newsroom["updates"].items():
        html = client.get(f"/fact-checks/{claim.slug}/").content.decode()
        assert f"{state} statement" in html and f"{state} ruling" in html
        assert f"{state} source" in html
        assert "Updates and corrections" not in html  # the pending note is not published


def test_machine_readable_output_counts_only_published_fact_checks(client, newsroom):
    """Published versions only; the withdrawn one stays, marked withdrawn, without its verdict."""
    data = json.loads(client.get("/claim-reviews.json").content)
    assert data["count"] == 5
    reviewed = {item["claimReviewed"] for item in data["items"]}
    assert reviewed == {
        "Stable statement",
        "update_draft statement",
        "update_in_review statement",
        "update_changes_requested statement",
        "Retired statement",
    }
    (retired,) = [i for i in data["items"] if i["claimReviewed"] == "Retired statement"]
    assert retired["creativeWorkStatus"] == "Withdrawn" and "reviewRating" not in retired
    annotations = json.loads(
        client.get(f"/articles/{newsroom['public'].slug}/annotations.jsonld").content
    )
    assert annotations["total"] == 4
    feed = client.get("/fact-checks.atom").content.decode()
    assert feed.count("<entry>") == 5 and "Withdrawn: Retired statement" in feed


def test_the_withdrawn_fact_check_says_only_when_and_why(client, newsroom):
    withdrawn = newsroom["withdrawn"]
    html = client.get(f"/fact-checks/{withdrawn.slug}/").content.decode()
    assert "Retired statement" in html
    assert "Retired because the evidence fell apart." in html
    assert "Faux" not in html.split("</head>")[1].split('class="footer"')[0]
    assert "application/ld+json" not in html


def test_public_search_finds_no_unpublished_text(client, newsroom):
    """Every canary word, searched by readers: nothing, while the desk's search finds them."""
    from claims import search

    words = ["LEAKCANARY", "QUOTECANARY", "statement", "ruling", "source", "publisher"]
    words += [f"{CANARY}-{state}" for state in ("draft", "in_review", "update_draft")]
    words += ["comment", "note", "excerpt", "Retired", "evidence"]
    for word in words:
        response = client.get("/search/", {"q": word})
        assert response.status_code == 200, word
        body = response.content.decode()
        if CANARY in word:
            assert "0 fact-checks found" in body, word
        # The words typed are shown back (title, box, language switcher); nothing else may say it.
        shown = body.replace(word, "").replace(word.replace("-", "%2D"), "")
        assert CANARY not in shown, (word, shown[shown.find(CANARY) - 300 : shown.find(CANARY)])
        assert "QUOTECANARY" not in shown, word
    # A positive control: published words are found, and the desk does see the canaries.
    assert "4 fact-checks found" in client.get("/search/", {"q": "statement"}).content.decode()
    found = search.search("claims", search.parse(CANARY), offset=0, limit=50)
    assert found.total >= 6
    assert search.search("published", search.parse(CANARY), offset=0, limit=50).total == 0
