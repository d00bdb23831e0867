"""Reference data of the intake: the channels (§三(一)) from the district file, and which of
them an officer may record signals on."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core.access import is_system
from anxin.core.audit import acting
from anxin.core.errors import DomainError, ScopeViolation
from anxin.intake.models import Channel
from anxin.org.models import Role, Unit, User


def _nolog(_message: str) -> None:
    return None


@transaction.atomic
def district_load_channels(*, data: dict, actor: User, log=_nolog) -> None:
    """Channels from the district file (idempotent; a channel's code is its identity)."""
    units = {u.code: u for u in Unit.objects.all()}
    count = 0
    with acting(actor):
        for order, item in enumerate(data.get("channels") or [], start=1):
            if item["unit"] not in units:
                raise DomainError(f"渠道 {item['code']} 的归口单位 {item['unit']} 不存在")
            values = {
                "name": str(item["name"]),
                "unit": units[item["unit"]],
                "citation": item.get("citation", ""),
                "towns_feed": bool(item.get("towns_feed", False)),
                "is_public": bool(item.get("public", False)),
                "is_self_report": bool(item.get("self_report", False)),
                "order": order,
            }
            channel = Channel.objects.filter(code=item["code"]).first()
            if channel is None:
                Channel.objects.create(code=item["code"], **values)
            elif any(getattr(channel, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(channel, key, value)
                channel.save()
            count += 1
    log(f"信息渠道：{count} 个")


def channels_for(actor: User) -> list[Channel]:
    """The channels an officer may record signals on (portal and self-report have their own doors)."""
    channels = Channel.objects.filter(is_public=False, is_self_report=False).select_related("unit")
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return list(channels)
    if not actor.has_perm("intake.add_signal"):
        return []
    return [c for c in channels if c.unit_id == actor.unit_id or (c.towns_feed and actor.has_role(Role.TOWN))]


def _check_channel(
    actor: User, channel: Channel, *, door: str = "officer", allowed: list[Channel] | None = None
) -> None:
    if door == "officer" and (channel.is_public or channel.is_self_report):
        raise DomainError(
            _("“%(c)s”渠道的线索只能通过%(d)s登记")
            % {"c": channel.name, "d": _("网上反映页面") if channel.is_public else _("企业欠薪报告")},
            field="channel",
        )
    if door == "officer" and channel not in (allowed if allowed is not None else channels_for(actor)):
        # Who is asking, not what was sent: the API answers 403.
        raise ScopeViolation(
            _("您所在单位不能在“%(c)s”渠道登记线索（归口单位：%(u)s）")
            % {"c": channel.name, "u": channel.unit.name},
            field="channel",
        )
