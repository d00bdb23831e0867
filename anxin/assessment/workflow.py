"""The status tables of the assessment (DESIGN rule 4), each a ``core.transitions.Workflow``.

``SCHEMES`` — 草稿 → 使用中 (activated by the office; a new version's activation supersedes the one in
use) → 已被新版本替代. ``YEARS`` — 预评中 → 终评公示（异议期） (the office opens the finalisation) →
已锁定 (the office locks, after the objection period with every objection answered).
``OBJECTIONS`` — 待答复 → 采纳 / 不予采纳 (the office). ``VETOES`` — 待确认 → 已确认否决 / 不予否决 (the
office, a reason either way). ``SPOT_CHECKS`` — 已抽取 → 检查中 → 已通报. ``RECTIFICATIONS`` — 待整改 →
已报整改情况 (the unit) → 已验收 or 退回重新整改 (the office) → 已报整改情况 again. ``REFERRALS`` —
已移交 → 已签收 → 已反馈处理结果 (the office records what the receiving body says).
Who: ``office`` — the office (the permission on each row); ``unit`` — a user of the unit concerned;
``system`` — a move made by another (a new scheme version superseding)."""

from __future__ import annotations

from anxin.assessment.models import (
    AssessmentYear,
    Objection,
    ObjectionEvent,
    ObjectionStatus,
    Rectification,
    RectificationEvent,
    RectificationStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Scheme,
    SchemeEvent,
    SchemeStatus,
    SpotCheck,
    SpotCheckEvent,
    SpotCheckStatus,
    VetoEvent,
    VetoProposal,
    VetoStatus,
    YearEvent,
    YearStatus,
)
from anxin.core.transitions import Transition, Workflow

OFFICE, UNIT, SYSTEM = "office", "unit", "system"
MANAGE = "assessment.manage_assessment"
SPOT = "assessment.run_spot_checks"
REFER = "assessment.refer_findings"
ANSWER = "assessment.answer_rectification"

ACTIVATE, SUPERSEDE = "activate", "supersede"
SCHEMES = Workflow(
    model=Scheme,
    field="status",
    event_model=SchemeEvent,
    event_object="scheme",
    event_from="from_status",
    event_to="to_status",
    noun="考核方案",
    action_labels={ACTIVATE: "启用", SUPERSEDE: "被新版本替代"},
    rows=[
        Transition(SchemeStatus.DRAFT, ACTIVATE, SchemeStatus.ACTIVE, MANAGE, who=OFFICE),
        Transition(SchemeStatus.ACTIVE, SUPERSEDE, SchemeStatus.SUPERSEDED, "", who=SYSTEM),
    ],
)

FINALISE, LOCK = "finalise", "lock"
YEARS = Workflow(
    model=AssessmentYear,
    field="status",
    event_model=YearEvent,
    event_object="assessment_year",
    event_from="from_status",
    event_to="to_status",
    noun="年度考核",
    action_labels={FINALISE: "开始终评（公示、受理异议）", LOCK: "锁定考核结果"},
    rows=[
        Transition(YearStatus.OPEN, FINALISE, YearStatus.OBJECTION, MANAGE, who=OFFICE),
        Transition(
            YearStatus.OBJECTION, LOCK, YearStatus.LOCKED, MANAGE, who=OFFICE, guard="objections_answered"
        ),
    ],
)

UPHOLD, REJECT = "uphold", "reject"
OBJECTIONS = Workflow(
    model=Objection,
    field="status",
    event_model=ObjectionEvent,
    event_object="objection",
    event_from="from_status",
    event_to="to_status",
    noun="考核异议",
    action_labels={UPHOLD: "采纳异议", REJECT: "不予采纳"},
    rows=[
        Transition(
            ObjectionStatus.PENDING, UPHOLD, ObjectionStatus.UPHELD, MANAGE, who=OFFICE, reason_required=True
        ),
        Transition(
            ObjectionStatus.PENDING,
            REJECT,
            ObjectionStatus.REJECTED,
            MANAGE,
            who=OFFICE,
            reason_required=True,
        ),
    ],
)

CONFIRM = "confirm"
VETOES = Workflow(
    model=VetoProposal,
    field="status",
    event_model=VetoEvent,
    event_object="proposal",
    event_from="from_status",
    event_to="to_status",
    noun="一票否决建议",
    action_labels={CONFIRM: "确认一票否决", REJECT: "不予否决"},
    rows=[
        Transition(
            VetoStatus.PROPOSED, CONFIRM, VetoStatus.CONFIRMED, MANAGE, who=OFFICE, reason_required=True
        ),
        Transition(
            VetoStatus.PROPOSED, REJECT, VetoStatus.REJECTED, MANAGE, who=OFFICE, reason_required=True
        ),
    ],
)

START, CIRCULATE = "start", "circulate"
SPOT_CHECKS = Workflow(
    model=SpotCheck,
    field="status",
    event_model=SpotCheckEvent,
    event_object="spot_check",
    event_from="from_status",
    event_to="to_status",
    noun="不定期抽查",
    action_labels={START: "开始检查", CIRCULATE: "印发抽查情况通报"},
    rows=[
        Transition(SpotCheckStatus.DRAWN, START, SpotCheckStatus.CHECKING, SPOT, who=OFFICE),
        Transition(SpotCheckStatus.CHECKING, CIRCULATE, SpotCheckStatus.CIRCULATED, SPOT, who=OFFICE),
    ],
)

ANSWER_ACTION, ACCEPT, RETURN = "answer", "accept", "return"
RECTIFICATIONS = Workflow(
    model=Rectification,
    field="status",
    event_model=RectificationEvent,
    event_object="rectification",
    event_from="from_status",
    event_to="to_status",
    noun="整改事项",
    action_labels={ANSWER_ACTION: "报送整改情况", ACCEPT: "验收通过", RETURN: "退回重新整改"},
    rows=[
        Transition(RectificationStatus.OPEN, ANSWER_ACTION, RectificationStatus.ANSWERED, ANSWER, who=UNIT),
        Transition(
            RectificationStatus.RETURNED, ANSWER_ACTION, RectificationStatus.ANSWERED, ANSWER, who=UNIT
        ),
        Transition(RectificationStatus.ANSWERED, ACCEPT, RectificationStatus.ACCEPTED, SPOT, who=OFFICE),
        Transition(
            RectificationStatus.ANSWERED,
            RETURN,
            RectificationStatus.RETURNED,
            SPOT,
            who=OFFICE,
            reason_required=True,
        ),
    ],
)

RECEIVE, CONCLUDE = "receive", "conclude"
REFERRALS = Workflow(
    model=Referral,
    field="status",
    event_model=ReferralEvent,
    event_object="referral",
    event_from="from_status",
    event_to="to_status",
    noun="问责线索移交",
    action_labels={RECEIVE: "登记签收", CONCLUDE: "登记处理结果"},
    rows=[
        Transition(ReferralStatus.SENT, RECEIVE, ReferralStatus.RECEIVED, REFER, who=OFFICE),
        Transition(ReferralStatus.RECEIVED, CONCLUDE, ReferralStatus.CONCLUDED, REFER, who=OFFICE),
    ],
)
