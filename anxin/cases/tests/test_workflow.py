"""The transitions table is the rule: every row allowed to whom its ``who`` column names and refused to
everyone else, with the guard it names — the red-level plan on every way into mediation and beyond
(advance or skip), the closing conditions on every close."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.cases import actions, services, workflow
from anxin.cases.models import ActionStep, Case, CaseEvent, LegalAction, Plan, Stage
from anxin.cases.tests.factories import open_case
from anxin.cases.tests.factories import referral as referral_to_police
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
    case = open_case(world.luoxi_factory)
    services.case_move(actor=luoxi, case=case, action="advance")
    services.case_close(actor=luoxi, case=case, outcome="unfounded", amount_paid=0, note="经核查不属实")
    entries = LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    assert [e.changes_dict["stage"] for e in entries] == [["facts", "control"], ["control", "closed"]]
    assert {e.actor for e in entries} == {luoxi}


# --- every row: its event from → to and its audit diff; every refusal with its message --------------


def stage_diffs(case: Case) -> list:
    entries = LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    return [e.changes_dict["stage"] for e in entries if "stage" in e.changes_dict]


@pytest.mark.parametrize("t", workflow.TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_row_leaves_its_case_event_from_to_and_its_audit_diff(world, luoxi, t):
    case = at_stage(open_case(world.luoxi_factory), t.source)
    moved = make(luoxi, case, t)
    assert moved.stage == t.target == Case.objects.get(pk=case.pk).stage
    event = moved.events.exclude(kind="open").get()
    assert (event.kind, event.from_stage, event.to_stage, event.actor) == (
        workflow.EVENT_KINDS[t.action],
        t.source,
        t.target,
        luoxi,
    )
    assert event.kind == {"advance": "move", "skip": "skip", "close": "close"}[t.action]
    assert stage_diffs(case) == [[t.source, t.target]]


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        (stage, action)
        for stage in Stage.values
        for action in (workflow.ADVANCE, workflow.SKIP, workflow.CLOSE)
        if workflow.transition(stage, action) is None or action == workflow.CLOSE
    ],
)
def test_a_move_outside_the_table_is_refused_with_the_stage_and_the_action(world, luoxi, stage, action):
    """case_move refuses what the table has no row for, and a closing (that is case_close's)."""
    values = {"outcome": "unfounded", "closed_at": timezone.now()} if stage == Stage.CLOSED else {}
    case = at_stage(open_case(world.luoxi_factory), stage, **values)
    expected = f"案件处于“{Stage(stage).label}”阶段，不能“{workflow.ACTION_LABELS[action]}”"
    with pytest.raises(DomainError) as caught:
        services.case_move(actor=luoxi, case=case, action=action, reason="理由")
    assert (caught.value.message, caught.value.code) == (expected, "transition")
    assert Case.objects.get(pk=case.pk).stage == stage and not case.events.exclude(kind="open").exists()
    assert stage_diffs(case) == []


def test_a_closed_case_cannot_close_again(world, luoxi):
    case = at_stage(
        open_case(world.luoxi_factory), Stage.CLOSED, outcome="unfounded", closed_at=timezone.now()
    )
    with pytest.raises(DomainError) as caught:
        services.case_close(actor=luoxi, case=case, outcome="unfounded", amount_paid=0, note="x")
    assert (caught.value.message, caught.value.code) == ("案件已结案", "transition")
    assert not case.events.exclude(kind="open").exists()


@pytest.mark.parametrize("t", workflow.TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_a_stale_stage_is_refused_as_a_conflict_and_nothing_is_written(world, luoxi, office, t):
    case = at_stage(open_case(world.luoxi_factory), t.source)
    stale = Case.objects.get(pk=case.pk)
    make(office, case, t)  # someone else got there first
    events, logged = CaseEvent.objects.count(), LogEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        make(luoxi, stale, t)
    assert (caught.value.message, caught.value.code) == (
        "该案件已被他人处理（阶段已变更），请刷新后查看",
        "conflict",
    )
    assert Case.objects.get(pk=case.pk).stage == t.target
    assert (CaseEvent.objects.count(), LogEntry.objects.count()) == (events, logged)


# --- the plan (一企一策) ----------------------------------------------------------------------------


def status_diffs(obj) -> list:
    entries = LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    return [e.changes_dict["status"] for e in entries if "status" in e.changes_dict]


def test_the_plan_table_is_submit_then_the_office_s_review():
    assert {(r.source, r.action, r.target, r.perm, r.reason_required) for r in workflow.PLANS.rows} == {
        ("draft", "submit", "submitted", "cases.change_case", False),
        ("returned", "submit", "submitted", "cases.change_case", False),
        ("submitted", "approve", "approved", "cases.approve_plan", False),
        ("submitted", "return", "returned", "cases.approve_plan", True),
    }


def test_every_plan_status_change_leaves_its_audit_diff_and_its_case_event(world, luoxi, office):
    case = open_case(world.luoxi_factory)
    plan = services.plan_save(
        actor=luoxi, case=case, measures="约谈企业主", responsible="分管镇长", timeline="一周"
    )
    services.plan_submit(actor=luoxi, case=case)
    services.plan_review(actor=office, case=case, approve=False, note="补充资产清单")
    services.plan_submit(actor=luoxi, case=case)
    approved = services.plan_review(actor=office, case=case, approve=True, note="同意")
    assert (approved.status, approved.reviewed_by, approved.review_note) == ("approved", office, "同意")
    services.plan_save(
        actor=luoxi, case=case, measures="约谈企业主，清点资产", responsible="分管镇长", timeline="一周"
    )
    assert status_diffs(plan) == [
        ["draft", "submitted"],
        ["submitted", "returned"],
        ["returned", "submitted"],
        ["submitted", "approved"],
        ["approved", "draft"],
    ]
    notes = list(
        case.events.filter(kind="plan").values_list("note", "actor__username", "from_stage", "to_stage")
    )
    assert notes == [
        ("编制一企一策处置方案", "t_luoxi", "", ""),
        ("处置方案报联席办审批", "t_luoxi", "", ""),
        ("退回处置方案：补充资产清单", "t_office", "", ""),
        ("处置方案报联席办审批", "t_luoxi", "", ""),
        ("批准处置方案：同意", "t_office", "", ""),
        ("修改处置方案（原已批准，须重新报批）", "t_luoxi", "", ""),
    ]


def test_a_plan_submitted_twice_or_reviewed_twice_is_refused_and_writes_nothing(world, luoxi, office):
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="请先编制处置方案"):
        services.plan_submit(actor=luoxi, case=case)
    services.plan_save(actor=luoxi, case=case, measures="约谈企业主", responsible="分管镇长", timeline="一周")
    with pytest.raises(DomainError) as caught:
        services.plan_review(actor=office, case=case, approve=True)
    assert (caught.value.message, caught.value.code) == (
        "方案不在待审批状态（可能已被他人处理），请刷新后查看",
        "conflict",
    )
    services.plan_submit(actor=luoxi, case=case)
    with pytest.raises(DomainError) as caught:
        services.plan_submit(actor=luoxi, case=case)
    assert (caught.value.message, caught.value.code) == ("方案处于“待审批”，不能报批", "transition")
    services.plan_review(actor=office, case=case, approve=True)
    events, logged = CaseEvent.objects.count(), LogEntry.objects.count()
    with pytest.raises(DomainError, match="方案不在待审批状态") as caught:
        services.plan_review(actor=office, case=case, approve=False, note="再看看")
    assert caught.value.code == "conflict"
    assert Plan.objects.get(case=case).status == "approved"
    assert (CaseEvent.objects.count(), LogEntry.objects.count()) == (events, logged)


# --- legal actions ----------------------------------------------------------------------------------


def test_the_action_table_is_what_a_recorded_step_does_to_the_status():
    assert {(r.source, r.action, r.target, r.guard) for r in workflow.ACTIONS.rows} == {
        ("open", "accepted", "accepted", ""),
        ("open", "filing", "accepted", ""),
        ("open", "refused", "refused", ""),
        ("accepted", "refused", "refused", ""),
        ("open", "payment", "done", "paid_in_full"),
        ("accepted", "payment", "done", "paid_in_full"),
    }


def test_a_step_that_moves_an_action_leaves_the_step_and_the_audit_diff(world, luoxi, renshe, sifa):
    today = timezone.localdate()
    case = open_case(world.luoxi_factory)
    arbitration = actions.action_request(actor=luoxi, case=case, kind="arbitration")
    actions.action_step(actor=sifa, action=arbitration, step="filing", on=today, note="仲裁立案")
    actions.action_step(actor=sifa, action=arbitration, step="award", on=today)  # a step, no move
    actions.action_step(actor=sifa, action=arbitration, step="payment", on=today, amount=100)  # not an order
    assert arbitration.status == "accepted" and status_diffs(arbitration) == [["open", "accepted"]]
    assert list(arbitration.steps.values_list("step", "note", "actor__username")) == [
        ("filing", "仲裁立案", "t_sifa"),
        ("award", "", "t_sifa"),
        ("payment", "", "t_sifa"),
    ]
    order = actions.action_request(
        actor=renshe, case=case, kind="order", amount=1_000_000, pay_by=today + datetime.timedelta(days=3)
    )
    actions.action_step(actor=renshe, action=order, step="payment", on=today, amount=400_000)
    assert status_diffs(order) == []
    actions.action_step(actor=renshe, action=order, step="payment", on=today, amount=600_000, note="付清")
    assert (order.status, order.completed_by, order.result) == ("done", renshe, "付清")
    assert status_diffs(order) == [["open", "done"]]
    assert list(order.steps.values_list("amount", flat=True)) == [400_000, 600_000]


def test_a_refusal_a_completion_a_withdrawal_and_a_lapse_leave_their_audit_diffs(
    world, luoxi, renshe, sifa, gongan
):
    case = open_case(world.luoxi_factory)
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    actions.action_complete(actor=sifa, action=mediation, result="达成调解协议")
    assert status_diffs(mediation) == [["open", "done"]]
    order, referral = referral_to_police(case, renshe)
    assert status_diffs(order) == [["open", "lapsed"]]
    actions.action_step(
        actor=gongan, action=referral, step="refused", on=timezone.localdate(), note="证据不足"
    )
    assert (referral.status, referral.result) == ("refused", "证据不足")
    assert status_diffs(referral) == [["open", "refused"]]
    fund = actions.action_request(actor=luoxi, case=case, kind="fund", amount=100_000)
    actions.action_cancel(actor=luoxi, action=fund, reason="企业已自行支付")
    assert status_diffs(fund) == [["open", "cancelled"]]


def test_a_stale_action_step_is_refused_as_a_conflict_and_writes_nothing(world, luoxi, sifa):
    case = open_case(world.luoxi_factory)
    arbitration = actions.action_request(actor=luoxi, case=case, kind="arbitration")
    stale = LegalAction.objects.get(pk=arbitration.pk)
    actions.action_step(actor=sifa, action=arbitration, step="accepted", on=timezone.localdate())
    steps, logged = ActionStep.objects.count(), LogEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        actions.action_step(actor=sifa, action=stale, step="filing", on=timezone.localdate(), note="仲裁立案")
    assert (caught.value.message, caught.value.code) == ("该措施已被他人处理，请刷新后查看", "conflict")
    assert LegalAction.objects.get(pk=arbitration.pk).status == "accepted"
    assert (ActionStep.objects.count(), LogEntry.objects.count()) == (steps, logged)


def test_the_endings_table_ends_an_active_action_three_ways():
    assert {(r.source, r.action, r.target) for r in workflow.ACTION_ENDINGS.rows} == {
        (status, how, target)
        for status in ("open", "accepted")
        for how, target in (("complete", "done"), ("cancel", "cancelled"), ("lapse", "lapsed"))
    }


def test_an_ending_writes_one_line_on_the_cases_timeline_not_an_action_step(world, luoxi, sifa):
    case = open_case(world.luoxi_factory)
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    steps = mediation.steps.count()
    actions.action_complete(actor=sifa, action=mediation, result="达成调解协议")
    event = case.events.order_by("-pk").first()
    assert (event.kind, event.note, event.actor, event.from_stage, event.to_stage) == (
        CaseEvent.Kind.ACTION,
        "调解办结：达成调解协议",
        sifa,
        "",
        "",
    )
    assert mediation.steps.count() == steps
    assert (mediation.status, mediation.completed_by, mediation.result) == ("done", sifa, "达成调解协议")


def test_ending_an_action_someone_else_ended_is_a_conflict_that_writes_nothing(world, luoxi, sifa):
    case = open_case(world.luoxi_factory)
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    stale = LegalAction.objects.get(pk=mediation.pk)
    actions.action_cancel(actor=luoxi, action=mediation, reason="企业已自行支付")
    events, logged = CaseEvent.objects.count(), LogEntry.objects.count()
    for shown in (stale, mediation):  # the page still showed 办理中, or already 已撤回
        with pytest.raises(DomainError) as caught:
            actions.action_complete(actor=sifa, action=shown, result="达成调解协议")
        assert (caught.value.message, caught.value.code) == (
            "该措施已被他人处理或已办结，请刷新后查看",
            "conflict",
        )
    assert LegalAction.objects.get(pk=mediation.pk).status == "cancelled"
    assert (CaseEvent.objects.count(), LogEntry.objects.count()) == (events, logged)
