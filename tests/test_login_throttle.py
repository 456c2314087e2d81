"""Login throttling (django-axes), desk sessions' idle expiry, desk cache headers (issue 9, 7)."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from django.utils import timezone

from claims.demo.loader import DEMO_PASSWORD
from claims.middleware import LAST_SEEN

LIMIT = 10  # the default LOGIN_FAILURE_LIMIT
LOCKED = "Too many failed logins for this account or from this address."


def attempt(client, username, password, path="/accounts/login/", address="10.0.0.1", **extra):
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def username_field(html: str) -> str:
    return re.search(r'<input[^>]*name="username"[^>]*>', html).group(0)


@pytest.fixture
def hasher_calls():
    """Counts passwords hashed (verify hashes through encode), the real hasher doing the work."""
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        yield lambda: encode.call_count


def test_wrong_passwords_lock_the_account_and_then_the_right_password_is_refused(editor):
    client = Client()
    for _ in range(LIMIT - 1):
        response = attempt(client, "ed", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = attempt(client, "ed", "wrong")  # the last one allowed locks the account
    assert response.status_code == 429

    response = attempt(client, "ed", DEMO_PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert LOCKED in html and "15 minutes" in html
    assert 'role="alert"' in html
    assert 'value="ed"' in username_field(html)  # what they typed is kept
    assert not logged_in(client)
    # Per account: the right password from another address is refused too.
    assert attempt(Client(), "ed", DEMO_PASSWORD, address="10.9.9.9").status_code == 429


def test_an_address_is_locked_whatever_the_accounts_it_tries(make_user):
    make_user("victim")
    client = Client()
    for number in range(LIMIT):
        attempt(client, f"guess{number}", "wrong")
    response = attempt(client, "victim", DEMO_PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    # The same account from another address is fine: only that address is locked.
    other = Client()
    response = attempt(other, "victim", DEMO_PASSWORD, address="10.0.0.2")
    assert response.status_code == 302 and logged_in(other)


def test_a_lockout_ends_after_the_cooloff(editor):
    client = Client()
    for _ in range(LIMIT):
        attempt(client, "ed", "wrong")
    assert attempt(client, "ed", DEMO_PASSWORD).status_code == 429
    # Fourteen minutes later, still locked; sixteen minutes later, free.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=14))
    assert attempt(client, "ed", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=2))
    response = attempt(client, "ed", DEMO_PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_locked_out_attempt_is_refused_before_any_password_is_hashed(editor, hasher_calls):
    client = Client()
    attempt(client, "ed", "wrong")
    assert hasher_calls() == 1  # an allowed attempt costs one hash
    attempt(client, "nobody", "wrong")
    assert hasher_calls() == 2  # an unknown account too (Django hashes against timing attacks)
    for _ in range(LIMIT - 2):
        attempt(client, "ed", "wrong")
    before = hasher_calls()
    for password in ["wrong", DEMO_PASSWORD, "wrong"]:
        assert attempt(client, "ed", password).status_code == 429
        assert attempt(client, "nobody", password).status_code == 429
    assert hasher_calls() == before


def test_the_admin_login_is_throttled_and_says_why(make_user):
    make_user("boss", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(LIMIT):
        attempt(client, "boss", "wrong", path="/admin/login/")
    response = attempt(client, "boss", DEMO_PASSWORD, path="/admin/login/")
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in html
    assert 'value="boss"' in username_field(html)
    assert not logged_in(client)
    # The desk's login counts the same failures.
    assert attempt(client, "boss", DEMO_PASSWORD).status_code == 429


def test_the_french_login_page_explains_the_lockout_in_french(editor):
    client = Client(headers={"Accept-Language": "fr"})
    for _ in range(LIMIT):
        attempt(client, "ed", "wrong")
    html = attempt(client, "ed", DEMO_PASSWORD).content.decode()
    assert "Trop de connexions échouées" in html
    assert LOCKED not in html


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(editor, settings):
    client = Client()
    for number in range(LIMIT):
        attempt(client, "ed", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    AccessAttempt.objects.all().delete()

    settings.TRUSTED_PROXIES = 1
    # Behind one proxy, the client is the last address it appended; what the
    # client wrote before it is not believed.
    for number in range(LIMIT):
        forwarded = f"198.51.100.{number}, 192.0.2.7"
        attempt(client, f"u{number}", "wrong", HTTP_X_FORWARDED_FOR=forwarded)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}
    response = attempt(client, "ed", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert response.status_code == 429
    response = attempt(client, "ed", DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.8")
    assert response.status_code == 302
    # Garbage in the header is not an address.
    response = attempt(Client(), "ed", "wrong", HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 200


# -- desk sessions -----------------------------------------------------------------------------


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def idle_for(client, idle: dt.timedelta) -> None:
    """Make the session look as if its last desk request was `idle` ago."""
    store = SessionStore(session_key=client.cookies["sessionid"].value)
    store[LAST_SEEN] = store[LAST_SEEN] - int(idle.total_seconds())
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() + dt.timedelta(hours=12) - idle
    )


def test_a_desk_session_ends_after_the_idle_time_and_each_desk_request_extends_it(
    editor_client, settings
):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    editor_client.get("/desk/")
    left = session_row(editor_client).expire_date - timezone.now()
    assert abs(left - dt.timedelta(hours=12)) < dt.timedelta(minutes=1)
    # Eleven hours and a half without a request: the next desk request starts the wait again.
    idle_for(editor_client, dt.timedelta(hours=11, minutes=30))
    response = editor_client.get("/desk/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 12 * 3600
    left = session_row(editor_client).expire_date - timezone.now()
    assert left > dt.timedelta(hours=11, minutes=59)
    # Twelve hours without one: the session is over.
    idle_for(editor_client, dt.timedelta(hours=12, seconds=1))
    response = editor_client.get("/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_public_pages_neither_extend_the_session_nor_set_a_cookie(editor_client, demo):
    editor_client.get("/desk/")
    row = session_row(editor_client)
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + dt.timedelta(hours=1))
    for path in ["/", f"/articles/{demo['article'].slug}/"]:
        response = editor_client.get(path)
        assert response.status_code == 200
        assert "sessionid" not in response.cookies
        assert response["Cache-Control"] == "no-cache" and response["ETag"]
    assert session_row(editor_client).expire_date - timezone.now() < dt.timedelta(hours=1)


def test_desk_pages_the_login_page_and_the_admin_are_not_stored(editor_client, demo, client):
    def directives(response):
        return {part.strip() for part in response["Cache-Control"].split(",")}

    for path in ["/desk/", f"/desk/articles/{demo['article'].pk}/", "/desk/articles/new/"]:
        response = editor_client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    anonymous = Client()
    assert {"private", "no-store"} <= directives(anonymous.get("/accounts/login/"))
    assert {"private", "no-store"} <= directives(anonymous.get("/admin/login/"))
    assert directives(anonymous.get("/desk/")) == {"private", "no-store"}  # the redirect too
