"""Shared work on a claim: its assignee and due date, its notes, and an article's due date.

Each form posts on its own and swaps only its own part of the page (plus the
timeline, which shows the new event or note), so whatever is being typed in
the claim form next to it is never replaced. Without JavaScript the same
posts answer with a redirect, or with the whole page when there is an error
to show next to what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from .. import discussion, ownership, selectors
from ..forms import ArticleDueForm, OwnershipForm
from ..models import Article
from ..services import ClaimError
from .access import desk_view
from .params import parse_id

PANEL_EVENTS = 8


def _part(html: str, status: int = 200) -> HttpResponse:
    """An htmx answer for one part of the page; the bell refreshes after it too."""
    return trigger_client_event(HttpResponse(html, status=status), "notifications-changed")


def timeline_context(user, claim, *, in_panel: bool) -> dict:
    """The claim's timeline: events and note threads in date order.

    In the panel, the last PANEL_EVENTS events and every note (the discussion
    is never cut); the review screen has all of both.
    """
    events = list(claim.events.all())
    shown = events[-PANEL_EVENTS:] if in_panel else events
    threads = list(getattr(claim, "threads", None) or ())
    items = sorted(
        [*shown, *threads], key=lambda item: (item.created_at, getattr(item, "is_note", False))
    )
    return {
        "timeline": items,
        "events": shown,
        "earlier_events": len(events) - len(shown),
        "note_count": len(threads),
        "in_panel": in_panel,
        "can_write_notes": discussion.can_write_notes(user),
    }


def ownership_context(user, claim, form=None) -> dict:
    can_assign = ownership.can_assign(user)
    if form is None and can_assign:
        form = OwnershipForm(initial={"assignee": claim.assignee_id, "due_on": claim.due_on})
    return {"can_assign": can_assign, "ownership_form": form}


def _claim_or_404(claim_id: int):
    claim = selectors.claim_for_panel(claim_id)
    if claim is None:
        raise Http404("No such claim.")
    return claim


def _full_page(request, claim, extra: dict, status: int):
    """The whole page the form was on, with `extra` (errors, what was typed) in it."""
    if request.POST.get("where") == "review":
        from .review import review_context

        context = review_context(request, selectors.claim_for_review(claim.pk))
        context.update(extra)
        return render(request, "desk/review.html", context, status=status)
    from .annotate import TEMPLATE, annotate_context

    context = annotate_context(request, claim.article, claim=claim)
    context.update(extra)
    return render(request, TEMPLATE, context, status=status)


@require_POST
@desk_view(ownership.can_assign)
def claim_ownership(request, claim_id: int):
    claim = _claim_or_404(claim_id)
    form = OwnershipForm(request.POST)
    status, message, level = 200, gettext("Assignment saved."), "info"
    if not form.is_valid():
        status, level = 422, "error"
        message = gettext("Nothing was saved: correct the fields marked below.")
    else:
        try:
            ownership.set_ownership(
                claim.pk,
                request.user,
                assignee=form.cleaned_data["assignee"],
                due_on=form.cleaned_data["due_on"],
            )
        except ClaimError as error:
            status, level, message = 409, "error", error.message
    if status == 200 and not request.htmx:
        messages.success(request, message)
        return redirect(claim.get_absolute_url())
    if status == 200:
        claim = _claim_or_404(claim.pk)
        form = None
    extra = {
        **ownership_context(request.user, claim, form),
        "ownership_message": message,
        "ownership_level": level,
    }
    if not request.htmx:
        return _full_page(request, claim, extra, status)
    context = {"claim": claim, **extra, **timeline_context(request.user, claim, in_panel=True)}
    html = render_to_string("desk/_ownership.html", context, request)
    if status == 200:
        html += render_to_string("desk/_timeline.html", {**context, "timeline_oob": True}, request)
    return _part(html, status)


@require_POST
@desk_view(discussion.can_write_notes)
def note_create(request, claim_id: int):
    claim = _claim_or_404(claim_id)
    in_panel = request.POST.get("where") != "review"
    parent_id = parse_id(request.POST.get("parent"))
    try:
        note = discussion.add_note(
            claim.pk, request.user, request.POST.get("body", ""), parent_id=parent_id
        )
    except ClaimError as error:
        extra = {
            "note_error": error.message,
            "note_typed": request.POST.get("body", ""),
            "note_parent": parent_id,
        }
        if not request.htmx:
            return _full_page(request, claim, extra, 400)
        context = {"claim": claim, **timeline_context(request.user, claim, in_panel=in_panel)}
        context.update(extra)
        return _part(render_to_string("desk/_timeline.html", context, request), 400)
    if not request.htmx:
        messages.success(request, gettext("Note added."))
        base = reverse("desk:review", args=[claim.pk]) if not in_panel else claim.get_absolute_url()
        return redirect(f"{base}#note-{note.pk}")
    claim = (selectors.claim_for_panel if in_panel else selectors.claim_for_review)(claim.pk)
    context = {
        "claim": claim,
        **timeline_context(request.user, claim, in_panel=in_panel),
        "note_message": gettext("Note added."),
        "note_focus": note.pk,
    }
    return _part(render_to_string("desk/_timeline.html", context, request))


@require_POST
@desk_view(ownership.can_assign)
def article_due(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    form = ArticleDueForm(request.POST)
    status, message, level = 200, gettext("Due date saved."), "info"
    if not form.is_valid():
        status, level = 422, "error"
        message = gettext("The due date was not saved: correct it below.")
    else:
        try:
            article = ownership.set_article_due(
                article.pk, request.user, form.cleaned_data["due_on"]
            )
        except ClaimError as error:
            status, level, message = 409, "error", error.message
    if status == 200:
        if not request.htmx:
            messages.success(request, message)
            return redirect("desk:article", article.pk)
        form = ArticleDueForm(initial={"due_on": article.due_on})
    context = {
        "article": article,
        "can_assign": True,
        "article_due_form": form,
        "article_due_message": message,
        "article_due_level": level,
    }
    if not request.htmx:
        from .annotate import TEMPLATE, annotate_context

        full = annotate_context(request, article)
        full.update(context)
        return render(request, TEMPLATE, full, status=status)
    return _part(render_to_string("desk/_article_due.html", context, request), status)


def article_due_context(user, article) -> dict:
    if not ownership.can_assign(user):
        return {"can_assign": False}
    return {
        "can_assign": True,
        "article_due_form": ArticleDueForm(initial={"due_on": article.due_on}),
    }
