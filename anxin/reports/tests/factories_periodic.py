"""Builders for the periodic reports' tests: a month of records in and out of a town's territory and
a department's line, and in and out of the period's dates; reports at each stage."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from anxin.cases.tests.factories import open_case
from anxin.intake.tests.factories import signal
from anxin.money.services import payment_record
from anxin.money.tests.factories_claims import confirmed
from anxin.org.models import Unit
from anxin.reports.models import PeriodicReport, PublicityActivity
from anxin.reports.services import periodic as services

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = "2026-11"
NARRATIVE = {"risk": "总体平稳", "practice": "逐企走访", "problems": "台账不全", "plans": "节前专项检查"}


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def travel(day: str, hour: int = 10) -> Any:
    return time_machine.travel(at(day, hour), tick=False)


def publicity(unit_code: str, day: str, *, audience: int, actor: Any) -> PublicityActivity:
    return PublicityActivity.objects.create(
        unit=Unit.objects.get(code=unit_code),
        date=datetime.date.fromisoformat(day),
        kind="law",
        title="普法宣传",
        place="广场",
        audience=audience,
        recorded_by=actor,
    )


def month_of_records(world: Any, *, office: Any, renshe: Any) -> SimpleNamespace:
    """November 2026 (the period) and October (before it), in 罗溪 and in 薛家:

    - signals: 罗溪纺织 3 in November (12333 ×2, 信访 ×1), 1 in October; 罗溪建设 1 in November
      (12333); 薛家机械 2 in November;
    - cases: 罗溪建设 opened 5 November (with two confirmed claims, one paid in full on 15 November
      — ¥10,000 — and ¥5,000 paid on 20 October to the other, before the period); 薛家机械 opened
      in November; 罗溪纺织 opened in October;
    - publicity: 罗溪镇 two activities in November (audience 100 and 50), one in October;
      城建局 one in November (audience 30)."""
    w = SimpleNamespace(world=world)
    with travel("2026-10-20"):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-10-19"))
        w.october_case = open_case(world.luoxi_factory, actor=office, now=at("2026-10-20"))
        publicity("gov-luoxi", "2026-10-03", audience=999, actor=office)
    with travel("2026-11-05"):
        w.case = open_case(world.luoxi_builder, actor=office, now=at("2026-11-05"))
        w.xuejia_case = open_case(world.xuejia_factory, actor=office, now=at("2026-11-05"))
        w.claims = confirmed(w.case, actor=office, confirmer=renshe, amounts=(1_000_000, 2_000_000))
        payment_record(
            actor=office,
            claim=w.claims[1],
            amount=500_000,
            paid_on=datetime.date(2026, 10, 20),
            source="employer",
        )
    with travel("2026-11-15"):
        for n in range(2):
            signal(enterprise=world.luoxi_factory, received_at=at("2026-11-10", 9 + n))
        signal(enterprise=world.luoxi_factory, channel_code="petition", received_at=at("2026-11-11"))
        signal(enterprise=world.luoxi_builder, received_at=at("2026-11-12"))
        for n in range(2):
            signal(enterprise=world.xuejia_factory, received_at=at("2026-11-13", 9 + n))
        payment_record(
            actor=office,
            claim=w.claims[0],
            amount=1_000_000,
            paid_on=datetime.date(2026, 11, 15),
            source="employer",
        )
        publicity("gov-luoxi", "2026-11-03", audience=100, actor=office)
        publicity("gov-luoxi", "2026-11-28", audience=50, actor=office)
        publicity("construction", "2026-11-10", audience=30, actor=office)
    return w


def draft(user: Any, *, period: str = PERIOD, day: str = "2026-12-02") -> PeriodicReport:
    with travel(day):
        return services.report_prefill(actor=user, unit=user.unit, period=period)


def submitted(user: Any, *, period: str = PERIOD, day: str = "2026-12-02") -> PeriodicReport:
    report = draft(user, period=period, day=day)
    with travel(day, 11):
        return services.report_submit(actor=user, report=report, narrative=NARRATIVE)
