"""Shared fixtures: demo accounts, the demo article, a logged-in client per role."""

import importlib
import os

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, User
from pageserver import PageServer

from claims.demo.loader import DEMO_PASSWORD, load_demo

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the browser tests make around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def restore_seed_data():
    """Roles and rating scale come from data migrations; a transactional test's
    flush removes them, so browser tests put them back first."""
    for app_config in django_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    importlib.import_module("claims.migrations.0002_roles").create_groups(django_apps)
    importlib.import_module("claims.migrations.0003_rating_scale").seed(django_apps, None)
    importlib.import_module("claims.migrations.0017_rating_scale_in_english").translate(
        django_apps, None
    )


@pytest.fixture
def seeded_live_db(transactional_db):
    restore_seed_data()


@pytest.fixture
def demo(db):
    """The demo newsroom: article, three claims, accounts editor/editor2/reviewer/…/admin."""
    return load_demo()


@pytest.fixture
def make_user(db):
    def make(username, group=None, **extra):
        user = User.objects.create_user(username, password=DEMO_PASSWORD, **extra)
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user("ed", "Editors")


@pytest.fixture
def reviewer(make_user):
    return make_user("rev", "Reviewers")


@pytest.fixture
def outsider(make_user):
    """Logged in, but with no desk role."""
    return make_user("reader")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Debian's Chromium (Playwright cannot download browsers here). Never skip: fail loudly."""
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(path):
        raise RuntimeError(
            f"No Chromium at {path}: install it (apt-get install chromium) or set "
            "CHROMIUM_PATH. Browser tests never skip."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def fresh_public_pages():
    """No public page stored by another test; and the live server's stamp connection
    closed before the test database goes."""
    from claims.public import freshness
    from claims.public.page_cache import pages

    pages.clear()
    yield
    pages.clear()
    freshness.close()


@pytest.fixture
def page_factory(browser, live_server, seeded_live_db):
    """New browser pages at a given width; console errors fail the test at teardown."""
    contexts, errors = [], []

    def make(width=1280, height=900, locale="en-GB"):
        # Reduced motion: highlights scroll into view at once, so coordinates
        # measured for a mouse drag do not move under the pointer.
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.url,
            reduced_motion="reduce",
            locale=locale,
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    csp_or_script = [e for e in errors if "Content Security Policy" in e or "Error" in e]
    assert not csp_or_script, f"browser console errors: {csp_or_script}"


def log_in(page, username, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    # By name, not label: the labels follow the interface language.
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/desk/")


@pytest.fixture
def server():
    """A local HTTP server on loopback for the fetching tests (tests/pageserver.py): the
    test settings allow its host (ARTICLE_FETCH_ALLOWED_HOSTS), which the fetcher would
    otherwise refuse as a loopback address."""
    s = PageServer().start()
    yield s
    s.stop()
