"""The figures a report is prefilled with are exactly what the ledgers show for the same scope and
dates (§五(二); issue #18 "tested against the selectors"): for a town (罗溪镇: its territory) and for a
department (城建局: its line), with records inside and outside the scope and the dates."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Sum

from anxin.cases.selectors import case_list
from anxin.intake.selectors import signal_list
from anxin.money.claims_views import payment_list
from anxin.monitoring.selectors import alert_list, report_list, watch_list
from anxin.reports import figures
from anxin.reports.tests.factories_periodic import month_of_records

pytestmark = pytest.mark.django_db

NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


@pytest.fixture
def records(world, office, renshe):
    return month_of_records(world, office=office, renshe=renshe)


def _values(unit):
    return {code: cell["value"] for code, cell in figures.figures_for(unit, *NOV).items()}


def test_a_towns_figures_equal_its_ledgers_and_the_hand_count(records, luoxi):
    got = _values(luoxi.unit)
    start, end = NOV
    # the ledger selectors, as the town's own user sees them, for the same dates
    assert got["signals_received"] == signal_list(user=luoxi, date_from=start, date_to=end).count()
    assert (
        got["signals_channel_petition"]
        == signal_list(user=luoxi, channel="petition", date_from=start, date_to=end).count()
    )
    assert got["cases_opened"] == case_list(user=luoxi, date_from=start, date_to=end).count()
    assert got["alerts_opened"] == alert_list(user=luoxi, date_from=start, date_to=end).count()
    assert got["watch_proposed"] == watch_list(user=luoxi, status="", date_from=start, date_to=end).count()
    assert got["immediate_reports"] == report_list(user=luoxi, date_from=start, date_to=end).count()
    paid = payment_list(user=luoxi, date_from=start, date_to=end).aggregate(n=Sum("amount"))["n"]
    assert got["money_recovered"] == paid
    # and by hand: 罗溪纺织 3 + 罗溪建设 1 in November (not October's, not 薛家's)
    assert got["signals_received"] == 4
    assert got["signals_channel_hotline-12333"] == 3
    assert got["signals_channel_petition"] == 1
    assert got["cases_opened"] == 1  # 罗溪建设 (罗溪纺织's was October's, 薛家's is not 罗溪's)
    assert got["money_recovered"] == 1_000_000  # October's ¥5,000 is outside the period
    assert got["workers_paid"] == 1
    assert got["workers_paid_full"] == 1
    assert got["publicity_activities"] == 2
    assert got["publicity_audience"] == 150
    assert got["cases_closed"] == 0


def test_a_departments_figures_are_its_line(records, chengjian):
    got = _values(chengjian.unit)
    start, end = NOV
    assert got["signals_received"] == signal_list(user=chengjian, date_from=start, date_to=end).count()
    assert got["cases_opened"] == case_list(user=chengjian, date_from=start, date_to=end).count()
    # 城建局's line is construction: 罗溪建设's signal and case, not the factories'
    assert got["signals_received"] == 1
    assert got["cases_opened"] == 1
    assert got["money_recovered"] == 1_000_000
    assert got["publicity_activities"] == 1  # its own activity only
    assert got["publicity_audience"] == 30


def test_the_office_sees_the_whole_district(records, office):
    got = _values(office.unit)
    assert got["signals_received"] == 6  # 罗溪 4 + 薛家 2 in November
    assert got["cases_opened"] == 2
    assert got["publicity_audience"] == 180


def test_each_figure_links_to_its_ledger_with_the_same_dates(district):
    found = figures.figures_for(figures.Unit.objects.get(code="gov-luoxi"), *NOV)
    assert set(found) == set(figures.FIGURES)
    signals = found["signals_channel_petition"]
    assert signals["link"].startswith("/signals/?")
    assert "channel=petition" in signals["link"] and "date_from=2026-11-01" in signals["link"]
    assert "date_to=2026-11-30" in signals["link"]
    assert "closed_from=2026-11-01" in found["cases_closed"]["link"]
    assert found["money_recovered"]["money"] is True
    assert (
        "罗溪镇" in found["signals_received"]["basis"] and "2026-11-01" in found["signals_received"]["basis"]
    )
    for code, cell in found.items():
        assert cell["group"] in figures.GROUPS, code


def test_the_ledgers_date_filters_work_on_their_pages(records, login, office):
    client = login(office)
    page = client.get("/cases/?date_from=2026-11-01&date_to=2026-11-30")
    assert page.status_code == 200
    assert records.case.number in page.content.decode()
    assert records.october_case.number not in page.content.decode()
    closed = client.get("/cases/?state=closed&closed_from=2026-11-01&closed_to=2026-11-30")
    assert records.case.number not in closed.content.decode()


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "office"])
def test_figures_counted_together_equal_each_counted_alone(request, records, persona):
    user = request.getfixturevalue(persona)
    together = figures.figures_for(user.unit, *NOV)
    viewer = figures.viewer_for(user.unit)
    batched = [code for code, f in figures.FIGURES.items() if f.batch is not None]
    assert len(batched) >= 14
    for code in batched:
        assert together[code]["value"] == figures.FIGURES[code].compute(viewer, *NOV), code


def test_the_date_filters_added_to_the_ledgers_select_by_day(records, office):
    from anxin.monitoring.selectors import screening_task_list

    start, end = NOV
    assert case_list(user=office, date_from=start, date_to=end).count() == 2
    assert (
        case_list(
            user=office, date_from=datetime.date(2026, 10, 20), date_to=datetime.date(2026, 10, 20)
        ).count()
        == 1
    )
    assert case_list(user=office, date_to=datetime.date(2026, 10, 19)).count() == 0
    assert alert_list(user=office, date_from=start, date_to=end).count() == 0
    assert watch_list(user=office, status="", date_from=start, date_to=end).count() == 0
    assert report_list(user=office, date_from=start, date_to=end).count() == 0
    assert screening_task_list(user=office, campaign=None, date_from=start, date_to=end).count() == 0


def test_publicity_figures_leave_out_the_withdrawn_and_equal_the_linked_ledger(records, login, luoxi):
    from anxin.reports.services.publicity import publicity_withdraw
    from anxin.reports.tests.factories_periodic import publicity

    gone = publicity("gov-luoxi", "2026-11-15", audience=900, actor=luoxi)
    publicity_withdraw(actor=luoxi, activity=gone, reason="重复登记")
    found = figures.figures_for(luoxi.unit, *NOV)
    activities, audience = found["publicity_activities"], found["publicity_audience"]
    assert (activities["value"], audience["value"]) == (2, 150)  # not the withdrawn 900
    # the link is the publicity ledger, counted activities only, the same dates
    link = activities["link"]
    assert link.startswith("/reports/publicity/?") and "withdrawn=no" in link
    assert "date_from=2026-11-01" in link and "date_to=2026-11-30" in link
    page = login(luoxi).get(link)
    assert page.status_code == 200
    assert page.context["paginator"].count == activities["value"]
    assert sum(a.audience for a in page.context["paginator"].object_list) == audience["value"]
    # the office's counts by unit (the circular's) agree for the same unit and dates
    from anxin.reports.models import PublicityActivity
    from anxin.reports.publicity_selectors import counts_by_unit

    counted = counts_by_unit(PublicityActivity.objects.all(), *NOV)[luoxi.unit.pk]
    assert (counted["activities"], counted["audience"]) == (2, 150)
