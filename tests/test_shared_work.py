"""Issue 11, items 3–5: ownership and deadlines, discussion, notifications in the app."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import discussion, inbox, ownership, services, workflow
from claims.models import (
    Claim,
    ClaimStatus,
    EmailChoice,
    EventKind,
    Note,
    Notification,
    NotificationKind,
    NotificationSettings,
    ReviewEvent,
)
from claims.services import ClaimError
from tests.test_views_review import HX, client_for

DUE = dt.date(2030, 3, 1)


@pytest.fixture
def users(demo):
    return demo["users"]


@pytest.fixture
def draft(demo):
    return demo["claims"][2]  # written by editor


@pytest.fixture
def in_review(demo):
    return demo["claims"][1]


def kinds_of(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


# --- ownership ----------------------------------------------------------------------------


def test_assignment_is_audited_old_to_new_and_changes_no_version(users, draft):
    version = draft.version
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=DUE)
    ownership.set_ownership(draft.pk, users["reviewer"], assignee=users["editor"], due_on=None)
    events = list(ReviewEvent.objects.filter(claim=draft, kind=EventKind.ASSIGNED).order_by("pk"))
    assert [e.changes for e in events] == [
        {"assignee": [None, "editor2"], "due date": [None, "2030-03-01"]},
        {"assignee": ["editor2", "editor"], "due date": ["2030-03-01", None]},
    ]
    assert [e.actor.username for e in events] == ["editor", "reviewer"]
    draft.refresh_from_db()
    assert draft.assignee == users["editor"] and draft.due_on is None
    assert draft.version == version  # an editor's open form stays valid
    # Nothing changed: nothing written.
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor"], due_on=None)
    assert ReviewEvent.objects.filter(claim=draft, kind=EventKind.ASSIGNED).count() == 2


def test_assignment_does_not_count_for_the_four_eyes_rule(users, in_review):
    reviewer = users["reviewer2"]
    ownership.set_ownership(in_review.pk, reviewer, assignee=users["editor2"], due_on=DUE)
    assert reviewer.pk not in workflow.contributors(in_review)
    workflow.approve(
        in_review.pk, reviewer, expected_version=Claim.objects.get(pk=in_review.pk).version
    )
    assert Claim.objects.get(pk=in_review.pk).status == ClaimStatus.PUBLISHED


def test_only_active_users_who_edit_claims_are_assigned_and_only_desk_roles_assign(
    users, draft, make_user
):
    nobody = make_user("nobody")  # logged in, no desk role
    gone = make_user("gone", "Editors", is_active=False)
    for assignee in (nobody, gone):
        with pytest.raises(ClaimError, match="who can edit claims"):
            ownership.set_ownership(draft.pk, users["editor"], assignee=assignee, due_on=None)
    with pytest.raises(ClaimError, match="cannot assign"):
        ownership.set_ownership(draft.pk, nobody, assignee=users["editor"], due_on=None)
    assert not ReviewEvent.objects.filter(claim=draft, kind=EventKind.ASSIGNED).exists()
    # The form offers exactly those who may be assigned (reviewers edit claims too).
    offered = [u.username for u in inbox.assignable_users()]
    assert offered == ["admin", "editor", "editor2", "reviewer", "reviewer2"]


def test_the_new_assignee_is_notified_but_not_someone_taking_a_claim_themself(users, draft):
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=None)
    assert kinds_of(users["editor2"]) == ["assigned"]
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor"], due_on=None)
    assert kinds_of(users["editor"]) == []


def test_assigning_from_the_panel_swaps_the_part_and_the_timeline(users, draft):
    client = client_for(users["editor"])
    response = client.post(
        f"/desk/claims/{draft.pk}/ownership/",
        {"assignee": users["editor2"].pk, "due_on": "2030-03-01"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="claim-ownership"' in html and "Assignment saved." in html
    assert 'id="claim-timeline"' in html and 'data-hx-swap-oob="true"' in html
    assert "editor2" in html and "notifications-changed" in response["HX-Trigger"]
    # A date the browser let through as text comes back as typed, with a message.
    bad = client.post(
        f"/desk/claims/{draft.pk}/ownership/",
        {"assignee": users["editor"].pk, "due_on": "31/02/2030"},
        **HX,
    )
    assert bad.status_code == 422
    assert 'value="31/02/2030"' in bad.content.decode()
    assert Claim.objects.get(pk=draft.pk).assignee == users["editor2"]
    # Without JavaScript: a redirect, and the panel shows the assignee.
    plain = client.post(f"/desk/claims/{draft.pk}/ownership/", {"assignee": "", "due_on": ""})
    assert plain.status_code == 302
    assert Claim.objects.get(pk=draft.pk).assignee is None


def test_assigning_is_refused_on_the_server_to_a_role_without_it(outsider, draft):
    response = client_for(outsider).post(
        f"/desk/claims/{draft.pk}/ownership/", {"assignee": "", "due_on": "2030-01-01"}
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=draft.pk).due_on is None


def test_an_articles_due_date_is_set_on_record_in_the_admin_log(users, demo):
    article = demo["article"]
    client = client_for(users["editor"])
    response = client.post(f"/desk/articles/{article.pk}/due/", {"due_on": "2030-03-01"}, **HX)
    assert response.status_code == 200 and 'id="article-due"' in response.content.decode()
    client.post(f"/desk/articles/{article.pk}/due/", {"due_on": ""}, **HX)
    article.refresh_from_db()
    assert article.due_on is None
    entries = LogEntry.objects.filter(object_id=str(article.pk)).order_by("pk")
    assert [(e.user.username, e.change_message) for e in entries] == [
        ("editor", "due date: — → 2030-03-01"),
        ("editor", "due date: 2030-03-01 → —"),
    ]
    bad = client.post(f"/desk/articles/{article.pk}/due/", {"due_on": "soon"}, **HX)
    assert bad.status_code == 422 and 'value="soon"' in bad.content.decode()


# --- discussion ---------------------------------------------------------------------------


def test_notes_are_escaped_keep_line_breaks_and_show_in_date_order(users, draft):
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=None)
    discussion.add_note(draft.pk, users["editor"], "<script>alert(1)</script>\r\nligne 2")
    client = client_for(users["editor2"])
    html = client.get(f"/desk/articles/{draft.article_id}/?claim={draft.pk}").content.decode()
    timeline = html[html.index('id="claim-timeline"') :]
    assert "<script>alert(1)</script>" not in timeline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nligne 2" in timeline
    # The assignment (earlier) comes before the note, the note before the form.
    assert timeline.index("timeline__item--assigned") < timeline.index("timeline__item--note")


def test_replies_are_one_level_and_notify_the_author_answered(users, draft):
    note = discussion.add_note(draft.pk, users["editor"], "Qui vérifie ?")
    reply = discussion.add_note(draft.pk, users["editor2"], "Moi.", parent_id=note.pk)
    again = discussion.add_note(draft.pk, users["editor"], "Merci.", parent_id=reply.pk)
    assert reply.parent == note and again.parent == note  # joined the thread
    assert kinds_of(users["editor"]) == ["replied"]
    assert kinds_of(users["editor2"]) == []  # the reply to a reply answers the thread's note
    html = client_for(users["reviewer"]).get(f"/desk/review/{draft.pk}/").content.decode()
    thread = html[html.index(f'id="note-{note.pk}"') :]
    assert thread.index("Moi.") < thread.index("Merci.")


def test_mentions_notify_active_desk_users_and_leave_other_names_as_text(users, draft, make_user):
    make_user("retired", "Reviewers", is_active=False)
    make_user("reader")
    body = (
        "@reviewer, @reviewer2. regardez ; @nobody, @retired, @reader et "
        "ana@reviewer.example, moi @editor"
    )
    note = discussion.add_note(draft.pk, users["editor"], body)
    notified = Notification.objects.filter(note=note, kind=NotificationKind.MENTIONED)
    assert sorted(n.recipient.username for n in notified) == ["reviewer", "reviewer2"]
    assert Note.objects.get(pk=note.pk).body == body  # stored as typed


def test_note_errors_keep_what_was_typed_and_roles_are_checked(users, draft, outsider):
    client = client_for(users["reviewer"])
    empty = client.post(f"/desk/claims/{draft.pk}/notes/", {"body": "  \n "}, **HX)
    assert empty.status_code == 400 and "it is empty" in empty.content.decode()
    long = "x" * 5001
    too_long = client.post(f"/desk/claims/{draft.pk}/notes/", {"body": long}, **HX)
    assert too_long.status_code == 400 and long in too_long.content.decode()
    plain = client.post(f"/desk/claims/{draft.pk}/notes/", {"body": ""})
    assert plain.status_code == 400 and 'aria-invalid="true"' in plain.content.decode()
    forged = client_for(outsider).post(f"/desk/claims/{draft.pk}/notes/", {"body": "Hop"})
    assert forged.status_code == 403
    ok = client.post(f"/desk/claims/{draft.pk}/notes/", {"body": "Bien."})
    note = Note.objects.get()
    assert ok.status_code == 302 and ok["Location"].endswith(f"#note-{note.pk}")
    assert note.author == users["reviewer"]


def test_a_note_is_discussion_not_content(users, in_review):
    discussion.add_note(in_review.pk, users["reviewer"], "Je m’en occupe.")
    assert users["reviewer"].pk not in workflow.contributors(in_review)
    assert Claim.objects.get(pk=in_review.pk).version == in_review.version


# --- notifications ------------------------------------------------------------------------


def test_workflow_notices_reach_reviewers_author_and_assignee_never_the_actor(users, draft):
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=None)
    workflow.submit(draft.pk, users["editor2"])
    for name in ("reviewer", "reviewer2", "admin"):
        assert kinds_of(users[name]) == ["submitted"], name
    assert kinds_of(users["editor2"]) == ["assigned"]  # not told of their own submission
    workflow.request_changes(draft.pk, users["reviewer"], "Une source primaire, svp.")
    workflow.submit(draft.pk, users["editor2"])
    version = Claim.objects.get(pk=draft.pk).version
    workflow.approve(draft.pk, users["reviewer2"], expected_version=version)
    assert kinds_of(users["editor"]) == ["changes_requested", "published"]
    assert kinds_of(users["editor2"]) == ["assigned", "changes_requested", "published"]
    assert kinds_of(users["reviewer2"]) == ["submitted", "submitted"]


def test_a_rolled_back_change_leaves_no_notice(users, draft):
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=None)
        discussion.add_note(draft.pk, users["editor"], "@reviewer ?")
        assert Notification.objects.count() == 2  # written with the change…
        raise Rollback
    assert Notification.objects.count() == 0  # …and gone with it


def test_opening_a_notice_marks_it_read_through_a_post(users, draft):
    note = discussion.add_note(draft.pk, users["editor"], "@reviewer regarde")
    notice = Notification.objects.get(recipient=users["reviewer"])
    client = client_for(users["reviewer"])
    page = client.get("/desk/notifications/").content.decode()
    assert "editor mentioned you in a note" in page and "(1 unread)" in page
    assert client.get(f"/desk/notifications/{notice.pk}/open/").status_code == 405
    assert Notification.objects.get(pk=notice.pk).read_at is None
    opened = client.post(f"/desk/notifications/{notice.pk}/open/")
    assert opened.status_code == 302
    assert opened["Location"] == (
        f"/desk/articles/{draft.article_id}/?claim={draft.pk}#note-{note.pk}"
    )
    first = Notification.objects.get(pk=notice.pk).read_at
    assert first is not None
    client.post(f"/desk/notifications/{notice.pk}/open/")
    assert Notification.objects.get(pk=notice.pk).read_at == first  # the first reading stays
    # Somebody else's notice is not there for them.
    other = client_for(users["reviewer2"]).post(f"/desk/notifications/{notice.pk}/open/")
    assert other.status_code == 404


def test_mark_all_read_and_the_list_is_paginated_newest_first(users, draft):
    for n in range(25):
        discussion.add_note(draft.pk, users["editor"], f"@reviewer note {n:02}")
    client = client_for(users["reviewer"])
    first = client.get("/desk/notifications/").content.decode()
    assert first.count("notice-item--unread") == 20 and "Page 1 of 2" in first
    assert first.index("note on") > 0
    notices = list(Notification.objects.filter(recipient=users["reviewer"]).order_by("-pk"))
    assert f"/desk/notifications/{notices[0].pk}/open/" in first
    assert f"/desk/notifications/{notices[-1].pk}/open/" not in first
    second = client.get("/desk/notifications/?page=2").content.decode()
    assert f"/desk/notifications/{notices[-1].pk}/open/" in second
    assert client.get("/desk/notifications/?page=zz").status_code == 200
    client.post("/desk/notifications/read/")
    assert not Notification.objects.filter(recipient=users["reviewer"], read_at=None).exists()


def test_the_bell_is_on_every_desk_page_and_polls_with_one_query(users, draft):
    for n in range(3):
        discussion.add_note(draft.pk, users["editor"], f"@reviewer {n}")
    client = client_for(users["reviewer"])
    for path in ("/desk/", "/desk/review/", f"/desk/review/{draft.pk}/", "/desk/notifications/"):
        html = client.get(path).content.decode()
        assert 'id="notification-bell"' in html, path
        assert 'data-hx-trigger="every 30s, notifications-changed from:body"' in html
        assert '<span class="bell__count">3</span>' in html, path
    client.get("/desk/notifications/bell/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/desk/notifications/bell/")
    assert response.status_code == 200
    assert "Notifications" in response.content.decode() and ">3<" in response.content.decode()
    tables = [q["sql"] for q in ctx.captured_queries]
    # The session, the user, and the count on the partial index of unread notices.
    assert len(tables) == 3, tables
    assert "django_session" in tables[0] and "auth_user" in tables[1]
    assert "claims_notification" in tables[2] and "COUNT" in tables[2].upper()


def test_the_bells_polling_does_not_keep_a_session_alive(users):
    client = client_for(users["reviewer"])
    client.get("/desk/")
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    session = client.session
    session["desk_last_seen"] = 0  # a minute and more ago
    session.save()
    before = Session.objects.get(pk=key).expire_date
    client.get("/desk/notifications/bell/")
    assert Session.objects.get(pk=key).expire_date == before
    assert client.get("/desk/notifications/bell/", **{"HTTP_COOKIE": ""}).status_code in (200, 204)


def test_the_bell_asks_anonymous_visitors_nothing(client):
    assert client.get("/desk/notifications/bell/").status_code == 204


def test_deadlines_near_are_notified_once_per_claim_and_due_date(users, demo, draft, in_review):
    published = demo["claims"][0]
    today = timezone.localdate()
    ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=today)
    ownership.set_ownership(in_review.pk, users["editor"], assignee=None, due_on=today)
    ownership.set_ownership(published.pk, users["editor"], assignee=None, due_on=today)
    far = services.create_claim(demo["article"], users["editor"], draft.anchor)
    ownership.set_ownership(
        far.pk, users["editor"], assignee=None, due_on=today + dt.timedelta(days=5)
    )
    call_command("notify_deadlines")
    call_command("notify_deadlines")
    deadline = Notification.objects.filter(kind=NotificationKind.DEADLINE)
    assert sorted((n.claim_id, n.recipient.username) for n in deadline) == sorted(
        [(draft.pk, "editor2"), (in_review.pk, "editor")]  # the assignee, else the author
    )
    # A new due date is a new deadline.
    ownership.set_ownership(
        draft.pk, users["editor"], assignee=users["editor2"], due_on=today - dt.timedelta(days=1)
    )
    assert inbox.notify_deadlines() == 1
    assert inbox.notify_deadlines() == 0


# --- email, each person's choice -----------------------------------------------------------


def test_email_choice_default_keeps_todays_emails_only(
    users, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=None)
        discussion.add_note(draft.pk, users["editor"], "@reviewer vu ?")
    assert mailoutbox == []  # assignment and mentions: in the desk only by default
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(draft.pk, users["editor2"])
    assert sorted(m.to[0] for m in mailoutbox) == [
        "reviewer2@desk.example",
        "reviewer@desk.example",
    ]


def test_email_none_stops_workflow_emails_and_all_adds_the_others(
    users, draft, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(users["reviewer"])
    assert client.post("/desk/notifications/email/", {"email": "none"}).status_code == 302
    assert client.post("/desk/notifications/email/", {"email": "loud"}).status_code == 400
    client_for(users["editor2"]).post("/desk/notifications/email/", {"email": "all"})
    assert NotificationSettings.objects.get(user=users["reviewer"]).email == EmailChoice.NONE
    with django_capture_on_commit_callbacks(execute=True):
        ownership.set_ownership(draft.pk, users["editor"], assignee=users["editor2"], due_on=None)
        discussion.add_note(draft.pk, users["editor"], "@reviewer @editor2 vu ?")
    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert [to for to, _ in sent] == ["editor2@desk.example"] * 2
    assert "editor assigned “OpenAI" in sent[0][1] and "editor mentioned you" in sent[1][1]
    assert "/desk/articles/" in mailoutbox[0].body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(draft.pk, users["editor2"])
    assert "reviewer@desk.example" not in [m.to[0] for m in mailoutbox]
    assert "reviewer2@desk.example" in [m.to[0] for m in mailoutbox]
    # The bell has it all the same.
    assert kinds_of(users["reviewer"]) == ["mentioned", "submitted"]
