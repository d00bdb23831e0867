from django.urls import path

from anxin.credit import publication_views, views

urlpatterns = [
    path("credit/", views.overview, name="credit-overview"),
    # listing part: credit-listing (the listing's page, named by standing.py) and its forms
    # sanctions part
    # publication part (the portal's public page lives under /public/)
    path("credit/publication/", publication_views.batch_list, name="credit-publication-list"),
    path("credit/publication/gather/", publication_views.batch_gather, name="credit-publication-gather"),
    path("credit/publication/entries/", publication_views.entry_list, name="credit-publication-entries"),
    path("credit/publication/<int:pk>/", publication_views.batch_detail, name="credit-publication-batch"),
    path(
        "credit/publication/<int:pk>/publish/",
        publication_views.batch_publish,
        name="credit-publication-publish",
    ),
    path("credit/publication/<int:pk>/word/", publication_views.batch_word, name="credit-publication-word"),
    path("credit/publication/<int:pk>/excel/", publication_views.batch_xlsx, name="credit-publication-excel"),
    path(
        "credit/publication/entries/<int:pk>/edit/",
        publication_views.entry_edit,
        name="credit-publication-entry-edit",
    ),
    path(
        "credit/publication/entries/<int:pk>/<slug:do>/",
        publication_views.entry_act,
        name="credit-publication-entry-act",
    ),
    path("public/violations/", publication_views.public_violations, name="portal-violations"),
    # grades part
]
