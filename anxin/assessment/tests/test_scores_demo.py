"""The scoring part's demo data and its sweep: the district's schemes scored only when every measure
they name is registered (else left to ``tick``, said so); the 考核 sweep registered for ``tick``."""

from __future__ import annotations

import pytest
import time_machine
import yaml
from django.conf import settings

from anxin.assessment import measures, scoring_demo
from anxin.assessment.models import HandScore, Score
from anxin.assessment.services import schemes
from anxin.assessment.tests import factories_scores as f
from anxin.core import seam

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_schemes(office):
    data = yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8"))
    with time_machine.travel(f.NOW):
        schemes.assessment_schemes_load(data=data, actor=office)


@pytest.fixture
def every_measure(district_schemes):
    keys = scoring_demo.unregistered(2026)
    kinds = {
        "findings": measures.POINTS,
        "late_verifications": measures.COUNT,
        "rectification_overdue": measures.COUNT,
    }
    for key in keys:
        measures.register(
            measures.Measure(
                key,
                key,
                kinds.get(key, measures.SHARE),
                "§五(三)",
                key,
                lambda unit, start, end, settings: measures.Result(value=None, numerator=0, denominator=0),
            )
        )
    yield
    for key in keys:
        measures.MEASURES.pop(key, None)


def test_the_demo_waits_for_the_measures(office, district_schemes, monkeypatch):
    said: list[str] = []
    monkeypatch.delitem(measures.MEASURES, "signals_verified_on_time")  # as if its part were not installed
    assert scoring_demo.unregistered(2026) == ["signals_verified_on_time"]
    with time_machine.travel(f.NOW):
        scoring_demo.load(actor=office, log=said.append)
    assert not Score.objects.exists() and "尚缺计算口径" in said[0]


def test_the_district_schemes_name_only_registered_measures_of_the_right_kind(office, district_schemes):
    from anxin.assessment.models import IndicatorKind, Scheme

    assert scoring_demo.unregistered(2026) == []
    for scheme in Scheme.objects.filter(year=2026):
        for indicator in scheme.indicators.exclude(measure=""):
            kind = measures.get(indicator.measure).kind
            if indicator.kind == IndicatorKind.COMPUTED:
                assert kind in (measures.SHARE, measures.COUNT), indicator.code
            else:  # a deduction or bonus counts occurrences or takes points as they are
                assert kind in (measures.COUNT, measures.POINTS), indicator.code


def test_the_demo_scores_every_unit_with_the_real_measures(office, district_schemes):
    said: list[str] = []
    with time_machine.travel(f.NOW):
        scoring_demo.load(actor=office, log=said.append)
    assert Score.objects.filter(year=2026).count() == Score.objects.count() > 20


def test_the_demo_scores_every_unit_with_the_offices_hand_scores(office, every_measure):
    said: list[str] = []
    with time_machine.travel(f.NOW):
        scoring_demo.load(actor=office, log=said.append)
        scoring_demo.load(actor=office, log=said.append)
    assert Score.objects.filter(is_demo=True).count() == Score.objects.count() > 0
    assert HandScore.objects.filter(unit__code="gov-luoxi").count() == 2
    assert Score.objects.get(unit__code="construction").items.get(indicator__code="leadership").points == 8
    assert "已存在" in said[-1] and scoring_demo.real_data() == []


def test_the_provisional_refresh_is_a_tick_sweep():
    labels = [s.label for s in seam.collect(seam.SWEEPS)]
    assert "考核：刷新本年度预评得分" in labels
