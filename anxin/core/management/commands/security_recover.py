"""Emergency recovery for an operator locked out of the UI (issue #13).

``manage.py security_recover --reason "…"`` puts the security parameters (``security.*``) back to
their shipped defaults, dated today — a correction of today's value when one exists, else a new
value from today — and ``--unlock USERNAME`` clears that account's login lockout. Every change
goes through the services (audit log, PARAMETER_CHANGE and UNLOCK events) and the run itself is
one RECOVERY security event naming the reason and the operating-system user. ``--check`` only
reports the values in force and whether they are within bounds (exit status 1 when not).
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter, SecurityEventKind
from anxin.core.policy import parameter_bounds, parameter_value_problem
from anxin.core.policy_defaults import DEFAULTS
from anxin.core.security import axes_failure_limit, security_parameter
from anxin.core.services import policy_parameter_set, security_event_record

if TYPE_CHECKING:
    from anxin.org.models import User

SECURITY = [item for item in DEFAULTS if item["code"].startswith("security.")]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in a bare container: the event still says who ran it as ''
        return ""


class Command(BaseCommand):
    help = (
        "安全参数应急恢复：把 security.* 参数恢复为出厂默认值（作为今日取值或今日更正），"
        "可解除指定账户的登录锁定；--check 只检查不修改"
    )

    def add_arguments(self, parser):
        parser.add_argument("--reason", default="", help="恢复原因（必填，写入审计日志和安全事件）")
        parser.add_argument(
            "--unlock",
            action="append",
            default=[],
            metavar="USERNAME",
            help="解除该账户的登录锁定（可重复）",
        )
        parser.add_argument(
            "--only-unlock", action="store_true", help="只解除锁定，不恢复安全参数（须与 --unlock 同用）"
        )
        parser.add_argument(
            "--check", action="store_true", help="只报告现行安全参数及是否在允许范围内，不做修改"
        )

    def handle(self, *args, **options):
        if options["check"]:
            self._check()
            return
        reason = (options["reason"] or "").strip()
        if not reason:
            raise CommandError("请用 --reason 说明恢复原因（写入审计日志和安全事件）")
        if options["only_unlock"] and not options["unlock"]:
            raise CommandError("--only-unlock 须与 --unlock USERNAME 同用")
        actor = system_actor()
        try:
            with transaction.atomic(), acting(actor):
                restored = [] if options["only_unlock"] else self._restore(actor, reason)
                unlocked = {name: self._unlock(name) for name in options["unlock"]}
                security_event_record(
                    kind=SecurityEventKind.RECOVERY,
                    user=actor,
                    summary=f"运维应急恢复：{reason}"[:300],
                    detail={
                        "reason": reason,
                        "os_user": _os_user(),
                        "restored": restored,
                        "unlocked": unlocked,
                    },
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS("应急恢复完成，已记入安全事件（运维应急恢复）。"))

    # --- the security parameters -----------------------------------------------------------

    def _restore(self, actor: User, reason: str) -> list[dict]:
        today = timezone.localdate()
        restored = []
        for item in SECURITY:
            code, default = item["code"], item["value"]
            rows = list(PolicyParameter.objects.filter(code=code).order_by("effective_from"))
            if not rows:
                self.stdout.write(
                    f"  {code}：尚未载入（请先运行 load_district），系统按默认值 {default} 执行"
                )
                continue
            in_force = next((r for r in reversed(rows) if r.effective_from <= today), None)
            today_row = next((r for r in rows if r.effective_from == today), None)
            if in_force is not None and in_force.value == default:
                self.stdout.write(
                    f"  {item['name']}（{code}）：现行 {default} {item['unit']}，已是默认值，无需恢复"
                )
            else:
                old = in_force.value if in_force is not None else ""
                policy_parameter_set(
                    actor=actor,
                    code=code,
                    value=default,
                    effective_from=today,
                    note="" if today_row else f"应急恢复为出厂默认值：{reason}",
                    correct=today_row is not None,
                    correction_reason=f"应急恢复为出厂默认值：{reason}" if today_row else "",
                    # the shipped default, however far the locked-out value was from it
                    confirm_large_change=True,
                )
                how = "更正今日取值" if today_row else "登记今日起的新取值"
                restored.append(
                    {"code": code, "old": old, "new": default, "effective_from": today.isoformat()}
                )
                self.stdout.write(f"  {item['name']}（{code}）：{old} → {default} {item['unit']}（{how}）")
            for row in rows:
                if row.effective_from <= today:
                    continue
                problem = parameter_value_problem(code, row.value_type, row.value)
                if problem is None:
                    self.stdout.write(
                        f"    注意：{row.effective_from:%Y-%m-%d} 起将改为 {row.value} {row.unit}（在允许范围内，未改动）"
                    )
                    continue
                policy_parameter_set(
                    actor=actor,
                    code=code,
                    value=default,
                    effective_from=row.effective_from,
                    correct=True,
                    correction_reason=f"应急恢复：待生效取值超出允许范围。{reason}",
                    confirm_large_change=True,  # the shipped default, as above
                )
                restored.append(
                    {
                        "code": code,
                        "old": row.value,
                        "new": default,
                        "effective_from": row.effective_from.isoformat(),
                    }
                )
                self.stdout.write(
                    f"    {row.effective_from:%Y-%m-%d} 起的待生效取值 {row.value[:20]} 超出允许范围，已更正为 {default}"
                )
        return restored

    # --- lockouts ----------------------------------------------------------------------------

    def _unlock(self, username: str) -> int:
        user = get_user_model().objects.filter(username=username).first()
        count = axes_reset(username=username)  # each deleted attempt over the limit is an UNLOCK event
        if count:
            self.stdout.write(f"  已解除账户 {username} 的登录锁定（清除 {count} 条失败记录）")
        else:
            self.stdout.write(f"  账户 {username} 没有登录失败记录，无需解锁")
        if user is None:
            self.stdout.write(f"  注意：系统中没有用户名为 {username} 的账户")
        elif not user.is_active:
            self.stdout.write(f"  注意：账户 {username} 已停用，解锁后仍不能登录，须由安全管理员启用")
        return count

    # --- --check -----------------------------------------------------------------------------

    def _check(self) -> None:
        today = timezone.localdate()
        self.stdout.write(f"安全参数检查（{today:%Y-%m-%d}）：")
        problems = 0
        for item in SECURITY:
            code = item["code"]
            bounds = parameter_bounds(code)
            allowed = bounds.describe() if bounds is not None else ""
            row = (
                PolicyParameter.objects.filter(code=code, effective_from__lte=today)
                .order_by("-effective_from")
                .first()
            )
            if row is None:
                self.stdout.write(f"  {item['name']}（{code}）：没有取值，按默认值 {item['value']} 执行")
                continue
            problem = parameter_value_problem(code, row.value_type, row.value)
            shown = row.value if len(row.value) <= 20 else row.value[:20] + "…"
            line = f"  {item['name']}（{code}）：现行 {shown} {row.unit}（{row.effective_from:%Y-%m-%d} 起），允许 {allowed}"
            if problem is None:
                self.stdout.write(f"{line} —— 正常")
            else:
                problems += 1
                applied = security_parameter(code)
                self.stdout.write(f"{line} —— 超出允许范围，系统实际按 {applied} 执行")
            for later in PolicyParameter.objects.filter(code=code, effective_from__gt=today).order_by(
                "effective_from"
            ):
                bad = parameter_value_problem(code, later.value_type, later.value)
                if bad is not None:
                    problems += 1
                self.stdout.write(
                    f"    {later.effective_from:%Y-%m-%d} 起将改为 {later.value[:20]} {later.unit}"
                    + ("（超出允许范围）" if bad else "")
                )
        limit = axes_failure_limit()
        locked = list(
            AccessAttempt.objects.filter(failures_since_start__gte=limit)
            .order_by("username")
            .values_list("username", flat=True)
            .distinct()
        )
        self.stdout.write("当前被锁定的账户：" + ("、".join(locked) if locked else "无"))
        if problems:
            raise CommandError(
                f"有 {problems} 项安全参数超出允许范围；"
                '请运行 python manage.py security_recover --reason "原因" 恢复为默认值'
            )
        self.stdout.write(self.style.SUCCESS("安全参数均在允许范围内。"))
