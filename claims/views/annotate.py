"""The annotating screen: create claims from selections, edit them in the claim panel.

Every endpoint answers htmx with fragments (template partials of
desk/annotate.html) and plain browser posts with a redirect or the full page,
so the screen keeps working when a script fails to load.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .. import selectors, services, workflow
from ..anchoring import AnchorError, anchor_selection
from ..models import Article, Claim, ClaimStatus, EventKind
from ..permissions import can_delete_claim, can_edit_claims, can_review
from ..rendering import (
    STATUS_SIGNS,
    Highlight,
    claim_mark_attrs,
    render_article,
    render_claim_list,
    shorten,
    status_keys,
)
from . import panel_state, shared_work
from .access import desk_view
from .revision_state import anchor_css, revision_context

TEMPLATE = "desk/annotate.html"


def annotate_context(
    request,
    article: Article,
    *,
    open_claim_id=None,
    claim=None,
    forms=None,
    message="",
    level="info",
    links=None,
):
    claims = list(selectors.claims_in_text_order(article))
    # Work done here rather than with template filters: the list can hold
    # hundreds of claims and this is the desk's hottest page.
    status_labels = {value: str(label) for value, label in ClaimStatus.choices}
    for item in claims:
        item.label = shorten(item.statement or item.exact, 110)
        item.status_label = status_labels.get(item.status, item.status)
    if claim is None and open_claim_id is not None:
        claim = selectors.claim_for_panel(open_claim_id)
        if claim is not None and claim.article_id != article.pk:
            claim = None
    placed = [c for c in claims if c.is_placed]
    context = {
        "article": article,
        "claims": claims,
        # Orphans' offsets point into an older text: they are listed, not highlighted.
        "article_html": render_article(
            article.body,
            article.sentences,
            (Highlight(c.pk, c.start, c.end, anchor_css(c)) for c in placed),
            mark_attrs=claim_mark_attrs(placed),
        ),
        **revision_context(article, claims),
        "can_create_claims": can_edit_claims(request.user),
        **shared_work.article_due_context(request.user, article),
        "article_url": reverse("desk:article", args=[article.pk]),
        "claim_url_root": reverse("desk:claim", args=[0])[: -len("0/")],
        "status_keys": status_keys(),
    }
    context.update(panel_context(request, claim, forms, message=message, level=level, links=links))
    context["claim_list_html"] = render_claim_list(
        claims,
        article_url=context["article_url"],
        claim_url_root=context["claim_url_root"],
        current_id=claim.pk if claim else None,
        language=article.language,
    )
    return context


def panel_context(request, claim, forms=None, *, message="", level="info", links=None):
    if claim is None:
        return {"claim": None, "panel_message": message, "panel_level": level}
    if forms is None:
        forms = panel_state.forms_from_claim(claim)
    # An error at the top of the panel links to its field, and focus goes to the first.
    links = links if links is not None else panel_state.error_links(forms)
    if links and not forms.focus:
        forms.focus = links[0].target
    return {
        "claim": claim,
        "actions": [
            a
            for a in workflow.available_actions(request.user, claim)
            if a in (workflow.SUBMIT, workflow.START_UPDATE)
        ],
        "can_open_review": can_review(request.user) and claim.status == ClaimStatus.IN_REVIEW,
        # The panel shows the recent history and every note; the review screen has all.
        **shared_work.timeline_context(request.user, claim, in_panel=True),
        **shared_work.ownership_context(request.user, claim),
        "last_request": next(
            (e for e in reversed(claim.events.all()) if e.kind == EventKind.CHANGES_REQUESTED),
            None,
        ),
        "claim_number": claim.number,
        "claim_sign": STATUS_SIGNS.get(claim.status, ""),
        "form": forms.form,
        "formset": forms.formset,
        "focus": forms.focus,
        "sources_open": panel_state.sources_open(forms),
        "error_links": links,
        "can_edit": can_edit_claims(request.user) and claim.is_editable,
        "can_delete": can_delete_claim(request.user, claim),
        "panel_message": message,
        "panel_level": level,
    }


def open_panel(request, article: Article, claim_id) -> HttpResponse:
    """The panel alone, with the article's claim `claim_id` or none."""
    claim = selectors.claim_for_panel(claim_id) if claim_id is not None else None
    if claim is not None and claim.article_id != article.pk:
        claim = None
    return _fragments(request, panel_context(request, claim), "claim-panel")


def _fragments(request, context, *names, status=200) -> HttpResponse:
    """Render the named partials; all but the first swap out of band."""
    html = []
    for index, name in enumerate(names):
        # A name with a slash is a template of its own (desk/_orphans.html), not a partial.
        template = name if "/" in name else f"{TEMPLATE}#{name}"
        html.append(render_to_string(template, {**context, "oob": index > 0}, request))
    return HttpResponse("".join(html), status=status)


def _refresh_all(request, article, claim, *, message="", level="info", status=200, links=None):
    """The panel plus the text, the list, the orphans and the revision summary."""
    context = annotate_context(
        request, article, claim=claim, message=message, level=level, links=links
    )
    return _fragments(
        request,
        context,
        "claim-panel",
        "article-text",
        "claim-list",
        "desk/_orphans.html",
        "desk/_revision_tools.html",
        status=status,
    )


def _selection_error(request, article, message: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(
            render_to_string(
                f"{TEMPLATE}#selection-message", {"selection_message": message}, request
            ),
            status=400,
        )
        return reswap(retarget(response, "#selection-message"), "outerHTML")
    context = annotate_context(request, article)
    context["selection_message"] = message
    return render(request, TEMPLATE, context, status=400)


def _anchor_from(request, article: Article):
    return anchor_selection(
        article.body,
        request.POST.get("start", ""),
        request.POST.get("end", ""),
        request.POST.get("exact", ""),
    )


@require_POST
@desk_view(can_edit_claims)
def claim_create(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    try:
        anchor = _anchor_from(request, article)
    except AnchorError as error:
        return _selection_error(request, article, str(error))
    claim = services.create_claim(article, request.user, anchor)
    if not request.htmx:
        return redirect(claim.get_absolute_url())
    claim = selectors.claim_for_panel(claim.pk)
    return _refresh_all(
        request,
        article,
        claim,
        message=gettext(
            "Claim created. Now write the claim as checked, its verdict and its sources."
        ),
        status=201,
    )


def _claim_or_404(claim_id: int) -> Claim:
    claim = selectors.claim_for_panel(claim_id)
    if claim is None:
        raise Http404("No such claim.")
    return claim


def _panel_response(request, claim, forms=None, *, message="", level="info", status=200):
    if request.htmx:
        context = panel_context(request, claim, forms, message=message, level=level)
        return _fragments(request, context, "claim-panel", status=status)
    context = annotate_context(
        request, claim.article, claim=claim, forms=forms, message=message, level=level
    )
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@desk_view()
def claim_panel(request, claim_id: int):
    claim = _claim_or_404(claim_id)
    if request.method == "GET":
        if not request.htmx:
            return redirect(claim.get_absolute_url())
        return _panel_response(request, claim)
    if not can_edit_claims(request.user):
        raise PermissionDenied(gettext("Your role cannot edit claims."))
    action = request.POST.get("action", "save")
    if action not in ("save", "submit"):
        forms = panel_state.rearranged_forms(request.POST, claim, action)
        return _panel_response(
            request,
            claim,
            forms,
            message=gettext("Not saved yet: press Save to keep your changes."),
            level="info",
        )
    forms = panel_state.bound_forms(request.POST, claim)
    if not (forms.form.is_valid() and forms.formset.is_valid()):
        return _panel_response(
            request,
            claim,
            forms,
            status=422,
            level="error",
            message=gettext("Nothing was saved: correct the fields marked below."),
        )
    fields = {
        k: forms.form.cleaned_data[k]
        for k in (*services.CLAIM_FIELDS, *services.CORRECTION_FIELDS)
        if k in forms.form.cleaned_data
    }
    try:
        saved = services.save_claim(
            claim.pk,
            forms.form.cleaned_data["version"],
            request.user,
            fields,
            panel_state.sources_from_formset(forms.formset),
        )
    except services.StaleClaimError as error:
        data = request.POST.copy()
        data["version"] = str(error.current.version)
        forms = panel_state.bound_forms(data, claim)
        forms.form.is_valid()
        forms.formset.is_valid()
        return _panel_response(
            request, claim, forms, status=409, level="conflict", message=error.message
        )
    except services.ClaimError as error:
        return _panel_response(
            request, claim, forms, status=409, level="error", message=error.message
        )
    message, level, links = gettext("Saved."), "info", None
    if action == "submit":
        # Submit what is on the screen: save first, then hand it to review.
        try:
            workflow.submit(saved.pk, request.user)
            message = gettext("Saved and submitted for review.")
        except workflow.TransitionError as error:
            message = gettext("Saved, but not submitted. %(reason)s") % {"reason": error.message}
            level = "error"
            links = panel_state.missing_links(workflow.missing_fields(saved))
    saved = selectors.claim_for_panel(saved.pk)
    if not request.htmx:
        messages.add_message(
            request, messages.ERROR if level == "error" else messages.SUCCESS, message
        )
        return redirect(saved.get_absolute_url())
    return _refresh_all(request, saved.article, saved, message=message, level=level, links=links)


@require_POST
@desk_view(can_edit_claims)
def claim_anchor(request, claim_id: int):
    """Move a claim's highlight to a new selection (the first one was wrong)."""
    claim = _claim_or_404(claim_id)
    try:
        anchor = _anchor_from(request, claim.article)
        version = int(request.POST.get("version", ""))
    except AnchorError as error:
        return _panel_response(request, claim, message=str(error), level="error", status=400)
    except ValueError:
        return _panel_response(
            request,
            claim,
            status=400,
            level="error",
            message=gettext("The form was incomplete; reload the page and try again."),
        )
    try:
        moved = services.move_claim_anchor(claim.pk, version, request.user, anchor)
    except services.ClaimError as error:
        return _panel_response(request, claim, message=error.message, level="error", status=409)
    if not request.htmx:
        return redirect(moved.get_absolute_url())
    moved = selectors.claim_for_panel(moved.pk)
    return _refresh_all(request, moved.article, moved, message=gettext("Highlight moved."))


@require_http_methods(["GET", "POST"])
@desk_view(can_edit_claims)
def claim_delete(request, claim_id: int):
    """GET asks for confirmation inside the panel; POST deletes."""
    claim = _claim_or_404(claim_id)
    if not can_delete_claim(request.user, claim):
        raise PermissionDenied(
            gettext("This claim cannot be deleted: it has been published or is under review.")
        )
    if request.method == "GET":
        context = panel_context(request, claim)
        context["confirm_delete"] = True
        if request.htmx:
            return _fragments(request, context, "claim-panel")
        full = annotate_context(request, claim.article, claim=claim)
        full["confirm_delete"] = True
        return render(request, TEMPLATE, full)
    article = claim.article
    try:
        services.delete_claim(claim.pk, request.user)
    except services.ClaimError as error:
        return _panel_response(request, claim, message=error.message, level="error", status=409)
    if not request.htmx:
        return redirect("desk:article", article.pk)
    return _refresh_all(request, article, None, message=gettext("Claim deleted."))


def panel_after_transition(request, claim_id: int, message: str, *, level="info", status=200):
    """The panel and the list after a workflow action taken from the panel."""
    claim = selectors.claim_for_panel(claim_id)
    context = annotate_context(request, claim.article, claim=claim, message=message, level=level)
    return _fragments(request, context, "claim-panel", "claim-list", status=status)
