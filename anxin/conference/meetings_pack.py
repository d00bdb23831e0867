"""The plenary pack's own sections (``conference.sections.PACK_SECTIONS``, orders 10 and 20): the
period's figures and the overdue items by unit, each computed through the earlier apps' ledger
selectors for the whole district (as the office sees it), so the pack says what the ledgers show
for the same dates. A section is the generic shape every pack section has:
``{"key", "title", "paragraphs": [str], "tables": [{"caption", "headers": [str], "rows": [[str]]}]}``
(all cells strings, money already in yuan) — the page and the Word render it without knowing it."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from anxin.core.money import format_yuan
from anxin.org.access import office_unit
from anxin.org.models import Role, User


def district_viewer() -> User:
    """An unsaved office user: ``for_user`` then sees the whole district, as the office does. Never
    saved or logged in."""
    return User(username="conference-pack", unit=office_unit(), role=Role.OFFICE, is_active=True)


def _range(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


def figures(viewer: Any, start: datetime.date, end: datetime.date) -> dict:
    """The period's figures as numbers (fen for money), each through the ledger's selector."""
    from anxin.cases.selectors import case_list
    from anxin.intake.models import Verification
    from anxin.intake.selectors import signal_list
    from anxin.money.models import Payment, money_cases
    from anxin.money.selectors import workers_paid
    from anxin.monitoring.models import AlertStatus, FollowUp
    from anxin.monitoring.selectors import alert_list, report_list, watch_list

    signals = signal_list(user=viewer, date_from=start, date_to=end)
    by_channel = list(
        signals.order_by()
        .values("channel__name", "channel__code")
        .annotate(
            n=Count("pk"),
            true=Count("pk", filter=Q(verification=Verification.SUBSTANTIATED)),
            partly=Count("pk", filter=Q(verification=Verification.PARTLY)),
        )
        .order_by("channel__code")
    )
    alerts = alert_list(user=viewer).filter(opened_on__gte=start, opened_on__lte=end)
    alert_counts = alerts.aggregate(
        opened=Count("pk"),
        handled=Count("pk", filter=Q(status__in=(AlertStatus.HANDLED, AlertStatus.DISMISSED))),
        on_time=Count(
            "pk",
            filter=Q(status__in=(AlertStatus.HANDLED, AlertStatus.DISMISSED), closed_at__lte=F("due_at")),
        ),
    )
    entries = watch_list(user=viewer, status="")
    watch = {
        # 新纳入: the watch ledger's own date filter (proposed on those days), as the reports count it
        "entered": watch_list(user=viewer, status="", date_from=start, date_to=end).count(),
        "live_end": entries.filter(confirmed_at__date__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
        .count(),
        "followups": FollowUp.objects.filter(
            entry__in=entries.values("pk"), visited_on__gte=start, visited_on__lte=end
        ).count(),
        "followups_overdue": watch_list(user=viewer, overdue=True).count(),
    }
    cases = case_list(user=viewer)
    case_counts = {
        "opened": cases.filter(opened_at__date__gte=start, opened_at__date__lte=end).count(),
        "closed": cases.filter(closed_at__date__gte=start, closed_at__date__lte=end).count(),
        "open_end": cases.filter(opened_at__date__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
        .count(),
    }
    reports = report_list(user=viewer).filter(drafted_at__date__gte=start, drafted_at__date__lte=end).count()
    in_scope = Payment.objects.filter(case__in=money_cases(viewer).values("pk"))
    period_payments = in_scope.filter(paid_on__gte=start, paid_on__lte=end)
    signed = Sum("amount", filter=Q(reverses__isnull=True))
    reversed_ = Sum("amount", filter=Q(reverses__isnull=False))
    paid = period_payments.aggregate(plus=signed, minus=reversed_)
    full = workers_paid_in_full(viewer, start, end)
    return {
        "signals": {
            "total": sum(r["n"] for r in by_channel),
            "true": sum(r["true"] for r in by_channel),
            "partly": sum(r["partly"] for r in by_channel),
            "by_channel": by_channel,
        },
        "alerts": alert_counts,
        "watch": watch,
        "cases": case_counts,
        "immediate_reports": reports,
        "money": {
            "paid": int(paid["plus"] or 0) - int(paid["minus"] or 0),
            "workers_paid": workers_paid(in_scope, since=start, until=end),
            "workers_paid_in_full": full,
        },
    }


def workers_paid_in_full(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """全额清偿人数: distinct workers (by ID number) with a confirmed claim the claims ledger shows as
    paid in full (``claim_list(paid="full")``), the claim's last payment made on those days — the
    reports' figure ``workers_paid_full`` counts the same selector and the same date."""
    from anxin.money.claims_views import claim_list

    return (
        claim_list(user=viewer, paid="full")
        .order_by()
        .annotate(last_paid=Max("payments__paid_on"))
        .filter(last_paid__gte=start, last_paid__lte=end)
        .values("id_number_index")
        .distinct()
        .count()
    )


def figures_section(meeting: Any, start: datetime.date, end: datetime.date) -> dict:
    """Order 10: 本期主要数据."""
    f = figures(district_viewer(), start, end)
    s, a, w, c, m = f["signals"], f["alerts"], f["watch"], f["cases"], f["money"]
    paragraphs = [
        f"统计期间：{_range(start, end)}（全区）。",
        f"收到欠薪线索 {s['total']} 条，经核实属实 {s['true']} 条、部分属实 {s['partly']} 条。",
        f"生成风险预警 {a['opened']} 条，已处置或排除 {a['handled']} 条，其中在处置期限内完成 {a['on_time']} 条。",
        f"新纳入重点监管 {w['entered']} 家（按重点监控台账的提出日期），期末在管 {w['live_end']} 家；"
        f"开展回访 {w['followups']} 次，"
        f"目前回访逾期的在管企业 {w['followups_overdue']} 家。",
        f"新立案件 {c['opened']} 件，结案 {c['closed']} 件，期末在办 {c['open_end']} 件；"
        f"即时报告 {f['immediate_reports']} 份。",
        f"为劳动者追回（支付）工资 {format_yuan(m['paid'])} 元，惠及 {m['workers_paid']} 人，"
        f"其中 {m['workers_paid_in_full']} 人已全额清偿。",
    ]
    channels = [
        [r["channel__name"] or "—", str(r["n"]), str(r["true"]), str(r["partly"])] for r in s["by_channel"]
    ]
    channels.append(["合计", str(s["total"]), str(s["true"]), str(s["partly"])])
    summary = [
        ["欠薪线索", "收到", str(s["total"]), "条"],
        ["欠薪线索", "核实属实", str(s["true"]), "条"],
        ["风险预警", "生成", str(a["opened"]), "条"],
        ["风险预警", "期限内处置", str(a["on_time"]), "条"],
        ["重点监管", "新纳入", str(w["entered"]), "家"],
        ["重点监管", "回访", str(w["followups"]), "次"],
        ["案件", "新立", str(c["opened"]), "件"],
        ["案件", "结案", str(c["closed"]), "件"],
        ["案件", "期末在办", str(c["open_end"]), "件"],
        ["即时报告", "报告", str(f["immediate_reports"]), "份"],
        ["工资清偿", "追回（支付）金额", format_yuan(m["paid"]), "元"],
        ["工资清偿", "惠及劳动者", str(m["workers_paid"]), "人"],
        ["工资清偿", "全额清偿劳动者", str(m["workers_paid_in_full"]), "人"],
    ]
    return {
        "key": "figures",
        "title": "一、本期主要数据",
        "paragraphs": paragraphs,
        "tables": [
            {"caption": "主要数据汇总", "headers": ["类别", "项目", "数量", "单位"], "rows": summary},
            {
                "caption": "欠薪线索分渠道情况",
                "headers": ["渠道", "收到", "属实", "部分属实"],
                "rows": channels,
            },
        ],
    }


def overdue(viewer: Any, now: datetime.datetime) -> dict[str, Counter]:
    """Overdue items as of ``now``, by the unit that must act: signals past their verification
    deadline (by assigned unit, else town), active alerts past their deadline (by unit, else town),
    open cases past their stage's deadline (by lead unit)."""
    from anxin.cases.selectors import case_list
    from anxin.intake.selectors import signal_list
    from anxin.monitoring.selectors import alert_list

    found: dict[str, Counter] = {"signals": Counter(), "alerts": Counter(), "cases": Counter()}
    for row in (
        signal_list(user=viewer, overdue=True)
        .order_by()
        .values("assigned_unit__name", "town__name")
        .annotate(n=Count("pk"))
    ):
        found["signals"][row["assigned_unit__name"] or row["town__name"] or "未分派"] += row["n"]
    for arow in (
        alert_list(user=viewer, overdue=True)
        .order_by()
        .values("unit__name", "town__name")
        .annotate(n=Count("pk"))
    ):
        found["alerts"][arow["unit__name"] or arow["town__name"] or "未分派"] += arow["n"]
    for crow in (
        case_list(user=viewer, overdue=True).order_by().values("lead_unit__name").annotate(n=Count("pk"))
    ):
        found["cases"][crow["lead_unit__name"] or "未确定"] += crow["n"]
    return found


def overdue_section(meeting: Any, start: datetime.date, end: datetime.date) -> dict:
    """Order 20: 逾期事项（分单位）, as of the moment the pack is prepared."""
    now = timezone.now()
    found = overdue(district_viewer(), now)
    units = sorted(set(found["signals"]) | set(found["alerts"]) | set(found["cases"]))
    rows = [
        [u, str(found["signals"][u]), str(found["alerts"][u]), str(found["cases"][u])]
        for u in sorted(units, key=lambda u: -(found["signals"][u] + found["alerts"][u] + found["cases"][u]))
    ]
    totals = [sum(found[k].values()) for k in ("signals", "alerts", "cases")]
    rows.append(["合计", *(str(t) for t in totals)])
    return {
        "key": "overdue",
        "title": "二、逾期事项（分单位）",
        "paragraphs": [
            f"截至 {timezone.localtime(now):%Y-%m-%d %H:%M}：线索逾期未核实 {totals[0]} 条，"
            f"预警逾期未处置 {totals[1]} 条，案件阶段逾期 {totals[2]} 件。"
            + ("" if units else "无逾期事项。")
        ],
        "tables": [
            {
                "caption": "逾期事项分单位情况",
                "headers": ["单位", "线索逾期未核实", "预警逾期未处置", "案件阶段逾期"],
                "rows": rows,
            }
        ],
    }
