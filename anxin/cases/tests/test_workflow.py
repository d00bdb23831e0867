"""The transitions table is the rule: every row allowed to whom its ``who`` column names and refused to
everyone else, with the guard it names — the red-level plan on every way into mediation and beyond
(advance or skip), the closing conditions on every close."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied

from anxin.cases import actions, services, workflow
from anxin.cases.models import Case, Stage
from anxin.cases.tests.factories import open_case
from anxin.core.errors import DomainError
from anxin.core.transitions import Transition

MOVES = [t for t in workflow.TRANSITIONS if t.action != workflow.CLOSE]
CLOSES = [t for t in workflow.TRANSITIONS if t.action == workflow.CLOSE]


def at_stage(case: Case, stage: str, **values) -> Case:
    Case.objects.filter(pk=case.pk).update(stage=stage, **values)
    case.refresh_from_db()
    return case


def make(actor, case, t: Transition):
    if t.action == workflow.CLOSE:
        return services.case_close(
            actor=actor, case=case, outcome="unfounded", amount_paid=0, note="经核查不属实"
        )
    return services.case_move(actor=actor, case=case, action=t.action, reason="无现场需控制")


def test_the_table_has_every_stage_and_only_the_moves_of_the_opinions():
    assert workflow.FLOW.rows == workflow.TRANSITIONS
    assert {(t.source, t.action, t.target) for t in workflow.TRANSITIONS} == {
        ("facts", "advance", "control"),
        ("control", "advance", "mediation"),
        ("mediation", "advance", "litigation"),
        ("litigation", "advance", "enforcement"),
        ("facts", "skip", "mediation"),
        ("control", "skip", "litigation"),
        ("mediation", "skip", "enforcement"),
        *{(s, "close", "closed") for s in ("facts", "control", "mediation", "litigation", "enforcement")},
    }
    assert all(t.reason_required == (t.action == workflow.SKIP) for t in workflow.TRANSITIONS)
    assert {t.target for t in workflow.TRANSITIONS if t.guard == workflow.PLAN_APPROVED} == {
        "mediation",
        "litigation",
        "enforcement",
    }
    assert all(t.guard == workflow.CLOSING for t in CLOSES)


@pytest.mark.parametrize("t", workflow.TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_row_is_refused_to_a_unit_that_does_not_lead_and_changes_nothing(
    world, xuejia, renshe, leader, t
):
    case = at_stage(open_case(world.luoxi_factory), t.source)
    for who in (xuejia, renshe, leader):
        with pytest.raises(PermissionDenied):
            make(who, case, t)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.stage == t.source and not fresh.events.exclude(kind="open").exists()


@pytest.mark.parametrize("t", CLOSES, ids=lambda t: t.source)
def test_every_close_row_is_allowed_to_the_lead_town_with_an_outcome(world, luoxi, t):
    case = at_stage(open_case(world.luoxi_factory), t.source)
    with pytest.raises(DomainError, match="说明核查情况"):
        services.case_close(actor=luoxi, case=case, outcome="unfounded", amount_paid=0)
    closed = make(luoxi, case, t)
    assert (closed.stage, closed.outcome) == ("closed", "unfounded")
    event = closed.events.get(kind="close")
    assert (event.from_stage, event.to_stage, event.actor) == (t.source, "closed", luoxi)


@pytest.mark.parametrize("t", MOVES, ids=lambda t: f"{t.source}-{t.action}")
def test_the_who_column_decides(world, luoxi, office, monkeypatch, t):
    """Make one row office-only: the lead town loses that move (and only that one); the office keeps it."""
    office_only = dataclasses.replace(t, who=workflow.OFFICE)
    table = tuple(office_only if r == t else r for r in workflow.TRANSITIONS)
    monkeypatch.setattr(workflow, "FLOW", workflow.stage_flow(table))
    case = at_stage(open_case(world.luoxi_factory), t.source)
    assert office_only not in services.available_moves(luoxi, case)
    assert office_only in services.available_moves(office, case)
    with pytest.raises(PermissionDenied, match="只有联席办"):
        make(luoxi, case, t)
    assert make(office, case, t).stage == t.target


@pytest.mark.parametrize(
    "t", [t for t in MOVES if t.guard == workflow.PLAN_APPROVED], ids=lambda t: f"{t.source}-{t.action}"
)
def test_a_red_case_enters_mediation_or_any_later_stage_only_under_an_approved_plan(world, luoxi, office, t):
    case = at_stage(open_case(world.luoxi_factory), t.source, level="red")
    with pytest.raises(DomainError, match="红色等级案件须经联席办批准") as caught:
        make(luoxi, case, t)
    assert caught.value.code == "guard" and Case.objects.get(pk=case.pk).stage == t.source
    services.plan_save(actor=luoxi, case=case, measures="约谈企业主", responsible="分管镇长", timeline="一周")
    services.plan_submit(actor=luoxi, case=case)
    with pytest.raises(DomainError, match="待审批"):
        make(luoxi, case, t)
    services.plan_review(actor=office, case=case, approve=True, note="同意")
    assert make(luoxi, case, t).stage == t.target


def test_a_red_case_cannot_start_a_mediation_before_its_plan_is_approved(world, luoxi, office):
    case = at_stage(open_case(world.luoxi_factory), Stage.CONTROL, level="red")
    with pytest.raises(DomainError, match="方可组织调解"):
        actions.action_request(actor=luoxi, case=case, kind="mediation", details="镇调委会调解")
    assert not case.actions.exists()
    # other actions are not held back by the plan: an order to pay, a court preservation
    services.plan_save(actor=luoxi, case=case, measures="约谈企业主", responsible="分管镇长", timeline="一周")
    services.plan_submit(actor=luoxi, case=case)
    services.plan_review(actor=office, case=case, approve=True)
    assert actions.action_request(actor=luoxi, case=case, kind="mediation").kind == "mediation"


def test_a_case_that_is_not_red_skips_to_litigation_without_a_plan(world, luoxi):
    case = at_stage(open_case(world.luoxi_factory), Stage.CONTROL, level="orange")
    assert services.case_move(actor=luoxi, case=case, action="skip", reason="调解无望").stage == "litigation"


def test_the_page_offers_only_the_moves_the_table_allows(world, login, luoxi, xuejia):
    case = at_stage(open_case(world.luoxi_factory), Stage.CONTROL)
    page = login(luoxi).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="move-advance"' in page and 'data-testid="move-skip"' in page
    assert 'data-testid="close-form"' in page
    assert login(xuejia).get(f"/cases/{case.pk}/").status_code == 404


def test_a_move_and_a_close_reach_the_audit_log_with_the_actor_and_the_diff(world, luoxi):
    from auditlog.models import LogEntry

    case = open_case(world.luoxi_factory)
    services.case_move(actor=luoxi, case=case, action="advance")
    services.case_close(actor=luoxi, case=case, outcome="unfounded", amount_paid=0, note="经核查不属实")
    entries = LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    assert [e.changes_dict["stage"] for e in entries] == [["facts", "control"], ["control", "closed"]]
    assert {e.actor for e in entries} == {luoxi}
