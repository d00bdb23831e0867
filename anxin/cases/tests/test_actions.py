"""Legal actions: routing by duty, the order to pay and its lapse, compensation, the referral with
its threshold and its copy to the procuratorate, steps, and the deadlines sweep with the clock moved."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.deadlines import deadlines_sweep
from anxin.cases.models import Case, LegalAction
from anxin.cases.tests.factories import lapsed_order, open_case
from anxin.core.errors import DomainError
from anxin.core.tests.helpers import at
from anxin.money import services as money
from anxin.notify.models import Notification


def test_an_order_to_pay_is_routed_to_hrss_and_only_hrss_or_the_office_issue_it(
    world, renshe, luoxi, chengjian
):
    case = open_case(world.luoxi_factory)
    pay_by = timezone.localdate() + datetime.timedelta(days=10)
    for who in (luoxi, chengjian):
        with pytest.raises(PermissionDenied, match="人社局"):
            actions.action_request(actor=who, case=case, kind="order", amount=100, pay_by=pay_by)
    with pytest.raises(DomainError, match="早于送达日期"):  # served today unless backdated
        actions.action_request(
            actor=renshe,
            case=case,
            kind="order",
            amount=100,
            pay_by=timezone.localdate() - datetime.timedelta(days=1),
        )
    order = actions.action_request(actor=renshe, case=case, kind="order", amount=12_000_000, pay_by=pay_by)
    assert (order.unit.code, order.status, timezone.localtime(order.due_at).date()) == (
        "hrss",
        "open",
        pay_by,
    )
    with pytest.raises(DomainError, match="已有办理中"):
        actions.action_request(actor=renshe, case=case, kind="order", amount=1, pay_by=pay_by)


def test_a_lapsed_order_offers_the_next_steps_and_is_not_lapsed_twice(
    world, renshe, luoxi, django_capture_on_commit_callbacks
):
    case = open_case(world.luoxi_factory)
    with django_capture_on_commit_callbacks(execute=True):
        order = lapsed_order(case, renshe)
    assert order.status == "lapsed"
    notice = Notification.objects.get(recipient=luoxi, topic="case-order-lapsed")
    assert "加付赔偿金" in notice.body and "移送公安" in notice.body
    assert len(actions.next_steps(case)) == 3
    assert actions.orders_lapse() == 0


def test_payment_in_full_finishes_an_order(world, renshe):
    case = open_case(world.luoxi_factory)
    order = actions.action_request(
        actor=renshe,
        case=case,
        kind="order",
        amount=1_000_000,
        pay_by=timezone.localdate() + datetime.timedelta(days=3),
    )
    actions.action_step(actor=renshe, action=order, step="payment", on=timezone.localdate(), amount=400_000)
    assert order.status == "open"
    actions.action_step(actor=renshe, action=order, step="payment", on=timezone.localdate(), amount=600_000)
    assert order.status == "done"
    with pytest.raises(DomainError, match="已办结"):
        actions.action_step(actor=renshe, action=order, step="note", on=timezone.localdate(), note="x")


def test_compensation_needs_a_lapsed_order_and_fifty_to_a_hundred_percent(world, renshe):
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="第二十六条"):
        actions.action_request(actor=renshe, case=case, kind="compensation", percent=50)
    lapsed_order(case, renshe, amount=10_000_000)
    with pytest.raises(DomainError, match="49%"):
        actions.action_request(actor=renshe, case=case, kind="compensation", percent=49)
    with pytest.raises(DomainError, match="101%"):
        actions.action_request(actor=renshe, case=case, kind="compensation", percent=101)
    extra = actions.action_request(actor=renshe, case=case, kind="compensation", percent=50)
    assert extra.amount == 5_000_000 and extra.conditions["met"]


def test_a_referral_below_the_threshold_is_refused_with_the_numbers(world, renshe):
    case = open_case(world.luoxi_factory)
    lapsed_order(case, renshe)
    with pytest.raises(DomainError) as caught:
        actions.action_request(
            actor=renshe,
            case=case,
            kind="referral",
            workers=1,
            amount=999_999,
            single_months=3,
            single_amount=999_999,
        )
    assert "¥9,999.99（须≥¥10,000.00，未达到）" in caught.value.message
    assert "1 人（须≥10 人，未达到）" in caught.value.message
    assert not case.actions.filter(kind="referral").exists()


def test_a_referral_needs_an_order_that_lapsed(world, renshe):
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="尚无逾期未支付的责令限期支付"):
        actions.action_request(
            actor=renshe,
            case=case,
            kind="referral",
            workers=1,
            amount=1_000_000,
            single_months=3,
            single_amount=1_000_000,
        )


def test_a_referral_at_the_threshold_reaches_the_police_with_a_copy_to_the_procuratorate(
    world, renshe, gongan, jianchayuan, django_capture_on_commit_callbacks
):
    case = open_case(world.luoxi_factory)
    lapsed_order(case, renshe)
    with django_capture_on_commit_callbacks(execute=True):
        referral = actions.action_request(
            actor=renshe, case=case, kind="referral", workers=1, amount=1_000_000, single_months=3,
            single_amount=1_000_000,
        )  # fmt: skip
    assert (referral.unit.code, referral.copy_unit.code) == ("police", "procuratorate")
    assert referral.conditions["met"] and referral.copied_at is not None
    assert "case.referral_review_days=3" in referral.due_basis
    assert Notification.objects.filter(recipient=gongan, subject__contains="请办理").exists()
    assert Notification.objects.filter(recipient=jianchayuan, topic="case-copy").exists()
    assert Case.objects.get(pk=case.pk).malicious
    # The police see the referral and accept it; the copy is the procuratorate's to read, not to act on.
    assert LegalAction.objects.for_user(gongan).filter(pk=referral.pk).exists()
    assert not Case.objects.for_user(gongan).exists()
    with pytest.raises(PermissionDenied):
        actions.action_step(actor=jianchayuan, action=referral, step="accepted", on=timezone.localdate())
    actions.action_step(
        actor=gongan, action=referral, step="accepted", on=timezone.localdate(), note="已立案侦查"
    )
    assert (referral.status, referral.due_at) == ("accepted", None)


def test_mediation_goes_to_the_town_or_justice_and_court_to_the_court(world, luoxi, fayuan, sifa):
    from anxin.org.models import Unit

    case = open_case(world.luoxi_factory)
    default = actions.action_request(actor=luoxi, case=case, kind="mediation")
    assert default.unit.code == "justice"
    by_town = actions.action_request(
        actor=luoxi, case=case, kind="mediation", unit=Unit.objects.get(code="gov-luoxi")
    )
    assert by_town.unit.code == "gov-luoxi"
    with pytest.raises(DomainError, match="调解由案件所在镇"):
        actions.action_request(actor=luoxi, case=case, kind="mediation", unit=Unit.objects.get(code="police"))
    court = actions.action_request(actor=luoxi, case=case, kind="court")
    assert court.unit.code == "court"
    with pytest.raises(PermissionDenied):
        actions.action_step(actor=sifa, action=court, step="filing", on=timezone.localdate())
    actions.action_step(actor=fayuan, action=court, step="filing", on=timezone.localdate(), note="快立")
    actions.action_step(
        actor=fayuan, action=court, step="preservation", on=timezone.localdate(), note="冻结账户"
    )
    with pytest.raises(DomainError, match="不能登记"):
        actions.action_step(actor=fayuan, action=court, step="award", on=timezone.localdate())
    assert [s.step for s in court.steps.all()] == ["filing", "preservation"]
    money.instalments_set(actor=sifa, action=default, rows=[(timezone.localdate(), 500_000)])
    with pytest.raises(DomainError, match="第 1 期金额须大于零"):
        money.instalments_set(actor=sifa, action=default, rows=[(timezone.localdate(), 0)])


def test_a_deposit_draw_needs_a_project(world, office, renshe):
    case = open_case(world.luoxi_factory, actor=office)
    with pytest.raises(DomainError, match="工程建设项目"):
        actions.action_request(actor=renshe, case=case, kind="deposit", amount=100_000)
    project_case = open_case(world.luoxi_builder, actor=office, project=world.luoxi_project)
    draw = actions.action_request(actor=renshe, case=project_case, kind="deposit", amount=100_000)
    assert draw.unit.code == "construction" and "deposit.bank_pay_working_days=5" in draw.due_basis


def test_cancel_and_complete_are_refused_twice(world, luoxi, sifa):
    case = open_case(world.luoxi_factory)
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    with pytest.raises(DomainError, match="办理结果"):
        actions.action_complete(actor=sifa, action=mediation, result=" ")
    actions.action_complete(actor=sifa, action=mediation, result="达成调解协议，分两期支付")
    with pytest.raises(DomainError, match="已被他人处理或已办结"):
        actions.action_cancel(actor=luoxi, action=mediation, reason="误发")


# --- deadlines, with the clock moved ------------------------------------------------------------------


def test_tick_reminds_before_escalates_to_the_lead_then_to_the_office_each_once(
    world, luoxi, office, sifa, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):  # a Tuesday
        case = open_case(world.luoxi_factory)
        mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    stage_due = timezone.localtime(case.stage_due_at).date()
    assert stage_due == datetime.date(2026, 12, 15)  # 10 working days

    def sweep(when: str) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return deadlines_sweep(now=at(when))

    assert sweep("2026-12-02T09:00") == 0
    # Two working days before the stage's deadline: the lead town is reminded, once.
    assert sweep("2026-12-11T09:00") == 2  # the stage and the mediation
    assert sweep("2026-12-11T10:00") == 0
    assert Notification.objects.filter(recipient=luoxi, topic="case-due").count() == 1
    assert Notification.objects.filter(recipient=sifa, topic="case-due").count() == 1
    # Overdue: reported to the lead unit.
    assert sweep("2026-12-16T09:00") == 2
    assert Notification.objects.filter(recipient=luoxi, topic="case-overdue").exists()
    assert not Notification.objects.filter(recipient=office, topic="case-overdue").exists()
    # Past the grace of 3 working days: the office hears of it.
    assert sweep("2026-12-21T09:00") == 2
    assert Notification.objects.filter(recipient=office, topic="case-overdue").exists()
    assert sweep("2026-12-22T09:00") == 0
    kinds = list(case.events.filter(kind__in=["remind", "escalate"]).values_list("kind", flat=True))
    assert kinds == [
        "remind",
        "remind",
        "escalate",
        "escalate",
        "escalate",
        "escalate",
    ]  # stage and mediation
    mediation.refresh_from_db()
    assert mediation.reminded_at and mediation.escalated_at and mediation.office_escalated_at


def test_a_move_resets_the_marks_for_the_next_stage(world, luoxi):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        case = open_case(world.luoxi_factory)
    deadlines_sweep(now=at("2026-12-16T09:00"))
    case.refresh_from_db()
    assert case.escalated_at is not None
    with time_machine.travel(at("2026-12-16T10:00"), tick=False):
        from anxin.cases.services import case_move

        case = case_move(actor=luoxi, case=case, action="advance")
    assert (case.reminded_at, case.escalated_at, case.office_escalated_at) == (None, None, None)
    assert timezone.localtime(case.stage_due_at).date() == datetime.date(2026, 12, 21)  # 3 working days


def test_withdrawing_hrss_powers_and_the_mediation_host_are_limited(world, renshe, luoxi, xuejia):
    from anxin.org.models import Unit

    case = open_case(world.luoxi_factory)
    order = actions.action_request(
        actor=renshe,
        case=case,
        kind="order",
        amount=100_000,
        pay_by=timezone.localdate() + datetime.timedelta(days=3),
    )
    with pytest.raises(PermissionDenied, match="人社局"):
        actions.action_cancel(actor=luoxi, action=order, reason="误发")
    with pytest.raises(DomainError, match="案件所在镇"):
        actions.action_request(
            actor=luoxi, case=case, kind="mediation", unit=Unit.objects.get(code="gov-xuejia")
        )
    assert (
        actions.action_cancel(actor=renshe, action=order, reason="金额有误，重新作出").status == "cancelled"
    )


def test_referral_figures_must_agree(world, renshe):
    case = open_case(world.luoxi_factory)
    lapsed_order(case, renshe)
    with pytest.raises(DomainError, match="不能大于拖欠总额"):
        actions.action_request(
            actor=renshe,
            case=case,
            kind="referral",
            workers=1,
            amount=500_000,
            single_months=3,
            single_amount=1_000_000,
        )
    with pytest.raises(DomainError, match="人数"):
        actions.action_request(
            actor=renshe,
            case=case,
            kind="referral",
            workers=0,
            amount=1_000_000,
            single_months=3,
            single_amount=1_000_000,
        )


def test_an_order_is_reminded_before_its_date_but_lapses_instead_of_escalating(world, renshe, office):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        case = open_case(world.luoxi_factory)
        order = actions.action_request(
            actor=renshe, case=case, kind="order", amount=100_000, pay_by=datetime.date(2026, 12, 4)
        )
    deadlines_sweep(now=at("2026-12-03T09:00"))
    order.refresh_from_db()
    assert order.reminded_at is not None
    with time_machine.travel(at("2026-12-07T09:00"), tick=False):
        deadlines_sweep(now=at("2026-12-07T09:00"))
    order.refresh_from_db()
    assert order.status == "lapsed" and order.escalated_at is None
