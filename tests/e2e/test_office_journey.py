"""The office's journey: the cockpit warning about next year's calendar, a policy parameter changed
with its history, and an enterprise import refused row by row, then accepted."""

from __future__ import annotations

import io

import openpyxl
import pytest
import time_machine
from playwright.sync_api import expect

from anxin.org.tests.factories import PASSWORD
from anxin.registry.importing import COLUMNS
from anxin.registry.tests.factories import make_uscc
from tests.e2e.pages import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _workbook(rows: list[dict], path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key, "") for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def _row(**fields) -> dict:
    row = {
        "uscc": make_uscc(),
        "name": "导入测试有限公司",
        "legal_rep": "王五",
        "town": "罗溪镇",
        "address": "罗溪镇某路",
        "industry": "C",
        "kinds": "工业企业",
        "employees": "20",
    }
    row.update(fields)
    return row


@time_machine.travel("2026-11-25 10:00 +0800", tick=True)
def test_office_sees_the_missing_calendar_warning_and_changes_a_parameter(live_server, page, shot, office):
    sign_in(page, live_server, office.username, PASSWORD)
    expect(page.get_by_test_id("shell-warning").first).to_contain_text("2027 年工作日历尚未维护")
    shot("office-home")

    page.goto(f"{live_server.url}/settings/parameters/")
    expect(page.get_by_test_id("parameter-table")).to_contain_text("§五(二)")
    shot("office-parameters")
    page.get_by_role("link", name="即时报告：一个月内经查证属实的举报次数").click()
    page.fill("#id_value", "4")
    page.fill("#id_effective_from", "2027-01-01")
    page.fill("#id_note", "测试：区联席会议纪要〔2026〕5号")
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.get_by_test_id("new-value")).to_have_text("4 次")  # shown back before it is written
    page.get_by_role("button", name="确认登记").click()
    history = page.get_by_test_id("parameter-history")
    expect(history).to_contain_text("2027-01-01")
    expect(history).to_contain_text("4 次")
    expect(history).to_contain_text("现行")
    expect(history).to_contain_text("待生效")
    shot("office-parameter-history")

    nav(page, "settings", "工作日历")
    expect(page.locator(".cal-grid").first).to_be_visible()
    expect(page.get_by_test_id("calendar-warning")).to_have_count(0)  # the shell already warns
    shot("office-calendar")


def test_office_import_names_the_bad_row_and_writes_nothing_then_imports_a_good_file(
    live_server, page, shot, office, tmp_path
):
    from anxin.registry.models import Enterprise

    bad = tmp_path / "bad.xlsx"
    good_rows = [_row(name="导入一号有限公司"), _row(name="导入二号有限公司")]
    _workbook([*good_rows, _row(name="坏行有限公司", town="不存在镇")], bad)
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/enterprises/import/")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="校验").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("第 4 行")
    expect(errors).to_contain_text("所属镇/街道")
    expect(errors).to_contain_text("不存在镇")
    shot("office-import-errors")
    assert not Enterprise.objects.filter(name__startswith="导入").exists()

    good = tmp_path / "good.xlsx"
    _workbook(good_rows, good)
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="校验").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("新增")
    shot("office-import-preview")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="3. 确认导入").click()
    expect(page.locator(".alert-success")).to_contain_text("新增 2 家")
    assert Enterprise.objects.filter(name__startswith="导入").count() == 2
