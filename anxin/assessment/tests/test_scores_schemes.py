"""Schemes (§五(三) 细化考核标准): the district section (checked, a bad entry named, idempotent, an
unknown measure not failing the load), a year's scheme from the district default or last year's, a
draft edited, activation superseding the version in use (hand scores carried, scores recomputed), a
new version, and the refusals (a scheme in use edited in place, a change after finalisation opened,
an unknown measure at activation) leaving the database unchanged."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import time_machine
import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied

from anxin.assessment.models import (
    AssessmentYear,
    HandScore,
    Indicator,
    Scheme,
    SchemeEvent,
    SchemeStatus,
    Score,
    YearStatus,
)
from anxin.assessment.services import schemes
from anxin.assessment.tests import factories_scores as f
from anxin.core.errors import DomainError
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _measures():
    f.register()
    yield
    f.unregister()


@pytest.fixture
def data():
    return yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8"))


def _state() -> tuple:
    return (
        sorted(Scheme.objects.values_list("pk", "status", "version", "title")),
        sorted(Indicator.objects.values_list("pk", "code", "points")),
        SchemeEvent.objects.count(),
        sorted(HandScore.objects.values_list("pk", "points")),
    )


def test_the_district_file_gives_each_group_an_active_version_1_once(data, office):
    with time_machine.travel(f.NOW):
        schemes.assessment_schemes_load(data=data, actor=office)
        schemes.assessment_schemes_load(data=data, actor=office)
    made = Scheme.objects.filter(year=2026)
    assert sorted(made.values_list("group", "version", "status")) == [
        ("department", 1, SchemeStatus.ACTIVE),
        ("town", 1, SchemeStatus.ACTIVE),
    ]
    town = made.get(group="town")
    assert town.indicators.count() == 17
    assert schemes.full_marks(list(town.indicators.all())) == Decimal(100)
    assert [b["grade"] for b in town.grade_bands] == ["优秀", "良好", "合格", "不合格"]
    assert town.events.filter(to_status=SchemeStatus.ACTIVE).count() == 1


def test_the_district_file_never_goes_over_a_year_that_has_a_scheme(data, office):
    f.town_scheme(office, status=SchemeStatus.DRAFT)
    with time_machine.travel(f.NOW):
        schemes.assessment_schemes_load(data=data, actor=office)
    assert Scheme.objects.filter(year=2026, group="town").count() == 1
    assert Scheme.objects.get(year=2026, group="town").status == SchemeStatus.DRAFT


def test_an_unknown_measure_refuses_the_load_naming_the_entry(data, office):
    data["assessment_schemes"][1]["indicators"][0]["measure"] = "not_yet_written"
    with time_machine.travel(f.NOW), pytest.raises(DomainError) as refused:
        schemes.assessment_schemes_load(data=data, actor=office)
    assert "assessment_schemes（区有关部门方案）" in refused.value.message
    assert "线索按时核查" in refused.value.message and "not_yet_written" in refused.value.message
    assert not Scheme.objects.exists() and not Indicator.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d[0].update(group="village"), "第 1 项"),
        (lambda d: d[0]["indicators"][1].update(kind="weird"), "第 2 个指标（alerts）"),
        (lambda d: d[0]["indicators"][0].pop("measure"), "须选择计算口径"),
        (
            lambda d: d[0]["indicators"][10].update(criteria=""),
            "（leadership）：人工评分的指标须写明评分标准",
        ),
        (lambda d: d[0]["indicators"][10].update(points=0), "分值须大于 0"),
        (
            lambda d: d[1].update(grade_bands=[{"grade": "A", "min": 90}, {"grade": "B", "min": 95}]),
            "区有关部门",
        ),
        (lambda d: d[0]["indicators"].append(dict(d[0]["indicators"][0])), "指标代码 signals 重复"),
    ],
)
def test_a_bad_entry_is_refused_naming_itself_and_nothing_is_written(data, office, change, words):
    broken = copy.deepcopy(data)
    change(broken["assessment_schemes"])
    with pytest.raises(DomainError) as refused:
        schemes.assessment_schemes_load(data=broken, actor=office)
    assert words in refused.value.message and "assessment_schemes" in refused.value.message
    assert not Scheme.objects.exists()


def test_a_year_is_created_from_the_district_default_or_a_copy_of_last_year(office):
    previous = f.town_scheme(office)
    Scheme.objects.filter(pk=previous.pk).update(year=2025)
    draft = schemes.scheme_create(actor=office, year=2026, group="town", source=schemes.FROM_LAST_YEAR)
    assert draft.status == SchemeStatus.DRAFT and draft.version == 1 and draft.based_on_id == previous.pk
    assert list(draft.indicators.values_list("code", flat=True)) == [r["code"] for r in f.ROWS]
    fresh = schemes.scheme_create(actor=office, year=2027, group="department")
    assert fresh.indicators.count() == 14 and fresh.title.startswith("区有关部门")


def test_a_unit_user_cannot_create_or_edit_a_scheme(luoxi, office):
    before = _state()
    with pytest.raises(PermissionDenied):
        schemes.scheme_create(actor=luoxi, year=2027, group="town")
    assert _state() == before


def _edit(scheme, office, **changes):
    rows = [
        {
            "code": i.code,
            "name": i.name,
            "kind": i.kind,
            "measure": i.measure,
            "points": i.points,
            "cap": i.cap,
            "settings": i.settings,
            "criteria": i.criteria or "标准",
            "citation": i.citation,
        }
        for i in scheme.indicators.all()
    ]
    args = {
        "title": scheme.title,
        "deduction_cap": scheme.deduction_cap,
        "bonus_cap": scheme.bonus_cap,
        "grade_bands": scheme.grade_bands,
        "indicators": rows,
        **changes,
    }
    return schemes.scheme_update(actor=office, scheme=scheme, **args)


def test_a_draft_is_edited_indicators_added_changed_and_removed(office):
    draft = f.town_scheme(office, status=SchemeStatus.DRAFT)
    rows = [
        {
            "code": "verify",
            "name": "线索按时核查",
            "kind": "computed",
            "measure": "t_verify",
            "points": 70,
            "settings": {"full_at": 0.9, "zero_at": 0.5},
        },
        {"code": "system", "name": "制度建设", "kind": "manual", "points": 30, "criteria": "制定工作方案"},
    ]
    _edit(draft, office, title="新方案", indicators=rows, grade_bands=schemes.parse_bands("A 90\nB 70\nC 0"))
    draft.refresh_from_db()
    assert draft.title == "新方案" and [b["grade"] for b in draft.grade_bands] == ["A", "B", "C"]
    assert list(draft.indicators.values_list("code", "points")) == [
        ("verify", Decimal(70)),
        ("system", Decimal(30)),
    ]
    assert draft.events.filter(action="edit").exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"code": "x", "name": "X", "kind": "computed", "measure": "", "points": 5}, "须选择计算口径"),
        ({"code": "x", "name": "X", "kind": "manual", "points": 5}, "须写明评分标准"),
        ({"code": "x", "name": "X", "kind": "manual", "points": 0, "criteria": "c"}, "分值须大于 0"),
        ({"code": "x", "name": "X", "kind": "deduction", "points": 1}, "须设本项上限"),
        (
            {
                "code": "x",
                "name": "X",
                "kind": "computed",
                "measure": "t_verify",
                "points": 5,
                "settings": {"full_at": 0.4, "zero_at": 0.6},
            },
            "须高于零分线",
        ),
    ],
)
def test_a_bad_row_in_the_editor_is_refused_and_the_draft_unchanged(office, row, words):
    draft = f.town_scheme(office, status=SchemeStatus.DRAFT)
    before = _state()
    with pytest.raises(DomainError) as refused:
        _edit(
            draft,
            office,
            indicators=[
                *[{"code": "lead", "name": "L", "kind": "manual", "points": 10, "criteria": "c"}],
                row,
            ],
        )
    assert words in refused.value.message
    assert _state() == before


def test_a_scheme_in_use_is_never_edited_in_place(office):
    active = f.town_scheme(office)
    before = _state()
    with pytest.raises(DomainError, match="另存新版本"):
        _edit(active, office, title="改")
    assert _state() == before


def test_activating_a_new_version_supersedes_the_one_in_use_carries_hand_scores_and_rescores(office):
    luoxi = Unit.objects.get(code="gov-luoxi")
    with time_machine.travel(f.NOW):
        first = f.town_scheme(office)
        lead = first.indicators.get(code="leadership")
        HandScore.objects.create(indicator=lead, unit=luoxi, points=15, note="有专题部署", scored_by=office)
        draft = schemes.scheme_new_version(actor=office, scheme=first)
        assert draft.version == 2 and draft.based_on_id == first.pk and draft.status == SchemeStatus.DRAFT
        schemes.scheme_activate(actor=office, scheme=draft)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == SchemeStatus.SUPERSEDED and draft.status == SchemeStatus.ACTIVE
    assert draft.activated_by == office and draft.activated_at is not None
    assert HandScore.objects.get(indicator__scheme=draft, unit=luoxi).points == Decimal(15)
    score = Score.objects.get(year=2026, unit=luoxi)
    assert score.scheme_id == draft.pk
    assert score.items.get(indicator__code="leadership").points == Decimal(15)
    assert (
        Score.objects.filter(year=2026, scheme=draft).count()
        == Unit.objects.filter(kind="town_government", is_member=True).count()
    )


def test_activation_refuses_a_measure_no_part_provides_and_changes_nothing(office):
    draft = f.town_scheme(office, status=SchemeStatus.DRAFT)
    Indicator.objects.filter(scheme=draft, code="verify").update(measure="not_there")
    before = _state()
    with pytest.raises(DomainError, match=r"线索按时核查.*not_there"):
        schemes.scheme_activate(actor=office, scheme=draft)
    assert _state() == before and not Score.objects.exists()


@pytest.mark.parametrize("status", [YearStatus.OBJECTION, YearStatus.LOCKED])
def test_nothing_of_a_year_changes_once_its_finalisation_opened(office, status):
    active = f.town_scheme(office)
    draft = schemes.scheme_new_version(actor=office, scheme=active)
    AssessmentYear.objects.create(year=2026, status=status)
    before = _state()
    for attempt in (
        lambda: schemes.scheme_activate(actor=office, scheme=draft),
        lambda: schemes.scheme_new_version(actor=office, scheme=active),
        lambda: _edit(draft, office, title="改"),
        lambda: schemes.scheme_create(actor=office, year=2026, group="department"),
    ):
        with pytest.raises(DomainError, match="考核已开始终评，方案不得变更"):
            attempt()
    assert _state() == before
