"""The publicity part's API (under /api/v1/); the POST answers with or without the trailing slash."""

from django.urls import URLPattern, path

from anxin.reports import publicity_api

urlpatterns: list[URLPattern] = [
    path("publicity/", publicity_api.PublicityView.as_view(), name="publicity"),
    path("publicity", publicity_api.PublicityNoSlash.as_view(), name="publicity-noslash"),
]
