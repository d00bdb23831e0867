"""Load the district's configuration: towns, units, duties, kinds, policy parameters, calendar.

Each app that holds reference data registers a loader ``(data, *, actor, log)`` at
``seam.DISTRICT_SECTIONS``; this command calls them in registration order (INSTALLED_APPS, the
order of the flow), so core never imports a later app. Idempotent: running it twice changes nothing the second time.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anxin.core import seam
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError


class Command(BaseCommand):
    help = "载入区配置（镇/街道、成员单位、职责、企业类型、政策参数、工作日历），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=None, help="区配置文件（默认 settings.DISTRICT_FILE）"
        )

    def handle(self, *args, **options):
        path: Path = options["file"] or settings.DISTRICT_FILE
        if not path.exists():
            raise CommandError(f"区配置文件不存在：{path}")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise CommandError(f"区配置文件格式错误：{exc}") from None
        district = data.get("district", {}).get("name", path.stem)
        self.stdout.write(f"载入区配置：{district}（{path}）")
        try:
            with transaction.atomic():
                actor = system_actor()
                for loader in seam.collect(seam.DISTRICT_SECTIONS):  # in the order of the flow
                    loader(data, actor=actor, log=lambda m: self.stdout.write(f"  {m}"))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS("区配置载入完成"))
