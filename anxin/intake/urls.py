from django.urls import include, path

from anxin.intake import views

urlpatterns = [
    path("signals/", views.signal_list, name="signal-list"),
    path("signals/new/", views.signal_create, name="signal-create"),
    path("signals/import/", views.signal_import_view, name="signal-import"),
    path("signals/import/confirm/", views.signal_import_confirm, name="signal-import-confirm"),
    path("signals/import/template.xlsx", views.signal_import_template, name="signal-import-template"),
    path("signals/triage/", views.signal_triage, name="signal-triage"),
    path("signals/<int:pk>/", views.signal_detail, name="signal-detail"),
    path("signals/<int:pk>/reporter/", views.signal_reporter_reveal, name="signal-reporter-reveal"),
    path(
        "signals/<int:pk>/triage/new-enterprise/",
        views.signal_triage_new_enterprise,
        name="signal-triage-new-enterprise",
    ),
    path("signals/<int:pk>/triage/find/", views.signal_triage_find, name="signal-triage-find"),
    path("signals/<int:pk>/triage/<str:action>/", views.signal_triage_act, name="signal-triage-act"),
    path("signals/<int:pk>/<str:action>/", views.signal_act, name="signal-act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("self-reports/", views.selfreport_list, name="selfreport-list"),
    path("self-reports/new/", views.selfreport_create, name="selfreport-create"),
    path("self-reports/<int:pk>/", views.selfreport_detail, name="selfreport-detail"),
    # The public worker portal (no login): its own URLconf, which the internet zone mounts alone.
    path("", include("anxin.intake.public_urls")),
]
