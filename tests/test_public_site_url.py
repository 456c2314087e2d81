"""SITE_URL: the one origin of every absolute address, required with DEBUG off.

Pages, feeds, ClaimReview, Web Annotations and emails build their links with
``links.absolute``, on SITE_URL; its path is the script prefix
(FORCE_SCRIPT_NAME), so a site served under a path links there, whatever
SCRIPT_NAME a request sends.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings
from django.urls import get_script_prefix, set_script_prefix

from claims import workflow
from claims.public.checks import site_url_is_set
from claims.public.links import absolute
from claims.public.wsgi import StoredPagesApplication
from factcheck.wsgi import django_application
from tests.test_public_poisoning import send
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    draft_claim,
    make_article,
    people,
    published_claim,
    sentence,
)


def ids(errors) -> list[str]:
    return [error.id for error in errors]


@pytest.mark.django_db  # all checks run: some ask the database backend for its features
@override_settings(DEBUG=False, SITE_URL="")
def test_the_check_requires_site_url_with_debug_off():
    (error,) = site_url_is_set()
    assert error.level == checks.ERROR and error.id == "claims.E101"
    assert "SITE_URL is not set" in error.msg
    assert "SITE_URL=https://desk.example.org" in error.hint
    assert "claims.E101" in ids(checks.run_checks())


@override_settings(DEBUG=True, SITE_URL="")
def test_the_check_lets_a_development_run_go_without_it():
    assert site_url_is_set() == []


@pytest.mark.parametrize(
    "site_url",
    [
        "desk.example.org",
        "//desk.example.org",
        "ftp://desk.example.org",
        "https://",
        "https://desk.example.org/?x=1",
        "https://desk.example.org/#top",
        "https://user:pw@desk.example.org",
        "https://desk.example.org:port",
        "https://[::1",
    ],
)
def test_the_check_refuses_what_is_not_an_origin(site_url):
    for debug in (False, True):
        with override_settings(DEBUG=debug, SITE_URL=site_url):
            (error,) = site_url_is_set()
            assert error.id == "claims.E102" and repr(site_url) in error.msg


@pytest.mark.parametrize(
    "site_url",
    ["https://desk.example.org", "http://127.0.0.1:8000", "https://news.example/checks/"],
)
def test_the_check_accepts_an_origin_with_or_without_a_path(site_url):
    with override_settings(DEBUG=False, SITE_URL=site_url):
        assert site_url_is_set() == []


def manage(*arguments, **env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "desk.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://desk.example.org",
        **env,
    }
    environment.pop("SITE_URL", None)
    if env.get("SITE_URL"):
        environment["SITE_URL"] = env["SITE_URL"]
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_fails_without_site_url_and_says_how_to_fix_it():
    """What CI runs with production values (.ci/run)."""
    missing = manage("check", "--deploy", "--fail-level", "WARNING")
    assert missing.returncode != 0
    assert "claims.E101" in missing.stderr
    assert "SITE_URL is not set" in missing.stderr
    assert "SITE_URL=https://desk.example.org" in missing.stderr
    given = manage(
        "check", "--deploy", "--fail-level", "WARNING", SITE_URL="https://desk.example.org"
    )
    assert "claims.E101" not in given.stderr + given.stdout
    assert "claims.E102" not in given.stderr + given.stdout


def test_site_url_s_path_is_the_script_prefix():
    code = "from django.conf import settings; print(json.dumps(settings.FORCE_SCRIPT_NAME))"
    for site_url, prefix in (
        ("https://desk.example.org", ""),
        ("https://desk.example.org/", ""),
        ("https://news.example/checks/", "/checks"),
        ("https://news.example/a/b", "/a/b"),
    ):
        shown = manage("shell", "-c", f"import json; {code}", SITE_URL=site_url)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout.splitlines()[-1]) == prefix, site_url


# -- a site served under a path ----------------------------------------------------------------


@pytest.fixture
def under_a_path():
    """SITE_URL with a path, as settings derive FORCE_SCRIPT_NAME from it; the proxy
    strips the path before the request reaches the application."""
    previous = get_script_prefix()
    with override_settings(SITE_URL="https://news.example/checks", FORCE_SCRIPT_NAME="/checks"):
        yield "https://news.example/checks"
    set_script_prefix(previous)


@pytest.mark.django_db(transaction=True)
def test_a_site_under_a_path_links_there_whatever_script_name_is_sent(under_a_path):
    from tests.conftest import restore_seed_data

    restore_seed_data()
    article = make_article()
    claim = published_claim(article, sentence(article, 2), text="Préfixe")
    application = StoredPagesApplication(django_application)
    path = f"/fact-checks/{claim.slug}/"
    status, headers, body = send(application, path)
    html = body.decode()
    assert status == "200 OK"
    assert f'<link rel="canonical" href="{under_a_path}{path}">' in html
    assert f'href="/checks/articles/{article.slug}/#fc-{claim.slug}"' in html
    assert f'"url": "{under_a_path}{path}"' in html  # ClaimReview
    for script_name in ("", "//evil.example", "/other"):
        for _ in range(3):
            assert send(application, path, SCRIPT_NAME=script_name) == (status, headers, body)
    feed = send(application, "/fact-checks.atom")[2].decode()
    assert f"<id>{under_a_path}{path}</id>" in feed


@pytest.mark.django_db
def test_emailed_links_are_on_site_url_with_its_path(
    under_a_path, mailoutbox, django_capture_on_commit_callbacks
):
    set_script_prefix("/checks/")  # as django.setup() and each request set it
    editor, reviewer = people()
    editor.email, reviewer.email = "editor@desk.example", "reviewer@desk.example"
    editor.save(), reviewer.save()
    article = make_article(editor=editor)
    claim = draft_claim(article, sentence(article, 2), text="Courriel", editor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(claim.pk, editor)
        workflow.approve(claim.pk, reviewer)
    (review,) = [m for m in mailoutbox if m.to == ["reviewer@desk.example"]]
    (published,) = [m for m in mailoutbox if m.to == ["editor@desk.example"]]
    assert f"{under_a_path}/desk/review/{claim.pk}/" in review.body
    assert absolute(claim.get_absolute_url()) in published.body
    assert f"{under_a_path}/desk/articles/{article.pk}/?claim={claim.pk}" in published.body
