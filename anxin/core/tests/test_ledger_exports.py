"""Every ledger's Excel export can be summed, sorted and printed (issue #14, item 10).

The ledgers are found where the site serves them (every URL whose view is a ``ledger_view``), so
a new ledger is covered without being named here. For each: amounts are numbers in yuan with the
yuan format, dates are Excel dates with a date format, counts are numbers; the sheet prints
landscape, fitted to the page's width, with the header row repeated on every page. One test reads
back the real exports of the demo district, as the office (or the role that reads that ledger)
downloads them, and refuses any text cell that is really an amount or a date."""

from __future__ import annotations

import datetime
import importlib
import io
import pkgutil
import re
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

import anxin
from anxin.core.ledger import Ledger, declared
from anxin.core.xlsx import HEADER_ROW, workbook_bytes

YUAN_FORMAT = "#,##0.00"
MONEY_LABEL = re.compile(r"金额|（元）|已支付|保证金")
DATE_LABEL = re.compile(r"时间|日期|期限|月份|截止|基准日|竣工|送达|开始拖欠|下次|最近")
LOOKS_LIKE_MONEY = re.compile(r"^-?¥?[0-9][0-9,]*\.[0-9]{2}\s*元?$")
LOOKS_LIKE_DATE = re.compile(r"^[0-9]{4}[-/年][0-9]{1,2}([-/月][0-9]{1,2}日?)?(\s|$)")


def mounted_ledgers() -> dict[int, str]:
    """id(ledger) → the path of the ledger view that serves it, for every ledger view of the site."""
    found: dict[int, str] = {}

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "ledger"):
                found[id(entry.callback.ledger)] = "/" + prefix + str(entry.pattern)

    walk(get_resolver().url_patterns, "")
    return found


def registered_ledgers() -> list[Ledger]:
    """Every ledger the project declares (every module under ``anxin`` imported, tests aside)."""
    for info in pkgutil.walk_packages(anxin.__path__, "anxin."):
        if not SKIP.search(info.name):
            importlib.import_module(info.name)
    return sorted(
        (ledger for ledger in declared() if not SKIP.search(ledger.declared_in)),
        key=lambda ledger: ledger.title,
    )


SKIP = re.compile(r"^anxin\.(settings.*|wsgi|asgi)$|\.(tests|migrations)(\.|$)")
LEDGERS = registered_ledgers()
IDS = [ledger.title for ledger in LEDGERS]


def _sample(kind: str, label: str) -> Any:
    return {
        "money": 1234567,  # 12,345.67 元
        "int": 7,
        "date": datetime.date(2026, 11, 20),
        "datetime": datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC),  # 09:30 in Shanghai
    }.get(kind, f"{label}的文字")


def _sheet(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _assert_printable(sheet: Any, ledger: Ledger) -> None:
    assert sheet.page_setup.orientation == "landscape", ledger.title
    assert sheet.page_setup.paperSize in (9, "9"), ledger.title  # A4
    assert sheet.print_title_rows == f"${HEADER_ROW + 1}:${HEADER_ROW + 1}", ledger.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, ledger.title
    # one page wide (1 is the default, which the file may leave out), as many pages long as it takes
    assert sheet.page_setup.fitToWidth in (None, 1, "1"), ledger.title
    assert sheet.page_setup.fitToHeight in (0, "0"), ledger.title


def _assert_typed(cell: Any, kind: str, where: str) -> None:
    if kind == "money":
        assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), where
        assert cell.number_format == YUAN_FORMAT, where
    elif kind == "int":
        assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), where
    elif kind in ("date", "datetime"):
        assert isinstance(cell.value, datetime.datetime), where
        assert cell.is_date and "yy" in cell.number_format, where
    else:
        text = str(cell.value)
        assert not LOOKS_LIKE_MONEY.match(text), f"{where}: an amount written as text: {text!r}"
        assert not LOOKS_LIKE_DATE.match(text), f"{where}: a date written as text: {text!r}"


def test_the_walk_finds_every_ledger_of_every_app():
    titles = {ledger.title for ledger in LEDGERS}
    assert len(LEDGERS) >= 13
    assert "排查摸底台账（§四(一)）" in titles  # served by its campaign's page, not a ledger view
    assert {"欠薪案件台账", "企业台账", "工程项目台账", "预警线索台账", "安全事件台账"} <= titles


@pytest.mark.parametrize("ledger", LEDGERS, ids=IDS)
def test_the_columns_of_amounts_and_dates_are_declared_as_such(ledger):
    for column in ledger.columns:
        if MONEY_LABEL.search(column.label):
            assert column.kind == "money", f"{ledger.title}「{column.label}」 is an amount: kind money"
        if DATE_LABEL.search(column.label):
            assert column.kind in ("date", "datetime"), f"{ledger.title}「{column.label}」 is a date"


@pytest.mark.parametrize("ledger", LEDGERS, ids=IDS)
def test_each_ledger_writes_numbers_dates_and_a_printable_landscape_sheet(ledger):
    row = [_sample(column.kind, column.label) for column in ledger.columns]
    sheet = _sheet(workbook_bytes(title=ledger.title, columns=[c.col for c in ledger.columns], rows=[row]))
    assert [c.value for c in sheet[HEADER_ROW + 1]] == [column.label for column in ledger.columns]
    for index, column in enumerate(ledger.columns):
        cell = sheet.cell(row=HEADER_ROW + 2, column=index + 1)
        _assert_typed(cell, column.kind, f"{ledger.title}「{column.label}」")
        if column.kind == "money":
            assert cell.value == pytest.approx(12345.67)
    _assert_printable(sheet, ledger)


def test_a_money_column_refuses_a_yuan_string():
    from anxin.core.xlsx import Col

    with pytest.raises(TypeError):
        workbook_bytes(title="t", columns=[Col("金额（元）", kind="money")], rows=[["12,345.67"]])


def test_a_whole_yuan_amount_is_a_whole_number():
    from anxin.core.xlsx import Col

    sheet = _sheet(workbook_bytes(title="t", columns=[Col("金额（元）", kind="money")], rows=[[8000000]]))
    cell = sheet.cell(row=HEADER_ROW + 2, column=1)
    assert cell.value == 80000 and cell.number_format == YUAN_FORMAT


# --- the real exports of the demo district -------------------------------------------------------

READERS = ["office", "auditor", "secadmin", "sysadmin", "leader"]


@pytest.fixture
def demo(district, request):
    from anxin.monitoring.screening import campaign_launch
    from anxin.org.models import Town

    with override_settings(DEBUG=True):  # the demo refuses production settings
        call_command("load_demo", stdout=io.StringIO())
    today = datetime.date.today()
    campaign_launch(  # the demo has no screening campaign: one, for its ledger
        actor=request.getfixturevalue("office"),  # after the demo, which refuses a database with users
        name="冬季排查",
        start=today,
        end=today + datetime.timedelta(days=30),
        kinds=[],
        towns=list(Town.objects.filter(code="luoxi")),
    )


def _reader(request: Any, ledger: Ledger) -> Any:
    for name in READERS:
        user = request.getfixturevalue(name)
        if user.has_perm(ledger.permission) and ledger.may_export(user):
            return user
    raise AssertionError(f"no persona may export {ledger.title}")


def _paths() -> dict[str, str]:
    """The path of each ledger's export: its ledger view's, or the page that serves it."""
    from anxin.monitoring.models import ScreeningCampaign

    mounted = mounted_ledgers()
    paths = {ledger.title: mounted[id(ledger)] for ledger in LEDGERS if id(ledger) in mounted}
    campaign = ScreeningCampaign.objects.order_by("pk").first()
    if campaign is not None:
        paths["排查摸底台账（§四(一)）"] = f"/screening/{campaign.pk}/"
    paths["应急周转资金台账"] = "/money/funds/district/"  # one per fund: the district's
    return paths


def test_every_ledger_of_the_demo_district_exports_typed_cells_and_prints_landscape(demo, request, login):
    paths = _paths()
    assert set(paths) == set(IDS), "a ledger without a known export path: add it to _paths()"
    rows_seen = {}
    for ledger in LEDGERS:
        response = login(_reader(request, ledger)).get(paths[ledger.title], {"export": "xlsx"})
        assert response.status_code == 200, ledger.title
        sheet = _sheet(response.content)
        _assert_printable(sheet, ledger)
        rows = list(sheet.iter_rows(min_row=HEADER_ROW + 2))
        rows_seen[ledger.title] = len(rows)
        for row in rows:
            for column, cell in zip(ledger.columns, row, strict=False):
                if cell.value is not None:
                    _assert_typed(cell, column.kind, f"{ledger.title}「{column.label}」{cell.coordinate}")
    # the case ledger of the issue: its amounts are numbers in yuan
    assert rows_seen["欠薪案件台账"] >= 1
    cases = _sheet(login(request.getfixturevalue("office")).get("/cases/", {"export": "xlsx"}).content)
    labels = [c.value for c in cases[HEADER_ROW + 1]]
    for label in ("登记欠薪金额（元）", "已支付（元）"):
        cell = cases.cell(row=HEADER_ROW + 2, column=labels.index(label) + 1)
        assert isinstance(cell.value, int | float) and cell.number_format == YUAN_FORMAT, label
    assert sum(1 for count in rows_seen.values() if count) >= 8, rows_seen
