"""The status tables of credit (DESIGN rule 4), each a ``core.transitions.Workflow``; every change of
status goes through ``Workflow.move`` (guarded update, audit diff, event row).

``LISTING`` — the procedure and the life of a listing: 拟列入 → 告知送达 (the defence period starts) →
列入 / 不予列入; a proposal may be dropped before notice; a listing ends by 期满 (``tick``), 提前移出
(an application granted) or 撤销 (an objection upheld). A restarted term is an event without a move
(``LISTING.record``). Who: ``decide`` — 人社局 (the unit holding the duty ``blacklist``) or the office
(``credit.access.may_decide``); ``system`` — ``tick``.

``REMOVAL`` — an early-removal application: pending → granted / refused (its events are the listing's).
``TASKS`` — a sanction task: open → done (recorded by its unit) or cancelled (the listing ended before
it was applied); its events are the listing's.
``OBJECTIONS`` — an objection: open → upheld / rejected.
``BATCHES`` — a publication period: draft → published. ``ENTRIES`` — an entry: pending → kept /
removed (review), kept → published (with its batch), published → withdrawn / expired; a removed entry
may be kept again before publication.
"""

from __future__ import annotations

from anxin.core.transitions import Transition, Workflow
from anxin.credit.models import (
    BatchStatus,
    EntryStatus,
    Listing,
    ListingEvent,
    ListingStatus,
    Objection,
    ObjectionEvent,
    ObjectionStatus,
    PublicationBatch,
    PublicationEntry,
    PublicationEvent,
    RemovalApplication,
    RemovalStatus,
    SanctionTask,
    TaskStatus,
)

DECIDE, SYSTEM, UNIT = "decide", "system", "unit"

# --- listings --------------------------------------------------------------------------------------
SERVE, DROP, LIST, NOT_LIST, REMOVE, EXPIRE, REVOKE = (
    "serve",
    "drop",
    "list",
    "not_list",
    "remove",
    "expire",
    "revoke",
)
# Events that move nothing (ListingEvent.action): written with LISTING.record.
PROPOSE, DEFENCE, ANSWER, RESTART, PERSON, DOCUMENT = (
    "propose",
    "defence",
    "answer",
    "restart",
    "person",
    "document",
)
APPLY_REMOVAL, GRANT, REFUSE = "apply_removal", "grant", "refuse"
TASK_SENT, TASK_DONE, TASK_CANCEL = "task_sent", "task_done", "task_cancel"
TASK_REMIND, TASK_OVERDUE = "task_remind", "task_overdue"  # events of the deadlines sweep (no move)

LISTING_LABELS = {
    PROPOSE: "提出拟列入",
    SERVE: "送达拟列入告知书",
    DROP: "撤销拟列入",
    DEFENCE: "登记陈述申辩",
    ANSWER: "复核陈述申辩",
    PERSON: "登记列入人员",
    LIST: "决定列入",
    NOT_LIST: "决定不予列入",
    RESTART: "再次失信，重新计算期限",
    APPLY_REMOVAL: "申请提前移出",
    GRANT: "准予提前移出",
    REFUSE: "不予提前移出",
    REMOVE: "提前移出",
    EXPIRE: "期满移出",
    REVOKE: "异议成立，撤销列入",
    TASK_SENT: "下达联合惩戒任务",
    TASK_DONE: "联合惩戒任务已办理",
    TASK_CANCEL: "撤回联合惩戒任务",
    TASK_REMIND: "联合惩戒任务到期提醒",
    TASK_OVERDUE: "联合惩戒任务逾期，报联席办",
    DOCUMENT: "制作文书",
}

S = ListingStatus
LISTING = Workflow(
    model=Listing,
    field="status",
    event_model=ListingEvent,
    event_object="listing",
    event_from="from_status",
    event_to="to_status",
    noun="名单",
    action_labels=LISTING_LABELS,
    rows=[
        Transition(S.PROPOSED, SERVE, S.NOTICED, "credit.decide_listing", who=DECIDE),
        Transition(S.PROPOSED, DROP, S.DROPPED, "credit.decide_listing", who=DECIDE, reason_required=True),
        Transition(S.NOTICED, LIST, S.LISTED, "credit.decide_listing", who=DECIDE, reason_required=True),
        Transition(
            S.NOTICED, NOT_LIST, S.NOT_LISTED, "credit.decide_listing", who=DECIDE, reason_required=True
        ),
        Transition(S.LISTED, REMOVE, S.REMOVED, "credit.decide_listing", who=DECIDE, reason_required=True),
        Transition(S.LISTED, EXPIRE, S.EXPIRED, "", who=SYSTEM),
        Transition(S.LISTED, REVOKE, S.REVOKED, "credit.decide_listing", who=DECIDE, reason_required=True),
    ],
)

R = RemovalStatus
REMOVAL = Workflow(
    model=RemovalApplication,
    field="status",
    event_model=ListingEvent,
    event_object="listing",
    event_from="from_status",
    event_to="to_status",
    event_owner=lambda application: application.listing,
    noun="提前移出申请",
    action_labels=LISTING_LABELS,
    rows=[
        Transition(R.PENDING, GRANT, R.GRANTED, "credit.decide_listing", who=DECIDE, reason_required=True),
        Transition(R.PENDING, REFUSE, R.REFUSED, "credit.decide_listing", who=DECIDE, reason_required=True),
    ],
)

T = TaskStatus
TASKS = Workflow(
    model=SanctionTask,
    field="status",
    event_model=ListingEvent,
    event_object="listing",
    event_from="from_status",
    event_to="to_status",
    event_owner=lambda task: task.listing,
    noun="联合惩戒任务",
    action_labels=LISTING_LABELS,
    rows=[
        Transition(T.OPEN, TASK_DONE, T.DONE, "credit.handle_sanctiontask", who=UNIT),
        Transition(T.OPEN, TASK_CANCEL, T.CANCELLED, "", who=SYSTEM),
    ],
)

# --- objections ------------------------------------------------------------------------------------
OBJECT, UPHOLD, REJECT = "object", "uphold", "reject"
OS = ObjectionStatus
OBJECTIONS = Workflow(
    model=Objection,
    field="status",
    event_model=ObjectionEvent,
    event_object="objection",
    event_from="from_status",
    event_to="to_status",
    noun="异议",
    action_labels={OBJECT: "登记异议", UPHOLD: "异议成立", REJECT: "异议不成立"},
    rows=[
        Transition(OS.OPEN, UPHOLD, OS.UPHELD, "credit.decide_listing", who=DECIDE, reason_required=True),
        Transition(OS.OPEN, REJECT, OS.REJECTED, "credit.decide_listing", who=DECIDE, reason_required=True),
    ],
)

# --- publication -----------------------------------------------------------------------------------
GATHER, PUBLISH, KEEP, DISCARD, EDIT, WITHDRAW, LAPSE = (
    "gather",
    "publish",
    "keep",
    "discard",
    "edit",
    "withdraw",
    "lapse",
)
PUBLICATION_LABELS = {
    GATHER: "生成待公布名单",
    KEEP: "审核保留",
    DISCARD: "审核删除",
    EDIT: "修改公布内容",
    PUBLISH: "公布",
    WITHDRAW: "撤下",
    LAPSE: "公布期满",
}
BATCHES = Workflow(
    model=PublicationBatch,
    field="status",
    event_model=PublicationEvent,
    event_object="batch",
    event_from="from_status",
    event_to="to_status",
    noun="公布批次",
    action_labels=PUBLICATION_LABELS,
    rows=[
        Transition(
            BatchStatus.DRAFT, PUBLISH, BatchStatus.PUBLISHED, "credit.publish_violations", who=DECIDE
        ),
    ],
)
E = EntryStatus
ENTRIES = Workflow(
    model=PublicationEntry,
    field="status",
    event_model=PublicationEvent,
    event_object="batch",
    event_from="from_status",
    event_to="to_status",
    event_owner=lambda entry: entry.batch,
    noun="公布信息",
    action_labels=PUBLICATION_LABELS,
    rows=[
        Transition(E.PENDING, KEEP, E.KEPT, "credit.publish_violations", who=DECIDE),
        Transition(
            E.PENDING, DISCARD, E.REMOVED, "credit.publish_violations", who=DECIDE, reason_required=True
        ),
        Transition(E.REMOVED, KEEP, E.KEPT, "credit.publish_violations", who=DECIDE),
        Transition(E.KEPT, DISCARD, E.REMOVED, "credit.publish_violations", who=DECIDE, reason_required=True),
        Transition(E.KEPT, PUBLISH, E.PUBLISHED, "credit.publish_violations", who=DECIDE),
        Transition(
            E.PUBLISHED, WITHDRAW, E.WITHDRAWN, "credit.publish_violations", who=DECIDE, reason_required=True
        ),
        Transition(E.PUBLISHED, LAPSE, E.EXPIRED, "", who=SYSTEM),
    ],
)
