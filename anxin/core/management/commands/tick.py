"""Run every periodic sweep once: ``tick [--now ISO]`` (cron or a systemd timer, e.g. every 10 min).

Each app registers its sweeps at ``seam.SWEEPS`` (``Sweep(label, run)``); core never imports a
later app. Every sweep is idempotent: running tick twice does nothing new.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from anxin.core import seam

logger = logging.getLogger(__name__)


def sweeps() -> list[seam.Sweep]:
    """Every sweep inside; on a portal host with its own database (the file exchange) only those that
    tidy its own records — routing, deadlines and copies are the internal zone's, on its data."""
    found = seam.collect(seam.SWEEPS)
    if settings.PORTAL_EXCHANGES_FILES:
        return [s for s in found if s.portal]
    return found


class Command(BaseCommand):
    help = "执行一次全部定时任务（逾期标记、提醒、升级），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", default=None, help="以该时间为“现在”（ISO 格式，如 2026-12-01T09:00），用于补跑或演示"
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"时间格式不正确：{options['now']}（示例：2026-12-01T09:00）") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        failed = []
        for sweep in sweeps():
            label = sweep.label
            try:
                count = sweep.run(now=now)
            except Exception:  # one broken sweep must not stop the others
                logger.exception("tick: sweep %s failed", label)
                failed.append(label)
                self.stderr.write(f"{label}：失败（详见日志）")
                continue
            self.stdout.write(f"{label}：{count}")
        if failed:
            raise CommandError(f"以下定时任务失败：{'、'.join(failed)}")
