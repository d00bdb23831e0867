"""The roster's Excel import (``manage.py import roster FILE`` and the project's import screen): the
roster's rules row by row, every problem named by row and column, all rows or none; 项目ID required on
the command line, optional (and limited to the project) on the screen."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.urls import reverse

from anxin.core.audit import system_actor
from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.sites.models import RosterEntry
from anxin.sites.roster_importing import COLUMNS, roster_import_file, roster_template
from anxin.sites.tests.factories_roster import add, days_ago, id_number, site

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def line(
    s: Any,
    n: int,
    *,
    project: str | None = None,
    employer: Any = None,
    start: Any = None,
    leave: str = "",
    **kw: Any,
) -> list[str]:
    values = {
        "project": str(s.project.pk) if project is None else project,
        "name": f"工人{n}",
        "id_number": id_number(n),
        "phone": f"138{n:08d}",
        "employer": (employer or s.gc).uscc,
        "team": "木工班",
        "trade": "木工",
        "start_date": (start or days_ago(10)).isoformat(),
        "leave_date": leave,
    }
    values.update(kw)
    return [values[c.key] for c in COLUMNS]


@pytest.fixture
def s(district):
    return site()


def _run(actor: Any, rows: list, *, dry_run: bool = False, project: Any = None) -> Any:
    return roster_import_file(
        actor=actor, content=xlsx(rows), filename="花名册.xlsx", dry_run=dry_run, project=project
    )


def test_a_dry_run_previews_and_writes_nothing(s, chengjian):
    result = _run(chengjian, [line(s, 1), line(s, 2, employer=s.sub)], dry_run=True)
    assert result.ok and [p["row"] for p in result.preview] == [2, 3]
    assert (
        result.preview[0]["id_number"].startswith(id_number(1)[:4]) and "*" in result.preview[0]["id_number"]
    )
    assert not RosterEntry.objects.exists()


def test_an_import_writes_every_row_and_is_logged(s, chengjian):
    result = _run(chengjian, [line(s, 1), line(s, 2, employer=s.sub, leave=days_ago(1).isoformat())])
    assert result.ok and result.created == 2
    assert RosterEntry.objects.filter(project=s.project, leave_date__isnull=True).count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.IMPORT, user=chengjian).exists()


def test_every_error_is_named_by_row_and_column_and_nothing_is_written(s, chengjian):
    add(s, 7)
    rows = [
        line(s, 1),
        line(s, 2, id_number="320411199001010000"),
        line(s, 3, employer=s.other),
        line(s, 4, phone="123"),
        line(s, 5, start_date="2026-13-01"),
        line(s, 6, start=days_ago(-3)),
        line(s, 1, name="又一个"),
        line(s, 7),
        line(s, 8, leave=days_ago(20).isoformat()),
        line(s, 9, name=""),
    ]
    result = _run(chengjian, rows)
    where = {(e.row, e.column) for e in result.errors}
    assert where == {
        (3, "身份证号"),
        (4, "用工单位统一社会信用代码"),
        (5, "手机号"),
        (6, "进场日期"),
        (7, "进场日期"),
        (8, "身份证号"),
        (9, "身份证号"),
        (10, "退场日期"),
        (11, "姓名"),
    }
    message = {e.row: e.message for e in result.errors}
    assert "第 2 行" in message[8] and "尚未退场" in message[9] and "不是本项目" in message[4]
    assert RosterEntry.objects.filter(project=s.project).count() == 1 and result.created == 0


def test_a_row_for_another_project_or_one_out_of_reach_is_refused(district, s, shuili, chengjian):
    water = site(town="menghe", supervisor="water")
    result = _run(shuili, [line(water, 1), line(s, 2)])
    assert [(e.row, e.column) for e in result.errors] == [(3, "项目ID")]
    result = _run(chengjian, [line(s, 1), line(water, 2)], project=s.project)
    assert [(e.row, e.column) for e in result.errors] == [(3, "项目ID")]
    assert "限于项目" in result.errors[0].message
    assert not RosterEntry.objects.exists()


def test_the_project_column_may_be_blank_on_the_screen_not_on_the_command_line(s, chengjian):
    assert _run(chengjian, [line(s, 1, project="")], project=s.project).ok
    result = _run(chengjian, [line(s, 2, project="")])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, "项目ID", "必填")]


def test_a_town_cannot_import(s, luoxi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _run(luoxi, [line(s, 1)])


def test_the_command_imports_all_or_none(s, tmp_path):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx([line(s, 1), line(s, 2, phone="1")]))
    with pytest.raises(CommandError):
        call_command("import", "roster", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not RosterEntry.objects.exists()
    path.write_bytes(xlsx([line(s, 1), line(s, 2)]))
    call_command("import", "roster", str(path), stdout=io.StringIO())
    assert RosterEntry.objects.filter(project=s.project, added_by=system_actor()).count() == 2


def test_the_template_names_every_column_with_the_project(s):
    sheet = openpyxl.load_workbook(io.BytesIO(roster_template(s.project))).worksheets[0]
    headers = [str(c.value).lstrip("*") for c in sheet[1] if c.value]
    assert headers == HEADERS


# --- the screen ----------------------------------------------------------------------------------------------


def test_the_screen_opened_from_a_project_previews_then_imports(login, s, chengjian):
    client = login(chengjian)
    page = client.get(reverse("roster-import") + f"?project={s.project.pk}")
    assert page.status_code == 200 and f'<option value="{s.project.pk}" selected>' in page.content.decode()
    upload = io.BytesIO(xlsx([line(s, 1, project=""), line(s, 2, employer=s.sub)]))
    upload.name = "花名册.xlsx"
    preview = client.post(reverse("roster-import"), {"file": upload, "project": s.project.pk})
    assert 'data-testid="import-preview"' in preview.content.decode() and not RosterEntry.objects.exists()
    token = preview.context["pending"]["token"]
    done = client.post(reverse("roster-import-confirm"), {"token": token})
    assert done.status_code == 302 and done["Location"].endswith(f"/projects/{s.project.pk}/?tab=roster")
    assert RosterEntry.objects.filter(project=s.project).count() == 2


def test_the_screen_lists_every_error_and_offers_no_confirm(login, s, chengjian):
    upload = io.BytesIO(xlsx([line(s, 1, phone="x"), line(s, 2, employer=s.other)]))
    upload.name = "花名册.xlsx"
    html = (
        login(chengjian)
        .post(reverse("roster-import"), {"file": upload, "project": s.project.pk})
        .content.decode()
    )
    assert 'data-testid="import-errors"' in html and "第 2 行" in html and "第 3 行" in html
    assert 'data-testid="import-confirm"' not in html


def test_the_screen_offers_only_the_projects_one_keeps(login, district, shuili):
    water, building = site(town="menghe", supervisor="water"), site()
    html = login(shuili).get(reverse("roster-import")).content.decode()
    assert water.project.name in html and building.project.name not in html


@pytest.mark.parametrize("persona", ["luoxi", "leader", "auditor"])
def test_who_does_not_keep_rosters_gets_no_import_screen(login, s, request, persona):
    client = login(request.getfixturevalue(persona))
    for name in ("roster-import", "roster-import-template"):
        assert client.get(reverse(name)).status_code == 403


def test_the_template_download(login, s, chengjian):
    response = login(chengjian).get(reverse("roster-import-template") + f"?project={s.project.pk}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_anonymous_is_sent_to_log_in(login, s):
    response = login(None).get(reverse("roster-import"))
    assert response.status_code == 302 and "login" in response["Location"]
