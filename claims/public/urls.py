"""Addresses of the public site (included at the root by factcheck/urls.py)."""

from django.urls import path

from . import search, views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("articles/<slug:slug>/annotations.jsonld", views.annotations, name="annotations"),
    path("fact-checks/<slug:slug>/", views.fact_check, name="fact_check"),
    path("fact-checks/<slug:slug>/card.png", views.card, name="card"),
    path("methodology/", views.methodology, name="methodology"),
    path("language/", views.set_language, name="set_language"),
    path("corrections/", views.corrections, name="corrections"),
    path("search/", search.search_page, name="search"),
    # Outside /fact-checks/<slug>/ so that no slug can ever shadow them.
    path("fact-checks.atom", views.feed, name="feed"),
    path("claim-reviews.json", views.claim_reviews, name="claim_reviews"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("verdicts.css", views.verdicts_css, name="verdicts_css"),
]
