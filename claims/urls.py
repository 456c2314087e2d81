from django.urls import path

from .views import annotate, cards, desk, review, revise

app_name = "desk"

urlpatterns = [
    path("", desk.index, name="index"),
    path("articles/new/", desk.article_new, name="article_new"),
    path("articles/<int:article_id>/", desk.article, name="article"),
    path("articles/<int:article_id>/edit/", revise.article_edit, name="article_edit"),
    path("articles/<int:article_id>/refetch/", revise.article_refetch, name="article_refetch"),
    path("articles/<int:article_id>/history/", revise.article_history, name="article_history"),
    path("articles/<int:article_id>/claims/", annotate.claim_create, name="claim_create"),
    path("claims/<int:claim_id>/", annotate.claim_panel, name="claim"),
    path("claims/<int:claim_id>/anchor/", annotate.claim_anchor, name="claim_anchor"),
    path("claims/<int:claim_id>/confirm/", revise.claim_confirm, name="claim_confirm"),
    path("claims/<int:claim_id>/delete/", annotate.claim_delete, name="claim_delete"),
    path("claims/<int:claim_id>/card.png", cards.card, name="card"),
    path("claims/<int:claim_id>/transition/", review.transition, name="transition"),
    path("review/", review.queue, name="review_queue"),
    path("review/<int:claim_id>/", review.review, name="review"),
]
