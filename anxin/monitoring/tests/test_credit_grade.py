"""The integrity grade as a risk factor (§三(七)): the scan reads it through the seam (credit keeps it;
monitoring never imports credit) once per chunk, scores it with its parameter, and re-assesses an
enterprise when credit announces a change."""

from __future__ import annotations

import datetime

import pytest

from anxin.core import events, seam
from anxin.core.seam import CreditStanding
from anxin.monitoring import scan
from anxin.monitoring.models import RiskAssessment

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(monkeypatch, world):
    """罗溪纺织 is C for 2026 as far as the seam says; the calls are counted."""
    calls: list[list[int]] = []

    def standing(ids, on=None):
        calls.append(list(ids))
        return (
            {world.luoxi_factory.pk: CreditStanding(grade="C", grade_year=2026)}
            if world.luoxi_factory.pk in ids
            else {}
        )

    monkeypatch.setattr(scan.seam, "enterprise_credit", standing)
    return calls


def test_load_facts_asks_the_seam_once_per_chunk(graded, world):
    ids = [world.luoxi_factory.pk, world.xuejia_factory.pk]
    facts = scan.load_facts(ids, D(2026, 11, 25))
    assert len(graded) == 1 and sorted(graded[0]) == sorted(ids)
    assert (facts[world.luoxi_factory.pk].grade, facts[world.luoxi_factory.pk].grade_year) == ("C", 2026)
    assert facts[world.xuejia_factory.pk].grade == ""


def test_a_c_grade_is_scored_and_shown_in_the_assessment(graded, world):
    scan.scan(as_of=D(2026, 11, 25), enterprise_ids=[world.luoxi_factory.pk, world.xuejia_factory.pk])
    assessment = RiskAssessment.objects.get(enterprise=world.luoxi_factory)
    (finding,) = [f for f in assessment.findings if f["rule"] == "SCREENING_RISK"]
    assert "守法诚信等级C级（2026年度）（30分）" in finding["text"]
    assert any(p["code"] == "screen.points_grade_c" and p["value"] == 30 for p in finding["params"])
    # 30 points, plus the labour-intensive weight of a risky enterprise: yellow (≥20)
    assert assessment.level == "yellow" and assessment.points >= 30
    assert RiskAssessment.objects.get(enterprise=world.xuejia_factory).level == "none"


def test_credit_changed_re_assesses_the_enterprises(graded, world, django_capture_on_commit_callbacks):
    assert not RiskAssessment.objects.filter(enterprise=world.luoxi_factory).exists()
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(seam.CREDIT_CHANGED, enterprise_ids=[world.luoxi_factory.pk])
    assert RiskAssessment.objects.get(enterprise=world.luoxi_factory).points >= 30
