from django.urls import path

from anxin.intake import portal_views, views

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
    # The public worker portal (no login).
    path("public/", portal_views.portal_home, name="portal-home"),
    path("public/report/", portal_views.portal_report, name="portal-report"),
    path("public/report/done/", portal_views.portal_done, name="portal-done"),
    path("public/track/", portal_views.portal_track, name="portal-track"),
    path("public/leave/", portal_views.portal_leave, name="portal-leave"),
    path("public/track/<str:code>/", portal_views.portal_status, name="portal-status"),
    path("public/track/<str:code>/rate/", portal_views.portal_rate, name="portal-rate"),
    path("public/track/<str:code>/add/", portal_views.portal_add, name="portal-add"),
    path("public/recover/", portal_views.portal_recover, name="portal-recover"),
    path("public/recover/verify/", portal_views.portal_recover_verify, name="portal-recover-verify"),
]
