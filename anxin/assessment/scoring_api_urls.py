"""The scoring part's API (under /api/v1/; joined in ``assessment/api_urls.py``)."""

from django.urls import URLPattern, path

from anxin.assessment import scoring_api as api

urlpatterns: list[URLPattern] = [
    path("assessment/schemes/", api.SchemesView.as_view(), name="api-assessment-schemes"),
    path("assessment/scores/", api.ScoresView.as_view(), name="api-assessment-scores"),
]
