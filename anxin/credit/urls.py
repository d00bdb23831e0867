from django.urls import include, path

from anxin.credit import grades_views, listing_views, publication_views, sanctions_views, views

urlpatterns = [
    path("credit/", views.overview, name="credit-overview"),
    # listing part: credit-listing (the listing's page, named by standing.py) and its forms
    path("credit/listings/", listing_views.listing_list, name="credit-listings"),
    path("credit/listings/new/", listing_views.listing_new, name="credit-listing-new"),
    path("credit/listings/<int:pk>/", listing_views.listing_detail, name="credit-listing"),
    path("credit/listings/<int:pk>/act/<slug:do>/", listing_views.listing_act, name="credit-listing-act"),
    path(
        "credit/listings/<int:pk>/documents/<slug:kind>/",
        listing_views.listing_document,
        name="credit-listing-document",
    ),
    path(
        "credit/listings/<int:pk>/removals/<int:application>/document/",
        listing_views.removal_document,
        name="credit-removal-document",
    ),
    path(
        "credit/listings/<int:pk>/files/<int:file>/", listing_views.listing_file, name="credit-listing-file"
    ),
    # sanctions part
    path("credit/sanctions/", sanctions_views.task_list, name="credit-sanction-list"),
    path("credit/sanctions/measures/", sanctions_views.measure_list, name="credit-sanction-measures"),
    path("credit/sanctions/<int:pk>/", sanctions_views.task_detail, name="credit-sanction-task"),
    # publication part
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
    path("", include("anxin.credit.public_urls")),  # the public page, under /public/
    # grades part
    path("credit/grades/", grades_views.grade_list, name="credit-grades"),
    path("credit/grades/compute/", grades_views.grades_compute, name="credit-grades-compute"),
    path("credit/grades/confirm/", grades_views.grades_confirm, name="credit-grades-confirm"),
    path("credit/grades/<int:pk>/", grades_views.grade_detail, name="credit-grade"),
    path("credit/grades/<int:pk>/adjust/", grades_views.grade_adjust, name="credit-grade-adjust"),
    path("credit/grades/<int:pk>/objection/", grades_views.grade_objection, name="credit-grade-objection"),
    path("credit/objections/", grades_views.objection_list, name="credit-objections"),
    path("credit/objections/<int:pk>/", grades_views.objection_detail, name="credit-objection"),
    path(
        "credit/objections/<int:pk>/evidence/",
        grades_views.objection_evidence,
        name="credit-objection-evidence",
    ),
    path(
        "credit/listings/<int:pk>/objection/", grades_views.listing_objection, name="credit-listing-objection"
    ),
]
