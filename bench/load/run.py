"""Load benchmark: many users at once on the production stack (issue #20, target 3).

    .venv/bin/python bench/load/run.py --database-url postgresql://postgres@127.0.0.1:5432/anxin_load
        [--enterprises 100000] [--users 50] [--duration 300] [--single-duration 120]
        [--locust var/load-venv/bin/locust] [--json PATH] [--accounts var/load-accounts.json]

Once per machine: ``apt-get install nginx openssl``, and the load tool in a virtualenv of its own
(CI never installs it): ``python3 -m venv var/load-venv && var/load-venv/bin/pip install -r
bench/requirements-load.txt``. The database must exist and be empty (``createdb``); the run migrates it.

What it does, on loopback only:

1. Data at city scale, with production settings (DEBUG off): the district (``load_district``),
   ``bench/monitoring_scan.generate`` (N enterprises, 24 months of observations, 3 N signals over
   the last year — each then given its enterprise's town, as routing would), one full scan so that
   alerts and risk levels exist; N/20 new signals of the last month recorded through the intake
   service (routed to towns and departments, verification deadlines, duplicates); N/100 cases opened
   from the red and orange alerts through the case service; the personas' accounts (the office, each
   town, 城建局 and 人社局, an API account of the office with a token), none on a one-time password.
2. The stack as deploy/ describes it: ``collectstatic`` into a temporary STATIC_ROOT; gunicorn with
   deploy/anxin.service's command line (its ``--workers``), bound to a loopback port; nginx with a
   configuration derived at run time from deploy/nginx.conf (same locations, proxy headers, portal
   ``limit_req`` and static alias; TLS with a throw-away self-signed certificate, a loopback port,
   a temporary prefix). The app runs with ``BEHIND_PROXY=true`` and HTTPS on, as in production.
3. locust, headless (bench/load/locustfile.py): first each persona alone with 1 user
   (``--single-duration`` seconds in all, shared among the personas; a short think time: one user is
   one request at a time whatever it waits, and the baseline needs samples), then the realistic mix
   with ``--users`` users for ``--duration`` seconds (think time 1–5 s).
4. Everything it started is stopped (always, also on an error or Ctrl-C) and the temporary
   directory removed; a Markdown table per page (requests, p50/p95/max, errors, req/s at 1 and at
   N users, and whether p95 at N ≤ 3 × p95 at 1) is printed, and ``--json PATH`` writes the figures
   (per page and ``totals``: ``requests``, ``errors``, ``rps``, ``p50_ms``, ``p95_ms``, ``max_ms``).

``--accounts PATH`` keeps the prepared data for another run: after preparing the empty database the
accounts (and the keys the personal data was encrypted with) are written there; a later run given the
same file and database skips step 1 (the data is then as the previous run left it, its reports and
observations included).

Targets (issue #20): every page's p95 ≤ 300 ms at 50 users, no errors, p95 at 50 ≤ 3 × p95 at 1.
Absolute times depend on the machine and on what else runs on it; compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from argparse import Namespace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "Bench#Load2026pass"  # noqa: S105 (throw-away accounts in a scratch database)
PERSONAS = ("OfficeUser", "TownUser", "DepartmentUser", "ApiUser", "PortalUser")
P95_TARGET_MS = 300
RATIO_TARGET = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL (or SQLite) database")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", type=int, default=300, help="seconds of the many-users run")
    parser.add_argument(
        "--single-duration",
        type=int,
        default=120,
        help="seconds of the 1-user runs, shared among the personas",
    )
    parser.add_argument("--locust", default=str(ROOT / "var" / "load-venv" / "bin" / "locust"))
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--json", default=None, metavar="PATH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, CSVs)")
    parser.add_argument(
        "--accounts",
        default=None,
        metavar="PATH",
        help="keep the prepared data: write the accounts here after preparing an empty database; when the "
        "file exists and the database holds the district, run against it as it is (no second generation)",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows in a log file
    for tool in (args.locust, args.nginx):
        if not Path(tool).exists():
            sys.exit(f"{tool} not found: see the setup in this script's docstring")

    reused = None
    if args.accounts and Path(args.accounts).exists():
        # The prepared data's keys too: the personal data in it was encrypted with them.
        reused = json.loads(Path(args.accounts).read_text(encoding="utf-8"))
        os.environ.update(reused.pop("_keys"))
    tmp = Path(tempfile.mkdtemp(prefix="anxin-load-"))
    tmp.chmod(0o755)  # nginx's workers (user nobody) read the static files under it
    environ = production_env(args.database_url, tmp)
    os.environ.update(environ)
    import django

    django.setup()
    processes: list[subprocess.Popen] = []
    try:
        if reused is not None:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)  # the code may have moved on since the data was prepared
            accounts = reused
            print(f"reusing the prepared database and the accounts in {args.accounts}")
        else:
            accounts = prepare_data(args, tmp)
            if args.accounts:
                keys = {k: environ[k] for k in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")}
                Path(args.accounts).write_text(json.dumps({**accounts, "_keys": keys}), encoding="utf-8")
        static_root = collect_static(tmp)
        app_port, web_port = free_port(), free_port()
        # nginx passes ``Host $host`` (no port, as on 443 in production): on a loopback port the
        # browser's Origin/Referer carry the port, so the deployment names its origin, as a
        # deployment on a non-standard port does (docs/operations.md: CSRF_TRUSTED_ORIGINS).
        os.environ["CSRF_TRUSTED_ORIGINS"] = f"https://127.0.0.1:{web_port}"
        processes.append(start_gunicorn(app_port, tmp))
        processes.append(start_nginx(args.nginx, tmp, app_port, web_port, static_root))
        base = f"https://127.0.0.1:{web_port}"
        wait_ready(base, processes)
        accounts_file = tmp / "accounts.json"
        accounts_file.write_text(json.dumps(accounts), encoding="utf-8")
        locust_env = {
            **os.environ,
            "LOAD_ACCOUNTS": str(accounts_file),
            "LOAD_DATABASE_URL": args.database_url,
        }
        single: dict[str, dict] = {}
        share = max(10, args.single_duration // len(PERSONAS))
        for persona in PERSONAS:
            stats = run_locust(
                args.locust, base, tmp / f"one-{persona}", users=1, spawn_rate=1, seconds=share,
                env={**locust_env, "LOAD_THINK": "short"}, classes=[persona],
            )  # fmt: skip
            single.update({name: row for name, row in stats.items() if name != "Aggregated"})
            single.setdefault("_totals", []).append(stats["Aggregated"])  # type: ignore[arg-type]
        many = run_locust(
            args.locust, base, tmp / "many", users=args.users, spawn_rate=args.spawn_rate,
            seconds=args.duration, env=locust_env, classes=[],
        )  # fmt: skip
        results = report(single, many, args)
        if args.json:
            Path(args.json).write_text(
                json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            print(f"results written to {args.json}")
    finally:
        for process in reversed(processes):
            stop(process)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def production_env(database_url: str, tmp: Path) -> dict[str, str]:
    """The environment of deploy/anxin.service's EnvironmentFile, for a loopback run."""
    return {
        "DJANGO_SETTINGS_MODULE": "anxin.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        # fresh secrets unless given (to read the database afterwards with the same key)
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": os.environ.get("FIELD_ENCRYPTION_KEY")
        or base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BEHIND_PROXY": "true",  # nginx in front: X-Forwarded-Proto and the client address trusted
        "MEDIA_ROOT": str(tmp / "media"),
        "SMS_LOG_FILE": str(tmp / "sms.log"),
        "PORTAL_URL": "https://127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def prepare_data(args, tmp: Path) -> dict:
    """The district at city scale and the personas' accounts (see the module docstring)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from monitoring_scan import generate

    from anxin.intake.models import Signal
    from anxin.monitoring import scan
    from anxin.registry.models import Enterprise

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    if Enterprise.objects.exists():
        sys.exit("the database is not empty: give an empty one (the run writes a whole district)")
    call_command("load_district", stdout=io.StringIO())
    n = args.enterprises
    generate(Namespace(enterprises=n, months=24, signals=3 * n))
    # generate() writes history rows without routing; a signal about a registered enterprise is
    # routed to the enterprise's town (属地) — the towns' pages read them by that column.
    Signal.objects.filter(town__isnull=True, enterprise__isnull=False).update(
        town_id=Subquery(Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("town_id")[:1])
    )
    first = scan.scan_district(full=True, reason="负载基准")
    print(f"full scan: {first.assessed} assessed, {first.opened} alerts opened")
    accounts = make_accounts()
    recent_signals(accounts["_office"], count=max(50, n // 20))
    open_cases(accounts.pop("_office"), count=max(20, n // 100))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does within minutes of the bulk writes
    print(f"data ready in {time.perf_counter() - began:.0f} s")
    return accounts


def make_accounts() -> dict:
    """One account per persona (several locust users may share one, as colleagues of one office
    do not, but the pages do not care); the API account's token through ``issue_token``."""
    from django.core.management import call_command

    from anxin.core.audit import system_actor
    from anxin.org.models import Town, Unit
    from anxin.org.services import user_save

    actor = system_actor()

    def account(username: str, unit, role: str):
        user = user_save(
            actor=actor,
            username=username,
            unit=unit,
            role=role,
            password=PASSWORD,
            full_name="负载基准",
            one_time_password=False,
        )
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        return user

    office = account("load_office", "office", "office")
    towns = []
    for town in Town.objects.order_by("order"):
        unit = Unit.objects.get(code=f"gov-{town.code}")
        towns.append(account(f"load_town_{town.code}", unit, "town").username)
    departments = [
        account(f"load_dept_{code}", code, "department").username for code in ("construction", "hrss")
    ]
    account("load_api", "office", "office")
    out = io.StringIO()
    call_command("issue_token", "load_api", stdout=out)
    token = out.getvalue().strip().splitlines()[-1].strip()
    return {
        "_office": office,
        "password": PASSWORD,
        "office": [office.username],
        "towns": towns,
        "departments": departments,
        "api_token": token,
        "usccs": sample_usccs(),
    }


def sample_usccs() -> list[str]:
    from anxin.registry.models import Enterprise

    return list(Enterprise.objects.order_by("?").values_list("uscc", flat=True)[:2000])


def recent_signals(office, *, count: int) -> None:
    """Signals of the last month through the intake service: routed, given deadlines, open."""
    import random

    from django.utils import timezone

    from anxin.intake.models import Channel
    from anxin.intake.services import Incoming, signals_record
    from anxin.registry.models import Enterprise

    rng = random.Random(20)
    channels = list(Channel.objects.filter(is_public=False, is_self_report=False).order_by("pk"))
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    enterprises = Enterprise.objects.in_bulk(rng.sample(ids, min(count, len(ids))))
    now = timezone.now()
    began = time.perf_counter()
    items = []
    for n, enterprise in enumerate(enterprises.values()):
        items.append(
            Incoming(
                channel=channels[n % len(channels)],
                reference=f"LOAD{n:06d}",
                facts={
                    "kind": rng.choice(["wage_complaint"] * 4 + ["social_insurance", "collective"]),
                    "enterprise": enterprise,
                    "received_at": now - datetime.timedelta(minutes=rng.randrange(30 * 24 * 60)),
                    "summary": "负载基准：近期线索",
                    "workers": rng.randrange(1, 30),
                    "amount": rng.randrange(1, 500) * 100_000,
                    "months_owed": rng.randrange(1, 4),
                },
            )
        )
    for start in range(0, len(items), 500):
        signals_record(actor=office, items=items[start : start + 500])
    print(f"recent signals: {len(items)} recorded in {time.perf_counter() - began:.0f} s")


def open_cases(office, *, count: int) -> None:
    """Cases opened from the red and orange alerts through the case service (the town leads)."""
    from anxin.cases.services import case_open
    from anxin.monitoring.models import Alert

    began = time.perf_counter()
    alerts = list(
        Alert.objects.filter(level__in=["red", "orange"])
        .select_related("enterprise")
        .order_by("-level", "pk")[: count * 2]
    )
    opened = 0
    seen: set[int] = set()
    for alert in alerts:
        if opened >= count or alert.enterprise_id in seen:
            continue
        seen.add(alert.enterprise_id)
        case_open(actor=office, enterprise=alert.enterprise, alert=alert, summary="负载基准：由预警立案")
        opened += 1
    print(f"cases: {opened} opened in {time.perf_counter() - began:.0f} s")


def collect_static(tmp: Path) -> Path:
    """``collectstatic`` into a temporary STATIC_ROOT (production: /opt/anxin/var/static)."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp / "static"
    with override_settings(STATIC_ROOT=str(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deploy_workers() -> str:
    """gunicorn's ``--workers`` in deploy/anxin.service (written there for a 2-core machine)."""
    text = (ROOT / "deploy" / "anxin.service").read_text(encoding="utf-8")
    found = re.search(r"--workers\s+(\d+)", text)
    if not found:
        sys.exit("deploy/anxin.service names no --workers")
    return found.group(1)


def start_gunicorn(port: int, tmp: Path) -> subprocess.Popen:
    """deploy/anxin.service's ExecStart, on a loopback port, logs into the temporary directory."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "anxin.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", deploy_workers(),
        "--timeout", "120",
        "--access-logfile", str(tmp / "gunicorn-access.log"),
        "--error-logfile", str(tmp / "gunicorn-error.log"),
    ]  # fmt: skip
    print(f"gunicorn: {deploy_workers()} workers on 127.0.0.1:{port}")
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True)  # noqa: S603


def nginx_config(tmp: Path, app_port: int, web_port: int, static_root: Path) -> str:
    """deploy/nginx.conf made to run here: the same server block (locations, proxy headers, the
    portal's limit_req, the static alias) on a loopback port with a throw-away certificate; the
    plain-HTTP redirect server and the IPv6 listens dropped; wrapped in a main configuration whose
    pid, logs and temp paths are under ``tmp``."""
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    # the first server block is the port-80 redirect
    text = re.sub(r"# Plain HTTP only redirects to HTTPS\.\nserver \{.*?\n\}\n", "", text, flags=re.S)
    # The HTTPS listen, whatever address it names (the internal zone's government-network address
    # since issue #21), becomes the loopback port; an IPv6 listen, if any, is dropped.
    text, listens = re.subn(
        r"^    listen (?:\S+:)?443 ssl http2;\n",
        f"    listen 127.0.0.1:{web_port} ssl http2;\n",
        text,
        flags=re.M,
    )
    if listens != 1:
        sys.exit(f"deploy/nginx.conf changed: {listens} HTTPS listen lines, not 1; update bench/load/run.py")
    text = re.sub(r"^    listen \[::\]:443 ssl http2;\n", "", text, flags=re.M)
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};\n    keepalive 16;"),
        ("server_name anxin.example.gov.cn;", "server_name 127.0.0.1;"),
        ("/etc/nginx/tls/anxin.crt", str(tmp / "tls.crt")),
        ("/etc/nginx/tls/anxin.key", str(tmp / "tls.key")),
        ("alias /opt/anxin/var/static/;", f"alias {static_root}/;"),
    ]
    for old, new in replacements:
        if old not in text:
            sys.exit(f"deploy/nginx.conf changed: {old!r} not found; update bench/load/run.py")
        text = text.replace(old, new)
    mime = Path("/etc/nginx/mime.types")
    return f"""
daemon off;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    {f"include {mime};" if mime.exists() else ""}
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
{text}
}}
"""


def start_nginx(nginx: str, tmp: Path, app_port: int, web_port: int, static_root: Path) -> subprocess.Popen:
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    certificate = [
        openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-keyout", str(tmp / "tls.key"), "-out", str(tmp / "tls.crt"),
    ]  # fmt: skip
    subprocess.run(certificate, check=True, capture_output=True)  # noqa: S603
    config = tmp / "nginx.conf"
    config.write_text(nginx_config(tmp, app_port, web_port, static_root), encoding="utf-8")
    subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(tmp)], check=True)  # noqa: S603
    print(f"nginx: https://127.0.0.1:{web_port} (config derived from deploy/nginx.conf: {config})")
    return subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp)], start_new_session=True)  # noqa: S603


def wait_ready(base: str, processes: list[subprocess.Popen], seconds: int = 60) -> None:
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                sys.exit(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/login/", context=context, timeout=30) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{base} did not answer within {seconds} s")


def run_locust(
    locust: str,
    base: str,
    prefix: Path,
    *,
    users: int,
    spawn_rate: float,
    seconds: int,
    env: dict,
    classes: list,
) -> dict[str, dict]:
    """One headless locust run; its per-page figures from the ``--csv`` stats file."""
    command = [
        locust, "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
        "--host", base, "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
        *classes,
    ]  # fmt: skip
    print(f"locust: {users} user(s), {seconds} s{' — ' + ', '.join(classes) if classes else ''}", flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        process.wait(timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        stop(process)
        raise
    finally:
        stop(process)
    # locust exits 1 when any request failed: the failures are reported, not a reason to stop
    return read_stats(Path(f"{prefix}_stats.csv"))


def read_stats(path: Path) -> dict[str, dict]:
    rows = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": float(row["50%"] if row["50%"] != "N/A" else 0),
                "p95_ms": float(row["95%"] if row["95%"] != "N/A" else 0),
                "max_ms": float(row["Max Response Time"] or 0),
            }
    return rows


def stop(process: subprocess.Popen) -> None:
    """Its whole process group (gunicorn's and nginx's workers too): TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def report(single: dict, many: dict, args) -> dict:
    totals_one = single.pop("_totals")
    pages = sorted(name for name in many if name != "Aggregated")
    results: dict = {
        "enterprises": args.enterprises,
        "users": args.users,
        "duration_s": args.duration,
        "pages": {},
    }
    print(
        f"\n{args.enterprises} enterprises, {args.users} users for {args.duration} s — {datetime.date.today()}\n"
    )
    print(
        f"| page | requests (1 / {args.users}) | p50 ms (1 / {args.users}) | p95 ms (1 / {args.users}) "
        f"| max ms (1 / {args.users}) | errors (1 / {args.users}) | req/s at {args.users} "
        f"| p95 ≤ {P95_TARGET_MS} ms | p95 at {args.users} ≤ {RATIO_TARGET:g} × p95 at 1 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for name in pages:
        at_many = many[name]
        at_one = single.get(name)
        ratio = at_many["p95_ms"] / at_one["p95_ms"] if at_one and at_one["p95_ms"] else None
        results["pages"][name] = {
            "one": at_one,
            "many": at_many,
            "p95_ratio": round(ratio, 2) if ratio is not None else None,
        }

        def pair(key: str, fmt: str = "{:.0f}", one=at_one, many_=at_many) -> str:
            return f"{fmt.format(one[key]) if one else '—'} / {fmt.format(many_[key])}"

        print(
            f"| {name} | {pair('requests')} | {pair('p50_ms')} | {pair('p95_ms')} | {pair('max_ms')} "
            f"| {pair('errors')} | {at_many['rps']:.2f} "
            f"| {'yes' if at_many['p95_ms'] <= P95_TARGET_MS else 'NO'} "
            f"| {f'{ratio:.1f} ×' if ratio is not None else '—'}"
            f"{'' if ratio is None else (' yes' if ratio <= RATIO_TARGET else ' NO')} |"
        )
    total = many["Aggregated"]
    one_requests = sum(t["requests"] for t in totals_one)
    one_errors = sum(t["errors"] for t in totals_one)
    print(
        f"| **all pages** | {one_requests} / {total['requests']} | — / {total['p50_ms']:.0f} "
        f"| — / {total['p95_ms']:.0f} | — / {total['max_ms']:.0f} | {one_errors} / {total['errors']} "
        f"| {total['rps']:.2f} | | |"
    )
    results["totals"] = {**total, "one_requests": one_requests, "one_errors": one_errors}
    results["errors"] = total["errors"] + one_errors
    results["rps"] = total["rps"]
    slow = [n for n in pages if many[n]["p95_ms"] > P95_TARGET_MS]
    steep = [
        n for n, r in results["pages"].items() if r["p95_ratio"] is not None and r["p95_ratio"] > RATIO_TARGET
    ]
    print(
        f"\nerrors: {results['errors']}; pages over {P95_TARGET_MS} ms at p95: {', '.join(slow) or 'none'}; "
        f"p95 ratio over {RATIO_TARGET:g}: {', '.join(steep) or 'none'}"
    )
    return results


if __name__ == "__main__":
    main()
