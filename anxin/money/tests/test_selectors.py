"""What money contributes to the seam: "paid so far" per case (entries less reversals, one query for
many cases), the closing hook, the sweep, the action page's panels and form."""

from __future__ import annotations

from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.money import selectors
from anxin.money.models import Payment
from anxin.money.tests.factories import closed_case


def test_paid_so_far_sums_entries_less_reversals_and_is_zero_without_any(world, luoxi, office):
    paid = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_000_000)
    other = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_500_000, separate=True)
    unpaid = open_case(world.xuejia_factory, actor=office)
    entry = Payment.objects.get(case=paid)
    Payment.objects.create(
        case=paid, amount=300_000, paid_on=timezone.localdate(), source="closing", recorded_by=office
    )
    Payment.objects.create(
        case=paid, amount=1_000_000, paid_on=timezone.localdate(), source="closing", recorded_by=office,
        reverses=entry,
    )  # fmt: skip
    assert selectors.paid_by_case([paid.pk, other.pk, unpaid.pk]) == {
        paid.pk: 11_300_000,
        other.pk: 12_500_000,
    }
    assert seam.paid_so_far([paid.pk, other.pk, unpaid.pk]) == {
        paid.pk: 11_300_000,
        other.pk: 12_500_000,
        unpaid.pk: 0,
    }


def test_paid_so_far_asks_once_for_many_cases(world, office, django_assert_num_queries):
    ids = [closed_case(world.luoxi_factory, actor=office, separate=True).pk for _ in range(12)]
    with django_assert_num_queries(1):
        totals = seam.paid_so_far(ids)
    assert set(totals.values()) == {12_000_000}


def test_paid_so_far_keeps_each_query_under_the_parameter_limit(
    world, office, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(selectors, "CHUNK", 2)
    ids = [closed_case(world.luoxi_factory, actor=office, separate=True).pk for _ in range(5)]
    with django_assert_num_queries(3):
        assert sum(seam.paid_so_far(ids).values()) == 5 * 12_000_000


def test_money_registers_its_contributions_at_the_declared_points():
    def apps_at(point):
        return [app for app, _ in seam.contributions(point)]

    for point in (
        seam.CASE_PAID,
        seam.CASE_CLOSED,
        seam.ACTION_SECTIONS,
        seam.ACTION_FORMS,
        seam.SWEEPS,
        seam.ROLE_PERMISSIONS,
    ):
        assert "money" in apps_at(point), point
    assert "instalments" in seam.collect(seam.ACTION_FORMS)
    assert "分期履行提醒与逾期上报" in [s.label for s in seam.collect(seam.SWEEPS)]
    assert "money.reverse_payment" in seam.role_permissions("office")
    assert "money.reverse_payment" not in seam.role_permissions("town")
