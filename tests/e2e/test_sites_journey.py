"""A construction site seen first on the project (§三(九)(十); 保障农民工工资支付条例 第二十六至三十四条):
城建局 imports the real-name roster, uploads the general contractor's payroll for last month with two
workers short, the project's month shows 有差异 with the two workers and their figures, and — the pay day
being past — a signal on the general contractor reaches the town where the site is."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from anxin.core.validators import id_check_digit
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORKERS = [("王建国", 1), ("李秀英", 2), ("张大海", 3), ("刘春生", 4), ("陈小红", 5)]
SHORT = {"张大海": "5000.00", "刘春生": "5999.00"}  # due 6,000.00 each: one is 1,000 short, one a yuan


def _id(n: int) -> str:
    body = f"32041119850{n}16{n:03d}"
    return body + id_check_digit(body)


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, PASSWORD)


def accept_next_dialog(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def _upload(page, content: bytes, name: str) -> None:
    page.locator("input[type=file]").set_input_files(
        {
            "name": name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content,
        }
    )


# The day after November's pay day (day ``payroll.pay_day`` = 15 of December): a shortfall is arrears
# now, and the upload raises the signal at once (before the pay day the contractor may still pay it).
@time_machine.travel("2026-12-16 10:00 +0800", tick=True)
def test_a_roster_and_a_payroll_two_workers_short_reach_the_town(
    live_server, page, shot, world, chengjian, luoxi
):
    project = world.luoxi_project
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    project.start_date = last_month - datetime.timedelta(days=60)
    project.save(update_fields=["start_date"])
    contractor = world.luoxi_builder.uscc
    start = f"{project.start_date:%Y-%m-%d}"
    page_url = f"{live_server.url}/projects/{project.pk}/"

    # 城建局 imports the roster of five workers on the project's 实名花名册 tab.
    _as(page, live_server, chengjian)
    page.goto(f"{page_url}?tab=roster")
    page.get_by_test_id("roster-import-link").click()
    roster = _xlsx(
        ["姓名", "身份证号", "手机号", "用工单位统一社会信用代码", "班组", "工种", "进场日期"],
        [[name, _id(n), f"1381234560{n}", contractor, "木工一班", "木工", start] for name, n in WORKERS],
    )
    _upload(page, roster, "花名册.xlsx")
    page.get_by_role("button", name="校验").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("共 5 行")
    accept_next_dialog(page)
    page.get_by_test_id("import-confirm").click()
    page.goto(f"{page_url}?tab=roster")
    table = page.get_by_test_id("roster-table")
    for name, _n in WORKERS:
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text(_id(1))  # masked on screen
    shot("sites-roster-imported")

    # 城建局 uploads last month's payroll: two workers short.
    page.goto(f"{page_url}?tab=payroll")
    page.get_by_test_id("payroll-upload-link").click()
    page.get_by_label("工资所属月份").select_option(f"{last_month:%Y-%m}")
    paid_on = f"{today.replace(day=10):%Y-%m-%d}"  # on time, by the 15th
    payroll = _xlsx(
        [
            "代发单位统一社会信用代码",
            "姓名",
            "身份证号",
            "出勤天数",
            "应发金额（元）",
            "实发金额（元）",
            "发放日期",
        ],
        [
            [contractor, name, _id(n), "22", "6000.00", SHORT.get(name, "6000.00"), paid_on]
            for name, n in WORKERS
        ],
    )
    _upload(page, payroll, "工资发放表.xlsx")
    page.get_by_role("button", name="核对").click()
    expect(page.get_by_test_id("preview-status")).to_contain_text("有差异")
    shot("sites-payroll-preview")
    accept_next_dialog(page)
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("month-status")).to_contain_text("有差异")
    findings = page.get_by_test_id("findings-table")
    expect(findings).to_contain_text("张大海")
    expect(findings).to_contain_text("1,000.00")
    expect(findings).to_contain_text("刘春生")
    expect(findings).to_contain_text("1.00")
    expect(findings).not_to_contain_text("王建国")
    expect(page.get_by_test_id("short-signal")).to_be_visible()
    shot("sites-payroll-month-diff")
    page.goto(f"{page_url}?tab=payroll")
    expect(page.get_by_test_id(f"payroll-month-{last_month:%Y-%m}")).to_contain_text("有差异")
    shot("sites-payroll-grid")

    # 城建局's 工地监管 counts the project under 有差异 for November.
    page.goto(f"{live_server.url}/sites/")
    expect(page.get_by_test_id("sites-count-diff")).to_contain_text("1")
    expect(page.get_by_test_id(f"sites-status-{project.pk}")).to_contain_text("有差异")
    shot("sites-dashboard")

    # The town where the site is finds the signal among its signals, on the general contractor.
    _as(page, live_server, luoxi)
    page.goto(f"{live_server.url}/signals/")
    row = page.get_by_role("row").filter(has_text="工资未足额发放")
    expect(row.first).to_contain_text(world.luoxi_builder.name)
    shot("sites-signal-reaches-the-town")
    row.first.get_by_role("link").first.click()
    expect(page.locator("body")).to_contain_text("2")  # two workers
    expect(page.locator("body")).to_contain_text("1,001.00")  # the shortfall
    shot("sites-signal-detail")
