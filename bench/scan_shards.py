"""Benchmark: the full scan split into shards, run by 1 and by 2 worker processes (issue #20, target 4).

    .venv/bin/python bench/scan_shards.py [--enterprises 20000] [--months 24] [--signals 60000]
                                          [--shards 8] [--repeat 1] [--database-url URL] [--json PATH]

Generates the district of bench/monitoring_scan.py (its ``generate``: N enterprises, M months of
electricity for each, wage and social-insurance arrears for a few percent, S signals) on a scratch
database (a temporary SQLite file unless --database-url names an empty PostgreSQL database), runs
the first full scan in this process (everything written), then measures the unchanged-data full
scan three ways:

  in process    ``scan_district(full=True)`` here, as the tick runs it without shards (reference)
  1 worker      one real ``manage.py db_worker --queue-name scan`` subprocess (same environment,
                same database) is started and waited for until it polls the queue; then
                ``scan_district(full=True, shards=K)`` queues K shards and the worker runs them
                all; timed from the enqueue to the run's ``finished_at`` (the run's ``seconds``),
                which the last shard writes
  2 workers     the same with two ``db_worker`` subprocesses

``shard_speedup`` = 1 worker / 2 workers (target ≥ 1.6 × on a 2-core machine). The control,
``cpu_parallel_speedup``, is what two processes of pure Python work gain over one on this machine
at the same moments (measured before each pair of runs and after the last; the median kept): 2.0 on
two idle cores, less when other work shares them — the shards cannot beat it. The workers are
running before the enqueue, as the deployed services are: a worker's start-up (Python and Django
set-up, paid once per process, not per scan) is measured apart as ``worker_start_s``. Started
after the enqueue instead, each time would include it — at 5,000 enterprises it is longer than
the scan. With --repeat R the 1- and 2-worker runs alternate R times and the median of each is
kept. Timings are those of this machine at this moment: compare the ratios of one run, not
seconds across runs.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULT_KEYS = (
    "enterprises",
    "vendor",
    "shards",
    "in_process_s",
    "worker_start_s",
    "shard_1_worker_s",
    "shard_2_workers_s",
    "shard_speedup",
    "cpu_parallel_speedup",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--signals", type=int, default=60_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--json", default=None, metavar="PATH", help="also write the results as JSON (RESULT_KEYS)"
    )
    args = parser.parse_args()
    scratch = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    # Production settings (DEBUG off: no query log, no in-process drain of the queue); the worker
    # subprocesses inherit this environment, so they open the same database with the same keys.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "anxin.settings"
    os.environ.pop("SCAN_SHARDS", None)
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


WORKER = [
    sys.executable,
    str(ROOT / "manage.py"),
    "db_worker",
    "--queue-name",
    "scan",
    "--no-reload",
    "--no-startup-delay",
    "--interval",
    "0.05",  # an idle worker looks at the queue 20 times a second: the wait is not what is measured
]


SPIN = "import sys\nn = int(sys.argv[1])\nwhile n: n -= 1\n"  # pure Python work, no I/O


def cpu_parallelism(loops: int = 20_000_000) -> float:
    """The control: how much faster two processes do two units of pure Python work than one
    process doing both, on this machine right now (2.0 on two idle cores; less when other work
    shares them). The shard speed-up cannot exceed it."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", SPIN, str(2 * loops)], check=True)  # noqa: S603
    one = time.perf_counter() - began
    began = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", SPIN, str(loops)]) for _ in range(2)]  # noqa: S603
    for proc in procs:
        proc.wait()
    return one / (time.perf_counter() - began)


def start_up() -> float:
    """How long one ``db_worker --batch`` takes to start and exit on an empty queue (Python and
    Django set-up: paid once per worker process, not per scan)."""
    began = time.perf_counter()
    subprocess.run([*WORKER, "--batch", "--verbosity", "0"], cwd=ROOT, check=True)  # noqa: S603 (our manage.py)
    return time.perf_counter() - began


def sharded(count: int, shards: int, tag: str) -> float:
    """One unchanged full scan as ``shards`` shards run by ``count`` workers: enqueue → finished_at.
    The workers are started first and waited for until each has said it is polling the queue, as
    the deployed services are (systemd keeps them running), then the scan is queued; the run's
    ``seconds`` (its ``started_at``, before the enqueue, to the last shard's ``finished_at``) is
    what is reported."""
    from anxin.monitoring import scan
    from anxin.monitoring.models import ScanShard

    procs = [
        subprocess.Popen(  # noqa: S603 (our own manage.py)
            [*WORKER, "--verbosity", "1", "--worker-id", f"bench-{tag}-{n}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # the log goes to the project's console handler (stderr)
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # its "Starting worker" line now, not at exit
        )
        for n in range(count)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            seen = []
            for line in proc.stdout:  # "Starting worker worker_id=…": set up, about to poll
                seen.append(line)
                if "Starting worker" in line:
                    break
            else:
                raise SystemExit("db_worker ended before it started:\n" + "".join(seen))
            # The rest of its log is read and dropped, so a full pipe never stops the worker.
            threading.Thread(target=proc.stdout.read, daemon=True).start()
        run = scan.scan_district(full=True, shards=shards, reason=f"基准测试：{count} 个工作进程")
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.finished_at is not None or run.shards.filter(status=ScanShard.Status.FAILED).exists():
                break
            time.sleep(0.05)
    finally:
        for proc in procs:
            proc.terminate()  # SIGTERM: the worker stops between tasks
        for proc in procs:
            proc.wait(timeout=60)
    states = set(run.shards.values_list("status", flat=True))
    assert run.finished_at is not None and states == {ScanShard.Status.DONE}, (run.pk, states)
    print(
        f"  {count} worker(s): {run.seconds:.2f} s, {run.assessed} assessed; "
        f"shards per worker {_worker_ids(run)}"  # with 2, both take part
    )
    return float(run.seconds)


def _worker_ids(run) -> list[list[str]]:
    from django_tasks_db.models import DBTaskResult

    shard_ids = set(run.shards.values_list("pk", flat=True))
    claimed: dict[str, int] = {}
    for args_kwargs, worker_ids in DBTaskResult.objects.filter(
        task_path="anxin.monitoring.tasks.scan_shard"
    ).values_list("args_kwargs", "worker_ids"):
        if args_kwargs["kwargs"]["shard_id"] in shard_ids:
            for worker in worker_ids:
                claimed[worker] = claimed.get(worker, 0) + 1
    return [[worker, str(n)] for worker, n in sorted(claimed.items())]


def run(args) -> None:
    import monitoring_scan
    from django.db import connection

    from anxin.monitoring import scan

    monitoring_scan.generate(args)
    began = time.perf_counter()
    first = scan.scan_district(full=True, reason="基准测试：首次")
    print(f"first full scan in process: {time.perf_counter() - began:.1f} s ({first.assessed} assessed)")
    if connection.vendor == "postgresql":
        connection.cursor().execute("VACUUM ANALYZE")  # what autovacuum does after the first scan's writes
    connection.close()  # the workers open their own; this process only reads between runs

    began = time.perf_counter()
    in_process = scan.scan_district(full=True, reason="基准测试：本进程")
    in_process_s = time.perf_counter() - began
    print(f"unchanged full scan in process: {in_process_s:.2f} s")
    connection.close()
    worker_start_s = start_up()
    print(f"a worker's start-up on an empty queue: {worker_start_s:.2f} s")

    one, two, cpu = [], [], []
    for r in range(args.repeat):
        cpu.append(cpu_parallelism())
        one.append(sharded(1, args.shards, f"1w{r}"))
        connection.close()
        two.append(sharded(2, args.shards, f"2w{r}"))
        connection.close()
    cpu.append(cpu_parallelism())
    one_s, two_s, cpu_x = statistics.median(one), statistics.median(two), statistics.median(cpu)
    print(f"  control, two processes of pure Python vs one: {', '.join(f'{c:.2f} ×' for c in cpu)}")
    results = {
        "enterprises": in_process.assessed,
        "vendor": connection.vendor,
        "shards": args.shards,
        "in_process_s": round(in_process_s, 2),
        "worker_start_s": round(worker_start_s, 2),
        "shard_1_worker_s": round(one_s, 2),
        "shard_2_workers_s": round(two_s, 2),
        "shard_speedup": round(one_s / two_s, 2),
        "cpu_parallel_speedup": round(cpu_x, 2),
    }
    print(f"\n{results['enterprises']} enterprises, {connection.vendor}, {args.shards} shards\n")
    print("| unchanged full scan | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| in process (no shards) | {in_process_s:.2f} | 1.00 × |")
    print(f"| {args.shards} shards, 1 db_worker | {one_s:.2f} | {one_s / in_process_s:.2f} × in process |")
    print(f"| {args.shards} shards, 2 db_workers | {two_s:.2f} | {two_s / in_process_s:.2f} × in process |")
    print(f"\nshard_speedup (1 worker / 2 workers) = {one_s / two_s:.2f} × (target ≥ 1.6 ×)")
    print(
        f"cpu_parallel_speedup (the machine's own, same run: 2 processes of pure Python) = {cpu_x:.2f} × "
        f"— the shards reach {one_s / two_s / cpu_x:.0%} of it"
    )
    assert set(results) == set(RESULT_KEYS)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
