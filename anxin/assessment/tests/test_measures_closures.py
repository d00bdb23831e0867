"""The measure of workers' reports closed and rated dissatisfied (§五(二)、§五(三): 群众反映办结后不满意计入考核):
each closing by the unit in the period that the worker rated 不满意 or answered 仍未拿到工资 counts once,
against the unit that closed it; the figure is the one intake's ``closures_by_unit`` gives for the same
unit and dates."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from anxin.assessment import measures
from anxin.assessment.tests.factories_measures import DUE, END, START, at, frozen, signal_due, unit
from anxin.intake.models import ReportClosure
from anxin.intake.selectors import closures_by_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with frozen():
        yield


def closing(
    enterprise: Any, by: Any, when: datetime.datetime, *, rating: str = "", still_unpaid: bool = False
) -> ReportClosure:
    signal = signal_due(enterprise, DUE, at(DUE))
    return ReportClosure.objects.create(
        signal=signal, unit=by.unit, closed_by=by, closed_at=when, rating=rating, still_unpaid=still_unpaid
    )


def test_each_dissatisfied_closing_in_the_period_counts_against_the_unit_that_closed_it(
    world, luoxi, xuejia, office
):
    factory = world.luoxi_factory
    dissatisfied = closing(factory, luoxi, at(START), rating="dissatisfied")
    unpaid = closing(factory, luoxi, at(END, 23), rating="basic", still_unpaid=True)
    closing(factory, luoxi, at(DUE), rating="satisfied")  # satisfied: not counted
    closing(factory, luoxi, at(DUE))  # not rated: not counted
    closing(factory, luoxi, at(START - datetime.timedelta(days=1), 23), rating="dissatisfied")  # before
    closing(factory, luoxi, at(END + datetime.timedelta(days=1), 0), rating="dissatisfied")  # after
    closing(world.xuejia_factory, xuejia, at(DUE), rating="dissatisfied")  # another unit's closing

    result = measures.get("dissatisfied_closures").compute(unit("gov-luoxi"), START, END, {})

    assert result.value == 2 and result.numerator == 2 and result.denominator is None
    assert [r["id"] for r in result.records] == [dissatisfied.signal_id, unpaid.signal_id]
    assert [r["note"] for r in result.records] == ["反映人评价：不满意", "反映人评价：仍未拿到工资"]
    assert all(r["met"] is False and r["url"].endswith(f"/{r['id']}/") for r in result.records)
    # the same figure as intake's ledger of closings for the unit and the same days
    ledger = {
        r["unit"].code: r["dissatisfied"] for r in closures_by_unit(user=office, since=START, until=END)
    }
    assert ledger["gov-luoxi"] == result.value
    assert measures.get("dissatisfied_closures").compute(unit("gov-xuejia"), START, END, {}).value == 1


def test_a_report_reopened_and_closed_again_counts_each_dissatisfied_closing(world, luoxi):
    first = closing(world.luoxi_factory, luoxi, at(DUE), rating="dissatisfied")
    ReportClosure.objects.create(
        signal=first.signal, unit=luoxi.unit, closed_by=luoxi, closed_at=at(END), rating="dissatisfied"
    )
    result = measures.get("dissatisfied_closures").compute(unit("gov-luoxi"), START, END, {})
    assert result.value == 2


def test_the_measure_is_offered_for_towns_and_departments_with_its_clause():
    measure = measures.get("dissatisfied_closures")
    assert measure.kind == measures.COUNT
    assert measure.clause == "§五(二)、§五(三)"
    assert set(measure.groups) == {"town", "department"}
    assert ("dissatisfied_closures", "群众反映不满意办结（次）") in measures.choices()
