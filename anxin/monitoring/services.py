"""Writes of monitoring's reference data and observations: the district's indicators, the monthly
values the channels report, and who may report which. Every function is a service: keyword-only,
takes ``actor``, one transaction, notices after commit.

The risk scan lives in ``monitoring.scan``, the alert workflow in ``monitoring.alerts``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import events as domain_events
from anxin.core import seam
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.intake.models import Channel
from anxin.monitoring.models import Indicator, Observation
from anxin.org.models import Role, User
from anxin.registry.models import Enterprise


def _nolog(_message: str) -> None:
    return None


# --- reference data -------------------------------------------------------------------------------


@transaction.atomic
def district_load_indicators(*, data: dict, actor: User, log=_nolog) -> None:
    channels = {c.code: c for c in Channel.objects.all()}
    count = 0
    with acting(actor):
        for order, item in enumerate(data.get("indicators") or [], start=1):
            if item["channel"] not in channels:
                raise DomainError(f"指标 {item['code']} 的来源渠道 {item['channel']} 不存在")
            Indicator.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "unit": item.get("unit") or "",
                    "kind": item["kind"],
                    "channel": channels[item["channel"]],
                    "citation": item.get("citation", ""),
                    "order": order,
                },
            )
            count += 1
    log(f"监测指标：{count} 项")


# --- observations -----------------------------------------------------------------------------------


def observations_record(
    *, actor: User, rows: list[tuple[Enterprise, Indicator, datetime.date, int]], dry_run: bool = False
) -> dict[str, int]:
    """Record monthly values; one per enterprise, indicator and month (a repeat updates it).
    ``dry_run``: the same checks and counts, and nothing written."""
    require_perm(actor, "monitoring.add_observation")
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if not rows:
        return counts
    for indicator in {i.pk: i for _e, i, _m, _v in rows}.values():
        if not may_report(actor, indicator):
            raise DomainError(
                _("“%(i)s”由%(u)s报送，您所在单位不能报送或修改")
                % {
                    "i": indicator.name,
                    "u": indicator.channel.unit.short_name or indicator.channel.unit.name,
                },
                field="indicator",
            )
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        keys = {(e.pk, i.pk, m) for e, i, m, _v in rows}
        existing = {
            (o.enterprise_id, o.indicator_id, o.month): o
            for o in Observation.objects.select_for_update().filter(
                enterprise_id__in={k[0] for k in keys},
                indicator_id__in={k[1] for k in keys},
                month__in={k[2] for k in keys},
            )
        }
        fresh, changed = [], []
        for enterprise, indicator, month, value in rows:
            if value < 0:
                raise DomainError(_("数值不能为负数"), field="value")
            current = existing.get((enterprise.pk, indicator.pk, month))
            if current is None:
                fresh.append(
                    Observation(
                        enterprise=enterprise,
                        indicator=indicator,
                        month=month,
                        value=value,
                        recorded_at=now,
                        recorded_by=actor,
                    )
                )
            elif current.value != value:
                current.value, current.recorded_at, current.recorded_by = value, now, actor
                changed.append(current)
            else:
                counts["unchanged"] += 1
        if dry_run:
            counts["created"], counts["updated"] = len(fresh), len(changed)
            return counts
        Observation.objects.bulk_create(fresh, batch_size=1000)
        Observation.objects.bulk_update(changed, ["value", "recorded_at", "recorded_by"], batch_size=1000)
        counts["created"], counts["updated"] = len(fresh), len(changed)
        touched = {o.enterprise_id for o in fresh} | {o.enterprise_id for o in changed}
        if touched:
            domain_events.publish(seam.OBSERVATIONS_CHANGED, enterprise_ids=sorted(touched))
    return counts


def may_report(actor: User, indicator: Indicator) -> bool:
    """The indicator's channel unit reports it (towns too for channels towns feed); the office may
    correct any. An enterprise's own town cannot zero its arrears figures."""
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    channel = indicator.channel
    if actor.unit_id and actor.unit_id == channel.unit_id:
        return True
    return bool(channel.towns_feed and actor.has_role(Role.TOWN))


def reports_any(actor: User) -> bool:
    """Whether ``actor`` may report at least one indicator (the menu shows the import only then)."""
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    mine = Q(channel__unit_id=actor.unit_id) if actor.unit_id else Q(pk__in=[])
    if actor.has_role(Role.TOWN):
        mine |= Q(channel__towns_feed=True)
    return Indicator.objects.filter(mine).exists()
