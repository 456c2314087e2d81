"""The claim panel's server side of issue 11, item 7: numbers, folded sections, error links.

The browser side (focus, Ctrl+S, the address) is in tests/test_browser_annotating.py.
"""

from __future__ import annotations

import re

import pytest

from claims import services
from claims.anchoring import make_anchor
from claims.models import Claim, Rating
from claims.rendering import Highlight, claim_mark_attrs, render_article
from tests.test_views_claims import HX, SOURCE_ROW, save_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(demo):
    return demo["article"]


def new_claim(article, user, sentence):
    start, end = article.sentences[sentence]
    return services.create_claim(article, user, make_anchor(article.body, start, end))


def test_the_panel_and_the_list_show_the_stable_number(editor_client, editor, article, demo):
    first_in_text = new_claim(article, editor, 0)
    assert first_in_text.number == 4  # after the demo's three
    page = editor_client.get(f"/desk/articles/{article.pk}/?claim={first_in_text.pk}")
    html = page.content.decode()
    assert "Claim 4</h2>" in html
    # The list is in text order, each item with its own number.
    numbers = re.findall(r'class="claim-link__num" aria-hidden="true">(\d+)', html)
    assert numbers[0] == "4"
    assert sorted(numbers) == ["1", "2", "3", "4"]
    panel = editor_client.get(f"/desk/claims/{demo['claims'][2].pk}/", **HX).content.decode()
    assert "Claim 3</h2>" in panel


def test_an_htmx_get_of_the_article_address_is_the_panel_it_names(editor_client, article, demo):
    draft = demo["claims"][2]
    base = f"/desk/articles/{article.pk}/"
    named = editor_client.get(f"{base}?claim={draft.pk}", **HX).content.decode()
    assert named.lstrip().startswith('<section id="claim-panel"')
    assert f'data-claim="{draft.pk}"' in named and "article-text" not in named
    empty = editor_client.get(base, **HX).content.decode()
    assert empty.lstrip().startswith('<section id="claim-panel"') and "data-claim=" not in empty
    # A claim of another article, or none at all: the empty panel, never a 500.
    other = services.create_article(draft.created_by, title="Autre", body="Une phrase.")
    stranger = new_claim(other, draft.created_by, 0)
    for query in (f"?claim={stranger.pk}", "?claim=999999", "?claim=x"):
        response = editor_client.get(base + query, **HX)
        assert response.status_code == 200
        assert "data-claim=" not in response.content.decode()


def test_sources_fold_away_unless_there_is_something_to_do_there(editor_client, demo, editor):
    draft = demo["claims"][2]  # two sources
    panel = editor_client.get(f"/desk/claims/{draft.pk}/", **HX).content.decode()
    assert re.search(r'panel-section--sources"[^>]*data-keep-open>', panel)
    fresh = new_claim(demo["article"], editor, 0)  # none: the section is open
    panel = editor_client.get(f"/desk/claims/{fresh.pk}/", **HX).content.decode()
    assert re.search(r"panel-section--sources\"[^>]*data-keep-open open>", panel)
    added = editor_client.post(
        f"/desk/claims/{fresh.pk}/", save_data(fresh.version, action="add_source"), **HX
    ).content.decode()
    assert 'data-focus="id_sources-0-url"' in added
    assert re.search(r"panel-section--sources\"[^>]*data-keep-open open>", added)


def test_field_errors_are_linked_from_the_top_and_focus_goes_to_the_first(editor_client, demo):
    draft = demo["claims"][2]
    sources = [{**SOURCE_ROW, "url": "https://example.org/", "title": "T"}] * 2
    sources[1] = {**sources[1], "url": "pas une adresse"}
    response = editor_client.post(
        f"/desk/claims/{draft.pk}/",
        save_data(draft.version, statement="x" * 501, sources=sources, initial_forms=0),
        **HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    links = re.findall(r'<a class="js-field-link" href="#([^"]+)">([^<]+)</a>', html)
    assert [target for target, _ in links] == ["id_statement", "id_sources-1-url"]
    assert links[1][1].startswith("Source 2, URL: ")
    assert 'data-focus="id_statement"' in html
    # The source at fault is unfolded, with what was typed.
    assert re.search(r"panel-section--sources\"[^>]*data-keep-open open>", html)
    assert 'value="pas une adresse"' in html


def test_a_refused_submission_links_to_what_is_missing(editor_client, editor, demo):
    claim = new_claim(demo["article"], editor, 0)
    response = editor_client.post(
        f"/desk/claims/{claim.pk}/",
        save_data(claim.version, claimant="", ruling="", action="submit"),
        **HX,
    )
    html = response.content.decode()
    assert "Saved, but not submitted." in html
    targets = re.findall(r'class="js-field-link" href="#([^"]+)"', html)
    assert targets == ["id_claimant", "id_rating", "id_ruling", "add-source"]
    assert 'data-focus="id_claimant"' in html
    for target in targets:
        assert f'id="{target}"' in html  # every link leads somewhere


def test_desk_marks_carry_status_and_badges_and_keep_the_text(demo):
    article = demo["article"]
    claims = list(Claim.objects.filter(article=article))
    plain = render_article(
        article.body, article.sentences, [Highlight(c.pk, c.start, c.end) for c in claims]
    )
    marked = render_article(
        article.body,
        article.sentences,
        [Highlight(c.pk, c.start, c.end) for c in claims],
        mark_attrs=claim_mark_attrs(claims),
    )
    strip = re.compile(r"<[^>]+>")
    assert strip.sub("", marked) == strip.sub("", plain)
    for claim in claims:
        assert f'data-status="{claim.status}"' in marked
        assert marked.count(f'data-badge="{claim.number}') == 1
    assert 'data-badge-label="Claim 1, published: "' in marked


def test_each_list_item_names_its_own_claims_verdict(editor_client, editor, article, demo):
    # The list looks each rating's label up once per page: claims sharing a rating, and
    # claims with different ones, must still each show their own.
    ratings = list(Rating.objects.order_by("order"))[:3]
    claims = [new_claim(article, editor, n) for n in range(5)]
    for claim, rating in zip(
        claims, [ratings[0], ratings[1], ratings[0], ratings[2], None], strict=True
    ):
        Claim.objects.filter(pk=claim.pk).update(rating=rating)  # setup, not a desk write
    html = editor_client.get(f"/desk/articles/{article.pk}/").content.decode()
    shown = {
        int(pk): re.findall(r' · <span lang="[^"]+">([^<]+)</span>', item)
        for pk, item in re.findall(r'data-claim="(\d+)"(.*?)</li>', html)
    }
    for claim in Claim.objects.filter(article=article).select_related("rating"):
        expected = [claim.rating.shown_label.label] if claim.rating else []
        assert shown[claim.pk] == expected, claim.number
    assert {label for labels in shown.values() for label in labels} >= {
        r.shown_label.label for r in ratings
    }
