"""The grade reaches the earlier apps through the seam only: a computation that makes an enterprise C
announces ``credit.changed``; monitoring re-assesses it with the grade as a screening factor, and the
deposit of a project whose general contractor is C is raised."""

from __future__ import annotations

import pytest

from anxin.credit.services import grades as grade_services
from anxin.credit.tests import factories_grades as f
from anxin.monitoring.models import RiskAssessment
from anxin.sites.services import deposits

pytestmark = pytest.mark.django_db


def test_a_c_grade_is_re_assessed_by_monitoring(world, renshe, django_capture_on_commit_callbacks):
    from django.utils import timezone

    today = timezone.localdate()
    case = f.case_for(world.luoxi_factory)
    for n in range(3):
        f.action(case, "order", today.replace(day=1 + n))
    with django_capture_on_commit_callbacks(execute=True):
        grade_services.grades_compute(actor=renshe, year=today.year)
    assessment = RiskAssessment.objects.get(enterprise=world.luoxi_factory)
    (finding,) = [x for x in assessment.findings if x["rule"] == "SCREENING_RISK"]
    assert f"守法诚信等级C级（{today.year}年度）" in finding["text"]
    assert not RiskAssessment.objects.filter(enterprise=world.xuejia_factory).exists()  # A: not announced


def test_a_c_graded_contractor_has_its_deposit_raised(world, renshe):
    from django.utils import timezone

    today = timezone.localdate()
    grade = f.graded(world.luoxi_builder, today.year, "B")
    grade_services.grade_adjust(actor=renshe, grade=grade, to="C", reasons="复核认定拒不履行")
    history = deposits.arrears_history(world.luoxi_builder, today)
    assert (history.grade, history.grade_year) == ("C", today.year)
