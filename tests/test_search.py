"""Search on the desk (/desk/search/) and for readers (/search/), on SQLite (FTS5) and on
PostgreSQL (tsvector, GIN) alike: whichever DATABASE_URL says, the same tests run."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from claims import search, services, workflow
from claims.demo.loader import load_demo
from claims.models import Article, Claim
from claims.public import page_cache
from claims.public.wsgi import StoredPagesApplication
from factcheck.wsgi import django_application
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    draft_claim,
    edit,
    make_article,
    people,
    publish,
    published_claim,
    sentence,
)

pytestmark = pytest.mark.django_db

BLNS = [
    line
    for line in Path(__file__).with_name("blns.txt").read_text(encoding="utf-8").split("\n")
    if line and not line.startswith("#")
]


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def found(kind: str, text: str) -> list[int]:
    return [hit.pk for hit in search.search(kind, search.parse(text), offset=0, limit=50).hits]


def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


# -- what was typed ------------------------------------------------------------------


def test_typed_text_becomes_words_and_never_query_syntax():
    assert search.parse('  "évalué" AND NEAR(x* -y) : l’OpenAI ').terms == (
        "évalué",
        "AND",
        "NEAR",
        "x",
        "y",
        "l",
        "OpenAI",
    )
    assert search.fts5_query(("évalué", "NEAR")) == '"évalué"* "NEAR"*'
    assert search.parse("Prix prix PRIX").terms == ("Prix",)
    assert search.parse("   ").message == "Type a word to search for."
    assert search.parse("?!* «»").message == "Type at least one word, with letters or digits."
    assert "at most 200 characters" in search.parse("a" * 201).message
    many = search.parse(" ".join(f"mot{i}" for i in range(11)))
    assert len(many.terms) == search.MAX_TERMS and many.ignored == 3
    assert "3 more words were left out" in many.note


def test_highlights_escape_every_piece_of_text_and_add_only_our_marks():
    S, E = search.START, search.STOP
    html = search.marked(f"<script>alert(1)</script> {S}év<b>alué{E} & {S}{E}{S}x")
    assert html == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>év&lt;b&gt;alué</mark> &amp; <mark>x</mark>"
    )
    assert search.marked(f"{E}stray{E} end") == "stray end"
    assert search.marked(None) == ""


# -- the desk ------------------------------------------------------------------------


def test_a_reviewer_finds_a_claim_by_a_word_without_its_accents(demo):
    """Issue 11: "evalue" finds "évalué", on SQLite and on PostgreSQL."""
    published = demo["claims"][0]
    assert "évalué" in published.statement
    response = logged_in("reviewer").get("/desk/search/?q=evalue")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/desk/articles/{published.article_id}/?claim={published.pk}"' in html
    assert "évalué" in marks(html)
    assert "1 claim" in html and "1 article" in html
    # Case does not matter either, and the article tab finds the text.
    articles = logged_in("editor").get("/desk/search/?q=EVALUE&kind=articles").content.decode()
    assert f'href="/desk/articles/{published.article_id}/"' in articles
    assert "évalué" in marks(articles)


def test_desk_search_covers_every_field_and_status(demo):
    draft, in_review, published = demo["claims"][2], demo["claims"][1], demo["claims"][0]
    assert found("claims", "lucratif") == [draft.pk]  # a draft: the desk sees everything
    assert in_review.pk in found("claims", "xAI")
    assert found("claims", "Hindustan") == [published.pk]  # a source's publisher
    assert found("claims", "SmartCompany") == [in_review.pk]
    assert set(found("claims", "Tendances numeriques")) == {c.pk for c in demo["claims"]}
    article = demo["article"]
    assert found("articles", "heureuse") == [article.pk]  # title
    assert found("articles", "Digital Trends") == [article.pk]  # outlet


def test_the_index_follows_every_write(demo):
    editor, reviewer = people()
    claim = demo["claims"][2]
    claim.refresh_from_db()
    services.save_claim(
        claim.pk,
        claim.version,
        editor,
        {"ruling": "Une décision entièrement réécrite, zygomatique."},
        [
            services.SourceData(
                id=None,
                fields={"url": "https://example.org/x", "title": "Rapport Quetzalcoatl"},
            )
        ],
    )
    assert found("claims", "zygomatique") == [claim.pk]
    assert found("claims", "quetzalcoatl") == [claim.pk]
    assert found("claims", "Beebom") == []  # its old sources went
    # A write outside the services (the admin edits article metadata) is indexed too.
    article = Article.objects.get(pk=demo["article"].pk)
    article.title = "Un titre tout neuf, ornithorynque"
    article.save()
    assert found("articles", "ornithorynque") == [article.pk]
    Claim.objects.filter(pk=claim.pk).update(claimant="Cassiopée Durand")
    assert found("claims", "cassiopee") == [claim.pk]
    services.delete_claim(claim.pk, editor)
    assert found("claims", "zygomatique") == []


def test_desk_search_is_for_editors_and_reviewers_only(demo, outsider):
    assert Client().get("/desk/search/?q=evalue").status_code == 302
    client = Client()
    client.force_login(outsider)
    response = client.get("/desk/search/?q=evalue")
    assert response.status_code == 403 and "évalué" not in response.content.decode()


def test_desk_pages_carry_the_search_box(demo):
    html = logged_in("editor").get("/desk/").content.decode()
    assert 'action="/desk/search/"' in html and 'name="q"' in html


def test_empty_and_hostile_queries_get_a_message_and_never_a_500(demo):
    client = logged_in("reviewer")
    empty = client.get("/desk/search/?q=")
    assert empty.status_code == 200 and "Type a word" not in empty.content.decode()
    response = client.get("/desk/search/?q=" + quote('"*'))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Type at least one word" in html and 'value="&quot;*"' in html  # kept, escaped
    long = client.get("/desk/search/?q=" + "a" * 250)
    assert long.status_code == 400 and "a" * 250 in long.content.decode()
    assert client.get("/desk/search/?q=openai&page=0").status_code == 404
    assert client.get("/desk/search/?q=openai&page=99").status_code == 404
    for line in BLNS:
        for path in ("/desk/search/", "/search/"):
            response = client.get(path, {"q": line, "kind": line, "page": "1"})
            assert response.status_code in (200, 400), (path, line, response.status_code)
            assert "<script>alert" not in response.content.decode(), line


def test_results_are_ranked_paginated_and_stable(demo):
    editor, _ = people()
    article = make_article(sentences=40)
    made = []
    for i in range(25):
        claim = draft_claim(article, sentence(article, 20 + i), text=f"Tramway numéro {i}")
        made.append(claim.pk)
    # A claim that says it in its statement outranks those that only say it in a source.
    client = logged_in("reviewer")
    first = client.get("/desk/search/?q=tramway").content.decode()
    second = client.get("/desk/search/?q=tramway&page=2").content.decode()
    link = re.compile(r'href="/desk/articles/\d+/\?claim=(\d+)"')
    page1, page2 = link.findall(first), link.findall(second)
    assert len(page1) == 20 and len(page2) == 5
    assert sorted(int(pk) for pk in page1 + page2) == sorted(made)
    assert "25 claims" in first and "Page 1 of 2" in first
    assert link.findall(client.get("/desk/search/?q=tramway").content.decode()) == page1
    ranked = found("claims", "tramway 7")
    assert ranked[0] == made[7]


# -- readers -------------------------------------------------------------------------


def test_readers_find_published_versions_only(demo):
    editor, reviewer = people()
    published, in_review, draft = demo["claims"]
    html = Client().get("/search/?q=evalue").content.decode()
    assert published.slug and f'href="/fact-checks/{published.slug}/"' in html
    assert "évalué" in marks(html)
    assert "1 fact-check found" in html
    assert found("published", "lucratif") == []  # a draft
    assert found("published", "xAI") == []  # in review
    # An update in progress: readers keep finding the published words, never the new ones.
    workflow.start_update(published.pk, editor)
    edit(published, text="Brouillon secret pangolin")
    assert found("published", "pangolin") == []
    assert found("claims", "pangolin") == [published.pk]
    assert found("published", "evalue") == [published.pk]
    # Withdrawn: gone from search, as from the home page.
    article = make_article()
    other = published_claim(article, sentence(article, 3), text="Hippocampe")
    assert found("published", "hippocampe") == [other.pk]
    workflow.withdraw(other.pk, reviewer, "Retirée.")
    assert found("published", "hippocampe") == []
    assert "Hippocampe" not in Client().get("/search/?q=hippocampe").content.decode()


def test_the_public_header_links_to_search_and_crawlers_stay_out(demo):
    html = Client().get("/").content.decode()
    assert 'action="/search/"' in html
    assert "Disallow: /search/" in Client().get("/robots.txt").content.decode().splitlines()
    assert '<meta name="robots" content="noindex">' in Client().get("/search/?q=x").content.decode()


@pytest.mark.django_db(transaction=True)
def test_search_pages_never_enter_the_page_cache(seeded_live_db):
    """The key holds no `q`: a stored results page would answer every other query.
    Committed data, as the WSGI layer (claims/public/wsgi.py) runs in production."""
    load_demo()
    application = StoredPagesApplication(django_application)

    def get(query):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = status

        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": "/search/",
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        body = b"".join(application(environ, start_response)).decode()
        return answer["status"], body

    for _ in range(2):
        status, first = get("q=evalue")
        assert status == "200 OK" and "1 fact-check found" in first
        status, other = get("q=xylophone")
        assert status == "200 OK" and "0 fact-checks found" in other
        assert "évalué" not in marks(other)
    assert not any(key.path == "/search/" for key in page_cache.pages._pages)
    assert Client().get("/search/?q=evalue").headers["Cache-Control"] == "no-cache"


def test_the_index_uses_the_engine_the_readme_says():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexdef ILIKE '%%USING gin%%vector%%'"
            )
            assert len(cursor.fetchall()) == 3
            cursor.execute("SELECT to_tsvector('french_unaccent', 'évalué')::text")
            assert cursor.fetchone()[0] == "'evalu':1"
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE name IN "
                "('claims_article_fts', 'claims_claim_fts', 'claims_public_fts')"
            )
            tables = [row[0] for row in cursor.fetchall()]
            assert len(tables) == 3
            assert all("fts5" in sql and "remove_diacritics 2" in sql for sql in tables)


def test_a_missing_trigger_is_put_back_after_migrate_and_the_index_caught_up(demo):
    """SQLite drops a table's triggers when a migration rebuilds the table (post_migrate)."""
    from claims import search_schema

    name = (
        "factcheck_claim_search"
        if connection.vendor == "postgresql"
        else "claims_claim_search_update"
    )
    with connection.cursor() as cursor:
        on = " ON claims_claim" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER {name}{on}")
    claim = demo["claims"][2]
    Claim.objects.filter(pk=claim.pk).update(statement="Un mot nouveau : chrysanthème")
    assert found("claims", "chrysantheme") == []  # written while the trigger was gone
    if connection.vendor == "postgresql":  # migrate runs DDL with no deferred checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search_schema.ensure_after_migrate(sender=None, using="default")
    assert found("claims", "chrysantheme") == [claim.pk]
    Claim.objects.filter(pk=claim.pk).update(statement="Encore un autre : bégonia")
    assert found("claims", "begonia") == [claim.pk]


@pytest.mark.django_db(transaction=True)
def test_a_migration_can_still_rebuild_every_indexed_table(seeded_live_db):
    """SQLite rebuilds a table for most changes (copy, drop, rename) and checks every
    trigger at the rename: no trigger may name another table, or later migrations of the
    desk (a field with a default on Claim, Article, ClaimVersion or Source) would fail."""
    from django.db import models

    from claims import search_schema
    from claims.models import ClaimVersion, Source

    load_demo()
    changed = []
    try:
        for model, name in (
            (Claim, "claimant"),
            (Article, "outlet"),
            (ClaimVersion, "claimant"),
            (Source, "publisher"),
        ):
            old = model._meta.get_field(name)
            new = models.CharField(max_length=old.max_length + 1, blank=True, default="x")
            new.set_attributes_from_name(name)
            new.model = model
            with connection.schema_editor() as editor:
                editor.alter_field(model, old, new)
            changed.append((model, old, new))
        search_schema.ensure_after_migrate(sender=None, using="default")
        assert found("claims", "evalue") == found("published", "evalue") != []
        Claim.objects.filter(pk=found("claims", "evalue")[0]).update(statement="Une gazelle")
        assert len(found("claims", "gazelle")) == 1
    finally:
        for model, old, new in reversed(changed):
            with connection.schema_editor() as editor:
                editor.alter_field(model, new, old)
        search_schema.ensure_after_migrate(sender=None, using="default")
