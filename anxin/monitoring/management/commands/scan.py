"""The risk scan: ``scan [--as-of YYYY-MM-DD] [--full | --changed] [--shards N [--wait [SECONDS]]]
[--enterprise USCC ...]``.

``--shards N`` queues the full scan as N shards for the scan workers (``db_worker --queue-name
scan``, on any machine of the database) instead of running it here; ``--wait`` then waits for the
run to finish (or a shard to fail) and reports it."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from anxin.monitoring import scan
from anxin.monitoring.models import ScanRun, ScanShard
from anxin.registry.models import Enterprise


class Command(BaseCommand):
    help = "按指定日期重新评估全部（或指定、或数据有变化的）企业的风险等级，开启或更新预警"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="评估基准日 YYYY-MM-DD（默认今天）")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--full", action="store_true", help="全面重评全部企业（默认）")
        mode.add_argument(
            "--changed",
            action="store_true",
            help="同 tick：基准日、参数和规则未变时只重评上次扫描以来数据有变化的企业",
        )
        parser.add_argument(
            "--shards",
            type=int,
            default=0,
            metavar="N",
            help="把全面重评分成 N 个分片排入 scan 队列，由扫描工作进程（db_worker --queue-name scan）执行",
        )
        parser.add_argument(
            "--wait",
            type=float,
            nargs="?",
            const=3600.0,
            default=None,
            metavar="SECONDS",
            help="与 --shards 同用：等待分片全部完成（或有分片失败）后报告，最多等 SECONDS 秒（默认 3600）",
        )
        parser.add_argument("--enterprise", nargs="*", default=None, help="只评估这些统一社会信用代码")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"日期格式不正确：{options['as_of']}（示例：2026-11-30）") from None
        if options["enterprise"]:
            found = dict(Enterprise.objects.filter(uscc__in=options["enterprise"]).values_list("uscc", "pk"))
            missing = sorted(set(options["enterprise"]) - set(found))
            if missing:
                raise CommandError(f"未登记的企业：{'、'.join(missing)}")
            started = time.perf_counter()
            result = scan.scan(as_of=as_of, enterprise_ids=list(found.values()))
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"已评估 {result['assessed']} 家企业（{seconds:.1f} 秒）：等级变化 {result['changed']}，"
                f"新预警 {result['opened']}，更新 {result['updated']}，规则不再触发 {result['cleared']}"
            )
            return
        if options["shards"] < 0:
            raise CommandError("--shards 不能为负数")
        if options["wait"] is not None and not options["shards"]:
            raise CommandError("--wait 只能与 --shards 同用")
        run = scan.scan_district(
            as_of=as_of, full=not options["changed"], reason="命令行 manage.py scan", shards=options["shards"]
        )
        if run.shards.exists():
            self._report_shards(run, wait=options["wait"])
            return
        self.stdout.write(
            f"{run.get_mode_display()}（{run.reason}）：已评估 {run.assessed} 家企业（{run.seconds} 秒），"
            f"等级变化 {run.changed}，新预警 {run.opened}"
        )

    def _report_shards(self, run: ScanRun, *, wait: float | None) -> None:
        """Say what was queued; with ``wait``, poll the run until it is finished or a shard failed."""
        count = run.shards.count()
        self.stdout.write(f"{run.get_mode_display()}（{run.reason}）：已分成 {count} 个分片排入 scan 队列")
        if wait is None:
            return
        deadline = time.monotonic() + wait
        while True:
            run.refresh_from_db()
            failed = list(run.shards.filter(status=ScanShard.Status.FAILED).values_list("lo", "hi", "error"))
            if run.finished_at is not None or failed or time.monotonic() > deadline:
                break
            time.sleep(1)
        if failed:
            lo, hi, error = failed[0]
            last_line = error.strip().splitlines()[-1] if error.strip() else ""
            raise CommandError(f"{len(failed)} 个分片失败（企业编号 {lo}–{hi}：{last_line}），本次扫描未完成")
        if run.finished_at is None:
            done = run.shards.filter(status=ScanShard.Status.DONE).count()
            raise CommandError(
                f"等待超时：{done}/{count} 个分片已完成（开始于 {timezone.localtime(run.started_at):%H:%M:%S}），"
                "请确认扫描工作进程在运行"
            )
        self.stdout.write(
            f"已评估 {run.assessed} 家企业（{run.seconds} 秒），等级变化 {run.changed}，新预警 {run.opened}"
        )
