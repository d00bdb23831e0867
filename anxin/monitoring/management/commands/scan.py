"""The risk scan: ``scan [--as-of YYYY-MM-DD] [--changed] [--enterprise USCC ...]``."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from anxin.monitoring import scan
from anxin.registry.models import Enterprise


class Command(BaseCommand):
    help = "按指定日期重新评估全部（或指定、或数据有变化的）企业的风险等级，开启或更新预警"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="评估基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--changed",
            action="store_true",
            help="同 tick：基准日、参数和规则未变时只重评上次扫描以来数据有变化的企业",
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
        run = scan.scan_district(as_of=as_of, full=not options["changed"], reason="命令行 manage.py scan")
        self.stdout.write(
            f"{run.get_mode_display()}（{run.reason}）：已评估 {run.assessed} 家企业（{run.seconds} 秒），"
            f"等级变化 {run.changed}，新预警 {run.opened}"
        )
