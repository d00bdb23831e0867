"""Screens of the construction sites (one block per part)."""

from django.urls import path

from anxin.sites import handbook_views

urlpatterns: list = [
    # roster and special account
    # payroll
    # deposits
    # handbook, notice board, the worker's public page
    path("sites/handbook/<int:pk>/", handbook_views.handbook_print, name="sites-handbook"),
    path("sites/handbook/<int:pk>.pdf", handbook_views.handbook_pdf_view, name="sites-handbook-pdf"),
    path(
        "sites/projects/<int:pk>/handbooks.pdf",
        handbook_views.project_handbooks_pdf,
        name="sites-project-handbooks-pdf",
    ),
    path("sites/projects/<int:pk>/board.pdf", handbook_views.board_pdf_view, name="sites-board-pdf"),
    path("sites/projects/<int:pk>/contacts/", handbook_views.board_contacts, name="sites-board-contacts"),
    path("public/handbook/", handbook_views.portal_handbook, name="portal-handbook"),
    path("public/handbook/verify/", handbook_views.portal_handbook_verify, name="portal-handbook-verify"),
    path("public/handbook/mine/", handbook_views.portal_handbook_mine, name="portal-handbook-mine"),
    path("public/handbook/leave/", handbook_views.portal_handbook_leave, name="portal-handbook-leave"),
    # dashboard
]
