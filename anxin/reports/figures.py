"""The figures a periodic report, a roll-up and the office's analysis are prefilled with (§五(二)).

Each figure is computed from Anxin's own records **through the same selectors the ledgers use**, for
one unit's scope (a town: its territory; a department: its line and its assignments; the office: the
whole district) and one period (first and last day, both inclusive, Asia/Shanghai), so a report says
exactly what the ledger shows for the same scope and dates — and links there (``link``).

``FIGURES`` is the catalogue, in the order a report prints them; a template names the codes it uses.
``figures_for(unit, start, end, codes)`` computes them for a unit as its users would see them
(``viewer_for``: an unsaved user of the unit with the role its kind gets, so ``for_user`` scopes the
queries exactly as for a real user of the unit). The result is what ``PeriodicReport.figures`` keeps:
``{code: {"label", "value", "unit", "group", "link", "basis"}}``.

The periodic part fills the catalogue; the office part reads it for the district and per unit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, When
from django.urls import reverse

from anxin.core.deadlines import start_of
from anxin.org.models import Role, Unit, UnitKind, User

# The role a unit's report is computed as (its users' role).
ROLE_OF_KIND = {
    UnitKind.TOWN_GOVERNMENT: Role.TOWN,
    UnitKind.DEPARTMENT: Role.DEPARTMENT,
    UnitKind.OFFICE: Role.OFFICE,
    UnitKind.LEADERSHIP: Role.LEADER,
}


@dataclass(frozen=True)
class Figure:
    """One figure: its code, label, unit of measure (件, 家, 人, 元…), the group it is printed under,
    ``compute(viewer, start, end) -> int`` (fen for money: shown and exported as yuan), and
    ``link(start, end) -> str`` (the ledger filtered to the same dates; the viewer's own scope does
    the rest) or None when no ledger shows it; ``batch`` (see below)."""

    code: str
    label: str
    unit: str
    group: str
    compute: Callable[[Any, datetime.date, datetime.date], int]
    link: Callable[[datetime.date, datetime.date], str] | None = None
    money: bool = False
    # Figures counting rows of the same ledger view (the signals of the viewer and dates, by channel,
    # by result): the name of that view in ``BATCHES`` and the figure's own condition on it, so that
    # ``figures_for`` counts them all in one query — the same numbers ``compute`` gives one by one.
    batch: tuple[str, Q] | None = None
    # The linked ledger's own filter that narrows it to the reporting unit when someone else (the
    # office, a leader) opens the report: "town" (the town's code, for a town's report) or "unit"
    # (the unit's code); "" when the ledger has none.
    narrow: str = "town"
    # What the figure's basis adds to the scope and the dates (which date counts, what is counted).
    note: str = ""


def viewer_for(unit: Unit) -> User:
    """An unsaved user of ``unit`` with the role its kind gets: ``for_user(viewer)`` sees what the
    unit's users see. Never saved, never logged in; has no permissions (figures use scopes only)."""
    role = ROLE_OF_KIND.get(unit.kind, "")  # type: ignore[call-overload]
    return User(username=f"report-viewer-{unit.code}", unit=unit, role=role, is_active=True)


def _closed_link(start: datetime.date, end: datetime.date) -> str:
    query = {"state": "closed", "closed_from": start.isoformat(), "closed_to": end.isoformat()}
    return f"{reverse('case-list')}?{urlencode(query)}"


def _ledger(url_name: str, **params: Any) -> Callable[[datetime.date, datetime.date], str]:
    def link(start: datetime.date, end: datetime.date) -> str:
        query = {k: v for k, v in params.items() if v not in ("", None)}
        query.update(date_from=start.isoformat(), date_to=end.isoformat())
        return f"{reverse(url_name)}?{urlencode(query)}"

    return link


# --- the computations: each a ledger selector for the viewer and the dates ----------------------------


def _signal_view(viewer: Any, start: datetime.date, end: datetime.date) -> QuerySet:
    from anxin.intake.selectors import signal_list

    return signal_list(user=viewer, date_from=start, date_to=end)


def _signals(**filters: Any) -> Callable[[Any, datetime.date, datetime.date], int]:
    def compute(viewer: Any, start: datetime.date, end: datetime.date) -> int:
        from anxin.intake.selectors import signal_list

        return signal_list(user=viewer, date_from=start, date_to=end, **filters).count()

    return compute


def _signal_batch(**filters: str) -> tuple[str, Q]:
    """The condition ``signal_list``'s own filters put on the view (channel by code, verification)."""
    lookups = {"channel": "channel__code", "verification": "verification"}
    return ("signals", Q(**{lookups[k]: v for k, v in filters.items()}))


# The ledger views batched figures count rows of: (viewer, start, end) -> the scoped, dated queryset.
BATCHES: dict[str, Callable[[Any, datetime.date, datetime.date], QuerySet]] = {"signals": _signal_view}


def _screened(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Enterprises screened (排查摸底, §四(一)): distinct enterprises whose screening task of any
    campaign was answered on those days."""
    from anxin.monitoring.selectors import screening_task_list

    tasks = screening_task_list(user=viewer, campaign=None, date_from=start, date_to=end)
    return tasks.exclude(result="pending").order_by().values("enterprise_id").distinct().count()


def _screened_risk(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.monitoring.selectors import screening_task_list

    tasks = screening_task_list(user=viewer, campaign=None, result="risk", date_from=start, date_to=end)
    return tasks.order_by().values("enterprise_id").distinct().count()


def _alerts_opened(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.monitoring.selectors import alert_list

    return alert_list(user=viewer, date_from=start, date_to=end).count()


def _alerts_on_time(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Alerts opened on those days and closed by their stored deadline (``due_at``)."""
    from anxin.monitoring.selectors import alert_list

    opened = alert_list(user=viewer, date_from=start, date_to=end)
    return opened.filter(closed_at__isnull=False, closed_at__lte=F("due_at")).count()


def _watch_proposed(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.monitoring.selectors import watch_list

    return watch_list(user=viewer, status="", date_from=start, date_to=end).count()


def _watch_live(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Entries on the watch list (待确认与监控中) as the ledger shows them now: live at the report's
    making, not a sum over the period."""
    from anxin.monitoring.selectors import watch_list

    return watch_list(user=viewer).count()


def _followups(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Follow-up visits (回访) made on those days to the watched enterprises the viewer sees."""
    from anxin.monitoring.models import FollowUp
    from anxin.monitoring.selectors import watch_list

    entries = watch_list(user=viewer, status="").order_by().values("pk")
    return FollowUp.objects.filter(entry__in=entries, visited_on__gte=start, visited_on__lte=end).count()


def _cases_opened(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.cases.selectors import case_list

    return case_list(user=viewer, date_from=start, date_to=end).count()


def _cases_closed(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.cases.selectors import case_list

    return case_list(user=viewer, state="closed", closed_from=start, closed_to=end).count()


def _incidents(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Incidents (群体性事件等, §四(四)) that occurred on those days at the cases the viewer sees."""
    from anxin.cases.models import Incident
    from anxin.cases.selectors import case_list

    cases = case_list(user=viewer).order_by().values("pk")
    return Incident.objects.filter(
        case__in=cases,
        occurred_at__gte=start_of(start),
        occurred_at__lt=start_of(end + datetime.timedelta(days=1)),
    ).count()


def _immediate_reports(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.monitoring.selectors import report_list

    return report_list(user=viewer, date_from=start, date_to=end).count()


def _recovered(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Fen paid to workers on those days (entries less reversals) on the cases the viewer sees."""
    from anxin.money.claims_views import payment_list

    rows = payment_list(user=viewer, date_from=start, date_to=end).order_by()
    total = rows.aggregate(
        total=Sum(Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount")))
    )["total"]
    return int(total or 0)


def _workers_paid(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """惠及人数: distinct workers left with something paid by the entries of those days."""
    from anxin.money.claims_views import payments_seen
    from anxin.money.selectors import workers_paid

    return workers_paid(payments_seen(viewer), since=start, until=end)


def _workers_paid_full(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    """Workers whose confirmed claim was paid in full, the last payment made on those days."""
    from anxin.money.claims_views import claim_list
    from anxin.money.models import Claim

    full = claim_list(user=viewer, paid="full").order_by()
    claims = (
        full.annotate(last_paid=Max("payments__paid_on"))
        .filter(last_paid__gte=start, last_paid__lte=end)
        .values("pk")
    )
    # Distinct workers (by ID number, as 惠及人数 counts them): one person paid in full on two
    # claims is one worker.
    return Claim.objects.filter(pk__in=claims).order_by().values("id_number_index").distinct().count()


def _publicity(viewer: Any, start: datetime.date, end: datetime.date) -> QuerySet:
    """The publicity ledger as the viewer sees it for those days, withdrawn activities left out
    (``publicity_selectors.publicity_list`` with ``withdrawn="no"``: the rows the linked ledger shows)."""
    from anxin.reports.publicity_selectors import publicity_list

    return publicity_list(user=viewer, date_from=start, date_to=end, withdrawn="no").order_by()


def _publicity_count(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    return _publicity(viewer, start, end).count()


def _publicity_audience(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    return int(_publicity(viewer, start, end).aggregate(n=Sum("audience"))["n"] or 0)


# The channels a report counts signals by (§三(一)); codes of the district file's ``channels``.
CHANNELS = (
    ("labour-inspection", "劳动保障监察"),
    ("arbitration", "劳动人事争议仲裁"),
    ("hotline-12333", "12333"),
    ("petition", "信访"),
    ("union", "总工会"),
    ("grid", "镇街网格"),
    ("portal", "群众网上反映"),
    ("payroll-check", "实名制工资监管"),
    ("screening", "排查摸底"),
)

FIGURES: dict[str, Figure] = {
    f.code: f
    for f in (
        # No ledger lists every campaign's tasks by answer date: no link (the campaign list cannot
        # reproduce these figures).
        Figure(
            "enterprises_screened",
            "排查企业",
            "家",
            "排查",
            _screened,
            None,
            note="按排查任务答复日期计，同一企业计一次",
        ),
        Figure(
            "screened_risk",
            "排查发现风险企业",
            "家",
            "排查",
            _screened_risk,
            None,
            note="排查结论为有风险的企业，按答复日期计，同一企业计一次",
        ),
        Figure(
            "signals_received",
            "收到欠薪线索",
            "条",
            "线索",
            _signals(),
            _ledger("signal-list"),
            batch=_signal_batch(),
        ),
        *(
            Figure(
                f"signals_channel_{code}",
                f"其中：{name}渠道",
                "条",
                "线索",
                _signals(channel=code),
                _ledger("signal-list", channel=code),
                batch=_signal_batch(channel=code),
            )
            for code, name in CHANNELS
        ),
        Figure(
            "signals_substantiated",
            "经核实属实",
            "条",
            "线索",
            _signals(verification="substantiated"),
            _ledger("signal-list", verification="substantiated"),
            batch=_signal_batch(verification="substantiated"),
        ),
        Figure(
            "signals_partly",
            "经核实部分属实",
            "条",
            "线索",
            _signals(verification="partly"),
            _ledger("signal-list", verification="partly"),
            batch=_signal_batch(verification="partly"),
        ),
        Figure(
            "signals_unfounded",
            "经核实不属实",
            "条",
            "线索",
            _signals(verification="unfounded"),
            _ledger("signal-list", verification="unfounded"),
            batch=_signal_batch(verification="unfounded"),
        ),
        Figure(
            "signals_pending",
            "尚待核实",
            "条",
            "线索",
            _signals(verification="pending"),
            _ledger("signal-list", verification="pending"),
            batch=_signal_batch(verification="pending"),
        ),
        Figure("alerts_opened", "生成风险预警", "条", "预警", _alerts_opened, _ledger("alert-list")),
        # The alert ledger has no "closed by its deadline" filter: no link.
        Figure(
            "alerts_on_time",
            "其中：按期处置",
            "条",
            "预警",
            _alerts_on_time,
            None,
            note="当期生成、在处置时限内办结的预警",
        ),
        Figure(
            "watch_proposed",
            "新纳入重点监控",
            "家",
            "预警",
            _watch_proposed,
            _ledger("watch-list", status=""),
            note="按提出纳入重点监控的日期计（与重点监控台账的日期筛选一致），含待确认",
        ),
        Figure("watch_live", "重点监控企业（当前）", "家", "预警", _watch_live, None),
        # The watch ledger lists entries, not visits: no link.
        Figure("followups", "重点监控企业回访", "次", "预警", _followups, None, note="按回访日期计"),
        Figure("immediate_reports", "即时报告", "件", "预警", _immediate_reports, _ledger("report-list")),
        Figure("cases_opened", "立案处置", "件", "案件", _cases_opened, _ledger("case-list")),
        Figure("cases_closed", "结案", "件", "案件", _cases_closed, _closed_link),
        Figure("incidents", "发生群体性事件等突发事件", "起", "案件", _incidents, None),
        Figure(
            "money_recovered",
            "为劳动者追回工资",
            "元",
            "资金",
            _recovered,
            _ledger("payment-ledger"),
            money=True,
        ),
        Figure("workers_paid", "获得清偿的劳动者", "人", "资金", _workers_paid, _ledger("payment-ledger")),
        Figure(
            "workers_paid_full",
            "其中：全额清偿",
            "人",
            "资金",
            _workers_paid_full,
            None,
            note="欠薪全额付清、最后一笔支付在当期的劳动者，同一人计一次",
        ),
        Figure(
            "publicity_activities",
            "开展宣传活动",
            "次",
            "宣传",
            _publicity_count,
            _ledger("reports-publicity-list", withdrawn="no"),
            narrow="unit",
        ),
        Figure(
            "publicity_audience",
            "宣传受众",
            "人次",
            "宣传",
            _publicity_audience,
            _ledger("reports-publicity-list", withdrawn="no"),
            narrow="unit",
        ),
    )
}

# The groups, in the order a report prints them.
GROUPS = ("排查", "线索", "预警", "案件", "资金", "宣传")


def _narrowed(figure: Figure, start: datetime.date, end: datetime.date, unit: Unit, town_code: str) -> str:
    """The figure's ledger link, narrowed to the reporting unit where the ledger can be (a town's
    report opened by the office shows that town's rows, not the district's)."""
    if figure.link is None:
        return ""
    link = figure.link(start, end)
    if figure.narrow == "town" and town_code:
        link += "&" + urlencode({"town": town_code})
    elif figure.narrow == "unit" and unit.kind in (UnitKind.TOWN_GOVERNMENT, UnitKind.DEPARTMENT):
        link += "&" + urlencode({"unit": unit.code})
    return link


def figures_for(
    unit: Unit, start: datetime.date, end: datetime.date, codes: list[str] | None = None
) -> dict[str, dict]:
    """The figures ``codes`` (all when None) for ``unit`` over ``start`` … ``end``, as a report keeps them."""
    viewer = viewer_for(unit)
    basis = f"{unit.name}可见范围，{start.isoformat()} 至 {end.isoformat()}"
    town = unit.town if unit.kind == UnitKind.TOWN_GOVERNMENT else None
    town_code = town.code if town is not None else ""
    if unit.kind == UnitKind.DEPARTMENT:
        # A department's scope is its line and assignments: no ledger filter narrows to it, so the
        # linked ledger shows whoever opens it their own scope.
        basis += "；台账链接按查看人本人的可见范围显示"
    wanted = codes if codes is not None else list(FIGURES)
    values: dict[str, int] = {}
    batched: dict[str, list[Figure]] = {}
    for code in wanted:
        figure = FIGURES[code]
        if figure.batch is not None:
            batched.setdefault(figure.batch[0], []).append(figure)
    for name, members in batched.items():
        counts = (
            BATCHES[name](viewer, start, end)
            .order_by()
            .aggregate(
                **{
                    f.code: Count("pk", filter=f.batch[1]) if f.batch and f.batch[1] else Count("pk")
                    for f in members
                }
            )
        )
        values.update({code: int(n or 0) for code, n in counts.items()})
    found: dict[str, dict] = {}
    for code in wanted:
        figure = FIGURES[code]
        found[code] = {
            "label": figure.label,
            "value": values[code] if code in values else figure.compute(viewer, start, end),
            "unit": figure.unit,
            "group": figure.group,
            "money": figure.money,
            "link": _narrowed(figure, start, end, unit, town_code),
            "basis": f"{basis}；{figure.note}" if figure.note else basis,
        }
    return found
