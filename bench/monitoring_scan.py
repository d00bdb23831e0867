"""Benchmark: the risk scan at city scale (issue #4).

    .venv/bin/python bench/monitoring_scan.py [--enterprises 100000] [--months 24] [--signals 300000]
                                             [--database-url URL] [--json PATH]

Generates a district of N enterprises (10 towns, kinds cycling), M months of electricity use for
every enterprise (N×M observation rows) plus wage and social-insurance arrears for a few percent,
and S signals (30 % verified) over the last year — on a scratch database (a temporary SQLite
file unless --database-url names an empty PostgreSQL database). Then it measures:

  baseline      one hand-written SQL query evaluating the two immediate-report rules
                (arrears ≥ 2 months; ≥ 3 verified complaints within a month) over all the data
  full scan     the first full scan, everything written: ``manage.py scan`` in a child process
                (the figure is the scan's own time, as its ScanRun records it); the child's peak
                RSS is ``peak_rss_mb`` — the scan's memory, not the generator's or ours
                On PostgreSQL it is followed by VACUUM ANALYZE, what autovacuum does within
                minutes of those writes: every step below runs on the tables as they then stay.
  re-scan       ``scan_district(full=True)`` again, in this process: nothing changed, every
                enterprise re-assessed and compared, nothing rewritten (``full_unchanged_s``;
                ``full_floor_ratio`` is it over the sum of the two floors below). Three pairs, each
                the scan and then the floors right after it; the pair with the median ratio is
                the one reported (every pair is printed)
  floors        what any scan with the rules as Python functions must spend on the same data:
                a bare driver fetch of the rows the rules see, and ``rules.assess`` for every
                enterprise in memory (facts loaded beforehand, nothing written)
  tick          ``scan_district()`` as ``tick`` runs it: same day, same parameters, no data
                changed since the last scan — re-assesses only what changed (here: nothing)
  day tick      the day's first tick on unchanged data: ``scan_district(now=tomorrow 00:30)``
                (issue #20) — re-assesses only the enterprises whose findings may change with the
                date (``RiskAssessment.stable_until`` reached) plus what changed; run once (only the
                first is the day's first), after the same-day tick and before the steps that follow
                the real clock (they re-assess single enterprises as of today, unaffected by a
                scan run dated tomorrow). Django's URL configuration is loaded before it (its
                first notice link would load it: once per process, shown apart); its CPU seconds
                are printed beside the baseline's (on SQLite both are this process's work).
                ``--day-copies N`` (PostgreSQL): also on N copies of the database taken just
                before it, each first brought to the database's state (the unchanged full scan
                and the same-day ticks) with its own baseline measured right before its tick;
                ``day_tick_s`` is then the median of the N + 1 ticks and ``baseline_s`` the
                lowest of the baselines
  one           a new verified complaint: for a random enterprise, a wage complaint is recorded,
                accepted and verified as 属实 through the intake services (each committed, as
                the office would); the re-assessment the verification's after-commit hook runs
                (``scan.on_enterprises_changed``, called by ``MonitoringConfig.on_event``)
                is timed: p50 / p95 over 200 runs
  cockpit       GET /cockpit/ as the office (whole district), p50 / p95 over 20 requests

Targets (issue #4): full scan ≤ 30 s; one enterprise p95 ≤ 50 ms; cockpit ≤ 300 ms. Issue #20:
the day's first tick ≤ 3 × baseline; the unchanged full scan ≤ 1.5 × (floor_fetch_s + floor_rules_s);
the first full scan's peak RSS ≤ 1 GiB at 100,000 enterprises. Results are printed as a Markdown
table for docs/PERFORMANCE.md.

``--profile`` lists cProfile's top functions for the first full scan (in its child process),
``--profile unchanged`` for the unchanged one and ``--profile day`` for the day's first tick
(PROFILE_SORT=cumtime, PROFILE_ROWS=40).

The day tick alone, without generating the district every try: ``--keep PATH`` saves the scratch
database as it stands just before the day tick (after the same-day ticks) — SQLite to a file,
PostgreSQL to a database of that name on the same server — and ``--reuse PATH`` (PostgreSQL: with
``--database-url`` naming any database on that server) runs on a copy of it only the baseline and
the day tick, in a fresh process, after the unchanged full scan and the same-day ticks the full
benchmark runs before it (``--repeat N``: N copies, one day tick each; ``--after-floors``: the
floors step too, to see what it leaves behind).
Keys written by ``--reuse --json``: ``baseline_s``, ``day_tick_s`` (each run's in
``day_tick_runs_s``), ``day_tick_assessed``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import io
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--signals", type=int, default=300_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--json", default=None, metavar="PATH", help="also write the results as JSON (keys: see RESULT_KEYS)"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="first",
        choices=("first", "unchanged", "day"),
        default=None,
        help="profile the first full scan (default; cProfile in its child process), the unchanged "
        "one or the day's first tick (in this process); PROFILE_SORT=cumtime, PROFILE_ROWS=40 to "
        "change the listing",
    )
    parser.add_argument(
        "--keep",
        default=None,
        metavar="PATH",
        help="save the database as it is before the day tick (SQLite: a file; PostgreSQL: a database name)",
    )
    parser.add_argument(
        "--reuse",
        default=None,
        metavar="PATH",
        help="run only the baseline and the day tick on a copy of a database saved by --keep",
    )
    parser.add_argument("--repeat", type=int, default=1, help="with --reuse: day ticks, each on a fresh copy")
    parser.add_argument(
        "--after-floors", action="store_true", help="with --reuse: run the floors step before the day tick"
    )
    parser.add_argument(
        "--day-copies",
        type=int,
        default=0,
        metavar="N",
        help="PostgreSQL: also run the day tick on N copies of the database taken just before it "
        "(CREATE DATABASE … TEMPLATE); day_tick_s is then the median of all",
    )
    args = parser.parse_args()
    if args.reuse:
        reuse(args)
        return
    scratch = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    production_env()
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


def production_env() -> None:
    # Production settings: with DEBUG on, Django records and formats every query (≈ 10 % of a scan).
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")


def generate(args) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from anxin.core.audit import system_actor
    from anxin.intake.models import Channel, Signal
    from anxin.monitoring.models import Indicator, Observation
    from anxin.monitoring.rules import add_months, month_start
    from anxin.org.models import Town
    from anxin.registry.models import Enterprise, EnterpriseKind
    from anxin.registry.tests.factories import make_uscc

    rng = random.Random(2026)
    actor = system_actor()
    towns = list(Town.objects.all())
    kinds = list(EnterpriseKind.objects.all())
    began = time.perf_counter()
    with transaction.atomic():
        batch = []
        for n in range(args.enterprises):
            batch.append(
                Enterprise(
                    uscc=make_uscc(n + 1),
                    name=f"基准企业{n:06d}",
                    legal_rep="张三",
                    town=towns[n % len(towns)],
                    address="路",
                    industry="C",
                )
            )
            if len(batch) == 10_000:
                Enterprise.objects.bulk_create(batch)
                batch = []
        Enterprise.objects.bulk_create(batch)
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    through = Enterprise.kinds.through
    with transaction.atomic():
        through.objects.bulk_create(
            [
                through(enterprise_id=pk, enterprisekind_id=kinds[i % len(kinds)].pk)
                for i, pk in enumerate(ids)
            ],
            batch_size=10_000,
        )
    indicators = {i.code: i.pk for i in Indicator.objects.all()}
    this_month = month_start(timezone.localdate())
    months = [add_months(this_month, -k) for k in range(args.months - 1, -1, -1)]
    now = timezone.now()
    written = now - datetime.timedelta(days=1)  # the data arrived yesterday: today's tick has no news
    rows = 0
    with transaction.atomic():
        batch = []
        for i, pk in enumerate(ids):
            power = 1000 + (i % 500) * 100
            for k, month in enumerate(months):
                drop = 0.5 if (i % 37 == 0 and k >= len(months) - 1) else 1.0
                batch.append(
                    Observation(
                        enterprise_id=pk,
                        indicator_id=indicators["electricity_kwh"],
                        month=month,
                        value=int(power * drop),
                        recorded_at=written,
                        recorded_by=actor,
                    )
                )
            if i % 20 == 0:  # 5 %: wage arrears over the last three months
                for k, month in enumerate(months[-3:]):
                    batch.append(
                        Observation(
                            enterprise_id=pk,
                            indicator_id=indicators["wage_arrears_months"],
                            month=month,
                            value=k + 1,
                            recorded_at=written,
                            recorded_by=actor,
                        )
                    )
            if i % 33 == 0:  # 3 %: social insurance arrears
                batch.append(
                    Observation(
                        enterprise_id=pk,
                        indicator_id=indicators["si_arrears_months"],
                        month=months[-1],
                        value=2,
                        recorded_at=written,
                        recorded_by=actor,
                    )
                )
            if len(batch) >= 50_000:
                Observation.objects.bulk_create(batch)
                rows += len(batch)
                batch = []
        Observation.objects.bulk_create(batch)
        rows += len(batch)
    channels = list(Channel.objects.filter(is_public=False, is_self_report=False))
    kinds_pool = ["wage_complaint"] * 6 + [
        "social_insurance",
        "suspension",
        "collective",
        "litigation",
        "private_lending",
        "other",
    ]
    with transaction.atomic():
        batch = []
        for n in range(args.signals):
            pk = ids[rng.randrange(len(ids))]
            received = now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60))
            verified = rng.random() < 0.3
            batch.append(
                Signal(
                    channel=channels[n % len(channels)],
                    reference=f"B{n:07d}",
                    kind=rng.choice(kinds_pool),
                    enterprise_id=pk,
                    received_at=received,
                    summary="基准线索",
                    verification="substantiated" if verified else "pending",
                    stage="verified" if verified else "received",
                    verified_at=received if verified else None,
                    due_at=received + datetime.timedelta(days=7),
                    created_by=actor,
                    months_owed=rng.randrange(4),
                )
            )
            if len(batch) >= 20_000:
                Signal.objects.bulk_create(batch)
                batch = []
        Signal.objects.bulk_create(batch)
        Signal.objects.update(updated_at=written)
        Enterprise.objects.update(updated_at=written)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"generated {len(ids)} enterprises, {rows} observations, {args.signals} signals in {time.perf_counter() - began:.0f} s"
    )


def baseline_sql() -> str:
    """The two immediate-report rules in one hand-written query (vendor date arithmetic)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        recent = "date_trunc('month', CURRENT_DATE) - interval '2 months'"
        window = "s2.received_at <= s1.received_at + interval '1 month'"
        since = "now() - interval '2 months'"
    else:
        recent = "date('now', 'start of month', '-2 months')"
        window = "s2.received_at <= datetime(s1.received_at, '+1 month')"
        since = "datetime('now', '-2 months')"
    return f"""
        SELECT o.enterprise_id FROM monitoring_observation o
          JOIN monitoring_indicator i ON i.id = o.indicator_id
         WHERE i.code IN ('wage_arrears_months', 'si_arrears_months') AND o.month >= {recent} AND o.value >= 2
        UNION
        SELECT s1.enterprise_id FROM intake_signal s1
          JOIN intake_signal s2 ON s2.enterprise_id = s1.enterprise_id AND s2.received_at >= s1.received_at AND {window}
         WHERE s1.kind IN ('wage_complaint', 'collective') AND s2.kind IN ('wage_complaint', 'collective')
           AND s1.verification IN ('substantiated', 'partly') AND s2.verification IN ('substantiated', 'partly')
           AND s1.merged_into_id IS NULL AND s2.merged_into_id IS NULL AND s1.received_at >= {since}
         GROUP BY s1.id, s1.enterprise_id HAVING COUNT(*) >= 3
    """  # noqa: S608 (fixed SQL fragments chosen by vendor; no input)


def floors() -> tuple[float, float]:
    """What any scan whose rules are Python functions over the facts must spend, measured on the
    same data: (1) bringing the rows a rule can see into Python — one bare driver fetch of the
    observations and signals in the rules' view, no ORM, no model, no per-row work; (2) the rules
    themselves (``rules.assess`` for every enterprise), in memory, with the facts already loaded
    and nothing written. Neither includes anything else a scan does."""
    from django.db import connection
    from django.utils import timezone

    from anxin.core.bulk import gc_paused
    from anxin.intake.models import Signal
    from anxin.monitoring import rules, scan
    from anxin.monitoring.models import Observation
    from anxin.registry.models import Enterprise

    as_of = timezone.localdate()
    view = rules.view(as_of)
    local = timezone.get_current_timezone()
    since = datetime.datetime.combine(min(view.signals_since, view.year_since), datetime.time(), tzinfo=local)
    queries = [
        Observation.objects.filter(month__gte=view.oldest_month, month__lte=as_of).values_list(
            *scan.OBSERVATION_FACTS
        ),
        Signal.objects.filter(received_at__gte=since).values_list(*scan.SIGNAL_FACTS),
    ]
    fetch = 0.0
    with gc_paused():
        for queryset in queries:
            sql, params = queryset.query.sql_with_params()
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            fetch += time.perf_counter() - began
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    params = scan.params_on(as_of)
    assess = 0.0
    for start in range(0, len(ids), scan.CHUNK):
        with gc_paused():
            facts = scan.load_facts(ids[start : start + scan.CHUNK], as_of, whole=True)
            began = time.perf_counter()
            for enterprise_facts in facts.values():
                rules.assess(enterprise_facts, params, as_of)
            assess += time.perf_counter() - began
    return fetch, assess


def first_scan_in_child(profile: bool) -> tuple[float, float, object]:
    """The first full scan, run as an operator runs it — ``manage.py scan`` (full) in a process of
    its own against the same database and environment — so that its peak memory is the scan's
    alone: neither the generator's objects nor this benchmark's count. Returns (the scan's own
    seconds as the child's ``ScanRun`` recorded them, without the interpreter's and Django's
    start-up; the child's peak RSS in MiB; the ``ScanRun``).

    The peak is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (KiB on Linux) once the child has been
    waited for: the largest resident set of any child this process waited for, and this is the
    only one. It includes the interpreter, Django and the app's imports — what the scan's process
    really holds. With ``profile`` the child runs under cProfile (which adds a little memory and
    much time: such a run's figures are for the listing, not for the table)."""
    import resource
    import subprocess

    from anxin.monitoring.models import ScanRun

    command = [sys.executable, str(ROOT / "manage.py"), "scan"]
    stats = None
    if profile:
        stats = Path(tempfile.mkdtemp()) / "first.prof"
        command[1:1] = ["-m", "cProfile", "-o", str(stats)]
    before = ScanRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wall = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL)  # noqa: S603 (our own command line)
    wall = time.perf_counter() - wall
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    first = ScanRun.objects.filter(pk__gt=before, finished_at__isnull=False).get()
    print(f"first full scan in a child process: {first.seconds:.1f} s scanning, {wall:.1f} s with start-up")
    if stats is not None:
        import pstats

        pstats.Stats(str(stats)).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_ROWS", "22"))
        )
        stats.unlink()
        stats.parent.rmdir()
    return float(first.seconds), peak_mb, first


def timed(func):
    began = time.perf_counter()
    result = func()
    return time.perf_counter() - began, result


def timed_cpu(func) -> float:
    """This process's CPU seconds for ``func`` (SQLite's work included: it runs in the process) — on a
    shared machine steadier than the wall clock, which also counts the waits for a core."""
    began = time.process_time()
    func()
    return time.process_time() - began


def one_after_a_new_signal(office, ids: list[int], *, runs: int) -> list[float]:
    """Milliseconds of each re-assessment run by the after-commit hook of a verification, sorted.

    The hook itself is timed (a wrapper around the function ``MonitoringConfig.on_event`` calls),
    so what is measured is the work a real verification triggers once its transaction commits,
    on an enterprise whose facts have just changed."""
    from django.utils import timezone

    from anxin.intake import services as intake
    from anxin.intake.models import Channel
    from anxin.monitoring import scan as scan_module
    from anxin.monitoring.models import RiskAssessment
    from anxin.registry.models import Enterprise

    # Replaced where MonitoringConfig.on_event looks it up (``monitoring.scan``): the hook a real
    # verification runs.
    hook = scan_module.on_enterprises_changed
    timings: list[tuple[list[int], float]] = []

    def timed_hook(enterprise_ids):
        began = time.perf_counter()
        hook(enterprise_ids)
        timings.append((list(enterprise_ids), (time.perf_counter() - began) * 1000))

    scan_module.on_enterprises_changed = timed_hook
    channel = Channel.objects.get(code="labour-inspection")
    rng = random.Random(7)
    samples = []
    counted = 0
    try:
        for n in range(runs):
            enterprise = Enterprise.objects.get(pk=rng.choice(ids))
            recorded = intake.signal_record(
                actor=office,
                channel=channel,
                reference=f"BENCH-ONE-{n:04d}",
                kind="wage_complaint",
                received_at=timezone.now(),
                summary="基准：新的欠薪举报",
                enterprise=enterprise,
                months_owed=1,
            )
            signal = intake.signal_accept(actor=office, signal=recorded.signal)
            timings.clear()
            intake.signal_verify(actor=office, signal=signal, result="substantiated", note="基准核实")
            # The verification committed: its hook ran once, for this enterprise. (A complaint
            # from a second channel within signal.dedup_days is a suspected duplicate and counts
            # once — as in production; the re-assessment runs all the same.)
            assert [ids_ for ids_, _ms in timings] == [[enterprise.pk]], timings
            if signal.duplicate_state != "suspected":
                counted += 1
                level = RiskAssessment.objects.get(enterprise=enterprise).level
                assert level in ("yellow", "orange", "red"), level  # a verified complaint is arrears
            samples.append(timings[0][1])
    finally:
        scan_module.on_enterprises_changed = hook
    print(f"one: {runs} verified complaints recorded, {counted} not suspected duplicates")
    return sorted(samples)


UNCHANGED_RUNS = 3  # pairs of (unchanged full scan, floors); the median pair is reported

# What ``--json PATH`` writes (seconds as ``*_s``, milliseconds as ``*_ms``; ratios are computed by the
# reader from the figures of the same run): issue #20's keys and the earlier targets' figures.
RESULT_KEYS = (
    "enterprises",
    "vendor",
    "baseline_s",
    "full_first_s",
    "full_unchanged_s",
    "full_floor_ratio",
    "peak_rss_mb",
    "floor_fetch_s",
    "floor_rules_s",
    "tick_s",
    "day_tick_s",
    "day_tick_assessed",
    "one_p50_ms",
    "one_p95_ms",
    "cockpit_p50_ms",
    "cockpit_p95_ms",
)


def tomorrow_half_past_midnight() -> datetime.datetime:
    from django.utils import timezone

    return datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=1),
        datetime.time(0, 30),
        tzinfo=timezone.get_current_timezone(),
    )


def day_tick_timed(*, profile: bool = False, base_cpu: float | None = None):
    """The day's first tick on unchanged data: tomorrow, half past midnight (once: only the first of
    a day is the day's first). Returns (seconds, the ScanRun). ``base_cpu``: the baseline's CPU
    seconds, for the ratio of CPU seconds printed beside the wall clock's (a shared machine)."""
    from django.db import connection

    from anxin.monitoring import scan
    from anxin.monitoring.models import RiskAssessment

    tomorrow = tomorrow_half_past_midnight()
    # Django loads the URL configuration — every app's urls and the views they import — at a
    # process's first reverse(): here the scan's first notice link. Once per process, like the
    # interpreter's and Django's start-up, which no step here counts: loaded first, shown apart.
    from django.urls import reverse

    url_seconds, _url = timed(lambda: reverse("alert-list"))
    print(f"URL configuration loaded before the day tick: {url_seconds:.3f} s (once per process)")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        day_seconds, day_tick = timed(lambda: scan.scan_district(now=tomorrow))
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_ROWS", "22"))
        )
    else:
        wal = wal_state()
        with collections_watched() as collected:
            cpu = time.process_time()
            day_seconds, day_tick = timed(lambda: scan.scan_district(now=tomorrow))
            cpu = time.process_time() - cpu
        print(
            f"day tick: {day_seconds:.4f} s, of which this process's CPU {cpu:.4f} s; the cycle "
            f"collector ran {collected['runs']} times (oldest generation {collected['full']}), "
            f"{collected['seconds']:.4f} s"
            + ("; SQLite checkpointed its WAL meanwhile" if checkpointed(wal, wal_state()) else "")
        )
        if base_cpu and connection.vendor == "sqlite":  # the baseline's work is this process's too
            print(f"day tick CPU / baseline CPU ({base_cpu:.4f} s): {cpu / base_cpu:.1f} ×")
    assert day_tick.mode == "day", day_tick.reason
    rewritten = RiskAssessment.objects.filter(assessed_at=tomorrow).count()  # findings changed
    print(f"day tick: {day_tick.reason}; findings changed for {rewritten} of {day_tick.assessed}")
    return day_seconds, day_tick


def day_ticks_on_copies(count: int, baseline) -> list[tuple[float, float]]:
    """The day's first tick on ``count`` copies of the PostgreSQL database as it stands (each made
    with ``CREATE DATABASE … TEMPLATE`` and dropped after its tick): only a day's first tick is the
    day's first, so a second sample needs the same database again. A copy starts with nothing of it
    in PostgreSQL's buffers, so each is first brought to where the database itself stands — the
    unchanged full scan and the same-day ticks it had — and its baseline is measured on it (best of
    3) right before its tick. Returns (tick, baseline) for each copy."""
    from django.db import connection

    from anxin.monitoring import scan

    if connection.vendor != "postgresql":
        raise SystemExit("--day-copies: PostgreSQL only (SQLite: --keep, then --reuse --repeat)")
    name = connection.settings_dict["NAME"]
    runs = []
    for index in range(count):
        with on_a_copy(name, f"{name}_day_{index}"):
            scan.scan_district(full=True, reason="基准测试")
            for _ in range(3):
                assert scan.scan_district().mode == "changed"
            base_seconds, _rows = min((timed(baseline) for _ in range(3)), key=lambda r: r[0])
            seconds, _run = day_tick_timed()
            print(
                f"copy {index}: baseline {base_seconds:.4f} s, day tick {seconds:.4f} s = {seconds / base_seconds:.1f} ×"
            )
            runs.append((seconds, base_seconds))
    return runs


@contextlib.contextmanager
def postgres_admin():
    """A connection to the server's ``postgres`` database (autocommit), to create and drop copies."""
    import psycopg
    from django.db import connection

    settings_dict = connection.settings_dict
    admin = psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        yield admin
    finally:
        admin.close()


def copy_database(admin, template: str, copy: str) -> None:
    """``copy`` made afresh from ``template`` (which must have no other session)."""
    from django.db import connection

    connection.close()
    admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')


@contextlib.contextmanager
def on_a_copy(template: str, copy: str):
    """Django's connection on a fresh copy of the PostgreSQL database ``template`` while the block
    runs; the copy is dropped after it and the connection goes back to the database it named."""
    from django.db import connection

    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    with postgres_admin() as admin:
        copy_database(admin, template, copy)
        settings_dict["NAME"] = copy
        try:
            yield
        finally:
            connection.close()
            settings_dict["NAME"] = name
            admin.execute(f'DROP DATABASE "{copy}"')


def wal_state() -> tuple[bytes, int] | None:
    """SQLite's write-ahead log, as far as a checkpoint changes it: the log's header (its
    checkpoint sequence number and salts change when the log starts again after a checkpoint) and
    the number of its frames already copied into the database (``nBackfill``, in the shared-memory
    index: ``-shm``, offset 96, native byte order). None on PostgreSQL."""
    import struct

    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    try:
        with open(name + "-wal", "rb") as wal, open(name + "-shm", "rb") as shm:
            header = wal.read(32)
            shm.seek(96)
            (backfilled,) = struct.unpack("=I", shm.read(4))
    except FileNotFoundError:
        return None
    return header, backfilled


def checkpointed(before: tuple[bytes, int] | None, after: tuple[bytes, int] | None) -> bool:
    """Whether SQLite checkpointed its log between two ``wal_state`` readings."""
    if before is None or after is None:
        return False
    return before[0] != after[0] or after[1] > before[1]


@contextlib.contextmanager
def collections_watched():
    """Count the cycle collector's runs (and the seconds they take) while the block runs."""
    import gc

    seen = {"runs": 0, "full": 0, "seconds": 0.0}
    began = [0.0]

    def callback(phase, info):
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            seen["runs"] += 1
            seen["full"] += info["generation"] == 2
            seen["seconds"] += time.perf_counter() - began[0]

    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)


def keep(path: str) -> None:
    """Save the scratch database as it stands: SQLite to the file ``path`` (WAL checkpointed into
    one file), PostgreSQL to a database named ``path`` on the same server (a template copy)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        if path == connection.settings_dict["NAME"]:
            raise SystemExit("--keep: name another database than the benchmark's own")
        with postgres_admin() as admin:
            copy_database(admin, connection.settings_dict["NAME"], path)
        print(f"database before the day tick saved as the PostgreSQL database {path}")
        return
    target = Path(path)
    target.unlink(missing_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    print(f"database before the day tick saved to {target}")


def reuse(args) -> None:
    """The baseline and the day's first tick on copies of a database saved by ``--keep``: each copy in
    a scratch file (SQLite) or a scratch database made from the kept one (PostgreSQL: ``--reuse NAME
    --database-url URL``, the URL naming any database on that server), the tick once per copy (only
    the first tick of a day is the day's first)."""
    import shutil

    production_env()
    scratch = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        scratch.close()
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    import django

    django.setup()
    from django.db import connection

    from anxin.monitoring import scan

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(baseline_sql())
            return len(cursor.fetchall())

    def copied():
        if scratch is None:
            return on_a_copy(args.reuse, f"{args.reuse}_reuse")
        connection.close()
        for suffix in ("-wal", "-shm"):
            Path(scratch.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(args.reuse, scratch.name)
        return contextlib.nullcontext()

    runs, bases, assessed = [], [], 0
    try:
        for _ in range(args.repeat):
            with copied():
                base_seconds, _rows = min((timed(baseline) for _ in range(3)), key=lambda r: r[0])
                base_cpu = min(timed_cpu(baseline) for _ in range(3))
                # As the full benchmark runs before it: the unchanged full scan (with a basis of
                # this code, if it changed since the copy was kept), then the same-day ticks.
                again = scan.scan_district(full=True, reason="基准测试")
                print(f"full scan again: {again.changed} level changes")
                for _ in range(3):  # the same-day ticks the full benchmark runs first (and a warm process)
                    assert scan.scan_district().mode == "changed"
                if args.after_floors:
                    fetch_seconds, rules_seconds = floors()
                    print(f"floors: fetch {fetch_seconds:.2f} s, rules {rules_seconds:.2f} s")
                day_seconds, day_tick = day_tick_timed(profile=args.profile == "day", base_cpu=base_cpu)
            assessed = day_tick.assessed
            runs.append(day_seconds)
            bases.append(base_seconds)
            print(
                f"baseline {base_seconds:.4f} s (CPU {base_cpu:.4f} s); day tick {day_seconds:.4f} s = "
                f"{day_seconds / base_seconds:.1f} × baseline ({assessed} re-assessed)"
            )
    finally:
        connection.close()
        if scratch is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(scratch.name + suffix).unlink(missing_ok=True)
    if args.json:
        write_json(
            args.json,
            {
                "baseline_s": round(min(bases), 4),
                "day_tick_s": round(statistics.median(runs), 4),
                "day_tick_runs_s": [round(r, 4) for r in runs],
                "day_tick_assessed": assessed,
            },
        )


def write_json(path: str, results: dict) -> None:
    import json

    Path(path).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {path}")


def run(args) -> None:
    from django.db import connection
    from django.test import Client

    from anxin.monitoring import scan
    from anxin.org.services import user_save
    from anxin.registry.models import Enterprise

    generate(args)

    def full():
        return scan.scan_district(full=True, reason="基准测试")

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(baseline_sql())
            return len(cursor.fetchall())

    base_seconds, base_rows = min((timed(baseline) for _ in range(3)), key=lambda r: r[0])
    base_cpu = min(timed_cpu(baseline) for _ in range(3))
    # 1. The first full scan (everything written): in a child process, for its peak memory.
    scan_seconds, peak_mb, first = first_scan_in_child(profile=args.profile == "first")
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute or two of the first scan's quarter of a million new
        # rows: fresh statistics, the visibility map and the tuples' hint bits. Everything after
        # this is measured in that steady state. Without it the unchanged scan right after would
        # pay for setting the hint bits of every row it reads (writing those pages), a cost no later
        # scan pays, and the cockpit would plan with the empty tables' statistics.
        vacuum_seconds, _ = timed(lambda: connection.cursor().execute("VACUUM ANALYZE"))
        print(f"VACUUM ANALYZE after the first scan (autovacuum's work): {vacuum_seconds:.1f} s")
    # 2. The same again in this process, nothing changed: every enterprise re-assessed and
    # compared with what the first stored, nothing rewritten (what a change of parameters or
    # rules costs when the data did not change).
    if args.profile == "unchanged":
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        rescan_seconds, second = timed(full)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_ROWS", "22"))
        )
        fetch_seconds, rules_seconds = floors()
    else:
        # Pairs, each an unchanged scan then the floors right after it, and the pair with the
        # median ratio is reported: on this kind of machine the same work varies by 15–30 % from
        # one minute to the next (the floors alone got 30 % faster over three runs in a row), so
        # one sample of each side, or the best of each taken minutes apart, measured the machine's
        # drift as much as the scan. Back to back, both sides of a pair see the same machine.
        pairs = []
        for _ in range(UNCHANGED_RUNS):
            seconds, second = timed(full)
            fetch, assess = floors()
            pairs.append((seconds / (fetch + assess), seconds, fetch, assess, second))
            print(
                f"unchanged full scan {seconds:.2f} s, floors {fetch:.2f} + {assess:.2f} s: "
                f"{seconds / (fetch + assess):.2f} ×"
            )
        _ratio, rescan_seconds, fetch_seconds, rules_seconds, second = sorted(pairs, key=lambda p: p[0])[
            len(pairs) // 2
        ]
    tick_seconds, tick = min((timed(scan.scan_district) for _ in range(3)), key=lambda r: r[0])
    assert tick.mode == "changed", tick.reason
    if args.keep:
        keep(args.keep)
    copies = day_ticks_on_copies(args.day_copies, baseline) if args.day_copies else []
    day_seconds, day_tick = day_tick_timed(profile=args.profile == "day", base_cpu=base_cpu)
    if copies:
        runs = [*(tick for tick, _base in copies), day_seconds]
        print("day ticks (copies, then the database itself): " + ", ".join(f"{r:.3f} s" for r in runs))
        day_seconds = statistics.median(runs)
        base_seconds = min(
            [base_seconds, *(base for _tick, base in copies)]
        )  # the lowest: the strictest ratio
    from anxin.core.audit import system_actor

    office = user_save(
        actor=system_actor(),
        username="bench_office",
        unit="office",
        role="office",
        password="Bench@2026pass!",  # noqa: S106 (a throwaway account in a scratch database)
        full_name="基准",
    )
    office.must_change_password = False  # a new account is sent to 修改密码 first; not what is measured
    office.save(update_fields=["must_change_password"])
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    samples = one_after_a_new_signal(office, ids, runs=200)
    client = Client()
    client.force_login(office)
    client.get("/cockpit/", secure=True)  # warm up
    pages = []
    for _ in range(20):
        seconds, response = timed(lambda: client.get("/cockpit/", secure=True))
        assert response.status_code == 200
        pages.append(seconds * 1000)
    pages.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"\n{len(ids)} enterprises, {connection.vendor} — {datetime.date.today():%Y-%m-%d}\n")
    print("| step | result | target |")
    print("|---|---:|---|")
    print(
        f"| baseline: hand-written SQL for the two immediate rules ({base_rows} enterprises) | {base_seconds:.2f} s | — |"
    )
    ratio = scan_seconds / base_seconds
    print(
        f"| full scan, first run, `manage.py scan` in a child process ({first.assessed} assessed, "
        f"{first.opened} alerts opened) | {scan_seconds:.1f} s ({ratio:.1f} × baseline) | ≤ 30 s |"
    )
    print(
        f"| peak memory (RSS) of the first full scan's process | {peak_mb:.0f} MiB | ≤ 1024 MiB at 100,000 |"
    )
    floors_seconds = fetch_seconds + rules_seconds
    full_floor_ratio = rescan_seconds / floors_seconds
    print(
        f"| full scan again, nothing changed (every enterprise re-assessed, nothing rewritten) "
        f"| {rescan_seconds:.1f} s ({rescan_seconds / base_seconds:.1f} × baseline, "
        f"**{full_floor_ratio:.2f} × the two floors** below, {floors_seconds:.2f} s) | ≤ 1.5 × the floors |"
    )
    print(
        f"| floor for any scan with the rules in Python — fetching the rows the rules see (bare driver fetch) "
        f"| {fetch_seconds:.2f} s ({fetch_seconds / base_seconds:.1f} × baseline) | — |"
    )
    print(
        f"| floor for any scan with the rules in Python — the rules alone, in memory, nothing written "
        f"| {rules_seconds:.2f} s ({rules_seconds / base_seconds:.1f} × baseline) | — |"
    )
    print(
        f"| `tick` scan, nothing changed since the last ({tick.assessed} re-assessed) "
        f"| {tick_seconds:.2f} s ({tick_seconds / base_seconds:.1f} × baseline) | ≤ 3 × baseline |"
    )
    print(
        f"| the day's first `tick` on unchanged data ({day_tick.assessed} re-assessed) "
        f"| {day_seconds:.2f} s ({day_seconds / base_seconds:.1f} × baseline) | ≤ 3 × baseline |"
    )
    print(
        "| one enterprise after a new verified complaint (after-commit re-assessment): p50 / p95 "
        f"| {statistics.median(samples):.1f} / {p95:.1f} ms | p95 ≤ 50 ms |"
    )
    print(
        f"| cockpit page (whole district): p50 / p95 | {statistics.median(pages):.0f} / {pages[18]:.0f} ms | ≤ 300 ms |"
    )
    print(f"\nopened {first.opened}, level changes on re-scan {second.changed}")
    results = {
        "enterprises": len(ids),
        "vendor": connection.vendor,
        "baseline_s": round(base_seconds, 4),
        "full_first_s": round(scan_seconds, 3),
        "full_unchanged_s": round(rescan_seconds, 3),
        "full_floor_ratio": round(full_floor_ratio, 3),
        "peak_rss_mb": round(peak_mb, 1),
        "floor_fetch_s": round(fetch_seconds, 3),
        "floor_rules_s": round(rules_seconds, 3),
        "tick_s": round(tick_seconds, 4),
        "day_tick_s": round(day_seconds, 4),
        "day_tick_assessed": day_tick.assessed,
        "one_p50_ms": round(statistics.median(samples), 1),
        "one_p95_ms": round(p95, 1),
        "cockpit_p50_ms": round(statistics.median(pages), 1),
        "cockpit_p95_ms": round(pages[18], 1),
    }
    assert set(results) == set(RESULT_KEYS), set(results) ^ set(RESULT_KEYS)
    if args.json:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
