"""The periodic part's API (under /api/v1/); POSTs answer with or without the trailing slash."""

from django.urls import URLPattern, path

from anxin.reports import periodic_api as api

urlpatterns: list[URLPattern] = [
    path("periodic-reports/", api.ReportsView.as_view(), name="api-periodic-reports"),
    path("periodic-reports", api.ReportsNoSlash.as_view(), name="api-periodic-reports-noslash"),
    path("periodic-reports/<int:id>/", api.ReportView.as_view(), name="api-periodic-report"),
    path("periodic-reports/<int:id>/submit/", api.SubmitView.as_view(), name="api-periodic-submit"),
    path("periodic-reports/<int:id>/submit", api.SubmitNoSlash.as_view(), name="api-periodic-submit-noslash"),
]
