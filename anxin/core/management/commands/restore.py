"""``manage.py restore SRC [--database NAME] [--media-root DIR]``: a backup into an empty target, verified.

Refuses a key that is not the backup's, a damaged backup, a target that is not empty; after
writing, compares every table's count, every file's checksum and a decrypted value of every
encrypted column with the manifest. See anxin/core/backup.py.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anxin.core import backup


class Command(BaseCommand):
    help = "从 backup 生成的目录恢复到空库和空的上传目录，并核对行数、文件校验值和密钥"

    def add_arguments(self, parser):
        parser.add_argument("src", help="备份目录（含 manifest.json）")
        parser.add_argument(
            "--database",
            default=None,
            help="恢复到哪个库：SQLite 为新文件路径，PostgreSQL 为同一服务器上已建好的空库名（默认：当前配置的库）",
        )
        parser.add_argument("--media-root", default=None, help="恢复上传文件到哪个空目录（默认：MEDIA_ROOT）")

    def handle(self, *args, **options):
        media_root = Path(options["media_root"]) if options["media_root"] else None
        try:
            backup.restore(
                Path(options["src"]),
                database=options["database"],
                media_root=media_root,
                log=self.stdout.write,
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
