"""Reads of monitoring, scoped to the user (DESIGN rule 3)."""

from __future__ import annotations

import datetime
import json

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from anxin.core.access import get_scoped_or_404
from anxin.core.deadlines import start_of
from anxin.core.validators import normalize_uscc
from anxin.intake.models import SelfReport, Signal
from anxin.monitoring import sensitive
from anxin.monitoring.models import (
    ACTIVE_ALERT,
    LIVE_WATCH,
    Alert,
    DailyReport,
    ImmediateReport,
    Level,
    Observation,
    ReportStatus,
    RiskAssessment,
    RiskChange,
    ScanRun,
    ScreeningTask,
    WatchEntry,
    WatchStatus,
)
from anxin.monitoring.periods import active_period
from anxin.monitoring.rules import LEVEL_NAMES, RULES_BY_CODE
from anxin.org.access import waiting_on
from anxin.org.models import Role, Town
from anxin.registry.selectors import enterprise_matches

_RELATED = ("enterprise", "town", "unit")


def observation_list(
    *,
    user,
    q: str = "",
    enterprise: str = "",
    indicator: str = "",
    town: str = "",
    month_from=None,
    month_to=None,
) -> QuerySet[Observation]:
    """The monthly indicator values (监测数据台账) in the user's scope, newest month first."""
    rows = Observation.objects.for_user(user).select_related(
        "enterprise", "enterprise__town", "indicator", "indicator__channel", "recorded_by"
    )
    if q:
        rows = rows.filter(enterprise_matches(q))
    if enterprise:
        rows = rows.filter(enterprise__uscc=normalize_uscc(enterprise))
    if indicator:
        rows = rows.filter(indicator__code=indicator)
    if town:
        rows = rows.filter(enterprise__town__code=town)
    if month_from:
        rows = rows.filter(month__gte=month_from.replace(day=1))
    if month_to:
        rows = rows.filter(month__lte=month_to.replace(day=1))
    return rows.order_by("-month", "enterprise_id", "indicator__order", "pk")


def _mine(user) -> Q:
    return waiting_on(user, unit_field="unit_id")


def responsible_q(code: str) -> Q:
    """Records (alerts, immediate reports) whose responsible unit has ``code``: the 条线部门 when one
    is set, else the government of the record's town (as the trace names the unit that had to act)."""
    return Q(unit__code=code) | Q(unit__isnull=True, town__unit__code=code)


def alert_list(
    *,
    user,
    q: str = "",
    level: str = "",
    status: str = "",
    rule: str = "",
    town: str = "",
    overdue: bool = False,
    mine: bool = False,
    active: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    responsible: str = "",
) -> QuerySet[Alert]:
    """The alert ledger, scoped and filtered; ``date_from``/``date_to``: opened on those days;
    ``responsible``: a unit's code, the alerts it must handle (see ``responsible_q``)."""
    alerts = Alert.objects.for_user(user).select_related(*_RELATED)
    if responsible:
        alerts = alerts.filter(responsible_q(responsible))
    if q:
        alerts = alerts.filter(enterprise_matches(q))
    if level:
        alerts = alerts.filter(level=level)
    if status:
        alerts = alerts.filter(status=status)
    if rule:
        alerts = alerts.filter(rule=rule)
    if town:
        alerts = alerts.filter(town__code=town)
    if active or mine:
        alerts = alerts.filter(status__in=ACTIVE_ALERT)
    if overdue:
        alerts = alerts.filter(status__in=ACTIVE_ALERT, due_at__lt=timezone.now())
    if mine:
        alerts = alerts.filter(_mine(user)).order_by("due_at", "pk")
    if date_from:
        alerts = alerts.filter(opened_on__gte=date_from)
    if date_to:
        alerts = alerts.filter(opened_on__lte=date_to)
    return alerts


def alert_get(*, user, pk: int) -> Alert:
    return get_scoped_or_404(Alert.objects.select_related(*_RELATED, "closed_by"), user, pk=pk)


def self_report_evidence(*, user, ids) -> dict[int, dict]:
    """The enterprise self-reports a finding rests on (LATE_SELF_REPORT, §四(一)), as a person reads
    them: when the arrears began, the deadline and the parameter behind it, when the written report
    reached 人社局, and how many days late — only those the user may open."""
    found = {}
    for report in SelfReport.objects.for_user(user).filter(pk__in=set(ids or [])):
        evidence = report.parameter_evidence or {}
        found[report.pk] = {
            "report": report,
            "days_late": max(0, (report.reported_on - report.deadline).days),
            "parameter_code": evidence.get("code", "self_report.deadline_days"),
            "extended": evidence.get("extended", ""),
        }
    return found


def risk_summary(*, user) -> dict:
    """Counts for the home page: enterprises by level, active alerts, mine and overdue."""
    levels = dict(
        RiskAssessment.objects.for_user(user)
        .exclude(level=Level.NONE)
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    district = user.scope.everything
    # The office, leaders and auditors handle no alert of their own: their figure is the district's
    # open alerts (the office supervises them), shown and linked as such.
    mine = Q() if district else _mine(user)
    # The three counts in one pass over the active alerts in scope (three COUNT queries before,
    # each reading them again: issue #20).
    counts = (
        Alert.objects.for_user(user)
        .filter(status__in=ACTIVE_ALERT)
        .aggregate(
            active=Count("pk"),
            mine=Count("pk", filter=mine),
            overdue=Count("pk", filter=mine & Q(due_at__lt=timezone.now())),
        )
    )
    return {
        "levels": [(code, LEVEL_NAMES[code], levels.get(code, 0)) for code in ("red", "orange", "yellow")],
        "district": district,
        "active": counts["active"],
        "mine": counts["mine"],
        "overdue": counts["overdue"],
    }


def enterprise_risk(*, user, enterprise) -> dict:
    """The enterprise's level explained: each finding with its evidence (only what the user may see)."""
    assessment = RiskAssessment.objects.filter(enterprise=enterprise).first()
    findings = []
    if assessment:
        obs_ids = {i for f in assessment.findings for i in f["evidence"]["observations"]}
        sig_ids = {i for f in assessment.findings for i in f["evidence"]["signals"]}
        observations = {
            o.pk: o for o in Observation.objects.filter(pk__in=obs_ids).select_related("indicator")
        }
        signals = {
            s.pk: s for s in Signal.objects.for_user(user).filter(pk__in=sig_ids).select_related("channel")
        }
        reports = self_report_evidence(
            user=user, ids={i for f in assessment.findings for i in f["evidence"].get("reports") or []}
        )
        for f in assessment.findings:
            rule = RULES_BY_CODE.get(f["rule"])
            findings.append(
                {
                    **f,
                    "rule_name": rule.name if rule else f["rule"],
                    "level_name": LEVEL_NAMES.get(f["level"], f["level"]),
                    "observations": [
                        observations[i] for i in f["evidence"]["observations"] if i in observations
                    ],
                    "signals": [signals[i] for i in f["evidence"]["signals"] if i in signals],
                    "self_reports": [reports[i] for i in f["evidence"].get("reports") or [] if i in reports],
                }
            )
    return {
        "enterprise": enterprise,
        "assessment": assessment,
        "findings": findings,
        "alerts": Alert.objects.for_user(user)
        .filter(enterprise=enterprise)
        .select_related("town", "unit")[:50],
        "changes": RiskChange.objects.filter(enterprise=enterprise)[:20],
        "recent": Observation.objects.filter(enterprise=enterprise)
        .select_related("indicator")
        .order_by("-month", "indicator__order")[:36],
    }


def _top_red(assessments, n: int = 20) -> list[RiskAssessment]:
    """The ``n`` red enterprises with the most points (then by name). The order is found on narrow
    rows first: sorting thousands of whole assessments drags their findings through the sort
    (on PostgreSQL at city scale, a sort spilled to disk)."""
    top = list(
        assessments.filter(level=Level.RED)
        .order_by("-points", "enterprise__name")
        .values_list("pk", flat=True)[:n]
    )
    found = risk_rows(top)
    return [found[pk] for pk in top if pk in found]


def _citations(finding: dict) -> list[str]:
    """What a finding's sentence may name as its basis ("依据 …"): each parameter's citation, its
    short clause, and the rule's own citation — longest first, so the whole citation is cut."""
    found: set[str] = set()
    for param in finding.get("params") or []:
        citation = (param.get("citation") or "").strip()
        if citation:
            found.add(citation)
            if "§" in citation:
                found.add(citation[citation.index("§") :].split("（")[0].strip())
    rule = RULES_BY_CODE.get(finding.get("rule", ""))
    if rule is not None and rule.citation:
        found.add(rule.citation)
    return sorted(found, key=len, reverse=True)


def red_reasons(rows: list[RiskAssessment]) -> list[str]:
    """The red list's reasons without the citation each sentence repeats: each row gets
    ``reasons`` (its red findings, "，依据 …" cut out) and the citations cut are returned, once
    each, for the table's header. A sentence whose citation is not found is left whole."""
    basis: list[str] = []
    for row in rows:
        row.reasons = []
        for finding in row.findings or []:
            if finding.get("level") != "red":
                continue
            text = finding.get("text", "")
            for citation in _citations(finding):
                cut = f"，依据 {citation}"
                if cut in text:
                    text = text.replace(cut, "")
                    if citation not in basis:
                        basis.append(citation)
                    break
            row.reasons.append(text)
    return basis


def risk_rows(ids: list[int]) -> dict[int, RiskAssessment]:
    """Whole assessments, with their enterprise and town, for ids already chosen and ordered."""
    return RiskAssessment.objects.select_related("enterprise", "enterprise__town").in_bulk(ids)


def cockpit(*, user) -> dict:
    """The cockpit (§四(二)): levels by town, the alert trend, red enterprises, what is overdue —
    all within the user's scope, each a single aggregate query."""
    now = timezone.now()
    assessments = RiskAssessment.objects.for_user(user).exclude(level=Level.NONE)
    by_town: dict[str, dict[str, int]] = {}
    for town, level, n in assessments.values_list("enterprise__town__name", "level").annotate(n=Count("pk")):
        by_town.setdefault(town, {})[level] = n
    towns = [t for t in Town.objects.order_by("order").values_list("name", flat=True) if t in by_town]
    colours = {"red": "#d63939", "orange": "#f76707", "yellow": "#f59f00"}
    town_chart = {
        "type": "stacked",
        "labels": towns,
        "series": [
            {
                "name": LEVEL_NAMES[level],
                "color": colours[level],
                "values": [by_town[t].get(level, 0) for t in towns],
            }
            for level in ("red", "orange", "yellow")
        ],
    }
    since = now - datetime.timedelta(days=29)
    days = [timezone.localdate(since) + datetime.timedelta(days=n) for n in range(30)]
    opened = dict(  # the stored local date: an indexed GROUP BY, no date function per row
        Alert.objects.for_user(user)
        .filter(opened_on__gte=days[0])
        .order_by()
        .values_list("opened_on")
        .annotate(n=Count("pk"))
    )
    trend_chart = {
        "type": "line",
        "labels": [f"{d:%m-%d}" for d in days],
        "values": [opened.get(d, 0) for d in days],
    }
    alerts = Alert.objects.for_user(user).filter(status__in=ACTIVE_ALERT)
    watch = WatchEntry.objects.for_user(user)
    reports = ImmediateReport.objects.for_user(user)
    totals = {level: sum(counts.get(level, 0) for counts in by_town.values()) for level in colours}
    red = _top_red(assessments)
    return {
        "last_scan": ScanRun.objects.filter(finished_at__isnull=False).first(),
        "levels": [(code, LEVEL_NAMES[code], totals.get(code, 0)) for code in ("red", "orange", "yellow")],
        "town_chart": json.dumps(town_chart, ensure_ascii=False),
        "trend_chart": json.dumps(trend_chart, ensure_ascii=False),
        "red": red,
        "red_basis": red_reasons(red),
        "overdue": {
            "alerts": alerts.filter(due_at__lt=now).count(),
            "reports": reports.filter(status=ReportStatus.DRAFT, due_at__lt=now).count(),
            "followups": watch.filter(status=WatchStatus.ACTIVE, next_followup_due__lt=now).count(),
        },
        "active_alerts": alerts.count(),
        "drafts": reports.filter(status=ReportStatus.DRAFT).count(),
        "watched": watch.filter(status=WatchStatus.ACTIVE).count(),
        "proposed": watch.filter(status=WatchStatus.PROPOSED).count(),
    }


def special_unread(*, user, n: int = 5) -> dict:
    """The special reports a district leader has not yet marked 已阅, newest first (the cockpit's
    reminder): the first ``n`` and how many in all."""
    waiting = (
        ImmediateReport.objects.for_user(user)
        .filter(status=ReportStatus.SPECIAL)
        .exclude(readings__reader=user)
        .select_related("enterprise")
        .order_by("-special_at", "-pk")
    )
    items = list(waiting[:n])
    return {"items": items, "count": len(items) if len(items) < n else waiting.count()}


def report_list(
    *,
    user,
    q: str = "",
    status: str = "",
    rule: str = "",
    town: str = "",
    overdue: bool = False,
    mine: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    responsible: str = "",
):
    """The immediate-report ledger (§五(二)), scoped and filtered; ``mine``: those the user's unit
    fills in and submits (its town's, or routed to its department); ``date_from``/``date_to``:
    drafted (triggered) on those days; ``responsible``: a unit's code, the reports it must submit
    (see ``responsible_q``)."""
    reports = ImmediateReport.objects.for_user(user).select_related("enterprise", "town", "unit")
    if responsible:
        reports = reports.filter(responsible_q(responsible))
    if q:
        reports = reports.filter(enterprise_matches(q))
    if status:
        reports = reports.filter(status=status)
    if rule:
        reports = reports.filter(rule=rule)
    if town:
        reports = reports.filter(town__code=town)
    if overdue:
        reports = reports.filter(status=ReportStatus.DRAFT, due_at__lt=timezone.now())
    if mine:
        reports = reports.filter(_mine(user))
    if date_from:
        reports = reports.filter(drafted_at__gte=start_of(date_from))
    if date_to:
        reports = reports.filter(drafted_at__lt=start_of(date_to + datetime.timedelta(days=1)))
    return reports


def watch_list(
    *,
    user,
    q: str = "",
    status: str = "live",
    level: str = "",
    town: str = "",
    overdue: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    responsible: str = "",
):
    """The watch-list ledger (§四(二)), scoped and filtered; ``status="live"``: proposed and active;
    ``date_from``/``date_to``: proposed on those days; ``responsible``: a unit's code, the entries it
    follows up (its 负责单位, else its 条线部门, else the government of its town)."""
    entries = WatchEntry.objects.for_user(user).select_related("enterprise", "town", "owner_unit")
    if responsible:
        entries = entries.filter(
            Q(owner_unit__code=responsible)
            | Q(owner_unit__isnull=True, unit__code=responsible)
            | Q(owner_unit__isnull=True, unit__isnull=True, town__unit__code=responsible)
        )
    if q:
        entries = entries.filter(enterprise_matches(q))
    if status == "live":
        entries = entries.filter(status__in=LIVE_WATCH)
    elif status:
        entries = entries.filter(status=status)
    if level:
        entries = entries.filter(level=level)
    if town:
        entries = entries.filter(town__code=town)
    if overdue:
        entries = entries.filter(status=WatchStatus.ACTIVE, next_followup_due__lt=timezone.now())
    if date_from:
        entries = entries.filter(proposed_at__gte=start_of(date_from))
    if date_to:
        entries = entries.filter(proposed_at__lt=start_of(date_to + datetime.timedelta(days=1)))
    return entries


def screening_task_list(
    *,
    user,
    campaign,
    result: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[ScreeningTask]:
    """A screening campaign's tasks in the user's scope (``campaign=None``: every campaign's);
    ``result``: only those with that result (an unknown one is ignored); ``date_from``/``date_to``:
    answered (screened) on those days."""
    tasks = ScreeningTask.objects.for_user(user).select_related("enterprise", "town", "unit")
    if campaign is not None:
        tasks = tasks.filter(campaign=campaign)
    if result in ScreeningTask.Result.values:
        tasks = tasks.filter(result=result)
    if date_from:
        tasks = tasks.filter(answered_at__gte=start_of(date_from))
    if date_to:
        tasks = tasks.filter(answered_at__lt=start_of(date_to + datetime.timedelta(days=1)))
    return tasks


def risk_enterprise_list(*, user, q: str = "", level: str = "", town: str = "") -> QuerySet[RiskAssessment]:
    """The enterprises at risk (黄/橙/红) in the user's scope, most points first: the list behind
    the cockpit's and the home page's "N 家红色风险企业" — the same count, the same scope."""
    rows = (
        RiskAssessment.objects.for_user(user)
        .exclude(level=Level.NONE)
        .select_related("enterprise", "enterprise__town")
    )
    if q:
        rows = rows.filter(enterprise_matches(q))
    if level:
        rows = rows.filter(level=level)
    if town:
        rows = rows.filter(enterprise__town__code=town)
    return rows.order_by("-points", "enterprise__name", "pk")


def home_todo(*, user, today=None) -> list[dict]:
    """What waits on the user's own unit (工作台): immediate reports to complete and submit, watch
    entries to confirm, today's sensitive-period daily report, open screening tasks. Each item is
    a count and the link to the list that shows exactly those rows. Users who see the whole district
    (office, leaders, auditors) get no to-dos here: their figures are district totals (risk_summary)."""
    if user.scope.everything:
        return []
    today = today or timezone.localdate()
    now = timezone.now()
    items = []
    if user.has_perm("monitoring.submit_immediatereport"):
        drafts = report_list(user=user, status=ReportStatus.DRAFT, mine=True)
        n = drafts.count()
        if n:
            overdue = drafts.filter(due_at__lt=now).count()
            items.append(
                {
                    "key": "reports",
                    "count": n,
                    "label": "份即时报告待研判报送",
                    "hint": f"其中 {overdue} 份已逾期"
                    if overdue
                    else "须在生成后 24 小时内报送联席办（§五(二)）",
                    "danger": bool(overdue),
                    "url": reverse("report-list") + "?status=draft&mine=1",
                    "icon": "speakerphone",
                }
            )
    if user.has_perm("monitoring.manage_watchentry") and user.has_role(Role.TOWN):
        n = WatchEntry.objects.for_user(user).filter(status=WatchStatus.PROPOSED).count()
        if n:
            items.append(
                {
                    "key": "watch",
                    "count": n,
                    "label": "家企业待确认是否纳入重点监控",
                    "hint": "§四(二) 对排查出的风险单位全程跟踪",
                    "url": reverse("watch-list") + "?status=proposed",
                    "icon": "eye",
                }
            )
    period = active_period(today) if sensitive.may_file(user) else None
    if period and not DailyReport.objects.filter(period=period, unit_id=user.unit_id, day=today).exists():
        items.append(
            {
                "key": "sensitive",
                "count": 1,
                "label": "份敏感时期日报今日未报送",
                "hint": f"{period.name}：无情况请报零报告",
                "danger": True,
                "url": reverse("sensitive-detail", args=[period.pk]),
                "icon": "calendar-event",
            }
        )
    if user.has_perm("monitoring.change_screeningtask"):
        pending = (
            ScreeningTask.objects.for_user(user)
            .filter(result=ScreeningTask.Result.PENDING, campaign__start__lte=today)
            .values_list("campaign_id", "campaign__name", "campaign__end")
            .annotate(n=Count("pk"))
            .order_by("campaign__end", "campaign_id")
        )
        for campaign_id, name, end, n in pending:
            items.append(
                {
                    "key": f"screening-{campaign_id}",
                    "count": n,
                    "label": f"家企业待排查（{name}）",
                    "hint": f"{end:%Y-%m-%d} 前完成" if end >= today else f"已过截止日期 {end:%Y-%m-%d}",
                    "danger": end < today,
                    "url": reverse("screening-detail", args=[campaign_id]) + "?result=pending",
                    "icon": "list-search",
                }
            )
    return items
