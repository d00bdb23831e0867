"""The status tables of case handling (DESIGN rule 4), each a ``core.transitions.Workflow``.

``FLOW`` — the stages of a case (§四(三) fixes the order). Each row: from a stage, an action, to a
stage, who may make the move, and the guard it must pass. ``advance`` goes to the next stage;
``skip`` jumps over one stage and needs a reason (no site to control; a mediation agreement that
goes straight to performance); ``close`` ends the case from any open stage with an outcome and the
amounts paid. The event is the case's own ``CaseEvent`` with from → to; its kind is 推进阶段
(``move``) for an advance and the action's own name for a skip or a close (``EVENT_KINDS``).

``PLANS`` — the office's review of a red case's plan (一企一策): submitted, approved or returned.
Its events are the case's ``CaseEvent`` rows of kind 一企一策方案 (the plan has no event table of
its own), written with the case as their owner.

``ACTIONS`` — what a recorded step does to a legal action's status (受理 → 已受理, 不予受理,
a payment covering an order → 已办结); the step itself (``ActionStep``) is the event. Completing,
withdrawing and an order's lapse record no step (their line is on the case's timeline, a
``CaseEvent`` without from → to): ``actions`` moves them with ``guarded_update``, the old status in
its guard, which writes the audit diff.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy

from anxin.cases.models import (
    ACTIVE_ACTION,
    OPEN_STAGES,
    ActionStatus,
    ActionStep,
    Case,
    CaseEvent,
    LegalAction,
    Plan,
    PlanStatus,
    Stage,
)
from anxin.core.transitions import Transition, Workflow

ADVANCE, SKIP, CLOSE = "advance", "skip", "close"
ACTION_LABELS = {ADVANCE: "进入下一阶段", SKIP: "跳过下一阶段", CLOSE: "结案"}
# The kind of the CaseEvent each stage action writes.
EVENT_KINDS = {ADVANCE: CaseEvent.Kind.MOVE, SKIP: CaseEvent.Kind.SKIP, CLOSE: CaseEvent.Kind.CLOSE}

# Who: "lead" — the lead unit's users and the office; "office" — the office only. The services read
# this column (``stages.may_make``): changing a row changes who may make the move.
LEAD, OFFICE = "lead", "office"
# Guards (checked in services): a red case's approved plan before mediation and every stage after
# it (§四(三)); the closing conditions (an outcome, the amounts paid, no unfinished action).
PLAN_APPROVED, CLOSING = "plan_approved", "closing"
# The stages a red case enters only with the office's approval of its plan.
PLANNED_STAGES = (Stage.MEDIATION, Stage.LITIGATION, Stage.ENFORCEMENT)


def _entering(stage: str) -> str:
    return PLAN_APPROVED if stage in PLANNED_STAGES else ""


def _build() -> tuple[Transition, ...]:
    rows = []
    flow = OPEN_STAGES  # facts, control, mediation, litigation, enforcement
    for i, stage in enumerate(flow):
        if i + 1 < len(flow):
            nxt = flow[i + 1]
            rows.append(Transition(stage, ADVANCE, nxt, "cases.move_case", who=LEAD, guard=_entering(nxt)))
        if i + 2 < len(flow):
            over = flow[i + 2]
            rows.append(
                Transition(
                    stage,
                    SKIP,
                    over,
                    "cases.move_case",
                    who=LEAD,
                    guard=_entering(over),
                    reason_required=True,
                )
            )
        rows.append(Transition(stage, CLOSE, Stage.CLOSED, "cases.close_case", who=LEAD, guard=CLOSING))
    return tuple(rows)


def stage_flow(rows: Iterable[Transition]) -> Workflow:
    """The stages' workflow over ``rows`` (``TRANSITIONS``; a test may hand it a changed table)."""
    return Workflow(
        model=Case,
        field="stage",
        rows=rows,
        event_model=CaseEvent,
        event_object="case",
        event_action="kind",
        event_from="from_stage",
        event_to="to_stage",
        noun=gettext_lazy("案件"),
        status_word=gettext_lazy("阶段"),
        action_labels=ACTION_LABELS,
    )


TRANSITIONS: tuple[Transition, ...] = _build()
FLOW = stage_flow(TRANSITIONS)


def transition(stage: str, action: str) -> Transition | None:
    """The row for ``action`` from ``stage`` (``None``: the table has no such move)."""
    return FLOW.find(stage, action)


# --- the plan (一企一策) -------------------------------------------------------------------------------

SUBMIT, APPROVE, RETURN = "submit", "approve", "return"
PLANS = Workflow(
    model=Plan,
    field="status",
    event_model=CaseEvent,
    event_object="case",  # the event belongs to the plan's case: ``plan_event`` names it
    event_action="kind",
    noun=gettext_lazy("方案"),
    action_labels={SUBMIT: "报批", APPROVE: "批准", RETURN: "退回"},
    rows=[
        Transition(PlanStatus.DRAFT, SUBMIT, PlanStatus.SUBMITTED, "cases.change_case", who=LEAD),
        Transition(PlanStatus.RETURNED, SUBMIT, PlanStatus.SUBMITTED, "cases.change_case", who=LEAD),
        # The review needs only its permission (the office's): no ``who`` beyond it.
        Transition(PlanStatus.SUBMITTED, APPROVE, PlanStatus.APPROVED, "cases.approve_plan"),
        Transition(PlanStatus.SUBMITTED, RETURN, PlanStatus.RETURNED, "cases.approve_plan", reason_required=True),
    ],
)  # fmt: skip


def plan_event(plan: Plan) -> dict:
    """What a plan's move writes in its CaseEvent: the case's timeline, kind 一企一策方案."""
    return {"case": plan.case, "kind": CaseEvent.Kind.PLAN}


# --- a legal action's status, moved by its recorded steps ----------------------------------------------

Step = ActionStep.Step
# Guard: a payment ends an order to pay only when the payments cover its amount.
PAID_IN_FULL = "paid_in_full"
HANDLER = "handler"  # the unit the action is routed to, or the office (``actions.handles``)
HANDLE_PERM = "cases.handle_legalaction"
ACTIONS = Workflow(
    model=LegalAction,
    field="status",
    event_model=ActionStep,
    event_object="action",
    event_action="step",
    noun=gettext_lazy("措施"),
    action_labels=dict(Step.choices),
    rows=[
        Transition(ActionStatus.OPEN, Step.ACCEPTED, ActionStatus.ACCEPTED, HANDLE_PERM, who=HANDLER),
        Transition(ActionStatus.OPEN, Step.FILING, ActionStatus.ACCEPTED, HANDLE_PERM, who=HANDLER),
        Transition(ActionStatus.OPEN, Step.REFUSED, ActionStatus.REFUSED, HANDLE_PERM, who=HANDLER, reason_required=True),
        Transition(ActionStatus.ACCEPTED, Step.REFUSED, ActionStatus.REFUSED, HANDLE_PERM, who=HANDLER, reason_required=True),
        Transition(ActionStatus.OPEN, Step.PAYMENT, ActionStatus.DONE, HANDLE_PERM, who=HANDLER, guard=PAID_IN_FULL),
        Transition(ActionStatus.ACCEPTED, Step.PAYMENT, ActionStatus.DONE, HANDLE_PERM, who=HANDLER, guard=PAID_IN_FULL),
    ],
)  # fmt: skip


# --- how a legal action ends outside its steps: done, withdrawn, lapsed ---------------------------------

# These write no ActionStep: each is a line on the case's timeline (CaseEvent, kind 法律措施), as
# before they moved onto the helper.
COMPLETE, CANCEL, LAPSE = "complete", "cancel", "lapse"
ACTION_ENDINGS = Workflow(
    model=LegalAction,
    field="status",
    event_model=CaseEvent,
    event_object="case",
    event_owner=lambda action: action.case,
    event_action="kind",
    noun=gettext_lazy("措施"),
    action_labels={COMPLETE: "办结", CANCEL: "撤回", LAPSE: "逾期未履行"},
    rows=[
        row
        for status in ACTIVE_ACTION
        for row in (
            Transition(status, COMPLETE, ActionStatus.DONE, HANDLE_PERM, who=HANDLER),
            # Who may withdraw: the requester, the lead unit or the office (``actions.may_cancel``).
            Transition(status, CANCEL, ActionStatus.CANCELLED, "", who="canceller", reason_required=True),
            # ``tick``: an order to pay whose date has passed unpaid.
            Transition(status, LAPSE, ActionStatus.LAPSED, "", who="system"),
        )
    ],
)
ENDING_EVENT = {"kind": CaseEvent.Kind.ACTION}
