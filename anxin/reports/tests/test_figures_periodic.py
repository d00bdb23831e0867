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


# --- every kind of record, at 23:59 and 00:00 local on the period's edges --------------------------------


def _edge(day: str, hhmm: str) -> datetime.datetime:
    from anxin.reports.tests.factories_periodic import TZ

    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)


# Inside November: 00:00 on the 1st and 23:59 on the 30th; outside: 23:59 on 31 October, 00:00 on 1 December.
IN_FIRST, IN_LAST = _edge("2026-11-01", "00:00"), _edge("2026-11-30", "23:59")
OUT_BEFORE, OUT_AFTER = _edge("2026-10-31", "23:59"), _edge("2026-12-01", "00:00")


@pytest.fixture
def edges(records, world, office, renshe):
    """On top of ``month_of_records``, for 罗溪镇: each kind of record once inside November on an edge
    and once just outside it, a reversal in November of October's payment, and a second claim of the
    same worker (by ID number) paid in full in November."""
    import time_machine

    from anxin.cases.models import Incident
    from anxin.cases.tests.factories import open_case
    from anxin.intake.tests.factories import signal
    from anxin.money.models import Payment
    from anxin.money.services import payment_record, payment_reverse
    from anxin.money.tests.factories_claims import confirmed
    from anxin.monitoring.models import (
        Alert,
        FollowUp,
        ImmediateReport,
        ScreeningCampaign,
        ScreeningTask,
        WatchEntry,
    )

    town_unit = figures.Unit.objects.get(code="gov-luoxi")
    factory = world.luoxi_factory
    for moment in (OUT_BEFORE, IN_FIRST, IN_LAST, OUT_AFTER):
        signal(enterprise=factory, received_at=moment)
    alerts = [
        Alert.objects.create(
            enterprise=factory,
            rule=f"TEST_{n}",
            level="red",
            explanation="测试",
            town=factory.town,
            unit=town_unit,
            opened_at=moment,
            opened_on=datetime.datetime.date(moment),
            last_fired_at=moment,
            due_at=moment + datetime.timedelta(days=3),
            closed_at=moment + datetime.timedelta(days=1),  # closed on time
            status="closed",
        )
        for n, moment in enumerate((OUT_BEFORE, IN_LAST, OUT_AFTER))
    ]
    entries = [
        WatchEntry.objects.create(
            enterprise=enterprise,
            status="active",
            level="orange",
            proposed_at=moment,
            proposal="连续两月欠薪",
            town=factory.town,
            unit=town_unit,
            owner_unit=town_unit,
        )
        for enterprise, moment in ((factory, IN_FIRST), (world.luoxi_builder, OUT_BEFORE))
    ]
    for day in ("2026-10-31", "2026-11-01", "2026-11-30", "2026-12-01"):
        FollowUp.objects.create(
            entry=entries[0],
            visited_on=datetime.date.fromisoformat(day),
            wage_status="正常发放",
            level="orange",
            recorded_by=office,
        )
    for alert, moment in zip(alerts, (OUT_BEFORE, IN_LAST), strict=False):
        ImmediateReport.objects.create(
            alert=alert,
            enterprise=factory,
            rule="IMMEDIATE_ARREARS_2M",
            status="draft",
            facts="欠薪两个月",
            town=factory.town,
            unit=town_unit,
            drafted_at=moment,
            due_at=moment + datetime.timedelta(days=1),
        )
    autumn, winter = (
        ScreeningCampaign.objects.create(
            name=name, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31), launched_by=office
        )
        for name in ("秋季排查", "冬季排查")
    )
    for campaign, enterprise, moment, result in (
        (autumn, factory, IN_FIRST, "risk"),
        (autumn, world.luoxi_builder, OUT_BEFORE, "risk"),
        (winter, world.luoxi_builder, IN_LAST, "normal"),
    ):
        ScreeningTask.objects.create(
            campaign=campaign,
            enterprise=enterprise,
            town=factory.town,
            unit=town_unit,
            result=result,
            answered_at=moment,
            answered_by=office,
        )
    for moment in (OUT_BEFORE, IN_LAST, OUT_AFTER):
        Incident.objects.create(
            case=records.case,
            kind=Incident.Kind.MASS,
            occurred_at=moment,
            place="罗溪镇政府门口",
            people=20,
            recorded_at=moment,
            recorded_by=office,
        )
    with time_machine.travel(_edge("2026-11-20", "10:00"), tick=False):
        october = Payment.objects.get(claim=records.claims[1], paid_on=datetime.date(2026, 10, 20))
        payment_reverse(actor=office, payment=october, reason="误记", amount=200_000)
        second = open_case(factory, actor=office, now=_edge("2026-11-20", "10:00"), separate=True)
        again = confirmed(second, actor=office, confirmer=renshe, amounts=(300_000,), start=1)
        payment_record(
            actor=office,
            claim=again[0],
            amount=300_000,
            paid_on=datetime.date(2026, 11, 20),
            source="employer",
        )
    return records


def test_every_kind_of_record_counts_by_local_day_on_the_periods_edges(edges, luoxi):
    got = _values(luoxi.unit)
    # month_of_records' 4 + 00:00 on 1 Nov and 23:59 on 30 Nov (not 23:59 on 31 Oct, not 00:00 on 1 Dec)
    assert got["signals_received"] == 6
    assert got["alerts_opened"] == 1 and got["alerts_on_time"] == 1
    assert got["watch_proposed"] == 1  # proposed 00:00 on 1 November; 31 October's is not
    assert got["followups"] == 2  # 1 and 30 November
    assert got["immediate_reports"] == 1
    assert got["enterprises_screened"] == 2  # 罗溪纺织 (risk) and 罗溪建设 (normal, 30 Nov)
    assert got["screened_risk"] == 1  # 罗溪建设's risk answer was on 31 October
    assert got["incidents"] == 1
    assert got["cases_opened"] == 2  # 罗溪建设 and the second case of 罗溪纺织
    # ¥10,000 + ¥3,000 paid in November, less the ¥2,000 reversal of October's payment made in November
    assert got["money_recovered"] == 1_000_000 + 300_000 - 200_000
    # worker 1 was paid in full on two claims (two cases): one worker
    assert got["workers_paid_full"] == 1
    # each equals its ledger's selector for the same dates
    start, end = NOV
    assert got["alerts_opened"] == alert_list(user=luoxi, date_from=start, date_to=end).count()
    assert got["watch_proposed"] == watch_list(user=luoxi, status="", date_from=start, date_to=end).count()
    assert got["immediate_reports"] == report_list(user=luoxi, date_from=start, date_to=end).count()
    rows = payment_list(user=luoxi, date_from=start, date_to=end)
    signed = sum(-p.amount if p.reverses_id else p.amount for p in rows)
    assert got["money_recovered"] == signed


def test_a_towns_links_name_the_town_and_unlinkable_figures_have_none(district):
    found = figures.figures_for(figures.Unit.objects.get(code="gov-luoxi"), *NOV)
    luoxi_town = figures.Unit.objects.get(code="gov-luoxi").town
    assert luoxi_town is not None
    town = luoxi_town.code
    for code in ("signals_received", "alerts_opened", "watch_proposed", "cases_opened", "money_recovered"):
        assert f"town={town}" in found[code]["link"], code
    assert "unit=gov-luoxi" in found["publicity_activities"]["link"]
    for code in ("enterprises_screened", "screened_risk", "alerts_on_time", "followups", "workers_paid_full"):
        assert found[code]["link"] == "", code
    assert "提出纳入重点监控的日期" in found["watch_proposed"]["basis"]
    department = figures.figures_for(figures.Unit.objects.get(code="construction"), *NOV)
    assert "查看人本人的可见范围" in department["signals_received"]["basis"]
    assert "town=" not in department["signals_received"]["link"]


def test_the_office_opening_a_towns_report_sees_the_towns_rows_by_its_link(edges, login, office, luoxi):
    found = figures.figures_for(luoxi.unit, *NOV)
    page = login(office).get(found["signals_received"]["link"])
    assert page.status_code == 200
    assert page.context["paginator"].count == found["signals_received"]["value"]
