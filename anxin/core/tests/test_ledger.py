"""The generic ledger: one column declaration gives the export (labels, order, number formats)
and the screen's headers; export refused without its permission; pages; the HTMX partial; a
query count that does not grow with the rows."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from anxin.core import selectors
from anxin.core.forms import SecurityEventFilter
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.core.services import security_event_record

pytestmark = pytest.mark.urls(__name__)

URL = "/test-ledger/"
GUARDED = "/test-ledger/guarded/"
FAILED = {"kind": "login_failed"}  # not the login the test client itself records
AT = datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Asia/Shanghai

EVENTS = Ledger(
    title="测试台账",
    filename="测试",
    page_title="测试页",
    columns=[
        Column("编号", "pk", 8, "int"),
        Column("时间", "at", 18, "datetime"),
        Column("日期", "at", 12, "date"),
        Column("用户", "user.display_name", 12),
        Column("金额（元）", lambda e: e.detail.get("fen"), 14, "money"),
        Column("类型", "get_kind_display", 12),
    ],
    screen=[Header("类型"), Header("用户", "操作人", "text-nowrap", title="谁")],
    filter_form=SecurityEventFilter,
    select=selectors.security_event_list,
    permission="core.view_securityevent",
    template="core/security_events.html",
    partial="core/_ledger_head.html",
    per_page=3,
)
GUARDED_EVENTS = Ledger(
    title="受限台账",
    columns=EVENTS.columns,
    filter_form=SecurityEventFilter,
    select=selectors.security_event_list,
    permission="core.view_securityevent",
    export_permission="registry.export_enterprise",
    refusal="您的角色不能导出受限台账。",
    template="core/security_events.html",
)


def _whole_rows(request: Any, context: dict) -> dict:
    """The page was found on ids; its rows are read whole (what the risk ledger does)."""
    page = context["page"]
    found = SecurityEvent.objects.in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list]
    return {"found_on_ids": True}


NARROW_EVENTS = Ledger(
    title="按编号分页",
    columns=EVENTS.columns,
    filter_form=SecurityEventFilter,
    select=selectors.security_event_list,
    permission="core.view_securityevent",
    template="core/security_events.html",
    per_page=2,
    paged=lambda rows: rows.values_list("pk", flat=True),
    context=_whole_rows,
)

urlpatterns = [
    path("test-ledger/narrow/", ledger_view(NARROW_EVENTS)),
    path("test-ledger/", ledger_view(EVENTS)),
    path("test-ledger/guarded/", ledger_view(GUARDED_EVENTS)),
    path("", include("anxin.urls")),
]


def events(n: int, *, user: Any = None, fen: int = 1234567) -> None:
    with time_machine.travel(AT, tick=False):
        for i in range(n):
            security_event_record(
                kind=SecurityEventKind.LOGIN_FAILED, user=user, username=f"t_user{i}", detail={"fen": fen}
            )


def sheet_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_the_export_has_the_declared_columns_in_order(login, auditor):
    events(1, user=auditor)
    sheet = sheet_of(login(auditor).get(URL, {"export": "xlsx", **FAILED}))
    assert sheet["A1"].value == "测试台账"
    assert [c.value for c in sheet[4]] == ["编号", "时间", "日期", "用户", "金额（元）", "类型"]
    assert sheet.column_dimensions["D"].width == pytest.approx(12, abs=1)


def test_export_cells_are_typed_money_in_yuan_and_times_local(login, auditor):
    events(1, user=auditor)
    row = sheet_of(login(auditor).get(URL, {"export": "xlsx", **FAILED}))[5]
    number, at, day, user, money, kind = row
    assert isinstance(number.value, int)
    assert at.value == datetime.datetime(2026, 11, 20, 9, 30)
    assert at.number_format == "yyyy-mm-dd hh:mm"
    assert day.value == datetime.datetime(2026, 11, 20)
    assert day.number_format == "yyyy-mm-dd"
    assert user.value == auditor.display_name
    assert money.value == pytest.approx(12345.67)
    assert money.number_format == "#,##0.00"
    assert kind.value == "登录失败"


def test_a_missing_link_on_the_path_is_an_empty_cell(login, auditor):
    events(1, user=None)
    row = sheet_of(login(auditor).get(URL, {"export": "xlsx", **FAILED}))[5]
    assert row[3].value is None


def test_the_export_describes_the_filters_and_is_logged(login, auditor):
    events(2)
    response = login(auditor).get(URL, {"export": "xlsx", "kind": "login_failed"})
    assert "类型=登录失败" in sheet_of(response)["A2"].value
    assert response["Content-Disposition"].startswith("attachment")
    logged = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert logged.detail["rows"] == 2 and logged.summary == "导出测试台账 2 条"


def test_export_without_the_export_permission_is_refused_with_the_ledgers_message(login, auditor):
    assert auditor.has_perm("core.view_securityevent") and not auditor.has_perm("registry.export_enterprise")
    response = login(auditor).get(GUARDED, {"export": "xlsx"}, follow=True)
    assert response.redirect_chain == [(GUARDED, 302)]
    assert [str(m) for m in response.context["messages"]] == ["您的角色不能导出受限台账。"]
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).exists()


def test_the_ledger_needs_its_view_permission(login, office):
    assert login(office).get(URL).status_code == 403
    assert login(None).get(URL).status_code == 302


def test_the_screen_pages_and_shows_the_declared_headers(login, auditor):
    events(7)
    response = login(auditor).get(URL, {"page": 3, **FAILED})
    assert response.context["page_title"] == "测试页"
    assert response.context["paginator"].count == 7
    assert len(response.context["page"].object_list) == 1
    html = response.content.decode()
    assert '<th>类型</th><th class="text-nowrap" title="谁">操作人</th>' in html
    assert "<html" in html


def test_a_ledger_may_page_on_ids_and_read_the_page_whole(login, auditor):
    events(3)
    response = login(auditor).get("/test-ledger/narrow/", FAILED)
    assert response.context["found_on_ids"]
    assert response.context["paginator"].count == 3
    assert [type(e) for e in response.context["page"].object_list] == [SecurityEvent, SecurityEvent]
    assert len(login(auditor).get("/test-ledger/narrow/", {"export": "xlsx", **FAILED}).content) > 0


def test_an_htmx_request_gets_the_partial(login, auditor):
    events(2)
    html = login(auditor).get(URL, HTTP_HX_REQUEST="true").content.decode()
    assert html.strip().startswith("<thead>") and "<html" not in html


def test_a_screen_header_naming_no_column_is_an_error():
    with pytest.raises(ValueError, match="没有"):
        Ledger(
            title="错",
            columns=[Column("有", "pk")],
            screen=[Header("没有")],
            filter_form=SecurityEventFilter,
            select=selectors.security_event_list,
            permission="core.view_securityevent",
            template="core/security_events.html",
        )


@pytest.mark.parametrize("url", [URL + "?kind=login_failed", URL + "?kind=login_failed&export=xlsx"])
def test_the_query_count_does_not_grow_with_the_rows(login, auditor, url):
    client = login(auditor)
    events(2, user=auditor)
    client.get(url)  # the first request of a session does more (the session itself)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    events(40, user=auditor)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
