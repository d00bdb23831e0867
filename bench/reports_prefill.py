"""Benchmark: prefilling one period's periodic reports for every expected unit (issue #18).

    .venv/bin/python bench/reports_prefill.py [--enterprises 100000] [--signals 300000] [--months 3]
                                             [--no-scan] [--database-url URL] [--json PATH]

Generates the city-scale district of the monitoring benchmark with its own generator
(``bench/monitoring_scan.generate``: N enterprises over 10 towns, kinds cycling, M months of
observations, S signals over the last year, 30 % verified) on a scratch database (a temporary SQLite
file unless --database-url names an empty PostgreSQL database), runs one full risk scan (alerts,
watch-list proposals, immediate reports: the figures' other ledgers; --no-scan skips it), then, for
the period last ended, prefills the report of every unit the report templates expect (each member
department and town) through ``report_prefill`` — as that unit's own user, every figure computed
through the ledgers' selectors for the unit's scope and the period's days. It prints a table (per
unit, and where the time goes: per figure summed over the units) and writes --json.

Target (issue #18): ≤ 30 s in all, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime
import io
import json
import os
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000, help="100000 (city) or 20000")
    parser.add_argument("--signals", type=int, default=300_000)
    parser.add_argument("--months", type=int, default=3, help="months of observations (the scan's input)")
    parser.add_argument("--no-scan", action="store_true", help="skip the risk scan (no alerts)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args()
    scratch = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
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
    try:
        run(args)
    finally:
        if scratch is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(scratch.name + suffix).unlink(missing_ok=True)


def _timed_figures(spent: dict[str, float]) -> None:
    """Wrap every figure's ``compute`` to add its time to ``spent[code]`` (where the time goes)."""
    from anxin.reports import figures

    for code, figure in list(figures.FIGURES.items()):

        def compute(viewer, start, end, _inner=figure.compute, _code=code):
            began = time.perf_counter()
            try:
                return _inner(viewer, start, end)
            finally:
                spent[_code] += time.perf_counter() - began

        figures.FIGURES[code] = dataclasses.replace(figure, compute=compute)


def run(args) -> None:
    from django.db import connection
    from monitoring_scan import generate  # the monitoring benchmark's generator, reused as it is

    generate(args)
    from django.db.models import OuterRef, Subquery

    from anxin.core.audit import system_actor
    from anxin.intake.models import Signal
    from anxin.monitoring import scan
    from anxin.org.models import Role, UnitKind
    from anxin.org.services import user_save
    from anxin.registry.models import Enterprise
    from anxin.reports import periods
    from anxin.reports.models import ReportTemplate
    from anxin.reports.services.periodic import expected_units, report_prefill

    # The generator writes signals in bulk without their town (``signal_record`` sets it from the
    # enterprise): set it the same way, so that each town's scope holds its signals.
    Signal.objects.update(
        town_id=Subquery(Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("town_id")[:1])
    )
    scan_seconds = 0.0
    if not args.no_scan:
        began = time.perf_counter()
        run_ = scan.scan_district(full=True, reason="基准测试")
        scan_seconds = time.perf_counter() - began
        print(f"risk scan: {run_.assessed} assessed, {run_.opened} alerts opened in {scan_seconds:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    actor = system_actor()
    units = []
    for template in ReportTemplate.objects.filter(active=True).order_by("code"):
        units.extend(expected_units(template))
    users = {
        unit.pk: user_save(
            actor=actor,
            username=f"bench_{unit.code}",
            unit=unit,
            role=Role.TOWN if unit.kind == UnitKind.TOWN_GOVERNMENT else Role.DEPARTMENT,
            password="Bench@2026pass!",  # noqa: S106 (a throwaway account in a scratch database)
            full_name="基准",
        )
        for unit in units
    }
    span = periods.last_ended()
    spent: dict[str, float] = defaultdict(float)
    _timed_figures(spent)
    rows = []
    began = time.perf_counter()
    for unit in units:
        start = time.perf_counter()
        report = report_prefill(actor=users[unit.pk], unit=unit, period=span.key)
        rows.append(
            {
                "unit": unit.name,
                "kind": unit.kind,
                "seconds": round(time.perf_counter() - start, 3),
                "signals": report.figures["signals_received"]["value"],
                "alerts": report.figures["alerts_opened"]["value"],
            }
        )
    total = time.perf_counter() - began
    # The signal figures are counted together, one query per unit (``Figure.batch``): their time is
    # what the units took beyond the figures computed one by one.
    spent["signals (all 14, one query per unit)"] = max(total - sum(spent.values()), 0.0)
    slowest = sorted(spent.items(), key=lambda kv: -kv[1])
    print(
        f"\n{args.enterprises} enterprises, {args.signals} signals, {connection.vendor} — "
        f"period {span.key}, {len(units)} units — {datetime.date.today():%Y-%m-%d}\n"
    )
    print("| unit | kind | signals | alerts | seconds |")
    print("|---|---|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['unit']} | {row['kind']} | {row['signals']} | {row['alerts']} | {row['seconds']:.2f} |"
        )
    print(f"| **all {len(units)} units** | | | | **{total:.1f} s** (target ≤ {TARGET_SECONDS:.0f} s) |")
    print("\nwhere the time goes (each figure, summed over the units):\n")
    print("| figure | seconds | share |")
    print("|---|---:|---:|")
    for code, seconds in slowest:
        print(f"| {code} | {seconds:.2f} | {seconds * 100 / total:.0f} % |")
    result = {
        "enterprises": args.enterprises,
        "signals": args.signals,
        "database": connection.vendor,
        "period": span.key,
        "units": len(units),
        "total_seconds": round(total, 2),
        "target_seconds": TARGET_SECONDS,
        "within_target": total <= TARGET_SECONDS,
        "scan_seconds": round(scan_seconds, 1),
        "per_unit": rows,
        "per_figure_seconds": {code: round(seconds, 3) for code, seconds in slowest},
    }
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwritten {args.json}")


if __name__ == "__main__":
    main()
