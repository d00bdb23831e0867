"""工地监管: the construction dashboard — who sees it, what it counts, its filters and export."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from anxin.core.audit import system_actor
from anxin.sites import dashboard_selectors
from anxin.sites.models import MonthStatus, Payroll, PayrollMonth, SpecialAccount

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)
NOVEMBER = datetime.date(2026, 11, 1)


def _month(project, status, *, short_workers=0, short_amount=0):
    actor = system_actor()
    payroll = None
    if status in (MonthStatus.OK, MonthStatus.DIFF):
        payroll = Payroll.objects.create(
            project=project,
            month=NOVEMBER,
            contractor=project.general_contractor,
            status=status,
            short_workers=short_workers,
            short_amount=short_amount,
            uploaded_by=actor,
        )
    return PayrollMonth.objects.create(
        project=project,
        month=NOVEMBER,
        status=status,
        payroll=payroll,
        report_due_on=datetime.date(2026, 12, 20),
        pay_due_on=datetime.date(2026, 12, 15),
    )


@pytest.fixture
def started(world):
    for p in (world.luoxi_project, world.menghe_river):
        p.start_date = datetime.date(2026, 6, 1)
        p.save(update_fields=["start_date"])
    return world


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_the_month_defaults_to_last_month_and_counts_each_status(started, office, login):
    _month(started.luoxi_project, MonthStatus.DIFF, short_workers=2, short_amount=350000)
    page = login(office).get(reverse("site-dashboard"))
    assert page.status_code == 200
    counts = {value: n for value, _label, n in page.context["counts"]}
    assert counts == {"pending": 1, "ok": 0, "diff": 1, "missing": 0}  # 孟河 has no record yet: 待报送
    assert page.context["month"] == NOVEMBER
    html = page.content.decode()
    assert "2 人未足额" in html and "3,500.00 元" in html


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_a_project_past_the_account_deadline_is_listed_with_the_parameter_used(started, office, login):
    SpecialAccount.objects.create(
        project=started.menghe_river,
        bank="农行孟河支行",
        account="6228480000001234567",
        opened_on=datetime.date(2026, 6, 10),
        recorded_by=system_actor(),
    )
    page = login(office).get(reverse("site-dashboard"))
    assert [p.pk for p in page.context["missing_accounts"]] == [started.luoxi_project.pk]
    html = page.content.decode()
    assert "开工超过 30 日仍未登记农民工工资专用账户" in html and "第二十六条" in html
    missing = login(office).get(reverse("site-dashboard"), {"account": "missing"})
    assert [p.pk for p in missing.context["page"]] == [started.luoxi_project.pk]


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_a_project_started_exactly_the_parameter_days_ago_is_not_yet_late(started):
    started.luoxi_project.start_date = TODAY - datetime.timedelta(days=30)
    started.luoxi_project.save(update_fields=["start_date"])
    started.menghe_river.start_date = TODAY - datetime.timedelta(days=31)
    started.menghe_river.save(update_fields=["start_date"])
    from anxin.core.audit import system_actor as sa

    late = dashboard_selectors.missing_accounts(user=sa(), today=TODAY)
    assert [p.pk for p in late] == [started.menghe_river.pk]


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_the_status_filter_keeps_the_projects_of_that_status(started, office, login):
    _month(started.luoxi_project, MonthStatus.OK)
    page = login(office).get(reverse("site-dashboard"), {"status": "pending", "month": "2026-11"})
    assert [p.pk for p in page.context["page"]] == [started.menghe_river.pk]


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_a_future_or_malformed_month_is_a_form_error_and_the_default_month_is_kept(started, office, login):
    page = login(office).get(reverse("site-dashboard"), {"month": "2027-01"})
    assert page.status_code == 200 and page.context["month"] == NOVEMBER
    assert "月份不能晚于本月" in page.content.decode()
    page = login(office).get(reverse("site-dashboard"), {"month": "11/2026"})
    assert "月份格式为 YYYY-MM" in page.content.decode()


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", {"罗溪安置房项目", "孟河河道整治项目"}),
        ("leader", {"罗溪安置房项目", "孟河河道整治项目"}),
        ("chengjian", {"罗溪安置房项目", "孟河河道整治项目"}),  # 城建局 reads every project
        ("shuili", {"孟河河道整治项目"}),
        ("luoxi", {"罗溪安置房项目"}),
        ("xuejia", set()),
    ],
)
def test_each_persona_sees_the_projects_of_its_scope(started, login, request, persona, sees):
    user = request.getfixturevalue(persona)
    page = login(user).get(reverse("site-dashboard"))
    assert page.status_code == 200
    assert {p.name for p in page.context["page"]} == sees


@pytest.mark.parametrize("persona", ["renshe", "gongan"])
def test_a_department_without_a_project_line_has_no_menu_entry(started, login, request, persona):
    user = request.getfixturevalue(persona)
    page = login(user).get(reverse("home"))
    assert reverse("site-dashboard") not in page.content.decode()


def test_the_menu_offers_the_dashboard_to_the_construction_line(started, chengjian, login):
    assert reverse("site-dashboard") in login(chengjian).get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_login(client, district):
    page = client.get(reverse("site-dashboard"))
    assert page.status_code == 302 and "/login" in page["Location"]


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_the_export_is_an_excel_file_and_is_logged(started, chengjian, login):
    from anxin.core.models import SecurityEvent, SecurityEventKind

    _month(started.luoxi_project, MonthStatus.DIFF, short_workers=2, short_amount=350000)
    response = login(chengjian).get(reverse("site-dashboard"), {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, user=chengjian).exists()


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_an_auditor_reads_but_may_not_export(started, auditor, login):
    page = login(auditor).get(reverse("site-dashboard"), {"export": "xlsx"})
    assert page.status_code == 302


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_the_page_reads_a_bounded_number_of_queries(started, office, login, django_assert_max_num_queries):
    from anxin.registry.tests.factories import enterprise, project

    for n in range(12):
        builder = enterprise(town="luoxi", kinds=("construction",), name=f"罗溪建工{n}有限公司", industry="E")
        p = project(town="luoxi", contractor=builder, name=f"罗溪项目{n}")
        _month(p, MonthStatus.DIFF, short_workers=1, short_amount=100)
    client = login(office)
    client.get(reverse("site-dashboard"))  # warm the session, parameters and menu
    with django_assert_max_num_queries(30):
        assert client.get(reverse("site-dashboard")).status_code == 200


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC))
def test_deposits_still_to_make_are_listed_with_their_amount_and_date(started, chengjian, shuili, login):
    from anxin.sites.tests.factories_deposits import required, with_contract

    deposit = required(with_contract(started.luoxi_project), chengjian, signed_on=datetime.date(2026, 11, 2))
    page = login(chengjian).get(reverse("site-dashboard"))
    assert page.context["deposits_due_count"] == 1 and page.context["deposits_due"] == [deposit]
    html = page.content.decode()
    assert "1,000,000.00 元" in html and f"{deposit.due_on:%Y-%m-%d}前" in html
    assert login(shuili).get(reverse("site-dashboard")).context["deposits_due_count"] == 0  # not its line
