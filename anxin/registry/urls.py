from django.urls import path

from anxin.registry import views

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise-create"),
    path("enterprises/import/", views.enterprise_import_view, name="enterprise-import"),
    path("enterprises/import/confirm/", views.enterprise_import_confirm, name="enterprise-import-confirm"),
    path(
        "enterprises/import/template.xlsx",
        views.enterprise_import_template,
        name="enterprise-import-template",
    ),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<str:uscc>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path(
        "enterprises/<str:uscc>/workers/reveal/",
        views.enterprise_workers_reveal,
        name="enterprise-workers-reveal",
    ),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
]
