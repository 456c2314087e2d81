"""The demo newsroom loader and its `load_demo` command."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from claims.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_body, newsroom
from claims.management.commands.rundemo import served_url
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


# --------------------------------------------------------------------------------------------
# rundemo, run as the README runs it: its own process, the autoreloader on
# --------------------------------------------------------------------------------------------


def _form_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def _browse(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with opener.open(url, body, timeout=20) as response:
        return response.read().decode()


@pytest.mark.parametrize("site_url", [None, "https://desk.example.org"])
def test_rundemo_with_the_autoreloader_sets_up_once_and_mails_links_to_its_port(tmp_path, site_url):
    """`rundemo PORT`: one setup and one account list (the reloader's child used to run
    the command again), and the emailed links point at PORT, not 8000, unless SITE_URL
    says where they go."""
    from tests.test_browser_modes import Server, dev_env, free_port

    port = free_port()
    env = dev_env(tmp_path)
    if site_url:
        env["SITE_URL"] = site_url
    server = Server(["rundemo", str(port)], env, f"http://127.0.0.1:{port}", tmp_path / "log")
    try:
        server.wait_until_up()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        login = _browse(opener, f"{server.url}/accounts/login/")
        _browse(
            opener,
            f"{server.url}/accounts/login/",
            {
                "username": "editor",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": _form_token(login),
            },
        )
        desk = _browse(opener, f"{server.url}/desk/articles/1/")
        draft = newsroom()["claims"][2]
        assert draft["demo_state"] == "draft"
        _browse(
            opener,
            f"{server.url}/desk/claims/3/transition/",
            {"action": "submit", "csrfmiddlewaretoken": _form_token(desk)},
        )
        deadline = time.monotonic() + 20
        while "/desk/review/3/" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
    output = server.output()
    assert output.count("Demo newsroom loaded") == 1, output
    assert output.count("  reviewer2 ") == 1, output
    assert output.count(f"Open http://127.0.0.1:{port}/desk/") == 1, output
    # Django's own lines too: the autoreloader's, and each request's, once and dated.
    assert output.count("Watching for file changes") == 1, output
    assert output.count('"GET /desk/articles/1/ HTTP/1.1" 200') == 1, output
    assert re.search(r'^\[[^\]]+\] "GET /desk/articles/1/ HTTP/1.1" 200', output, re.M), output
    # The reviewers' email, printed by the console mailer in the serving child.
    assert f"{site_url or server.url}/desk/review/3/" in output, output
    assert "127.0.0.1:8000" not in output


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("0:9000", "http://127.0.0.1:9000"),
        ("[::]:9000", "http://127.0.0.1:9000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("localhost:7000", "http://localhost:7000"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
    ],
)
def test_rundemo_served_url(addrport, url):
    assert served_url(addrport) == url


def test_rundemo_refuses_a_bad_address():
    with pytest.raises(CommandError, match="not a valid port"):
        served_url("nine thousand")
