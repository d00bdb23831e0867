"""The periodic part's pages."""

from django.urls import URLPattern, path

from anxin.reports import periodic_views as views

urlpatterns: list[URLPattern] = [
    path("reports/periodic/", views.periodic_inbox, name="periodic-inbox"),
    path("reports/periodic/mine/", views.periodic_mine, name="periodic-mine"),
    path("reports/periodic/mine/draft/", views.periodic_draft, name="periodic-draft"),
    path("reports/periodic/<int:pk>/", views.periodic_detail, name="periodic-detail"),
    path("reports/periodic/<int:pk>/word/", views.periodic_word, name="periodic-word"),
    path("reports/periodic/<int:pk>/<slug:do>/", views.periodic_act, name="periodic-act"),
    path("reports/rollup/", views.periodic_rollup, name="periodic-rollup"),
]
