"""Screens of the shared kernel: what each persona gets on the parameters, calendar,
security-event and audit-log pages, and the query counts of the two long lists."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.core.models import CalendarDay, PolicyParameter, SecurityEvent, SecurityEventKind
from anxin.core.services import calendar_day_set, security_event_record
from anxin.core.xlsx import XLSX_TYPE
from anxin.org.services import user_save

CODE = "immediate.complaints"
PARAMS = "/settings/parameters/"
DETAIL = f"/settings/parameters/{CODE}/"
CALENDAR = "/settings/calendar/?year=2026"
CALENDAR_DAY = "/settings/calendar/day/"
EVENTS = "/security/events/"
AUDIT = "/security/audit/"
ALL_PERSONAS = [
    "office",
    "leader",
    "chengjian",
    "shuili",
    "gongan",
    "luoxi",
    "xuejia",
    "sysadmin",
    "secadmin",
    "auditor",
]


@pytest.fixture
def as_persona(request, login):
    """``as_persona("luoxi")`` → a client signed in as that persona."""

    def _as(name):
        return login(request.getfixturevalue(name))

    return _as


def _new_value(**overrides):
    data = {"value": "4", "effective_from": "2027-01-01", "note": "区联席会议纪要〔2026〕5号", "citation": ""}
    data.update(overrides)
    return data


# --- policy parameters -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "luoxi", "chengjian", "sysadmin", "auditor"])
def test_parameter_list_is_visible_to_roles_that_view_parameters(as_persona, persona):
    response = as_persona(persona).get(PARAMS)
    assert response.status_code == 200
    assert "即时报告：一个月内经查证属实的举报次数" in response.content.decode()


def test_parameter_list_is_forbidden_to_the_security_admin(as_persona):
    assert as_persona("secadmin").get(PARAMS).status_code == 403


def test_parameter_list_search_filters_by_citation(login, office):
    html = login(office).get(PARAMS, {"q": "§五(二)"}).content.decode()
    assert "immediate.complaints" in html
    assert "security.lockout_failures" not in html


@pytest.mark.parametrize("path", [PARAMS, DETAIL, CALENDAR, EVENTS, AUDIT, "/", "/policy/"])
def test_anonymous_visitor_is_sent_to_login(client, district, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["office", "luoxi", "sysadmin"])
def test_parameter_page_shows_history(as_persona, persona):
    response = as_persona(persona).get(DETAIL)
    assert response.status_code == 200
    assert "2020-05-01" in response.content.decode()


def test_parameter_page_offers_the_form_only_to_the_office(login, office, luoxi):
    assert "登记新取值" in login(office).get(DETAIL).content.decode()
    assert "登记新取值" not in login(luoxi).get(DETAIL).content.decode()


def test_unknown_parameter_page_is_404(login, office):
    assert login(office).get("/settings/parameters/no.such.code/").status_code == 404


def test_office_posts_a_new_value_and_history_keeps_both(login, office):
    client = login(office)
    shown = client.post(DETAIL, _new_value())
    assert shown.status_code == 200 and "确认登记新取值" in shown.content.decode()  # shown back first
    assert PolicyParameter.objects.filter(code=CODE).count() == 1
    response = client.post(DETAIL, {**_new_value(), "confirmed": "1"})
    assert response.status_code == 302
    assert response.url == DETAIL
    assert list(PolicyParameter.objects.filter(code=CODE).values_list("value", flat=True)) == ["4", "3"]
    html = client.get(DETAIL).content.decode()
    assert "区联席会议纪要〔2026〕5号" in html
    assert "2027-01-01" in html
    assert "2020-05-01" in html


def test_office_post_records_who_and_from_where(login, office):
    login(office).post(DETAIL, {**_new_value(), "confirmed": "1"}, REMOTE_ADDR="10.8.0.3")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PARAMETER_CHANGE)
    assert (event.user, event.ip) == (office, "10.8.0.3")


def test_office_post_with_a_bad_value_shows_the_error_and_saves_nothing(login, office):
    response = login(office).post(DETAIL, _new_value(value="-2"))
    assert response.status_code == 200
    assert "参数取值不能为负数" in response.content.decode()
    assert PolicyParameter.objects.filter(code=CODE).count() == 1


def test_office_post_on_a_taken_date_shows_the_error(login, office):
    client = login(office)
    client.post(DETAIL, {**_new_value(), "confirmed": "1"})
    response = client.post(DETAIL, _new_value(value="5"))
    assert response.status_code == 200
    assert "已有取值" in response.content.decode()
    assert PolicyParameter.objects.filter(code=CODE).count() == 2


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "sysadmin"])
def test_non_office_post_of_a_new_value_is_forbidden(as_persona, persona):
    response = as_persona(persona).post(DETAIL, _new_value())
    assert response.status_code == 403
    assert PolicyParameter.objects.filter(code=CODE).count() == 1


# --- calendar --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "luoxi", "sysadmin"])
def test_calendar_page_renders_the_year(as_persona, persona):
    response = as_persona(persona).get(CALENDAR)
    assert response.status_code == 200
    assert "国庆节" in response.content.decode()


def test_calendar_page_of_a_missing_year_renders(login, office):
    response = login(office).get("/settings/calendar/?year=2031")
    assert response.status_code == 200
    assert (response.context["year"], response.context["has_year"]) == (2031, False)
    assert "2031 年尚无工作日历" in response.content.decode()


def test_calendar_page_with_a_bad_year_falls_back_to_this_year(login, office):
    with _at(2026, 11, 20):
        response = login(office).get("/settings/calendar/?year=abc")
    assert response.status_code == 200
    # This year's calendar, as if no year had been asked for: its months, its holidays.
    assert (response.context["year"], response.context["has_year"]) == (2026, True)
    assert response.context["months"][0]["cells"][-1][0] == datetime.date(2026, 1, 31)
    assert "国庆节" in response.content.decode()


def test_office_marks_a_day_as_rest_day(login, office):
    response = login(office).post(CALENDAR_DAY, {"date": "2026-12-31", "is_workday": "0", "name": "临时休息"})
    assert response.status_code == 302
    assert response.url == "/settings/calendar/?year=2026"
    day = CalendarDay.objects.get(date=datetime.date(2026, 12, 31))
    assert (day.is_workday, day.name, day.source) == (False, "临时休息", CalendarDay.Source.OFFICE)


def test_office_calendar_post_records_a_calendar_change_event(login, office):
    login(office).post(CALENDAR_DAY, {"date": "2026-12-31", "is_workday": "0"})
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.CALENDAR_CHANGE, user=office).exists()


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "sysadmin"])
def test_non_office_calendar_post_is_forbidden(as_persona, persona):
    response = as_persona(persona).post(CALENDAR_DAY, {"date": "2026-12-31", "is_workday": "0"})
    assert response.status_code == 403
    assert CalendarDay.objects.get(date=datetime.date(2026, 12, 31)).is_workday


def test_calendar_day_get_is_not_allowed(login, office):
    assert login(office).get(CALENDAR_DAY).status_code == 405


def test_office_creates_a_missing_year(login, office):
    response = login(office).post("/settings/calendar/year/", {"year": "2027"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 365


# --- security events -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secadmin", "auditor"])
def test_security_events_are_visible_to_security_admin_and_auditor(as_persona, persona, district):
    security_event_record(kind=SecurityEventKind.LOGIN_FAILED, username="t_intruder", ip="10.9.9.9")
    response = as_persona(persona).get(EVENTS)
    assert response.status_code == 200
    assert "t_intruder" in response.content.decode()


@pytest.mark.parametrize("persona", ["office", "leader", "luoxi", "chengjian", "sysadmin"])
def test_security_events_are_forbidden_to_other_roles(as_persona, persona):
    assert as_persona(persona).get(EVENTS).status_code == 403


def test_security_events_filter_by_kind(login, secadmin):
    security_event_record(kind=SecurityEventKind.LOGIN_FAILED, username="t_intruder")
    security_event_record(kind=SecurityEventKind.LOGIN, username="t_regular")
    html = login(secadmin).get(EVENTS, {"kind": "login_failed"}).content.decode()
    assert "t_intruder" in html
    assert "t_regular" not in html


def test_security_events_export_is_an_xlsx_with_the_events(login, auditor):
    security_event_record(kind=SecurityEventKind.LOGIN_FAILED, username="t_intruder", ip="10.9.9.9")
    response = login(auditor).get(EVENTS, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "安全事件台账"
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "t_intruder" in values
    assert "10.9.9.9" in values


def test_security_events_export_is_itself_logged(login, auditor):
    login(auditor).get(EVENTS, {"export": "xlsx", "kind": "login_failed"}, REMOTE_ADDR="10.8.0.4")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert (event.user, event.ip) == (auditor, "10.8.0.4")
    assert "类型=登录失败" in event.detail["filters"]


def test_security_events_export_is_forbidden_to_the_office(login, office):
    assert login(office).get(EVENTS, {"export": "xlsx"}).status_code == 403
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).exists()


@pytest.mark.parametrize("rows", [5, 60])
def test_security_events_list_query_count_does_not_grow_with_rows(
    login, secadmin, office, rows, django_assert_max_num_queries
):
    for n in range(rows):
        security_event_record(kind=SecurityEventKind.LOGIN, user=office, summary=f"第{n}次")
    client = login(secadmin)
    ContentType.objects.clear_cache()
    with django_assert_max_num_queries(12):
        response = client.get(EVENTS)
    assert response.status_code == 200
    assert response.context["paginator"].count >= rows


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_is_visible_to_the_auditor(login, auditor, office):
    calendar_day_set(actor=office, date=datetime.date(2026, 12, 31), is_workday=False, name="临时休息")
    response = login(auditor).get(AUDIT)
    assert response.status_code == 200
    assert office.display_name in response.content.decode()


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "sysadmin", "secadmin"])
def test_audit_log_is_forbidden_to_other_roles(as_persona, persona):
    assert as_persona(persona).get(AUDIT).status_code == 403


def test_audit_log_filters_by_actor(login, auditor, office):
    calendar_day_set(actor=office, date=datetime.date(2026, 12, 31), is_workday=False)
    html = login(auditor).get(AUDIT, {"actor": office.username}).content.decode()
    assert office.display_name in html
    assert "没有记录" not in html


@pytest.mark.parametrize("rows", [5, 60])
def test_audit_log_query_count_does_not_grow_with_rows(
    login, auditor, office, rows, django_assert_max_num_queries
):
    first = datetime.date(2026, 3, 2)
    for n in range(rows):
        calendar_day_set(actor=office, date=first + datetime.timedelta(days=n), is_workday=False)
    client = login(auditor)
    ContentType.objects.clear_cache()  # the same (cold) start for both sizes
    # Cold ContentType cache: one lookup per audited model for the filter, plus the page itself.
    from auditlog.registry import auditlog

    with django_assert_max_num_queries(len(auditlog.get_models()) + 12):
        response = client.get(AUDIT, {"model": "calendarday"})
    assert response.status_code == 200
    assert response.context["paginator"].count == rows


def _audit_page_queries(client: Client) -> int:
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(AUDIT, {"model": "user"}).status_code == 200
    return len(queries)


def test_audit_log_query_count_does_not_grow_with_foreign_key_changes(login, auditor):
    client = login(auditor)

    def add_users(start, stop):
        for n in range(start, stop):
            user_save(actor=system_actor(), username=f"t_bulk{n}", unit="gov-luoxi", role="town")

    # Foreign keys are resolved once per related model on the page, not once per entry: a page
    # full of entries costs the same however many entries exist beyond it.
    add_users(0, 60)
    _audit_page_queries(client)  # warm up: the session's idle-timeout stamp is set on the first request
    full_page = _audit_page_queries(client)
    add_users(60, 150)
    assert _audit_page_queries(client) <= full_page
    from auditlog.registry import auditlog

    assert full_page <= len(auditlog.get_models()) + 14  # the filter's cold ContentType lookups


# --- home and clause map ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_home_page_renders_for_every_persona(as_persona, persona, world):
    response = as_persona(persona).get("/")
    assert response.status_code == 200
    assert "您好" in response.content.decode()


def test_clause_map_lists_the_immediate_report_parameters_under_five_two(login, leader):
    response = login(leader).get("/policy/")
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index(">§五(二)<") :]
    section = section[: section.index('class="card-header"')]
    assert "即时报告：拖欠工资或社保费月数 = 2 个月" in section
    assert "即时报告：一个月内经查证属实的举报次数 = 3 次" in section


def test_clause_map_lists_clauses_in_the_order_of_the_opinions(login, office):
    html = login(office).get("/policy/").content.decode()
    assert html.index(">§二<") < html.index(">§四(一)<") < html.index(">§五(二)<")


def test_clause_map_shows_the_value_in_force_today(login, office):
    from anxin.core.services import policy_parameter_set

    policy_parameter_set(
        actor=system_actor(), code=CODE, value="4", effective_from=timezone.localdate(), note="调整"
    )
    assert "即时报告：一个月内经查证属实的举报次数 = 4 次" in login(office).get("/policy/").content.decode()


# --- the working-day calendar warning (banner for the office, panel on the cockpit) ------------


def _at(year, month, day):
    import time_machine

    return time_machine.travel(datetime.datetime(year, month, day, 9, 0, tzinfo=datetime.UTC), tick=False)


def test_office_gets_the_banner_in_november_when_next_years_calendar_is_missing(login, office):
    with _at(2026, 11, 16):
        content = login(office).get("/").content.decode()
    assert 'data-testid="shell-warning"' in content
    assert "2027 年工作日历尚未维护" in content


def test_the_banner_goes_only_to_who_can_fix_the_calendar(login, luoxi):
    with _at(2026, 11, 16):
        content = login(luoxi).get("/").content.decode()
    assert 'data-testid="shell-warning"' not in content


def test_no_banner_while_the_calendar_covers_the_year(login, office):
    with _at(2026, 6, 15):
        content = login(office).get("/").content.decode()
    assert 'data-testid="shell-warning"' not in content


def test_the_leader_is_not_shown_the_calendar_banner_on_the_cockpit_or_home(login, leader):
    with _at(2027, 2, 1):  # this year's calendar missing: the office fixes it, the leader cannot
        client = login(leader)
        cockpit, home = client.get("/cockpit/"), client.get("/")
    assert cockpit.status_code == home.status_code == 200
    for content in (cockpit.content.decode(), home.content.decode()):
        assert 'data-testid="shell-warning"' not in content
        assert "工作日历缺失" not in content


def test_the_office_sees_the_banner_on_home_and_the_calendar_page_only(login, office):
    client = login(office)
    with _at(2026, 11, 16):
        home = client.get("/").content.decode()
        calendar = client.get("/settings/calendar/").content.decode()
        elsewhere = {
            url: client.get(url).content.decode() for url in ("/cockpit/", "/enterprises/", "/inbox/")
        }
    assert home.count('data-testid="shell-warning"') == 1
    assert "去补录工作日历" in home and 'href="/settings/calendar/"' in home
    assert calendar.count('data-testid="shell-warning"') == 1
    assert 'data-testid="calendar-warning"' not in calendar  # not twice
    for url, content in elsewhere.items():
        assert 'data-testid="shell-warning"' not in content, url


def test_a_town_or_department_never_sees_the_calendar_banner(login, luoxi, chengjian):
    for user in (luoxi, chengjian):
        with _at(2027, 2, 1):
            content = login(user).get("/").content.decode()
        assert 'data-testid="shell-warning"' not in content


def test_the_cockpit_has_no_calendar_warning_while_the_calendar_covers_the_year(login, office):
    with _at(2026, 6, 15):
        content = login(office).get("/cockpit/").content.decode()
    assert 'data-testid="shell-warning"' not in content


def test_the_banner_reads_the_calendar_once_per_page(login, office):
    client = login(office)
    client.get("/")
    with _at(2026, 11, 16), CaptureQueriesContext(connection) as ctx:
        content = client.get("/").content.decode()
    assert 'data-testid="shell-warning"' in content
    assert sum("core_calendarday" in q["sql"] for q in ctx.captured_queries) == 1


def test_a_page_without_the_banner_does_not_read_the_calendar(login, office):
    client = login(office)
    client.get("/")
    with _at(2026, 11, 16), CaptureQueriesContext(connection) as ctx:
        client.get("/cockpit/")
    assert not any("core_calendarday" in q["sql"] for q in ctx.captured_queries)


def test_a_user_who_cannot_fix_the_calendar_does_not_pay_for_the_banner(login, leader):
    client = login(leader)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/enterprises/")
    assert not any("core_calendarday" in q["sql"] for q in ctx.captured_queries)


def test_an_audit_row_shows_local_times_and_no_reverse_relations(login, auditor):
    import time_machine
    from auditlog.models import LogEntry

    at = datetime.datetime(2026, 11, 26, 5, 53, 30, 809527, tzinfo=datetime.UTC)
    with time_machine.travel(at, tick=False):
        user = user_save(actor=system_actor(), username="t_new_town", unit="gov-luoxi", role="镇街用户")
    created = LogEntry.objects.get(content_type__model="user", object_pk=str(user.pk), action=0)
    assert "notifications" in created.changes_dict  # what django-auditlog stores for a reverse relation

    html = login(auditor).get(AUDIT, {"model": "user"}).content.decode()
    row = next(r for r in html.split('data-testid="audit-row"')[1:] if "t_new_town" in r.split("</tr>")[0])
    row = row.split("</tr>")[0]
    assert "2026-11-26 13:53" in row  # 05:53 UTC is 13:53 in Asia/Shanghai, to the minute
    assert "05:53:30" not in row and ".809527" not in row
    assert ".None" not in row and "notifications" not in row
    # the object's name is never squeezed to a character per line: one truncated line with its title
    assert 'class="text-truncate" style="max-width: 16rem" title="' in row
