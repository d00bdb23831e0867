from django.urls import path

from anxin.cases import views

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/todo/", views.todo, name="case-todo"),
    path("cases/deadlines/", views.deadlines, name="case-deadlines"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/move/", views.case_move, name="case-move"),
    path("cases/<int:pk>/close/", views.case_close, name="case-close"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/extend/", views.case_extend, name="case-extend"),
    path("cases/<int:pk>/link/", views.case_link, name="case-link"),
    path("cases/<int:pk>/note/", views.case_note, name="case-note"),
    path("cases/<int:pk>/plan/", views.plan, name="case-plan"),
    path("cases/<int:pk>/incident/", views.incident_new, name="case-incident"),
    path("cases/<int:pk>/asset/", views.asset_new, name="case-asset"),
    path("cases/assets/<int:pk>/recover/", views.asset_recover, name="case-asset-recover"),
    path("cases/<int:pk>/actions/new/", views.action_new, name="case-action-new"),
    path("cases/actions/<int:pk>/", views.action_detail, name="case-action"),
    path("cases/<int:pk>/documents/new/", views.document_new, name="case-document-new"),
    path("cases/actions/<int:pk>/documents/new/", views.action_document_new, name="case-action-document-new"),
    path("cases/documents/<int:pk>/", views.document_download, name="case-document"),
    path("cases/actions/<int:pk>/notice.docx", views.action_notice, name="case-action-notice"),
    path("cases/<int:pk>/summary.docx", views.case_summary, name="case-summary"),
    path("cases/<int:pk>/summary.pdf", views.case_summary_pdf, name="case-summary-pdf"),
]
