"""The grade reaches the earlier apps through the seam only: a computation that makes an enterprise C
announces ``credit.changed``; monitoring re-assesses it with the grade as a screening factor, and the
deposit of a project whose general contractor is C is raised."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from anxin.core import seam
from anxin.credit.models import EnterpriseGrade, GradeYear, GradeYearStatus
from anxin.credit.services import grades as grade_services
from anxin.credit.tests import factories_grades as f
from anxin.monitoring.models import RiskAssessment
from anxin.sites.services import deposits

pytestmark = pytest.mark.django_db


@time_machine.travel("2027-01-10 10:00 +0800")
def test_a_c_grade_reaches_monitoring_once_confirmed(world, renshe, django_capture_on_commit_callbacks):
    case = f.case_for(world.luoxi_factory)
    for n in range(3):
        f.action(case, "order", datetime.date(2026, 6, 1 + n))

    def grade_texts() -> list[str]:
        return [
            x["text"]
            for a in RiskAssessment.objects.filter(enterprise=world.luoxi_factory)
            for x in a.findings
            if "守法诚信等级" in x["text"]
        ]

    with django_capture_on_commit_callbacks(execute=True):
        grade_services.grades_compute(actor=renshe, year=2026)
    assert grade_texts() == []  # computed, not yet confirmed: not in force
    with django_capture_on_commit_callbacks(execute=True):
        grade_services.grades_confirm(actor=renshe, year=2026)
    (text,) = grade_texts()
    assert "守法诚信等级C级（2026年度）" in text
    assert not RiskAssessment.objects.filter(enterprise=world.xuejia_factory).exists()  # A: not announced


def test_a_provisional_year_does_not_replace_the_confirmed_grade(world):
    confirmed = f.graded(world.luoxi_factory, 2025, "C")
    GradeYear.objects.filter(pk=confirmed.year_id).update(status=GradeYearStatus.CONFIRMED)
    f.graded(world.luoxi_factory, 2026, "A")  # this year, still being computed
    standing = seam.enterprise_credit([world.luoxi_factory.pk], datetime.date(2026, 1, 3))[
        world.luoxi_factory.pk
    ]
    assert (standing.grade, standing.grade_year, standing.grade_confirmed) == ("C", 2025, True)


def test_a_c_graded_contractor_has_its_deposit_raised(world, renshe):
    from django.utils import timezone

    today = timezone.localdate()
    grade = f.graded(world.luoxi_builder, today.year, "B")
    grade_services.grade_adjust(actor=renshe, grade=grade, to="C", reasons="复核认定拒不履行")
    history = deposits.arrears_history(world.luoxi_builder, today)
    assert (history.grade, history.grade_year) == ("C", today.year)


def test_the_seam_tells_when_a_later_years_grade_comes_into_force(world):
    # Monitoring's assessments stand until then at the latest (rules.horizon): the date alone changes
    # the grade in force on 1 January of a year already graded.
    for year, grade in ((2025, "A"), (2026, "C")):
        graded = f.graded(world.luoxi_factory, year, grade)
        GradeYear.objects.filter(pk=graded.year_id).update(status=GradeYearStatus.CONFIRMED)
    f.graded(world.xuejia_factory, 2027, "C")  # computed only: not in force, no edge
    adjusted = f.graded(world.sanjing_restaurant, 2027, "B")  # set by hand: in force from 2027
    EnterpriseGrade.objects.filter(pk=adjusted.pk).update(adjusted=True)
    ids = [world.luoxi_factory.pk, world.xuejia_factory.pk, world.sanjing_restaurant.pk]
    found = seam.enterprise_credit(ids, datetime.date(2025, 6, 1))
    luoxi = found[world.luoxi_factory.pk]
    assert (luoxi.grade, luoxi.grade_year, luoxi.grade_changes_on) == ("A", 2025, datetime.date(2026, 1, 1))
    assert world.xuejia_factory.pk not in found
    sanjing = found[world.sanjing_restaurant.pk]  # no grade yet, one on its way
    assert (sanjing.grade, sanjing.blacklisted, sanjing.grade_changes_on) == (
        "",
        False,
        datetime.date(2027, 1, 1),
    )
    found = seam.enterprise_credit(ids, datetime.date(2026, 1, 1))
    assert (found[world.luoxi_factory.pk].grade, found[world.luoxi_factory.pk].grade_changes_on) == (
        "C",
        None,
    )


@time_machine.travel("2027-01-10 10:00 +0800")
def test_a_chunk_of_many_enterprises_is_answered_as_a_few_are(world, renshe):
    """Over 50 ids the seam first reads which have any listing or grade (by id range): the same
    answer as the one query for a few."""
    case = f.case_for(world.luoxi_factory)
    for n in range(3):
        f.action(case, "order", datetime.date(2026, 6, 1 + n))
    grade_services.grades_compute(actor=renshe, year=2026)
    grade_services.grades_confirm(actor=renshe, year=2026)
    on = datetime.date(2027, 1, 10)
    few = seam.enterprise_credit([world.luoxi_factory.pk, world.xuejia_factory.pk], on=on)
    assert few[world.luoxi_factory.pk].grade == "C"
    padding = [world.luoxi_factory.pk + 1000 + n for n in range(60)]  # ids with nothing on record
    many = seam.enterprise_credit([world.luoxi_factory.pk, world.xuejia_factory.pk, *padding], on=on)
    assert many == few
