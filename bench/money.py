"""Benchmark: money at a district's scale (issue 15).

    .venv/bin/python bench/money.py [--workers 5000] [--entries 50000] [--requests 40]
                                    [--database-url URL] [--json PATH]

Runs on a scratch database (a temporary SQLite file unless --database-url is given; migrated, the
district loaded, production settings: DEBUG off). It opens one case, then times:

  baseline        reading the payment-run file alone (core.tabular.read_table) — the floor any import pays
  claims import   5,000 workers' claims from Excel (every row checked, then written)
  payment run     a 5,000-row payment run from Excel (``manage.py import payments``' importer):
                  every worker's outstanding amount checked, one run, 5,000 entries, running totals
                  — target: under 30 s

and, with 50,000 entries in the district fund's ledger, the fund page (``/money/funds/district/``,
balance, chart, outstanding advances, the ledger's first page) requested --requests times as 财政局:

  query floor     one page of the ledger fetched by a hand-written query (the least any page pays)
  fund page p95   — target: ≤ 300 ms

Absolute seconds depend on the machine; the ratios to the baselines measured in the same run are what
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
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=40)
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
    results = run(args.workers, args.entries, args.requests)
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


def run(workers: int, entries: int, requests: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from anxin.cases import services as case_services
    from anxin.core.audit import system_actor
    from anxin.core.tabular import read_table
    from anxin.core.validators import id_check_digit
    from anxin.money.importing import (
        CLAIM_COLUMNS,
        PAYMENT_COLUMNS,
        claim_import,
        payment_import,
    )
    from anxin.money.models import Claim, Fund, FundEntry, FundEntryKind, Payment
    from anxin.org.models import Unit, User
    from anxin.registry.models import Enterprise
    from anxin.registry.tests.factories import make_uscc

    actor = system_actor()
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=70)).replace(day=1)
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    town = Unit.objects.filter(town__isnull=False).select_related("town").first().town
    enterprise = Enterprise.objects.create(
        uscc=make_uscc(990001),
        name="基准测试建设有限公司",
        legal_rep="张三",
        town=town,
        address="测试路 1 号",
        industry="E",
    )
    case = case_services.case_open(
        actor=actor, enterprise=enterprise, summary=f"基准：拖欠 {workers} 名工人 3 个月工资", workers=workers
    )

    def id_number(n: int) -> str:
        body = f"3204111990{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        body = f"{body[:6]}{1950 + n // 1000 % 50}{body[10:]}"
        return body + id_check_digit(body)

    ids = [id_number(n) for n in range(workers)]
    claims_file = _sheet(
        [c.header for c in CLAIM_COLUMNS],
        [
            [
                case.number,
                f"工人{n:05d}",
                ids[n],
                "",
                f"{first:%Y-%m}",
                f"{last:%Y-%m}",
                "3",
                "15600.00",
                "工资支付台账",
            ]
            for n in range(workers)
        ],
    )
    claims_s, claimed = _timed(
        lambda: claim_import(actor=actor, content=claims_file, filename="claims.xlsx", dry_run=False)
    )
    assert claimed.ok, claimed.errors[:3]
    assert Claim.objects.filter(case=case).count() == workers
    pay_file = _sheet(
        [c.header for c in PAYMENT_COLUMNS],
        [
            [case.number, ids[n], "5200.00", f"{today:%Y-%m-%d}", "企业自行支付", "BENCH-回单-001"]
            for n in range(workers)
        ],
    )
    baseline_s, _rows = _timed(lambda: read_table(pay_file, "payments.xlsx", PAYMENT_COLUMNS))
    run_s, paid = _timed(
        lambda: payment_import(actor=actor, content=pay_file, filename="payments.xlsx", dry_run=False)
    )
    assert paid.ok, paid.errors[:3]
    assert Payment.objects.filter(case=case).count() == workers

    # the district fund's ledger: appropriations only (entries other than appropriations name an advance)
    fund = Fund.objects.get(code="district")
    start = today - datetime.timedelta(days=entries // 20)
    FundEntry.objects.bulk_create(
        [
            FundEntry(
                fund=fund,
                seq=n + 1,
                kind=FundEntryKind.APPROPRIATION,
                amount=100_000,
                balance_after=100_000 * (n + 1),
                on=start + datetime.timedelta(days=n // 20),
                reference=f"新财拨〔基准〕{n}号",
                recorded_by=actor,
            )
            for n in range(entries)
        ],
        batch_size=2000,
    )
    with (
        connection.cursor() as cursor
    ):  # what autovacuum (PostgreSQL) or a DBA (SQLite) does after a bulk load
        cursor.execute("ANALYZE")
    call_command(
        "add_user", "bench-finance", unit="finance", role="department", name="基准", stdout=io.StringIO()
    )
    reader = User.objects.get(username="bench-finance")
    client = Client()
    client.force_login(reader)
    url = f"/money/funds/{fund.code}/"
    assert client.get(url, secure=True).status_code == 200  # warm: templates compiled, caches filled

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT seq, kind, amount, balance_after, "on", reference FROM money_fundentry '
                "WHERE fund_id = %s ORDER BY seq DESC LIMIT 50",
                [fund.pk],
            )
            cursor.fetchall()

    floors, pages = [], []
    for _n in range(requests):
        floors.append(_timed(floor)[0])
        seconds, response = _timed(lambda: client.get(url, secure=True))
        assert response.status_code == 200
        pages.append(seconds)

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)

    results = {
        "vendor": connection.vendor,
        "date": f"{datetime.date.today():%Y-%m-%d}",
        "workers": workers,
        "entries": entries,
        "baseline_s": baseline_s,
        "claims_import_s": claims_s,
        "payment_run_s": run_s,
        "floor_p95_ms": p95(floors) * 1000,
        "fund_page_p95_ms": p95(pages) * 1000,
        "fund_page_median_ms": statistics.median(pages) * 1000,
    }
    print(f"\n{workers} workers, {entries} fund entries, {connection.vendor} — {results['date']}\n")
    print("| step | seconds | × baseline | target |")
    print("|---|---:|---:|---|")
    print(f"| baseline: read the payment file | {baseline_s:.2f} | 1.0 | |")
    print(f"| claims import ({workers} rows) | {claims_s:.2f} | {claims_s / baseline_s:.1f} | |")
    print(f"| payment run import ({workers} rows) | {run_s:.2f} | {run_s / baseline_s:.1f} | < 30 s |")
    print("\n| request | p95 ms | median ms | × query floor (p95) | target |")
    print("|---|---:|---:|---:|---|")
    floor_ms, page_ms = results["floor_p95_ms"], results["fund_page_p95_ms"]
    print(
        f"| query floor: one ledger page | {floor_ms:.1f} | {statistics.median(floors) * 1000:.1f} | 1.0 | |"
    )
    print(
        f"| fund page ({entries} entries) | {page_ms:.1f} | {results['fund_page_median_ms']:.1f} | "
        f"{page_ms / floor_ms:.0f} | ≤ 300 ms |"
    )
    return results


if __name__ == "__main__":
    main()
