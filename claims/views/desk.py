"""The desk's home and article pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import desk_lists, selectors, services
from ..extraction import extract_html
from ..fetching import FetchError, fetch
from ..forms import ArticleFetchForm, ArticleForm
from ..models import Article
from ..permissions import can_load_articles
from ..text import TextImportError, canonicalize, check_body_length
from .access import desk_view
from .annotate import annotate_context, open_panel
from .listing import page_range, paginate
from .params import parse_id


@require_GET
@desk_view()
def index(request):
    filters = desk_lists.DeskFilters(request.GET, user=request.user)
    page, missing = paginate(request, desk_lists.desk_articles(filters))
    if missing:
        return missing
    desk_lists.count_claims(page.object_list)
    return render(
        request,
        "desk/index.html",
        {
            "filters": filters,
            "page": page,
            "page_range": page_range(page),
            "my_work": desk_lists.my_work(request.user),
            "can_load_articles": can_load_articles(request.user),
            "review_count": selectors.review_queue_count(),
        },
    )


@require_GET
@desk_view()
def claims(request):
    """Every claim matching the filters: where "My work" sends you to see a whole section."""
    filters = desk_lists.ClaimFilters(request.GET, user=request.user)
    page, missing = paginate(request, desk_lists.claim_list(filters))
    if missing:
        return missing
    page.object_list = desk_lists.mark_due(page.object_list)
    return render(
        request,
        "desk/claim_list.html",
        {"filters": filters, "page": page, "page_range": page_range(page)},
    )


@require_http_methods(["GET", "POST"])
@desk_view(can_load_articles)
def article_new(request):
    if request.method == "POST" and (
        "fetch" in request.POST
        # Enter in Article URL submits with the form's default (load) button; with only an
        # address and no text or file, the editor means to fetch it.
        or (
            request.POST.get("article_url", "").strip()
            and not request.POST.get("text", "").strip()
            and not request.FILES.get("upload")
        )
    ):
        return _article_fetch(request)
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k not in {"text", "upload"}}
            article = services.create_article(request.user, **fields)
            return redirect("desk:article", article.pk)
        fetch_form = ArticleFetchForm(initial={"article_url": request.POST.get("article_url", "")})
        status = 400
    else:
        form = ArticleForm(initial={"language": "fr"})
        fetch_form = ArticleFetchForm()
        status = 200
    return _render_new(request, form, fetch_form, status)


def _render_new(request, form, fetch_form, status, fetched=False):
    context = {"form": form, "fetch_form": fetch_form, "fetched": fetched}
    # htmx swaps only the form; without JavaScript the whole page is sent.
    template = "desk/article_new.html#article-form" if request.htmx else "desk/article_new.html"
    return render(request, template, context, status=status)


def fetched_fields(url: str) -> dict[str, object]:
    """The article at ``url`` as ArticleForm values; raises FetchError or TextImportError."""
    page = fetch(url)
    if page.kind == "html":
        extracted = extract_html(page.content, url=page.url)
        body, fields = extracted.body, dict(extracted.metadata)
    else:
        body, fields = canonicalize(page.content), {"url": page.url}
    if not body:
        raise TextImportError(_("No article text was found on that page."))
    fields["text"] = check_body_length(body)
    return fields


def _article_fetch(request):
    """Fetch article: fill the form from the page, save nothing (the editor checks first)."""
    fetch_form = ArticleFetchForm(request.POST)
    # What the editor typed is kept; what the page states replaces it.
    typed = {name: request.POST.get(name, "") for name in ArticleForm.base_fields}
    typed.pop("upload", None)
    status, fetched = 400, False
    if fetch_form.is_valid():
        try:
            found = fetched_fields(fetch_form.cleaned_data["article_url"])
        except (FetchError, TextImportError) as error:
            fetch_form.add_error("article_url", error.message)
        else:
            typed.update({k: v for k, v in found.items() if v})
            status, fetched = 200, True
    return _render_new(request, ArticleForm(initial=typed), fetch_form, status, fetched)


@require_GET
@desk_view()
def article(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    open_claim_id = parse_id(request.GET.get("claim"))
    if request.htmx:
        # The back button (desk.js): the panel of the claim this address names.
        return open_panel(request, article, open_claim_id)
    context = annotate_context(request, article, open_claim_id=open_claim_id)
    if open_claim_id and context["claim"] is None:
        return redirect("desk:article", article.pk)
    return render(request, "desk/annotate.html", context)
