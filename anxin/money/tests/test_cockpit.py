"""The cockpit's amounts owed and recovered (issue 14, item 11): the arrears registered on open cases,
what has been paid on them, and what was paid this year — money's panel at ``seam.COCKPIT_PANELS``,
within the reader's scope, in a fixed number of queries."""

from __future__ import annotations

from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.money import selectors
from anxin.money.models import Payment
from anxin.money.tests.factories import closed_case


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


def test_the_summary_asks_three_queries_however_many_cases(world, office, django_assert_max_num_queries):
    for _ in range(6):
        _figures(world, office)
    with django_assert_max_num_queries(3):
        selectors.arrears_summary(user=office)


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
