"""``tick`` flags an advance still out after ``fund.repay_alert_days`` once, and tells 财政局 and the
office; an advance repaid in full (or written off), or younger, is left alone."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from anxin.money import services
from anxin.money.deadlines import advances_overdue_sweep
from anxin.money.models import Advance, AdvanceEvent
from anxin.money.tests.funds_factories import approved, fill, ready_case, request_kwargs, town_fund
from anxin.notify.models import Notification


@pytest.fixture
def advance(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe)
    fill(town_fund(), 10_000_000, actor=caizheng)
    return approved(luoxi, caizheng, **request_kwargs(case, town_fund(), claims))


def _age(advance: Advance, days: int) -> None:
    """Paid out ``days`` ago, with the reporting day stored then (180 days later)."""
    paid_on = timezone.localdate() - datetime.timedelta(days=days)
    Advance.objects.filter(pk=advance.pk).update(
        paid_on=paid_on, repay_due_on=paid_on + datetime.timedelta(days=180)
    )


def test_an_advance_out_longer_than_the_period_is_flagged_once_and_reported(
    advance, caizheng, office, django_capture_on_commit_callbacks
):
    _age(advance, 181)
    with django_capture_on_commit_callbacks(execute=True):
        assert advances_overdue_sweep() == 1
        assert advances_overdue_sweep() == 0  # once
    advance.refresh_from_db()
    assert advance.overdue_flagged_at is not None
    assert AdvanceEvent.objects.filter(advance=advance, action="overdue").count() == 1
    for user in (caizheng, office):
        (note,) = Notification.objects.filter(recipient=user, topic="fund-overdue")
        assert advance.number in note.subject and "181 日" in note.subject


def test_an_advance_at_the_period_is_not_yet_flagged(advance):
    _age(advance, 180)
    assert advances_overdue_sweep() == 0


def test_an_advance_repaid_in_full_is_not_flagged(advance, luoxi):
    _age(advance, 400)
    services.proceeds_record(
        actor=luoxi,
        case=advance.case,
        amount=advance.amount,
        received_on=timezone.localdate(),
        source="employer",
    )
    assert advances_overdue_sweep() == 0


def test_tick_runs_the_sweep(advance):
    _age(advance, 200)
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    advance.refresh_from_db()
    assert advance.overdue_flagged_at is not None


def test_approval_stores_the_reporting_day_with_its_basis(advance):
    assert advance.repay_due_on == advance.paid_on + datetime.timedelta(days=180)
    assert "fund.repay_alert_days" in advance.repay_due_basis


def test_a_later_change_of_the_parameter_leaves_stored_days_as_they_were(advance):
    from anxin.money.tests.funds_factories import set_param

    set_param("fund.repay_alert_days", "30")
    _age(advance, 100)  # past the new 30 days, not past the 180 stored when it was paid out
    assert advances_overdue_sweep() == 0
