"""Load a spreadsheet: ``import KIND FILE [--dry-run] [--as USERNAME]``; all rows or none.

Each app registers its importers at ``seam.IMPORTERS`` (kind → function), so this command in
core never imports a later app.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from anxin.core import seam
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError


def importers() -> dict:
    return seam.collect(seam.IMPORTERS)


class Command(BaseCommand):
    help = "从 Excel/CSV 导入数据（与页面相同的校验：全部通过才写入，错误按行号和列名列出）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(importers()), help="导入类型")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验和预览，不写入")
        parser.add_argument(
            "--channel", default=None, help="渠道代码（仅 signals：文件中未填“渠道”列时使用）"
        )
        parser.add_argument(
            "--indicator", default=None, help="指标代码（仅 observations：文件中未填“指标”列时使用）"
        )
        parser.add_argument("--as", dest="as_user", default=None, help="以该用户身份导入（受其辖区限制）")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        actor = system_actor()
        if options["as_user"]:
            actor = get_user_model().objects.filter(username=options["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户不存在或已停用：{options['as_user']}")
        extra = {}
        if options["channel"]:
            if options["kind"] != "signals":
                raise CommandError("--channel 仅用于导入线索（signals）")
            extra["channel"] = options["channel"]
        if options["indicator"]:
            if options["kind"] != "observations":
                raise CommandError("--indicator 仅用于导入监测数据（observations）")
            extra["indicator"] = options["indicator"]
        try:
            result = importers()[options["kind"]](
                actor=actor,
                content=path.read_bytes(),
                filename=path.name,
                dry_run=options["dry_run"],
                **extra,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username} 无导入权限：{exc}") from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"校验未通过：{len(result.errors)} 处错误，未写入任何数据")
        if options["dry_run"]:
            counts: dict[str, int] = {}
            for item in result.preview:
                counts[item["action"]] = counts.get(item["action"], 0) + 1
            summary = "，".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(f"试运行：共 {result.total} 行全部通过（{summary}），未写入")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"导入完成：共 {result.total} 行，新增 {result.created}，更新 {result.updated}，无变化 {result.unchanged}"
                )
            )
