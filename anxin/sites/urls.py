"""Screens of the construction sites (one block per part)."""

from django.urls import include, path

from anxin.sites import (
    dashboard_views,
    deposit_views,
    handbook_views,
    payroll_views,
    roster_importing,
    roster_views,
)

urlpatterns: list = [
    # roster and special account
    path("sites/projects/<int:pk>/roster/add/", roster_views.roster_add, name="roster-add"),
    path("sites/projects/<int:pk>/roster/export/", roster_views.roster_export, name="roster-export"),
    path("sites/projects/<int:pk>/account/", roster_views.account_record, name="special-account-record"),
    path("sites/roster/<int:pk>/leave/", roster_views.roster_leave, name="roster-leave"),
    path("sites/roster/import/", roster_importing.roster_import_view, name="roster-import"),
    path(
        "sites/roster/import/confirm/", roster_importing.roster_import_confirm, name="roster-import-confirm"
    ),
    path(
        "sites/roster/import/template/",
        roster_importing.roster_import_template,
        name="roster-import-template",
    ),
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
    path("projects/<int:pk>/deposit/<slug:do>/", deposit_views.deposit_act, name="deposit-act"),
    path("deposits/", deposit_views.deposit_list, name="deposit-list"),
    # handbook, notice board (the worker's public page: public_urls)
    path("sites/handbook/<int:pk>/", handbook_views.handbook_print, name="sites-handbook"),
    path("sites/handbook/<int:pk>.pdf", handbook_views.handbook_pdf_view, name="sites-handbook-pdf"),
    path(
        "sites/projects/<int:pk>/handbooks.pdf",
        handbook_views.project_handbooks_pdf,
        name="sites-project-handbooks-pdf",
    ),
    path("sites/projects/<int:pk>/board.pdf", handbook_views.board_pdf_view, name="sites-board-pdf"),
    path("sites/projects/<int:pk>/contacts/", handbook_views.board_contacts, name="sites-board-contacts"),
    path("", include("anxin.sites.public_urls")),
    # dashboard
    path("sites/", dashboard_views.site_dashboard, name="site-dashboard"),
]
