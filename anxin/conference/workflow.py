"""The status tables of the conference (DESIGN rule 4), each a ``core.transitions.Workflow``; every
change of status goes through ``Workflow.move`` (guarded update, audit diff, event row).

``MEETINGS`` — 已安排 → 已召开 (the office records it held) / 已取消 (with a reason).
``MINUTES`` — 起草中 → 待召集人审签 (submitted) → 已审签 (signed, by the convener only) or 退回修改
(returned with comments) → 起草中 again on resubmission; 已审签 → 已印发 (issued). Unsigned minutes
are never issued (the table has no such row; a constraint says the same in the database).
``DECISIONS`` — 纪要未印发 → 落实中 (with the minutes' issue) → 已报完成待验收 (the owner reports the
result) → 已验收办结 (the office accepts) or back to 落实中 (sent back with the reason).
Who: ``office`` — the office (``conference.manage_meetings``); ``convener`` — the convener
(``conference.access.is_convener``); ``owner`` — the decision's owner unit; ``system`` — the issue
of the minutes, ``tick``."""

from __future__ import annotations

from anxin.conference.models import (
    Decision,
    DecisionEvent,
    DecisionStatus,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from anxin.core.transitions import Transition, Workflow

OFFICE, CONVENER, OWNER, SYSTEM = "office", "convener", "owner", "system"

# --- meetings --------------------------------------------------------------------------------------
SCHEDULE, EDIT, HOLD, CANCEL, ATTENDANCE, PACK, PAPER = (
    "schedule",
    "edit",
    "hold",
    "cancel",
    "attendance",
    "pack",
    "paper",
)
DRAFT, SUBMIT, SIGN, RETURN, ISSUE = "draft", "submit", "sign", "return", "issue"
MEETING_LABELS = {
    SCHEDULE: "安排会议",
    EDIT: "修改会议安排",
    HOLD: "登记召开",
    CANCEL: "取消会议",
    ATTENDANCE: "登记出席情况",
    PACK: "生成会议材料包",
    PAPER: "上传会议材料",
    DRAFT: "起草会议纪要",
    SUBMIT: "纪要送召集人审签",
    SIGN: "召集人审签纪要",
    RETURN: "召集人退回纪要",
    ISSUE: "印发会议纪要",
}

M = MeetingStatus
MEETINGS = Workflow(
    model=Meeting,
    field="status",
    event_model=MeetingEvent,
    event_object="meeting",
    event_from="from_status",
    event_to="to_status",
    noun="会议",
    action_labels=MEETING_LABELS,
    rows=[
        Transition(M.SCHEDULED, HOLD, M.HELD, "conference.manage_meetings", who=OFFICE),
        Transition(
            M.SCHEDULED, CANCEL, M.CANCELLED, "conference.manage_meetings", who=OFFICE, reason_required=True
        ),
    ],
)

N = MinutesStatus
MINUTES = Workflow(
    model=Minutes,
    field="status",
    event_model=MeetingEvent,
    event_object="meeting",
    event_from="from_status",
    event_to="to_status",
    event_owner=lambda minutes: minutes.meeting,
    noun="会议纪要",
    action_labels=MEETING_LABELS,
    rows=[
        Transition(N.DRAFT, SUBMIT, N.SUBMITTED, "conference.manage_meetings", who=OFFICE),
        Transition(N.RETURNED, SUBMIT, N.SUBMITTED, "conference.manage_meetings", who=OFFICE),
        Transition(N.SUBMITTED, SIGN, N.SIGNED, "conference.sign_minutes", who=CONVENER),
        Transition(
            N.SUBMITTED, RETURN, N.RETURNED, "conference.sign_minutes", who=CONVENER, reason_required=True
        ),
        Transition(N.SIGNED, ISSUE, N.ISSUED, "conference.manage_meetings", who=OFFICE),
    ],
)

# --- decisions -------------------------------------------------------------------------------------
OPEN, PROGRESS, COMPLETE, ACCEPT, SEND_BACK, REMIND, ESCALATE, SUPERVISE = (
    "open",
    "progress",
    "complete",
    "accept",
    "send_back",
    "remind",
    "escalate",
    "supervise",
)
DECISION_LABELS = {
    OPEN: "随纪要印发，交办落实",
    PROGRESS: "报告进展",
    COMPLETE: "报告完成",
    ACCEPT: "验收办结",
    SEND_BACK: "退回重办",
    REMIND: "到期提醒",
    ESCALATE: "逾期，报联席办",
    SUPERVISE: "印发督办通知",
}
D = DecisionStatus
DECISIONS = Workflow(
    model=Decision,
    field="status",
    event_model=DecisionEvent,
    event_object="decision",
    event_from="from_status",
    event_to="to_status",
    noun="议定事项",
    action_labels=DECISION_LABELS,
    rows=[
        Transition(D.DRAFT, OPEN, D.OPEN, "", who=SYSTEM),
        Transition(D.OPEN, COMPLETE, D.REPORTED, "conference.handle_decision", who=OWNER),
        Transition(D.REPORTED, ACCEPT, D.DONE, "conference.manage_meetings", who=OFFICE),
        Transition(
            D.REPORTED, SEND_BACK, D.OPEN, "conference.manage_meetings", who=OFFICE, reason_required=True
        ),
    ],
)
