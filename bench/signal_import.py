"""Benchmark: import 10,000 signals from one channel's spreadsheet (issue: under a minute).

    .venv/bin/python bench/signal_import.py [--rows 10000] [--database-url URL]

Runs on a scratch database (a temporary SQLite file unless --database-url is given; the database
is migrated and the district loaded first), registers 500 enterprises, writes a 10,000-row .xlsx
in the import template's layout, then times:

  baseline   reading the file alone (core.tabular.read_table) — the floor any import pays
  dry run    every row checked, the preview built, nothing written
  import     every row written: routing, deadline, dedup, events, notices
  re-import  the same file again: every row found unchanged, nothing duplicated

Absolute seconds depend on the machine; the ratios to the baseline measured in the same run are
what to compare between runs. Results go to stdout as a Markdown table (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    scratch = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_district", stdout=io.StringIO())
    run(args.rows, args.enterprises)
    if scratch is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(scratch.name + suffix).unlink(missing_ok=True)


def run(rows: int, enterprise_count: int) -> None:
    import xlsxwriter
    from django.db import connection

    from anxin.core.audit import system_actor
    from anxin.core.tabular import read_table
    from anxin.intake.importing import COLUMNS, signal_import
    from anxin.intake.models import Channel, Signal
    from anxin.org.models import Town
    from anxin.registry.models import Enterprise, EnterpriseKind
    from anxin.registry.tests.factories import make_uscc

    actor = system_actor()
    towns = list(Town.objects.all())
    kinds = list(EnterpriseKind.objects.all())
    existing = Enterprise.objects.count()
    fresh = [
        Enterprise(
            uscc=make_uscc(900000 + n),
            name=f"基准测试企业{n:04d}有限公司",
            legal_rep="张三",
            town=towns[n % len(towns)],
            address="测试路",
            industry="C",
        )
        for n in range(existing, enterprise_count)
    ]
    Enterprise.objects.bulk_create(fresh)
    through = Enterprise.kinds.through
    through.objects.bulk_create(
        [
            through(enterprise_id=e.pk, enterprisekind_id=kinds[i % len(kinds)].pk)
            for i, e in enumerate(Enterprise.objects.all())
        ],
        ignore_conflicts=True,
    )
    enterprises = list(Enterprise.objects.order_by("pk")[:enterprise_count])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("线索")
    for col, column in enumerate(COLUMNS):
        sheet.write(0, col, column.header)
    start = datetime.datetime(2026, 10, 1, 8, 0)
    kinds_text = ["欠薪投诉举报", "社保欠费", "停产停业", "集体讨薪苗头", "其他"]
    for n in range(rows):
        e = enterprises[n % len(enterprises)]
        unknown = n % 50 == 0
        values = {
            "reference": f"BENCH-{n:06d}",
            "kind": kinds_text[n % len(kinds_text)],
            "employer_uscc": "" if unknown else e.uscc,
            "employer_name": f"未登记企业{n}" if unknown else "",
            "town": towns[n % len(towns)].name if unknown else "",
            "received_at": (start + datetime.timedelta(minutes=7 * n)).strftime("%Y-%m-%d %H:%M"),
            "workers": str(1 + n % 30),
            "amount": f"{1000 + n * 3}.50",
            "months_owed": str(n % 4),
            "summary": f"第{n}件：工人反映工资拖欠",
            "reporter_name": "王五",
            "reporter_phone": f"139{n:08d}",
        }
        for col, column in enumerate(COLUMNS):
            sheet.write_string(n + 1, col, values.get(column.key, ""))
    book.close()
    content = buffer.getvalue()
    channel = Channel.objects.get(code="petition")

    def timed(label, func):
        begin = time.perf_counter()
        result = func()
        return label, time.perf_counter() - begin, result

    results = [
        timed("baseline: read the file", lambda: read_table(content, "bench.xlsx", COLUMNS)),
        timed(
            "dry run (check + preview)",
            lambda: signal_import(
                actor=actor, content=content, filename="bench.xlsx", dry_run=True, channel=channel
            ),
        ),
        timed(
            "import (write all rows)",
            lambda: signal_import(
                actor=actor, content=content, filename="bench.xlsx", dry_run=False, channel=channel
            ),
        ),
        timed(
            "re-import (all unchanged)",
            lambda: signal_import(
                actor=actor, content=content, filename="bench.xlsx", dry_run=False, channel=channel
            ),
        ),
    ]
    imported = results[2][2]
    again = results[3][2]
    assert imported.ok and imported.created == rows, imported.errors[:3]
    assert again.unchanged == rows and Signal.objects.filter(channel=channel).count() == rows
    baseline = results[0][1]
    print(
        f"\n{rows} rows, {len(enterprises)} enterprises, {connection.vendor} — {datetime.date.today():%Y-%m-%d}\n"
    )
    print("| step | seconds | × baseline |")
    print("|---|---:|---:|")
    for label, seconds, _result in results:
        print(f"| {label} | {seconds:.1f} | {seconds / baseline:.1f} |")
    print(f"\nsuspected duplicates flagged: {Signal.objects.filter(duplicate_state='suspected').count()}")
    print(f"waiting for an employer match: {Signal.objects.filter(enterprise__isnull=True).count()}")


if __name__ == "__main__":
    main()
