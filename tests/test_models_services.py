"""Services (writes), models and roles, without HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims import permissions, services
from claims.anchoring import make_anchor
from claims.models import Article, Claim, ClaimStatus, Rating, Source
from claims.services import ClaimError, ClaimGoneError, SourceData, StaleClaimError

BODY = "Première phrase de l’article. Deuxième phrase\u00a0! Troisième phrase 😀 ici.\n\nFin."


@pytest.fixture
def article(editor):
    return services.create_article(editor, title="Un article", language="fr", body=BODY)


@pytest.fixture
def claim(article, editor):
    return services.create_claim(article, editor, make_anchor(BODY, 0, 29))


def fields(**overrides):
    base = {"statement": "S", "claimant": "C", "claim_date": None, "rating": None, "ruling": "R"}
    base.update(overrides)
    return base


def src(title, id=None, url=None, **extra):
    return SourceData(
        id=id,
        fields={
            "url": url or f"https://example.org/{title}",
            "title": title,
            "stance": "context",
            **extra,
        },
    )


def titles(claim):
    return list(Source.objects.filter(claim=claim).order_by("order").values_list("title", "order"))


# --- articles -------------------------------------------------------------------------------


def test_create_article_sets_slug_sentences_and_author(article, editor):
    assert article.slug == "un-article"
    assert article.created_by == editor
    assert article.sentences
    for start, end in article.sentences:
        assert 0 <= start < end <= len(BODY)
        assert BODY[start:end].strip() == BODY[start:end]
    assert Article.objects.get(pk=article.pk).body == BODY


def test_same_title_twice_gets_distinct_slugs(editor):
    a = services.create_article(editor, title="Même titre", body="A.")
    b = services.create_article(editor, title="Même titre", body="B.")
    c = services.create_article(editor, title="Même titre", body="C.")
    assert len({a.slug, b.slug, c.slug}) == 3
    assert a.slug == "meme-titre"
    assert b.slug == "meme-titre-2" and c.slug == "meme-titre-3"


def test_slug_of_non_latin_or_symbol_title(editor):
    a = services.create_article(editor, title="日本語のタイトル", body="A.")
    b = services.create_article(editor, title="<script>", body="B.")
    c = services.create_article(editor, title="!!!", body="C.")
    assert a.slug and b.slug and c.slug
    assert len({a.slug, b.slug, c.slug}) == 3
    for slug in (a.slug, b.slug, c.slug):
        assert slug.isascii() and "<" not in slug


def test_long_title_slug_fits_the_column(editor):
    title = "mot " * 200
    a = services.create_article(editor, title=title[:300], body="A.")
    b = services.create_article(editor, title=title[:300], body="B.")
    assert len(a.slug) <= 120 and len(b.slug) <= 120 and a.slug != b.slug


# --- claims ---------------------------------------------------------------------------------


def test_create_claim_stores_anchor(claim, editor):
    assert (claim.start, claim.end) == (0, 29)
    assert claim.exact == BODY[:29] and claim.prefix == "" and claim.suffix == BODY[29:61]
    assert claim.status == ClaimStatus.DRAFT and claim.version == 1
    assert claim.created_by == claim.updated_by == editor
    assert claim.anchor == make_anchor(BODY, 0, 29)


def test_empty_anchor_is_refused_by_the_database(article, editor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=article, start=5, end=5, exact="")


def test_save_claim_creates_sources_in_order(claim, editor):
    rating = Rating.objects.get(label="Faux")
    saved = services.save_claim(
        claim.pk, 1, editor, fields(rating=rating), [src("a"), src("b"), src("c")]
    )
    assert saved.version == 2
    assert saved.statement == "S" and saved.rating == rating
    assert titles(claim) == [("a", 0), ("b", 1), ("c", 2)]
    source = Source.objects.get(claim=claim, title="a")
    assert source.publisher == "" and source.excerpt == "" and source.archive_url == ""
    assert source.published_on is None


def test_save_claim_updates_reorders_and_deletes_sources(claim, editor):
    services.save_claim(claim.pk, 1, editor, fields(), [src("a"), src("b"), src("c")])
    ids = dict(Source.objects.filter(claim=claim).values_list("title", "pk"))
    rows = [src("c2", id=ids["c"]), src("a", id=ids["a"]), src("d")]
    saved = services.save_claim(claim.pk, 2, editor, fields(statement="S2"), rows)
    assert saved.version == 3 and saved.statement == "S2"
    assert titles(claim) == [("c2", 0), ("a", 1), ("d", 2)]
    now = dict(Source.objects.filter(claim=claim).values_list("title", "pk"))
    assert now["c2"] == ids["c"] and now["a"] == ids["a"]
    assert not Source.objects.filter(pk=ids["b"]).exists()
    # Removing every source.
    services.save_claim(claim.pk, 3, editor, fields(), [])
    assert titles(claim) == []


def test_save_claim_never_touches_another_claims_sources(claim, article, editor):
    other = services.create_claim(article, editor, make_anchor(BODY, 30, 50))
    services.save_claim(other.pk, 1, editor, fields(), [src("theirs")])
    theirs = Source.objects.get(claim=other)
    # A forged row id pointing at another claim's source becomes a new source here.
    services.save_claim(claim.pk, 1, editor, fields(), [src("mine", id=theirs.pk)])
    theirs.refresh_from_db()
    assert theirs.title == "theirs" and theirs.claim_id == other.pk
    assert titles(claim) == [("mine", 0)]
    assert Source.objects.get(claim=claim).pk != theirs.pk


def test_stale_save_is_refused_and_changes_nothing(claim, editor, make_user):
    other = make_user("other", "Editors")
    services.save_claim(claim.pk, 1, other, fields(statement="theirs"), [src("t")])
    with pytest.raises(StaleClaimError) as info:
        services.save_claim(claim.pk, 1, editor, fields(statement="mine"), [src("m")])
    assert info.value.current.version == 2
    assert "other" in info.value.message and "version 2" in info.value.message
    assert isinstance(info.value, ClaimError)
    claim.refresh_from_db()
    assert claim.statement == "theirs" and claim.version == 2 and claim.updated_by == other
    assert titles(claim) == [("t", 0)]


def test_stale_save_with_a_newer_version_is_refused_too(claim, editor):
    with pytest.raises(StaleClaimError):
        services.save_claim(claim.pk, 5, editor, fields(), [])


@pytest.mark.parametrize(
    "status", [ClaimStatus.IN_REVIEW, ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN]
)
def test_save_refused_when_claim_is_not_editable(claim, editor, status):
    Claim.objects.filter(pk=claim.pk).update(status=status)
    with pytest.raises(ClaimError) as info:
        services.save_claim(claim.pk, 1, editor, fields(statement="x"), [src("x")])
    assert not isinstance(info.value, StaleClaimError)
    assert "cannot be edited" in info.value.message
    claim.refresh_from_db()
    assert claim.statement == "" and claim.version == 1 and titles(claim) == []


def test_save_allowed_when_changes_requested(claim, editor):
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.CHANGES_REQUESTED)
    assert services.save_claim(claim.pk, 1, editor, fields(), []).version == 2


def test_save_of_deleted_claim(claim, editor):
    pk = claim.pk
    claim.delete()
    with pytest.raises(ClaimGoneError):
        services.save_claim(pk, 1, editor, fields(), [])


def test_move_claim_anchor(claim, editor):
    moved = services.move_claim_anchor(claim.pk, 1, editor, make_anchor(BODY, 30, 50))
    assert (moved.start, moved.end, moved.exact) == (30, 50, BODY[30:50])
    assert moved.version == 2
    with pytest.raises(StaleClaimError):
        services.move_claim_anchor(claim.pk, 1, editor, make_anchor(BODY, 0, 5))
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
    with pytest.raises(ClaimError):
        services.move_claim_anchor(claim.pk, 2, editor, make_anchor(BODY, 0, 5))


# --- deleting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "published", "deletable"),
    [
        (ClaimStatus.DRAFT, False, True),
        (ClaimStatus.CHANGES_REQUESTED, False, True),
        (ClaimStatus.DRAFT, True, False),
        (ClaimStatus.CHANGES_REQUESTED, True, False),
        (ClaimStatus.IN_REVIEW, False, False),
        (ClaimStatus.PUBLISHED, True, False),
        (ClaimStatus.WITHDRAWN, False, False),
    ],
)
def test_can_be_deleted_and_delete_claim(claim, editor, status, published, deletable):
    Claim.objects.filter(pk=claim.pk).update(
        status=status, last_published_at=timezone.now() if published else None
    )
    claim.refresh_from_db()
    assert claim.can_be_deleted is deletable
    assert claim.was_ever_published is published
    assert permissions.can_delete_claim(editor, claim) is deletable
    Source.objects.create(claim=claim, url="https://example.org/", title="t")
    if deletable:
        services.delete_claim(claim.pk, editor)
        assert not Claim.objects.filter(pk=claim.pk).exists()
        assert not Source.objects.filter(claim_id=claim.pk).exists()
    else:
        with pytest.raises(ClaimError):
            services.delete_claim(claim.pk, editor)
        assert Claim.objects.filter(pk=claim.pk).exists()


def test_delete_claim_twice(claim, editor):
    services.delete_claim(claim.pk, editor)
    with pytest.raises(ClaimGoneError):
        services.delete_claim(claim.pk, editor)


def test_is_editable(claim):
    for status in ClaimStatus:
        claim.status = status
        assert claim.is_editable is (status in {ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED})


def test_str_and_urls(claim, article):
    assert str(claim) == BODY[:29]
    claim.statement = "Affirmation"
    assert str(claim) == "Affirmation"
    assert claim.get_absolute_url() == f"/desk/articles/{article.pk}/?claim={claim.pk}"
    assert article.get_absolute_url() == f"/desk/articles/{article.pk}/"
    assert str(article) == "Un article"


def test_rating_scale_seeded(db):
    labels = list(Rating.objects.values_list("label", flat=True))
    assert labels[:5] == ["Vrai", "Plutôt vrai", "À nuancer", "Inexact", "Faux"]
    assert Rating.objects.get(label="Trompeur").value is None
    assert Rating.objects.get(label="Vrai").value == 5


# --- roles ----------------------------------------------------------------------------------


def group_perms(name):
    return set(
        Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    )


def test_groups_exist_after_migrations_with_the_right_permissions(db):
    editors, reviewers = group_perms("Editors"), group_perms("Reviewers")
    for perms in (editors, reviewers):
        for codename in (
            "view_claim",
            "add_claim",
            "change_claim",
            "delete_claim",
            "view_article",
            "add_article",
            "change_article",
            "add_source",
            "change_source",
            "delete_source",
            "view_rating",
        ):
            assert ("claims", codename) in perms
        # The rating scale and users are the administrators' business.
        assert ("claims", "change_rating") not in perms
        assert ("claims", "delete_article") not in perms
        assert not any(app == "auth" for app, _ in perms)
    assert ("claims", "review_claim") in reviewers
    assert ("claims", "review_claim") not in editors


def test_no_demo_account_is_created_by_migrations(db):
    from django.contrib.auth.models import User

    assert not User.objects.exists()


ROLE_TABLE = {
    # role: (use desk, load articles, edit claims, review)
    "editor": (True, True, True, False),
    "reviewer": (True, True, True, True),
    "outsider": (False, False, False, False),
    "inactive editor": (False, False, False, False),
    "inactive reviewer": (False, False, False, False),
    "superuser": (True, True, True, True),
    "anonymous": (False, False, False, False),
}


@pytest.mark.parametrize("role", ROLE_TABLE)
def test_permission_functions_by_role(role, make_user, claim):
    user = {
        "editor": lambda: make_user("e1", "Editors"),
        "reviewer": lambda: make_user("r1", "Reviewers"),
        "outsider": lambda: make_user("o1"),
        "inactive editor": lambda: make_user("ie", "Editors", is_active=False),
        "inactive reviewer": lambda: make_user("ir", "Reviewers", is_active=False),
        "superuser": lambda: make_user("su", is_superuser=True, is_staff=True),
        "anonymous": AnonymousUser,
    }[role]()
    desk, load, edit, review = ROLE_TABLE[role]
    assert permissions.can_use_desk(user) is desk
    assert permissions.can_load_articles(user) is load
    assert permissions.can_edit_claims(user) is edit
    assert permissions.can_review(user) is review
    assert permissions.can_delete_claim(user, claim) is edit
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW)
    claim.refresh_from_db()
    assert permissions.can_delete_claim(user, claim) is False


def test_permission_functions_accept_none(db):
    assert permissions.can_use_desk(None) is False
    assert permissions.can_review(None) is False


def test_role_granted_directly_as_permission(make_user):
    """Rules ask for permissions, not group names: a per-user grant works the same."""
    from django.contrib.auth.models import Permission

    user = make_user("direct")
    user.user_permissions.add(Permission.objects.get(codename="view_claim"))
    user = type(user).objects.get(pk=user.pk)
    assert permissions.can_use_desk(user)
    assert not permissions.can_edit_claims(user)


def test_create_article_survives_a_concurrent_article_with_the_same_slug(editor, monkeypatch):
    real = services.sentence_spans

    def racing_sentence_spans(body, language):
        # Another request saves an article with the same title between slug and save.
        if not Article.objects.filter(slug="course").exists():
            Article.objects.create(title="Course", slug="course", body="Autre.")
        return real(body, language)

    monkeypatch.setattr(services, "sentence_spans", racing_sentence_spans)
    with transaction.atomic():
        article = services.create_article(editor, title="Course", body="Une phrase.")
    assert article.slug != "course"
    assert Article.objects.filter(title="Course").count() == 2
