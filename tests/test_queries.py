"""Query counts of the desk pages do not grow with the number of claims or sources (DESIGN §9)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.anchoring import make_anchor
from claims.models import Article, Claim, Rating, Source

HX = {"HTTP_HX_REQUEST": "true"}
SENTENCES = 60


@pytest.fixture
def article(editor):
    body = " ".join(f"Phrase numéro {i} de l’article." for i in range(SENTENCES))
    body += "\n\n" + " ".join(f"Deuxième paragraphe, phrase {i}." for i in range(SENTENCES))
    return services.create_article(editor, title="Compte", language="fr", body=body)


def add_claims(article, user, count, *, sources=3, rated=True):
    """Add `count` claims on successive sentences, each with `sources` sources."""
    rating = Rating.objects.order_by("pk").first() if rated else None
    existing = Claim.objects.filter(article=article).count()
    made = []
    for i in range(existing, existing + count):
        start, end = article.sentences[i]
        claim = services.create_claim(article, user, make_anchor(article.body, start, end))
        Claim.objects.filter(pk=claim.pk).update(
            statement=f"Affirmation {i}", claimant="Quelqu’un", rating=rating, ruling="Non."
        )
        Source.objects.bulk_create(
            Source(
                claim=claim,
                url=f"https://example.org/{i}/{n}",
                title=f"S{i}.{n}",
                publisher="P",
                order=n,
            )
            for n in range(sources)
        )
        made.append(claim)
    return made


def save_post(claim):
    claim.refresh_from_db()
    data = {
        "action": "save",
        "version": str(claim.version),
        "statement": "Affirmation modifiée",
        "claimant": "Quelqu’un",
        "claim_date": "2025-02-11",
        "rating": str(claim.rating_id or ""),
        "ruling": "Non.",
    }
    sources = list(claim.sources.order_by("order"))
    data.update(
        {
            "sources-TOTAL_FORMS": str(len(sources)),
            "sources-INITIAL_FORMS": str(len(sources)),
            "sources-MIN_NUM_FORMS": "0",
            "sources-MAX_NUM_FORMS": "50",
        }
    )
    for i, s in enumerate(sources):
        data.update(
            {
                f"sources-{i}-id": str(s.pk),
                f"sources-{i}-url": s.url,
                f"sources-{i}-title": s.title + "!",
                f"sources-{i}-publisher": s.publisher,
                f"sources-{i}-stance": s.stance,
                f"sources-{i}-excerpt": "",
                f"sources-{i}-published_on": "",
                f"sources-{i}-accessed_on": "",
                f"sources-{i}-archive_url": "",
            }
        )
    return data


def count(client, method, path, data=None, *, expect=200, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, data or {}, **extra)
    assert response.status_code == expect, (path, response.status_code)
    return len(ctx.captured_queries)


def measure(client, article, first):
    return {
        "desk": count(client, "get", "/desk/"),
        "article": count(client, "get", f"/desk/articles/{article.pk}/"),
        "article+claim": count(client, "get", f"/desk/articles/{article.pk}/?claim={first.pk}"),
        "panel": count(client, "get", f"/desk/claims/{first.pk}/", **HX),
        "panel by address": count(
            client, "get", f"/desk/articles/{article.pk}/?claim={first.pk}", **HX
        ),
        "save": count(client, "post", f"/desk/claims/{first.pk}/", save_post(first), **HX),
        "save (no htmx)": count(
            client, "post", f"/desk/claims/{first.pk}/", save_post(first), expect=302
        ),
        "add source": count(
            client,
            "post",
            f"/desk/claims/{first.pk}/",
            {**save_post(first), "action": "add_source"},
            **HX,
        ),
        "delete confirm": count(client, "get", f"/desk/claims/{first.pk}/delete/", **HX),
    }


def test_counts_do_not_grow_with_claims_and_sources(editor_client, editor, article):
    (first,) = add_claims(article, editor, 1)
    editor_client.get("/desk/")  # warm up per-process caches (content types, templates)
    one = measure(editor_client, article, first)

    add_claims(article, editor, 49)
    for n in range(5):  # more articles on the desk too
        other = services.create_article(editor, title=f"Autre {n}", body="Une phrase.")
        add_claims(other, editor, 1)
    assert Claim.objects.filter(article=article).count() == 50
    assert Source.objects.filter(claim__article=article).count() == 150
    fifty = measure(editor_client, article, first)
    assert fifty == one


def test_counts_with_many_claims_stay_small(editor_client, editor, article):
    add_claims(article, editor, 50)
    first = Claim.objects.filter(article=article).order_by("start").first()
    counts = measure(editor_client, article, first)
    # Session, user, permissions (2), then a handful per page; a save also
    # locks the row, syncs the sources and appends an audit event. The panel
    # adds two for shared work: the assignment form's editors and the notes.
    # The desk's home adds its filters' choices, a page of articles with their
    # counts and one query per "My work" section. A save that redraws the text
    # also redraws the orphans and the revision summary (the latest revision).
    limits = {"desk": 21}
    for name, value in counts.items():
        limit = limits.get(name, 27 if name.startswith("save") else 17)
        assert value <= limit, (name, value, counts)


def test_exact_count_for_annotating_screen(
    editor_client, editor, article, django_assert_num_queries
):
    (first,) = add_claims(article, editor, 1)
    path = f"/desk/articles/{article.pk}/?claim={first.pk}"
    editor_client.get(path)
    n = count(editor_client, "get", path)
    add_claims(article, editor, 49)
    with django_assert_num_queries(n):
        assert editor_client.get(path).status_code == 200


def test_save_count_does_not_grow_with_sources(editor_client, editor, article):
    """Sources are written with bulk operations: 1 source or 20 costs the same."""
    one, twenty = add_claims(article, editor, 1, sources=1)[0], None
    twenty = add_claims(article, editor, 1, sources=20)[0]
    editor_client.get("/desk/")
    a = count(editor_client, "post", f"/desk/claims/{one.pk}/", save_post(one), **HX)
    b = count(editor_client, "post", f"/desk/claims/{twenty.pk}/", save_post(twenty), **HX)
    assert a == b
    assert list(twenty.sources.order_by("order").values_list("title", flat=True)) == [
        f"S1.{n}!" for n in range(20)
    ]


def test_desk_count_does_not_grow_with_articles(editor_client, editor):
    services.create_article(editor, title="Un", body="Une phrase.")
    editor_client.get("/desk/")
    one = count(editor_client, "get", "/desk/")
    for n in range(30):
        article = services.create_article(editor, title=f"Article {n}", body="Une phrase.")
        add_claims(article, editor, 1, sources=2)
    assert Article.objects.count() == 31
    assert count(editor_client, "get", "/desk/") == one


def test_annotating_screen_and_review_counts_do_not_grow_with_notes(
    editor_client, editor, reviewer, article
):
    """Notes and their replies are prefetched: one note or sixty costs the same."""
    from claims import discussion, ownership

    (first,) = add_claims(article, editor, 1)
    ownership.set_ownership(first.pk, editor, assignee=editor, due_on=None)
    note = discussion.add_note(first.pk, editor, "Première note @rev")
    discussion.add_note(first.pk, reviewer, "Réponse", parent_id=note.pk)
    paths = [
        f"/desk/articles/{article.pk}/?claim={first.pk}",
        f"/desk/review/{first.pk}/",
    ]
    editor_client.get(paths[0])
    before = [count(editor_client, "get", path) for path in paths]
    panel = count(editor_client, "get", f"/desk/claims/{first.pk}/", **HX)
    for n in range(30):
        parent = discussion.add_note(first.pk, reviewer, f"Note {n} @ed")
        discussion.add_note(first.pk, editor, f"Réponse {n}", parent_id=parent.pk)
    assert [count(editor_client, "get", path) for path in paths] == before
    assert count(editor_client, "get", f"/desk/claims/{first.pk}/", **HX) == panel
    html = editor_client.get(paths[0]).content.decode()
    assert "Note 29 @ed" in html and "Réponse 29" in html


def test_desk_search_count_does_not_grow_with_results(editor_client, editor, article):
    """Session, user, permissions, the shown kind's count and page, the other kind's
    count (each search in a savepoint), the objects of the page."""
    add_claims(article, editor, 1)
    editor_client.get("/desk/search/?q=affirmation")
    one = count(editor_client, "get", "/desk/search/?q=affirmation")
    add_claims(article, editor, 40)
    # 13: the header's notification bell counts unread notices.
    assert count(editor_client, "get", "/desk/search/?q=affirmation") == one <= 13
    assert count(editor_client, "get", "/desk/search/?q=compte&kind=articles") <= 13


def test_counts_after_revisions_do_not_grow(editor_client, editor, article):
    """The annotating screen with revision marks and orphans, and the History page."""
    from claims import revisions

    def revise_and_measure(claims):
        article.refresh_from_db()
        # Claimed sentences reworded (to check or orphaned) and the text extended.
        body = article.body.replace("Phrase numéro 1 ", "Phrase numéro un ")
        body = body.replace("Phrase numéro 3 de l’article.", "")
        body += f"\n\nUn paragraphe ajouté ({len(claims)})."
        revisions.revise_article(article.pk, body, user=editor, reason="edited")
        first = claims[0]
        return {
            "article": count(editor_client, "get", f"/desk/articles/{article.pk}/"),
            "article+claim": count(
                editor_client, "get", f"/desk/articles/{article.pk}/?claim={first.pk}"
            ),
            "history": count(editor_client, "get", f"/desk/articles/{article.pk}/history/"),
        }

    claims = add_claims(article, editor, 5)
    editor_client.get("/desk/")
    few = revise_and_measure(claims)
    claims += add_claims(article, editor, 40)
    many = revise_and_measure(claims)
    uncertain = Claim.objects.filter(article=article, anchor_status__in=["needs_check", "orphaned"])
    assert uncertain.exists()
    assert many == few
