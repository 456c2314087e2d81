"""Living articles on the desk: Edit text, Check the original, History, and the highlights
a revision left uncertain (summary, marks, Confirm position, orphans, submission)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pageserver import page

from claims import revisions, services, textdiff, workflow
from claims.anchoring import make_anchor
from claims.models import (
    AnchorStatus,
    Article,
    ArticleRevision,
    Claim,
    EventKind,
    Rating,
    ReviewEvent,
    RevisionReason,
)
from claims.views.desk import fetched_fields

PARAS = [
    "Le chômage a baissé de 2,5 % en 2019, selon l’Insee.",
    "La ministre a présenté mercredi son plan pour l’emploi des jeunes.",
    "Les syndicats jugent le plan insuffisant et demandent davantage de moyens.",
]
BODY = "\n\n".join(PARAS)
# The first sentence reworded (its figures changed), the second paragraph deleted.
REVISED = "\n\n".join([PARAS[0].replace("2,5 % en 2019", "1,5 % en 2018"), PARAS[2]])


@pytest.fixture
def article(editor):
    return services.create_article(editor, title="Chômage", language="fr", body=BODY)


def claim_on(article, user, text):
    start = article.body.index(text)
    return services.create_claim(article, user, make_anchor(article.body, start, start + len(text)))


def fill(claim, user):
    services.save_claim(
        claim.pk,
        claim.version,
        user,
        {
            "statement": "Le chômage a baissé",
            "claimant": "Insee",
            "claim_date": dt.date(2020, 1, 1),
            "rating": Rating.objects.get(label="Vrai"),
            "ruling": "Oui.",
        },
        [services.SourceData(id=None, fields={"url": "https://insee.fr/", "title": "Insee"})],
    )
    claim.refresh_from_db()
    return claim


def revise(article, body, user):
    return revisions.revise_article(article.pk, body, user=user, reason=RevisionReason.EDITED)


def edit_url(article):
    return reverse("desk:article_edit", args=[article.pk])


def post_text(client, article, text, note="", sha=None):
    return client.post(
        edit_url(article),
        {"text": text, "note": note, "base_sha256": sha or revisions.body_sha256(article.body)},
    )


# --- Edit text ------------------------------------------------------------------------------


def test_edit_text_opens_the_body_in_a_textarea(editor_client, article):
    page_html = editor_client.get(reverse("desk:article", args=[article.pk])).content.decode()
    assert f'href="{edit_url(article)}"' in page_html
    response = editor_client.get(edit_url(article))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<textarea name="text"[^>]*>\s*' + re.escape(PARAS[0]), html)
    assert f'value="{revisions.body_sha256(BODY)}"' in html
    assert 'name="note"' in html and "csrfmiddlewaretoken" in html


def test_saving_the_text_makes_a_revision_and_shows_the_summary(editor_client, editor, article):
    claim_on(article, editor, PARAS[2])
    claim_on(article, editor, "baissé de 2,5 % en 2019")
    claim_on(article, editor, PARAS[1])
    response = post_text(editor_client, article, REVISED, note="Chiffre corrigé par l’Insee")
    assert response.status_code == 302
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert (revision.reason, revision.note, revision.created_by) == (
        RevisionReason.EDITED,
        "Chiffre corrigé par l’Insee",
        editor,
    )
    assert revision.outcome == {"kept": 1, "moved": 0, "needs_check": 1, "orphaned": 1}
    html = editor_client.get(response["Location"]).content.decode()
    # Once as the message just after saving, once as the screen's summary of the revision.
    assert html.count("1 kept, 1 to check, 1 orphaned") == 2
    assert 'id="revision-summary"' in html


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(editor_client, editor, article):
    opened_sha = revisions.body_sha256(article.body)
    revise(article, BODY.replace("mercredi", "jeudi"), editor)  # someone else, meanwhile
    typed = BODY + "\n\nMon paragraphe ajouté."
    response = post_text(editor_client, article, typed, note="ajout", sha=opened_sha)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed the text while you were editing it (revision 2, by ed)" in html
    assert "Mon paragraphe ajouté." in html and 'value="ajout"' in html
    # The comparison shows their change against the typed text, marked as words.
    assert "<del><span" in html and "jeudi" in html
    assert ArticleRevision.objects.filter(article=article).count() == 2
    article.refresh_from_db()
    # The form now starts from the current text: saving again is a deliberate overwrite.
    assert f'value="{revisions.body_sha256(article.body)}"' in html
    assert post_text(editor_client, article, typed).status_code == 302
    article.refresh_from_db()
    assert article.body == typed


def test_an_empty_text_is_refused_on_the_form(editor_client, article):
    response = post_text(editor_client, article, "   \n ", note="vide")
    assert response.status_code == 400
    assert "The text was not saved" in response.content.decode()
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_an_unchanged_text_saves_nothing(editor_client, article):
    response = post_text(editor_client, article, BODY.replace("\n\n", "\r\n\r\n"))
    assert response.status_code == 302
    html = editor_client.get(response["Location"]).content.decode()
    assert "The text did not change: nothing was saved." in html
    assert ArticleRevision.objects.filter(article=article).count() == 1


@pytest.fixture
def reader_on_desk(make_user):
    """A desk account that may read claims but not edit them."""
    from django.contrib.auth.models import Permission

    user = make_user("lecteur")
    user.user_permissions.add(Permission.objects.get(codename="view_claim"))
    return user


def test_only_editors_change_the_text(client, reader_on_desk, article):
    client.force_login(reader_on_desk)
    assert client.get(edit_url(article)).status_code == 403
    assert post_text(client, article, REVISED).status_code == 403
    assert client.post(reverse("desk:article_refetch", args=[article.pk])).status_code == 403
    article.refresh_from_db()
    assert article.body == BODY
    # Reading the history is open to the whole desk.
    assert client.get(reverse("desk:article_history", args=[article.pk])).status_code == 200


def test_writes_need_the_csrf_token(editor, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert post_text(client, article, REVISED).status_code == 403
    assert client.post(reverse("desk:article_refetch", args=[article.pk])).status_code == 403
    article.refresh_from_db()
    assert article.body == BODY


def test_the_admin_cannot_change_a_body(client, make_user, article):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:claims_article_change", args=[article.pk])
    form = client.get(url).content.decode()
    assert 'name="body"' not in form  # shown read-only, not as a field
    client.post(url, {"title": "Chômage", "language": "fr", "body": "Autre texte."})
    article.refresh_from_db()
    assert article.body == BODY
    assert ArticleRevision.objects.filter(article=article).count() == 1
    # Nor can the revisions be reached there: they change only through claims.revisions.
    assert client.get("/admin/claims/articlerevision/").status_code == 404


# --- Check the original for changes ---------------------------------------------------------


@pytest.fixture
def fetched_article(server, editor):
    url = server.route("/2026/03/tram.html", page("news.html"))
    fields = fetched_fields(url)
    text = fields.pop("text")
    fields = {k: v for k, v in fields.items() if k in {"title", "url", "language"}}
    return services.create_article(editor, body=text, **fields)


def refetch(client, article):
    response = client.post(reverse("desk:article_refetch", args=[article.pk]))
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_check_the_original_with_no_change(editor_client, fetched_article):
    html = editor_client.get(reverse("desk:article", args=[fetched_article.pk])).content.decode()
    assert "Check the original for changes" in html
    assert "The original has not changed: nothing was saved." in refetch(
        editor_client, fetched_article
    )
    assert fetched_article.revisions.count() == 1


def test_check_the_original_makes_a_revision_when_it_changed(
    editor_client, editor, server, fetched_article
):
    body = fetched_article.body
    sentence = body.split("\n\n")[1]
    claim = claim_on(fetched_article, editor, sentence)
    changed = page("news.html").replace(b"two years", b"three years")
    assert changed != page("news.html")
    server.route("/2026/03/tram.html", changed)
    html = refetch(editor_client, fetched_article)
    assert "The original had changed: its new text was saved. Revision 2." in html
    revision = fetched_article.revisions.get(number=2)
    assert revision.reason == RevisionReason.REFETCHED and revision.created_by == editor
    fetched_article.refresh_from_db()
    assert "three years" in fetched_article.body
    claim.refresh_from_db()
    assert fetched_article.body[claim.start : claim.end] == claim.exact

    # The desk then edits the text: the original, unchanged since, does not undo that.
    edited = fetched_article.body + "\n\nA note added by the desk."
    revise(fetched_article, edited, editor)
    html = refetch(editor_client, fetched_article)
    assert "has not changed since revision 2; the desk’s later edits are kept" in html.replace(
        "&#x27;", "’"
    ).replace("'", "’")
    fetched_article.refresh_from_db()
    assert fetched_article.body == edited


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 404}, "The site answered with an error (404)"),
        (
            {"body": b"\x89PNG", "headers": {"Content-Type": "image/png"}},
            "That is not a web page (image/png)",
        ),
    ],
)
def test_check_the_original_says_why_it_could_not(
    editor_client, server, fetched_article, route, message
):
    server.route("/2026/03/tram.html", **route)
    html = refetch(editor_client, fetched_article)
    assert "The original could not be checked:" in html
    assert message in html
    assert fetched_article.revisions.count() == 1


def test_check_the_original_refuses_an_address_now_private(editor_client, editor, article):
    Article.objects.filter(pk=article.pk).update(url="http://169.254.169.254/latest/")
    html = refetch(editor_client, article)
    assert "The original could not be checked:" in html
    assert article.revisions.count() == 1


def test_no_check_without_an_address(editor_client, article):
    html = editor_client.get(reverse("desk:article", args=[article.pk])).content.decode()
    assert "Check the original for changes" not in html
    assert "This article has no original address to check." in refetch(editor_client, article)


# --- History --------------------------------------------------------------------------------


def test_history_lists_revisions_and_shows_a_word_diff(editor_client, editor, article):
    claim_on(article, editor, PARAS[1])
    revisions.revise_article(
        article.pk, REVISED, user=editor, reason=RevisionReason.EDITED, note="Chiffre <corrigé>"
    )
    url = reverse("desk:article_history", args=[article.pk])
    html = editor_client.get(url).content.decode()
    assert "Chiffre &lt;corrigé&gt;" in html
    assert "1 orphaned" in html and ">ed<" in html
    diff = html[html.index('id="diff"') :]
    assert re.search(r"<del><span class=\"visually-hidden\">\[removed: </span>2", diff)
    assert re.search(r"<ins><span class=\"visually-hidden\">\[added: </span>1", diff)
    assert '<del><span class="visually-hidden">[removed: </span>\n\nLa ministre' in diff

    back = editor_client.get(url, {"from": 2, "to": 1}).content.decode()
    assert '<ins><span class="visually-hidden">[added: </span>\n\nLa ministre' in back
    bad = editor_client.get(url, {"from": 7, "to": "x"})
    assert bad.status_code == 400
    assert "There is no such revision of this article." in bad.content.decode()


def test_word_diff_rebuilds_both_texts():
    cases = [
        (BODY, REVISED),
        (REVISED, BODY),
        ("a b c.\n\nSame.\n\nGone.", "x y z.\n\nSame."),
        ("Un.\n\nDeux.", "Un.\n\nNouveau.\n\nDeux."),
        ("", "Tout neuf."),
    ]
    for old, new in cases:
        pieces = textdiff.word_diff(old, new)
        assert "".join(p.text for p in pieces if p.kind != "insert") == old
        assert "".join(p.text for p in pieces if p.kind != "delete") == new
    # A reworded stretch reads as one removal then one addition, not word by word.
    kinds = [p.kind for p in textdiff.word_diff("il a dit non hier", "elle a écrit oui hier")]
    assert kinds.count("delete") <= 2 and kinds.count("insert") <= 2


def test_outcome_summary_is_pluralised_and_translated():
    counts = {"kept": 41, "moved": 2, "needs_check": 1, "orphaned": 1}
    with translation.override("en"):
        assert revisions.outcome_summary(counts) == "41 kept, 2 moved, 1 to check, 1 orphaned"
    with translation.override("fr"):
        assert revisions.outcome_summary(counts) == (
            "41 conservées, 2 déplacées, 1 à vérifier, 1 orpheline"
        )
        assert revisions.outcome_summary({"kept": 1, "orphaned": 2}) == (
            "1 conservée, 2 orphelines"
        )


# --- After a revision: marks, Confirm position, orphans -------------------------------------


@pytest.fixture
def revised(article, editor):
    kept = claim_on(article, editor, PARAS[2])
    check = claim_on(article, editor, "baissé de 2,5 % en 2019")
    gone = claim_on(article, editor, PARAS[1])
    revise(article, REVISED, editor)
    return {
        "kept": Claim.objects.get(pk=kept.pk),
        "check": Claim.objects.get(pk=check.pk),
        "gone": Claim.objects.get(pk=gone.pk),
    }


def test_marks_in_the_text_and_the_list(editor_client, article, revised):
    html = editor_client.get(reverse("desk:article", args=[article.pk])).content.decode()
    text = html[html.index('id="article-text"') : html.index('id="orphaned-claims"')]
    check, gone = revised["check"], revised["gone"]
    assert re.search(rf'<mark class="hl hl-depth-1 hl--check" data-claims="{check.pk}"[^>]*>', text)
    assert f'data-claims="{gone.pk}"' not in text  # an orphan is not highlighted
    orphans = html[html.index('id="orphaned-claims"') :]
    assert "1 claim lost its passage" in orphans
    assert re.search(r'<del class="orphan__quote"[^>]*>.*' + re.escape(PARAS[1]), orphans)
    assert f'action="{reverse("desk:claim_anchor", args=[gone.pk])}"' in orphans
    listing = html[html.index('id="claim-list"') :]
    assert listing.count("Position to check") == 1 and listing.count("Passage gone") == 1


def test_confirm_position_is_an_audited_highlight_move(client, make_user, article, revised):
    other = make_user("ed2", "Editors")
    client.force_login(other)
    claim = revised["check"]
    html = client.get(reverse("desk:article", args=[article.pk]), {"claim": claim.pk})
    assert "Confirm position" in html.content.decode()
    response = client.post(
        reverse("desk:claim_confirm", args=[claim.pk]),
        {"version": claim.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Position confirmed." in response.content.decode()
    claim.refresh_from_db()
    assert (claim.anchor_status, claim.checked_exact) == (AnchorStatus.CONFIRMED, "")
    event = ReviewEvent.objects.filter(claim=claim, kind=EventKind.ANCHOR_MOVED).get()
    assert event.actor == other
    assert event.changes["quote"] == ["baissé de 2,5 % en 2019", claim.exact]
    assert other.pk in workflow.contributors(claim)
    # Twice is refused with a message, not a 500.
    again = client.post(
        reverse("desk:claim_confirm", args=[claim.pk]),
        {"version": claim.version},
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 409 and "nothing to confirm" in again.content.decode()
    stale = client.post(reverse("desk:claim_confirm", args=[claim.pk]), {"version": "x"})
    assert stale.status_code == 400


def test_move_highlight_to_selection_reattaches_an_orphan(editor_client, editor, article, revised):
    gone = revised["gone"]
    article.refresh_from_db()
    start = article.body.index("Les syndicats")
    end = start + len("Les syndicats jugent le plan insuffisant")
    response = editor_client.post(
        reverse("desk:claim_anchor", args=[gone.pk]),
        {"start": start, "end": end, "exact": article.body[start:end], "version": gone.version},
    )
    assert response.status_code == 302
    gone.refresh_from_db()
    assert (gone.anchor_status, gone.checked_exact) == (AnchorStatus.CONFIRMED, "")
    assert (gone.start, gone.end) == (start, end)
    assert ReviewEvent.objects.filter(claim=gone, kind=EventKind.ANCHOR_MOVED).exists()
    html = editor_client.get(response["Location"]).content.decode()
    assert "lost its passage" not in html


def test_htmx_move_refreshes_the_orphans_list(editor_client, article, revised):
    gone = revised["gone"]
    article.refresh_from_db()
    start = article.body.index("Les syndicats")
    end = start + len("Les syndicats")
    response = editor_client.post(
        reverse("desk:claim_anchor", args=[gone.pk]),
        {"start": start, "end": end, "exact": "Les syndicats", "version": gone.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert '<div id="orphaned-claims" data-hx-swap-oob="true">' in html
    assert "lost its passage" not in html


def test_submission_refused_while_the_position_is_uncertain(editor_client, editor, article):
    claim = fill(claim_on(article, editor, "baissé de 2,5 % en 2019"), editor)
    revise(article, REVISED, editor)
    claim.refresh_from_db()
    assert claim.anchor_status == AnchorStatus.NEEDS_CHECK
    with pytest.raises(workflow.TransitionError, match="confirm its highlight"):
        workflow.submit(claim.pk, editor)
    services.confirm_claim_anchor(claim.pk, claim.version, editor)
    workflow.submit(claim.pk, editor)
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_a_published_claim_whose_passage_changed_says_so(editor_client, editor, reviewer, article):
    claim = fill(claim_on(article, editor, PARAS[1]), editor)
    workflow.submit(claim.pk, editor)
    workflow.start_review(claim.pk, reviewer)
    workflow.approve(claim.pk, reviewer)
    revise(article, REVISED, editor)
    html = editor_client.get(
        reverse("desk:article", args=[article.pk]), {"claim": claim.pk}
    ).content.decode()
    assert "The article changed since publication." in html
    assert "Start an update to place the claim on the new text" in html
    assert "Start an update of this claim to re-attach it." in html


def test_a_stale_form_with_the_current_text_is_no_conflict(editor_client, editor, article):
    opened_sha = revisions.body_sha256(article.body)
    revise(article, REVISED, editor)
    response = post_text(editor_client, article, REVISED, sha=opened_sha)
    assert response.status_code == 302
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_history_of_an_article_never_revised(editor_client, article):
    html = editor_client.get(reverse("desk:article_history", args=[article.pk])).content.decode()
    assert "The text has not been revised since it was loaded." in html
    assert 'id="diff"' not in html


def test_a_whole_rewrite_diffs_quickly():
    import time

    old = " ".join(f"mot{i}" for i in range(30_000))
    new = " ".join(f"autre{i}" for i in range(30_000))
    began = time.perf_counter()
    pieces = textdiff.word_diff(old, new)
    assert time.perf_counter() - began < 2
    assert [p.kind for p in pieces] == ["delete", "insert"]


def test_an_edit_without_its_starting_point_is_refused(editor_client, article):
    response = editor_client.post(edit_url(article), {"text": REVISED, "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The form was incomplete; reload the page and try again." in html
    assert "1,5 % en 2018" in html  # what was typed is kept
    article.refresh_from_db()
    assert article.body == BODY
