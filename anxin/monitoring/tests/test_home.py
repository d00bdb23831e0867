"""The monitoring panels of 工作台 and the cockpit's tiles, per persona: every figure is the count of
the list its link opens; a town sees the work waiting on it (§五(二) reports to submit, §四(二) entries
to confirm, §三(一) today's daily report, §四(一) screening tasks); leaders see district totals."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from anxin.core.tests.helpers import sheet_rows
from anxin.monitoring import scan, screening, sensitive
from anxin.monitoring.models import (
    Alert,
    ImmediateReport,
    ReportStatus,
    RiskAssessment,
    WatchEntry,
    WatchStatus,
)
from anxin.monitoring.tests.factories import observe
from anxin.notify.models import Notification
from anxin.org.models import Town
from anxin.registry.models import EnterpriseKind
from anxin.registry.tests.factories import enterprise

D = datetime.date
TZ = timezone.get_current_timezone()


@pytest.fixture
def red(world):
    """The 罗溪 factory owes 3 months of wages: red, an immediate-report draft, a watch proposal."""
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    return world.luoxi_factory


def _listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def _todo(page: str, key: str) -> tuple[int, str] | None:
    """The count and link of a to-do item on the home page, or None."""
    marker = f'data-testid="todo-{key}"'
    if marker not in page:
        return None
    start = page.rindex("<a ", 0, page.index(marker))
    href = page[start:].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    count = page.split(f'data-testid="todo-{key}-count">', 1)[1].split("<", 1)[0]
    return int(count), href


def test_a_town_sees_its_report_drafts_to_submit_and_the_count_is_the_list(red, login, luoxi, xuejia):
    client = login(luoxi)
    count, href = _todo(client.get("/").content.decode(), "reports")
    assert count == 1 and href == "/reports/?status=draft&mine=1"
    assert _listed(client, href) == count
    assert _todo(login(xuejia).get("/").content.decode(), "reports") is None


def test_a_town_sees_the_watch_entries_waiting_for_its_confirmation(red, login, luoxi, xuejia):
    client = login(luoxi)
    count, href = _todo(client.get("/").content.decode(), "watch")
    assert count == WatchEntry.objects.filter(town__code="luoxi", status=WatchStatus.PROPOSED).count() == 1
    assert _listed(client, href) == count
    assert _todo(login(xuejia).get("/").content.decode(), "watch") is None


def test_a_department_is_not_asked_to_confirm_watch_entries(red, login, renshe):
    assert _todo(login(renshe).get("/").content.decode(), "watch") is None


def test_a_town_sees_todays_sensitive_daily_report_until_it_is_filed(district, login, office, luoxi):
    with time_machine.travel(datetime.datetime(2026, 11, 21, 9, tzinfo=TZ), tick=False):
        period = sensitive.period_declare(
            actor=office, name="春节前", start=D(2026, 11, 20), end=D(2026, 11, 30)
        )
        client = login(luoxi)
        count, href = _todo(client.get("/").content.decode(), "sensitive")
        assert count == 1 and href == f"/sensitive/{period.pk}/"
        sensitive.daily_report_file(actor=luoxi, period=period, day=D(2026, 11, 21), is_zero=True, content="")
        assert _todo(client.get("/").content.decode(), "sensitive") is None
    assert _todo(login(office).get("/").content.decode(), "sensitive") is None  # the office does not file


def test_a_town_sees_its_open_screening_tasks_and_the_count_is_the_list(world, login, office, luoxi):
    today = timezone.localdate()
    campaign = screening.campaign_launch(
        actor=office,
        name="第四季度排查",
        start=today,
        end=today + datetime.timedelta(days=30),
        kinds=list(EnterpriseKind.objects.filter(code__in=["industrial", "construction"])),
        towns=list(Town.objects.filter(code__in=["luoxi", "xuejia"])),
    )
    client = login(luoxi)
    count, href = _todo(client.get("/").content.decode(), f"screening-{campaign.pk}")
    assert count == campaign.tasks.filter(town__code="luoxi").count() == 2
    assert href == f"/screening/{campaign.pk}/?result=pending" and _listed(client, href) == count


def test_the_responsible_units_are_told_of_new_drafts_once_per_scan(
    world, luoxi, xuejia, django_capture_on_commit_callbacks
):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_builder, "wage_arrears_months", "2026-11", 4)
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan(as_of=D(2026, 11, 25))
    assert ImmediateReport.objects.filter(town__code="luoxi", status=ReportStatus.DRAFT).count() == 2
    # One notice for the scan's alerts and its two drafts — one text for one event, not one per
    # report nor a second for the drafts; it links to the drafts, whose deadline is the tighter.
    notice = Notification.objects.get(recipient=luoxi)
    assert (
        "新预警" in notice.subject and "即时报告待报送 2 份" in notice.subject and "24 小时" in notice.subject
    )
    assert notice.url == "/reports/?status=draft&mine=1"
    assert not Notification.objects.filter(recipient=xuejia, subject__contains="即时报告待报送").exists()


def test_the_leader_home_shows_district_totals_not_alerts_to_handle(red, login, leader):
    client = login(leader)
    page = client.get("/").content.decode()
    active = Alert.objects.filter(status__in=["open", "acknowledged"]).count()
    assert f"全区 {active} 条预警未关闭" in page and "我的待处置" not in page
    assert 'href="/alerts/?active=1" data-testid="alerts-mine-link"' in page
    assert _listed(client, "/alerts/?active=1") == active
    assert 'data-testid="monitoring-todo"' not in page


def test_a_town_home_counts_its_own_alerts_to_handle(red, login, luoxi):
    client = login(luoxi)
    page = client.get("/").content.decode()
    mine = _listed(client, "/alerts/?mine=1")
    assert f"{mine} 条预警待处置" in page and mine > 0


@pytest.mark.parametrize("persona", ["office", "luoxi", "leader"])
def test_the_red_tile_opens_the_list_of_exactly_those_enterprises(red, login, request, persona):
    client = login(request.getfixturevalue(persona))
    for url in ("/", "/cockpit/"):
        page = client.get(url).content.decode()
        assert 'href="/risk/?level=red"' in page
    cockpit = client.get("/cockpit/")
    totals = {code: n for code, _name, n in cockpit.context["levels"]}
    assert _listed(client, "/risk/?level=red") == totals["red"] == 1


def test_the_cockpit_red_table_links_to_all_red_enterprises(red, login, office):
    page = login(office).get("/cockpit/").content.decode()
    assert 'data-testid="cockpit-red-all"' in page and "查看全部 1 家" in page


def test_the_overdue_reports_tile_opens_the_overdue_list(red, login, office):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        client = login(office)
        cockpit = client.get("/cockpit/")
        page = cockpit.content.decode()
        assert 'href="/reports/?overdue=1" data-testid="cockpit-overdue-reports"' in page
        assert cockpit.context["overdue"]["reports"] == _listed(client, "/reports/?overdue=1") == 1


def test_the_risk_list_is_scoped(red, login, xuejia, luoxi):
    assert _listed(login(xuejia), "/risk/?level=red") == 0
    assert _listed(login(luoxi), "/risk/?level=red") == 1


@pytest.mark.parametrize("extra", [2, 30])
def test_the_risk_list_query_count_is_bounded(world, login, office, extra, django_assert_max_num_queries):
    for n in range(extra):
        observe(enterprise(town="luoxi", name=f"风险企业{n}"), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    client = login(office)
    with django_assert_max_num_queries(14):
        response = client.get("/risk/", {"level": "red"})
    assert response.context["paginator"].count == extra


def test_the_risk_list_exports_what_it_lists_with_the_rules_in_chinese(red, login, office, xuejia, auditor):
    response = login(office).get("/risk/", {"level": "red", "export": "xlsx"})
    assert response.status_code == 200
    rows = sheet_rows(response)
    listed = [r for r in rows if red.uscc in r]
    assert len(listed) == 1
    assert "红色" in listed[0] and any("拖欠工资或社保费达两个月以上" in str(c) for c in listed[0])
    assert not any("IMMEDIATE_ARREARS_2M" in str(c) for r in rows for c in r)
    # Scoped as the list is: 薛家 exports none of 罗溪's enterprises.
    assert not any(red.uscc in r for r in sheet_rows(login(xuejia).get("/risk/?export=xlsx")))
    # The auditor reads but does not export ledgers.
    refused = login(auditor).get("/risk/?export=xlsx")
    assert refused.status_code == 302 and refused.url == "/risk/"


def test_the_risk_list_pages_keep_the_order_of_points(world, login, office):
    for n in range(25):
        observe(enterprise(town="luoxi", name=f"分页企业{n:02d}"), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    last = RiskAssessment.objects.get(enterprise__name="分页企业24")
    RiskAssessment.objects.filter(pk=last.pk).update(points=last.points + 10)
    client = login(office)
    first = [a.enterprise.name for a in client.get("/risk/?level=red").context["page"]]
    second = [a.enterprise.name for a in client.get("/risk/?level=red&page=2").context["page"]]
    assert first[0] == "分页企业24" and first[1:] == [f"分页企业{n:02d}" for n in range(19)]
    assert second == [f"分页企业{n:02d}" for n in range(19, 24)]


def test_the_alert_scope_reads_the_alerts_once(red, office, luoxi, xuejia, chengjian, renshe):
    """Alerts (and screening tasks, routed alike) are scoped on their own rows, not through
    ``pk IN (SELECT pk …)``: at 100,000 enterprises that made PostgreSQL hash every alert in scope
    for each count on the home page (issue #20). The rows are still exactly the rule's."""
    from anxin.core.access import scope_of
    from anxin.monitoring.models import ScreeningTask
    from anxin.registry.models import Enterprise

    # An alert of 罗溪's builder (in 城建局's line) routed to no unit, beside the factory's red ones.
    extra = Alert.objects.create(
        enterprise=Enterprise.objects.get(name="罗溪建设工程有限公司"),
        rule="x",
        level="yellow",
        explanation="-",
        town_id=red.town_id,
        unit=None,
        opened_at=timezone.now(),
        opened_on=timezone.localdate(),
        last_fired_at=timezone.now(),
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    for model in (Alert, ScreeningTask):
        for user in (luoxi, xuejia, chengjian, renshe):
            scoped = model.objects.for_user(user)
            sql = str(scoped.order_by().query)
            assert sql.count(f'FROM "{model._meta.db_table}"') == 1, sql
            rule = model.objects.scope_filter(scope_of(user))
            expected = set(model._base_manager.filter(rule).values_list("pk", flat=True))
            assert set(scoped.values_list("pk", flat=True)) == expected, (model, user)
    assert extra in Alert.objects.for_user(luoxi) and extra in Alert.objects.for_user(chengjian)
    assert extra not in Alert.objects.for_user(xuejia)


def test_the_risk_panel_is_the_count_of_each_list(red, office, luoxi, xuejia, chengjian):
    """The panel's alert figures, one aggregate now (three COUNTs before, issue #20), are the
    counts of the active alerts in scope, of those waiting on the user, and of those overdue."""
    from anxin.monitoring import selectors
    from anxin.monitoring.models import ACTIVE_ALERT
    from anxin.org.access import waiting_on

    Alert.objects.filter(enterprise=red).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    for user in (office, luoxi, xuejia, chengjian):
        summary = selectors.risk_summary(user=user)
        active = Alert.objects.for_user(user).filter(status__in=ACTIVE_ALERT)
        mine = active.filter(waiting_on(user, unit_field="unit_id"))
        assert summary["active"] == active.count(), user
        assert summary["mine"] == mine.count(), user
        assert summary["overdue"] == mine.filter(due_at__lt=timezone.now()).count(), user
        levels = {code: n for code, _name, n in summary["levels"]}
        scoped = RiskAssessment.objects.for_user(user)
        assert levels == {c: scoped.filter(level=c).count() for c in ("red", "orange", "yellow")}, user
    assert selectors.risk_summary(user=luoxi)["overdue"] >= 1
