"""Periodic report screens per persona (office, leader, 城建局, 罗溪镇, 薛家镇, anonymous): the unit's
own page, a report's page (another unit's: 404), the form's refusals, the office's inbox with its
statuses and Excel, the roll-ups (each town's row equals its own report's figures), query bounds."""

from __future__ import annotations

from typing import Any

import pytest

from anxin.reports import periodic_selectors as selectors
from anxin.reports.models import PeriodicReport, ReportStatus
from anxin.reports.services import periodic as services
from anxin.reports.tests.factories_periodic import NARRATIVE, draft, submitted, travel

pytestmark = pytest.mark.django_db


def test_a_town_user_generates_fills_and_submits_its_report(login, luoxi):
    client = login(luoxi)
    with travel("2026-12-02"):
        page = client.get("/reports/periodic/mine/")
        assert page.status_code == 200 and "2026年11月" in page.content.decode()
        answer = client.post("/reports/periodic/mine/draft/", {"period": "2026-11"})
        report = PeriodicReport.objects.get(unit=luoxi.unit, period="2026-11")
        assert answer.status_code == 302 and answer["Location"] == f"/reports/periodic/{report.pk}/"
        shown = client.get(f"/reports/periodic/{report.pk}/").content.decode()
        assert (
            "收到欠薪线索" in shown
            and "依据 §五(二)，report.frequency_months = 1，report.due_day = 5" in shown
        )
        assert "/signals/?date_from=2026-11-01&amp;date_to=2026-11-30" in shown
        refused = client.post(f"/reports/periodic/{report.pk}/submit/", {"n_risk": "平稳"})
        assert (
            refused.status_code == 400 and "请填写：主要做法、存在问题、下步打算" in refused.content.decode()
        )
        fields = {f"n_{k}": v for k, v in NARRATIVE.items()} | {"x_visits": "8", "x_coordinated": "3,000.00"}
        assert client.post(f"/reports/periodic/{report.pk}/submit/", fields).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.extras == {"visits": 8, "coordinated": 300_000}


def test_editing_a_submitted_report_is_refused_with_the_reason(login, luoxi):
    report = submitted(luoxi)
    client = login(luoxi)
    with travel("2026-12-03"):
        answer = client.post(f"/reports/periodic/{report.pk}/save/", {"n_risk": "改"}, follow=True)
    assert "已锁定，不能修改" in answer.content.decode()
    report.refresh_from_db()
    assert report.narrative == NARRATIVE


def test_a_correction_needs_a_reason_on_the_page(login, luoxi):
    report = submitted(luoxi)
    client = login(luoxi)
    with travel("2026-12-03"):
        assert client.post(f"/reports/periodic/{report.pk}/correct/", {"reason": ""}).status_code == 400
        answer = client.post(f"/reports/periodic/{report.pk}/correct/", {"reason": "数字有误"})
    second = PeriodicReport.objects.get(unit=luoxi.unit, version=2)
    assert answer["Location"] == f"/reports/periodic/{second.pk}/"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("office", 200), ("leader", 200), ("luoxi", 200), ("xuejia", 404), ("chengjian", 404), (None, 302)],
)
def test_who_sees_a_towns_report(request, login, luoxi, persona, expected):
    report = submitted(luoxi)
    user = request.getfixturevalue(persona) if persona else None
    answer = login(user).get(f"/reports/periodic/{report.pk}/")
    assert answer.status_code == expected
    if persona in ("office", "leader"):
        assert "report-form" not in answer.content.decode()  # they read; only 罗溪镇 writes
    word = login(user).get(f"/reports/periodic/{report.pk}/word/")
    assert word.status_code == expected
    if expected == 200:
        assert word["Content-Type"].startswith("application/vnd.openxmlformats")


def test_another_unit_cannot_act_on_a_report(login, luoxi, xuejia, office):
    report = draft(luoxi)
    for someone, status in ((xuejia, 404), (office, 302)):
        with travel("2026-12-02"):
            answer = login(someone).post(f"/reports/periodic/{report.pk}/save/", {"n_risk": "x"})
        assert answer.status_code == status
    report.refresh_from_db()
    assert report.narrative == {}


def test_the_inbox_shows_every_expected_unit_with_its_status(
    login, office, luoxi, xuejia, chengjian, django_assert_max_num_queries
):
    submitted(luoxi, day="2026-12-03")  # on time
    submitted(chengjian, day="2026-12-07")  # late
    draft(xuejia)
    with travel("2026-12-08"):
        client = login(office)
    with travel("2026-12-08"), django_assert_max_num_queries(25):
        page = client.get("/reports/periodic/?period=2026-11")
    body = page.content.decode()
    assert page.status_code == 200
    counts = page.context["counts"]
    expected = page.context["expected"]
    assert (counts["on_time"], counts["late"], counts["draft"]) == (1, 1, 1)
    assert counts["none"] == expected - 3
    assert 'data-testid="inbox-gov-luoxi"' in body and "按时报送" in body and "逾期报送" in body
    with travel("2026-12-08"):
        only_late = client.get("/reports/periodic/?period=2026-11&status=late")
        assert [r.unit.code for r in only_late.context["rows"]] == ["construction"]
        towns = client.get("/reports/periodic/?period=2026-11&kind=town_government")
        assert all(r.unit.kind == "town_government" for r in towns.context["rows"])
        excel = client.get("/reports/periodic/?period=2026-11&export=xlsx")
    assert excel.status_code == 200 and excel["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_inbox_is_the_office_and_the_leaders_a_unit_goes_to_its_own_page(login, leader, luoxi):
    assert login(leader).get("/reports/periodic/?period=2026-11").status_code == 200
    assert login(luoxi).get("/reports/periodic/")["Location"] == "/reports/periodic/mine/"
    assert login(None).get("/reports/periodic/").status_code == 302


def test_the_units_page_is_bounded_in_queries(login, luoxi, django_assert_max_num_queries):
    submitted(luoxi)
    with travel("2026-12-08"):
        client = login(luoxi)
    with travel("2026-12-08"), django_assert_max_num_queries(20):
        assert client.get("/reports/periodic/mine/").status_code == 200


def test_a_towns_rollup_row_equals_its_own_reports_figures(
    login, office, luoxi, world, django_assert_max_num_queries
):
    from anxin.intake.tests.factories import signal
    from anxin.reports.tests.factories_periodic import at

    with travel("2026-11-20"):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20"))
    report = draft(luoxi)
    towns = services.expected_units(services.ReportTemplate.objects.get(code="town-monthly")).count()
    figures_per_unit = len(report.figures)
    with travel("2026-12-08"):
        client = login(office)
    # the bound is per unit: each unit's figures (one query each, and its scope), and the total
    with travel("2026-12-08"), django_assert_max_num_queries((towns + 1) * (figures_per_unit + 5) + 20):
        page = client.get("/reports/rollup/?period=2026-11&by=town")
    with travel("2026-12-08"):
        own = login(luoxi).get("/reports/rollup/?period=2026-11&by=town")
        excel = login(office).get("/reports/rollup/?period=2026-11&by=line&export=xlsx")
    row = next(r for r in page.context["table"] if r["unit"].code == "gov-luoxi")
    codes = [c["code"] for c in page.context["columns"]]
    assert {c: cell["value"] for c, cell in zip(codes, row["cells"], strict=True)} == {
        c: report.figures[c]["value"] for c in codes
    }
    assert page.context["total"] is not None
    assert [r["unit"].code for r in own.context["table"]] == ["gov-luoxi"] and own.context["total"] is None
    assert excel.status_code == 200
    # each unit's report for the period: a draft is not linked, its standing is said
    assert row["standing"].standing == "draft"
    cell = _cell(page, "rollup-report-gov-luoxi")
    assert "草稿" in cell and f"/reports/periodic/{report.pk}/" not in cell


def _cell(page, testid):
    body = page.content.decode()
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</td>", start)]


def test_the_rollup_links_each_units_submitted_report(login, office, luoxi, django_assert_max_num_queries):
    report = submitted(luoxi)
    with travel("2026-12-08"):
        client = login(office)
    towns = len([u for u, _t in selectors.reporting_units() if u.kind == "town_government"])
    with travel("2026-12-08"), django_assert_max_num_queries((towns + 1) * (len(report.figures) + 5) + 20):
        page = client.get("/reports/rollup/?period=2026-11&by=town")
    cell = _cell(page, "rollup-report-gov-luoxi")
    assert f'href="/reports/periodic/{report.pk}/"' in cell and "按时报送" in cell
    assert "未报送" in _cell(page, "rollup-report-gov-xuejia")
    # the standing is the inbox's
    with travel("2026-12-08"):
        shown = selectors.inbox(user=office, period="2026-11")
    standings = {r.unit.code: r.standing for r in shown["rows"] if r.unit.kind == "town_government"}
    assert {r["unit"].code: r["standing"].standing for r in page.context["table"]} == standings


def test_the_home_panel_flags_a_missing_report(login, luoxi):
    with travel("2026-12-08"):
        services.missing_reports_flag()
        body = login(luoxi).get("/").content.decode()
    assert 'data-testid="home-periodic"' in body and "home-periodic-missing" in body


# --- the page and the Word read the stored period (P5-15) -------------------------------------------------


def test_a_report_still_opens_after_the_templates_frequency_changes(login, luoxi):
    from anxin.reports.models import ReportTemplate

    report = submitted(luoxi, day="2026-12-03")
    template = ReportTemplate.objects.get(pk=report.template_id)
    template.frequency_months = 3  # quarterly from now on: "2026-11" is no longer a period's first month
    template.save(update_fields=["frequency_months"])
    with travel("2026-12-08"):
        client = login(luoxi)
        page = client.get(f"/reports/periodic/{report.pk}/")
        word = client.get(f"/reports/periodic/{report.pk}/word/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "2026年11月" in body and "report.frequency_months = 1" in body  # the rule it was made under
    assert word.status_code == 200 and word["Content-Type"].startswith("application/vnd.openxml")


# --- query counts do not grow with the rows (two sizes) ---------------------------------------------------


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with travel("2027-01-08"):
        client.get(url)  # warm the per-day caches (parameters), as between two visits
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
    return len(captured)


def test_the_inbox_queries_do_not_grow_with_the_reports(
    login, office, luoxi, xuejia, chengjian, renshe, sifa
):
    submitted(luoxi, day="2026-12-03")
    with travel("2027-01-08"):
        client = login(office)
    small = _queries(client, "/reports/periodic/?period=2026-11")
    for user, day in ((xuejia, "2026-12-04"), (chengjian, "2026-12-07"), (renshe, "2026-12-02")):
        submitted(user, day=day)
    draft(sifa, day="2026-12-09")
    first = PeriodicReport.objects.get(unit=luoxi.unit, period="2026-11")
    with travel("2026-12-10"):
        correction = services.report_correct(actor=luoxi, report=first, reason="更正")
    with travel("2026-12-10", 11):
        services.report_submit(actor=luoxi, report=correction, narrative=NARRATIVE)
    with travel("2026-12-11"):
        services.missing_reports_flag()
    large = _queries(client, "/reports/periodic/?period=2026-11")
    assert large == small


def test_the_units_list_queries_do_not_grow_with_its_reports(login, luoxi):
    submitted(luoxi, period="2026-12", day="2027-01-03")
    with travel("2027-01-08"):
        client = login(luoxi)
    small = _queries(client, "/reports/periodic/mine/")
    for period, day in (("2026-08", "2026-09-03"), ("2026-09", "2026-10-03"), ("2026-10", "2026-11-09")):
        submitted(luoxi, period=period, day=day)
    first = submitted(luoxi, period="2026-11", day="2026-12-03")
    with travel("2026-12-10"):
        services.report_correct(actor=luoxi, report=first, reason="更正")
    with travel("2027-01-07"):
        services.missing_reports_flag()
    large = _queries(client, "/reports/periodic/mine/")
    assert large == small
