"""Create or update an account: ``add_user USERNAME --unit UNIT --role ROLE [--password P]``.

A password given here is one-time: its holder must change it at the first login (a PASSWORD_SET
security event names the system as who set it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.org.services import user_save


class Command(BaseCommand):
    help = "创建或更新用户：单位可用代码或全称，角色可用代码或中文名（如 镇街用户）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="单位代码或全称，如 gov-luoxi 或 罗溪镇人民政府")
        parser.add_argument("--role", required=True, help="角色代码或名称，如 town 或 镇街用户")
        parser.add_argument("--password", default=None, help="一次性密码，本人首次登录时须修改；不填则不修改")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--phone", default="")

    def handle(self, *args, **options):
        try:
            user = user_save(
                actor=system_actor(),
                username=options["username"],
                unit=options["unit"],
                role=options["role"],
                password=options["password"],
                full_name=options["name"],
                phone=options["phone"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{user.username}：{user.get_role_display()} @ {user.unit.name if user.unit else ''}"
        )
