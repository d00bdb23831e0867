"""Load the demo district: one login per persona, enterprises, projects, then each later app's
demo data (signals, alerts, cases…), and print the logins.

Every app registers its part at ``seam.DEMO_DATA`` (``DemoData``); this command, in core,
composes them in the order of the flow and never imports an app. Demo data is never loaded over
real data, nor under production settings.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anxin.core import seam
from anxin.core.audit import system_actor


class Command(BaseCommand):
    help = "载入演示数据（约300家企业、40个工程项目、各角色演示账号）；数据库中有非演示数据时拒绝执行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="DEBUG 关闭时也载入（演示账号密码公开，切勿用于生产库）",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("DEBUG 关闭（生产配置）时拒绝载入演示数据：演示账号的密码是公开的。")
        parts: list[seam.DemoData] = seam.collect(seam.DEMO_DATA)
        for part in parts:
            problem = part.missing() if part.missing else ""
            if problem:
                raise CommandError(problem)
        real = [fragment for part in parts if part.real_data for fragment in part.real_data()]
        if real:
            raise CommandError(
                f"数据库中已有非演示数据（{'、'.join(real)}），"
                "拒绝载入演示数据。演示数据只能载入空库或演示库。"
            )
        actor = system_actor()
        with transaction.atomic():
            for part in parts:
                part.load(actor=actor, log=self.stdout.write)
        lines = [line for part in parts if part.logins for line in part.logins()]
        if lines:
            self.stdout.write("")
            for line in lines:
                self.stdout.write(line)
