"""The 工资发放 tab, a month's page, the upload (preview, confirm) and the export: what every persona
gets, and bounded queries."""

from __future__ import annotations

import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from anxin.core.models import SecurityEvent
from anxin.registry.models import Project
from anxin.sites.models import Payroll, PayrollMonth
from anxin.sites.services import payroll_submit
from anxin.sites.tests.factories_payroll import id_number, roster_entry, row

D = datetime.date
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(world):
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=D(2026, 6, 5))
    project = Project.objects.get(pk=world.luoxi_project.pk)
    for n in range(1, 4):
        roster_entry(project, n)
    return project


@pytest.fixture
def submitted(project, office):
    return payroll_submit(
        actor=office, project=project, month=D(2026, 10, 1), rows=[row(1, paid=500_000), row(2)]
    )


def tab_url(project):
    return reverse("project-detail", args=[project.pk]) + "?tab=payroll"


def month_url(project, month="2026-10"):
    return reverse("payroll-month", args=[project.pk, month])


def csv_file(lines: list[str], name: str = "payroll.csv", contractor: str | None = None) -> Any:
    """A payroll file for the 罗溪 project (its general contractor's code on every row, as required)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anxin.registry.models import Enterprise

    code = contractor or Enterprise.objects.get(name="罗溪建设工程有限公司").uscc
    header = "代发单位统一社会信用代码,姓名,身份证号,出勤天数,应发金额（元）,实发金额（元）,发放日期"
    body = [f"{code},{line}" for line in lines]
    return SimpleUploadedFile(
        name, ("\n".join([header, *body]) + "\n").encode("utf-8"), content_type="text/csv"
    )


def test_the_tab_shows_every_month_since_the_start_with_its_status(
    login, chengjian, project, submitted, django_assert_max_num_queries
):
    client = login(chengjian)
    with django_assert_max_num_queries(25):
        page = client.get(tab_url(project))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="payroll-grid"' in html
    for key in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10"):
        assert f'payroll-month-{key}"' in html
    assert "payroll-month-2026-11" not in html  # the month is not over
    assert "有差异" in html and "未报送" in html  # Oct reported with a difference; Jun–Sep past due
    assert 'data-testid="payroll-upload-link"' in html


def test_the_grid_costs_the_same_queries_for_many_months(
    login, chengjian, world, django_assert_max_num_queries
):
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=D(2022, 1, 5))
    client = login(chengjian)
    with django_assert_max_num_queries(25):
        page = client.get(tab_url(world.luoxi_project))
    assert page.content.decode().count('data-testid="payroll-status"') == 58


def test_a_town_reads_the_tab_without_the_upload(login, luoxi, project, submitted):
    html = login(luoxi).get(tab_url(project)).content.decode()
    assert 'data-testid="payroll-grid"' in html and "payroll-upload-link" not in html


def test_the_month_page_shows_the_findings_with_the_pay_day_and_its_clause(
    login, luoxi, project, submitted, django_assert_max_num_queries
):
    client = login(luoxi)
    with django_assert_max_num_queries(25):
        page = client.get(month_url(project))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2026-11-15（含）" in html and "payroll.pay_day" in html and "第三十一条" in html
    assert 'data-testid="finding-short"' in html and 'data-testid="finding-missing"' in html
    assert "1,000.00" in html  # the shortfall of worker 1
    assert "month-upload" not in html  # a town reads
    lines = client.get(month_url(project) + "?show=lines").content.decode()
    assert 'data-testid="lines-table"' in lines and "3204**********" in lines
    assert id_number(1) not in lines


def test_a_month_page_with_many_findings_keeps_its_queries(
    login, office, world, django_assert_max_num_queries
):
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=D(2026, 6, 5))
    project = Project.objects.get(pk=world.luoxi_project.pk)
    for n in range(1, 120):
        roster_entry(project, n)
    payroll_submit(
        actor=office, project=project, month=D(2026, 10, 1), rows=[row(n, paid=0) for n in range(1, 60)]
    )
    client = login(office)
    with django_assert_max_num_queries(25):
        assert client.get(month_url(project)).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(month_url(project) + "?show=lines&page=2").status_code == 200


def test_out_of_scope_is_404_and_anonymous_is_sent_to_login(login, xuejia, renshe, project, submitted):
    for user in (xuejia, renshe):
        client = login(user)
        assert client.get(month_url(project)).status_code == 404
        assert client.get(reverse("payroll-month-export", args=[project.pk, "2026-10"])).status_code in (
            403,
            404,
        )
    anonymous = login(None).get(month_url(project))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_a_month_outside_the_projects_months_is_404(login, office, project):
    client = login(office)
    assert client.get(month_url(project, "2026-11")).status_code == 404
    assert client.get(month_url(project, "2026-05")).status_code == 404
    assert client.get(month_url(project, "garbage")).status_code == 404


def test_the_export_of_findings_and_lines_is_logged(login, luoxi, project, submitted):
    client = login(luoxi)
    response = client.get(reverse("payroll-month-export", args=[project.pk, "2026-10"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=5)]
    assert values[0][:5] == ["工人1", "未足额发放", 6000, 5000, 1000]
    lines = client.get(reverse("payroll-month-export", args=[project.pk, "2026-10"]) + "?what=lines")
    assert lines.status_code == 200
    assert SecurityEvent.objects.filter(kind="export", user=luoxi).count() == 2


def test_upload_preview_then_confirm(login, chengjian, project):
    client = login(chengjian)
    url = reverse("payroll-upload", args=[project.pk])
    lines = [f"工人{n},{id_number(n)},22,6000,{5999 if n == 2 else 6000},2026-11-10" for n in (1, 2, 3)]
    page = client.post(url, {"month": "2026-10", "file": csv_file(lines)})
    html = page.content.decode()
    assert 'data-testid="import-preview"' in html and "有差异" in html and "少发 1.00 元" in html
    assert not Payroll.objects.exists()
    token = client.session["sites_payroll_upload_pending"]["token"]
    done = client.post(reverse("payroll-upload-confirm", args=[project.pk]), {"token": token})
    assert done.status_code == 302 and done["Location"] == month_url(project)
    payroll = Payroll.objects.get()
    assert (payroll.door, payroll.short_workers, payroll.short_amount, payroll.file_name) == (
        "screen",
        1,
        100,
        "payroll.csv",
    )
    assert PayrollMonth.objects.get().status == "diff"


def test_an_upload_with_bad_rows_names_them_and_keeps_nothing(login, chengjian, project, world):
    client = login(chengjian)
    bad_id = id_number(2)[:17] + ("1" if id_number(2)[17] != "1" else "2")
    lines = [
        f"工人1,{id_number(1)},22,6000,-1,2026-11-10",
        f"工人2,{bad_id},22,6000,6000,2026-11-10",
        f"工人3,{id_number(1)},22,6000,6000,",
    ]
    html = client.post(
        reverse("payroll-upload", args=[project.pk]), {"month": "2026-10", "file": csv_file(lines)}
    ).content.decode()
    assert 'data-testid="import-errors"' in html
    assert "第 2 行" in html and "实发金额（元）" in html and "金额不能为负数" in html
    assert "第 3 行" in html and "身份证号" in html
    assert "第 4 行" in html and "与第 2 行是同一劳动者" in html
    assert "sites_payroll_upload_pending" not in client.session
    assert not Payroll.objects.exists()


def test_another_contractors_file_is_refused(login, chengjian, project, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = "代发单位统一社会信用代码,姓名,身份证号,应发金额（元）,实发金额（元）"
    content = f"{header}\n{world.menghe_water.uscc},工人1,{id_number(1)},6000,6000\n"
    upload = SimpleUploadedFile("p.csv", content.encode(), content_type="text/csv")
    html = (
        login(chengjian)
        .post(reverse("payroll-upload", args=[project.pk]), {"month": "2026-10", "file": upload})
        .content.decode()
    )
    assert "第 2 行" in html and "代发单位统一社会信用代码" in html and "不是本项目的施工总承包单位" in html


def test_a_town_may_not_upload(login, luoxi, project):
    client = login(luoxi)
    assert client.get(reverse("payroll-upload", args=[project.pk])).status_code == 403
    assert client.get(reverse("payroll-template")).status_code == 403


def test_the_template_downloads_for_a_manager(login, chengjian):
    response = login(chengjian).get(reverse("payroll-template"))
    assert response.status_code == 200
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert header[:2] == ["项目ID", "月份"] and "应发金额（元）" in header
