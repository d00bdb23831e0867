from django.urls import path

from anxin.monitoring.views import (
    alerts,
    cockpit,
    observations,
    reports,
    risk,
    screening,
    sensitive,
    watch,
)

urlpatterns = [
    path("cockpit/", cockpit.cockpit, name="cockpit"),
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("risk/", risk.risk_list, name="risk-list"),
    path("alerts/scan/", risk.scan_now, name="scan-now"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/<str:action>/", alerts.alert_act, name="alert-act"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/word/", reports.report_word, name="report-word"),
    path("reports/<int:pk>/<str:action>/", reports.report_act, name="report-act"),
    path("screening/", screening.screening_list, name="screening-list"),
    path("screening/<int:pk>/", screening.screening_detail, name="screening-detail"),
    path("screening/tasks/<int:pk>/", screening.screening_task, name="screening-task"),
    path("sensitive/", sensitive.sensitive_list, name="sensitive-list"),
    path("sensitive/<int:pk>/", sensitive.sensitive_detail, name="sensitive-detail"),
    path("watch/", watch.watch_list, name="watch-list"),
    path("watch/<int:pk>/", watch.watch_detail, name="watch-detail"),
    path("watch/<int:pk>/<str:action>/", watch.watch_act, name="watch-act"),
    path("observations/", observations.observation_list, name="observation-list"),
    path("observations/import/", observations.observation_import_view, name="observation-import"),
    path(
        "observations/import/confirm/",
        observations.observation_import_confirm,
        name="observation-import-confirm",
    ),
    path(
        "observations/import/template.xlsx",
        observations.observation_import_template,
        name="observation-import-template",
    ),
]
