"""The monitoring screens as each persona meets them: a refused form comes back as typed with the
message at its field; rule codes are shown by their Chinese names."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from anxin.monitoring import scan, screening, sensitive
from anxin.monitoring.models import DailyReport, ImmediateReport, ReportStatus, RiskChange, ScreeningTask
from anxin.monitoring.rules import RULES_BY_CODE
from anxin.monitoring.tests.factories import observe
from anxin.org.models import Town
from anxin.registry.models import EnterpriseKind

D = datetime.date
TZ = timezone.get_current_timezone()
TODAY = timezone.localdate()


@pytest.fixture
def report(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 8_600_000)
    scan.scan(as_of=D(2026, 11, 25))
    return ImmediateReport.objects.get(enterprise=world.luoxi_factory)


# --- §五(二) immediate report: nothing typed is lost -------------------------------------------------


def test_a_report_refused_for_the_missing_judgement_keeps_what_was_typed(report, login, luoxi):
    response = login(luoxi).post(
        f"/reports/{report.pk}/submit/",
        {"risk_judgement": "工人情绪稳定，已安排专人对接", "measures": "镇领导约谈企业主", "workers": "32"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "工人情绪稳定，已安排专人对接" in page and "镇领导约谈企业主" in page and 'value="32"' in page
    assert 'data-testid="error-mass_incident_risk"' in page and "群体性事件" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.measures == ""


def test_a_report_with_a_number_of_workers_that_is_not_a_number_is_refused(report, login, luoxi):
    response = login(luoxi).post(
        f"/reports/{report.pk}/submit/",
        {"mass_incident_risk": "no", "measures": "约谈", "workers": "abc"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-workers"' in page and "涉及人数须为 0 至 100000 的整数" in page
    assert 'value="abc"' in page and "约谈" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT  # not submitted

    response = login(luoxi).post(f"/reports/{report.pk}/save/", {"workers": "abc", "measures": "约谈"})
    assert 'data-testid="error-workers"' in response.content.decode()


def test_the_report_page_names_the_rule_in_chinese(report, login, luoxi):
    page = login(luoxi).get(f"/reports/{report.pk}/").content.decode()
    assert "系统根据规则 IMMEDIATE_ARREARS_2M" not in page
    assert f'data-testid="report-rule">{RULES_BY_CODE[report.rule].name}</span>' in page


# --- §四(一) screening: the campaign and the task forms ---------------------------------------------


def test_a_campaign_refused_for_its_dates_keeps_name_and_requirements(world, login, office):
    response = login(office).post(
        "/screening/",
        {
            "name": "第四季度排查",
            "start": "2026-12-10",
            "end": "2026-12-01",
            "note": "重点查建筑工地",
            "kinds": ["construction"],
            "towns": ["luoxi"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="第四季度排查"' in page and "重点查建筑工地" in page
    assert 'data-testid="error-end"' in page and "截止日期不能早于开始日期" in page
    assert 'value="construction" checked' in page and 'value="luoxi" checked' in page


@pytest.fixture
def campaign(world, office):
    return screening.campaign_launch(
        actor=office,
        name="第四季度排查",
        start=TODAY,
        end=TODAY + datetime.timedelta(days=30),
        kinds=list(EnterpriseKind.objects.filter(code__in=["industrial", "construction"])),
        towns=list(Town.objects.filter(code__in=["luoxi"])),
    )


def test_a_task_refused_keeps_the_answers_and_shows_the_error_at_the_question(campaign, world, login, luoxi):
    task = ScreeningTask.objects.get(campaign=campaign, enterprise=world.luoxi_factory)
    response = login(luoxi).post(
        f"/screening/tasks/{task.pk}/",
        {
            "wages_on_time": "yes",
            "si_paid": "yes",
            "headcount": "77",
            "notes": "企业主配合",
            "duty_informed": "yes",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "企业主配合" in page and 'value="77"' in page
    assert 'data-testid="error-operations_normal"' in page
    task.refresh_from_db()
    assert task.result == ScreeningTask.Result.PENDING


def _full_answer(**changes):
    answer = {
        "wages_on_time": "yes",
        "wage_months_owed": "0",
        "si_paid": "yes",
        "si_months_owed": "0",
        "headcount": "80",
        "operations_normal": "yes",
        "assets_normal": "yes",
        "loans_overdue": "no",
        "private_lending": "no",
        "notes": "",
    }
    answer.update(changes)
    return answer


def test_the_screening_records_that_the_employer_was_told_of_the_5_day_duty(campaign, world, login, luoxi):
    """§四(一): the employer is told it must report arrears in writing within 5 days."""
    task = ScreeningTask.objects.get(campaign=campaign, enterprise=world.luoxi_factory)
    response = login(luoxi).post(f"/screening/tasks/{task.pk}/", _full_answer())
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="error-duty_informed"' in page
    assert "5日内书面报告" in page

    response = login(luoxi).post(f"/screening/tasks/{task.pk}/", _full_answer(duty_informed="yes"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.answers["duty_informed"] is True
    page = login(luoxi).get(f"/screening/tasks/{task.pk}/").content.decode()
    assert 'name="duty_informed" value="yes" checked' in page


def test_the_screening_export_has_the_5_day_duty_column(campaign, world, login, luoxi):
    task = ScreeningTask.objects.get(campaign=campaign, enterprise=world.luoxi_factory)
    login(luoxi).post(f"/screening/tasks/{task.pk}/", _full_answer(duty_informed="yes"))
    response = login(luoxi).get(f"/screening/{campaign.pk}/?export=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and "已告知5日内书面报告义务" in r)
    column = header.index("已告知5日内书面报告义务")
    row = next(r for r in rows if r and r[0] == world.luoxi_factory.name)
    assert row[column] == "是"


# --- §三(一) sensitive periods: a zero report cannot hide a problem ---------------------------------


@pytest.fixture
def period(office):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=TZ), tick=False):
        return sensitive.period_declare(
            actor=office, name="测试敏感时期", start=D(2026, 11, 20), end=D(2026, 11, 30), note="每日报送"
        )


def test_a_zero_report_with_a_problem_written_is_refused_and_the_text_kept(period, login, luoxi):
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, tzinfo=TZ), tick=False):
        response = login(luoxi).post(
            f"/sensitive/{period.pk}/",
            {"day": "2026-11-21", "is_zero": "1", "content": "今日排查发现1家企业延迟发放工资"},
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-content"' in page and "零报告" in page
    assert "今日排查发现1家企业延迟发放工资" in page
    assert not DailyReport.objects.exists()


def test_a_days_report_content_is_shown_on_the_period_page(period, login, luoxi, office):
    with time_machine.travel(datetime.datetime(2026, 11, 21, 10, tzinfo=TZ), tick=False):
        sensitive.daily_report_file(
            actor=luoxi, period=period, day=D(2026, 11, 21), is_zero=False, content="1家企业延迟发放工资"
        )
        # a zero report filed with content before it was refused: its content is shown too
        DailyReport.objects.create(
            period=period,
            unit=luoxi.unit,
            day=D(2026, 11, 20),
            is_zero=True,
            content="旧数据：有情况",
            submitted_by=luoxi,
        )
        for user in (luoxi, office):
            page = login(user).get(f"/sensitive/{period.pk}/").content.decode()
            assert 'data-testid="daily-contents"' in page
            assert "1家企业延迟发放工资" in page and "旧数据：有情况" in page


def test_the_sensitive_page_names_the_parameter_in_chinese(district, login, office):
    page = login(office).get("/sensitive/").content.decode()
    assert "watch.sensitive_percent" not in page.replace('title="watch.sensitive_percent"', "").replace(
        "/watch.sensitive_percent/", ""
    )
    assert "敏感时期回访周期折算比例" in page and "50%" in page


# --- rule names in Chinese ------------------------------------------------------------------------


def test_the_alert_ledger_and_page_name_the_rule_in_chinese(report, login, luoxi):
    client = login(luoxi)
    name = RULES_BY_CODE["IMMEDIATE_ARREARS_2M"].name
    ledger = client.get("/alerts/").content.decode()
    assert f'title="IMMEDIATE_ARREARS_2M">{name}</div>' in ledger
    alert = report.alert
    detail = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'data-testid="alert-rule">{name}</span>' in detail


def test_the_enterprise_risk_tab_names_rules_in_chinese(report, world, login, luoxi):
    assert RiskChange.objects.filter(enterprise=world.luoxi_factory).exists()
    page = login(luoxi).get(f"/enterprises/{world.luoxi_factory.uscc}/?tab=risk").content.decode()
    name = RULES_BY_CODE["IMMEDIATE_ARREARS_2M"].name
    assert f'title="IMMEDIATE_ARREARS_2M">{name}</td>' in page
    changes = page[page.index("等级变化") :]
    assert "IMMEDIATE_ARREARS_2M" not in changes and name in changes
