"""The status tables of reports (DESIGN rule 4), each a ``core.transitions.Workflow``.

``REPORTS`` — a periodic report: 草稿 → 已报送 (submitted by its own unit: locked) → 已更正 (superseded,
when a correction — a new version with a reason — is submitted). A submitted report is never edited.
``DOCUMENTS`` — the office's analysis or circular: 起草中 → 待主任审核 → 已审核 (the office director) or
退回修改 → 待主任审核 again; 已审核 → 已印发 (issued; the circular lands in every member unit's inbox).
Who: ``unit`` — a user of the report's unit; ``office`` — the office (``reports.compose_documents``);
``director`` — the office director (``conference.access.is_office_director``); ``system`` — the
submission of a correction supersedes the version before it."""

from __future__ import annotations

from anxin.core.transitions import Transition, Workflow
from anxin.reports.models import (
    DocumentStatus,
    OfficeDocument,
    OfficeDocumentEvent,
    PeriodicReport,
    ReportEvent,
    ReportStatus,
)

UNIT, OFFICE, DIRECTOR, SYSTEM = "unit", "office", "director", "system"

PREFILL, REFRESH, SAVE, SUBMIT, CORRECT, SUPERSEDE = (
    "prefill",
    "refresh",
    "save",
    "submit",
    "correct",
    "supersede",
)
REPORT_LABELS = {
    PREFILL: "生成报告草稿（自动汇总数据）",
    REFRESH: "重新汇总数据",
    SAVE: "保存草稿",
    SUBMIT: "报送",
    CORRECT: "发起更正（新版本）",
    SUPERSEDE: "被更正版本替代",
}
R = ReportStatus
REPORTS = Workflow(
    model=PeriodicReport,
    field="status",
    event_model=ReportEvent,
    event_object="report",
    event_from="from_status",
    event_to="to_status",
    noun="定期报告",
    action_labels=REPORT_LABELS,
    rows=[
        Transition(R.DRAFT, SUBMIT, R.SUBMITTED, "reports.submit_report", who=UNIT),
        Transition(R.SUBMITTED, SUPERSEDE, R.SUPERSEDED, "", who=SYSTEM),
    ],
)

COMPOSE, APPROVE, RETURN, ISSUE = "compose", "approve", "return", "issue"
DOCUMENT_LABELS = {
    COMPOSE: "依数据起草",
    REFRESH: "重新汇总数据",
    SAVE: "修改正文",
    SUBMIT: "送联席办主任审核",
    APPROVE: "审核通过",
    RETURN: "退回修改",
    ISSUE: "印发",
}
S = DocumentStatus
DOCUMENTS = Workflow(
    model=OfficeDocument,
    field="status",
    event_model=OfficeDocumentEvent,
    event_object="document",
    event_from="from_status",
    event_to="to_status",
    noun="文件",
    action_labels=DOCUMENT_LABELS,
    rows=[
        Transition(S.DRAFT, SUBMIT, S.SUBMITTED, "reports.compose_documents", who=OFFICE),
        Transition(S.RETURNED, SUBMIT, S.SUBMITTED, "reports.compose_documents", who=OFFICE),
        Transition(S.SUBMITTED, APPROVE, S.APPROVED, "reports.approve_documents", who=DIRECTOR),
        Transition(
            S.SUBMITTED, RETURN, S.RETURNED, "reports.approve_documents", who=DIRECTOR, reason_required=True
        ),
        Transition(S.APPROVED, ISSUE, S.ISSUED, "reports.compose_documents", who=OFFICE),
    ],
)
