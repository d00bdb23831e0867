"""The cockpit's amounts owed and recovered (issue 14, item 11; issue 15, item 5): the arrears registered
on open cases, what has been paid on them, what was paid this year and this quarter and how many
workers it reached, the emergency funds' balance and their advances still out — money's panel at
``seam.COCKPIT_PANELS``, within the reader's scope, in a fixed number of queries."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from anxin.cases.models import Case
from anxin.cases.selectors import quarter_of
from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.money import selectors
from anxin.money import services as money_services
from anxin.money.models import Advance, Fund, Payment
from anxin.money.services import funds
from anxin.money.tests.factories import closed_case
from anxin.money.tests.factories_claims import confirmed, pay
from anxin.org.models import User

_numbers = itertools.count(1)


def _paid(case, fen, actor):
    return Payment.objects.create(
        case=case, amount=fen, paid_on=timezone.localdate(), source="closing", recorded_by=actor
    )


def _figures(world, office):
    case = open_case(world.luoxi_factory, actor=office, amount_claimed=12_000_000, separate=True)
    _paid(case, 3_000_000, office)
    closed_case(world.luoxi_factory, actor=office, amount_paid=12_000_000, separate=True)
    return case


def test_the_summary_sums_owed_on_open_cases_paid_on_them_and_paid_this_year(world, office, luoxi, xuejia):
    _figures(world, office)
    money = selectors.arrears_summary(user=luoxi)
    assert (money["open"], money["owed"], money["paid"], money["outstanding"]) == (
        1,
        12_000_000,
        3_000_000,
        9_000_000,
    )
    assert money["paid_rate"] == 25 and money["paid_year"] == 15_000_000
    other = selectors.arrears_summary(user=xuejia)  # 薛家 sees none of 罗溪's cases
    assert (other["owed"], other["paid"], other["paid_year"], other["paid_rate"]) == (0, 0, 0, None)


def test_a_reversal_counts_against_what_was_paid(world, office, luoxi):
    case = _figures(world, office)
    entry = Payment.objects.get(case=case)
    Payment.objects.create(
        case=case, amount=1_000_000, paid_on=timezone.localdate(), source="closing", recorded_by=office,
        reverses=entry,
    )  # fmt: skip
    assert selectors.arrears_summary(user=luoxi)["paid"] == 2_000_000


def test_the_summary_asks_seven_queries_however_many_cases_workers_funds_and_advances(
    world, office, renshe, caizheng, django_assert_max_num_queries
):
    for _ in range(6):
        _figures(world, office)
    for n in range(3):
        case = open_case(world.luoxi_factory, actor=office, separate=True)
        workers = confirmed(case, actor=office, confirmer=renshe, start=10 * n + 1)
        pay(workers[0], 100_000, actor=office)
        _advance(_fund("district"), case, 200_000, caizheng)
        _advance(_town_fund(world), case, 100_000, caizheng)
    with django_assert_max_num_queries(7):  # six aggregates and the reader's duties (who sees money)
        money = selectors.arrears_summary(user=office)
    assert money["advances_out_count"] == 6 and money["workers_quarter"] == 3


def test_the_leaders_cockpit_shows_owed_and_recovered_in_yuan(world, office, leader, login):
    _figures(world, office)
    content = login(leader).get("/cockpit/").content.decode()
    assert 'data-testid="cockpit-money"' in content
    owed = content[content.index('data-testid="money-owed"') :][:80]
    assert "120,000.00" in owed
    assert "30,000.00" in content[content.index('data-testid="money-paid"') :][:80]
    assert "90,000.00" in content[content.index('data-testid="money-outstanding"') :][:80]
    assert "150,000.00" in content[content.index('data-testid="money-paid-year"') :][:80]


def test_money_adds_its_panel_at_the_cockpit_point():
    assert "money" in [app for app, _ in seam.contributions(seam.COCKPIT_PANELS)]


# --- this quarter: what was paid and whom it reached ------------------------------------------------------


def _last_quarter_day() -> datetime.date:
    return quarter_of(timezone.localdate())[0] - datetime.timedelta(days=1)


def test_paid_this_quarter_counts_entries_less_reversals_dated_in_the_quarter(world, luoxi, renshe, office):
    case = open_case(world.luoxi_factory, actor=luoxi)
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    entry = pay(first, 600_000, actor=luoxi)
    money_services.payment_record(
        actor=luoxi, claim=second, amount=500_000, paid_on=_last_quarter_day(), source="employer"
    )
    money_services.payment_reverse(actor=office, payment=entry, amount=100_000, reason="回单有误")
    money = selectors.arrears_summary(user=luoxi)
    assert money["paid_quarter"] == 500_000  # 600,000 less the 100,000 reversed; last quarter's not
    assert money["quarter"] == (timezone.localdate().month - 1) // 3 + 1


def test_workers_reached_this_quarter_are_counted_once_by_id_number(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    other = open_case(world.luoxi_factory, actor=luoxi, separate=True)
    (same_person,) = confirmed(other, actor=luoxi, confirmer=renshe, amounts=[1_000_000], start=1)
    pay(first, 100_000, actor=luoxi)
    pay(same_person, 100_000, actor=luoxi)  # worker 1 again, on another case
    money_services.payment_record(
        actor=luoxi, claim=second, amount=100_000, paid_on=_last_quarter_day(), source="employer"
    )
    assert selectors.arrears_summary(user=luoxi)["workers_quarter"] == 1


def test_a_payment_reversed_in_full_reached_nobody(world, luoxi, renshe, office):
    case = open_case(world.luoxi_factory, actor=luoxi)
    first, _second = confirmed(case, actor=luoxi, confirmer=renshe)
    entry = pay(first, 100_000, actor=luoxi)
    money_services.payment_reverse(actor=office, payment=entry, reason="错付他人")
    money = selectors.arrears_summary(user=luoxi)
    assert (money["workers_quarter"], money["paid_quarter"]) == (0, 0)


def test_another_town_sees_nothing_of_this_quarters_payments(world, luoxi, renshe, xuejia):
    case = open_case(world.luoxi_factory, actor=luoxi)
    first, _second = confirmed(case, actor=luoxi, confirmer=renshe)
    pay(first, 100_000, actor=luoxi)
    money = selectors.arrears_summary(user=xuejia)
    assert (money["paid_quarter"], money["workers_quarter"]) == (0, 0)


# --- the emergency funds: balance and advances out -------------------------------------------------------


def _fund(code: str) -> Fund:
    return Fund.objects.get(code=code)


def _town_fund(world: Any) -> Fund:
    return _fund(funds.town_fund_code(world.luoxi_factory.town))


def _appropriate(fund: Fund, amount: int, actor: User) -> None:
    money_services.fund_appropriate(
        actor=actor, fund=fund, amount=amount, on=timezone.localdate(), reference="新财〔2026〕1号"
    )


def _entry(fund: Fund, kind: str, amount: int, actor: User, advance: Advance | None = None) -> None:
    with transaction.atomic():
        funds.append_entry(
            fund, kind=kind, amount=amount, on=timezone.localdate(), actor=actor, now=timezone.now(),
            advance=advance,
        )  # fmt: skip


def _advance(fund: Fund, case: Case, amount: int, actor: User, *, status: str = "approved") -> Advance:
    """An advance out of ``fund`` as 财政局's approval leaves it (money appropriated first); a
    submitted one moves no money."""
    advance = Advance.objects.create(
        number=f"TEST-{next(_numbers)}", case=case, fund=fund, situation="absconded", amount=amount,
        status=status, paid_on=timezone.localdate() if status == "approved" else None,
        requested_by=actor, requested_at=timezone.now(),
    )  # fmt: skip
    if status == "approved":
        _appropriate(fund, amount, actor)
        _entry(fund, "advance", amount, actor, advance)
    return advance


def test_the_fund_balance_is_each_funds_last_balance_summed(world, caizheng, office):
    _appropriate(_fund("district"), 50_000_000, caizheng)
    _appropriate(_town_fund(world), 10_000_000, caizheng)
    _appropriate(_town_fund(world), 5_000_000, caizheng)
    money = selectors.arrears_summary(user=office)
    assert money["fund_balance"] == 65_000_000 and money["funds"] == Fund.objects.count()


def test_a_town_sees_only_its_own_funds_balance(world, caizheng, luoxi, xuejia):
    _appropriate(_fund("district"), 50_000_000, caizheng)
    _appropriate(_town_fund(world), 10_000_000, caizheng)
    assert (
        selectors.arrears_summary(user=luoxi)["funds"],
        selectors.arrears_summary(user=luoxi)["fund_balance"],
    ) == (
        1,
        10_000_000,
    )
    assert selectors.arrears_summary(user=xuejia)["fund_balance"] == 0


def test_caizheng_sees_every_fund_and_the_police_none(world, caizheng, gongan):
    _appropriate(_fund("district"), 50_000_000, caizheng)
    _appropriate(_town_fund(world), 10_000_000, caizheng)
    assert selectors.arrears_summary(user=caizheng)["fund_balance"] == 60_000_000
    police = selectors.arrears_summary(user=gongan)
    assert (police["funds"], police["fund_balance"], police["advances_out"]) == (0, 0, 0)


def test_advances_out_are_approved_amounts_less_repayments_and_write_offs(world, luoxi, caizheng, office):
    case = open_case(world.luoxi_factory, actor=luoxi)
    repaid = _advance(_fund("district"), case, 300_000, caizheng)
    _entry(_fund("district"), "repayment", 100_000, caizheng, repaid)
    _entry(_fund("district"), "write_off", 50_000, office, repaid)
    settled = _advance(_fund("district"), case, 200_000, caizheng)
    _entry(_fund("district"), "repayment", 200_000, caizheng, settled)
    _advance(_fund("district"), case, 400_000, caizheng, status="submitted")  # not paid out
    money = selectors.arrears_summary(user=office)
    assert (money["advances_out"], money["advances_out_count"]) == (150_000, 1)
    assert money["fund_balance"] == 500_000 - 300_000 - 200_000 + 100_000 + 200_000


def test_a_town_counts_only_the_advances_of_the_funds_it_sees(world, luoxi, caizheng):
    case = open_case(world.luoxi_factory, actor=luoxi)
    _advance(_fund("district"), case, 300_000, caizheng)
    _advance(_town_fund(world), case, 100_000, caizheng)
    assert selectors.arrears_summary(user=luoxi)["advances_out"] == 100_000
    assert selectors.arrears_summary(user=caizheng)["advances_out"] == 400_000


def test_the_leaders_cockpit_shows_the_quarter_and_the_funds(world, luoxi, renshe, caizheng, leader, login):
    case = open_case(world.luoxi_factory, actor=luoxi)
    first, _second = confirmed(case, actor=luoxi, confirmer=renshe)
    pay(first, 600_000, actor=luoxi)
    _appropriate(_fund("district"), 1_000_000, caizheng)
    _advance(_town_fund(world), case, 250_000, caizheng)
    content = login(leader).get("/cockpit/").content.decode()

    def figure(testid: str) -> str:
        return content[content.index(f'data-testid="{testid}"') :][:80]

    assert "6,000.00" in figure("money-paid-quarter")
    assert ">1 <" in figure("money-workers-quarter")
    assert "10,000.00" in figure("money-fund-balance")  # ¥10,000 in the district's, ¥0 left in 罗溪's
    assert "2,500.00" in figure("money-advances-out")


def test_the_police_get_no_money_panel(world, gongan, login):
    content = login(gongan).get("/cockpit/").content.decode()
    assert 'data-testid="money-paid-quarter"' not in content  # 公安分局 sees no workers' money


@pytest.mark.parametrize("who", ["renshe"])
def test_a_reader_who_sees_no_fund_gets_no_fund_figures(world, who, request, login):
    content = login(request.getfixturevalue(who)).get("/cockpit/").content.decode()
    assert 'data-testid="money-paid-quarter"' in content  # the quarter's figures, within their cases
    assert 'data-testid="money-fund-balance"' not in content
