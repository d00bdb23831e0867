"""Computing, confirming and adjusting the year's integrity grades: what is written (and what is not),
the changes of a grade in force, and every refusal — with the clock moved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.credit.models import EnterpriseGrade, GradeChange, GradeYear
from anxin.credit.services import grades as services
from anxin.credit.tests import factories_grades as f

pytestmark = pytest.mark.django_db
D = datetime.date
MID = f.at(D(2026, 6, 15))


@pytest.fixture
def published(monkeypatch):
    seen: list[list[int]] = []
    real = services.events.publish

    def record(topic, **payload):
        seen.append(payload["enterprise_ids"])
        real(topic, **payload)

    monkeypatch.setattr(services.events, "publish", record)
    return seen


@pytest.fixture
def records(world):
    """罗溪纺织: three orders in 2026 (C); 罗溪建设: one order (B); the rest nothing (A)."""
    with time_machine.travel(MID, tick=False):
        case = f.case_for(world.luoxi_factory)
        for day in (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
            f.action(case, "order", day)
        builder = f.case_for(world.luoxi_builder)
        f.action(builder, "order", D(2026, 5, 5))
        f.action(builder, "order", D(2025, 12, 31))  # last year's: not counted
        f.action(builder, "penalty", D(2026, 5, 6), status="cancelled")  # withdrawn: not a finding
    return world


def grade(enterprise: Any, year: int = 2026) -> EnterpriseGrade:
    return EnterpriseGrade.objects.get(enterprise=enterprise, year__year=year)


def test_compute_grades_every_enterprise_with_evidence(records, renshe):
    w = records
    with time_machine.travel(MID, tick=False):
        counts = services.grades_compute(actor=renshe, year=2026)
    assert counts["created"] == counts["graded"] >= 7
    factory = grade(w.luoxi_factory)
    assert (factory.grade, factory.computed) == ("C", "C")
    assert factory.evidence[0]["rule"] == "C_VIOLATIONS"
    assert len(factory.evidence[0]["records"]["actions"]) == 3
    builder = grade(w.luoxi_builder)
    assert builder.grade == "B" and "被查处 1 次" in builder.evidence[0]["text"]
    assert grade(w.xuejia_factory).grade == "A"
    year = GradeYear.objects.get(year=2026)
    assert year.status == "provisional" and year.computed_at == MID
    assert year.params[0]["code"] == "grade.c_violations" and year.params[0]["value"] == 3


def test_a_second_computation_writes_nothing_new(records, renshe, django_assert_max_num_queries):
    with time_machine.travel(MID, tick=False):
        services.grades_compute(actor=renshe, year=2026)
        with django_assert_max_num_queries(20):
            counts = services.grades_compute(actor=renshe, year=2026)
    assert counts["created"] == counts["changed"] == counts["in_force_changed"] == 0
    assert not GradeChange.objects.exists()


def test_a_new_record_changes_the_grade_in_force_with_a_change_row(records, renshe, published):
    w = records
    with time_machine.travel(MID, tick=False):
        services.grades_compute(actor=renshe, year=2026)
        assert published == [sorted([w.luoxi_factory.pk, w.luoxi_builder.pk])]
        f.action(f.case_for(w.luoxi_builder), "referral", D(2026, 6, 1))
        counts = services.grades_compute(actor=renshe, year=2026)
    assert counts["in_force_changed"] == 1
    assert grade(w.luoxi_builder).grade == "C"
    (change,) = GradeChange.objects.all()
    assert (change.from_grade, change.to_grade, change.source) == ("B", "C", "computed")
    assert "移送公安" in change.reasons and change.actor == renshe
    assert published[-1] == [w.luoxi_builder.pk]


def test_a_grade_set_by_hand_is_not_overridden_by_a_computation(records, renshe):
    w = records
    with time_machine.travel(MID, tick=False):
        services.grades_compute(actor=renshe, year=2026)
        services.grade_adjust(actor=renshe, grade=grade(w.luoxi_builder), to="A", reasons="处罚已撤销")
        f.action(f.case_for(w.luoxi_builder), "referral", D(2026, 6, 1))
        services.grades_compute(actor=renshe, year=2026)
    row = grade(w.luoxi_builder)
    assert (row.grade, row.computed, row.adjusted) == ("A", "C", True)


def test_compute_is_refused_once_the_year_is_confirmed(records, renshe):
    with time_machine.travel(f.at(D(2027, 1, 5)), tick=False):
        services.grades_compute(actor=renshe, year=2026)
        services.grades_confirm(actor=renshe, year=2026)
        with pytest.raises(DomainError, match="已于 2027-01-05 确认，不能重新测算"):
            services.grades_compute(actor=renshe, year=2026)


def test_compute_is_refused_for_a_future_year(renshe, district):
    with time_machine.travel(MID, tick=False), pytest.raises(DomainError, match="不能测算未来年度"):
        services.grades_compute(actor=renshe, year=2027)


@pytest.mark.parametrize("persona", ["chengjian", "luoxi", "caizheng", "leader"])
def test_only_renshe_and_the_office_grade(persona, request, records):
    user = request.getfixturevalue(persona)
    with time_machine.travel(MID, tick=False), pytest.raises(PermissionDenied, match="人社局"):
        services.grades_compute(actor=user, year=2026)
    assert not EnterpriseGrade.objects.exists()


def test_the_office_may_compute(records, office):
    with time_machine.travel(MID, tick=False):
        assert services.grades_compute(actor=office, year=2026)["graded"] >= 7


def test_confirm_is_refused_before_the_year_ends_and_allowed_after(records, renshe):
    with time_machine.travel(f.at(D(2026, 12, 31), 20), tick=False):
        services.grades_compute(actor=renshe, year=2026)
        with pytest.raises(DomainError, match="2026年度尚未结束"):
            services.grades_confirm(actor=renshe, year=2026)
    with time_machine.travel(f.at(D(2027, 1, 1), 9), tick=False):
        with pytest.raises(DomainError, match="请先重新测算"):
            services.grades_confirm(actor=renshe, year=2026)
        services.grades_compute(actor=renshe, year=2026)
        year = services.grades_confirm(actor=renshe, year=2026)
        assert year.status == "confirmed" and year.confirmed_by == renshe
        with pytest.raises(DomainError, match="已确认"):
            services.grades_confirm(actor=renshe, year=2026)


def test_confirm_is_refused_for_a_year_never_computed(renshe, district):
    with pytest.raises(DomainError, match="尚未测算"):
        services.grades_confirm(actor=renshe, year=2025)


def test_confirm_is_refused_to_other_units(records, renshe, chengjian):
    with time_machine.travel(f.at(D(2027, 1, 5)), tick=False):
        services.grades_compute(actor=renshe, year=2026)
        with pytest.raises(PermissionDenied):
            services.grades_confirm(actor=chengjian, year=2026)


def test_adjust_needs_reasons_and_another_grade(records, renshe, published):
    w = records
    with time_machine.travel(MID, tick=False):
        services.grades_compute(actor=renshe, year=2026)
    row = grade(w.luoxi_factory)
    with pytest.raises(DomainError, match="须写明理由") as refused:
        services.grade_adjust(actor=renshe, grade=row, to="B", reasons="  ")
    assert refused.value.field == "reasons"
    with pytest.raises(DomainError, match="已是 C 级"):
        services.grade_adjust(actor=renshe, grade=row, to="C", reasons="复核")
    with pytest.raises(DomainError, match="请选择调整后的等级"):
        services.grade_adjust(actor=renshe, grade=row, to="D", reasons="复核")
    change = services.grade_adjust(actor=renshe, grade=row, to="B", reasons="其中一份指令书已撤销")
    assert (change.from_grade, change.to_grade, change.source) == ("C", "B", "adjusted")
    assert row.grade == "B" and row.adjusted
    assert published[-1] == [w.luoxi_factory.pk]


def test_adjust_is_refused_to_a_town(records, renshe, luoxi):
    with time_machine.travel(MID, tick=False):
        services.grades_compute(actor=renshe, year=2026)
    with pytest.raises(PermissionDenied):
        services.grade_adjust(actor=luoxi, grade=grade(records.luoxi_factory), to="A", reasons="x")
    assert grade(records.luoxi_factory).grade == "C"


def test_incidents_referrals_and_listings_are_read_from_the_records(world, renshe):
    w = world
    with time_machine.travel(MID, tick=False):
        f.incident(f.case_for(w.xuejia_factory), "mass", D(2026, 3, 3))
        f.incident(f.case_for(w.xuejia_dispatch), "closure", D(2026, 3, 3))
        f.case_for(w.sanjing_restaurant, mass=True)  # flagged on the case, no incident record
        order = f.action(
            f.case_for(w.menghe_water), "order", D(2026, 2, 2), status="lapsed", completed=D(2026, 2, 13)
        )
        listing = f.listed(w.sanjing_developer, start=D(2024, 3, 1))
        services.grades_compute(actor=renshe, year=2026)
    assert grade(w.xuejia_factory).evidence[0]["rule"] == "C_INCIDENT"
    assert grade(w.xuejia_dispatch).grade == "A"
    assert grade(w.sanjing_restaurant).evidence[0]["rule"] == "C_INCIDENT"
    water = grade(w.menghe_water)
    assert [line["rule"] for line in water.evidence] == ["C_IGNORED"]
    assert water.evidence[0]["records"]["actions"] == [order.pk]
    developer = grade(w.sanjing_developer)
    assert developer.evidence[0]["rule"] == "C_LISTED"
    assert developer.evidence[0]["records"]["listings"] == [listing.pk]


def test_the_sweep_computes_once_a_day_and_last_year_in_january(records, renshe):
    with time_machine.travel(f.at(D(2026, 12, 20)), tick=False):
        assert services.grades_sweep() == 1
        assert services.grades_sweep() == 0  # idempotent the same day
    with time_machine.travel(f.at(D(2027, 1, 2)), tick=False):
        assert services.grades_sweep() == 2  # 2027 and 2026 (January, not confirmed)
        services.grades_confirm(actor=renshe, year=2026)
    with time_machine.travel(f.at(D(2027, 1, 3)), tick=False):
        assert services.grades_sweep() == 1  # 2026 confirmed: only 2027
    with time_machine.travel(f.at(D(2027, 2, 1)), tick=False):
        assert services.grades_sweep() == 1
    assert GradeYear.objects.get(year=2026).status == "confirmed"
