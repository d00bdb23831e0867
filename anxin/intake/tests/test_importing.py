"""Import of a channel's spreadsheet: template, row/column errors, all or nothing, idempotent."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent
from anxin.core.tabular import MAX_BYTES
from anxin.intake.importing import COLUMNS, signal_import, signal_template
from anxin.intake.models import Channel, Signal
from anxin.intake.tests.factories import on_disk
from anxin.registry.tests.factories import make_uscc

HEADERS = [c.header for c in COLUMNS]


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _row(n: int, enterprise=None, **changes) -> dict:
    row = {
        "reference": f"XF-{n:04d}",
        "kind": "欠薪投诉举报",
        "employer_uscc": enterprise.uscc if enterprise else "",
        "employer_name": "" if enterprise else f"未登记公司{n}",
        "town": "" if enterprise else "罗溪镇",
        "received_at": "2026-11-20 09:30",
        "workers": "3",
        "amount": "12,000.00",
        "months_owed": "2",
        "summary": f"第{n}件来信",
    }
    row.update(changes)
    return row


@pytest.fixture
def petition():
    return Channel.objects.get(code="petition")


def test_the_template_has_the_chinese_headers(district):
    book = openpyxl.load_workbook(io.BytesIO(signal_template()))
    headers = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
    assert headers[: len(HEADERS)] == HEADERS


def test_a_dry_run_previews_and_writes_nothing(world, petition):
    content = _csv([_row(1, world.luoxi_factory), _row(2)])
    result = signal_import(
        actor=system_actor(), content=content, filename="x.csv", dry_run=True, channel=petition
    )
    assert result.ok and [p["action"] for p in result.preview] == ["新增", "新增"]
    assert [p["matched"] for p in result.preview] == [True, False]
    assert not Signal.objects.exists()


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_written(world, petition):
    content = _csv(
        [
            _row(1, world.luoxi_factory),
            _row(2, world.luoxi_factory, kind="乱写"),
            _row(3, world.luoxi_factory, received_at="2099-01-01"),
            _row(4, world.luoxi_factory, amount="-5"),
            _row(5, world.luoxi_factory, employer_uscc="91320411MA1XXXXXX0"),
            _row(6, world.luoxi_factory, reference=""),
            _row(7, world.luoxi_factory, reference="XF-0001"),
            _row(8, None, town="火星镇"),
        ]
    )
    result = signal_import(
        actor=system_actor(), content=content, filename="x.csv", dry_run=False, channel=petition
    )
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "线索类型"),
        (4, "接收时间"),
        (5, "涉及金额（元）"),
        (6, "统一社会信用代码"),
        (7, "渠道编号"),
        (8, "渠道编号"),
        (9, "镇/街道"),
    }
    assert not Signal.objects.exists()


def test_reimporting_the_same_file_duplicates_nothing(world, petition):
    content = _csv([_row(n, world.luoxi_factory) for n in range(1, 4)])
    first = signal_import(
        actor=system_actor(), content=content, filename="x.csv", dry_run=False, channel=petition
    )
    assert first.created == 3
    again = signal_import(
        actor=system_actor(), content=content, filename="x.csv", dry_run=False, channel=petition
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = _csv([_row(1, world.luoxi_factory, workers="9")])
    third = signal_import(
        actor=system_actor(), content=changed, filename="x.csv", dry_run=False, channel=petition
    )
    assert third.updated == 1 and Signal.objects.count() == 3
    assert SecurityEvent.objects.filter(kind="import").count() == 3


def test_a_town_imports_only_on_its_channels(world, luoxi):
    grid = Channel.objects.get(code="grid")
    content = _csv([_row(1, world.luoxi_factory)])
    result = signal_import(actor=luoxi, content=content, filename="x.csv", dry_run=True, channel=grid)
    assert not result.errors
    with pytest.raises(DomainError):
        signal_import(
            actor=luoxi,
            content=content,
            filename="x.csv",
            dry_run=True,
            channel=Channel.objects.get(code="petition"),
        )


def test_another_towns_code_and_an_unregistered_code_get_the_same_answer(world, luoxi):
    """Issue #13 finding 6: a town cannot learn from an import whether a code is registered in
    another town (or the name it is registered under): both rows are taken as unregistered
    employers where the work was, for the office to match."""
    grid = Channel.objects.get(code="grid")
    elsewhere = _row(1, employer_uscc=world.xuejia_factory.uscc, employer_name="", town="")
    nowhere = _row(2, employer_uscc=make_uscc(), employer_name="", town="")
    content = _csv([elsewhere, nowhere])
    result = signal_import(actor=luoxi, content=content, filename="x.csv", dry_run=True, channel=grid)
    assert result.errors == []
    first, second = result.preview
    assert first["matched"] is False and second["matched"] is False
    assert first["name"] == elsewhere["employer_uscc"] and second["name"] == nowhere["employer_uscc"]
    assert world.xuejia_factory.name not in str(result.preview)
    assert {k: v for k, v in first.items() if k not in ("row", "reference", "name")} == {
        k: v for k, v in second.items() if k not in ("row", "reference", "name")
    }
    signal_import(actor=luoxi, content=content, filename="x.csv", dry_run=False, channel=grid)
    recorded = Signal.objects.order_by("reference")
    assert [(s.enterprise_id, s.town_id) for s in recorded] == [(None, luoxi.unit.town_id)] * 2


def test_the_office_still_matches_any_towns_code(world, office):
    content = _csv([_row(1, employer_uscc=world.xuejia_factory.uscc, employer_name="", town="")])
    result = signal_import(
        actor=office,
        content=content,
        filename="x.csv",
        dry_run=True,
        channel=Channel.objects.get(code="petition"),
    )
    assert result.errors == []
    assert result.preview[0]["matched"] is True


def test_the_import_command_takes_a_channel(world, tmp_path: Path):
    path = tmp_path / "petition.csv"
    path.write_bytes(_csv([_row(1, world.luoxi_factory), _row(2, world.sanjing_developer)]))
    out = io.StringIO()
    call_command("import", "signals", str(path), "--channel", "petition", stdout=out)
    assert "新增 2" in out.getvalue()
    assert Signal.objects.filter(channel__code="petition").count() == 2
    with pytest.raises(CommandError):
        call_command("import", "signals", str(path), "--channel", "nope", stdout=out)
    with pytest.raises(CommandError):
        call_command("import", "enterprises", str(path), "--channel", "petition", stdout=out)


def test_a_channel_column_replaces_the_chosen_channel(world):
    content = _csv([_row(1, world.luoxi_factory, channel="12333")])
    result = signal_import(actor=system_actor(), content=content, filename="x.csv", dry_run=False)
    assert result.ok and Signal.objects.get().channel.code == "hotline-12333"
    missing = _csv([_row(2, world.luoxi_factory)])
    result = signal_import(actor=system_actor(), content=missing, filename="x.csv", dry_run=True)
    assert [e.column for e in result.errors] == ["渠道"]


def test_import_through_the_screen(world, login, renshe):
    client = login(renshe)
    channel = Channel.objects.get(code="hotline-12333")
    upload = io.BytesIO(_csv([_row(1, world.luoxi_factory)]))
    upload.name = "12333.csv"
    preview = client.post("/signals/import/", {"channel": channel.pk, "file": upload})
    assert preview.status_code == 200 and preview.context["result"].ok
    token = preview.context["pending"]["token"]
    done = client.post("/signals/import/confirm/", {"token": token})
    assert done.status_code == 302 and Signal.objects.count() == 1


def _over_10_mb(world) -> bytes:
    """A well-formed CSV of valid rows, padded past the 10 MB import limit."""

    content = _csv([_row(1, world.luoxi_factory)])
    return content + b"\n" * (MAX_BYTES + 1 - len(content))


def test_a_file_over_10_mb_is_refused_in_chinese_and_nothing_is_written(world, petition):
    content = _over_10_mb(world)
    for dry_run in (True, False):
        with pytest.raises(DomainError) as refused:
            signal_import(
                actor=system_actor(), content=content, filename="big.csv", dry_run=dry_run, channel=petition
            )
        assert refused.value.message == "文件超过 10 MB，请拆分后分批导入"
    assert not Signal.objects.exists() and not SecurityEvent.objects.filter(kind="import").exists()


def test_a_file_over_10_mb_through_the_screen_is_refused_and_nothing_is_kept(
    world, login, renshe, settings, tmp_path
):
    on_disk(settings, tmp_path / "media")
    client = login(renshe)
    upload = io.BytesIO(_over_10_mb(world))
    upload.name = "12333.csv"
    response = client.post(
        "/signals/import/", {"channel": Channel.objects.get(code="hotline-12333").pk, "file": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["文件超过 10 MB，请拆分后分批导入"]
    assert response.context["pending"] is None and "intake_import_pending" not in client.session
    assert not Signal.objects.exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.csv"))
