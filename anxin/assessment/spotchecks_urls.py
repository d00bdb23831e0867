"""The spotchecks part's pages (joined in ``assessment/urls.py``)."""

from django.urls import URLPattern, path

from anxin.assessment import spotchecks_views as views

urlpatterns: list[URLPattern] = [
    path("assessment/spot-checks/", views.spot_check_list, name="assessment-spotchecks"),
    path("assessment/spot-checks/new/", views.spot_check_new, name="assessment-spotcheck-new"),
    path("assessment/spot-checks/<int:pk>/", views.spot_check_detail, name="assessment-spotcheck"),
    path(
        "assessment/spot-checks/<int:pk>/verify/", views.spot_check_verify, name="assessment-spotcheck-verify"
    ),
    path(
        "assessment/spot-checks/<int:pk>/circular.docx",
        views.circular_word,
        name="assessment-spotcheck-circular",
    ),
    path(
        "assessment/spot-checks/<int:pk>/files/<int:file>/",
        views.spot_check_file,
        name="assessment-spotcheck-file",
    ),
    path("assessment/spot-checks/<int:pk>/<slug:do>/", views.spot_check_act, name="assessment-spotcheck-act"),
    path("assessment/rectifications/", views.rectification_list, name="assessment-rectifications"),
    path("assessment/rectifications/<int:pk>/", views.rectification_detail, name="assessment-rectification"),
    path(
        "assessment/rectifications/<int:pk>/files/<int:file>/",
        views.rectification_file,
        name="assessment-rectification-file",
    ),
    path(
        "assessment/rectifications/<int:pk>/<slug:do>/",
        views.rectification_act,
        name="assessment-rectification-act",
    ),
]
