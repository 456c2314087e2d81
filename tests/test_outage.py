"""A database that cannot be reached gives a fast 503 page, never a 500 (issue 9, item 8).

These tests point the test database's connection at nothing (a missing file
for SQLite, a closed port for PostgreSQL) while requests are served through
the test client. tests/test_outage_gunicorn.py stops a real PostgreSQL
cluster under gunicorn.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client

from factcheck.postgresql import base as postgresql
from tests.servers import free_port

FAST = 3.0  # seconds


@pytest.fixture
def unreachable_database(transactional_db, tmp_path):
    """The default connection pointed at a database that is not there, then restored."""
    saved = {key: connection.settings_dict[key] for key in ("NAME", "HOST", "PORT", "OPTIONS")}
    connection.close()
    if connection.vendor == "postgresql":
        connection.close_pool()
        options = {**saved["OPTIONS"], "pool": {**saved["OPTIONS"]["pool"], "timeout": 1}}
        # A port nothing listens on.
        connection.settings_dict.update(HOST="127.0.0.1", PORT=free_port(), OPTIONS=options)
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    yield
    connection.close()
    if connection.vendor == "postgresql":
        connection.close_pool()
    connection.settings_dict.update(saved)
    postgresql.reset()


def timed(client, path, **extra):
    started = time.monotonic()
    response = client.get(path, **extra)
    return response, time.monotonic() - started


def assert_unavailable(response, seconds):
    html = response.content.decode()
    assert response.status_code == 503, html[:300]
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert seconds < FAST
    return html


@pytest.fixture
def reader_paths(demo):
    published = next(claim for claim in demo["claims"] if claim.current_version_id)
    return ["/", f"/articles/{demo['article'].slug}/", f"/fact-checks/{published.slug}/"]


@pytest.fixture
def demo(transactional_db):
    from claims.demo.loader import load_demo
    from tests.conftest import restore_seed_data

    restore_seed_data()
    return load_demo()


def test_readers_and_desk_users_get_the_503_page_when_the_database_is_unreachable(
    demo, reader_paths, request
):
    desk = Client(raise_request_exception=False)
    desk.force_login(demo["users"]["editor"])
    request.getfixturevalue("unreachable_database")
    reader = Client(raise_request_exception=False)
    for client, path in [(reader, p) for p in reader_paths] + [(desk, "/desk/")]:
        response, seconds = timed(client, path)
        html = assert_unavailable(response, seconds)
        assert "Temporarily unavailable" in html and "Error 503" in html
        assert "Error 500" not in html and "Something went wrong" not in html
        assert 'href="/static/css/public.css"' in html
    # A login needs the database too (the throttle and the account).
    started = time.monotonic()
    response = reader.post("/accounts/login/", {"username": "editor", "password": "x"})
    assert_unavailable(response, time.monotonic() - started)


def test_an_htmx_request_gets_a_message_for_the_page_not_a_whole_page(demo, request):
    desk = Client(raise_request_exception=False)
    desk.force_login(demo["users"]["editor"])
    request.getfixturevalue("unreachable_database")
    response, seconds = timed(desk, f"/desk/articles/{demo['article'].pk}/", HTTP_HX_REQUEST="true")
    html = assert_unavailable(response, seconds)
    assert response["HX-Retarget"] == "#flash" and response["HX-Reswap"] == "innerHTML"
    assert html.startswith('<p class="notice notice--error" role="alert">')
    assert "<html" not in html


def test_the_503_page_is_in_the_readers_language(demo, unreachable_database):
    response, seconds = timed(Client(raise_request_exception=False), "/", HTTP_ACCEPT_LANGUAGE="fr")
    html = assert_unavailable(response, seconds)
    assert '<html lang="fr">' in html and "Momentanément indisponible" in html
    assert response["Content-Language"] == "fr"


def test_with_debug_on_the_outage_is_a_503_too(demo, settings, request):
    desk = Client(raise_request_exception=False)
    desk.force_login(demo["users"]["editor"])
    request.getfixturevalue("unreachable_database")
    settings.DEBUG = True
    for client, path in [(Client(raise_request_exception=False), "/"), (desk, "/desk/")]:
        response, seconds = timed(client, path)
        html = assert_unavailable(response, seconds)
        assert "Traceback" not in html
