"""Hand scores (§五(三)): the office scores a manual item (or a deduction or bonus by hand) within its
limit, with a note and evidence checked by content; the unit's score follows at once. Refused: above
the limit, negative, no note, a computed item, a unit of another group, a year not open, a unit user
— the database unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.assessment.models import AssessmentFile, AssessmentYear, HandScore, Score, YearStatus
from anxin.assessment.services import hand_scores
from anxin.assessment.tests import factories_scores as f
from anxin.core.errors import DomainError
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _measures():
    f.register()
    yield
    f.unregister()


@pytest.fixture
def scheme(office):
    return f.town_scheme(office)


def _luoxi() -> Unit:
    return Unit.objects.get(code="gov-luoxi")


def _state():
    return (
        sorted(HandScore.objects.values_list("pk", "points", "note")),
        AssessmentFile.objects.count(),
        sorted(Score.objects.values_list("pk", "total")),
    )


def test_a_manual_item_is_scored_with_a_note_and_evidence_and_the_score_follows(office, scheme):
    lead = scheme.indicators.get(code="leadership")
    with time_machine.travel(f.NOW):
        hand = hand_scores.hand_score_set(
            actor=office,
            indicator=lead,
            unit=_luoxi(),
            points="17.5",
            note="主要负责人牵头，专题研究两次",
            evidence=[hand_scores.Paper(name="会议纪要.pdf", content=PDF)],
        )
    assert hand.points == Decimal("17.5") and hand.files.get().kind == AssessmentFile.Kind.EVIDENCE
    item = Score.objects.get(unit=_luoxi(), year=2026).items.get(indicator=lead)
    assert item.points == Decimal("17.5") and "专题研究两次" in item.note


def test_scoring_again_replaces_the_points(office, scheme):
    lead = scheme.indicators.get(code="leadership")
    with time_machine.travel(f.NOW):
        hand_scores.hand_score_set(actor=office, indicator=lead, unit=_luoxi(), points=10, note="初评")
        hand_scores.hand_score_set(actor=office, indicator=lead, unit=_luoxi(), points=12, note="复核")
    assert list(HandScore.objects.values_list("points", "note")) == [(Decimal(12), "复核")]


def test_a_bonus_by_hand_is_held_at_its_cap(office, scheme):
    bonus = scheme.indicators.get(code="innovation")
    assert hand_scores.limit_of(bonus) == Decimal(3)
    with pytest.raises(DomainError, match=r"最多 3\.00 分"):
        hand_scores.hand_score_set(actor=office, indicator=bonus, unit=_luoxi(), points=4, note="受表彰")


@pytest.mark.parametrize(
    ("code", "points", "note", "words"),
    [
        ("leadership", "20.01", "说明", "最多 20.00 分"),
        ("leadership", "-1", "说明", "不能为负数"),
        ("leadership", "5", "  ", "请写明评分说明"),
        ("leadership", "abc", "说明", "分数应为数字"),
        ("verify", "5", "说明", "自动计算"),
    ],
)
def test_a_hand_score_out_of_bounds_is_refused_and_nothing_changes(office, scheme, code, points, note, words):
    before = _state()
    with pytest.raises(DomainError, match=words):
        hand_scores.hand_score_set(
            actor=office, indicator=scheme.indicators.get(code=code), unit=_luoxi(), points=points, note=note
        )
    assert _state() == before


def test_a_file_that_is_not_what_it_says_is_refused_with_the_score(office, scheme):
    before = _state()
    with pytest.raises(DomainError):
        hand_scores.hand_score_set(
            actor=office,
            indicator=scheme.indicators.get(code="leadership"),
            unit=_luoxi(),
            points=5,
            note="说明",
            evidence=[hand_scores.Paper(name="x.pdf", content=b"MZ not a pdf")],
        )
    assert _state() == before


def test_a_department_is_not_scored_under_the_town_scheme(office, scheme):
    with pytest.raises(DomainError, match="不适用"):
        hand_scores.hand_score_set(
            actor=office,
            indicator=scheme.indicators.get(code="leadership"),
            unit=Unit.objects.get(code="construction"),
            points=5,
            note="说明",
        )


@pytest.mark.parametrize("status", [YearStatus.OBJECTION, YearStatus.LOCKED])
def test_no_hand_score_once_the_year_is_not_open(office, scheme, status):
    AssessmentYear.objects.create(year=2026, status=status)
    before = _state()
    with pytest.raises(DomainError, match="考核已开始终评"):
        hand_scores.hand_score_set(
            actor=office,
            indicator=scheme.indicators.get(code="leadership"),
            unit=_luoxi(),
            points=5,
            note="说明",
        )
    assert _state() == before


def test_only_the_office_scores_by_hand(luoxi, leader, scheme):
    for user in (luoxi, leader):
        with pytest.raises(PermissionDenied):
            hand_scores.hand_score_set(
                actor=user,
                indicator=scheme.indicators.get(code="leadership"),
                unit=_luoxi(),
                points=5,
                note="x",
            )
    assert not HandScore.objects.exists()
