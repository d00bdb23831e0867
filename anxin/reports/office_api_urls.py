"""The office part's API (under /api/v1/)."""

from django.urls import URLPattern, path

from anxin.reports import office_api

urlpatterns: list[URLPattern] = [
    path("circulars/", office_api.CircularsView.as_view(), name="circulars"),
]
