"""The meetings part's API (under /api/v1/)."""

from django.urls import URLPattern, path

from anxin.conference import meetings_api as api

urlpatterns: list[URLPattern] = [
    path("meetings/", api.MeetingsView.as_view(), name="meetings"),
    path("meetings", api.MeetingsNoSlash.as_view(), name="meetings-noslash"),
    path("meetings/<int:id>/", api.MeetingDetailView.as_view(), name="meeting-detail"),
]
