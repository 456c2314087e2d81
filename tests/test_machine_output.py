"""What aggregators, feed readers, crawlers and social networks read (issue 12).

Languages and attribution in ClaimReview, withdrawals in the JSON list and
the Atom feed (parsed with feedparser: no feedvalidator is packaged for
PyPI or Debian), CORS on the machine-readable outputs only, the sitemap and
robots.txt, and the verdict cards on the public pages and the desk.
"""

from __future__ import annotations

import io
import json
import re
from xml.etree import ElementTree

import feedparser
import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from claims import workflow
from claims.public import conf
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

SITE = settings.SITE_URL.rstrip("/")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
REASON = "La source principale s’est révélée falsifiée."


def ld_json(html: str) -> list[dict]:
    return [
        json.loads(m)
        for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def meta(html: str, name: str) -> str:
    (value,) = re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return value


def local_iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


@pytest.fixture
def withdrawn():
    article = make_article(url="https://news.example.org/original")
    kept = published_claim(article, sentence(article, 1), text="Gardé", verdict="Vrai")
    gone = published_claim(article, sentence(article, 8), text="Retiré", verdict="Trompeur")
    workflow.withdraw(gone.pk, people()[1], REASON)
    gone.refresh_from_db()
    return article, kept, gone


# -- 3. languages -----------------------------------------------------------------------------


def test_claim_review_label_is_in_the_articles_language_and_says_so(client):
    """An English fact-check's ClaimReview says "True" and ``inLanguage: en`` (it used to
    say "Vrai"), and so do its Web Annotation and its Atom entry."""
    article = make_article(language="en")
    claim = published_claim(article, sentence(article, 3), text="English", verdict="Vrai")
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["reviewRating"]["alternateName"] == review["reviewRating"]["name"] == "True"
    assert review["inLanguage"] == "en"
    assert review["itemReviewed"]["inLanguage"] == "en"
    assert review["itemReviewed"]["firstAppearance"]["inLanguage"] == "en"

    annotations = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    verdict, statement, _link = annotations["first"]["items"][0]["body"]
    assert (verdict["value"], verdict["language"]) == ("True", "en")
    assert (statement["value"], statement["language"]) == ("English statement", "en")

    # A French reader of the feed still gets the English fact-check's English label.
    feed = feedparser.parse(client.get("/fact-checks.atom", HTTP_ACCEPT_LANGUAGE="fr").content)
    (entry,) = feed.entries
    assert entry.title == "True: English statement"
    assert [tag.term for tag in entry.tags] == ["True"]
    assert "Verdict\u00a0: True." in entry.summary


def test_claim_review_of_a_french_article_stays_french_for_any_reader(client):
    article = make_article(language="fr")
    claim = published_claim(article, sentence(article, 3), text="Français", verdict="Vrai")
    for language in ("en", "fr"):
        html = client.get(f"/fact-checks/{claim.slug}/", HTTP_ACCEPT_LANGUAGE=language)
        (review,) = ld_json(html.content.decode())
        assert review["reviewRating"]["alternateName"] == "Vrai"
        assert review["inLanguage"] == "fr"


def test_without_a_translation_the_label_and_in_language_are_the_newsrooms(client):
    """A German article: the scale has no German, so the review says "Vrai" and
    ``inLanguage: fr`` (the label's language), while the claim keeps ``de``."""
    article = make_article(language="de")
    claim = published_claim(article, sentence(article, 3), text="Deutsch", verdict="Vrai")
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["reviewRating"]["alternateName"] == "Vrai"
    assert review["inLanguage"] == conf.SCALE_LANGUAGE == "fr"
    assert review["itemReviewed"]["inLanguage"] == "de"
    annotations = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
    verdict = annotations["first"]["items"][0]["body"][0]
    assert (verdict["value"], verdict["language"]) == ("Vrai", "fr")


def test_a_regional_article_language_finds_its_translation(client):
    article = make_article(language="en-GB")
    claim = published_claim(article, sentence(article, 3), text="British", verdict="Faux")
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["inLanguage"] == "en-GB"


# -- 5. attribution -----------------------------------------------------------------------------


def test_the_claim_first_appeared_in_the_original_article_never_in_our_copy(client):
    article = make_article(url="https://news.example.org/original")
    claim = published_claim(article, sentence(article, 3), text="Originale")
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    claim_node = review["itemReviewed"]
    original = {
        "@type": "NewsArticle",
        "url": "https://news.example.org/original",
        "headline": "Article public",
        "inLanguage": "fr",
        "datePublished": "2025-02-11",
        "publisher": {"@type": "Organization", "name": "Le Quotidien"},
    }
    assert claim_node["firstAppearance"] == original
    assert claim_node["appearance"] == original
    assert SITE not in json.dumps(claim_node)
    assert review["reviewRating"]["name"] == "Faux"


def test_a_claimant_of_unknown_kind_is_a_typed_node(client):
    article = make_article()
    claim = publish(draft_claim(article, sentence(article, 3), text="Inconnu", kind=""))
    (review,) = ld_json(client.get(f"/fact-checks/{claim.slug}/").content.decode())
    assert review["itemReviewed"]["author"] == {"@type": "Thing", "name": "Inconnu claimant"}


def test_the_desk_warns_when_the_claim_is_longer_than_aggregators_show(editor_client):
    article = make_article()
    long_claim = draft_claim(article, sentence(article, 3), text="Très longue " * 7)
    short = draft_claim(article, sentence(article, 5), text="Brève")
    html = editor_client.get(long_claim.get_absolute_url()).content.decode()
    assert 'id="statement-length-warning"' in html
    assert "Fact-check search engines show about 75 characters of the claim" in html
    (textarea,) = re.findall(r"<textarea[^>]*name=\"statement\"[^>]*>", html)
    assert 'aria-describedby="id_statement_helptext statement-length-warning"' in textarea
    assert 'aria-invalid="true"' not in textarea  # a warning, not a refusal
    short_html = editor_client.get(short.get_absolute_url()).content.decode()
    assert "statement-length-warning" not in short_html


# -- 4. withdrawals -----------------------------------------------------------------------------


def test_the_json_list_keeps_a_withdrawn_review_marked_withdrawn(client, withdrawn):
    _article, kept, gone = withdrawn
    data = json.loads(client.get("/claim-reviews.json").content)
    assert data["count"] == 2
    by_id = {item["@id"]: item for item in data["items"]}
    url = f"{SITE}/fact-checks/{gone.slug}/"
    assert by_id[url + "#claim-review"] == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": f"{url}#claim-review",
        "url": url,
        "claimReviewed": "Retiré statement",
        "creativeWorkStatus": "Withdrawn",
        "correction": {
            "@type": "CorrectionComment",
            "datePublished": local_iso(gone.withdrawn_at),
            "text": REASON,
        },
        "author": {"@type": "Organization", "name": "The Fact-Check Desk", "url": f"{SITE}/"},
        "datePublished": local_iso(gone.current_version.approved_at),
        "dateModified": local_iso(gone.withdrawn_at),
        "inLanguage": "fr",
    }
    assert by_id[f"{SITE}/fact-checks/{kept.slug}/#claim-review"]["reviewRating"]["name"] == "Vrai"
    # The page says what it said: the withdrawal, no verdict, noindex.
    page = client.get(f"/fact-checks/{gone.slug}/").content.decode()
    assert "We withdrew this fact-check on" in page and REASON in page
    assert '<meta name="robots" content="noindex">' in page and "Trompeur" not in page


def test_the_feed_says_a_withdrawal_in_the_entry_readers_already_have(client, withdrawn):
    _article, kept, gone = withdrawn
    before = feedparser.parse(client.get("/fact-checks.atom").content)
    assert not before.bozo, before.get("bozo_exception")
    first = before.entries[0]
    url = f"{SITE}/fact-checks/{gone.slug}/"
    # The withdrawal is the latest change: its entry comes first, under its id.
    assert first.id == url and first.link == url
    assert first.title == "Withdrawn: Retiré statement"
    assert REASON in first.summary and "We withdrew this fact-check on" in first.summary
    assert "Trompeur" not in first.summary and "tags" not in first
    assert first.updated_parsed[:6] == gone.withdrawn_at.utctimetuple()[:6]
    assert before.entries[1].id == f"{SITE}/fact-checks/{kept.slug}/"
    french = client.get("/fact-checks.atom", headers={"accept-language": "fr"}).content
    fr_entry = feedparser.parse(french).entries[0]
    assert fr_entry.title == "Retirée\u00a0: Retiré statement"
    assert f"Pourquoi\u00a0: {REASON}" in fr_entry.summary


def test_the_feed_is_well_formed_atom(client, withdrawn):
    feed = feedparser.parse(client.get("/fact-checks.atom").content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.updated and feed.feed.title
    for entry in feed.entries:
        assert entry.id.startswith(SITE) and entry.updated and entry.published


# -- 6. CORS ------------------------------------------------------------------------------------


def test_machine_readable_outputs_are_readable_from_any_origin_and_pages_are_not(
    client, withdrawn, editor_client
):
    article, kept, _gone = withdrawn
    for path in (
        "/claim-reviews.json",
        f"/articles/{article.slug}/annotations.jsonld",
        "/fact-checks.atom",
    ):
        for _ in range(2):  # rendered, then stored
            response = client.get(path)
            assert response.status_code == 200, path
            assert response["Access-Control-Allow-Origin"] == "*", path
    for path in (
        "/",
        f"/articles/{article.slug}/",
        f"/fact-checks/{kept.slug}/",
        "/corrections/",
        "/sitemap.xml",
        "/claim-reviews.json?page=9",  # the HTML 404
        "/desk/",
    ):
        assert "Access-Control-Allow-Origin" not in editor_client.get(path), path


# -- 7. sitemap, robots.txt ---------------------------------------------------------------------


def sitemap_entries(client, **headers) -> dict[str, str]:
    response = client.get("/sitemap.xml", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    return {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in root.findall(f"{SITEMAP}url")
    }


def test_the_sitemap_lists_articles_and_current_fact_checks_on_site_url(client, withdrawn):
    article, kept, gone = withdrawn
    entries = sitemap_entries(client, host="localhost")
    assert set(entries) == {
        f"{SITE}/articles/{article.slug}/",
        f"{SITE}/fact-checks/{kept.slug}/",
    }
    # The framework's template gives dates (W3C Datetime allows it).
    approved = timezone.localtime(kept.current_version.approved_at).date().isoformat()
    assert entries[f"{SITE}/fact-checks/{kept.slug}/"] == approved
    # The article changed last when its fact-check was withdrawn.
    article_lastmod = entries[f"{SITE}/articles/{article.slug}/"]
    assert article_lastmod.startswith(timezone.localtime(gone.withdrawn_at).date().isoformat())
    on_localhost = client.get("/sitemap.xml", headers={"host": "localhost"})
    assert b"localhost" not in on_localhost.content


def test_the_sitemap_is_fresh_on_the_next_request_after_an_approval(client, withdrawn):
    article, kept, _gone = withdrawn
    assert len(sitemap_entries(client)) == 2
    new = published_claim(article, sentence(article, 12), text="Nouvelle")
    assert f"{SITE}/fact-checks/{new.slug}/" in sitemap_entries(client)
    workflow.withdraw(new.pk, people()[1], "Erreur.")
    assert f"{SITE}/fact-checks/{new.slug}/" not in sitemap_entries(client)


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_off_the_desk(client):
    response = client.get("/robots.txt", headers={"host": "localhost"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text.splitlines()
    assert "Disallow: /desk/" in text.splitlines() and "Disallow: /admin/" in text.splitlines()
    assert "User-agent: *" in text.splitlines()


# -- 8. verdict cards ---------------------------------------------------------------------------


def test_the_fact_check_page_offers_its_card_to_social_networks(client, withdrawn):
    _article, kept, _gone = withdrawn
    html = client.get(f"/fact-checks/{kept.slug}/").content.decode()
    image = meta(html, "og:image")
    assert re.fullmatch(rf"{re.escape(SITE)}/fact-checks/{kept.slug}/card\.png\?v=[0-9a-f]+", image)
    assert meta(html, "twitter:image") == image
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:image:type") == "image/png"
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
    assert "Verdict: Vrai" in meta(html, "og:image:alt") or "Vrai" in meta(html, "og:image:alt")
    assert "Gardé statement" in meta(html, "twitter:title")
    assert meta(html, "twitter:description")
    # Other pages keep the small card.
    assert meta(client.get("/").content.decode(), "twitter:card") == "summary"

    response = client.get(image.removeprefix(SITE))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    etag = response["ETag"]
    assert etag == f'"{image.rpartition("=")[2]}"'
    unversioned = client.get(f"/fact-checks/{kept.slug}/card.png")
    assert unversioned["Cache-Control"] == "no-cache" and unversioned.content == response.content
    again = client.get(f"/fact-checks/{kept.slug}/card.png", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""


def test_a_new_version_gets_a_new_card_address(client):
    article = make_article()
    claim = published_claim(article, sentence(article, 3), text="Carte", verdict="Faux")
    before = meta(client.get(f"/fact-checks/{claim.slug}/").content.decode(), "og:image")
    workflow.start_update(claim.pk, people()[0])
    edit(claim, text="Carte v2", verdict="Vrai", correction=("correction", "Verdict revu."))
    publish(claim)
    after = meta(client.get(f"/fact-checks/{claim.slug}/").content.decode(), "og:image")
    assert after != before


def test_no_card_for_unknown_withdrawn_or_unpublished_fact_checks(client, withdrawn):
    article, _kept, gone = withdrawn
    draft = draft_claim(article, sentence(article, 14), text="Brouillon")
    for path in (
        f"/fact-checks/{gone.slug}/card.png",
        "/fact-checks/nothing-here/card.png",
        f"/fact-checks/{'x' * 200}/card.png",
        f"/fact-checks/{draft.slug}/card.png",
    ):
        assert client.get(path).status_code == 404, path


def test_the_desk_offers_the_card_of_a_published_claim_as_a_download(
    client, editor_client, withdrawn
):
    article, kept, gone = withdrawn
    panel = editor_client.get(kept.get_absolute_url()).content.decode()
    link = f'href="/desk/claims/{kept.pk}/card.png" download'
    assert link in panel and "Download the verdict card" in panel
    review = editor_client.get(f"/desk/review/{kept.pk}/").content.decode()
    assert link in review
    response = editor_client.get(f"/desk/claims/{kept.pk}/card.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{kept.slug}-v{kept.current_version.number}.png"'
    )
    public = client.get(f"/fact-checks/{kept.slug}/card.png")
    assert response.content == public.content  # the card readers' networks show
    draft = draft_claim(article, sentence(article, 14), text="Brouillon")
    assert "card.png" not in editor_client.get(draft.get_absolute_url()).content.decode()
    for not_public in (draft, gone):
        assert editor_client.get(f"/desk/claims/{not_public.pk}/card.png").status_code == 404
    editor_client.logout()
    anonymous = editor_client.get(f"/desk/claims/{kept.pk}/card.png")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
