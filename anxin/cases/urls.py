from django.urls import path

from anxin.cases.views import (
    actions,
    boards,
    case_forms,
    case_page,
    documents,
    ledger,
    opening,
    plans,
    site,
)

urlpatterns = [
    path("cases/", ledger.case_list, name="case-list"),
    path("cases/new/", opening.case_new, name="case-new"),
    path("cases/todo/", boards.todo, name="case-todo"),
    path("cases/deadlines/", boards.deadlines, name="case-deadlines"),
    path("cases/<int:pk>/", case_page.case_detail, name="case-detail"),
    path("cases/<int:pk>/move/", case_forms.case_move, name="case-move"),
    path("cases/<int:pk>/close/", case_forms.case_close, name="case-close"),
    path("cases/<int:pk>/edit/", case_forms.case_edit, name="case-edit"),
    path("cases/<int:pk>/extend/", case_forms.case_extend, name="case-extend"),
    path("cases/<int:pk>/link/", case_forms.case_link, name="case-link"),
    path("cases/<int:pk>/note/", case_forms.case_note, name="case-note"),
    path("cases/<int:pk>/plan/", plans.plan, name="case-plan"),
    path("cases/<int:pk>/incident/", site.incident_new, name="case-incident"),
    path("cases/<int:pk>/asset/", site.asset_new, name="case-asset"),
    path("cases/assets/<int:pk>/recover/", site.asset_recover, name="case-asset-recover"),
    path("cases/<int:pk>/actions/new/", actions.action_new, name="case-action-new"),
    path("cases/actions/<int:pk>/", actions.action_detail, name="case-action"),
    path("cases/<int:pk>/documents/new/", documents.document_new, name="case-document-new"),
    path(
        "cases/actions/<int:pk>/documents/new/",
        documents.action_document_new,
        name="case-action-document-new",
    ),
    path("cases/documents/<int:pk>/", documents.document_download, name="case-document"),
    path("cases/actions/<int:pk>/notice.docx", documents.action_notice, name="case-action-notice"),
    path(
        "cases/actions/<int:pk>/referral.docx",
        documents.action_referral_letter,
        name="case-action-referral-letter",
    ),
    path("cases/<int:pk>/summary.docx", documents.case_summary, name="case-summary"),
    path("cases/<int:pk>/summary.pdf", documents.case_summary_pdf, name="case-summary-pdf"),
]
