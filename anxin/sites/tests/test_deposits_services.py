"""The wage deposit's services: fixing the required amount from the contractor's record, recording the
deposit, a draw from order to the bank's payment (ledger entries with source 工资保证金 on the case's
confirmed claims) and the top-up deadline with the clock moved, the return after the public notice,
the sweep — each with its refusals, and nothing written on a refusal."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.cases.models import Case, Outcome, Stage
from anxin.cases.tests.factories import open_case
from anxin.core.deadlines import working_days_after
from anxin.core.errors import DomainError
from anxin.intake.tests.factories import signal
from anxin.money.models import RECORDABLE_SOURCES, Claim, Payment, PaymentSource
from anxin.money.services import payment_record, payment_reverse
from anxin.notify.models import Notification
from anxin.registry.tests.factories import enterprise, project
from anxin.sites.models import Deposit, DepositDraw, DepositEvent, DepositStatus, DrawStatus, EventKind
from anxin.sites.services import deposits as services
from anxin.sites.tests.factories_deposits import (
    CONTRACT,
    WAN,
    case_with_grounds,
    held,
    required,
    with_contract,
)

pytestmark = pytest.mark.django_db


def nothing_written(before: tuple) -> bool:
    return before == counts()


def counts() -> tuple:
    return (
        Deposit.objects.count(),
        DepositEvent.objects.count(),
        DepositDraw.objects.count(),
        Payment.objects.count(),
    )


@pytest.fixture
def site(world):
    return with_contract(world.luoxi_project)


# --- the required amount ------------------------------------------------------------------------------


def test_require_stores_the_amount_its_computation_and_the_due_date(site, chengjian):
    today = timezone.localdate()
    deposit = required(site, chengjian)
    assert deposit.status == DepositStatus.REQUIRED
    assert deposit.contractor == site.general_contractor
    assert deposit.required == 100 * WAN  # 2 % of ¥50,000,000, new to the register
    assert {p["code"] for p in deposit.computation["params"]} >= {"deposit.rate_tier2", "deposit.cap"}
    assert deposit.due_on == working_days_after(today, 20)[0]
    assert "deposit.due_working_days=20" in deposit.due_basis
    (event,) = DepositEvent.objects.filter(deposit=deposit)
    assert (event.seq, event.kind, event.balance_after) == (1, EventKind.REQUIRE, 0)


def test_a_c_graded_contractor_is_raised_through_the_seam(site, chengjian, monkeypatch):
    """The contractor's integrity grade comes from the app that keeps it (credit), through the seam."""
    from anxin.core.seam import CreditStanding

    asked: list[list[int]] = []

    def standing(ids, on=None):
        asked.append(list(ids))
        return {site.general_contractor.pk: CreditStanding(grade="C", grade_year=2025)}

    monkeypatch.setattr(services.seam, "enterprise_credit", standing)
    deposit = required(site, chengjian)
    assert asked == [[site.general_contractor.pk]]
    assert deposit.required == 150 * WAN  # 2 % × 150 % = 3 %, no case on file
    assert any("守法诚信等级为C级（2025年度）" in step["label"] for step in deposit.computation["steps"])


def test_small_contract_is_exempt(site, chengjian):
    deposit = required(with_contract(site, 300 * WAN - 1), chengjian)
    assert (deposit.status, deposit.required) == (DepositStatus.EXEMPT, 0)


def test_a_case_on_the_contractor_raises_the_rate(site, chengjian):
    open_case(site.general_contractor)
    deposit = required(site, chengjian)
    assert deposit.required == 150 * WAN  # 2 % × 150 % = 3 %
    assert deposit.computation["arrears"][0]["case"]


def test_a_case_on_the_contractors_project_against_a_subcontractor_counts(world, chengjian):
    sub = enterprise(town="luoxi", kinds=("construction",), name="罗溪劳务分包有限公司", industry="E")
    other = project(town="luoxi", contractor=world.luoxi_builder, subs=[sub], name="罗溪厂房项目")
    open_case(sub, project=other)
    deposit = required(with_contract(world.luoxi_project), chengjian)
    assert deposit.required == 150 * WAN


def test_a_case_closed_as_unfounded_does_not_count(site, chengjian):
    case = open_case(site.general_contractor)
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.CLOSED, outcome=Outcome.UNFOUNDED, closed_at=timezone.now(), closing_note="不属实"
    )
    assert required(site, chengjian).required == 100 * WAN


def test_clean_years_on_the_register_reduce_the_rate(site, chengjian):
    from anxin.registry.models import Enterprise

    Enterprise.objects.filter(pk=site.general_contractor_id).update(
        created_at=timezone.now() - datetime.timedelta(days=365 * 2 + 1)
    )
    assert required(site, chengjian).required == 50 * WAN


@pytest.mark.parametrize("who", ["luoxi", "shuili", "leader", "auditor"])
def test_only_the_office_and_the_supervising_line_fix_a_deposit(site, who, request):
    before = counts()
    with pytest.raises(PermissionDenied):
        required(site, request.getfixturevalue(who))
    assert nothing_written(before)


def test_water_projects_are_kept_by_shuili_and_not_building_ones(world, shuili):
    assert services.may_manage_deposit(shuili, world.menghe_river)
    assert not services.may_manage_deposit(shuili, world.luoxi_project)


def test_require_refusals_write_nothing(site, chengjian, office):
    before = counts()
    with pytest.raises(DomainError) as exc:
        required(site, chengjian, signed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert exc.value.field == "contract_signed_on"
    assert nothing_written(before)
    required(site, office)
    before = counts()
    with pytest.raises(DomainError) as exc:
        required(site, chengjian)
    assert exc.value.code == "conflict"
    assert nothing_written(before)


# --- the deposit ----------------------------------------------------------------------------------------


def test_record_moves_to_held_with_an_event(site, chengjian):
    deposit = held(site, chengjian)
    assert deposit.status == DepositStatus.HELD
    assert services.balance_of(deposit) == 100 * WAN
    last = DepositEvent.objects.filter(deposit=deposit).latest("seq")
    assert (last.seq, last.kind, last.amount, last.from_status, last.to_status) == (
        2,
        EventKind.DEPOSIT,
        100 * WAN,
        "required",
        "held",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"form": "gold"}, "form"),
        ({"amount": 0}, "amount"),
        ({"amount": -1}, "amount"),
        ({"deposited_on": datetime.date(2000, 1, 1)}, "deposited_on"),
        ({"bank": " "}, "bank"),
        ({"reference": ""}, "reference"),
    ],
)
def test_record_refusals(site, chengjian, change, field):
    deposit = required(site, chengjian)
    before = counts()
    values = {
        "form": "cash",
        "amount": 100,
        "deposited_on": timezone.localdate(),
        "bank": "银行",
        "reference": "R1",
    } | change
    with pytest.raises(DomainError) as exc:
        services.deposit_record(actor=chengjian, deposit=deposit, **values)
    assert exc.value.field == field
    assert nothing_written(before)


def test_a_deposit_is_recorded_once(site, chengjian):
    deposit = held(site, chengjian)
    with pytest.raises(DomainError, match="不能“登记存储”"):
        services.deposit_record(
            actor=chengjian,
            deposit=deposit,
            form="cash",
            amount=100,
            deposited_on=timezone.localdate(),
            bank="银行",
            reference="R",
        )


def test_a_deposit_line_is_corrected_by_a_reversal(site, chengjian):
    deposit = held(site, chengjian)
    line = DepositEvent.objects.get(deposit=deposit, kind=EventKind.DEPOSIT)
    reversal = services.deposit_event_reverse(actor=chengjian, event=line, reason="金额录错")
    assert (reversal.kind, reversal.amount, reversal.balance_after, reversal.reverses) == (
        EventKind.REVERSAL,
        100 * WAN,
        0,
        line,
    )
    with pytest.raises(DomainError):
        services.deposit_event_reverse(actor=chengjian, event=line, reason="再冲")


# --- draws ------------------------------------------------------------------------------------------------


@pytest.fixture
def kept(site, chengjian):
    """The project's deposit, held in full (¥1,000,000), before any case on its contractor."""
    return held(site, chengjian)


@pytest.fixture
def grounds(kept, site, luoxi, renshe):
    return case_with_grounds(site, luoxi=luoxi, renshe=renshe)


def test_draw_then_bank_payment_pays_the_claims_from_the_deposit(kept, site, chengjian, grounds):
    deposit = kept
    case, _claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=400_000)
    today = timezone.localdate()
    assert draw.status == DrawStatus.ORDERED
    assert draw.bank_due_on == working_days_after(today, 5)[0]
    assert draw.order.kind == "order" and draw.order.status == "lapsed"
    assert services.balance_of(deposit) == 100 * WAN  # ordered, not yet paid

    services.draw_paid(actor=chengjian, draw=draw, paid_on=today, reference="回单-1")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.PAID
    assert draw.paid_amount == 400_000
    assert draw.topup_due_on == working_days_after(today, 10)[0]
    payments = list(Payment.objects.filter(case=case).order_by("claim_id"))
    assert [p.source for p in payments] == [PaymentSource.WAGE_DEPOSIT] * 2
    assert [p.amount for p in payments] == [240_000, 160_000]  # in proportion to 3,000 : 2,000
    assert payments[0].get_source_display() == "工资保证金"
    assert draw.run is not None and draw.run.total == 400_000
    assert [c.paid for c in Claim.objects.filter(case=case).order_by("pk")] == [240_000, 160_000]
    assert services.balance_of(deposit) == 100 * WAN - 400_000
    pay_line = DepositEvent.objects.get(draw=draw, kind=EventKind.PAY)
    assert (pay_line.amount, pay_line.balance_after, pay_line.deposit) == (
        400_000,
        100 * WAN - 400_000,
        deposit,
    )


def test_a_draw_never_pays_more_than_is_still_owed(kept, chengjian, luoxi, grounds):
    deposit = kept
    case, claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=500_000)
    payment_record(
        actor=luoxi,
        claim=claims[0],
        amount=100_000,
        paid_on=timezone.localdate(),
        source=PaymentSource.GENERAL_CONTRACTOR,
    )
    services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate())
    draw.refresh_from_db()
    assert draw.paid_amount == 400_000
    assert all(c.outstanding == 0 for c in Claim.objects.filter(case=case))


def test_draw_refused_without_a_lapsed_order(site, chengjian, luoxi, renshe):
    from anxin.money.tests.factories_claims import confirmed

    deposit = held(site, chengjian)
    case = open_case(site.general_contractor, project=site)
    confirmed(case, actor=luoxi, confirmer=renshe)
    before = counts()
    with pytest.raises(DomainError, match="责令限期支付逾期未支付"):
        services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=100)
    assert nothing_written(before)


def test_draw_refused_without_confirmed_claims(site, chengjian, luoxi):
    from anxin.money.tests.factories_claims import claims

    deposit = held(site, chengjian)
    case = open_case(site.general_contractor, project=site)
    claims(case, actor=luoxi)  # registered, not confirmed
    with pytest.raises(DomainError, match="经确认尚未支付"):
        services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=100)


@pytest.mark.parametrize(
    ("amount", "words"),
    [(500_001, "尚欠"), (0, "大于零")],
)
def test_draw_amount_refusals(kept, site, chengjian, grounds, amount, words):
    deposit = kept
    case, _claims = grounds
    before = counts()
    with pytest.raises(DomainError, match=words):
        services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=amount)
    assert nothing_written(before)


def test_draw_refused_above_the_balance_not_already_ordered(site, chengjian, luoxi, renshe):
    deposit = held(site, chengjian, amount=300_000)  # short
    case, _claims = case_with_grounds(site, luoxi=luoxi, renshe=renshe)
    services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=200_000)
    before = counts()
    with pytest.raises(DomainError, match=r"可用余额 ¥1,000\.00"):
        services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=150_000)
    assert nothing_written(before)


def test_draw_refused_for_a_case_on_another_project(world, site, chengjian, luoxi, renshe):
    deposit = held(site, chengjian)
    other = project(town="luoxi", contractor=world.luoxi_builder, name="罗溪另一个项目")
    case, _claims = case_with_grounds(other, luoxi=luoxi, renshe=renshe)
    with pytest.raises(DomainError) as exc:
        services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=100)
    assert exc.value.field == "case"


def test_paying_a_draw_twice_is_refused(kept, site, chengjian, grounds):
    deposit = kept
    case, _claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=100_000)
    services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate())
    before = counts()
    with pytest.raises(DomainError, match="不能“银行支付”"):
        services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate())
    assert nothing_written(before)


def test_top_up_deadline_with_the_clock_moved(kept, site, chengjian, office, grounds):
    deposit = kept
    case, _claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=400_000)
    services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate())
    draw.refresh_from_db()
    due = draw.topup_due_on
    assert due is not None
    on_the_day = datetime.datetime.combine(due, datetime.time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(on_the_day, tick=False):
        assert services.deposits_sweep() == 0  # due today: not late yet
    day_after = on_the_day + datetime.timedelta(days=1)
    with time_machine.travel(day_after, tick=False):
        assert services.deposits_sweep() == 1
        assert services.deposits_sweep() == 0  # once
    draw.refresh_from_db()
    assert draw.topup_flagged_at is not None
    flag = DepositEvent.objects.filter(draw=draw, kind=EventKind.FLAG).get()
    assert "逾期未补足" in flag.note
    with time_machine.travel(day_after, tick=False):
        services.deposit_top_up(actor=chengjian, deposit=deposit, amount=400_000, on=timezone.localdate())
    draw.refresh_from_db()
    assert (draw.status, draw.topped_up) == (DrawStatus.TOPPED_UP, 400_000)
    assert services.balance_of(deposit) == 100 * WAN


def test_sweep_tells_the_supervising_department_and_the_office(
    site, chengjian, office, django_capture_on_commit_callbacks
):
    signed = timezone.localdate() - datetime.timedelta(days=60)
    deposit = required(site, chengjian, signed_on=signed)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deposits_sweep() == 1
    deposit.refresh_from_db()
    assert deposit.late_flagged_at is not None
    units = set(
        Notification.objects.filter(topic=services.TOPIC).values_list("recipient__unit__code", flat=True)
    )
    assert units == {"construction", "office"}
    assert services.deposits_sweep() == 0


def test_a_short_deposit_past_its_due_date_is_flagged(site, chengjian):
    deposit = held(site, chengjian, amount=10 * WAN)
    later = timezone.now() + datetime.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        assert services.deposits_sweep() == 1
    assert "存储不足" in DepositEvent.objects.filter(deposit=deposit, kind=EventKind.FLAG).get().note


def test_a_full_deposit_is_not_flagged(site, chengjian):
    held(site, chengjian)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40), tick=False):
        assert services.deposits_sweep() == 0


def test_a_bank_payment_overdue_is_flagged_once(kept, site, chengjian, grounds):
    deposit = kept
    case, _claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=100_000)
    late = datetime.datetime.combine(
        draw.bank_due_on + datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    with time_machine.travel(late, tick=False):
        assert services.deposits_sweep() == 1
        assert services.deposits_sweep() == 0
    draw.refresh_from_db()
    assert draw.bank_flagged_at is not None


# --- return -----------------------------------------------------------------------------------------------


def test_return_after_the_notice(site, chengjian):
    deposit = held(site, chengjian)
    today = timezone.localdate()
    services.deposit_return_request(actor=chengjian, deposit=deposit, completed_on=today)
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.NOTICE
    assert deposit.notice_until == today + datetime.timedelta(days=29)
    assert deposit.review_due_on == working_days_after(deposit.notice_until, 5)[0]
    with pytest.raises(DomainError, match="尚未期满"):
        services.deposit_return_decide(actor=chengjian, deposit=deposit, approve=True, returned_on=today)
    after = datetime.datetime.combine(
        deposit.notice_until + datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    with time_machine.travel(after, tick=False):
        assert services.deposits_sweep() == 1  # the review is due
        services.deposit_return_decide(
            actor=chengjian, deposit=deposit, approve=True, returned_on=timezone.localdate()
        )
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.RETURNED
    last = DepositEvent.objects.filter(deposit=deposit).latest("seq")
    assert (last.kind, last.amount, last.balance_after) == (EventKind.RETURN, 100 * WAN, 0)


def test_return_request_refused_while_a_case_on_the_project_is_open(site, chengjian):
    deposit = held(site, chengjian)
    open_case(site.general_contractor, project=site)
    before = counts()
    with pytest.raises(DomainError, match="未结案"):
        services.deposit_return_request(actor=chengjian, deposit=deposit, completed_on=timezone.localdate())
    assert nothing_written(before)


def test_return_refused_when_arrears_were_reported_during_the_notice(site, chengjian):
    deposit = held(site, chengjian)
    services.deposit_return_request(actor=chengjian, deposit=deposit, completed_on=timezone.localdate())
    signal(enterprise=site.general_contractor, project=site)
    deposit.refresh_from_db()
    assert deposit.notice_until is not None
    after = datetime.datetime.combine(
        deposit.notice_until + datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    with time_machine.travel(after, tick=False):
        before = counts()
        with pytest.raises(DomainError, match="欠薪反映"):
            services.deposit_return_decide(
                actor=chengjian, deposit=deposit, approve=True, returned_on=timezone.localdate()
            )
        assert nothing_written(before)
        with pytest.raises(DomainError, match="理由"):
            services.deposit_return_decide(actor=chengjian, deposit=deposit, approve=False)
        services.deposit_return_decide(
            actor=chengjian, deposit=deposit, approve=False, note="公示期间有欠薪投诉"
        )
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.HELD
    assert services.balance_of(deposit) == 100 * WAN


# --- money: the deposit's payments only through the deposit ---------------------------------------------


def test_wage_deposit_is_not_a_source_people_type(kept, luoxi, grounds):
    assert PaymentSource.WAGE_DEPOSIT not in RECORDABLE_SOURCES
    _case, claims = grounds
    with pytest.raises(DomainError) as exc:
        payment_record(
            actor=luoxi,
            claim=claims[0],
            amount=100,
            paid_on=timezone.localdate(),
            source=PaymentSource.WAGE_DEPOSIT,
        )
    assert exc.value.field == "source"


def test_a_deposit_payment_is_not_reversed_in_money(kept, site, chengjian, office, grounds):
    deposit = kept
    case, _claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=100_000)
    services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate())
    payment = Payment.objects.filter(case=case).first()
    assert payment is not None
    with pytest.raises(DomainError, match="保证金台账"):
        payment_reverse(actor=office, payment=payment, reason="错")


def test_ledger_balance_cannot_go_below_zero_in_the_database(site, chengjian):
    from django.db import IntegrityError, transaction

    deposit = required(site, chengjian)
    with pytest.raises(IntegrityError), transaction.atomic():
        DepositEvent.objects.create(
            deposit=deposit, seq=9, kind=EventKind.PAY, amount=1, balance_after=-1, on=timezone.localdate()
        )


def test_contract_constant_is_the_second_tier():
    assert CONTRACT == 50_000_000_00


# --- review findings (2026-12-06) ------------------------------------------------------------------------


def test_a_project_without_a_contract_sum_is_not_fixed_as_exempt(world, chengjian):
    """0 is "not entered": fixing it would make the deposit 免存 for good; refused, nothing written."""
    unentered = with_contract(world.luoxi_project, 0)
    with pytest.raises(DomainError) as caught:
        services.deposit_require(actor=chengjian, project=unentered, contract_signed_on=timezone.localdate())
    assert caught.value.field == "contract_amount"
    assert not Deposit.objects.exists()


def test_a_deposit_line_is_not_reversed_below_what_the_bank_was_ordered_to_pay(kept, chengjian, grounds):
    case, _claims = grounds
    services.draw_order(actor=chengjian, deposit=kept, case=case, amount=400_000)
    line = DepositEvent.objects.get(deposit=kept, kind=EventKind.DEPOSIT)
    with pytest.raises(DomainError) as caught:
        services.deposit_event_reverse(actor=chengjian, event=line, reason="金额录错")
    assert "待银行支付" in caught.value.message
    assert services.balance_of(kept) == 100 * WAN


def test_a_paid_draw_awaiting_its_top_up_is_not_flagged_as_a_short_deposit(kept, chengjian, grounds):
    case, _claims = grounds
    draw = services.draw_order(actor=chengjian, deposit=kept, case=case, amount=400_000)
    services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate(), reference="回单-1")
    later = timezone.now() + datetime.timedelta(days=40)  # past the deposit's due date, not the top-up's
    Deposit.objects.filter(pk=kept.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    DepositDraw.objects.filter(pk=draw.pk).update(
        topup_due_on=timezone.localdate() + datetime.timedelta(days=60)
    )
    services.deposits_sweep(now=later)
    kept.refresh_from_db()
    assert kept.late_flagged_at is None
    assert not DepositEvent.objects.filter(
        deposit=kept, kind=EventKind.FLAG, note__contains="存储不足"
    ).exists()
