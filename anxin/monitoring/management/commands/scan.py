"""A full risk re-assessment as of a day: ``scan [--as-of YYYY-MM-DD] [--enterprise USCC ...]``."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from anxin.monitoring import services
from anxin.registry.models import Enterprise


class Command(BaseCommand):
    help = "按指定日期重新评估全部（或指定）企业的风险等级，开启或更新预警"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="评估基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--enterprise", nargs="*", default=None, help="只评估这些统一社会信用代码")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"日期格式不正确：{options['as_of']}（示例：2026-11-30）") from None
        ids = None
        if options["enterprise"]:
            found = dict(Enterprise.objects.filter(uscc__in=options["enterprise"]).values_list("uscc", "pk"))
            missing = sorted(set(options["enterprise"]) - set(found))
            if missing:
                raise CommandError(f"未登记的企业：{'、'.join(missing)}")
            ids = list(found.values())
        started = time.perf_counter()
        result = services.scan(as_of=as_of, enterprise_ids=ids)
        self.stdout.write(
            f"已评估 {result['assessed']} 家企业（{time.perf_counter() - started:.1f} 秒）：等级变化 {result['changed']}，"
            f"新预警 {result['opened']}，更新 {result['updated']}，规则不再触发 {result['cleared']}"
        )
