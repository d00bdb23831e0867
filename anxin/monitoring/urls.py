from django.urls import path

from anxin.monitoring import views

urlpatterns = [
    path("cockpit/", views.cockpit, name="cockpit"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("risk/", views.risk_list, name="risk-list"),
    path("alerts/scan/", views.scan_now, name="scan-now"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/<str:action>/", views.alert_act, name="alert-act"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/word/", views.report_word, name="report-word"),
    path("reports/<int:pk>/<str:action>/", views.report_act, name="report-act"),
    path("screening/", views.screening_list, name="screening-list"),
    path("screening/<int:pk>/", views.screening_detail, name="screening-detail"),
    path("screening/tasks/<int:pk>/", views.screening_task, name="screening-task"),
    path("sensitive/", views.sensitive_list, name="sensitive-list"),
    path("sensitive/<int:pk>/", views.sensitive_detail, name="sensitive-detail"),
    path("watch/", views.watch_list, name="watch-list"),
    path("watch/<int:pk>/", views.watch_detail, name="watch-detail"),
    path("watch/<int:pk>/<str:action>/", views.watch_act, name="watch-act"),
    path("observations/", views.observation_list, name="observation-list"),
    path("observations/import/", views.observation_import_view, name="observation-import"),
    path("observations/import/confirm/", views.observation_import_confirm, name="observation-import-confirm"),
    path(
        "observations/import/template.xlsx",
        views.observation_import_template,
        name="observation-import-template",
    ),
]
