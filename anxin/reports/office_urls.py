"""The office part's pages."""

from django.urls import URLPattern, path

from anxin.reports import office_views as views

urlpatterns: list[URLPattern] = [
    path("reports/office/", views.document_list, name="reports-office"),
    path("reports/office/<int:pk>/", views.document_detail, name="reports-office-document"),
    path("reports/office/<int:pk>/act/<slug:do>/", views.document_act, name="reports-office-act"),
    path("reports/office/<int:pk>/word/", views.document_word, name="reports-office-word"),
]
