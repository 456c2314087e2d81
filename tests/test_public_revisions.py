"""Readers after a revision of an article's text (issue 10, item 7).

A published claim is highlighted only where the words that were checked are
(`Claim.public_start/end`, which a revision moves only onto the same words);
one whose passage was changed or removed is listed under the article with
the checked quote and the revision's date, its fact-check page says so, and
no machine-readable output points at text nobody checked. Nothing of the
desk's working position or draft reaches a reader. The desk and the review
queue flag such claims: "The article changed since publication".
"""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from claims import revisions, selectors, services, workflow
from claims.anchoring import make_anchor
from claims.models import AnchorStatus, Claim, ClaimStatus, RevisionReason
from claims.public.jsonld import iso
from claims.public.page_cache import pages
from claims.templatetags.html_dates import html_datetime
from tests.test_public_annotations import VALIDATOR
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    draft_claim,
    edit,
    people,
    publish,
)

pytestmark = pytest.mark.django_db

PARAS = [
    "Le chômage a baissé de 2,5 % en 2019, selon l’Insee.",
    "La ministre a présenté mercredi son plan pour l’emploi des jeunes.",
    "Les syndicats jugent le plan insuffisant et demandent davantage de moyens.",
]
BODY = "\n\n".join(PARAS)
ADDED = "Un paragraphe ajouté en tête, que personne n’a vérifié."
REWORDED = "baissé de 1,5 % en 2018"
NEW_BODY = "\n\n".join([ADDED, PARAS[0].replace("2,5 % en 2019", "1,5 % en 2018"), PARAS[2]])
QUOTES = {"kept": PARAS[2], "reworded": "baissé de 2,5 % en 2019", "gone": PARAS[1]}
CANARY = "LEAKCANARY"


def on(article, quote):
    start = article.body.index(quote)
    return start, start + len(quote)


def reattach(claim, user):
    """A person places the highlight again (submission waits for that after a revision):
    on the article's first sentence."""
    claim = Claim.objects.select_related("article").get(pk=claim.pk)
    body = claim.article.body
    services.move_claim_anchor(
        claim.pk, claim.version, user, make_anchor(body, *claim.article.sentences[0])
    )


def published_newsroom():
    """An article with three published claims, before any revision."""
    editor, _ = people()
    article = services.create_article(
        editor,
        title="Chômage",
        language="fr",
        body=BODY,
        url="https://news.example.org/chomage",
    )
    claims = {
        name: publish(draft_claim(article, on(article, quote), text=name.capitalize()))
        for name, quote in QUOTES.items()
    }
    return article, claims


def revise(article):
    editor, _ = people()
    outcome = revisions.revise_article(
        article.pk, NEW_BODY, user=editor, reason=RevisionReason.EDITED, note="Chiffres corrigés"
    )
    article.refresh_from_db()
    return outcome.revision


@pytest.fixture
def revised():
    article, claims = published_newsroom()
    revision = revise(article)
    claims = {name: Claim.objects.get(pk=c.pk) for name, c in claims.items()}
    # What re-anchoring did, which every test below relies on.
    assert claims["kept"].public_anchor_status == AnchorStatus.KEPT
    assert claims["reworded"].anchor_status == AnchorStatus.NEEDS_CHECK
    assert claims["reworded"].exact == REWORDED  # the desk's candidate, on unchecked words
    assert claims["gone"].anchor_status == AnchorStatus.ORPHANED
    return {"article": article, "claims": claims, "revision": revision}


def document(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return lxml.html.fromstring(response.content.decode("utf-8"))


def marks_at(root) -> list[tuple[int, str, str]]:
    """(offset in #article-text's text, text, id of its link) of each <mark>, in order."""
    (text,) = root.xpath('//*[@id="article-text"]')
    found, position = [], 0

    def walk(element):
        nonlocal position
        start = position
        position += len(element.text or "")
        for child in element:
            walk(child)
            position += len(child.tail or "")
        if element.tag == "mark":
            found.append((start, element.text_content(), element.getparent().get("id") or ""))

    walk(text)
    assert position == len(text.text_content())
    return sorted(found)


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def long_date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


# -- the article page -------------------------------------------------------------


def test_the_kept_claim_is_highlighted_on_its_words_at_their_new_offsets(client, revised):
    kept = revised["claims"]["kept"]
    root = document(client, f"/articles/{revised['article'].slug}/")
    assert text_of(root.xpath('//*[@id="article-text"]')[0]) == " ".join(NEW_BODY.split())
    start = NEW_BODY.index(PARAS[2])
    assert start != BODY.index(PARAS[2])  # the revision moved it
    assert (kept.public_start, kept.public_end) == (start, start + len(PARAS[2]))
    # Exactly one highlight: the kept claim's words, where they are now.
    assert marks_at(root) == [(start, PARAS[2], f"fc-{kept.slug}")]


def test_changed_passages_are_listed_under_the_article_with_the_date(client, revised):
    article, claims, revision = revised["article"], revised["claims"], revised["revision"]
    root = document(client, f"/articles/{article.slug}/")
    (section,) = root.xpath('//section[@id="changed-passages"]')
    # Under the text, inside the article, after its text.
    assert section.getparent().get("class") == "reading__text"
    assert section.getprevious().get("id") == "article-text"
    (heading,) = section.xpath("./h2")
    assert text_of(heading) == "These passages were changed or removed after our fact-check"
    assert section.get("aria-labelledby") == heading.get("id")
    items = section.xpath("./ul/li")
    assert [item.get("id") for item in items] == [
        f"fc-{claims['reworded'].slug}",
        f"fc-{claims['gone'].slug}",
    ]
    for item, name in zip(items, ("reworded", "gone"), strict=True):
        claim = claims[name]
        # The quote as checked, not the words there now.
        assert text_of(item.xpath(".//blockquote")[0]) == QUOTES[name]
        (when,) = item.xpath(".//time")
        assert when.get("datetime") == html_datetime(revision.created_at)
        assert text_of(when) == long_date(revision.created_at)
        assert claim.public_changed_at == revision.created_at
        assert f"Article revised on {long_date(revision.created_at)}" in text_of(item)
        (link,) = item.xpath(".//a")
        assert link.get("href") == f"/fact-checks/{claim.slug}/"
        assert text_of(link) == f"Read the fact-check: {claim.current_version.statement}"
        # in the reader's language (English here), as the side list gives it
        shown = claim.current_version.label_in("en")
        assert shown.label != claim.current_version.rating_label  # the scale is French
        assert f"Our verdict: {shown.label}" in text_of(item)
        assert item.xpath(f'.//*[@lang="{shown.lang}"]')[0].text.strip() == shown.label
    # The kept one is not in the note.
    assert f"fc-{claims['kept'].slug}" not in [i.get("id") for i in items]


def test_one_changed_passage_is_announced_in_the_singular(client):
    article, claims = published_newsroom()
    revisions.revise_article(
        article.pk,
        BODY.replace(PARAS[1], "La ministre a reporté son plan."),
        user=people()[0],
        reason=RevisionReason.EDITED,
    )
    root = document(client, f"/articles/{article.slug}/")
    (heading,) = root.xpath('//section[@id="changed-passages"]/h2')
    assert text_of(heading) == "This passage was changed or removed after our fact-check"
    assert len(root.xpath('//section[@id="changed-passages"]/ul/li')) == 1
    assert [text for _, text, _ in marks_at(root)] == [QUOTES["reworded"], PARAS[2]]


def test_an_article_without_changed_passages_has_no_note(client):
    article, _ = published_newsroom()
    revisions.revise_article(
        article.pk, BODY + "\n\nUn ajout à la fin.", user=people()[0], reason="edited"
    )
    root = document(client, f"/articles/{article.slug}/")
    assert root.xpath('//*[@id="changed-passages"]') == []
    assert len(marks_at(root)) == 3


def test_the_page_is_in_french_for_a_french_reader(revised):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    root = document(client, f"/articles/{revised['article'].slug}/")
    (heading,) = root.xpath('//section[@id="changed-passages"]/h2')
    assert text_of(heading) == "Ces passages ont été modifiés ou supprimés après notre vérification"
    assert "Article révisé le" in text_of(root.xpath('//section[@id="changed-passages"]')[0])
    fc = document(client, f"/fact-checks/{revised['claims']['gone'].slug}/")
    assert text_of(fc.xpath('//section[@class="passage-note"]/h2')[0]) == (
        "L’article a changé après cette vérification"
    )


# -- the fact-check page ----------------------------------------------------------


def test_the_fact_check_page_keeps_the_checked_quote_and_says_when_the_article_changed(
    client, revised
):
    article, revision = revised["article"], revised["revision"]
    for name in ("reworded", "gone"):
        claim = revised["claims"][name]
        root = document(client, f"/fact-checks/{claim.slug}/")
        assert text_of(root.xpath('//blockquote[@class="claim__quote"]')[0]) == QUOTES[name]
        (note,) = root.xpath('//section[@class="passage-note"]')
        assert text_of(note.xpath("./h2")[0]) == "The article changed after this fact-check"
        assert note.xpath(".//time")[0].get("datetime") == html_datetime(revision.created_at)
        assert (
            f"On {long_date(revision.created_at)}, the article was revised: "
            "the passage quoted above was changed or removed."
        ) in text_of(note)
        links = {text_of(a): a.get("href") for a in root.xpath('//*[@class="claim__links"]//a')}
        # To the note under the article, and to the original without a text fragment
        # (the checked words are no longer there to find).
        assert links == {
            "Read the article as it is now": f"/articles/{article.slug}/#fc-{claim.slug}",
            "In the original article": article.url,
        }
    kept = revised["claims"]["kept"]
    root = document(client, f"/fact-checks/{kept.slug}/")
    assert root.xpath('//section[@class="passage-note"]') == []
    links = {text_of(a): a.get("href") for a in root.xpath('//*[@class="claim__links"]//a')}
    assert links["See the passage in the article"] == f"/articles/{article.slug}/#fc-{kept.slug}"
    assert links["In the original article"].startswith(f"{article.url}#:~:text=")


# -- machine-readable output ------------------------------------------------------


def strings_in(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)
    elif isinstance(data, str):
        yield data


def test_the_annotation_export_has_no_selector_on_unchecked_text(client, revised):
    article, claims, revision = revised["article"], revised["claims"], revised["revision"]
    data = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    assert [f"{e.absolute_path}: {e.message}" for e in VALIDATOR.iter_errors(data)] == []
    items = {
        item["id"].split("/fact-checks/")[1].split("/")[0]: item for item in data["first"]["items"]
    }
    assert data["total"] == len(items) == 3  # a changed passage stays, so clients learn of it

    kept = items[claims["kept"].slug]
    quote, position = (s["refinedBy"] for s in kept["target"]["selector"])
    start = NEW_BODY.index(PARAS[2])
    assert position == {
        "type": "TextPositionSelector",
        "start": start,
        "end": start + len(PARAS[2]),
    }
    anchor = make_anchor(NEW_BODY, start, start + len(PARAS[2]))
    assert (quote["exact"], quote["prefix"]) == (PARAS[2], anchor.prefix)

    for name in ("reworded", "gone"):
        item = items[claims[name].slug]
        version = claims[name].current_version
        assert "selector" not in json.dumps(item["target"])
        # The article as it stood when the fact-check was approved (model 4.3.1).
        assert item["target"] == {
            "source": f"{settings.SITE_URL}/articles/{article.slug}/",
            "state": {"type": "TimeState", "sourceDate": iso(version.approved_at)},
        }
        assert item["modified"] == iso(revision.created_at)
    # Nothing points at the desk's candidate for the reworded claim.
    positions = [
        s["refinedBy"] for item in items.values() for s in item["target"].get("selector", [])
    ]
    assert all(p.get("exact") != REWORDED for p in positions)
    assert all(p.get("start") != claims["reworded"].start for p in positions)


def test_claim_reviews_point_at_no_text_of_the_article(client, revised):
    """ClaimReview names the claim and the original article, never a place in our copy."""
    reviews = json.loads(client.get("/claim-reviews.json").content)["items"]
    for name, claim in revised["claims"].items():
        html = client.get(f"/fact-checks/{claim.slug}/").content.decode()
        (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        (listed,) = [r for r in reviews if r["url"].endswith(f"/fact-checks/{claim.slug}/")]
        for review in (json.loads(script), listed):
            words = list(strings_in(review))
            assert not any("selector" in w.lower() or "#:~:text" in w for w in words), name
            assert not any(ADDED in w or REWORDED in w for w in words), name
            assert review["claimReviewed"] == claim.current_version.statement


def test_nothing_of_the_desk_s_new_positions_or_drafts_reaches_readers(client, revised):
    article, claims = revised["article"], revised["claims"]
    editor, _ = people()
    # The editors take up both changed claims: a new highlight, new words, new verdicts.
    for name, place in (("gone", ADDED), ("reworded", REWORDED)):
        claim = claims[name]
        workflow.start_update(claim.pk, editor)
        claim.refresh_from_db()
        start = NEW_BODY.index(place)
        services.move_claim_anchor(
            claim.pk, claim.version, editor, make_anchor(NEW_BODY, start, start + len(place))
        )
        edit(claim, text=f"{CANARY}-{name}", correction=("update", f"{CANARY}-{name} note"))
    moved = Claim.objects.get(pk=claims["gone"].pk)
    assert moved.exact == ADDED and moved.status == ClaimStatus.DRAFT
    pages.clear()

    paths = [
        "/",
        "/corrections/",
        "/fact-checks.atom",
        "/claim-reviews.json",
        "/sitemap.xml",
        f"/articles/{article.slug}/",
        f"/articles/{article.slug}/annotations.jsonld",
        *(f"/fact-checks/{c.slug}/" for c in claims.values()),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert CANARY not in response.content.decode(), path
    root = document(client, f"/articles/{article.slug}/")
    assert [text for _, text, _ in marks_at(root)] == [PARAS[2]]  # not the new positions
    data = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    exported = json.dumps(data, ensure_ascii=False)
    assert f'"exact": "{ADDED}"' not in exported and f'"exact": "{REWORDED}"' not in exported
    assert sum("selector" in item["target"] for item in data["first"]["items"]) == 1


def test_a_new_approval_on_the_revised_text_brings_the_highlight_back(client, revised):
    """Readers' position is the approved version's again, on the words a reviewer saw."""
    article, claims = revised["article"], revised["claims"]
    editor, reviewer = people()
    claim = claims["gone"]
    workflow.start_update(claim.pk, editor)
    claim.refresh_from_db()
    start = NEW_BODY.index(ADDED)
    services.move_claim_anchor(
        claim.pk, claim.version, editor, make_anchor(NEW_BODY, start, start + len(ADDED))
    )
    Claim.objects.filter(pk=claim.pk).update(anchor_status=AnchorStatus.CONFIRMED)
    edit(claim, text="Revu", correction=("update", "Passage revu sur le nouveau texte."))
    publish(claim)
    root = document(client, f"/articles/{article.slug}/")
    assert [(s, t) for s, t, _ in marks_at(root)] == [
        (start, ADDED),
        (NEW_BODY.index(PARAS[2]), PARAS[2]),
    ]
    items = root.xpath('//section[@id="changed-passages"]/ul/li')
    assert [i.get("id") for i in items] == [f"fc-{claims['reworded'].slug}"]


# -- the publication stamp --------------------------------------------------------


def test_the_next_request_after_a_revision_shows_the_new_text_and_the_note(client):
    article, claims = published_newsroom()
    before = client.get(f"/articles/{article.slug}/")
    fact_check = client.get(f"/fact-checks/{claims['gone'].slug}/")
    assert ADDED not in before.content.decode()
    assert client.get(f"/articles/{article.slug}/").headers["ETag"] == before.headers["ETag"]
    revise(article)
    after = client.get(f"/articles/{article.slug}/")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert ADDED in after.content.decode() and 'id="changed-passages"' in after.content.decode()
    again = client.get(f"/fact-checks/{claims['gone'].slug}/")
    assert again.headers["ETag"] != fact_check.headers["ETag"]
    assert 'class="passage-note"' in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_next_request_sees_a_revision_committed_elsewhere(client, seeded_live_db):
    """Outside a test transaction: on PostgreSQL, through the stamp's own connection."""
    article, claims = published_newsroom()
    path = f"/articles/{article.slug}/"
    assert ADDED not in client.get(path).content.decode()
    assert ADDED not in client.get(path).content.decode()  # served from the page cache
    revise(article)
    html = client.get(path).content.decode()
    assert ADDED in html and 'id="changed-passages"' in html


def test_public_query_counts_do_not_grow_with_changed_passages(client):
    def counts(article, slug):
        result = {}
        for path in (
            f"/articles/{article.slug}/",
            f"/articles/{article.slug}/annotations.jsonld",
            f"/fact-checks/{slug}/",
        ):
            pages.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            result[path] = len(queries)
        return result

    article, claims = published_newsroom()
    revise(article)
    few = counts(article, claims["gone"].slug)
    editor, _ = people()
    sentences = [f"Phrase supplémentaire numéro {i} avec le chiffre {i * 13}." for i in range(12)]
    body = article.body + "\n\n" + " ".join(sentences)
    revisions.revise_article(article.pk, body, user=editor, reason=RevisionReason.EDITED)
    article.refresh_from_db()
    extra = [
        publish(draft_claim(article, on(article, s), text=f"N{i}")) for i, s in enumerate(sentences)
    ]
    revisions.revise_article(
        article.pk,
        body.split("\n\nPhrase supplémentaire")[0] + "\n\nFin.",
        user=editor,
        reason="edited",
    )
    assert all(Claim.objects.get(pk=c.pk).public_passage_changed for c in extra)
    many = counts(article, extra[-1].slug)
    assert list(many.values()) == list(few.values())
    assert max(many.values()) <= 4


# -- the desk's flag --------------------------------------------------------------


def test_the_flag_rule_and_its_query_agree(revised):
    claims = revised["claims"]
    flagged = {c.pk for c in Claim.objects.filter(selectors.changed_since_publication())}
    assert flagged == {claims["reworded"].pk, claims["gone"].pk}
    for claim in Claim.objects.filter(article=revised["article"]):
        assert claim.changed_since_publication == (claim.pk in flagged)
    draft = draft_claim(revised["article"], on(revised["article"], ADDED), text="Brouillon")
    assert not draft.changed_since_publication  # never published: nothing readers have


FLAG = "The article changed since publication"


def test_the_desk_flags_the_article_and_the_claims(client, revised):
    editor, _ = people()
    client.force_login(editor)
    root = document(client, "/desk/")
    (item,) = [
        li
        for li in root.xpath('//section[@aria-labelledby="articles-heading"]//li')
        if revised["article"].title in text_of(li)
    ]
    assert f"{FLAG} (2 published claims)" in text_of(item)
    # The list of claims (My work links to it) flags each claim whose passage changed.
    mine = document(client, "/desk/claims/").xpath(
        '//section[@aria-labelledby="claims-heading"]//li'
    )
    flagged = [text_of(li) for li in mine if FLAG in text_of(li)]
    assert len(mine) == 3 and len(flagged) == 2
    assert not any("Kept statement" in text for text in flagged)


def test_the_review_queue_flags_an_update_whose_passage_changed(client, revised):
    editor, reviewer = people()
    gone = revised["claims"]["gone"]
    workflow.start_update(gone.pk, editor)
    edit(gone, text="Mise à jour", correction=("update", "Le passage a disparu."))
    reattach(gone, editor)
    workflow.submit(gone.pk, editor)
    fresh = draft_claim(revised["article"], on(revised["article"], ADDED), text="Nouveau")
    workflow.submit(fresh.pk, editor)
    client.force_login(reviewer)
    rows = document(client, "/desk/review/").xpath("//table//tbody/tr")
    assert len(rows) == 2
    by_claim = {text_of(row.xpath("./td")[0]).split(" Update")[0]: text_of(row) for row in rows}
    assert FLAG in by_claim["Mise à jour statement"]
    assert FLAG not in by_claim["Nouveau statement"]
    review = document(client, f"/desk/review/{gone.pk}/")
    assert FLAG in text_of(review.xpath("//h1")[0])
    assert FLAG not in text_of(document(client, f"/desk/review/{fresh.pk}/").xpath("//h1")[0])


def test_a_quote_style_edit_keeps_the_highlight_on_the_same_words(client):
    """`kept` allows whitespace and quote style: the highlight stays, on the new characters."""
    article, claims = published_newsroom()
    styled = BODY.replace("l’emploi", "l'emploi")
    revisions.revise_article(article.pk, styled, user=people()[0], reason=RevisionReason.EDITED)
    gone = Claim.objects.get(pk=claims["gone"].pk)
    assert gone.public_start is not None  # kept: the same words
    root = document(client, f"/articles/{article.slug}/")
    quote = PARAS[1].replace("l’emploi", "l'emploi")
    assert (styled.index(quote), quote, f"fc-{gone.slug}") in marks_at(root)
    assert root.xpath('//*[@id="changed-passages"]') == []
    data = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    exacts = [
        s["refinedBy"].get("exact") for i in data["first"]["items"] for s in i["target"]["selector"]
    ]
    assert quote in exacts  # the words a client finds in the page now
