"""The spotchecks part's API (joined in ``assessment/api_urls.py``, under /api/v1/); the issue's
spellings have no trailing slash, so both are answered."""

from django.urls import URLPattern, path

from anxin.assessment import spotchecks_api as api

urlpatterns: list[URLPattern] = [
    path("assessment/spot-checks/", api.SpotChecksView.as_view(), name="assessment-spotcheck-api-list"),
    path(
        "assessment/spot-checks",
        api.SpotChecksNoSlash.as_view(),
        name="assessment-spotcheck-api-list-noslash",
    ),
    path(
        "assessment/spot-checks/<int:id>/",
        api.SpotCheckView.as_view(),
        name="assessment-spotcheck-api-detail",
    ),
    path(
        "assessment/spot-checks/<int:id>",
        api.SpotCheckNoSlash.as_view(),
        name="assessment-spotcheck-api-detail-noslash",
    ),
]
