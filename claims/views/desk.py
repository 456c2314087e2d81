"""The desk's home and article pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import ArticleForm
from ..models import Article
from ..permissions import can_load_articles
from .access import desk_view
from .annotate import annotate_context
from .params import parse_id


@require_GET
@desk_view()
def index(request):
    articles = list(selectors.desk_articles()[:100])
    return render(
        request,
        "desk/index.html",
        {
            "articles": articles,
            "my_claims": list(selectors.claims_of_user(request.user)),
            "can_load_articles": can_load_articles(request.user),
            "review_count": selectors.review_queue_count(),
        },
    )


@require_http_methods(["GET", "POST"])
@desk_view(can_load_articles)
def article_new(request):
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k not in {"text", "upload"}}
            article = services.create_article(request.user, **fields)
            return redirect("desk:article", article.pk)
        status = 400
    else:
        form = ArticleForm(initial={"language": "fr"})
        status = 200
    return render(request, "desk/article_new.html", {"form": form}, status=status)


@require_GET
@desk_view()
def article(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    open_claim_id = parse_id(request.GET.get("claim"))
    context = annotate_context(request, article, open_claim_id=open_claim_id)
    if open_claim_id and context["claim"] is None:
        return redirect("desk:article", article.pk)
    return render(request, "desk/annotate.html", context)
