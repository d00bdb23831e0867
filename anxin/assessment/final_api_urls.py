"""The final part's API under /api/v1/ (joined in ``assessment/api_urls.py``); the POST answers with and
without the trailing slash (the issue's spelling has none)."""

from django.urls import URLPattern, path

from anxin.assessment import final_api

urlpatterns: list[URLPattern] = [
    path(
        "assessment/scores/<int:id>/object/", final_api.ObjectView.as_view(), name="assessment-score-object"
    ),
    path(
        "assessment/scores/<int:id>/object",
        final_api.ObjectNoSlash.as_view(),
        name="assessment-score-object-noslash",
    ),
]
