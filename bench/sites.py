"""Benchmark: a 3,000-worker payroll checked against its roster (issue #16).

    .venv/bin/python bench/sites.py [--workers 3000] [--database-url URL] [--json PATH]

Runs on a scratch database (a temporary SQLite file unless --database-url is given; migrated, the
district loaded, production settings: DEBUG off). One project with 3,000 workers on its real-name
roster; the general contractor's payroll of last month as an Excel file (3,000 rows: 2 % paid short,
1 % paid after the pay day, 10 rostered workers left out, 5 workers not on the roster). Times:

  baseline        reading the file alone (core.tabular.read_table) — the floor any import pays
  check only      the upload's dry run: every row read and checked, the roster matched, nothing written
  check + write   the full path of ``manage.py import payroll`` / the upload's confirm: read, check,
                  the version with its 3,000 lines and findings, the month's status, the signal
                  — target: under 10 s

Absolute seconds depend on the machine; the ratios to the baseline measured in the same run are what
to compare between runs. Results go to stdout as a Markdown table (docs/PERFORMANCE.md) and, with
--json, to a file a script can read.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=3000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", default=None, help="write the results as JSON to this path")
    args = parser.parse_args()
    scratch = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    # Production settings: with DEBUG on, Django records and formats every query.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_district", stdout=io.StringIO())
    results = run(args.workers)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if scratch is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(scratch.name + suffix).unlink(missing_ok=True)


def _sheet(headers: list[str], rows: list[list[str]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("数据")
    for col, header in enumerate(headers):
        sheet.write(0, col, header)
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(n, col, value)
    book.close()
    return buffer.getvalue()


def _timed(func):
    begin = time.perf_counter()
    result = func()
    return time.perf_counter() - begin, result


def run(workers: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from anxin.core.audit import system_actor
    from anxin.core.tabular import read_table
    from anxin.org.models import Town
    from anxin.registry import services as registry
    from anxin.registry.models import EnterpriseKind, ProjectSupervisor
    from anxin.registry.tests.factories import make_uscc
    from anxin.sites.models import Finding, PayrollLine, PayrollMonth
    from anxin.sites.payroll_importing import COLUMNS, payroll_import
    from anxin.sites.services.payroll import add_months, month_dates
    from anxin.sites.tests.factories_payroll import id_number, roster_bulk

    actor = system_actor()
    today = timezone.localdate()
    month = add_months(today.replace(day=1), -1)
    pay_day = month_dates(month)[0]
    town = Town.objects.order_by("order").first()
    contractor = registry.enterprise_create(
        actor=actor,
        uscc=make_uscc(990101),
        name="基准测试建设有限公司",
        legal_rep="张三",
        town=town,
        address="测试路 1 号",
        industry="E",
        kinds=list(EnterpriseKind.objects.filter(code="construction")),
    )
    project = registry.project_create(
        actor=actor,
        name="基准测试安置房项目",
        builder_name="某建设单位",
        town=town,
        general_contractor=contractor,
        supervisor=ProjectSupervisor.objects.get(code="construction"),
        subcontractors=[],
        start_date=add_months(month, -6),
    )
    roster_bulk(project, workers, start=add_months(month, -6))
    on_time = min(pay_day - datetime.timedelta(days=2), today)
    late = min(pay_day + datetime.timedelta(days=3), today)
    rows = []
    for n in range(1, workers - 10 + 1):  # the last 10 on the roster are left out
        due = 560_000 + (n % 7) * 10_000
        paid = due - 50_000 if n % 50 == 0 else due
        paid_on = late if n % 100 == 1 else on_time
        rows.append(
            [
                "",
                "",
                contractor.uscc,
                f"工人{n}",
                id_number(n),
                "22",
                f"{due / 100:.2f}",
                f"{paid / 100:.2f}",
                f"{paid_on:%Y-%m-%d}",
            ]
        )
    for n in range(workers + 1, workers + 6):  # 5 not on the roster
        rows.append(
            [
                "",
                "",
                contractor.uscc,
                f"临时工{n}",
                id_number(n),
                "3",
                "900.00",
                "900.00",
                f"{on_time:%Y-%m-%d}",
            ]
        )
    content = _sheet([c.header for c in COLUMNS], rows)
    baseline_s, _rows = _timed(lambda: read_table(content, "payroll.xlsx", COLUMNS))

    def upload(dry_run: bool):
        return payroll_import(
            actor=actor,
            content=content,
            filename="payroll.xlsx",
            dry_run=dry_run,
            project=project,
            month=month,
            door="screen",
        )

    check_s, checked = _timed(lambda: upload(True))
    assert checked.ok, checked.errors[:3]
    write_s, written = _timed(lambda: upload(False))
    assert written.ok, written.errors[:3]
    payroll = written.checked[0].payroll
    assert PayrollLine.objects.filter(payroll=payroll).count() == len(rows)
    findings = Finding.objects.filter(payroll=payroll).count()
    pm = PayrollMonth.objects.get(project=project, month=month)
    results = {
        "vendor": connection.vendor,
        "date": f"{datetime.date.today():%Y-%m-%d}",
        "workers": workers,
        "rows": len(rows),
        "findings": findings,
        "short_workers": payroll.short_workers,
        "status": pm.status,
        "signal": pm.short_signal_id is not None,
        "baseline_s": baseline_s,
        "check_s": check_s,
        "check_and_write_s": write_s,
    }
    print(
        f"\n{workers} workers on the roster, {len(rows)} payroll rows, {connection.vendor} — {results['date']}\n"
    )
    print("| step | seconds | × baseline | target |")
    print("|---|---:|---:|---|")
    print(f"| baseline: read the payroll file | {baseline_s:.2f} | 1.0 | |")
    print(f"| check only (dry run) | {check_s:.2f} | {check_s / baseline_s:.1f} | |")
    print(f"| check + write ({findings} findings) | {write_s:.2f} | {write_s / baseline_s:.1f} | < 10 s |")
    return results


if __name__ == "__main__":
    main()
