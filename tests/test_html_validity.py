"""Every public and desk page is valid HTML for the Nu HTML Checker (vnu), in English and French.

The pages are rendered through the test client with the demo newsroom plus
published, updated (with correction notes) and withdrawn fact-checks, written to
a temporary directory and checked by ONE run of vnu (java starts slowly).
htmx fragments are wrapped in a minimal document, so their markup is checked too.

vnu comes from the ``vnu-jar`` npm package in ``.tools/`` (``scripts/test`` and
``.ci/run`` install it with a Debian Java runtime); set VNU_JAR to use another
copy. The test never skips: without java or vnu it fails and says how to install them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client, RequestFactory

from claims import desk_lists, discussion, revisions, workflow
from claims.demo.loader import load_demo
from claims.forms import DateInput, URLInput
from claims.models import Claim
from claims.templatetags.html_dates import html_datetime
from claims.views import errors
from tests.test_public_revisions import reattach
from tests.test_public_support import (  # noqa: F401 - fixtures
    _fresh_public_cache,
    _quiet_notifications,
    edit,
    make_article,
    people,
    published_claim,
    sentence,
)
from tests.test_views_review import edit as desk_edit
from tests.test_views_review import panel_data, reload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"))
HX = {"HTTP_HX_REQUEST": "true"}
LANGUAGES = ("en", "fr")
FRAGMENT = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
    "<title>fragment</title></head><body><h1>fragment</h1>\n{body}\n</body></html>"
)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if not java or not VNU_JAR.is_file():
        pytest.fail(
            f"The Nu HTML Checker is missing (java: {java or 'not found'}, vnu.jar: {VNU_JAR} "
            f"{'found' if VNU_JAR.is_file() else 'not found'}). Run scripts/test as root, which "
            "installs them, or: apt-get install default-jre-headless && "
            "npm install --ignore-scripts --prefix .tools vnu-jar (or set VNU_JAR)."
        )
    return [java, "-Xss2m", "-jar", str(VNU_JAR)]


def run_vnu(paths: list[Path]) -> list[dict]:
    result = subprocess.run(
        [*vnu_command(), "--format", "json", "--exit-zero-always", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"vnu failed to run: {result.stderr[-2000:]}"
    # vnu writes its JSON report to stderr.
    return json.loads(result.stderr)["messages"]


def html_of(response, expected: int) -> str:
    assert response.status_code == expected, (response.status_code, response.content[:300])
    return response.content.decode("utf-8")


def wrap(fragment: str, lang: str) -> str:
    assert "<html" not in fragment, "a fragment should not be a whole document"
    return FRAGMENT.format(lang=lang, body=fragment)


@pytest.fixture
def newsroom(demo):
    """The demo newsroom, plus fact-checks published, updated with notes and withdrawn,
    an update in review (the review screen with changes)."""
    article = make_article(url="https://news.example.org/article-original?ref=1")
    published = published_claim(article, sentence(article, 2), text="Publié", verdict="Faux")
    updated = published_claim(article, sentence(article, 5), text="Évolutif", versions=3)
    gone = published_claim(article, sentence(article, 8), text="Retiré", verdict="Trompeur")
    workflow.withdraw(gone.pk, people()[1], "La source principale s’est révélée falsifiée.")
    # A revision of the text under a published claim, whose update is in review:
    # the changed-passage notes and the desk's "article changed" flag.
    revised = published_claim(article, sentence(article, 11), text="Révisé", verdict="Vrai")
    old_sentence = article.body[slice(*sentence(article, 11))]
    new_body = article.body.replace(old_sentence, "Phrase réécrite depuis.")
    revisions.revise_article(article.pk, new_body, user=people()[0], reason="edited")
    workflow.start_update(revised.pk, people()[0])
    edit(revised, text="Révisé v2", correction=("update", "Le passage a changé."))
    reattach(revised, people()[0])
    workflow.submit(revised.pk, people()[0])
    assert reload(revised).changed_since_publication
    users = demo["users"]
    changed = reload(demo["claims"][0])
    workflow.start_update(changed.pk, users["editor"])
    desk_edit(changed, users["editor"], statement="Nouvelle formulation", correction_text="Revu.")
    workflow.submit(changed.pk, users["editor"])
    return {
        **demo,
        "public_article": article,
        "published": reload(published),
        "updated": reload(updated),
        "withdrawn": reload(gone),
        "changed": reload(changed),
        "revised": reload(revised),
    }


def public_pages(newsroom, lang: str) -> dict[str, str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    pages = {
        "home": html_of(client.get("/"), 200),
        "home, filtered": html_of(client.get("/?verdict=faux"), 200),
        "home, unknown verdict": html_of(client.get("/?verdict=nothing-here"), 404),
        "home, page 2": html_of(client.get("/?page=2"), 404),
        "article": html_of(client.get(f"/articles/{newsroom['public_article'].slug}/"), 200),
        "demo article": html_of(client.get(f"/articles/{newsroom['article'].slug}/"), 200),
        "methodology": html_of(client.get("/methodology/"), 200),
        "corrections": html_of(client.get("/corrections/"), 200),
        "404": html_of(client.get("/fact-checks/no-such-thing/"), 404),
        "400": html_of(client.get("/", HTTP_HOST="not-allowed.invalid"), 400),
        "search": html_of(client.get("/search/"), 200),
        "search, results": html_of(client.get("/search/?q=evalue+milliards"), 200),
        "search, nothing found": html_of(client.get("/search/?q=xylophone"), 200),
        "search, no words": html_of(client.get("/search/?q=%22%2A"), 400),
    }
    for name in ("published", "updated", "withdrawn", "revised"):
        slug = newsroom[name].slug
        pages[f"fact-check, {name}"] = html_of(client.get(f"/fact-checks/{slug}/"), 200)
    assert 'id="changed-passages"' in pages["article"]
    assert 'class="passage-note"' in pages["fact-check, revised"]
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=lang)
    pages["503"] = html_of(errors.service_unavailable(request), 503)
    desk_request = RequestFactory().get("/desk/", HTTP_ACCEPT_LANGUAGE=lang, **HX)
    pages["503, htmx fragment"] = wrap(html_of(errors.service_unavailable(desk_request), 503), lang)
    return pages


def login_pages(newsroom, lang: str) -> dict[str, str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    pages = {"login": html_of(client.get("/accounts/login/"), 200)}
    wrong = {"username": f"someone-{lang}", "password": "wrong"}
    pages["login, wrong password"] = html_of(client.post("/accounts/login/", wrong), 200)
    address = f"10.0.0.{LANGUAGES.index(lang) + 1}"
    for _ in range(10):
        response = client.post("/accounts/login/", wrong, REMOTE_ADDR=address)
    pages["login, locked out"] = html_of(response, 429)
    csrf = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=lang)
    pages["403, form expired"] = html_of(csrf.post("/accounts/login/", wrong), 403)
    outsider = Client(HTTP_ACCEPT_LANGUAGE=lang)
    outsider.force_login(User.objects.get_or_create(username=f"nobody-{lang}")[0])
    pages["403, no desk role"] = html_of(outsider.get("/desk/"), 403)
    return pages


def desk_pages(newsroom, lang: str) -> dict[str, str]:
    users = newsroom["users"]
    article = newsroom["article"]
    draft = newsroom["claims"][2]
    published = newsroom["published"]
    editor = Client(HTTP_ACCEPT_LANGUAGE=lang)
    editor.force_login(users["editor"])
    reviewer = Client(HTTP_ACCEPT_LANGUAGE=lang)
    reviewer.force_login(users["reviewer2"])
    base = f"/desk/articles/{article.pk}/"
    bad_article = {"title": "", "language": "fr", "text": "", "url": "not a url"}
    bad_source = [{"url": "pas une adresse", "title": "Source", "accessed_on": "hier"}]
    bad_claim = panel_data(
        draft, action="save", statement="", claim_date="31/02/2025", sources=bad_source
    )
    pages = {
        "desk index": html_of(editor.get("/desk/"), 200),
        "load article": html_of(editor.get("/desk/articles/new/"), 200),
        "load article, errors": html_of(editor.post("/desk/articles/new/", bad_article), 400),
        "annotate": html_of(editor.get(base), 200),
        "annotate, claim open": html_of(editor.get(f"{base}?claim={draft.pk}"), 200),
        "annotate, published claim open": html_of(
            editor.get(f"/desk/articles/{published.article_id}/?claim={published.pk}"), 200
        ),
        "annotate, errors": html_of(editor.post(f"/desk/claims/{draft.pk}/", bad_claim), 422),
        "annotate, delete": html_of(editor.get(f"/desk/claims/{draft.pk}/delete/"), 200),
        "annotate, 404": html_of(editor.get("/desk/articles/424242/"), 404),
        "review queue": html_of(reviewer.get("/desk/review/"), 200),
        "review": html_of(reviewer.get(f"/desk/review/{newsroom['claims'][1].pk}/"), 200),
        "review, changes": html_of(reviewer.get(f"/desk/review/{newsroom['changed'].pk}/"), 200),
        "search": html_of(reviewer.get("/desk/search/"), 200),
        "search, claims": html_of(reviewer.get("/desk/search/?q=evalue+openai"), 200),
        "search, articles": html_of(reviewer.get("/desk/search/?q=evalue&kind=articles"), 200),
        "search, nothing found": html_of(reviewer.get("/desk/search/?q=xylophone"), 200),
        "search, too long": html_of(reviewer.get("/desk/search/?q=" + "a" * 201), 400),
        "review, article changed": html_of(
            reviewer.get(f"/desk/review/{newsroom['revised'].pk}/"), 200
        ),
    }
    # Shared work: assignment, notes with a reply, notifications.
    editor.post(f"/desk/claims/{draft.pk}/ownership/", {"assignee": users["editor2"].pk})
    note = discussion.add_note(draft.pk, users["reviewer2"], f"@editor <b>{lang}</b>\nligne 2")
    discussion.add_note(draft.pk, users["editor"], "Vu @reviewer2.", parent_id=note.pk)
    pages.update(
        {
            "annotate, notes": html_of(editor.get(f"{base}?claim={draft.pk}"), 200),
            "annotate, assignment errors": html_of(
                editor.post(f"/desk/claims/{draft.pk}/ownership/", {"due_on": "31/02/2030"}), 422
            ),
            "annotate, note errors": html_of(
                editor.post(f"/desk/claims/{draft.pk}/notes/", {"body": " "}), 400
            ),
            "annotate, reply errors": html_of(
                editor.post(f"/desk/claims/{draft.pk}/notes/", {"body": "", "parent": note.pk}),
                400,
            ),
            "annotate, article due errors": html_of(
                editor.post(f"/desk/articles/{article.pk}/due/", {"due_on": "demain"}), 422
            ),
            "review, notes": html_of(reviewer.get(f"/desk/review/{draft.pk}/"), 200),
            "notifications": html_of(editor.get("/desk/notifications/"), 200),
            "notifications, email error": html_of(
                editor.post("/desk/notifications/email/", {"email": "x"}), 400
            ),
            "notifications, none": html_of(reviewer.get("/desk/notifications/?page=9"), 200),
        }
    )
    # The desk's lists: My work with overdue claims, filters (one refused), page links.
    late = {"due_on": dt.date(2020, 1, 6), "assignee": users["editor"]}
    Claim.objects.filter(pk__in=[draft.pk, newsroom["claims"][1].pk]).update(**late)
    pages["desk index, My work and filters"] = html_of(
        editor.get("/desk/?status=nope&due=overdue&attention=on"), 200
    )
    pages["claim list"] = html_of(editor.get("/desk/claims/?work=overdue"), 200)
    pages["review queue, filtered"] = html_of(reviewer.get("/desk/review/?due=overdue"), 200)
    pages["desk index, page past the end"] = html_of(editor.get("/desk/?page=9"), 404)
    per_page, desk_lists.PER_PAGE = desk_lists.PER_PAGE, 1
    try:
        pages["desk index, page 2 of several"] = html_of(editor.get("/desk/?page=2"), 200)
        pages["claim list, page links"] = html_of(editor.get("/desk/claims/?page=2"), 200)
        pages["review queue, page links"] = html_of(reviewer.get("/desk/review/"), 200)
    finally:
        desk_lists.PER_PAGE = per_page
    assert 'aria-current="page"' in pages["review queue, page links"]
    for typed in ("31/02/2025", "pas une adresse", "hier"):  # kept, in text inputs
        assert re.search(
            f'<input type="text" name="[^"]+" value="{typed}"', pages["annotate, errors"]
        )
    fragments = {
        "claim panel": editor.get(f"/desk/claims/{draft.pk}/", **HX),
        "claim panel, errors": editor.post(f"/desk/claims/{draft.pk}/", bad_claim, **HX),
        "claim panel, delete": editor.get(f"/desk/claims/{draft.pk}/delete/", **HX),
        "assignment": editor.post(
            f"/desk/claims/{draft.pk}/ownership/", {"assignee": users["editor"].pk}, **HX
        ),
        "note": editor.post(f"/desk/claims/{draft.pk}/notes/", {"body": "Ok @editor2"}, **HX),
        "article due": editor.post(f"/desk/articles/{article.pk}/due/", {"due_on": ""}, **HX),
        "bell": editor.get("/desk/notifications/bell/"),
    }
    for name, response in fragments.items():
        assert response.status_code in (200, 422), (name, response.status_code)
        html = response.content.decode("utf-8")
        if "<h3" in html.split("<h2", 1)[0]:  # a part of the claim panel, under its h2
            html = "<h2>Claim</h2>" + html
        pages[f"{name} (htmx fragment)"] = wrap(html, lang)
    return pages


def revision_pages(newsroom, lang: str) -> dict[str, str]:
    """Edit text, the history, and the annotating screen after a revision (views/revise.py)."""
    from claims import revisions, services
    from claims.anchoring import make_anchor

    editor_user = newsroom["users"]["editor"]
    paras = [
        "Le chômage a baissé de 2,5 % en 2019, selon l’Insee.",
        "La ministre a présenté mercredi son plan pour l’emploi des jeunes.",
        "Les syndicats jugent le plan insuffisant.",
    ]
    body = "\n\n".join(paras)
    article = services.create_article(
        editor_user, title=f"Révisé {lang}", language="fr", body=body, url="https://example.org/a"
    )
    claims = []
    for text in ("baissé de 2,5 % en 2019", paras[1], paras[2]):
        start = body.index(text)
        anchor = make_anchor(body, start, start + len(text))
        claims.append(services.create_claim(article, editor_user, anchor))
    revised = "\n\n".join([paras[0].replace("2,5 % en 2019", "1,5 % en 2018"), paras[2]])
    revisions.revise_article(
        article.pk, revised, user=editor_user, reason="edited", note="Chiffres <corrigés>"
    )
    editor = Client(HTTP_ACCEPT_LANGUAGE=lang)
    editor.force_login(editor_user)
    base = f"/desk/articles/{article.pk}/"
    stale = {"text": revised + "\n\nAjout.", "note": "", "base_sha256": "0" * 64}
    pages = {
        "annotate, revised": html_of(editor.get(base), 200),
        "annotate, to check": html_of(editor.get(f"{base}?claim={claims[0].pk}"), 200),
        "annotate, orphan": html_of(editor.get(f"{base}?claim={claims[1].pk}"), 200),
        "edit text": html_of(editor.get(f"{base}edit/"), 200),
        "edit text, stale": html_of(editor.post(f"{base}edit/", stale), 409),
        "edit text, empty": html_of(editor.post(f"{base}edit/", {**stale, "text": " "}), 400),
        "history": html_of(editor.get(f"{base}history/"), 200),
        "history, no such revision": html_of(editor.get(f"{base}history/?from=9"), 400),
        "history, same revision": html_of(editor.get(f"{base}history/?from=1&to=1"), 200),
    }
    pages["claim panel, to check (htmx fragment)"] = wrap(
        html_of(editor.get(f"/desk/claims/{claims[0].pk}/", **HX), 200), lang
    )
    return pages


def test_every_page_is_valid_html_in_both_languages(newsroom, tmp_path):
    vnu_command()  # fail at once, not after rendering, when the checker is missing
    files: dict[str, str] = {}
    for lang in LANGUAGES:
        for collect in (public_pages, login_pages, desk_pages, revision_pages):
            for name, html in collect(newsroom, lang).items():
                path = tmp_path / f"{len(files):03d}-{lang}-{re.sub(r'[^a-z0-9]+', '-', name)}.html"
                path.write_text(html, encoding="utf-8")
                files[path.name] = f"{name} [{lang}]"
    assert len(files) >= 60

    messages = run_vnu([tmp_path / name for name in files])

    def page(message: dict) -> str:
        return files.get(message.get("url", "").rsplit("/", 1)[-1], message.get("url", "?"))

    # Warnings count as failures too, so that none creeps in unnoticed.
    problems = [m for m in messages if m.get("type") != "info" or m.get("subType") == "warning"]
    per_page = Counter(page(m) for m in problems)
    summary = "\n".join(f"{count:4d}  {name}" for name, count in sorted(per_page.items()))
    report = "\n".join(
        f"{page(m)} line {m.get('lastLine', '?')}: "
        f"{m.get('type')}{'/' + m['subType'] if m.get('subType') else ''}: {m.get('message')}"
        f"\n    {m.get('extract', '').strip()[:160]!r}"
        for m in problems
    )
    assert not problems, f"{len(problems)} Nu HTML Checker messages:\n{summary}\n\n{report}"


def test_time_datetime_values_are_valid_html_to_the_second_with_the_offset(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = dt.datetime(2025, 2, 11, 9, 30, 15, 123456, tzinfo=dt.UTC)
    assert html_datetime(moment) == "2025-02-11T10:30:15+01:00"
    assert html_datetime(moment.replace(month=7)) == "2025-07-11T11:30:15+02:00"
    assert html_datetime(dt.date(2025, 2, 11)) == "2025-02-11"
    assert html_datetime(None) == ""
    rendered = Template('<time datetime="{{ when|html_datetime }}">').render(
        Context({"when": moment})
    )
    assert rendered == '<time datetime="2025-02-11T10:30:15+01:00">'


def test_a_value_its_input_type_does_not_allow_is_shown_back_in_a_text_input():
    assert 'type="date" name="d" value="2025-02-11"' in DateInput().render(
        "d", dt.date(2025, 2, 11)
    )
    assert 'type="date" name="d" value="2025-02-11"' in DateInput().render("d", "2025-02-11")
    assert 'type="date" name="d"' in DateInput().render("d", None)
    assert 'type="text" name="d" value="31/02/2025"' in DateInput().render("d", "31/02/2025")
    assert 'type="text" name="d" value="2025-02-30"' in DateInput().render("d", "2025-02-30")
    url = "https://example.org/a?b=1"
    assert f'type="url" name="u" value="{url.replace("&", "&amp;")}"' in URLInput().render("u", url)
    assert 'type="text" name="u" value="not a url"' in URLInput().render("u", "not a url")
    assert 'type="text" name="u" value="javascript:alert(1)"' in URLInput().render(
        "u", "javascript:alert(1)"
    )


def test_the_demo_served_over_http_is_valid_html(live_server, seeded_live_db, tmp_path):
    """The same check on the demo newsroom as a real server sends it, over real HTTP."""
    vnu_command()
    demo = load_demo()
    published = next(claim for claim in demo["claims"] if claim.current_version_id)
    desk = Client()
    desk.force_login(demo["users"]["reviewer2"])
    cookie = f"sessionid={desk.cookies['sessionid'].value}"
    in_review = demo["claims"][1]
    paths = {
        "/": None,
        f"/articles/{demo['article'].slug}/": None,
        f"/fact-checks/{published.slug}/": None,
        "/methodology/": None,
        "/corrections/": None,
        "/accounts/login/": None,
        "/desk/": cookie,
        f"/desk/articles/{demo['article'].pk}/?claim={in_review.pk}": cookie,
        "/desk/review/": cookie,
        f"/desk/review/{in_review.pk}/": cookie,
    }
    files = {}
    for lang in LANGUAGES:
        for path, session in paths.items():
            headers = {"Accept-Language": lang, **({"Cookie": session} if session else {})}
            request = urllib.request.Request(live_server.url + path, headers=headers)  # noqa: S310
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                assert response.status == 200 and response.url.endswith(path), path
                html = response.read().decode("utf-8")
            name = f"{len(files):03d}-{lang}.html"
            (tmp_path / name).write_text(html, encoding="utf-8")
            files[name] = f"{path} [{lang}]"
    problems = [
        f"{files[m['url'].rsplit('/', 1)[-1]]} line {m.get('lastLine', '?')}: {m.get('message')}"
        for m in run_vnu([tmp_path / name for name in files])
        if m.get("type") != "info" or m.get("subType") == "warning"
    ]
    assert not problems, "\n".join(problems)
