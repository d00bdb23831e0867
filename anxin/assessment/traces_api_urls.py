"""The traces part's API (joined in ``assessment/api_urls.py``)."""

from django.urls import URLPattern, path

from anxin.assessment import traces_api

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/trace/", traces_api.CaseTraceView.as_view(), name="assessment-case-trace-api"),
    path(
        "cases/<int:pk>/trace",
        traces_api.CaseTraceNoSlashView.as_view(),
        name="assessment-case-trace-api-noslash",
    ),
]
