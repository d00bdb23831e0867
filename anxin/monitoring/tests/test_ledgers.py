"""The monitoring ledgers on core.ledger: each export keeps its columns and order, with money and
times as typed Excel cells (local time); each screen shows the declared headers; the watch list's
export says which entries an unfiltered file holds."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from anxin.monitoring import scan
from anxin.monitoring.models import Alert, ImmediateReport, Observation, WatchEntry
from anxin.monitoring.tests.factories import observe
from anxin.monitoring.views.alerts import ALERTS
from anxin.monitoring.views.observations import OBSERVATIONS
from anxin.monitoring.views.reports import REPORTS
from anxin.monitoring.views.risk import RISK
from anxin.monitoring.views.screening import SCREENING_TASKS
from anxin.monitoring.views.watch import WATCH

D = datetime.date


@pytest.fixture
def red(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 8_600_000)
    scan.scan(as_of=D(2026, 11, 25))
    return world.luoxi_factory


def sheet(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def row_of(book, uscc: str):
    return next(row for row in book.iter_rows(min_row=5) if uscc in [c.value for c in row])


def minute(value: datetime.datetime) -> datetime.datetime:
    """A time to the minute, in the district's time zone without tzinfo (as the sheet shows it)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def test_the_alert_export_has_typed_times(red, login, office):
    alert = Alert.objects.get(enterprise=red, rule="IMMEDIATE_ARREARS_2M")
    book = sheet(login(office).get("/alerts/", {"export": "xlsx"}))
    assert [c.value for c in book[4]] == [c.label for c in ALERTS.columns]
    row = next(r for r in book.iter_rows(min_row=5) if r[0].value == alert.pk)
    assert minute(row[1].value) == minute(alert.opened_at) and row[1].number_format == "yyyy-mm-dd hh:mm"
    due = timezone.localtime(alert.due_at).date()
    assert row[10].value == datetime.datetime(due.year, due.month, due.day)
    assert row[10].number_format == "yyyy-mm-dd"


def test_the_report_export_has_the_amount_in_yuan_and_typed_times(red, login, office):
    report = ImmediateReport.objects.get(enterprise=red)
    book = sheet(login(office).get("/reports/", {"export": "xlsx"}))
    assert [c.value for c in book[4]] == [c.label for c in REPORTS.columns]
    row = row_of(book, red.uscc)
    assert row[9].value == pytest.approx(86_000) and row[9].number_format == "#,##0.00"
    assert minute(row[1].value) == minute(report.drafted_at)
    assert minute(row[12].value) == minute(report.due_at) and row[12].number_format == "yyyy-mm-dd hh:mm"
    assert row[13].value is None  # not submitted yet
    assert row[11].value == report.get_status_display()


def test_the_observation_export_has_the_month_as_a_date(red, login, office):
    book = sheet(login(office).get("/observations/", {"export": "xlsx", "indicator": "wage_arrears_months"}))
    assert [c.value for c in book[4]] == [c.label for c in OBSERVATIONS.columns]
    row = row_of(book, red.uscc)
    assert row[0].value == datetime.datetime(2026, 11, 1) and row[0].number_format == "yyyy-mm"
    observation = Observation.objects.get(enterprise=red, indicator__code="wage_arrears_months")
    # the figure is a number (not "2 个月" as text), its unit beside the indicator's name
    assert row[4].value == f"{observation.indicator.name}（{observation.indicator.unit}）"
    assert row[5].value == observation.value and isinstance(row[5].value, int)
    assert row[6].value is None and row[7].value is None  # no amount, no yes/no for a count
    assert isinstance(row[10].value, datetime.datetime)


def test_the_risk_export_has_the_day_as_a_date_and_says_its_filters(red, login, office):
    book = sheet(login(office).get("/risk/", {"export": "xlsx", "level": "red"}))
    assert [c.value for c in book[4]] == [c.label for c in RISK.columns]
    row = row_of(book, red.uscc)
    assert row[6].value == datetime.datetime(2026, 11, 25) and row[6].number_format == "yyyy-mm-dd"
    assert isinstance(row[4].value, int)
    assert "等级=红色" in book["A2"].value


def test_an_unfiltered_watch_export_says_it_holds_the_live_entries(red, login, office):
    assert WatchEntry.objects.filter(enterprise=red).exists()
    book = sheet(login(office).get("/watch/", {"export": "xlsx"}))
    assert [c.value for c in book[4]] == [c.label for c in WATCH.columns]
    assert "筛选：状态=待确认与监控中" in book["A2"].value
    row_of(book, red.uscc)


@pytest.mark.parametrize(
    ("url", "ledger"),
    [
        ("/alerts/", ALERTS),
        ("/observations/", OBSERVATIONS),
        ("/risk/", RISK),
        ("/reports/", REPORTS),
        ("/watch/", WATCH),
    ],
)
def test_each_screen_shows_its_declared_headers(red, login, office, url, ledger):
    response = login(office).get(url)
    assert response.context["ledger"] is ledger
    html = response.content.decode()
    labels = [h["label"] for h in ledger.headers]
    assert all(f">{label}</th>" in html for label in labels)


def test_the_screening_tasks_show_the_duty_header_with_its_tooltip(world, login, office):
    from anxin.monitoring import screening

    campaign = screening.campaign_launch(
        actor=office, name="冬季排查", start=D(2026, 11, 1), end=D(2026, 12, 31), kinds=[], towns=[], note=""
    )
    html = login(office).get(f"/screening/{campaign.pk}/").content.decode()
    assert '<th title="已告知企业欠薪5日内书面报告义务（§四(一)）">已告知报告义务</th><th>排查</th>' in html
    book = sheet(login(office).get(f"/screening/{campaign.pk}/", {"export": "xlsx"}))
    assert book["A1"].value == "排查摸底台账：冬季排查（§四(一)）"
    assert [c.value for c in book[4]] == [c.label for c in SCREENING_TASKS.columns]
    assert "结果=全部" in book["A2"].value
