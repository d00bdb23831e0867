"""Screens of the construction sites (one block per part)."""

from django.urls import path

from anxin.sites import dashboard_views, payroll_views

urlpatterns: list = [
    # roster and special account
    # payroll
    path("sites/payroll/template/", payroll_views.template_download, name="payroll-template"),
    path("projects/<int:pk>/payroll/upload/", payroll_views.upload, name="payroll-upload"),
    path(
        "projects/<int:pk>/payroll/upload/confirm/",
        payroll_views.upload_confirm,
        name="payroll-upload-confirm",
    ),
    path("projects/<int:pk>/payroll/<str:month>/", payroll_views.month_detail, name="payroll-month"),
    path(
        "projects/<int:pk>/payroll/<str:month>/export/",
        payroll_views.month_export,
        name="payroll-month-export",
    ),
    # deposits
    # handbook, notice board, the worker's public page
    # dashboard
    path("sites/", dashboard_views.site_dashboard, name="site-dashboard"),
]
