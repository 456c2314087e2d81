from django.urls import path

from .views import annotate, cards, desk, inbox, review, revise, search, shared_work

app_name = "desk"

urlpatterns = [
    path("", desk.index, name="index"),
    path("articles/new/", desk.article_new, name="article_new"),
    path("articles/<int:article_id>/", desk.article, name="article"),
    path("articles/<int:article_id>/edit/", revise.article_edit, name="article_edit"),
    path("articles/<int:article_id>/refetch/", revise.article_refetch, name="article_refetch"),
    path("articles/<int:article_id>/history/", revise.article_history, name="article_history"),
    path("articles/<int:article_id>/claims/", annotate.claim_create, name="claim_create"),
    path("claims/", desk.claims, name="claims"),
    path("claims/<int:claim_id>/", annotate.claim_panel, name="claim"),
    path("claims/<int:claim_id>/anchor/", annotate.claim_anchor, name="claim_anchor"),
    path("claims/<int:claim_id>/confirm/", revise.claim_confirm, name="claim_confirm"),
    path("claims/<int:claim_id>/delete/", annotate.claim_delete, name="claim_delete"),
    path("claims/<int:claim_id>/card.png", cards.card, name="card"),
    path("claims/<int:claim_id>/transition/", review.transition, name="transition"),
    path("claims/<int:claim_id>/ownership/", shared_work.claim_ownership, name="claim_ownership"),
    path("claims/<int:claim_id>/notes/", shared_work.note_create, name="note_create"),
    path("articles/<int:article_id>/due/", shared_work.article_due, name="article_due"),
    path("notifications/", inbox.notices, name="notifications"),
    path("notifications/bell/", inbox.bell, name="notification_bell"),
    path("notifications/<int:notice_id>/open/", inbox.notice_open, name="notification_open"),
    path("notifications/read/", inbox.notices_read, name="notifications_read"),
    path("notifications/email/", inbox.notice_settings, name="notification_settings"),
    path("review/", review.queue, name="review_queue"),
    path("review/<int:claim_id>/", review.review, name="review"),
    path("search/", search.search_page, name="search"),
]
