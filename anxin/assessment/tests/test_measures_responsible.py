"""A unit is measured on the records it is responsible for, not on what it can see (the trace's rule:
the assigned/handling department if any, else the government of the record's town): a town does not
lose points for 人社局's late verification in its territory, nor 市场监管局 for 人社局's. The value
still equals its ledger filtered by that unit as 承办单位. Also: the measures' clauses agree with the
district's default schemes; money shown as yuan; the measures use the ``now`` the scoring gave."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from django.conf import settings
from django.db.models import F

from anxin.assessment import measures
from anxin.assessment.tests.factories_measures import (
    DUE,
    END,
    NEXT_WORKDAY,
    START,
    alert_due,
    at,
    case_due,
    frozen,
    immediate_due,
    signal_due,
    unit,
    watched,
)
from anxin.core.deadlines import start_of

pytestmark = pytest.mark.django_db

LOW, HIGH = start_of(START), start_of(END + datetime.timedelta(days=1))


@pytest.fixture(autouse=True)
def clock():
    with frozen():
        yield


def compute(key: str, code: str) -> measures.Result:
    return measures.get(key).compute(unit(code), START, END, {})


def assign(row: Any, code: str | None, field: str = "assigned_unit") -> None:
    type(row).objects.filter(pk=row.pk).update(**{field: unit(code) if code else None})
    row.refresh_from_db()


def test_signals_a_town_is_not_charged_for_a_departments_late_verification(world, luoxi, renshe):
    from anxin.intake.selectors import signal_list

    hrss_late = signal_due(world.luoxi_factory, DUE, at(NEXT_WORKDAY))
    assign(hrss_late, "hrss")
    town_own = signal_due(world.luoxi_factory, DUE, at(DUE))
    assign(town_own, None)

    town = compute("signals_verified_on_time", "gov-luoxi")
    hrss = compute("signals_verified_on_time", "hrss")
    market = compute("signals_verified_on_time", "market")

    assert [r["id"] for r in town.records] == [town_own.pk] and town.value == Decimal(1)
    assert [r["id"] for r in hrss.records] == [hrss_late.pk] and hrss.value == Decimal(0)
    assert market.denominator == 0 and compute("late_verifications", "market").value == 0
    assert compute("late_verifications", "gov-luoxi").value == 0
    assert hrss.records[0]["url"] == f"/signals/{hrss_late.pk}/"
    for user, code, result in ((luoxi, "gov-luoxi", town), (renshe, "hrss", hrss)):
        ledger = signal_list(user=user, responsible=code).filter(
            due_at__gte=LOW, due_at__lt=HIGH, merged_into__isnull=True
        )
        assert result.denominator == ledger.count()
        assert result.numerator == ledger.filter(verified_at__lte=F("due_at")).count()
    # No behaviour change for the ledger's other callers: without the filter the town sees both.
    assert signal_list(user=luoxi).filter(pk__in=[hrss_late.pk, town_own.pk]).count() == 2


def test_alerts_and_immediate_reports_by_their_department_else_the_town(world, luoxi, renshe):
    from anxin.monitoring.selectors import alert_list, report_list

    hrss_alert = alert_due(world.luoxi_factory, DUE, unit_code="hrss")  # not handled: missed
    town_alert = alert_due(world.luoxi_factory, DUE, at(DUE))
    assert [r["id"] for r in compute("alerts_handled_on_time", "gov-luoxi").records] == [town_alert.pk]
    assert [r["id"] for r in compute("alerts_handled_on_time", "hrss").records] == [hrss_alert.pk]
    for user, code in ((luoxi, "gov-luoxi"), (renshe, "hrss")):
        ledger = alert_list(user=user, responsible=code).filter(due_at__gte=LOW, due_at__lt=HIGH)
        assert compute("alerts_handled_on_time", code).denominator == ledger.count()

    due = at(DUE, 15)
    routed = immediate_due(world.luoxi_factory, due)
    assign(routed, "hrss", "unit")
    own = immediate_due(world.luoxi_factory, due, due)
    town = compute("immediate_reports_on_time", "gov-luoxi")
    assert [r["id"] for r in town.records] == [own.pk] and town.value == Decimal(1)
    assert [r["id"] for r in compute("immediate_reports_on_time", "hrss").records] == [routed.pk]
    ledger = report_list(user=luoxi, responsible="gov-luoxi").filter(due_at__gte=LOW, due_at__lt=HIGH)
    assert town.denominator == ledger.count()


def test_cases_by_their_lead_unit(world, luoxi, chengjian):
    from anxin.cases.selectors import case_list

    town_case = case_due(world.luoxi_factory, DUE, at(DUE))
    led = case_due(world.luoxi_builder, DUE)  # led by 城建局, not closed: missed
    assign(led, "construction", "lead_unit")

    town = compute("cases_closed_on_time", "gov-luoxi")
    construction = compute("cases_closed_on_time", "construction")
    assert [r["id"] for r in town.records] == [town_case.pk] and town.value == Decimal(1)
    assert [r["id"] for r in construction.records] == [led.pk]
    assert compute("overdue_cases", "gov-luoxi").value == 0
    for user, code, result in ((luoxi, "gov-luoxi", town), (chengjian, "construction", construction)):
        ledger = case_list(user=user, lead=code).filter(deadline_at__gte=LOW, deadline_at__lt=HIGH)
        assert result.denominator == ledger.count()


def test_followups_by_the_watch_entrys_unit(world, office):
    entry = watched(world.luoxi_factory, confirmed=datetime.date(2026, 10, 2), by=office)
    assign(entry, "hrss", "owner_unit")
    assert compute("followups_on_time", "gov-luoxi").denominator == 0
    assert (compute("followups_on_time", "hrss").denominator or 0) > 0


def test_the_measures_clauses_agree_with_the_default_schemes():
    from anxin.assessment.measures_data import CATALOGUE

    clauses = {row[0]: row[3] for row in CATALOGUE}
    data = yaml.safe_load(Path(settings.DISTRICT_FILE).read_text(encoding="utf-8"))
    checked = 0
    for scheme in data["assessment_schemes"]:
        for ind in scheme["indicators"]:
            if ind.get("measure") in clauses:
                cited = ind["citation"].split()[0]
                assert cited in clauses[ind["measure"]], (ind["code"], cited, clauses[ind["measure"]])
                checked += 1
    assert checked >= 19
    by_code = {i["code"]: i for i in data["assessment_schemes"][0]["indicators"]}
    assert by_code["alerts"]["citation"].startswith("§四(二)")
    assert by_code["followups"]["citation"].startswith("§四(二)(三)")
    assert by_code["publicity"]["citation"].startswith("§四(九)")
    assert (
        by_code["screening"]["citation"].startswith("§四(一)") and "在营" in by_code["screening"]["criteria"]
    )
    assert by_code["cases"]["citation"].startswith("§四(五)")
    assert by_code["recovered"]["citation"].startswith("§四(六)")


def test_money_is_formatted_without_float():
    from anxin.assessment.measures_data import _yuan

    assert _yuan(2_147_483_648_123_457) == "21,474,836,481,234.57 元"
    assert measures.is_money("arrears_recovered") and not measures.is_money("signals_verified_on_time")


def test_measures_use_the_now_they_are_given_not_the_wall_clock(world):
    """A signal due 16 October, not verified: at the scoring's ``now`` of 10 October it is not due yet
    (left out), whatever the wall clock says (7 December)."""
    assign(signal_due(world.luoxi_factory, DUE), None)
    assert compute("signals_verified_on_time", "gov-luoxi").denominator == 1  # the wall clock: missed
    moment = at(datetime.date(2026, 10, 10))
    with measures.as_of(moment):
        assert compute("signals_verified_on_time", "gov-luoxi").denominator == 0
    with time_machine.travel(moment, tick=False), measures.as_of(at(datetime.date(2026, 12, 1))):
        assert compute("signals_verified_on_time", "gov-luoxi").denominator == 1
