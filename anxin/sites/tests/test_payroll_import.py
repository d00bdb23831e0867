"""``manage.py import payroll FILE``: the file names each row's 项目ID and 月份; all rows or none, each
problem by row and column."""

from __future__ import annotations

import datetime
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from anxin.core.models import SecurityEvent
from anxin.registry.models import Project
from anxin.sites.models import Payroll
from anxin.sites.tests.factories_payroll import id_number, roster_entry

D = datetime.date
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HEADER = "代发单位统一社会信用代码,项目ID,月份,姓名,身份证号,出勤天数,应发金额（元）,实发金额（元）,发放日期"


def with_contractor(line: str) -> str:
    """The row with its project's general contractor's credit code in front (blank for no project)."""
    pk = line.split(",", 1)[0]
    found = (
        Project.objects.filter(pk=pk).values_list("general_contractor__uscc", flat=True).first()
        if pk.isdigit()
        else None
    )
    return f"{found or ''},{line}"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def projects(world):
    Project.objects.filter(pk__in=[world.luoxi_project.pk, world.menghe_river.pk]).update(
        start_date=D(2026, 6, 5)
    )
    roster_entry(world.luoxi_project, 1)
    roster_entry(world.menghe_river, 2)
    return world.luoxi_project, world.menghe_river


def run(tmp_path, lines, *args):
    path = tmp_path / "payroll.csv"
    path.write_text("\n".join([HEADER, *map(with_contractor, lines)]) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import", "payroll", str(path), *args, stdout=out, stderr=out)


def test_one_file_for_several_projects_and_months(tmp_path, projects):
    luoxi, river = projects
    run(
        tmp_path,
        [
            f"{luoxi.pk},2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10",
            f"{luoxi.pk},2026-09,工人1,{id_number(1)},22,6000,6000,2026-10-10",
            f"{river.pk},2026-10,工人2,{id_number(2)},22,6000,5000,2026-11-10",
        ],
    )
    found = {(p.project_id, p.month, p.door, p.status) for p in Payroll.objects.all()}
    assert found == {
        (luoxi.pk, D(2026, 10, 1), "import", "ok"),
        (luoxi.pk, D(2026, 9, 1), "import", "ok"),
        (river.pk, D(2026, 10, 1), "import", "diff"),
    }
    assert SecurityEvent.objects.filter(kind="import").exists()


def test_a_dry_run_writes_nothing(tmp_path, projects):
    run(tmp_path, [f"{projects[0].pk},2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10"], "--dry-run")
    assert not Payroll.objects.exists()


def test_any_bad_row_refuses_the_whole_file(tmp_path, projects, capsys):
    luoxi, _river = projects
    with pytest.raises(CommandError, match="未写入任何数据"):
        run(
            tmp_path,
            [
                f"{luoxi.pk},2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10",
                f",2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10",
                f"{luoxi.pk},2026-13,工人1,{id_number(1)},22,6000,abc,2026-11-10",
                f"99999,2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10",
            ],
        )
    assert not Payroll.objects.exists()


def test_the_errors_name_row_and_column(projects, system_import):
    luoxi, _river = projects
    lines = [
        f",2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10",
        f"{luoxi.pk},2026-13,工人1,{id_number(1)},22,6000,abc,2026-11-10",
        f"{luoxi.pk},2026-12,工人1,{id_number(1)},22,6000,6000,2026-11-10",
    ]
    content = "\n".join([HEADER, *map(with_contractor, lines)]).encode()
    result = system_import(content)
    found = {(e.row, e.column) for e in result.errors}
    assert {(2, "项目ID"), (3, "月份"), (3, "实发金额（元）"), (4, "月份")} <= found


@pytest.fixture
def system_import():
    from anxin.core.audit import system_actor
    from anxin.sites.payroll_importing import payroll_import

    def _run(content: bytes) -> Any:
        return payroll_import(actor=system_actor(), content=content, filename="p.csv", dry_run=True)

    return _run


def test_a_row_without_its_contractor_or_with_another_projects_is_refused_by_row_and_column(
    projects, system_import
):
    """Review finding: a file of another project uploaded here, its 代发单位 left blank, was checked as
    this project's (every worker 未在花名册, the roster 在册未发放). The code is required on every row."""
    luoxi, river = projects
    content = "\n".join(
        [
            HEADER,
            f",{luoxi.pk},2026-10,工人1,{id_number(1)},22,6000,6000,2026-11-10",
            f"{river.general_contractor.uscc},{luoxi.pk},2026-10,工人2,{id_number(2)},22,6000,6000,2026-11-10",
        ]
    ).encode()
    result = system_import(content)
    found = {(e.row, e.column) for e in result.errors}
    assert {(2, "代发单位统一社会信用代码"), (3, "代发单位统一社会信用代码")} <= found
    assert not Payroll.objects.exists()
