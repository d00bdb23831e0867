"""The stages of a case as a transitions table (DESIGN rule 4; §四(三) fixes the order).

Each row: from a stage, an action, to a stage, who may make the move, and the guard it must pass.
``advance`` goes to the next stage; ``skip`` jumps over one stage and needs a reason (no site to
control; a mediation agreement that goes straight to performance); ``close`` ends the case from
any open stage with an outcome and the amounts paid.
"""

from __future__ import annotations

from dataclasses import dataclass

from anxin.cases.models import OPEN_STAGES, Stage

ADVANCE, SKIP, CLOSE = "advance", "skip", "close"
ACTION_LABELS = {ADVANCE: "进入下一阶段", SKIP: "跳过下一阶段", CLOSE: "结案"}

# Who: "lead" — the lead unit's users and the office; "office" — the office only. The services read
# this column (``services.may_make``): changing a row changes who may make the move.
LEAD, OFFICE = "lead", "office"
# Guards (checked in services): a red case's approved plan before mediation and every stage after
# it (§四(三)); the closing conditions (an outcome, the amounts paid, no unfinished action).
PLAN_APPROVED, CLOSING = "plan_approved", "closing"
# The stages a red case enters only with the office's approval of its plan.
PLANNED_STAGES = (Stage.MEDIATION, Stage.LITIGATION, Stage.ENFORCEMENT)


@dataclass(frozen=True)
class Transition:
    from_stage: str
    action: str
    to_stage: str
    who: str
    perm: str
    guard: str = ""
    reason_required: bool = False

    @property
    def to_stage_label(self) -> str:
        return str(Stage(self.to_stage).label)


def _entering(stage: str) -> str:
    return PLAN_APPROVED if stage in PLANNED_STAGES else ""


def _build() -> tuple[Transition, ...]:
    rows = []
    flow = OPEN_STAGES  # facts, control, mediation, litigation, enforcement
    for i, stage in enumerate(flow):
        if i + 1 < len(flow):
            nxt = flow[i + 1]
            rows.append(Transition(stage, ADVANCE, nxt, LEAD, "cases.move_case", _entering(nxt)))
        if i + 2 < len(flow):
            over = flow[i + 2]
            rows.append(
                Transition(stage, SKIP, over, LEAD, "cases.move_case", _entering(over), reason_required=True)
            )
        rows.append(Transition(stage, CLOSE, Stage.CLOSED, LEAD, "cases.close_case", CLOSING))
    return tuple(rows)


TRANSITIONS: tuple[Transition, ...] = _build()
BY_KEY = {(t.from_stage, t.action): t for t in TRANSITIONS}


def transition(stage: str, action: str) -> Transition | None:
    return BY_KEY.get((stage, action))
