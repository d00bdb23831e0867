"""The payments ledger (issue 15, item 2): every yuan paid to a worker is one append-only entry with a
recordable source, a date not in the future and an amount above zero, never above what the worker is
still owed (the service refuses it naming the worker; the database refuses a raw over-payment); a
payment run writes every row or none; a reversal restores what is owed and takes back no more than is
left; payments tied to the fund or to proceeds are not reversed here."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from anxin.cases.models import Case
from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.money import services as money
from anxin.money.models import Advance, AdvanceItem, Claim, Fund, Payment, PaymentRun, Proceeds
from anxin.money.services import ledger
from anxin.money.tests.factories_claims import claims, confirmed, pay
from anxin.org.models import User


@pytest.fixture
def case(world, luoxi):
    return open_case(world.luoxi_factory, actor=luoxi)


@pytest.fixture
def workers(case, luoxi, renshe):
    """Two workers on the case, confirmed at ¥10,000 and ¥20,000."""
    return confirmed(case, actor=luoxi, confirmer=renshe)


def _nothing_paid(case: Case) -> None:
    assert not Payment.objects.filter(case=case).exists()
    assert set(Claim.objects.filter(case=case).values_list("paid", flat=True)) <= {0}


# --- one payment ----------------------------------------------------------------------------------------


def test_a_payment_is_one_entry_and_moves_what_the_worker_was_paid(case, workers, luoxi):
    first, _second = workers
    payment = pay(first, 400_000, actor=luoxi, reference="回单 0001")
    assert (payment.claim, payment.amount, payment.source, payment.reference, payment.recorded_by) == (
        first,
        400_000,
        "employer",
        "回单 0001",
        luoxi,
    )
    first.refresh_from_db()
    assert (first.paid, first.outstanding) == (400_000, 600_000)
    assert seam.paid_so_far([case.pk]) == {case.pk: 400_000}
    assert "支付 工人1 ¥4,000.00（企业自行支付" in case.events.latest("pk").note


def test_a_payment_before_confirmation_is_held_to_the_claimed_amount(case, luoxi):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(DomainError, match=r"超过 工人1 尚欠的 ¥10,000\.00"):
        pay(claim, 1_000_001, actor=luoxi)
    assert pay(claim, 1_000_000, actor=luoxi).amount == 1_000_000


@pytest.mark.parametrize("source", ["closing", "lottery", ""])
def test_a_payment_source_must_be_one_a_person_may_record(case, workers, luoxi, source):
    with pytest.raises(DomainError, match="支付来源须为") as refusal:
        pay(workers[0], 100_000, actor=luoxi, source=source)
    assert refusal.value.field == "source"
    _nothing_paid(case)


def test_a_payment_dated_in_the_future_is_refused(case, workers, luoxi):
    with pytest.raises(DomainError, match="不能晚于今天") as refusal:
        money.payment_record(
            actor=luoxi,
            claim=workers[0],
            amount=100_000,
            paid_on=timezone.localdate() + datetime.timedelta(days=1),
            source="employer",
        )
    assert refusal.value.field == "paid_on"
    _nothing_paid(case)


def test_a_payment_without_a_date_is_refused(case, workers, luoxi):
    with pytest.raises(DomainError, match="请填写支付日期"):
        money.payment_record(actor=luoxi, claim=workers[0], amount=100_000, paid_on=None, source="employer")
    _nothing_paid(case)


@pytest.mark.parametrize("amount", [0, -100])
def test_a_payment_not_above_zero_is_refused(case, workers, luoxi, amount):
    with pytest.raises(DomainError, match="支付金额须大于零") as refusal:
        pay(workers[0], amount, actor=luoxi)
    assert refusal.value.field == "amount"
    _nothing_paid(case)


def test_a_payment_above_what_is_outstanding_is_refused_naming_the_worker(case, workers, luoxi):
    first, _second = workers
    pay(first, 900_000, actor=luoxi)
    with pytest.raises(DomainError, match=r"支付 ¥1,000\.01 超过 工人1 尚欠的 ¥1,000\.00") as refusal:
        pay(first, 100_001, actor=luoxi)
    assert refusal.value.field == "amount"
    first.refresh_from_db()
    assert first.paid == 900_000 and Payment.objects.filter(claim=first).count() == 1


def test_paying_exactly_what_is_outstanding_pays_the_worker_in_full(case, workers, luoxi):
    first, _second = workers
    pay(first, 1_000_000, actor=luoxi)
    first.refresh_from_db()
    assert first.outstanding == 0
    assert seam.case_money([case.pk])[case.pk].paid_in_full == 1


def test_renshe_records_a_payment(case, workers, renshe):
    assert pay(workers[0], 100_000, actor=renshe, source="general_contractor").recorded_by == renshe


@pytest.mark.parametrize("who", ["xuejia", "gongan", "caizheng"])
def test_another_town_or_a_department_without_the_duty_may_not_record_a_payment(case, workers, who, request):
    with pytest.raises(PermissionDenied):
        pay(workers[0], 100_000, actor=request.getfixturevalue(who))
    _nothing_paid(case)


def test_a_payment_on_a_closed_case_is_refused(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    (claim,) = confirmed(case, actor=luoxi, confirmer=renshe, amounts=[1_000_000])
    pay(claim, 1_000_000, actor=luoxi)
    from anxin.cases import services as case_services

    case_services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=1_000_000)
    claim.refresh_from_db()
    with pytest.raises(DomainError, match="已结案"):
        pay(claim, 1, actor=luoxi)


# --- the database backs the sums ------------------------------------------------------------------------


def test_the_database_refuses_a_raw_over_payment(case, workers):
    first, _second = workers
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=first.pk).update(paid=1_000_001)
    first.refresh_from_db()
    assert first.paid == 0


def test_the_database_refuses_a_raw_over_payment_of_an_unconfirmed_claim(case, luoxi):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(paid=1_000_001)


def test_the_database_refuses_a_paid_total_below_zero(case, workers):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=workers[0].pk).update(paid=-1)


# --- a payment run ---------------------------------------------------------------------------------------


def _run(case: Case, actor: User, rows: list[tuple[Claim, int]], **kw: Any) -> PaymentRun:
    values: dict[str, Any] = {
        "paid_on": timezone.localdate(),
        "source": "general_contractor",
        "reference": "总包代付 2026-7",
    }
    values.update(kw)
    return money.payment_run(actor=actor, case=case, rows=rows, **values)


def test_a_payment_run_writes_one_entry_per_worker(case, workers, luoxi):
    first, second = workers
    run = _run(case, luoxi, [(first, 1_000_000), (second, 500_000)])
    assert (run.rows, run.total, run.source) == (2, 1_500_000, "general_contractor")
    assert sorted(run.payments.values_list("claim_id", "amount")) == [
        (first.pk, 1_000_000),
        (second.pk, 500_000),
    ]
    assert dict(Claim.objects.filter(case=case).values_list("pk", "paid")) == {
        first.pk: 1_000_000,
        second.pk: 500_000,
    }
    assert "批量支付 2 人 ¥15,000.00（总承包单位支付" in case.events.latest("pk").note


def test_one_row_above_what_is_outstanding_refuses_the_whole_run_naming_the_worker(case, workers, luoxi):
    first, second = workers
    with pytest.raises(DomainError, match=r"超过 工人2 尚欠的 ¥20,000\.00"):
        _run(case, luoxi, [(first, 1_000_000), (second, 2_000_001)])
    _nothing_paid(case)
    assert not PaymentRun.objects.filter(case=case).exists()


def test_one_row_not_above_zero_refuses_the_whole_run(case, workers, luoxi):
    first, second = workers
    with pytest.raises(DomainError, match="工人2 的支付金额须大于零"):
        _run(case, luoxi, [(first, 1_000_000), (second, 0)])
    _nothing_paid(case)
    assert not PaymentRun.objects.filter(case=case).exists()


def test_a_worker_of_another_case_refuses_the_whole_run(world, case, workers, luoxi, renshe):
    other = open_case(world.luoxi_factory, actor=luoxi, separate=True)
    (stranger,) = confirmed(other, actor=luoxi, confirmer=renshe, amounts=[1_000_000], start=9)
    with pytest.raises(DomainError, match="不是本案登记的劳动者"):
        _run(case, luoxi, [(workers[0], 100_000), (stranger, 100_000)])
    _nothing_paid(case)
    _nothing_paid(other)


def test_the_same_worker_twice_in_a_run_is_refused(case, workers, luoxi):
    with pytest.raises(DomainError, match="只能出现一次"):
        _run(case, luoxi, [(workers[0], 100_000), (workers[0], 100_000)])
    _nothing_paid(case)


def test_an_empty_run_is_refused(case, workers, luoxi):
    with pytest.raises(DomainError, match="请至少填写一名劳动者"):
        _run(case, luoxi, [])
    assert not PaymentRun.objects.filter(case=case).exists()


def test_a_run_from_a_source_not_recordable_or_dated_tomorrow_is_refused(case, workers, luoxi):
    with pytest.raises(DomainError, match="支付来源须为"):
        _run(case, luoxi, [(workers[0], 100_000)], source="closing")
    with pytest.raises(DomainError, match="不能晚于今天"):
        _run(case, luoxi, [(workers[0], 100_000)], paid_on=timezone.localdate() + datetime.timedelta(days=1))
    _nothing_paid(case)


def test_another_town_may_not_record_a_run(case, workers, xuejia):
    with pytest.raises(PermissionDenied):
        _run(case, xuejia, [(workers[0], 100_000)])
    _nothing_paid(case)


# --- reversals -------------------------------------------------------------------------------------------


def test_a_reversal_restores_what_the_worker_is_owed(case, workers, luoxi, office):
    first, _second = workers
    entry = pay(first, 600_000, actor=luoxi)
    reversal = money.payment_reverse(actor=office, payment=entry, amount=200_000, reason="回单金额有误")
    assert (reversal.reverses, reversal.claim, reversal.amount, reversal.note) == (
        entry,
        first,
        200_000,
        "回单金额有误",
    )
    first.refresh_from_db()
    assert (first.paid, first.outstanding) == (400_000, 600_000)
    assert seam.paid_so_far([case.pk]) == {case.pk: 400_000}
    entry.refresh_from_db()
    assert entry.amount == 600_000  # the entry itself never changes


def test_a_whole_reversal_takes_back_what_the_entry_still_counts_for(case, workers, luoxi, office):
    first, _second = workers
    entry = pay(first, 600_000, actor=luoxi)
    money.payment_reverse(actor=office, payment=entry, amount=200_000, reason="部分")
    assert money.payment_reverse(actor=office, payment=entry, reason="其余").amount == 400_000
    first.refresh_from_db()
    assert first.paid == 0


def test_a_reversal_beyond_what_is_left_of_the_entry_is_refused(case, workers, luoxi, office):
    first, second = workers
    entry = pay(first, 600_000, actor=luoxi)
    pay(second, 1_000_000, actor=luoxi)  # the case's total could take it; the entry cannot
    money.payment_reverse(actor=office, payment=entry, amount=500_000, reason="部分")
    with pytest.raises(DomainError, match=r"不能超过该记录尚未冲正的 ¥1,000.00"):
        money.payment_reverse(actor=office, payment=entry, amount=100_001, reason="超出")
    first.refresh_from_db()
    assert first.paid == 100_000 and Payment.objects.filter(reverses=entry).count() == 1


def test_a_fully_reversed_entry_cannot_be_reversed_again(case, workers, luoxi, office):
    entry = pay(workers[0], 600_000, actor=luoxi)
    money.payment_reverse(actor=office, payment=entry, reason="全部冲正")
    with pytest.raises(DomainError, match="已全部冲正"):
        money.payment_reverse(actor=office, payment=entry, reason="再冲")


def test_a_reversal_needs_a_reason_and_the_office(case, workers, luoxi, office):
    entry = pay(workers[0], 600_000, actor=luoxi)
    with pytest.raises(PermissionDenied):
        money.payment_reverse(actor=luoxi, payment=entry, reason="镇街冲正")
    with pytest.raises(DomainError, match="须说明理由"):
        money.payment_reverse(actor=office, payment=entry, reason="")
    assert not Payment.objects.filter(reverses=entry).exists()


def _advance_paid(case: Case, claim: Claim, actor: User) -> Payment:
    """A payment to ``claim`` from the emergency fund, tied to an advance item (as an approval makes)."""
    fund = Fund.objects.get(code="district")
    advance = Advance.objects.create(
        number="DF-TEST-1",
        case=case,
        fund=fund,
        situation="absconded",
        amount=300_000,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    with transaction.atomic():
        (payment,) = ledger.write_payments(
            case,
            [(claim, 300_000)],
            actor=actor,
            paid_on=timezone.localdate(),
            source="emergency_fund",
            now=timezone.now(),
        )
    AdvanceItem.objects.create(advance=advance, claim=claim, amount=300_000, payment=payment)
    return payment


def test_a_payment_from_the_emergency_fund_is_not_reversed_here(case, workers, office):
    payment = _advance_paid(case, workers[0], office)
    with pytest.raises(DomainError, match="连同周转金台账一并更正"):
        money.payment_reverse(actor=office, payment=payment, reason="错付")
    assert not Payment.objects.filter(reverses=payment).exists()


def test_a_payment_from_proceeds_is_not_reversed_here(case, workers, office):
    proceeds = Proceeds.objects.create(
        case=case,
        amount=300_000,
        received_on=timezone.localdate(),
        source="court_enforcement",
        recorded_by=office,
    )
    with transaction.atomic():
        (payment,) = ledger.write_payments(
            case,
            [(workers[0], 300_000)],
            actor=office,
            paid_on=timezone.localdate(),
            source="court_enforcement",
            proceeds=proceeds,
            now=timezone.now(),
        )
    with pytest.raises(DomainError, match="连同周转金台账一并更正"):
        money.payment_reverse(actor=office, payment=payment, reason="错付")
    workers[0].refresh_from_db()
    assert workers[0].paid == 300_000
