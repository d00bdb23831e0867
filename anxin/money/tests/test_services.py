"""Money's services: the amount typed at closing becomes a ledger entry; the ledger is corrected by
reversing entries, never below zero; the payment schedule is set and paid with the same refusals as
when it lived in cases."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from anxin.cases import actions, services
from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.money import services as money
from anxin.money.models import Instalment, Payment
from anxin.money.tests.factories import closed_case, in_days, mediation

# --- a payment recorded at closing ---------------------------------------------------------------------


def test_closing_records_the_amount_paid_as_one_closing_entry(world, luoxi):
    case = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_000_000)
    (entry,) = Payment.objects.filter(case=case)
    assert (entry.amount, entry.source, entry.recorded_by, entry.reverses) == (
        12_000_000,
        "closing",
        luoxi,
        None,
    )
    assert entry.paid_on == timezone.localdate(case.closed_at)
    assert seam.paid_so_far([case.pk]) == {case.pk: 12_000_000}


def test_closing_with_nothing_paid_records_no_entry(world, luoxi):
    case = open_case(world.luoxi_factory, actor=luoxi)
    services.case_close(actor=luoxi, case=case, outcome="unfounded", amount_paid=0, note="经核查不属实")
    assert not Payment.objects.filter(case=case).exists()
    assert seam.paid_so_far([case.pk]) == {case.pk: 0}


def test_a_refused_closing_records_nothing(world, luoxi):
    case = open_case(world.luoxi_factory, actor=luoxi, amount_claimed=12_000_000)
    with pytest.raises(DomainError, match="少于登记欠薪金额"):
        services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=11_999_999)
    assert not Payment.objects.filter(case=case).exists()


def test_the_closing_entry_rolls_back_with_the_closing(world, luoxi, monkeypatch):
    """The hook runs inside case_close's transaction: a failure after it leaves neither."""
    case = open_case(world.luoxi_factory, actor=luoxi)

    def boom(*args, **kwargs):
        raise RuntimeError("notice failed")

    monkeypatch.setattr(services.stages, "notify_case", boom)
    with pytest.raises(RuntimeError):
        services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=12_000_000)
    case.refresh_from_db()
    assert case.is_open and not Payment.objects.filter(case=case).exists()


def test_the_ledger_refuses_a_zero_or_negative_amount_in_the_database(world, luoxi):
    case = closed_case(world.luoxi_factory, actor=luoxi)
    for amount in (0, -100):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(
                case=case, amount=amount, paid_on=timezone.localdate(), source="closing", recorded_by=luoxi
            )


# --- reversals ------------------------------------------------------------------------------------------


def test_a_reversal_is_a_new_entry_and_the_original_stays_as_it_was(world, luoxi, office):
    case = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_000_000)
    entry = Payment.objects.get(case=case)
    reversal = money.payment_reverse(actor=office, payment=entry, amount=2_000_000, reason="重复登记部分")
    assert (reversal.reverses, reversal.amount, reversal.recorded_by) == (entry, 2_000_000, office)
    entry.refresh_from_db()
    assert entry.amount == 12_000_000 and Payment.objects.filter(case=case).count() == 2
    assert seam.paid_so_far([case.pk])[case.pk] == 10_000_000
    assert "冲正结案登记" in case.events.latest("pk").note


def test_a_reversal_that_would_take_the_case_below_zero_is_refused(world, luoxi, office):
    case = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_000_000)
    entry = Payment.objects.get(case=case)
    with pytest.raises(DomainError, match="已支付合计将为负数"):
        money.payment_reverse(actor=office, payment=entry, amount=12_000_001, reason="多冲")
    money.payment_reverse(actor=office, payment=entry, reason="全部冲正")  # the whole entry: to zero
    assert seam.paid_so_far([case.pk])[case.pk] == 0
    with pytest.raises(DomainError, match="已支付合计将为负数"):
        money.payment_reverse(actor=office, payment=entry, amount=1, reason="再冲")
    assert Payment.objects.filter(case=case).count() == 2


def test_a_reversal_takes_back_no_more_than_its_entry_still_counts_for(world, luoxi, office):
    case = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_000_000)
    first = Payment.objects.get(case=case)
    Payment.objects.create(
        case=case, amount=5_000_000, paid_on=timezone.localdate(), source="closing", recorded_by=office
    )
    money.payment_reverse(actor=office, payment=first, amount=10_000_000, reason="部分冲正")
    with pytest.raises(DomainError, match=r"不能超过该记录尚未冲正的 ¥20,000\.00"):
        money.payment_reverse(actor=office, payment=first, amount=3_000_000, reason="超出原记录")
    assert seam.paid_so_far([case.pk])[case.pk] == 7_000_000


def test_a_reversal_needs_a_reason_the_office_and_an_entry_that_is_not_itself_a_reversal(
    world, luoxi, office
):
    case = closed_case(world.luoxi_factory, actor=luoxi)
    entry = Payment.objects.get(case=case)
    with pytest.raises(PermissionDenied):
        money.payment_reverse(actor=luoxi, payment=entry, reason="镇街不能冲正")
    with pytest.raises(DomainError, match="须说明理由"):
        money.payment_reverse(actor=office, payment=entry, reason="  ")
    reversal = money.payment_reverse(actor=office, payment=entry, amount=1_000, reason="更正")
    with pytest.raises(DomainError, match="不能再冲正"):
        money.payment_reverse(actor=office, payment=reversal, reason="冲正的冲正")


# --- the payment schedule -------------------------------------------------------------------------------


def test_only_mediation_arbitration_or_court_may_have_a_schedule(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    penalty = actions.action_request(
        actor=renshe, case=case, kind="penalty", amount=100_000, basis="劳动保障监察条例 第二十六条"
    )
    with pytest.raises(DomainError, match="只有调解、仲裁或诉讼"):
        money.instalments_set(actor=renshe, action=penalty, rows=[(in_days(10), 100_000)])


def test_only_the_handling_unit_or_the_office_sets_the_schedule(world, luoxi, sifa, office):
    action = mediation(world.luoxi_factory, lead=luoxi)
    with pytest.raises(PermissionDenied):
        money.instalments_set(actor=luoxi, action=action, rows=[(in_days(10), 100_000)])
    assert len(money.instalments_set(actor=office, action=action, rows=[(in_days(10), 100_000)])) == 1


def test_a_schedule_needs_one_line_dates_and_positive_amounts(world, luoxi, sifa):
    action = mediation(world.luoxi_factory, lead=luoxi)
    with pytest.raises(DomainError, match="请至少填写一期"):
        money.instalments_set(actor=sifa, action=action, rows=[])
    with pytest.raises(DomainError, match="第 2 期金额须大于零"):
        money.instalments_set(actor=sifa, action=action, rows=[(in_days(1), 1), (in_days(2), 0)])
    with pytest.raises(DomainError, match="第 1 期请填写应付日期"):
        money.instalments_set(actor=sifa, action=action, rows=[(None, 100)])
    assert not Instalment.objects.filter(action=action).exists()


def test_setting_the_schedule_again_replaces_only_its_unpaid_part(world, luoxi, sifa):
    action = mediation(world.luoxi_factory, lead=luoxi)
    first, _second = money.instalments_set(
        actor=sifa, action=action, rows=[(in_days(0), 100_000), (in_days(30), 200_000)]
    )
    money.instalment_paid(actor=sifa, instalment=first, paid_on=timezone.localdate())
    money.instalments_set(actor=sifa, action=action, rows=[(in_days(40), 150_000), (in_days(60), 150_000)])
    assert [(i.amount, i.paid_on is not None) for i in action.instalments.all()] == [
        (100_000, True),
        (150_000, False),
        (150_000, False),
    ]
    assert "履行计划：2 期，共 ¥3,000.00" in action.case.events.latest("pk").note


def test_an_instalment_is_paid_once_not_in_the_future_and_not_after_the_case_closed(
    world, luoxi, sifa, xuejia
):
    action = mediation(world.luoxi_factory, lead=luoxi)
    (item,) = money.instalments_set(actor=sifa, action=action, rows=[(in_days(0), 100_000)])
    with pytest.raises(PermissionDenied):
        money.instalment_paid(actor=xuejia, instalment=item, paid_on=timezone.localdate())
    with pytest.raises(DomainError, match="不能晚于今天"):
        money.instalment_paid(actor=sifa, instalment=item, paid_on=in_days(1))
    with pytest.raises(DomainError, match="请填写实付日期"):
        money.instalment_paid(actor=sifa, instalment=item, paid_on=None)
    paid = money.instalment_paid(actor=luoxi, instalment=item, paid_on=timezone.localdate(), note=" 转账 ")
    assert (paid.paid_on, paid.paid_note) == (timezone.localdate(), "转账")
    with pytest.raises(DomainError, match="已登记履行"):
        money.instalment_paid(actor=sifa, instalment=item, paid_on=timezone.localdate())
    (later,) = money.instalments_set(actor=sifa, action=action, rows=[(in_days(5), 100_000)])
    actions.action_cancel(actor=luoxi, action=action, reason="调解不成")
    later.refresh_from_db()
    with pytest.raises(DomainError, match="措施已撤回或案件已结案"):
        money.instalment_paid(actor=sifa, instalment=later, paid_on=timezone.localdate())


def test_paying_an_instalment_tells_the_lead_and_handling_units(
    world, luoxi, sifa, django_capture_on_commit_callbacks
):
    from anxin.notify.models import Notification

    action = mediation(world.luoxi_factory, lead=luoxi)
    (item,) = money.instalments_set(actor=sifa, action=action, rows=[(datetime.date(2026, 1, 5), 100_000)])
    with django_capture_on_commit_callbacks(execute=True):
        money.instalment_paid(actor=sifa, instalment=item, paid_on=datetime.date(2026, 1, 5))
    notice = Notification.objects.get(recipient=luoxi, topic="case-instalment")
    assert notice.url == f"/cases/actions/{action.pk}/"
    assert "第 2026-01-05 期 ¥1,000.00 已于 2026-01-05 履行" in notice.subject
