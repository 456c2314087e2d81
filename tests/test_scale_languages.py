"""The rating scale in both languages (issue 11, item 8).

Readers and the desk see verdicts in their interface language, machines in
the fact-check's language (ClaimReview's ``inLanguage``), published versions
keep the labels that were approved, and whatever has no translation falls
back to the newsroom's language and says so in its ``lang``.
"""

from __future__ import annotations

import json
import re

import feedparser
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from claims import audit, scale_i18n, workflow
from claims.demo.loader import newsroom
from claims.models import Claim, ClaimStatus, Rating
from claims.public import freshness
from claims.views.review import _diff_rows
from tests.conftest import restore_seed_data
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

SEED = {
    r["label"]: r["translations"]["en"] for r in newsroom()["rating_scale"]["ratings"]
}  # the demo's scale in English, as the newsroom wrote it: {"Vrai": {"label": "True", …}}


def ld_json(html: str) -> dict:
    (data,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(data)


def get(client, path, language, **extra):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def set_english(label: str, english: str | None, description: str = "") -> Rating:
    """Edit a rating's English translation as the admin does (save, not update)."""
    rating = Rating.objects.get(label=label)
    translations = dict(rating.translations)
    if english is None:
        translations.pop("en", None)
    else:
        translations["en"] = {"label": english, "description": description}
    rating.translations = translations
    rating.save()
    return rating


# -- choosing the words: pure ------------------------------------------------------------------

TRANSLATIONS = {"en": {"label": "False", "description": "Contradicted by facts."}}


def test_a_rating_in_each_language_and_its_fallbacks():
    shown = scale_i18n.shown
    assert shown("Faux", "Contredit.", TRANSLATIONS, "en") == scale_i18n.Shown(
        "False", "en", "Contradicted by facts.", "en"
    )
    assert shown("Faux", "Contredit.", TRANSLATIONS, "fr") == scale_i18n.Shown(
        "Faux", "fr", "Contredit.", "fr"
    )
    # A regional variant finds its language; a language without one gets the newsroom's.
    assert shown("Faux", "Contredit.", TRANSLATIONS, "en-GB").label == "False"
    assert shown("Faux", "Contredit.", TRANSLATIONS, "de") == scale_i18n.Shown(
        "Faux", "fr", "Contredit.", "fr"
    )
    # A translated label without its description yet: each says its own language.
    half = {"en": {"label": "False", "description": ""}}
    assert shown("Faux", "Contredit.", half, "en") == scale_i18n.Shown(
        "False", "en", "Contredit.", "fr"
    )
    # An empty or malformed entry is no translation.
    for broken in ({"en": {"label": " "}}, {"en": "False"}, None, {}):
        assert shown("Faux", "", broken, "en").label == "Faux"


def test_frozen_labels_and_the_review_language():
    assert scale_i18n.shown_label("Faux", {"en": "False"}, "en") == scale_i18n.Shown("False", "en")
    assert scale_i18n.shown_label("Faux", {"en": "False"}, "fr") == scale_i18n.Shown("Faux", "fr")
    assert scale_i18n.shown_label("Faux", {}, "en") == scale_i18n.Shown("Faux", "fr")
    assert scale_i18n.review_language("en-GB", scale_i18n.Shown("False", "en")) == "en-GB"
    assert scale_i18n.review_language("de", scale_i18n.Shown("Faux", "fr")) == "fr"


def test_translations_read_as_text_or_decoded_give_the_same_stamp():
    """SQLite and Django's PostgreSQL connection return JSON text, the stamp's own psycopg
    connection decodes it: both must give the same scale, so the same pages."""
    from claims.public.scale import canonical_translations

    decoded = {"en": {"label": "Vrai ✓", "description": "d"}}
    assert canonical_translations(decoded) == canonical_translations(json.dumps(decoded))
    assert canonical_translations(None) == canonical_translations("not json") == "{}"


# -- approval freezes every language -----------------------------------------------------------


@pytest.mark.django_db
def test_an_approval_freezes_the_label_of_every_language_and_readers_keep_it(client):
    article = make_article(language="en")
    claim = published_claim(article, sentence(article, 2), text="Frozen", verdict="Faux")
    version = claim.current_version
    assert (version.rating_label, version.rating_label_translations) == ("Faux", {"en": "False"})
    page = f"/fact-checks/{claim.slug}/"
    assert 'lang="en">False</span>' in get(client, page, "en")

    # The newsroom renames the English label: the scale shows it on the next
    # request, the published verdict keeps what was approved until its next approval.
    before = freshness.current_stamp()
    set_english("Faux", "Untrue", "Contradicted by established facts.")
    assert freshness.current_stamp().key != before.key
    assert 'lang="en">Untrue</span>' in get(client, "/methodology/", "en")
    html = get(client, page, "en")
    assert 'class="verdict__label badge' in html and 'lang="en">False</span>' in html
    assert "Contradicted by established facts." in html  # descriptions are the scale's
    assert ld_json(html)["reviewRating"]["alternateName"] == "False"

    # Approved again, the new label is frozen and shown.
    workflow.start_update(claim.pk, people()[0])
    edit(claim, text="Frozen v2", correction=("update", "Nouveau"))
    claim = publish(claim)
    assert claim.current_version.rating_label_translations == {"en": "Untrue"}
    assert ld_json(get(client, page, "fr"))["reviewRating"]["alternateName"] == "Untrue"


@pytest.mark.django_db
def test_without_a_translation_english_readers_see_the_newsrooms_label_marked_french(client):
    set_english("Trompeur", None)
    article = make_article()
    claim = published_claim(article, sentence(article, 2), text="Repli", verdict="Trompeur")
    rating = Rating.objects.get(label="Trompeur")
    html = get(client, f"/fact-checks/{claim.slug}/", "en")
    assert f'<span class="verdict__label badge v-{rating.pk}" lang="fr">Trompeur</span>' in html
    assert f'<p class="verdict__meaning" lang="fr">{rating.description}' in html.replace(
        "&#x27;", "'"
    )
    methodology = get(client, "/methodology/", "en")
    assert 'lang="fr">Trompeur</span>' in methodology
    assert 'lang="en">False</span>' in methodology  # the others are translated
    home = get(client, "/", "en")
    assert '<span lang="fr">Trompeur</span>' in home


# -- the desk ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_shows_verdicts_in_the_editors_and_reviewers_language(demo):
    users = demo["users"]
    article = demo["article"]
    in_review = next(c for c in demo["claims"] if c.status == ClaimStatus.IN_REVIEW)
    draft = next(c for c in demo["claims"] if c.status == ClaimStatus.DRAFT)
    editor, reviewer = Client(), Client()
    editor.force_login(users["editor"])
    reviewer.force_login(users["reviewer2"])
    mostly = Rating.objects.get(label="Plutôt vrai")
    for language, inexact, plutot in (
        ("en", "Inaccurate", "Mostly true"),
        ("fr", "Inexact", "Plutôt vrai"),
    ):
        desk = get(editor, "/desk/", language)
        assert f'<span lang="{language}">{plutot}</span>' in desk
        screen = get(editor, f"/desk/articles/{article.pk}/?claim={draft.pk}", language)
        # The claim list and the Verdict field.
        assert f'<span lang="{language}">{inexact}</span>' in screen
        assert re.search(
            rf'<option value="{mostly.pk}" selected>{re.escape(plutot)}</option>', screen
        )
        queue = get(reviewer, "/desk/review/", language)
        assert f'lang="{language}">{inexact}</td>' in queue
        review = get(reviewer, f"/desk/review/{in_review.pk}/", language)
        english = SEED["Inexact"]
        meaning = english["description"] if language == "en" else in_review.rating.description
        assert f'<strong lang="{language}">{inexact}</strong>' in review
        assert meaning.replace("'", "&#x27;") in review


@pytest.mark.django_db
def test_renaming_a_label_shows_in_the_audit_as_a_label_change(demo):
    """The audit records the newsroom's label, whatever the interface language: a renamed
    label is a change since the reviewer last looked, and a changed translation is a
    change of the published verdict on the review screen."""
    users = demo["users"]
    in_review = next(c for c in demo["claims"] if c.status == ClaimStatus.IN_REVIEW)
    workflow.start_review(in_review.pk, users["reviewer2"])
    Rating.objects.filter(label="Inexact").update(label="Erroné")
    reviewer = Client()
    reviewer.force_login(users["reviewer2"])
    html = get(reviewer, f"/desk/review/{in_review.pk}/", "en")
    since = html[html.index('id="since-heading"') :]
    rows = re.findall(r"<tr class=\"diff--changed\">(.*?)</tr>", since, re.S)
    (verdict,) = [r for r in rows if ">Verdict</th>" in r]
    assert ">Inexact</td>" in verdict and ">Erroné</td>" in verdict

    published = next(c for c in demo["claims"] if c.status == ClaimStatus.PUBLISHED)
    claim = Claim.objects.select_related("rating", "current_version").get(pk=published.pk)
    set_english("Erroné", "Wrong")  # the published version said "Inaccurate"
    claim.rating.refresh_from_db()
    (row,) = [r for r in _diff_rows(claim, claim.current_version) if r["label"] == "Verdict"]
    assert row["changed"]
    assert audit.claim_fields_state(claim)["verdict"] == "Erroné"


# -- machine-readable output -------------------------------------------------------------------


def expected_label(french: str, language: str) -> str:
    """The label a ClaimReview in `language` must carry, from the seed, not the code."""
    return SEED[french]["label"] if language.startswith("en") else french


@pytest.mark.django_db
def test_every_published_claim_of_the_demo_has_its_label_in_its_review_language(demo, client):
    """Every ClaimReview of the demo newsroom, its French fact-checks and an English
    article rated on every step of the scale: alternateName is the label in inLanguage."""
    users = demo["users"]
    in_review = next(c for c in demo["claims"] if c.status == ClaimStatus.IN_REVIEW)
    workflow.approve(in_review.pk, users["reviewer2"])
    english = make_article(title="An English article", language="en")
    for n, rating in enumerate(Rating.objects.all()):
        published_claim(english, sentence(english, n), text=f"English {n}", verdict=rating.label)

    published = list(
        Claim.objects.filter(current_version__isnull=False).select_related(
            "article", "current_version"
        )
    )
    assert len(published) == Rating.objects.count() + 2
    reviews, page = [], "/claim-reviews.json"
    while page:
        data = json.loads(client.get(page).content)
        reviews += data["items"]
        page = data["next"] and data["next"].replace("http://testserver", "")
        page = page and re.sub(r"^https?://[^/]+", "", page)
    assert len(reviews) == len(published)
    by_url = {r["url"]: r for r in reviews}
    checked = set()
    for claim in published:
        language = claim.article.language
        label = expected_label(claim.current_version.rating_label, language)
        for reader in ("en", "fr"):
            review = ld_json(get(client, f"/fact-checks/{claim.slug}/", reader))
            assert review["inLanguage"] == language, claim.slug
            assert review["reviewRating"]["alternateName"] == label, claim.slug
            assert review["reviewRating"]["name"] == label
            assert by_url[review["url"]] == review
        checked.add(language)
    assert checked == {"fr", "en"}

    for article in (demo["article"], english):
        items = json.loads(client.get(f"/articles/{article.slug}/annotations.jsonld").content)
        for item in items["first"]["items"]:
            verdict = item["body"][0]
            assert verdict["language"] == article.language
            assert verdict["value"] in {
                expected_label(r.label, article.language) for r in Rating.objects.all()
            }
    feed = feedparser.parse(client.get("/fact-checks.atom").content)
    statements = {c.current_version.statement: c for c in published}
    for entry in feed.entries:
        label, statement = entry.title.split(": ", 1)
        claim = statements[statement]
        assert label == expected_label(claim.current_version.rating_label, claim.article.language)
        assert [t.term for t in entry.tags] == [label]


@pytest.mark.django_db
def test_public_pages_in_english_make_no_more_queries_than_in_french(client):
    from django.test.utils import CaptureQueriesContext

    from claims.public.page_cache import pages

    article = make_article()
    claim = published_claim(article, sentence(article, 1), text="Compte")
    counts = {}
    for language in ("en", "fr"):
        for path in ("/", "/methodology/", f"/fact-checks/{claim.slug}/", "/fact-checks.atom"):
            pages.clear()
            with CaptureQueriesContext(connection) as queries:
                get(client, path, language)
            counts[(language, path)] = len(queries)
    for (language, path), n in counts.items():
        assert n == counts[("fr", path)], (language, path, counts)


# -- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(db):
    admin = User.objects.create_superuser("boss", password="x")
    client = Client()
    client.force_login(admin)
    return client


def rating_post(rating: Rating, **changes) -> dict:
    english = rating.translations.get("en", {})
    data = {
        "label": rating.label,
        "description": rating.description,
        "label_en": english.get("label", ""),
        "description_en": english.get("description", ""),
        "value": "" if rating.value is None else str(rating.value),
        "order": str(rating.order),
        "colour": rating.colour,
    }
    return data | changes


@pytest.mark.django_db
def test_the_admin_edits_both_languages_and_its_history_says_which(admin_client_):
    rating = Rating.objects.get(label="Faux")
    url = f"/admin/claims/rating/{rating.pk}/change/"
    form = get(admin_client_, url, "en")
    assert 'name="label_en"' in form and 'value="False"' in form
    assert "Label (English)" in form and "Label (Français)" in form
    assert "Libellé (English)" in get(admin_client_, url, "fr")

    response = admin_client_.post(
        url,
        rating_post(rating, label_en="Untrue", description_en="Not so."),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rating.refresh_from_db()
    assert rating.translations == {"en": {"label": "Untrue", "description": "Not so."}}
    assert rating.label == "Faux"
    listing = get(admin_client_, "/admin/claims/rating/?q=Untrue", "en")
    assert "en: Untrue" in listing and "1 result" in listing
    entry = LogEntry.objects.get(object_id=str(rating.pk))
    assert "Label (English)" in entry.get_change_message()
    assert "Description (English)" in entry.get_change_message()

    # A description without its label is refused where it was typed, and kept.
    response = admin_client_.post(
        url,
        rating_post(rating, label_en="", description_en="Orphan text"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A description in this language needs a label." in html
    assert "Orphan text" in html
    rating.refresh_from_db()
    assert rating.translations["en"]["label"] == "Untrue"

    # Emptied, the translation is gone and readers get the newsroom's label.
    response = admin_client_.post(url, rating_post(rating, label_en="", description_en=""))
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.translations == {}


@pytest.mark.django_db
def test_the_model_refuses_translations_it_cannot_show():
    from django.core.exceptions import ValidationError

    rating = Rating.objects.get(label="Faux")
    for bad in (
        {"fr": {"label": "Faux"}},
        {"xx": {"label": "?"}},
        {"en": {"description": "d"}},
        {"en": "False"},
        ["en"],
    ):
        rating.translations = bad
        with pytest.raises(ValidationError):
            rating.full_clean()


# -- the data migration ------------------------------------------------------------------------


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_translates_the_scale_and_freezes_existing_versions():
    restore_seed_data()  # a transactional test starts from an empty database
    old = migrate([("claims", "0016_rating_translations")])
    try:
        Rating = old.get_model("claims", "Rating")
        Article = old.get_model("claims", "Article")
        Claim = old.get_model("claims", "Claim")
        Version = old.get_model("claims", "ClaimVersion")
        Rating.objects.update(translations={})
        article = Article.objects.create(title="A", slug="a", body="Une phrase.", language="en")
        vrai = Rating.objects.get(label="Vrai")
        made = {}
        for n, label in enumerate(["Vrai", "Ancien nom de Vrai"]):
            claim = Claim.objects.create(
                article=article, start=0, end=3, exact="Une", slug=f"c{n}", number=n + 1
            )
            made[label] = Version.objects.create(
                claim=claim,
                number=1,
                statement="S",
                claimant="C",
                rating=vrai,
                rating_label=label,
                ruling="R",
                start=0,
                end=3,
                exact="Une",
                approved_at=timezone.now(),
            ).pk

        new = migrate([("claims", "0017_rating_scale_in_english")])
        Rating = new.get_model("claims", "Rating")
        Version = new.get_model("claims", "ClaimVersion")
        for rating in Rating.objects.all():
            assert rating.translations == {
                "en": {
                    "label": SEED[rating.label]["label"],
                    "description": SEED[rating.label]["description"],
                }
            }
        assert Version.objects.get(pk=made["Vrai"]).rating_label_translations == {"en": "True"}
        # Approved under a label the translation does not translate: nothing invented.
        assert Version.objects.get(pk=made["Ancien nom de Vrai"]).rating_label_translations == {}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        restore_seed_data()
