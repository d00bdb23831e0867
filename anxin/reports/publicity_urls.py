"""The publicity part's pages."""

from django.urls import URLPattern, path

from anxin.reports import publicity_views as views

urlpatterns: list[URLPattern] = [
    path("reports/publicity/", views.publicity_list, name="reports-publicity-list"),
    path("reports/publicity/new/", views.publicity_new, name="reports-publicity-new"),
    path("reports/publicity/counts/", views.publicity_counts, name="reports-publicity-counts"),
    path("reports/publicity/<int:pk>/", views.publicity_detail, name="reports-publicity"),
    path("reports/publicity/<int:pk>/edit/", views.publicity_edit, name="reports-publicity-edit"),
    path("reports/publicity/<int:pk>/withdraw/", views.publicity_withdraw, name="reports-publicity-withdraw"),
    path(
        "reports/publicity/<int:pk>/photos/<int:photo>/",
        views.publicity_photo,
        name="reports-publicity-photo",
    ),
]
