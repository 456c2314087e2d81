"""The review side: the queue, the review screen, and every workflow transition."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from .. import audit, desk_lists, scale_i18n, selectors, workflow
from ..models import Claim
from ..permissions import can_review
from ..rendering import render_passage
from . import shared_work
from .access import desk_view
from .annotate import panel_after_transition
from .errors import error_response
from .listing import page_range, paginate
from .params import parse_id


class MalformedTransition(workflow.TransitionError):
    """The request lacks what the transition needs (answered 400, nothing changes)."""


def _approve(pk, user, post):
    # The version the reviewer read is what makes the approval safe: without
    # it, a claim changed since the screen was opened would be published.
    version = parse_id(post.get("version"))
    if version is None:
        raise MalformedTransition(
            gettext(
                "This approval did not say which version of the claim you reviewed, so "
                "nothing was published. Reload the review screen and approve again."
            )
        )
    return workflow.approve(pk, user, expected_version=version)


TRANSITIONS = {
    workflow.SUBMIT: lambda pk, user, post: workflow.submit(pk, user),
    workflow.APPROVE: _approve,
    workflow.TAKE_REVIEW: lambda pk, user, post: workflow.start_review(pk, user),
    workflow.RELEASE_REVIEW: lambda pk, user, post: workflow.release_review(pk, user),
    workflow.REQUEST_CHANGES: lambda pk, user, post: workflow.request_changes(
        pk, user, post.get("comment", "")
    ),
    workflow.START_UPDATE: lambda pk, user, post: workflow.start_update(pk, user),
    workflow.WITHDRAW: lambda pk, user, post: workflow.withdraw(pk, user, post.get("reason", "")),
}

DONE = {
    workflow.SUBMIT: _("Submitted for review."),
    workflow.APPROVE: _("Approved and published."),
    workflow.REQUEST_CHANGES: _("Changes requested; the claim went back to its editor."),
    workflow.START_UPDATE: _(
        "Update started: readers keep the published version until the next approval."
    ),
    workflow.WITHDRAW: _("Withdrawn."),
    workflow.TAKE_REVIEW: _("You are reviewing this claim; the desk shows it."),
    workflow.RELEASE_REVIEW: _("Review released: the claim waits for a reviewer again."),
}


@require_GET
@desk_view(can_review)
def queue(request):
    filters = desk_lists.DeskFilters(request.GET, user=request.user, show_status=False)
    page, missing = paginate(request, desk_lists.review_queue(filters))
    if missing:
        return missing
    page.object_list = desk_lists.claims_in_order(page.object_list)
    return render(
        request,
        "desk/review_queue.html",
        {"filters": filters, "page": page, "page_range": page_range(page)},
    )


def review_context(request, claim, **extra):
    people = workflow.contributors(claim)
    actions = workflow.available_actions(request.user, claim, people)
    current = claim.current_version
    events = list(claim.events.all())
    baseline = workflow.review_baseline(events, request.user)
    return {
        "claim": claim,
        "article": claim.article,
        "passage_html": render_passage(claim.article.body, claim.start, claim.end),
        "actions": actions,
        "approval_refusal": workflow.approval_refusal(request.user, claim, people)
        if claim.status == "in_review"
        else "",
        "published": current,
        "diff": _diff_rows(claim, current) if current else [],
        **shared_work.timeline_context(request.user, claim, in_panel=False),
        "baseline": baseline,
        "since_rows": audit.change_rows(
            audit.diff(baseline.snapshot, audit.claim_state(claim, claim.sources.all()))
        )
        if baseline
        else [],
        **extra,
    }


def _diff_rows(claim, version):
    rows = [
        (gettext("Claim"), version.statement, claim.statement),
        (gettext("Claimant"), version.claimant_with_kind, claim.claimant_with_kind),
        (gettext("Date of the claim"), _date(version.claim_date), _date(claim.claim_date)),
        (
            gettext("Verdict"),
            version.label_in(None).label,
            claim.rating.shown.label if claim.rating else "",
            # Changed when approving would change the label readers see in any language.
            (version.rating_label, version.rating_label_translations)
            != (
                (claim.rating.label, scale_i18n.frozen_labels(claim.rating))
                if claim.rating
                else ("", {})
            ),
        ),
        (gettext("Ruling"), version.ruling, claim.ruling),
        (gettext("Highlighted passage"), version.exact, claim.exact),
        (
            gettext("Sources"),
            "\n\n".join(audit.source_summary(s) for s in version.sources),
            "\n\n".join(audit.source_summary(audit.source_state(s)) for s in claim.sources.all()),
        ),
    ]
    return [
        {
            "label": label,
            "before": before,
            "after": after,
            "changed": changed[0] if changed else before != after,
        }
        for label, before, after, *changed in rows
    ]


def _date(value):
    return value.isoformat() if value else ""


@require_GET
@desk_view()
def review(request, claim_id: int):
    # Reads only: taking the review is an explicit POST (Take review).
    claim = selectors.claim_for_review(claim_id)
    if claim is None:
        raise Http404("No such claim.")
    return render(request, "desk/review.html", review_context(request, claim))


@require_POST
@desk_view()
def transition(request, claim_id: int):
    """Apply one workflow action; the workflow module decides whether it is allowed.

    The transition locks and reads the claim itself; the screen's full load
    is only needed when the answer is a page about the claim.
    """
    if not Claim.objects.filter(pk=claim_id).exists():
        raise Http404("No such claim.")
    action = request.POST.get("action", "")
    apply = TRANSITIONS.get(action)
    if apply is None:
        return render(
            request,
            "desk/review.html",
            review_context(
                request, selectors.claim_for_review(claim_id), error=gettext("Unknown action.")
            ),
            status=400,
        )
    try:
        apply(claim_id, request.user, request.POST)
    except workflow.TransitionError as error:
        if error.forbidden:
            raise PermissionDenied(error.message) from error
        status = 400 if isinstance(error, MalformedTransition) else None
        return _refused(request, claim_id, action, error.message, status=status)
    messages.success(request, DONE[action])
    if request.htmx and request.POST.get("from") == "panel":
        return panel_after_transition(request, claim_id, DONE[action])
    if action in (workflow.APPROVE, workflow.REQUEST_CHANGES) and can_review(request.user):
        return redirect("desk:review_queue")
    return redirect("desk:review", claim_id)


def _refused(request, claim_id, action, message, *, status=None):
    if request.htmx and request.POST.get("from") == "panel":
        return panel_after_transition(
            request, claim_id, message, level="error", status=status or 409
        )
    if request.htmx:
        # The review screen posts plainly; an htmx request from elsewhere gets
        # the refusal in the page's message region, as other refusals do.
        return error_response(request, status or 409, gettext("Not done"), message)
    field_errors = {}
    if action == workflow.REQUEST_CHANGES:
        field_errors["comment"] = message
    elif action == workflow.WITHDRAW:
        field_errors["reason"] = message
    claim = selectors.claim_for_review(claim_id)
    if claim is None:  # deleted while the transition was refused
        raise Http404("No such claim.")
    context = review_context(
        request,
        claim,
        error=message,
        field_errors=field_errors,
        typed=request.POST,
    )
    status = status or (400 if field_errors else 409)
    return render(request, "desk/review.html", context, status=status)
