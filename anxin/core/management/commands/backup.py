"""``manage.py backup DEST [--include-key]``: database, uploaded files and a manifest into DEST.

SQLite through the online backup API (the service may keep running), PostgreSQL through
``pg_dump -Fc`` of the snapshot the manifest's counts were taken in. See anxin/core/backup.py.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anxin.core import backup


class Command(BaseCommand):
    help = "备份数据库、上传文件（MEDIA_ROOT）和清单（各表行数、文件校验值、密钥指纹、版本）到一个新目录"

    def add_arguments(self, parser):
        parser.add_argument("dest", help="备份目录（不存在或为空），例如 /var/backups/anxin/2026-12-01")
        parser.add_argument(
            "--include-key",
            action="store_true",
            help="把 FIELD_ENCRYPTION_KEY 也写进备份（field-encryption.key，权限 0600）；默认不写，只记指纹和来源",
        )

    def handle(self, *args, **options):
        try:
            backup.backup(Path(options["dest"]), include_key=options["include_key"], log=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
