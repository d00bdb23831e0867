"""Periodic reports' services (§五(二)): templates from the district file, periods, prefill, refresh,
save, submit (locked), corrections as new versions, and the missing-report sweep with the clock moved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.notify.models import Notification
from anxin.reports import periods
from anxin.reports.models import MissingReport, PeriodicReport, ReportEvent, ReportStatus, ReportTemplate
from anxin.reports.services import periodic as services
from anxin.reports.tests.factories_periodic import NARRATIVE, at, draft, submitted, travel

pytestmark = pytest.mark.django_db


# --- templates ------------------------------------------------------------------------------------------


def _entry(**kw):
    entry = {
        "code": "t",
        "name": "测试模板",
        "unit_kinds": ["town_government"],
        "figures": ["signals_received"],
        "narrative": [{"code": "risk", "label": "风险研判", "hint": ""}],
        "extras": [{"code": "visits", "label": "走访企业数", "unit": "家"}],
    }
    entry.update(kw)
    return entry


def test_the_district_file_loads_both_templates(district):
    town = ReportTemplate.objects.get(code="town-monthly")
    department = ReportTemplate.objects.get(code="department-monthly")
    assert town.unit_kinds == ["town_government"] and department.unit_kinds == ["department"]
    assert town.frequency_months is None and town.due_day is None  # the parameters apply
    assert [p["label"] for p in town.narrative] == ["风险研判", "主要做法", "存在问题", "下步打算"]
    assert "money_recovered" in town.figures
    assert any(e["unit"] == "元" for e in town.extras)


def test_loading_again_changes_nothing_and_a_dropped_template_is_retired(district, office):
    data = {"report_templates": [_entry()]}
    services.report_templates_load(data=data, actor=office)
    services.report_templates_load(data=data, actor=office)
    assert ReportTemplate.objects.filter(code="t").count() == 1
    assert not ReportTemplate.objects.get(code="town-monthly").active


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_entry(figures=["signals_received", "nonsense"]), "nonsense 不是已定义的指标"),
        (_entry(unit_kinds=["office"]), "office 不是可报送的单位类型"),
        (_entry(due_day=31), "due_day 应为 1–28"),
        (_entry(name=""), "缺少字段 name"),
        (_entry(extras=[{"code": "x"}]), "extras 第 1 项缺少 label"),
    ],
)
def test_a_bad_template_is_refused_naming_the_entry(district, office, entry, message):
    with pytest.raises(DomainError) as refused:
        services.report_templates_load(data={"report_templates": [entry]}, actor=office)
    assert (
        "report_templates 第 1 项（t" in refused.value.message or "第 1 项（无代码）" in refused.value.message
    )
    assert message in refused.value.message
    assert not ReportTemplate.objects.filter(code="t").exists()


# --- periods --------------------------------------------------------------------------------------------


def test_a_monthly_period_is_due_on_the_fifth_of_the_next_month(district):
    span = periods.period_of("2026-12", on=datetime.date(2026, 12, 1))
    assert (span.start, span.end, span.due_on) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 5),
    )
    assert span.basis == "依据 §五(二)，report.frequency_months = 1，report.due_day = 5"


def test_quarterly_periods_start_in_january_and_a_misaligned_key_is_refused(district):
    template = ReportTemplate(frequency_months=3, due_day=10)
    span = periods.period_of("2026-10", template)
    assert (span.end, span.due_on) == (datetime.date(2026, 12, 31), datetime.date(2027, 1, 10))
    with pytest.raises(DomainError, match="不是报告期的起始月"):
        periods.period_of("2026-11", template)
    for bad in ("2026-13", "2026/11", "26-11", ""):
        with pytest.raises(DomainError):
            periods.period_of(bad)


# --- prefill, save, submit --------------------------------------------------------------------------------


def test_a_draft_is_prefilled_for_the_units_scope_with_its_basis_recorded(luoxi):
    report = draft(luoxi)
    assert report.status == ReportStatus.DRAFT and report.version == 1
    assert report.due_on == datetime.date(2026, 12, 5)
    assert report.prefilled_at == at("2026-12-02")
    assert set(report.figures) == set(report.template.figures)
    assert report.figures["signals_received"]["label"] == "收到欠薪线索"
    event = ReportEvent.objects.get(report=report)
    assert event.action == "prefill" and "report.due_day = 5" in event.note
    assert draft(luoxi).pk == report.pk  # asked again: the same draft


def test_a_unit_cannot_report_for_another_unit(luoxi, xuejia):
    with travel("2026-12-02"), pytest.raises(DomainError, match="只能填报、报送本单位"):
        services.report_prefill(actor=luoxi, unit=xuejia.unit, period="2026-11")
    report = draft(xuejia)
    with travel("2026-12-02"), pytest.raises(DomainError, match="只能填报、报送本单位"):
        services.report_submit(actor=luoxi, report=report, narrative=NARRATIVE)
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_a_future_period_is_refused_and_a_running_one_cannot_be_submitted(luoxi):
    with travel("2026-12-02"), pytest.raises(DomainError, match="尚未开始"):
        services.report_prefill(actor=luoxi, unit=luoxi.unit, period="2027-01")
    report = draft(luoxi, period="2026-12", day="2026-12-02")
    with travel("2026-12-31", 23), pytest.raises(DomainError, match="报告期尚未结束"):
        services.report_submit(actor=luoxi, report=report, narrative=NARRATIVE)
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_the_narrative_is_required_and_extras_are_checked(luoxi):
    report = draft(luoxi)
    with travel("2026-12-02"):
        with pytest.raises(DomainError, match="请填写：存在问题、下步打算"):
            services.report_submit(actor=luoxi, report=report, narrative={"risk": "平稳", "practice": "走访"})
        with pytest.raises(DomainError, match="应为不小于 0 的整数"):
            services.report_save(actor=luoxi, report=report, extras={"visits": -1})
        with pytest.raises(DomainError, match="不是本报告模板的指标"):
            services.report_save(actor=luoxi, report=report, extras={"unknown": 1})
        with pytest.raises(DomainError, match="以元为单位"):
            services.report_save(actor=luoxi, report=report, extras={"coordinated": "十二块"})
        services.report_save(
            actor=luoxi,
            report=report,
            narrative={"risk": "平稳"},
            extras={"visits": "12", "coordinated": "1,234.50"},
        )
    report.refresh_from_db()
    assert report.extras == {"visits": 12, "coordinated": 123_450}  # yuan typed, fen kept
    assert report.narrative == {"risk": "平稳"}
    assert report.status == ReportStatus.DRAFT


def test_a_submitted_report_is_locked(luoxi):
    report = submitted(luoxi)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == luoxi
    assert not report.late
    with travel("2026-12-03"):
        with pytest.raises(DomainError, match="已锁定，不能修改"):
            services.report_save(actor=luoxi, report=report, narrative=NARRATIVE)
        with pytest.raises(DomainError, match="已锁定"):
            services.report_refresh(actor=luoxi, report=report)
        with pytest.raises(DomainError, match="已报送"):
            services.report_prefill(actor=luoxi, unit=luoxi.unit, period="2026-11")


def test_refreshing_a_draft_recomputes_its_figures_and_is_recorded(luoxi, world):
    from anxin.intake.tests.factories import signal

    report = draft(luoxi)
    assert report.figures["signals_received"]["value"] == 0
    with travel("2026-12-02"):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20"))
    with travel("2026-12-03"):
        services.report_refresh(actor=luoxi, report=report)
    report.refresh_from_db()
    assert report.figures["signals_received"]["value"] == 1
    assert report.prefilled_at == at("2026-12-03")
    assert list(report.events.values_list("action", flat=True)) == ["prefill", "refresh"]


# --- corrections --------------------------------------------------------------------------------------------


def test_a_correction_is_a_new_version_and_supersedes_the_earlier_when_submitted(luoxi):
    first = submitted(luoxi)
    with travel("2026-12-03"), pytest.raises(DomainError, match="更正须填写理由"):
        services.report_correct(actor=luoxi, report=first, reason="  ")
    with travel("2026-12-03"):
        second = services.report_correct(actor=luoxi, report=first, reason="走访企业数填错")
    assert (second.version, second.status, second.correction_of_id) == (2, ReportStatus.DRAFT, first.pk)
    first.refresh_from_db()
    assert first.status == ReportStatus.SUBMITTED  # in force until the correction is submitted
    with travel("2026-12-03", 15):
        services.report_submit(actor=luoxi, report=second, narrative={**NARRATIVE, "plans": "更正后的打算"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED and second.status == ReportStatus.SUBMITTED
    assert PeriodicReport.objects.filter(unit=luoxi.unit, period="2026-11").current().get() == second
    assert "走访企业数填错" in first.events.get(action="supersede").note
    with travel("2026-12-04"), pytest.raises(DomainError, match="现行有效"):
        services.report_correct(actor=luoxi, report=first, reason="再改")


# --- missing reports ------------------------------------------------------------------------------------------


def test_missing_reports_are_flagged_from_the_day_after_the_due_day_once_to_the_unit_and_the_office(
    luoxi, xuejia, office, django_capture_on_commit_callbacks
):
    submitted(xuejia, day="2026-12-04")
    with travel("2026-12-04", 23):
        assert services.missing_reports_flag() == 0  # not before the due day
    with travel("2026-12-05", 1):
        assert services.missing_reports_flag() == 0  # nor on it: a report that day is on time
    with travel("2026-12-05", 23):
        assert services.missing_reports_flag() == 0
    with travel("2026-12-06", 1), django_capture_on_commit_callbacks(execute=True):
        flagged = services.missing_reports_flag()
    expected = (
        services.expected_units(ReportTemplate.objects.get(code="town-monthly")).count()
        + services.expected_units(ReportTemplate.objects.get(code="department-monthly")).count()
    )
    assert flagged == expected - 1  # everyone but 薛家镇
    assert not MissingReport.objects.filter(unit=xuejia.unit).exists()
    missing = MissingReport.objects.get(unit=luoxi.unit)
    assert (missing.period, missing.due_on) == ("2026-11", datetime.date(2026, 12, 5))
    assert Notification.objects.filter(recipient=luoxi, subject__contains="逾期未报").count() == 1
    assert Notification.objects.filter(recipient=office, subject__contains="罗溪镇").count() == 1
    with travel("2026-12-07"):
        assert services.missing_reports_flag() == 0  # once
    report = draft(luoxi, day="2026-12-08")
    with travel("2026-12-08", 11):
        services.report_submit(actor=luoxi, report=report, narrative=NARRATIVE)
    missing.refresh_from_db()
    report.refresh_from_db()
    assert missing.submitted_at == at("2026-12-08", 11)
    assert report.late


def test_a_tick_outage_across_a_period_still_flags_it(luoxi, xuejia):
    """The sweep looks back over the recent periods, not only the last ended one."""
    submitted(xuejia, period="2026-10", day="2026-11-02")  # reporting under way since October
    with travel("2027-01-07", 1):  # no tick since November: November's due day passed unseen
        services.missing_reports_flag()
    flagged = set(MissingReport.objects.filter(unit=luoxi.unit).values_list("period", flat=True))
    assert flagged == {"2026-10", "2026-11", "2026-12"}
    assert set(MissingReport.objects.filter(unit=xuejia.unit).values_list("period", flat=True)) == {
        "2026-11",
        "2026-12",
    }
    with travel("2027-01-08", 1):
        assert services.missing_reports_flag() == 0  # still once each


def test_the_sweep_does_not_reach_before_reporting_began(luoxi):
    with travel("2026-12-06", 1):
        services.missing_reports_flag()
    assert set(MissingReport.objects.filter(unit=luoxi.unit).values_list("period", flat=True)) == {"2026-11"}


def test_figures_are_recomputed_at_submission_and_recorded(luoxi, world):
    """Drafted during the period, submitted after it: the figures are the whole period's."""
    from anxin.intake.tests.factories import signal

    report = draft(luoxi, day="2026-11-05")
    assert report.figures["signals_received"]["value"] == 0
    with travel("2026-11-20"):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20"))
    with travel("2026-12-02", 11):
        services.report_submit(actor=luoxi, report=report, narrative=NARRATIVE)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.figures["signals_received"]["value"] == 1
    assert report.prefilled_at == at("2026-12-02", 11)
    assert report.events.filter(action="refresh", note__contains="报送时").exists()


def test_correcting_an_on_time_report_keeps_it_on_time_and_tells_nobody_it_is_late(
    luoxi, office, django_capture_on_commit_callbacks
):
    first = submitted(luoxi, day="2026-12-03")
    assert not first.late
    with travel("2026-12-10"):
        second = services.report_correct(actor=luoxi, report=first, reason="走访企业数填错")
    with travel("2026-12-10", 11), django_capture_on_commit_callbacks(execute=True):
        services.report_submit(actor=luoxi, report=second, narrative=NARRATIVE)
    second.refresh_from_db()
    assert second.submitted_at == at("2026-12-10", 11)
    assert second.first_submitted_at == at("2026-12-03", 11)
    assert not second.late
    assert not second.events.filter(action="submit", note="逾期报送").exists()
    assert not Notification.objects.filter(recipient=office, subject__contains="逾期").exists()


def test_correcting_a_late_report_stays_late_without_a_second_notice(
    luoxi, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = submitted(luoxi, day="2026-12-08")
    assert first.late
    with travel("2026-12-10"):
        second = services.report_correct(actor=luoxi, report=first, reason="更正")
    with travel("2026-12-10", 11), django_capture_on_commit_callbacks(execute=True):
        services.report_submit(actor=luoxi, report=second, narrative=NARRATIVE)
    second.refresh_from_db()
    assert second.late
    assert Notification.objects.filter(recipient=office, subject__contains="逾期").count() == 1


def test_a_double_prefill_at_once_is_refused_not_a_500(luoxi, monkeypatch):
    draft(luoxi)
    real = PeriodicReport.objects.filter

    class Blind:
        def __init__(self, qs):
            self.qs = qs

        def order_by(self, *a):
            return self

        def first(self):
            return None  # the other request's row is not yet seen

    monkeypatch.setattr(
        PeriodicReport.objects,
        "filter",
        lambda *a, **kw: Blind(real(*a, **kw)) if kw.keys() == {"unit", "period"} else real(*a, **kw),
    )
    with travel("2026-12-02"), pytest.raises(DomainError) as refused:
        services.report_prefill(actor=luoxi, unit=luoxi.unit, period="2026-11")
    assert refused.value.code == "exists"
    assert PeriodicReport.objects.count() == 1


def test_a_double_correction_at_once_is_refused_not_a_500(luoxi, monkeypatch):
    first = submitted(luoxi, day="2026-12-03")
    with travel("2026-12-04"):
        services.report_correct(actor=luoxi, report=first, reason="一")
    real = PeriodicReport.objects.filter

    class Blind:
        def exists(self):
            return False  # the other request's draft is not yet seen

    monkeypatch.setattr(
        PeriodicReport.objects,
        "filter",
        lambda *a, **kw: Blind() if kw.get("status") == ReportStatus.DRAFT else real(*a, **kw),
    )
    with travel("2026-12-04"), pytest.raises(DomainError) as refused:
        services.report_correct(actor=luoxi, report=first, reason="二")
    assert refused.value.code == "exists"
    assert PeriodicReport.objects.filter(unit=luoxi.unit).count() == 2


def test_the_period_basis_is_stored_at_prefill(luoxi):
    report = draft(luoxi)
    assert report.basis.startswith("依据 §五(二)") and "report.due_day = 5" in report.basis
    assert report.period_label == "2026年11月"


def test_only_the_system_or_the_units_own_user_may_write(luoxi, office, leader):
    with travel("2026-12-02"):
        for someone in (office, leader):
            with pytest.raises((DomainError, PermissionDenied)):
                services.report_prefill(actor=someone, unit=luoxi.unit, period="2026-11")
