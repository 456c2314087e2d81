"""Issue 9, items 2–6: nothing reaches readers without a second person's approval, and
every change is on record.

- the admin cannot change a claim, its sources or an article's body (item 2);
- every field of a claim and of its sources is audited, old and new, and counts for the
  four-eyes rule; the review screen shows what changed since the reviewer last acted (3);
- an approval without a usable version is refused (4);
- deleting a claim keeps its audit trail and records what was deleted (5);
- a GET of any desk page writes nothing (6).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern
from django.utils.html import escape

from claims import audit, discussion, ownership, services, workflow
from claims.anchoring import make_anchor
from claims.models import (
    Article,
    Claim,
    ClaimStatus,
    ClaimVersion,
    EventKind,
    Notification,
    Rating,
    ReviewEvent,
    Source,
)
from claims.urls import urlpatterns as desk_urlpatterns
from tests.test_views_review import HX, _AdminForm, client_for, reload, transition

FOUR_EYES = "a second person must approve it (four-eyes rule)"


def sources_of(claim, **changes_by_index):
    """The claim's sources as the panel would post them back, with changes applied."""
    rows = []
    for index, source in enumerate(Claim.objects.get(pk=claim.pk).sources.all()):
        fields = {n: getattr(source, n) for n in services.SOURCE_FIELDS}
        fields.update(changes_by_index.get(f"s{index}", {}))
        rows.append(services.SourceData(id=source.pk, fields=fields))
    return rows


def save(claim, user, fields=None, sources=None):
    claim = reload(claim)
    services.save_claim(
        claim.pk,
        claim.version,
        user,
        fields or {},
        sources_of(claim) if sources is None else sources,
    )
    return reload(claim)


def admin_form(client, url) -> dict:
    html = client.get(url).content.decode()
    form = re.search(r'<form[^>]*id="\w+_form".*?</form>', html, re.S)
    assert form, f"no change form at {url}"
    parser = _AdminForm()
    parser.feed(form.group(0))
    return parser.values


def claim_record(claim_id):
    """Everything about a claim that readers or the audit trail could see change."""
    claim = Claim.objects.get(pk=claim_id)
    return (
        {f.attname: getattr(claim, f.attname) for f in Claim._meta.concrete_fields},
        list(Source.objects.filter(claim_id=claim_id).order_by("pk").values()),
        ReviewEvent.objects.filter(claim_id=claim_id).count(),
    )


@pytest.fixture
def users(demo):
    return demo["users"]


@pytest.fixture
def in_review(demo):
    return reload(demo["claims"][1])


# --- item 2: the admin reads the desk's work, never changes it ------------------------------


def test_admin_cannot_rewrite_a_claim_in_review_or_its_sources(users, in_review):
    admin = client_for(users["admin"])
    before = claim_record(in_review.pk)
    seen_version = in_review.version
    url = f"/admin/claims/claim/{in_review.pk}/change/"
    assert admin.get(url).status_code == 200  # it can still read it
    data = admin_form(admin, f"/admin/claims/claim/{in_review.pk}/change/")
    forged = {
        **data,
        "statement": "Réécrit dans l’admin",
        "ruling": "Un autre texte que le relecteur n’a jamais vu.",
        "rating": str(Rating.objects.get(label="Vrai").pk),
        "claimant": "Quelqu’un d’autre",
        "sources-0-excerpt": "Extrait réécrit",
        "sources-0-url": "https://evil.example/",
    }
    admin.post(url, forged)
    source = in_review.sources.first()
    source_url = f"/admin/claims/source/{source.pk}/change/"
    admin.post(
        source_url, {"title": "Réécrit", "url": "https://evil.example/", "stance": "supports"}
    )
    admin.post(
        "/admin/claims/source/add/",
        {"claim": in_review.pk, "title": "x", "url": "https://x.example/"},
    )
    admin.post(f"/admin/claims/claim/{in_review.pk}/delete/", {"post": "yes"})
    admin.post(f"/admin/claims/source/{source.pk}/delete/", {"post": "yes"})
    assert claim_record(in_review.pk) == before
    # The reviewer's approval publishes exactly what they saw.
    transition(client_for(users["reviewer2"]), in_review, "approve", version=seen_version)
    version = ClaimVersion.objects.get(claim=in_review)
    assert version.ruling == in_review.ruling and version.statement == in_review.statement
    assert version.rating_id == in_review.rating_id
    assert version.sources == [s.snapshot() for s in in_review.sources.all()]


def test_admin_cannot_rewrite_claims_through_the_article_or_edit_the_body(users, demo):
    admin = client_for(users["admin"])
    article = demo["article"]
    records = {c.pk: claim_record(c.pk) for c in demo["claims"]}
    url = f"/admin/claims/article/{article.pk}/change/"
    data = admin_form(admin, url)
    forged = {**data, "title": "Titre corrigé", "body": "Tout autre texte."}
    for key in list(forged):
        if re.fullmatch(r"claims-\d+-(statement|rating)", key):
            forged[key] = "Réécrit" if key.endswith("statement") else str(Rating.objects.first().pk)
    response = admin.post(url, forged)
    assert response.status_code in (200, 302)
    assert {c.pk: claim_record(c.pk) for c in demo["claims"]} == records
    assert "body" not in data  # shown read-only
    fresh = Article.objects.get(pk=article.pk)
    assert fresh.body == article.body
    assert Claim.objects.filter(article=article).count() == 3
    assert admin.get("/admin/claims/article/add/").status_code == 403


def test_four_eyes_holds_for_a_superuser(users, in_review):
    admin, reviewer2 = users["admin"], users["reviewer2"]
    # Sent back, edited by the superuser on the desk (the only way to edit), resubmitted.
    workflow.request_changes(in_review.pk, reviewer2, "Précisez.")
    save(in_review, admin, {"ruling": "Réécrit par l’administrateur."})
    workflow.submit(in_review.pk, users["editor"])
    claim = reload(in_review)
    response = transition(client_for(admin), claim, "approve", version=claim.version)
    assert response.status_code == 403
    assert FOUR_EYES in response.content.decode()
    assert not ClaimVersion.objects.filter(claim=claim).exists()
    assert workflow.APPROVE not in workflow.available_actions(admin, claim)
    # A second person may.
    workflow.approve(claim.pk, reviewer2, expected_version=claim.version)
    assert reload(claim).current_version.ruling == "Réécrit par l’administrateur."


# --- item 3: every field audited, old and new; the four-eyes rule counts them all ----------


SOURCE_EDITS = {
    "excerpt": ("Extrait réécrit <b>&</b>", "Extrait réécrit <b>&</b>"),
    "publisher": ("Autre éditeur", "Autre éditeur"),
    "published_on": (dt.date(2020, 1, 2), "2020-01-02"),
    "accessed_on": (dt.date(2021, 3, 4), "2021-03-04"),
    "archive_url": ("https://web.archive.org/web/1/x", "https://web.archive.org/web/1/x"),
    "stance": ("supports", "supports"),
    "title": ("Titre réécrit", "Titre réécrit"),
    "url": ("https://example.org/other", "https://example.org/other"),
}


@pytest.mark.parametrize("field", list(SOURCE_EDITS))
def test_a_change_to_any_source_field_is_audited_and_bars_approval(users, in_review, field):
    reviewer = users["reviewer2"]
    workflow.request_changes(in_review.pk, reviewer, "Vérifiez la source.")
    claim = reload(in_review)
    source = claim.sources.first()
    old = getattr(source, field)
    value, stored = SOURCE_EDITS[field]
    save(claim, reviewer, sources=sources_of(claim, s0={field: value}))
    event = ReviewEvent.objects.filter(claim=claim).latest("pk")
    assert (event.kind, event.actor) == (EventKind.EDITED, reviewer)
    (changed,) = event.changes["sources"]["changed"]
    assert changed["id"] == source.pk
    was = old.isoformat() if isinstance(old, dt.date) else old
    assert changed["fields"] == {field: [was, stored]}
    workflow.submit(claim.pk, users["editor"])
    with pytest.raises(workflow.TransitionError, match="four-eyes"):
        workflow.approve(claim.pk, reviewer)


def test_every_claim_field_and_source_operation_is_recorded(users, in_review):
    editor = users["editor"]
    workflow.request_changes(in_review.pk, users["reviewer"], "Reprenez.")
    claim = reload(in_review)
    before = {
        "date": claim.claim_date.isoformat() if claim.claim_date else None,
        "kind": claim.claimant_kind,
    }
    kind = "person" if claim.claimant_kind == "organisation" else "organisation"
    titles = [s.title for s in claim.sources.all()]
    rows = sources_of(claim)
    rows = [rows[2], rows[0]]  # reorder, drop the second
    rows.append(
        services.SourceData(
            id=None,
            fields={"url": "https://example.org/new", "title": "Nouvelle", "stance": "refutes"},
        )
    )
    save(
        claim,
        editor,
        {
            "statement": "Nouvelle formulation",
            "claimant": "Autre",
            "claimant_kind": kind,
            "claim_date": dt.date(2024, 5, 6),
            "rating": Rating.objects.get(label="Vrai"),
            "ruling": "Nouveau raisonnement.",
        },
        rows,
    )
    changes = ReviewEvent.objects.filter(claim=claim).latest("pk").changes
    assert changes["claim"] == [in_review.statement, "Nouvelle formulation"]
    assert changes["claimant"] == [in_review.claimant, "Autre"]
    assert changes["claimant kind"] == [before["kind"], kind]
    assert changes["date"] == [before["date"], "2024-05-06"]
    assert changes["verdict"] == [in_review.rating.label, "Vrai"]
    assert changes["ruling"] == [in_review.ruling, "Nouveau raisonnement."]
    sources = changes["sources"]
    assert [s["title"] for s in sources["added"]] == ["Nouvelle"]
    assert [s["title"] for s in sources["removed"]] == [titles[1]]
    assert sources["order"] == [titles, [titles[2], titles[0], "Nouvelle"]]
    # The timeline shows old → new, escaped.
    html = client_for(editor).get(f"/desk/review/{claim.pk}/").content.decode()
    timeline = html[html.index("timeline__list") :]
    assert escape(in_review.ruling) in timeline and "Nouveau raisonnement." in timeline
    assert "Order of sources" in timeline and "Source added" in timeline
    assert "Source removed" in timeline


def test_the_timeline_escapes_old_and_new_values(users, in_review):
    editor = users["editor"]
    workflow.request_changes(in_review.pk, users["reviewer"], "Reprenez.")
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    claim = save(in_review, editor, {"ruling": hostile})
    html = client_for(editor).get(f"/desk/review/{claim.pk}/").content.decode()
    assert hostile not in html
    assert escape(hostile) in html
    row = re.findall(r'<li><span class="change__what">Ruling</span>.*?</li>', html, re.S)[-1]
    assert escape(in_review.ruling) in row and escape(hostile) in row


def test_a_resubmission_shows_what_changed_since_changes_were_requested(users, in_review):
    editor, reviewer = users["editor"], users["reviewer2"]
    url = f"/desk/review/{in_review.pk}/"
    html = client_for(reviewer).get(url).content.decode()
    assert "Changes since" not in html  # a first review: nothing to compare with
    workflow.request_changes(in_review.pk, reviewer, "Datez la source 1 et revoyez l’extrait.")
    claim = reload(in_review)
    old_excerpt = claim.sources.first().excerpt
    save(
        claim,
        editor,
        {"ruling": "Raisonnement revu."},
        sources_of(claim, s0={"excerpt": "Extrait revu", "published_on": dt.date(2024, 1, 9)}),
    )
    workflow.submit(claim.pk, editor)
    html = client_for(reviewer).get(url).content.decode()
    section = re.search(r'<section[^>]*aria-labelledby="since-heading".*?</section>', html, re.S)
    assert section, "no 'what changed' section"
    section = section.group(0)
    assert "Changes since you requested changes" in section
    table = re.search(r'<table class="diff diff--since">.*?</table>', section, re.S).group(0)
    rows = re.findall(r"<tr\b.*?</tr>", table, re.S)[1:]
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd]\b.*?</t[hd]>", r, re.S)]
        for r in rows
    ]
    title = claim.sources.first().title
    assert [escape(in_review.ruling), "Raisonnement revu."] in [c[1:] for c in cells]
    assert [
        f"Source “{escape(title)}”: excerpt",
        escape(old_excerpt) or "—",
        "Extrait revu",
    ] in cells
    assert [f"Source “{escape(title)}”: publication date", "—", "2024-01-09"] in cells or any(
        c[0].endswith("publication date") and c[2] == "2024-01-09" for c in cells
    )
    assert len(cells) == 3  # only what changed
    # Another reviewer sees the same changes, named after whoever asked for them.
    other = client_for(users["reviewer"]).get(url).content.decode()
    assert "Changes since reviewer2 requested changes" in other
    assert "Extrait revu" in other


# --- item 4: an approval must say which version it approves ---------------------------------


@pytest.mark.parametrize("version", [None, "", "  ", "abc", "0", "-3", "1e3", "9" * 40])
def test_approval_without_a_usable_version_is_refused(users, in_review, version):
    reviewer = client_for(users["reviewer2"])
    data = {"action": "approve"}
    if version is not None:
        data["version"] = version
    url = f"/desk/claims/{in_review.pk}/transition/"
    response = reviewer.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "did not say which version of the claim you reviewed" in html
    assert 'role="alert"' in html and ">Approve and publish</button>" in html
    response = reviewer.post(url, data, **HX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert "did not say which version" in response.content.decode()
    assert reload(in_review).status == ClaimStatus.IN_REVIEW
    assert not ClaimVersion.objects.filter(claim=in_review).exists()


# --- item 5: deleting a claim keeps its history -------------------------------------------


def test_deleting_a_claim_keeps_its_events_and_records_what_was_deleted(users, demo):
    editor, reviewer = users["editor"], users["reviewer"]
    article = demo["article"]
    start, end = article.sentences[6]
    claim = services.create_claim(article, editor, make_anchor(article.body, start, end))
    claim = save(
        claim,
        editor,
        {
            "statement": "À supprimer",
            "claimant": "X",
            "ruling": "R.",
            "rating": Rating.objects.first(),
        },
        [
            services.SourceData(
                id=None,
                fields={
                    "url": "https://example.org/a",
                    "title": "A",
                    "excerpt": "E",
                    "stance": "refutes",
                },
            )
        ],
    )
    workflow.submit(claim.pk, editor)
    workflow.request_changes(claim.pk, reviewer, "Le commentaire du relecteur.")
    pk = claim.pk
    kept = list(ReviewEvent.objects.filter(claim_id=pk).order_by("pk").values_list("pk", "kind"))
    response = client_for(editor).post(f"/desk/claims/{pk}/delete/")
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=pk).exists()
    events = list(ReviewEvent.objects.filter(claim_ref=pk).order_by("pk"))
    assert [(e.pk, e.kind) for e in events[:-1]] == kept  # nothing cascaded
    assert all(e.claim_id is None for e in events)
    assert any(e.comment == "Le commentaire du relecteur." for e in events)
    deleted = events[-1]
    assert (deleted.kind, deleted.actor, deleted.from_status) == (
        "deleted",
        editor,
        "changes_requested",
    )
    snapshot = deleted.snapshot
    assert snapshot["claim"] == "À supprimer" and snapshot["ruling"] == "R."
    assert [(s["title"], s["excerpt"]) for s in snapshot["sources"]] == [("A", "E")]
    assert snapshot["anchor"]["exact"] == article.body[start:end]
    assert snapshot["article"] == {"id": article.pk, "title": article.title, "slug": article.slug}
    # Still append-only, and still unreachable for the admin's delete.
    admin = client_for(users["admin"])
    assert admin.get("/admin/claims/reviewevent/").status_code == 200
    assert (
        admin.post(f"/admin/claims/reviewevent/{deleted.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ReviewEvent.objects.filter(claim_ref=pk).count() == len(events)


@pytest.mark.parametrize("how", ["delete_view", "delete_selected"])
def test_deleting_an_article_in_the_admin_cannot_erase_its_claims_or_events(users, how):
    editor, admin = users["editor"], client_for(users["admin"])
    # Never published, so no published version protects it: only drafts and one in review.
    article = services.create_article(editor, title="Brouillons", language="fr", body="Une. Deux.")
    for index in range(2):
        start, end = article.sentences[index]
        services.create_claim(article, editor, make_anchor(article.body, start, end))
    events = ReviewEvent.objects.count()
    if how == "delete_view":
        admin.post(f"/admin/claims/article/{article.pk}/delete/", {"post": "yes"})
    else:
        admin.post(
            "/admin/claims/article/",
            {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
        )
    assert Article.objects.filter(pk=article.pk).exists()
    assert Claim.objects.filter(article=article).count() == 2
    assert ReviewEvent.objects.count() == events
    # The admin says it cannot, and no code path can either: claims are deleted one by
    # one, each on record.
    page = admin.get(f"/admin/claims/article/{article.pk}/delete/").content.decode()
    assert "Cannot delete article" in page
    with pytest.raises(ProtectedError):
        Article.objects.get(pk=article.pk).delete()
    assert Claim.objects.filter(article=article).count() == 2
    assert ReviewEvent.objects.count() == events
    # An article without claims can still go.
    empty = services.create_article(editor, title="Vide", language="fr", body="Rien.")
    admin.post(f"/admin/claims/article/{empty.pk}/delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=empty.pk).exists()


# --- item 6: a GET changes nothing ----------------------------------------------------------


def database_rows():
    """Every row of every table but the session store, to compare before and after."""
    rows = {}
    for model in apps.get_models():
        if model._meta.db_table == "django_session":
            continue
        rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


def desk_get_paths(demo, claim_ids):
    article = demo["article"]
    by_name = {
        "index": ["/desk/", "/desk/?attention=on&due=overdue&status=draft"],
        "claims": ["/desk/claims/", "/desk/claims/?work=drafts"],
        "article_new": ["/desk/articles/new/"],
        "article": [f"/desk/articles/{article.pk}/"]
        + [f"/desk/articles/{article.pk}/?claim={pk}" for pk in claim_ids],
        "claim": [f"/desk/claims/{pk}/" for pk in claim_ids],
        "claim_delete": [f"/desk/claims/{demo['claims'][2].pk}/delete/"],
        "card": [f"/desk/claims/{demo['claims'][0].pk}/card.png"],  # the published one
        "review_queue": ["/desk/review/", "/desk/review/?attention=on&page=1"],
        "review": [f"/desk/review/{pk}/" for pk in claim_ids],
        "notifications": ["/desk/notifications/", "/desk/notifications/?page=2"],
        "notification_bell": ["/desk/notifications/bell/"],
        "search": ["/desk/search/?q=evalue", "/desk/search/?q=openai&kind=articles"],
        "article_edit": [f"/desk/articles/{article.pk}/edit/"],
        "article_history": [
            f"/desk/articles/{article.pk}/history/",
            f"/desk/articles/{article.pk}/history/?from=1&to=1",
        ],
    }
    return by_name


def test_no_desk_page_writes_anything_on_get(users, demo):
    claim_ids = [c.pk for c in demo["claims"]]
    # Shared work on record, so that a page marking a notice read or a note seen would show.
    ownership.set_ownership(
        claim_ids[2], users["editor"], assignee=users["editor2"], due_on=dt.date(2030, 1, 1)
    )
    for name in ("editor", "reviewer", "reviewer2", "admin"):
        discussion.add_note(claim_ids[1], users["editor2"], f"@{name} lisez ceci")
    assert Notification.objects.filter(read_at=None).count() == 5
    by_name = desk_get_paths(demo, claim_ids)
    post_only = {
        "claim_create",
        "claim_anchor",
        "transition",
        "claim_ownership",
        "note_create",
        "article_due",
        "notification_open",
        "notifications_read",
        "notification_settings",
        "article_refetch",
        "claim_confirm",
    }
    named = {p.name for p in desk_urlpatterns if isinstance(p, URLPattern)}
    assert set(by_name) | post_only == named, "a desk page is missing from this test"
    for name in ("editor", "reviewer", "reviewer2", "admin"):
        client = client_for(users[name])
        for paths in by_name.values():
            for path in paths:
                for headers in ({}, HX):
                    before = database_rows()
                    with CaptureQueriesContext(connection) as ctx:
                        response = client.get(path, **headers)
                    assert response.status_code in (200, 302, 403), (name, path)
                    writes = [
                        q["sql"]
                        for q in ctx.captured_queries
                        if WRITE.match(q["sql"]) and "django_session" not in q["sql"]
                    ]
                    assert writes == [], (name, path, writes)
                    assert database_rows() == before, (name, path)
    assert reload(demo["claims"][1]).reviewing_by is None


# --- the audit module, without a database ---------------------------------------------------


def _src(pk, **fields):
    return {
        "id": pk,
        "url": f"https://example.org/{pk}",
        "title": f"T{pk}",
        "stance": "refutes",
        **fields,
    }


def test_diff_of_states_names_each_source_operation():
    before = {"claim": "A", "sources": [_src(1), _src(2), _src(3)]}
    after = {"claim": "A", "sources": [_src(3), _src(1, excerpt="E"), _src(4)]}
    changes = audit.diff(before, after)
    assert "claim" not in changes
    assert changes["sources"] == {
        "added": [_src(4)],
        "removed": [_src(2)],
        "changed": [{"id": 1, "title": "T1", "fields": {"excerpt": [None, "E"]}}],
        "order": [["T1", "T2", "T3"], ["T3", "T1", "T4"]],
    }
    assert audit.diff(before, before) == {}
    # Removing one source does not count as reordering the others.
    assert "order" not in audit.diff(before, {"sources": [_src(1), _src(3)]})["sources"]


def test_events_recorded_before_values_were_kept_still_read():
    legacy = {"ruling": ["", "Non."], "sources": [[], ["Titre <https://example.org> (refutes)"]]}
    rows = audit.change_rows(legacy)
    assert [(r.label, r.before, r.after) for r in rows] == [
        ("Ruling", "", "Non."),
        ("Sources", "", "Titre <https://example.org> (refutes)"),
    ]


def test_choice_values_read_as_their_labels():
    rows = audit.change_rows(
        {
            "claimant kind": ["person", "organisation"],
            "sources": {
                "changed": [{"id": 1, "title": "T", "fields": {"stance": ["refutes", "supports"]}}]
            },
        }
    )
    assert [(r.before, r.after) for r in rows] == [
        ("Person", "Organisation"),
        ("Refutes the claim", "Supports the claim"),
    ]
