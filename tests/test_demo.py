"""The demo newsroom loader and its `load_demo` command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from claims.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_body, newsroom
from claims.models import Article, Claim, Rating, Source
from claims.text import canonicalize


def counts():
    return (
        Article.objects.count(),
        Claim.objects.count(),
        Source.objects.count(),
        User.objects.count(),
    )


@pytest.mark.django_db
def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo", stdout=StringIO())
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_force_loads_with_debug_off(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    assert counts() == (1, 3, 8, 5)
    assert "factcheck" in out.getvalue()


@pytest.mark.django_db
def test_loads_with_debug_on_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    first = counts()
    article = Article.objects.get()
    claim_ids = set(Claim.objects.values_list("pk", flat=True))
    call_command("load_demo", stdout=StringIO())
    assert first == counts() == (1, 3, 8, 5)
    assert Article.objects.get().pk == article.pk
    assert set(Claim.objects.values_list("pk", flat=True)) == claim_ids


@pytest.mark.django_db
def test_rerun_without_reset_keeps_the_claims_and_their_ids(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    before = list(Claim.objects.order_by("pk").values_list("pk", "status", "version"))
    call_command("load_demo", stdout=StringIO())
    assert list(Claim.objects.order_by("pk").values_list("pk", "status", "version")) == before


@pytest.mark.django_db
def test_rerun_restores_edited_demo_data(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    Claim.objects.update(statement="edited")
    User.objects.filter(username="editor").update(is_active=False)
    User.objects.get(username="reviewer").groups.clear()
    call_command("load_demo", "--reset", stdout=StringIO())
    assert not Claim.objects.filter(statement="edited").exists()
    assert User.objects.get(username="editor").is_active
    assert User.objects.get(username="reviewer").groups.filter(name="Reviewers").exists()
    assert counts() == (1, 3, 8, 5)


def test_demo_claims_are_anchored_on_their_quotes(demo):
    data = newsroom()
    article = demo["article"]
    body = article.body
    assert body == demo_body(data) == canonicalize(body)
    assert article.title == data["article"]["title"]
    assert article.language == "fr"
    assert article.sentences
    quotes = {spec["quote"]: spec for spec in data["claims"]}
    claims = list(Claim.objects.filter(article=article).order_by("start"))
    assert len(claims) == len(data["claims"]) == 3
    for claim in claims:
        assert claim.exact == body[claim.start : claim.end]
        assert claim.exact in quotes
        assert body.count(claim.exact) == 1
        assert claim.prefix == body[max(0, claim.start - 32) : claim.start]
        assert claim.suffix == body[claim.end : claim.end + 32]
        spec = quotes[claim.exact]
        assert claim.statement == spec["statement"]
        assert claim.claimant == spec["claimant"]
        assert claim.rating == Rating.objects.get(label=spec["rating"])
        assert [s.url for s in claim.sources.order_by("order")] == [
            s["url"] for s in spec["sources"]
        ]
        for source in claim.sources.all():
            assert source.url.startswith(("http://", "https://"))


def test_demo_body_keeps_french_typography(demo):
    body = demo["article"].body
    assert "\u00a0" in body  # no-break spaces inside « »
    assert "\u2019" in body and "'" in body
    assert "\r" not in body


@pytest.mark.parametrize(("username", "group", "is_admin"), DEMO_ACCOUNTS)
def test_demo_accounts_log_in(demo, username, group, is_admin):
    user = authenticate(username=username, password=DEMO_PASSWORD)
    assert user is not None and user.is_active
    assert user.is_superuser is is_admin and user.is_staff is is_admin
    if group:
        assert list(user.groups.values_list("name", flat=True)) == [group]
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": "factcheck"})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200
    assert authenticate(username=username, password="wrong") is None
