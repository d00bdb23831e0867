from django.urls import path

from anxin.credit import grades_views, views

urlpatterns = [
    path("credit/", views.overview, name="credit-overview"),
    # listing part: credit-listing (the listing's page, named by standing.py) and its forms
    # sanctions part
    # publication part (the portal's public page lives under /public/)
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
