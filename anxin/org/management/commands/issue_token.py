"""Print a new API token for a user on the last line: ``issue_token USERNAME``.

The token is stored only as its digest (django-rest-knox) and expires after API_TOKEN_TTL_DAYS
days; it is shown this once."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.org.models import User
from anxin.org.services import token_issue


class Command(BaseCommand):
    help = "为用户签发接口令牌（替换旧令牌，有效期 API_TOKEN_TTL_DAYS 天），令牌打印在最后一行，只显示这一次"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户不存在：{options['username']}")
        try:
            key = token_issue(actor=system_actor(), user=user)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"已为 {user.username} 签发令牌（{settings.API_TOKEN_TTL_DAYS} 天内有效，只显示这一次；"
            "请求头 Authorization: Token <令牌>）："
        )
        self.stdout.write(key)
