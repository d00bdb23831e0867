"""Writes of monitoring: indicators, observations, the risk scan (assessments and alerts), and the
alert workflow. Every function is a service: keyword-only, takes ``actor``, one transaction,
append-only events, notices after commit."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import events as domain_events
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, system_actor
from anxin.core.calendar import add_working_days
from anxin.core.errors import CalendarMissing, DomainError
from anxin.core.policy import param_record
from anxin.intake.models import Channel, SelfReport, Signal
from anxin.intake.routing import Router
from anxin.monitoring import immediate, rules, watch
from anxin.monitoring.models import (
    ACTIVE_ALERT,
    LEVEL_RANK,
    Alert,
    AlertEvent,
    AlertStatus,
    Indicator,
    Level,
    Observation,
    RiskAssessment,
    RiskChange,
)
from anxin.notify.services import notify_units
from anxin.org.access import acts_for
from anxin.org.models import Role, Unit
from anxin.registry.models import Enterprise

Action = AlertEvent.Action
CHUNK = 2000  # enterprises per batch of a full scan: bounded memory at city scale
HISTORY_MONTHS = 15  # observations kept in view: recent months plus the trailing three


def _nolog(_message: str) -> None:
    return None


# --- reference data -------------------------------------------------------------------------------


@transaction.atomic
def district_load_indicators(*, data: dict, actor, log=_nolog) -> None:
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
    *, actor, rows: list[tuple[Enterprise, Indicator, datetime.date, int]]
) -> dict[str, int]:
    """Record monthly values; one per enterprise, indicator and month (a repeat updates it)."""
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
        Observation.objects.bulk_create(fresh, batch_size=1000)
        Observation.objects.bulk_update(changed, ["value", "recorded_at", "recorded_by"], batch_size=1000)
        counts["created"], counts["updated"] = len(fresh), len(changed)
        touched = {o.enterprise_id for o in fresh} | {o.enterprise_id for o in changed}
        if touched:
            domain_events.publish("observations.changed", enterprise_ids=sorted(touched))
    return counts


def may_report(actor, indicator: Indicator) -> bool:
    """The indicator's channel unit reports it (towns too for channels towns feed); the office may
    correct any. An enterprise's own town cannot zero its arrears figures."""
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    channel = indicator.channel
    if actor.unit_id and actor.unit_id == channel.unit_id:
        return True
    return bool(channel.towns_feed and actor.has_role(Role.TOWN))


# --- the scan ---------------------------------------------------------------------------------------


def params_on(as_of: datetime.date) -> dict[str, rules.Param]:
    """The parameter values in force on ``as_of`` that the rules read, with their citations."""
    found = {}
    for code in rules.PARAMETER_CODES:
        record = param_record(code, on=as_of)
        found[code] = rules.Param(
            code=code,
            value=int(record.typed_value),
            unit=record.unit,
            citation=record.citation,
            effective_from=record.effective_from.isoformat(),
        )
    return found


def load_facts(enterprise_ids: list[int], as_of: datetime.date) -> dict[int, rules.Facts]:
    """Everything the rules read about these enterprises, in a handful of queries."""
    local = timezone.get_current_timezone()
    oldest_month = rules.add_months(rules.month_start(as_of), -HISTORY_MONTHS)
    indicator_codes = dict(Indicator.objects.values_list("pk", "code"))
    base = {
        pk: {"status": status, "kinds": set(), "obs": defaultdict(list), "signals": [], "reports": []}
        for pk, status in Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "status")
    }
    for enterprise_id, code in Enterprise.kinds.through.objects.filter(
        enterprise_id__in=enterprise_ids
    ).values_list("enterprise_id", "enterprisekind__code"):
        base[enterprise_id]["kinds"].add(code)
    for oid, enterprise_id, indicator_id, month, value in (
        Observation.objects.filter(
            enterprise_id__in=enterprise_ids, month__gte=oldest_month, month__lte=as_of
        )
        .order_by("enterprise_id", "indicator_id", "month")
        .values_list("pk", "enterprise_id", "indicator_id", "month", "value")
    ):
        base[enterprise_id]["obs"][indicator_codes[indicator_id]].append(rules.Obs(oid, month, value))
    since = datetime.datetime.combine(as_of - datetime.timedelta(days=400), datetime.time(), tzinfo=local)
    until = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time(), tzinfo=local)
    for (
        sid,
        enterprise_id,
        kind,
        verification,
        received,
        occurred,
        months,
        workers,
        merged,
        duplicate,
    ) in Signal.objects.filter(
        enterprise_id__in=enterprise_ids, received_at__gte=since, received_at__lt=until
    ).values_list(
        "pk",
        "enterprise_id",
        "kind",
        "verification",
        "received_at",
        "occurred_at",
        "months_owed",
        "workers",
        "merged_into_id",
        "duplicate_state",
    ):
        base[enterprise_id]["signals"].append(
            rules.Sig(
                id=sid,
                kind=kind,
                verification=verification,
                received=received.astimezone(local).date(),
                occurred=occurred.astimezone(local).date() if occurred else None,
                months_owed=months,
                workers=workers,
                # A suspected duplicate is the same complaint from a second channel until the
                # office keeps it: it is not counted twice.
                merged=merged is not None or duplicate == "suspected",
            )
        )
    for rid, enterprise_id, since_day, reported, deadline, on_time in SelfReport.objects.filter(
        enterprise_id__in=enterprise_ids, reported_on__lte=as_of
    ).values_list("pk", "enterprise_id", "arrears_since", "reported_on", "deadline", "on_time"):
        base[enterprise_id]["reports"].append(rules.Rep(rid, since_day, reported, deadline, on_time))
    return {
        pk: rules.Facts(
            enterprise_id=pk,
            kinds=frozenset(b["kinds"]),
            status=b["status"],
            observations={code: tuple(series) for code, series in b["obs"].items()},
            signals=tuple(b["signals"]),
            reports=tuple(b["reports"]),
        )
        for pk, b in base.items()
    }


def _alert_due(now: datetime.datetime) -> tuple[datetime.datetime, str]:
    record = param_record("alert.handle_working_days", on=timezone.localdate(now))
    days = int(record.typed_value)
    start = timezone.localtime(now).date()
    try:
        due = add_working_days(start, days)
        note = ""
    except CalendarMissing:
        due, left = start, days
        while left:
            due += datetime.timedelta(days=1)
            left -= due.weekday() < 5
        note = f"；{due.year} 年工作日历尚未维护，暂按周一至周五推算"
    end = datetime.datetime.combine(due, datetime.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return end, f"{record.citation}：{days} 个工作日（参数 alert.handle_working_days={days}）{note}"


def scan(
    *, as_of: datetime.date | None = None, enterprise_ids: Iterable[int] | None = None, now=None
) -> dict:
    """Re-assess enterprises (all, or those given) as of a day: store levels, open or update alerts."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    params = params_on(as_of)
    ids = (
        sorted(set(enterprise_ids))
        if enterprise_ids is not None
        else list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    )
    totals = {"assessed": 0, "changed": 0, "opened": 0, "updated": 0, "cleared": 0, "proposed": 0}
    router = Router()
    due = _alert_due(now)
    actor = system_actor()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic(), acting(actor):
            # Lock the chunk's enterprises, then read: a concurrent re-assessment of the same
            # enterprise (tick vs. a request's on-commit) waits instead of interleaving.
            list(Enterprise.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
            facts = load_facts(chunk, as_of)
            counts, notices = _store(facts, params, as_of, now, router=router, due=due, actor=actor)
            transaction.on_commit(partial(_announce, notices), robust=True)  # per chunk, once committed
        for key, value in counts.items():
            totals[key] += value
    return totals


def _store(facts: dict[int, rules.Facts], params, as_of, now, *, router: Router, due, actor):
    ids = list(facts)
    previous, digests = {}, {}
    for enterprise_id, level, digest in RiskAssessment.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "level", "digest"
    ):
        previous[enterprise_id], digests[enterprise_id] = level, digest
    enterprises = {
        e.pk: e for e in Enterprise.objects.filter(pk__in=ids).only("pk", "town_id", "name", "uscc")
    }
    router.prime(ids)
    active = {
        (a.enterprise_id, a.rule): a
        for a in Alert.objects.select_for_update().filter(enterprise_id__in=ids, status__in=ACTIVE_ALERT)
    }
    # The evidence an alert was last closed on: the same finding does not re-open a closed alert
    # (the office's dismissal or the town's handling stands until the facts change).
    closed_on: dict[tuple[int, str], tuple] = {}
    for enterprise_id, rule_code, evidence, explanation in (
        Alert.objects.filter(enterprise_id__in=ids)
        .exclude(status__in=ACTIVE_ALERT)
        .order_by("enterprise_id", "rule", "closed_at", "pk")
        .values_list("enterprise_id", "rule", "evidence", "explanation")
    ):
        closed_on[(enterprise_id, rule_code)] = (evidence, explanation)
    notices: list[Alert] = []
    assessments, changes, new_alerts, refired, cleared, events, rerouted = [], [], [], [], [], [], []
    counts = {"assessed": 0, "changed": 0, "opened": 0, "updated": 0, "cleared": 0}
    levels: dict[int, tuple[str, str]] = {}
    routes: dict[int, tuple] = {}
    for enterprise_id, enterprise_facts in facts.items():
        result = rules.assess(enterprise_facts, params, as_of)
        levels[enterprise_id] = (
            result.level,
            "；".join(f.text for f in result.findings if f.level != Level.NONE),
        )
        if result.level in (Level.ORANGE, Level.RED):
            route = router.route(enterprise=enterprises[enterprise_id])
            routes[enterprise_id] = (route.town_id, route.unit_id)
        findings = [f.as_dict() for f in result.findings]
        digest = hashlib.sha1(  # noqa: S324 (a change detector, not a security hash)
            json.dumps([result.level, result.points, findings], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        if digests.get(enterprise_id) != digest:  # an unchanged result is not rewritten
            assessments.append(
                RiskAssessment(
                    enterprise_id=enterprise_id,
                    level=result.level,
                    points=result.points,
                    findings=findings,
                    as_of=as_of,
                    assessed_at=now,
                    digest=digest,
                )
            )
        counts["assessed"] += 1
        before = previous.get(enterprise_id, Level.NONE)
        if before != result.level:
            changes.append(
                RiskChange(
                    enterprise_id=enterprise_id,
                    from_level=before,
                    to_level=result.level,
                    points=result.points,
                    rules=[f.rule for f in result.findings if f.level != Level.NONE],
                    as_of=as_of,
                    at=now,
                )
            )
        firing = set()
        for finding in result.findings:
            if finding.level == Level.NONE:
                continue
            firing.add(finding.rule)
            evidence = {
                "evidence": finding.as_dict()["evidence"],
                "params": finding.params,
                "points": finding.points,
            }
            alert = active.get((enterprise_id, finding.rule))
            if alert is None and closed_on.get((enterprise_id, finding.rule)) == (evidence, finding.text):
                continue
            if alert is None:
                enterprise = enterprises[enterprise_id]
                route = router.route(enterprise=enterprise)
                alert = Alert(
                    enterprise_id=enterprise_id,
                    rule=finding.rule,
                    level=finding.level,
                    explanation=finding.text,
                    evidence=evidence,
                    town_id=route.town_id,
                    unit_id=route.unit_id,
                    opened_at=now,
                    last_fired_at=now,
                    due_at=due[0],
                    due_basis=due[1],
                )
                new_alerts.append(alert)
            elif (
                alert.evidence != evidence
                or alert.level != finding.level
                or alert.explanation != finding.text
                or alert.cleared_at is not None
            ):
                if LEVEL_RANK[finding.level] > LEVEL_RANK[alert.level]:
                    notices.append(alert)  # a rise (yellow → red) is news for the town and line
                alert.evidence, alert.level, alert.explanation = evidence, finding.level, finding.text
                alert.last_fired_at, alert.cleared_at = now, None
                refired.append(alert)
                events.append(
                    AlertEvent(alert=alert, action=Action.REFIRE, at=now, actor=actor, note=finding.text)
                )
            if alert is not None and alert.pk:
                # The enterprise may have moved town or line since the alert opened.
                route = router.route(enterprise=enterprises[enterprise_id])
                if (alert.town_id, alert.unit_id) != (route.town_id, route.unit_id):
                    alert.town_id, alert.unit_id = route.town_id, route.unit_id
                    rerouted.append(alert)
                    events.append(
                        AlertEvent(
                            alert=alert,
                            action=Action.REFIRE,
                            at=now,
                            actor=actor,
                            note="企业属地或条线已变更，重新分派：" + route.note,
                        )
                    )
        for (eid, rule_code), alert in active.items():
            if eid == enterprise_id and rule_code not in firing and alert.cleared_at is None:
                alert.cleared_at = now
                cleared.append(alert)
                events.append(
                    AlertEvent(
                        alert=alert,
                        action=Action.CLEAR,
                        at=now,
                        actor=actor,
                        note="数据更新后规则不再触发，请核实后处置或排除",
                    )
                )
    RiskAssessment.objects.bulk_create(
        assessments,
        update_conflicts=True,
        unique_fields=["enterprise"],
        update_fields=["level", "points", "findings", "as_of", "assessed_at", "digest"],
        batch_size=500,
    )
    RiskChange.objects.bulk_create(changes, batch_size=500)
    Alert.objects.bulk_create(new_alerts, batch_size=500)
    for alert in new_alerts:
        events.append(
            AlertEvent(
                alert=alert,
                action=Action.OPEN,
                to_status=AlertStatus.OPEN,
                at=now,
                actor=actor,
                note=alert.explanation,
            )
        )
    Alert.objects.bulk_update(
        refired + cleared, ["evidence", "level", "explanation", "last_fired_at", "cleared_at"], batch_size=500
    )
    Alert.objects.bulk_update(rerouted, ["town_id", "unit_id"], batch_size=500)
    AlertEvent.objects.bulk_create(events, batch_size=1000)
    immediate.reports_draft(alerts=new_alerts, now=now, actor=actor)
    counts["proposed"] = watch.watch_sync(levels=levels, routes=routes, now=now, actor=actor)
    counts.update(changed=len(changes), opened=len(new_alerts), updated=len(refired), cleared=len(cleared))
    return counts, new_alerts + notices


def _announce(alerts: list[Alert]) -> None:
    """One notice per town and department for the alerts opened for them; SMS when red."""
    if not alerts:
        return
    town_units = dict(
        Unit.objects.filter(town_id__in={a.town_id for a in alerts}).values_list("town_id", "pk")
    )
    by_unit: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        for unit_id in {alert.unit_id, town_units.get(alert.town_id)}:
            if unit_id:
                by_unit[unit_id].append(alert)
    names = dict(
        Enterprise.objects.filter(pk__in={a.enterprise_id for a in alerts}).values_list("pk", "name")
    )
    for unit_id, items in by_unit.items():
        red = any(a.level == Level.RED for a in items)
        if len(items) == 1:
            a = items[0]
            subject = f"{dict(Level.choices)[a.level]}预警：{names.get(a.enterprise_id, '')}"
            url = reverse("alert-detail", args=[a.pk])
            body = a.explanation
        else:
            subject = f"新预警 {len(items)} 条" + ("（含红色）" if red else "")
            url = reverse("alert-list") + "?mine=1"
            body = "；".join(f"{names.get(a.enterprise_id, '')}：{a.explanation[:40]}" for a in items[:8])
        notify_units(unit_ids=[unit_id], subject=subject, body=body, url=url, topic="alert", sms=red)


def on_enterprises_changed(enterprise_ids: list[int]) -> None:
    """A new or changed signal or observation: re-assess those enterprises now."""
    scan(enterprise_ids=enterprise_ids)


# --- the alert workflow (DESIGN rule 4) ---------------------------------------------------------------

TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (AlertStatus.OPEN, Action.ACKNOWLEDGE): (AlertStatus.ACKNOWLEDGED, "monitoring.handle_alert"),
    (AlertStatus.OPEN, Action.HANDLE): (AlertStatus.HANDLED, "monitoring.handle_alert"),
    (AlertStatus.ACKNOWLEDGED, Action.HANDLE): (AlertStatus.HANDLED, "monitoring.handle_alert"),
    (AlertStatus.OPEN, Action.DISMISS): (AlertStatus.DISMISSED, "monitoring.dismiss_alert"),
    (AlertStatus.ACKNOWLEDGED, Action.DISMISS): (AlertStatus.DISMISSED, "monitoring.dismiss_alert"),
}


def is_alert_handler(actor, alert: Alert) -> bool:
    return acts_for(actor, town_id=alert.town_id, unit_ids=[alert.unit_id])


def alert_actions(actor, alert: Alert) -> list[str]:
    if not is_alert_handler(actor, alert):
        return []
    return [
        action
        for (status, action), (_to, perm) in TRANSITIONS.items()
        if status == alert.status and (is_system(actor) or actor.has_perm(perm))
    ]


def _alert_move(*, actor, alert: Alert, action: str, note: str, closing: bool = False) -> Alert:
    key = (alert.status, action)
    if key not in TRANSITIONS:
        raise DomainError(
            _("预警处于“%(s)s”状态，不能“%(a)s”")
            % {"s": alert.get_status_display(), "a": Action(action).label},
            code="transition",
        )
    to_status, perm = TRANSITIONS[key]
    require_perm(actor, perm)
    if not is_alert_handler(actor, alert):
        raise PermissionDenied(_("只有联席办、条线部门或属地镇/街道可以处置该预警"))
    now = timezone.now()
    values = {"status": to_status}
    if closing:
        values.update(closed_at=now, closed_by=actor, outcome=note)
    with transaction.atomic(), acting(actor):
        if Alert.objects.filter(pk=alert.pk, status=alert.status).update(**values) != 1:
            raise DomainError(_("该预警已被他人处理，请刷新后查看"), code="conflict")
        AlertEvent.objects.create(
            alert=alert,
            action=action,
            from_status=alert.status,
            to_status=to_status,
            actor=actor,
            at=now,
            note=note,
        )
    alert.refresh_from_db()
    return alert


def alert_acknowledge(*, actor, alert: Alert, note: str = "") -> Alert:
    """The town or department has seen it and is on it."""
    return _alert_move(actor=actor, alert=alert, action=Action.ACKNOWLEDGE, note=(note or "").strip())


def alert_handle(*, actor, alert: Alert, note: str) -> Alert:
    """Measures taken (约谈、责令支付、立案…): say which."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写采取的处置措施"), field="note")
    return _alert_move(actor=actor, alert=alert, action=Action.HANDLE, note=note, closing=True)


def alert_dismiss(*, actor, alert: Alert, note: str) -> Alert:
    """The office rules it out (data error, already settled…), with the reason."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("排除预警须说明理由"), field="note")
    if not (is_system(actor) or actor.has_role(Role.OFFICE)):
        raise PermissionDenied(_("只有联席办可以排除预警"))
    with transaction.atomic():
        alert = _alert_move(actor=actor, alert=alert, action=Action.DISMISS, note=note, closing=True)
        report = getattr(alert, "immediate_report", None) if alert.rule.startswith("IMMEDIATE_") else None
        if report is not None and report.status == "draft":
            immediate.report_close(actor=actor, report=report, reason=f"预警已排除：{note}")
    return alert


def alerts_escalate(*, now: datetime.datetime | None = None) -> int:
    """Active alerts past their due date: report each once to the office and its unit."""
    now = now or timezone.now()
    actor = system_actor()
    office_ids = list(Unit.objects.filter(kind="office").values_list("pk", flat=True))
    marked = []
    with transaction.atomic(), acting(actor):
        for alert in Alert.objects.filter(status__in=ACTIVE_ALERT, due_at__lt=now, escalated_at__isnull=True):
            still = Alert.objects.filter(pk=alert.pk, status__in=ACTIVE_ALERT, escalated_at__isnull=True)
            if still.update(escalated_at=now) == 1:
                marked.append(alert)
        AlertEvent.objects.bulk_create(
            [
                AlertEvent(
                    alert=a,
                    action=Action.ESCALATE,
                    actor=actor,
                    at=now,
                    note=f"处置期限 {timezone.localtime(a.due_at):%Y-%m-%d} 已过，已报联席办",
                )
                for a in marked
            ]
        )
        if marked:
            notify_units(
                unit_ids=office_ids,
                subject=f"预警逾期未处置 {len(marked)} 条",
                url=reverse("alert-list") + "?overdue=1",
                topic="alert-overdue",
                sms=any(a.level == Level.RED for a in marked),
            )
            per_unit = defaultdict(int)
            town_units = dict(
                Unit.objects.filter(town_id__in={a.town_id for a in marked if a.town_id}).values_list(
                    "town_id", "pk"
                )
            )
            for a in marked:
                per_unit[a.unit_id] += 1
                if a.town_id in town_units:
                    per_unit[town_units[a.town_id]] += 1
            for unit_id, count in per_unit.items():
                notify_units(
                    unit_ids=[unit_id],
                    subject=f"您单位有 {count} 条预警逾期未处置，已报联席办",
                    url=reverse("alert-list") + "?mine=1&overdue=1",
                    topic="alert-overdue",
                )
    return len(marked)


def scan_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: re-assess every enterprise as of today (so ageing data and deadlines count)."""
    return scan(now=now, as_of=timezone.localdate(now) if now else None)["assessed"]
