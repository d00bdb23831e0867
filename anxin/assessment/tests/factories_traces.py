"""Factories for the traces part: a case with a mass incident and, before it, two signals — one
verified one working day late by 城建局, one verified in time by 人社局; a score with its scheme."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anxin.assessment.models import Scheme, Score, UnitGroup
from anxin.cases.models import Case, Incident
from anxin.cases.tests.factories import open_case
from anxin.intake.models import Signal
from anxin.intake.tests.factories import signal
from anxin.org.models import Unit
from anxin.registry.tests.factories import EnterpriseFactory

TZ = timezone.get_current_timezone()
BANDS = [
    {"grade": "优秀", "min": 90},
    {"grade": "良好", "min": 80},
    {"grade": "合格", "min": 60},
    {"grade": "不合格", "min": 0},
]


def at(y: int, m: int, d: int, h: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def verified_signal(enterprise: Any, *, unit_code: str, received: datetime.datetime, due: datetime.datetime,
                    verified: datetime.datetime | None) -> Signal:  # fmt: skip
    s = signal(enterprise=enterprise, received_at=received)
    Signal.objects.filter(pk=s.pk).update(
        assigned_unit=Unit.objects.get(code=unit_code), due_at=due, verified_at=verified,
        verification="substantiated" if verified else "pending",
    )  # fmt: skip
    s.refresh_from_db()
    return s


def incident_case(*, people: int = 60, when: datetime.datetime | None = None, enterprise: Any = None) -> Case:
    """A case in 罗溪 with a mass incident on 2026-06-15 (by default) and two signals before it: one
    due Mon 2026-06-01 verified Tue 2026-06-02 (one working day late, 城建局), one due 2026-06-03
    verified 2026-06-02 (in time, 人社局)."""
    when = when or at(2026, 6, 15)
    enterprise = enterprise or EnterpriseFactory()
    verified_signal(enterprise, unit_code="construction", received=at(2026, 5, 25), due=at(2026, 6, 1, 18),
                    verified=at(2026, 6, 2, 18))  # fmt: skip
    verified_signal(enterprise, unit_code="hrss", received=at(2026, 5, 27), due=at(2026, 6, 3, 18),
                    verified=at(2026, 6, 2, 11))  # fmt: skip
    case = open_case(enterprise)
    Incident.objects.create(
        case=case, kind=Incident.Kind.MASS, occurred_at=when, place="厂门口", people=people,
        command_post="罗溪镇现场指挥部", measures="劝导疏散", recorded_at=when, recorded_by=case.opened_by,
    )  # fmt: skip
    return case


def score(unit: Unit, *, year: int = 2026, total: str = "95", actor: Any = None) -> Score:
    scheme = Scheme.objects.create(
        year=year, group=UnitGroup.TOWN if unit.kind == "town_government" else UnitGroup.DEPARTMENT,
        title="测试方案", grade_bands=BANDS, created_by=actor,
    )  # fmt: skip
    return Score.objects.create(
        year=year, unit=unit, scheme=scheme, base=Decimal(total), total=Decimal(total),
        grade_by_points="优秀", grade="优秀",
    )  # fmt: skip
