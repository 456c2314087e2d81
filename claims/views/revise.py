"""Living articles on the desk: edit the text, check the original, the history, and the
highlights a revision left uncertain.

Every body change goes through `revisions.revise_article`, every highlight
change through `services` (audited); these views only translate requests.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import revisions, selectors, services, textdiff
from ..fetching import FetchError
from ..forms import ArticleTextForm
from ..models import Article, ArticleRevision, RevisionReason
from ..permissions import can_edit_claims
from ..text import TextImportError, canonicalize
from . import annotate
from .access import desk_view
from .desk import fetched_fields  # the same fetch and extraction as Load article
from .params import parse_id


def _after_revision(request, article: Article, outcome: revisions.RevisionOutcome, saved: str):
    counts = revisions.outcome_summary(outcome.counts)
    messages.success(
        request,
        gettext("%(saved)s Revision %(number)s. Claims: %(counts)s.")
        % {"saved": saved, "number": outcome.revision.number, "counts": counts},
    )
    return redirect("desk:article", article.pk)


@require_http_methods(["GET", "POST"])
@desk_view(can_edit_claims)
def article_edit(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    status, message, conflict_html = 200, "", None
    if request.method == "POST":
        form = ArticleTextForm(request.POST)
        if form.is_valid():
            try:
                outcome = revisions.revise_article(
                    article.pk,
                    form.cleaned_data["text"],
                    user=request.user,
                    reason=RevisionReason.EDITED,
                    note=form.cleaned_data["note"].strip(),
                    expected_sha256=form.cleaned_data["base_sha256"],
                )
            except revisions.StaleRevisionError as error:
                article.refresh_from_db()
                # What they typed stays; the next save starts from the text now current,
                # which the diff below shows against theirs.
                data = request.POST.copy()
                data["base_sha256"] = revisions.body_sha256(article.body)
                form = ArticleTextForm(data)
                form.is_valid()
                typed = canonicalize(request.POST.get("text", ""))
                conflict_html = textdiff.render_diff(textdiff.word_diff(article.body, typed))
                status, message = 409, error.message
            except TextImportError as error:
                form.add_error("text", error.message)
                status = 400
            else:
                if not outcome.changed:
                    messages.info(request, gettext("The text did not change: nothing was saved."))
                    return redirect("desk:article", article.pk)
                return _after_revision(request, article, outcome, gettext("Text saved."))
        else:
            status = 400
    else:
        form = ArticleTextForm(
            initial={"text": article.body, "base_sha256": revisions.body_sha256(article.body)}
        )
    return render(
        request,
        "desk/article_edit.html",
        {
            "article": article,
            "form": form,
            "message": message,
            "conflict_html": conflict_html,
            "latest": revisions.latest_revision(article),
        },
        status=status,
    )


@require_POST
@desk_view(can_edit_claims)
def article_refetch(request, article_id: int):
    """Check the original for changes: a revision only when the extracted text differs."""
    article = get_object_or_404(Article, pk=article_id)
    if not article.url:
        messages.error(request, gettext("This article has no original address to check."))
        return redirect("desk:article", article.pk)
    try:
        found = fetched_fields(article.url)
    except (FetchError, TextImportError) as error:
        messages.error(
            request,
            gettext("The original could not be checked: %(reason)s") % {"reason": error.message},
        )
        return redirect("desk:article", article.pk)
    body = found["text"]
    sha = revisions.body_sha256(body)
    latest = revisions.latest_revision(article)
    if latest is not None and latest.sha256 == sha:
        messages.info(request, gettext("The original has not changed: nothing was saved."))
        return redirect("desk:article", article.pk)
    fetched = _last_fetched(article)
    if fetched is not None and fetched.sha256 == sha:
        # The desk edited the text since it was last fetched; the original is as it was.
        messages.info(
            request,
            gettext(
                "The original has not changed since revision %(number)s; the desk's later "
                "edits are kept. Nothing was saved."
            )
            % {"number": fetched.number},
        )
        return redirect("desk:article", article.pk)
    try:
        outcome = revisions.revise_article(
            article.pk, body, user=request.user, reason=RevisionReason.REFETCHED
        )
    except TextImportError as error:
        messages.error(
            request,
            gettext("The original could not be checked: %(reason)s") % {"reason": error.message},
        )
        return redirect("desk:article", article.pk)
    if not outcome.changed:
        messages.info(request, gettext("The original has not changed: nothing was saved."))
        return redirect("desk:article", article.pk)
    return _after_revision(
        request, article, outcome, gettext("The original had changed: its new text was saved.")
    )


def _last_fetched(article: Article) -> ArticleRevision | None:
    return (
        article.revisions.filter(reason__in=(RevisionReason.IMPORTED, RevisionReason.REFETCHED))
        .only("number", "sha256")
        .order_by("-number")
        .first()
    )


@require_GET
@desk_view()
def article_history(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    # The bodies are loaded only for the two revisions compared.
    listed = list(article.revisions.select_related("created_by").defer("body").order_by("-number"))
    for revision in listed:
        revision.summary = (
            revisions.outcome_summary(revision.outcome) if revision.number > 1 else ""
        )
    numbers = [r.number for r in listed]
    latest = numbers[0] if numbers else 1
    to_number = parse_id(request.GET.get("to")) or latest
    from_number = parse_id(request.GET.get("from")) or max(to_number - 1, 1)
    context = {"article": article, "revisions": listed, "diff_error": ""}
    if from_number not in numbers or to_number not in numbers:
        context["diff_error"] = gettext("There is no such revision of this article.")
        from_number, to_number = max(latest - 1, 1), latest
    bodies = dict(
        article.revisions.filter(number__in={from_number, to_number}).values_list("number", "body")
    )
    pieces = textdiff.word_diff(bodies.get(from_number, ""), bodies.get(to_number, ""))
    context.update(
        {
            "from_number": from_number,
            "to_number": to_number,
            "diff_html": textdiff.render_diff(pieces),
            "diff_counts": textdiff.diff_counts(pieces),
            "same": from_number == to_number,
        }
    )
    return render(
        request,
        "desk/article_history.html",
        context,
        status=400 if context["diff_error"] else 200,
    )


@require_POST
@desk_view(can_edit_claims)
def claim_confirm(request, claim_id: int):
    """Confirm position: the candidate a revision found is the right passage."""
    claim = annotate._claim_or_404(claim_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return annotate._panel_response(
            request,
            claim,
            status=400,
            level="error",
            message=gettext("The form was incomplete; reload the page and try again."),
        )
    try:
        confirmed = services.confirm_claim_anchor(claim.pk, version, request.user)
    except services.StaleClaimError:
        return annotate._panel_response(
            request,
            claim,
            status=409,
            level="error",
            message=gettext(
                "Someone changed this claim meanwhile; check its highlight again, then confirm."
            ),
        )
    except services.ClaimError as error:
        return annotate._panel_response(
            request, claim, message=error.message, level="error", status=409
        )
    if not request.htmx:
        messages.success(request, gettext("Position confirmed."))
        return redirect(confirmed.get_absolute_url())
    confirmed = selectors.claim_for_panel(confirmed.pk)
    return annotate._refresh_all(
        request, confirmed.article, confirmed, message=gettext("Position confirmed.")
    )
