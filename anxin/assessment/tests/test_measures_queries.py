"""Each measure's query count is bounded and does not grow with its records: the same count for 3
records as for 30."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.assessment import measures
from anxin.assessment.tests.factories_measures import (
    DUE,
    END,
    NEXT_WORKDAY,
    START,
    alert_due,
    at,
    campaign,
    case_due,
    decision_state,
    decisions,
    frozen,
    immediate_due,
    periodic,
    signal_due,
    task,
    unit,
    watched,
)

pytestmark = pytest.mark.django_db

BOUND = 12


@pytest.fixture(autouse=True)
def clock():
    with frozen():
        yield


def _enterprises(n: int) -> list[Any]:
    from anxin.registry.tests.factories import enterprise

    return [enterprise(town="luoxi", name=f"罗溪测试企业{i:03d}有限公司") for i in range(n)]


def _signals(ctx: dict, n: int) -> None:
    for i in range(n):
        signal_due(ctx["world"].luoxi_factory, DUE, at(NEXT_WORKDAY) if i % 2 else None)


def _alerts(ctx: dict, n: int) -> None:
    for i in range(n):
        alert_due(ctx["world"].luoxi_factory, DUE, at(NEXT_WORKDAY) if i % 2 else None)


def _immediate(ctx: dict, n: int) -> None:
    for i in range(n):
        immediate_due(ctx["world"].luoxi_factory, at(DUE), at(DUE) if i % 2 else None)


def _cases(ctx: dict, n: int) -> None:
    for i in range(n):
        case_due(ctx["world"].luoxi_factory, DUE, at(NEXT_WORKDAY) if i % 2 else None)


def _followups(ctx: dict, n: int) -> None:
    for e in _enterprises(n):
        watched(
            e, confirmed=datetime.date(2026, 10, 2), visits=(datetime.date(2026, 10, 9),), by=ctx["office"]
        )


def _decisions(ctx: dict, n: int) -> None:
    for i, d in enumerate(decisions(ctx["office"], ctx["convener"], "gov-luoxi", n)):
        decision_state(d, due=DUE, status="done" if i % 2 else "open", completed=DUE if i % 2 else None)


def _publicity(ctx: dict, n: int) -> None:
    from anxin.reports.tests.factories_periodic import publicity

    for i in range(n):
        publicity("gov-luoxi", f"2026-10-{1 + i % 28:02d}", audience=10, actor=ctx["luoxi"])


def _screening(ctx: dict, n: int) -> None:
    round_ = ctx.setdefault("campaign", campaign(ctx["office"]))
    for i, e in enumerate(_enterprises(n)):
        task(round_, e, at(datetime.date(2026, 10, 10)) if i % 2 else None, by=ctx["luoxi"])


def _arrears(ctx: dict, n: int) -> None:
    from anxin.cases.tests.factories import open_case
    from anxin.money.tests.factories_claims import confirmed, pay

    with time_machine.travel(at(datetime.date(2026, 10, 12)), tick=False):
        for _ in range(n):
            case = open_case(ctx["world"].luoxi_factory, separate=True)
            first, _second = confirmed(case, actor=ctx["luoxi"], confirmer=ctx["renshe"])
            pay(first, 1_000_000, actor=ctx["renshe"])


BUILDERS: dict[str, Callable[[dict, int], None]] = {
    "signals_verified_on_time": _signals,
    "late_verifications": _signals,
    "alerts_handled_on_time": _alerts,
    "immediate_reports_on_time": _immediate,
    "cases_closed_on_time": _cases,
    "overdue_cases": _cases,
    "followups_on_time": _followups,
    "decisions_on_time": _decisions,
    "publicity_held": _publicity,
    "screening_coverage": _screening,
    "arrears_recovered": _arrears,
}


def _count(key: str, start: datetime.date = START, end: datetime.date = END) -> tuple[int, measures.Result]:
    with CaptureQueriesContext(connection) as queries:
        result = measures.get(key).compute(unit("gov-luoxi"), start, end, {})
    return len(queries), result


@pytest.mark.parametrize("key", sorted(BUILDERS))
def test_queries_do_not_grow_with_records(
    key, world, office, convener, luoxi, renshe, django_assert_max_num_queries
):
    ctx = {"world": world, "office": office, "convener": convener, "luoxi": luoxi, "renshe": renshe}
    build = BUILDERS[key]
    build(ctx, 3)
    few, small = _count(key)
    build(ctx, 27)
    many, large = _count(key)
    assert len(large.records) > len(small.records)
    assert few == many, f"{key}: {few} queries for the few, {many} for the many"
    with django_assert_max_num_queries(BOUND):
        measures.get(key).compute(unit("gov-luoxi"), START, END, {})


def test_periodic_report_queries_do_not_grow_with_periods(luoxi, django_assert_max_num_queries):
    for month in range(1, 12):
        periodic("gov-luoxi", f"2026-{month:02d}", first=at(datetime.date(2026, month + 1, 5)), by=luoxi)
    few, small = _count("periodic_reports_on_time", datetime.date(2026, 2, 1), datetime.date(2026, 4, 30))
    many, large = _count("periodic_reports_on_time", datetime.date(2026, 2, 1), datetime.date(2026, 12, 31))
    assert (len(small.records), len(large.records)) == (3, 11)
    assert few == many
    with django_assert_max_num_queries(BOUND):
        measures.get("periodic_reports_on_time").compute(
            unit("gov-luoxi"), datetime.date(2026, 2, 1), datetime.date(2026, 12, 31), {}
        )
