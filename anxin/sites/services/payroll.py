"""Writes of the monthly payroll (总包代发, 条例 第三十一条; §三(九)(十)): an upload checked against the
roster (``payroll_submit``) and the sweep that opens the months as they end and marks the ones not
reported by their day (``payroll_months_sweep``).

A month's dates are stored on its :class:`PayrollMonth` when it is first opened (DESIGN rule 5):
the pay day — day ``payroll.pay_day`` of the following month, inclusive — and the report day — day
``payroll.report_day`` of the following month, inclusive — with the parameters' values and clauses in
``basis``. A later change of a parameter does not move a month already opened.

Signals go to intake through its services, on the project's general contractor, named with the
project so they reach the project's town and its supervising line (城建局 or 水利局), on the channel
``payroll-check`` (实名制工资监管), recorded by the system (the check raised them, not the uploader):

- 工资未足额发放（总包代发） (``payroll_short``) once the month's pay day has passed and its current
  payroll shows workers unpaid — short, or on the roster and not on the payroll; the count of those
  workers and the shortfall go with it (the missing workers' due is not known: it is not in the
  amount). Raised by the upload when the pay day has passed, else by the sweep the day after the pay
  day if the current version still shows them. Once per month: a corrected upload does not raise it
  again (the month keeps it in ``short_signal``; the channel's reference is unique besides).
- 工资发放表未按时报送 (``payroll_missing``) by the sweep, the day after the report day, for a month
  it opened before that day and that has no payroll. Once per month (``missing_signal``). A month the
  sweep opens when its report day has already passed (a project registered late, the first run) is
  recorded 未报送 without a signal: the grid shows the gap; a flood of old signals would help nobody.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import is_system
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.core.tabular import RowError
from anxin.core.transitions import Transition, Workflow
from anxin.core.validators import normalize_uscc, validate_id_number
from anxin.intake.models import Channel, Signal, SignalKind
from anxin.monitoring.rules import add_months, month_start  # the project's month helpers
from anxin.org.models import User
from anxin.registry.models import Project, ProjectStatus
from anxin.sites import payroll_check
from anxin.sites.access import may_manage
from anxin.sites.models import (
    Finding,
    MonthAction,
    MonthStatus,
    Payroll,
    PayrollLine,
    PayrollMonth,
    PayrollMonthEvent,
    RosterEntry,
)
from anxin.sites.models.payroll import Door

CHANNEL = "payroll-check"  # 实名制工资监管 (the district file's channels)
MAX_FEN = 10_000_000_000  # ¥1 亿 for one worker's month: beyond it a figure is a typing error
MAX_DAYS = Decimal(31)

# The columns of a payroll as the uploader sees them (the file's headers; the API's fields by key).
HEADERS = {
    "project": "项目ID",
    "month": "月份",
    "contractor": "代发单位统一社会信用代码",
    "name": "姓名",
    "id_number": "身份证号",
    "days": "出勤天数",
    "due": "应发金额（元）",
    "paid": "实发金额（元）",
    "paid_on": "发放日期",
}

MONTHS = Workflow(
    model=PayrollMonth,
    field="status",
    event_model=PayrollMonthEvent,
    event_object="month",
    event_from="from_status",
    event_to="to_status",
    noun=_("月度工资发放"),
    rows=[
        *(
            Transition(source, action, target, "sites.manage_roster")
            for source in MonthStatus.values
            for action, target in ((MonthAction.OK, MonthStatus.OK), (MonthAction.DIFF, MonthStatus.DIFF))
        ),
        Transition(MonthStatus.PENDING, MonthAction.MISS, MonthStatus.MISSING, "sites.manage_roster"),
    ],
    action_labels={a.value: str(a.label) for a in MonthAction},
)


# --- inputs and answers -----------------------------------------------------------------------------------


@dataclass
class PayrollInput:
    """One worker's row of a payroll as uploaded or posted (amounts in fen). ``row`` is how the
    uploader names it: the spreadsheet's row number, or the position in the request (1 = first)."""

    row: int
    name: str
    id_number: str
    due: int
    paid: int
    days: Decimal = Decimal(0)
    paid_on: datetime.date | None = None


class PayrollRefused(DomainError):
    """The payroll is refused and nothing is written: every problem by row and column."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems  # (row, key, message); row 0: the file as a whole (month, project)
        self.errors = [RowError(row, HEADERS.get(key, ""), message) for row, key, message in problems]
        shown = "；".join(str(e) if e.row else f"“{e.column}”：{e.message}" for e in self.errors[:5])
        more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 5 else ""
        first_key = problems[0][1] if problems else None
        super().__init__(
            _("工资表未报送，请更正后重新提交：%(e)s%(m)s") % {"e": shown, "m": more},
            field="rows" if problems and problems[0][0] else first_key,
        )


@dataclass
class Submitted:
    """What an upload found (and, unless a dry run, wrote)."""

    project: Project
    month: datetime.date
    pay_due_on: datetime.date
    report_due_on: datetime.date
    basis: dict
    outcome: payroll_check.Outcome
    dry_run: bool
    payroll: Payroll | None = None
    payroll_month: PayrollMonth | None = None
    signal: Signal | None = None

    @property
    def status(self) -> str:
        return self.outcome.status


# --- months and their dates ---------------------------------------------------------------------------------


def _evidence(record: PolicyParameter) -> dict:
    return {
        "code": record.code,
        "name": record.name,
        "value": record.typed_value,
        "unit": record.unit,
        "citation": record.citation,
        "effective_from": f"{record.effective_from:%Y-%m-%d}",
    }


def month_dates(month: datetime.date) -> tuple[datetime.date, datetime.date, dict]:
    """(pay day, report day, basis) of ``month``: days ``payroll.pay_day`` and ``payroll.report_day``
    of the following month, each inclusive, by the values in force on that month's first day."""
    following = add_months(month_start(month), 1)
    pay = param_record("payroll.pay_day", on=following)
    report = param_record("payroll.report_day", on=following)
    last = calendar.monthrange(following.year, following.month)[1]
    pay_day = following.replace(day=min(int(pay.typed_value), last))
    report_day = following.replace(day=min(int(report.typed_value), last))
    return pay_day, report_day, {"pay_day": _evidence(pay), "report_day": _evidence(report)}


def _new_month(project: Project, month: datetime.date, *, status: str = MonthStatus.PENDING) -> PayrollMonth:
    pay_day, report_day, basis = month_dates(month)
    return PayrollMonth(
        project=project,
        month=month,
        status=status,
        pay_due_on=pay_day,
        report_due_on=report_day,
        basis=basis,
    )


def _open_month(project: Project, month: datetime.date) -> PayrollMonth:
    """The project's month, opened now if it was not (locked until the transaction ends)."""
    found = PayrollMonth.objects.select_for_update().filter(project=project, month=month).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            _new_month(project, month).save()
    except IntegrityError:
        pass  # opened at the same moment by the sweep or another upload
    return PayrollMonth.objects.select_for_update().get(project=project, month=month)


def project_months(project: Project, *, today: datetime.date) -> list[datetime.date]:
    """The months a payroll is due for, oldest first: from the month the project started to the last
    month that has ended (or the month it was completed). None before it has started."""
    if project.start_date is None or project.status == ProjectStatus.PLANNED:
        return []
    last = add_months(month_start(today), -1)
    if project.actual_end_date is not None:
        last = min(last, month_start(project.actual_end_date))
    months, month = [], month_start(project.start_date)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


# --- checking an upload ------------------------------------------------------------------------------------


def _row_problems(rows: list[PayrollInput], *, today: datetime.date) -> tuple[list, dict[int, str]]:
    """Each row's problems as (row, key, message), and the rows' blind indexes (by row)."""
    problems: list[tuple[int, str, str]] = []
    indexes: dict[int, str] = {}
    seen: dict[str, int] = {}
    for r in rows:
        name = (r.name or "").strip()
        r.name = name
        if not name:
            problems.append((r.row, "name", _("请填写姓名")))
        elif len(name) > 50:
            problems.append((r.row, "name", _("姓名不超过 50 字")))
        try:
            r.id_number = validate_id_number(r.id_number, today=today)
        except ValidationError as exc:
            problems.append((r.row, "id_number", exc.messages[0]))
        else:
            index = blind_index(r.id_number, purpose="id_number")
            if index in seen:
                problems.append(
                    (
                        r.row,
                        "id_number",
                        _("与第 %(n)d 行是同一劳动者（身份证号相同），同一月份每人只能有一行")
                        % {"n": seen[index]},
                    )
                )
            else:
                seen[index] = r.row
                indexes[r.row] = index
        try:
            days = Decimal(r.days if r.days is not None else 0)
        except (InvalidOperation, TypeError, ValueError):
            days = Decimal(-1)
        if not days.is_finite() or days < 0 or days > MAX_DAYS or days != days.quantize(Decimal("0.1")):
            problems.append((r.row, "days", _("出勤天数应为 0 至 31 之间的数，最多一位小数")))
        for key in ("due", "paid"):
            value = getattr(r, key)
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append((r.row, key, _("金额格式不正确")))
            elif value < 0:
                problems.append((r.row, key, _("金额不能为负数")))
            elif value > MAX_FEN:
                problems.append((r.row, key, _("金额超出合理范围（单人单月不超过 1 亿元），请核对")))
        if r.paid_on is not None and r.paid_on > today:
            problems.append((r.row, "paid_on", _("发放日期不能晚于今天")))
    return problems, indexes


def _month_problems(
    project: Project, month: datetime.date, contractor_uscc: str | None, *, today: datetime.date
) -> list[tuple[int, str, str]]:
    problems: list[tuple[int, str, str]] = []
    if month >= month_start(today):
        problems.append(
            (0, "month", _("%(m)s 尚未结束，只能报送已结束月份的工资表") % {"m": f"{month:%Y年%m月}"})
        )
    elif project.start_date is not None and month < month_start(project.start_date):
        problems.append(
            (
                0,
                "month",
                _("%(m)s 早于项目开工（%(s)s）")
                % {"m": f"{month:%Y年%m月}", "s": f"{project.start_date:%Y-%m-%d}"},
            )
        )
    contractor = project.general_contractor
    if contractor is None:
        problems.append((0, "contractor", _("本项目尚未登记施工总承包单位，不能报送总包代发工资表")))
    elif contractor_uscc:
        code = normalize_uscc(contractor_uscc)
        if code != contractor.uscc:
            problems.append(
                (
                    0,
                    "contractor",
                    _("代发单位“%(c)s”不是本项目的施工总承包单位（%(g)s），请核对是否为其他项目的工资表")
                    % {"c": contractor_uscc, "g": contractor.uscc},
                )
            )
    return problems


def _stretches(project: Project, month: datetime.date) -> list[payroll_check.Stretch]:
    first, last = month, payroll_check.month_end(month)
    return [
        payroll_check.Stretch(pk, name, index, start, leave)
        for pk, name, index, start, leave in RosterEntry.objects.filter(
            Q(leave_date__isnull=True) | Q(leave_date__gte=first), project=project, start_date__lte=last
        ).values_list("pk", "name", "id_number_index", "start_date", "leave_date")
    ]


def payroll_submit(
    *,
    actor: User,
    project: Project,
    month: datetime.date,
    rows: list[PayrollInput],
    door: str = Door.SCREEN,
    contractor_uscc: str | None = None,
    dry_run: bool = False,
    file_name: str = "",
) -> Submitted:
    """Check a month's payroll against the roster and, unless ``dry_run``, keep it as the month's next
    version with its lines and findings, move the month to 按时足额 or 有差异, and raise the
    未足额 signal when the pay day has passed and workers are unpaid (once per month).

    Refused, naming each row and column and writing nothing (:class:`PayrollRefused`): an invalid ID
    number, a negative or absurd amount, days outside 0–31, a date paid after today, the same worker
    twice, a month not yet ended or before the project started, a 代发单位 that is not the project's
    general contractor, an empty payroll."""
    if not may_manage(actor, project) or not (
        is_system(actor) or Project.objects.for_user(actor).filter(pk=project.pk).exists()
    ):
        raise PermissionDenied(_("只有联席办或本项目的行业主管部门可以报送工资发放表"))
    today = timezone.localdate()
    month = month_start(month)
    problems = _month_problems(project, month, contractor_uscc, today=today)
    if not rows:
        problems.append((0, "rows", _("工资表没有数据行")))
    row_problems, indexes = _row_problems(rows, today=today)
    problems += row_problems
    if problems:
        raise PayrollRefused(problems)
    existing = PayrollMonth.objects.filter(project=project, month=month).first()
    if existing is not None:
        pay_day, report_day, basis = existing.pay_due_on, existing.report_due_on, existing.basis
    else:
        pay_day, report_day, basis = month_dates(month)
    checked = [
        payroll_check.Row(r.row, r.name, indexes[r.row], Decimal(r.days or 0), r.due, r.paid, r.paid_on)
        for r in rows
    ]
    outcome = payroll_check.check(
        roster=_stretches(project, month), rows=checked, month=month, pay_due_on=pay_day
    )
    result = Submitted(
        project=project,
        month=month,
        pay_due_on=pay_day,
        report_due_on=report_day,
        basis=basis,
        outcome=outcome,
        dry_run=dry_run,
    )
    if dry_run:
        return result
    now = timezone.now()
    contractor = project.general_contractor
    assert contractor is not None  # refused above otherwise
    with transaction.atomic(), acting(actor):
        pm = _open_month(project, month)
        result.pay_due_on, result.report_due_on, result.basis = pm.pay_due_on, pm.report_due_on, pm.basis
        version = (
            Payroll.objects.filter(project=project, month=month).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        payroll = Payroll.objects.create(
            project=project,
            month=month,
            version=version,
            contractor=contractor,
            door=door,
            status=outcome.status,
            rows=outcome.rows,
            due_total=outcome.due_total,
            paid_total=outcome.paid_total,
            short_workers=outcome.short_workers,
            short_amount=outcome.short_amount,
            missing_workers=outcome.missing_workers,
            late_workers=outcome.late_workers,
            unrostered_workers=outcome.unrostered_workers,
            basis={**pm.basis, "on_roster": outcome.on_roster},
            file_name=(file_name or "")[:200],
            uploaded_by=actor,
            uploaded_at=now,
        )
        lines = PayrollLine.objects.bulk_create(
            [
                PayrollLine(
                    payroll=payroll,
                    row=r.row,
                    roster_id=outcome.roster_of.get(r.row),
                    name=r.name,
                    id_number=r.id_number,
                    id_number_index=indexes[r.row],
                    days=Decimal(r.days or 0),
                    due=r.due,
                    paid=r.paid,
                    paid_on=r.paid_on,
                )
                for r in rows
            ],
            batch_size=1000,
        )
        if not all(line.pk for line in lines):  # a backend that does not return keys from bulk_create
            lines = list(PayrollLine.objects.filter(payroll=payroll))
        line_of = {line.row: line.pk for line in lines}
        Finding.objects.bulk_create(
            [
                Finding(
                    payroll=payroll,
                    kind=f.kind,
                    roster_id=f.roster_id,
                    line_id=line_of.get(f.row) if f.row is not None else None,
                    name=f.name,
                    due=f.due,
                    paid=f.paid,
                    paid_on=f.paid_on,
                    text=f.text[:300],
                )
                for f in outcome.findings
            ],
            batch_size=1000,
        )
        action = MonthAction.OK if outcome.status == MonthStatus.OK else MonthAction.DIFF
        late = today > pm.report_due_on
        note = f"第 {version} 版（{payroll.get_door_display()}）：{_summary(outcome)}" + (
            f"；逾期报送（报送期限 {pm.report_due_on:%Y-%m-%d}）" if late else ""
        )
        MONTHS.move(
            pm,
            MONTHS.step(pm, action),
            actor=actor,
            note=note,
            values={"payroll": payroll},
            event={"payroll": payroll},
            now=now,
        )
        result.payroll, result.payroll_month = payroll, pm
        if today > pm.pay_due_on:
            result.signal = _raise_short(pm, payroll, now=now)
    return result


def _summary(outcome: payroll_check.Outcome) -> str:
    if outcome.status == MonthStatus.OK:
        return f"{outcome.rows} 人，按时足额"
    parts = [f"{outcome.rows} 人"]
    if outcome.short_workers:
        parts.append(f"未足额 {outcome.short_workers} 人、少发 {format_yuan(outcome.short_amount)} 元")
    if outcome.missing_workers:
        parts.append(f"在册未发放 {outcome.missing_workers} 人")
    if outcome.late_workers:
        parts.append(f"逾期发放 {outcome.late_workers} 人")
    if outcome.unrostered_workers:
        parts.append(f"未在花名册 {outcome.unrostered_workers} 人")
    return "，".join(parts)


# --- signals ------------------------------------------------------------------------------------------------


def _record_signal(
    pm: PayrollMonth, *, kind: str, workers: int, amount: int, summary: str, now: datetime.datetime
) -> Signal:
    """One signal on the project's general contractor, through intake's services (by the system)."""
    from anxin.intake.services import Incoming, signals_record

    project = pm.project
    contractor = project.general_contractor
    channel = Channel.objects.filter(code=CHANNEL).first()
    if channel is None:
        raise DomainError(_("信息渠道“%(c)s”未配置（区配置文件 channels），无法推送线索") % {"c": CHANNEL})
    facts = {
        "kind": kind,
        "received_at": now,
        "workers": workers,
        "amount": amount,
        "months_owed": 1 if kind == SignalKind.PAYROLL_SHORT else 0,
        "period": f"{pm.month:%Y年%m月}",
        "summary": summary,
        "project": project,
        "project_name": project.name[:150],
        "enterprise": contractor,
        "employer_name": contractor.name if contractor else "",
        "employer_uscc": contractor.uscc if contractor else "",
    }
    reference = f"payroll:{project.pk}:{pm.month:%Y-%m}:{kind}"
    recorded = signals_record(
        actor=system_actor(),
        items=[Incoming(channel=channel, facts=facts, reference=reference)],
        door="payroll",
    )
    return recorded[0].signal


def _raise_short(pm: PayrollMonth, payroll: Payroll, *, now: datetime.datetime) -> Signal | None:
    """The 未足额 signal of the month, once: when ``payroll`` shows workers unpaid."""
    unpaid = payroll.short_workers + payroll.missing_workers
    if not unpaid or pm.short_signal_id:
        return None
    project = pm.project
    parts = []
    if payroll.short_workers:
        parts.append(f"{payroll.short_workers} 人未足额发放，少发合计 {format_yuan(payroll.short_amount)} 元")
    if payroll.missing_workers:
        parts.append(f"{payroll.missing_workers} 人在实名制花名册中但未列入工资表")
    summary = (
        f"{project.name} {pm.month:%Y年%m月}总包代发工资表（第 {payroll.version} 版）核对："
        + "；".join(parts)
        + f"。发放期限 {pm.pay_due_on:%Y-%m-%d}（{_clause(pm.basis, 'pay_day')}）。请属地和行业主管部门核实。"
    )
    signal = _record_signal(
        pm,
        kind=SignalKind.PAYROLL_SHORT,
        workers=unpaid,
        amount=payroll.short_amount,
        summary=summary,
        now=now,
    )
    if (
        guarded_update(PayrollMonth.objects.filter(short_signal__isnull=True), pm.pk, short_signal=signal)
        == 1
    ):
        pm.short_signal = signal
    return signal


def _clause(basis: dict, key: str) -> str:
    item = basis.get(key) or {}
    return f"参数 {item.get('code', '')}={item.get('value', '')}，{item.get('citation', '')}"


def _mark_missing(pm: PayrollMonth, *, actor: User, now: datetime.datetime) -> Signal | None:
    with transaction.atomic():
        pm = (
            PayrollMonth.objects.select_for_update(of=("self",))
            .select_related("project__general_contractor")
            .get(pk=pm.pk)
        )
        if pm.status != MonthStatus.PENDING or pm.payroll_id:
            return None
        on_roster = len({s.index for s in _stretches(pm.project, pm.month)})
        MONTHS.move(
            pm,
            MONTHS.step(pm, MonthAction.MISS),
            actor=actor,
            note=f"报送期限 {pm.report_due_on:%Y-%m-%d}（{_clause(pm.basis, 'report_day')}）已过，未报送工资表",
            now=now,
        )
        if pm.missing_signal_id or pm.project.general_contractor is None:
            return None
        signal = _record_signal(
            pm,
            kind=SignalKind.PAYROLL_MISSING,
            workers=on_roster,
            amount=0,
            summary=(
                f"{pm.project.name} {pm.month:%Y年%m月}总包代发工资表应于 {pm.report_due_on:%Y-%m-%d} 前报送"
                f"（{_clause(pm.basis, 'report_day')}），逾期未报送；当月实名制花名册在场 {on_roster} 人。"
                "请属地和行业主管部门核实工资是否按时足额发放。"
            ),
            now=now,
        )
        guarded_update(PayrollMonth.objects.filter(missing_signal__isnull=True), pm.pk, missing_signal=signal)
        return signal


# --- the sweep ----------------------------------------------------------------------------------------------


def payroll_months_sweep(*, now: datetime.datetime | None = None) -> int:
    """``manage.py tick``: open each started project's months as they end; mark a month with no payroll
    after its report day 未报送 and raise its signal once; raise the 未足额 signal of a month whose pay
    day has passed with workers unpaid. Idempotent. Returns how many things it did."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_actor()
    done = 0
    projects = list(
        Project.objects.exclude(status=ProjectStatus.PLANNED).filter(
            start_date__isnull=False, start_date__lt=month_start(today)
        )
    )
    have = set(
        PayrollMonth.objects.filter(project__in=[p.pk for p in projects]).values_list("project_id", "month")
    )
    fresh: list[PayrollMonth] = []
    late: list[PayrollMonth] = []
    for project in projects:
        for month in project_months(project, today=today):
            if (project.pk, month) in have:
                continue
            row = _new_month(project, month)
            if row.report_due_on < today:  # opened after its report day: 未报送, no signal
                row.status = MonthStatus.MISSING
                late.append(row)
            fresh.append(row)
    if fresh:
        with transaction.atomic(), acting(actor):
            PayrollMonth.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
            if late:
                opened = PayrollMonth.objects.filter(
                    project__in={r.project_id for r in late},
                    month__in={r.month for r in late},
                    status=MonthStatus.MISSING,
                    payroll__isnull=True,
                    missing_signal__isnull=True,
                ).exclude(events__isnull=False)
                PayrollMonthEvent.objects.bulk_create(
                    [
                        PayrollMonthEvent(
                            month=pm,
                            action=MonthAction.MISS,
                            from_status=MonthStatus.PENDING,
                            to_status=MonthStatus.MISSING,
                            actor=actor,
                            at=now,
                            note=f"补建月份：报送期限 {pm.report_due_on:%Y-%m-%d} 已过、未报送（补建时已逾期，不推送线索）",
                        )
                        for pm in opened
                    ]
                )
        done += len(fresh)
    with acting(actor):
        for pm in PayrollMonth.objects.filter(
            status=MonthStatus.PENDING, payroll__isnull=True, report_due_on__lt=today
        ).order_by("pk"):
            _mark_missing(pm, actor=actor, now=now)
            done += 1
        for pm in (
            PayrollMonth.objects.filter(
                short_signal__isnull=True, pay_due_on__lt=today, payroll__isnull=False
            )
            .filter(Q(payroll__short_workers__gt=0) | Q(payroll__missing_workers__gt=0))
            .select_related("project__general_contractor", "payroll")
            .order_by("pk")
        ):
            with transaction.atomic():
                locked = PayrollMonth.objects.select_for_update().get(pk=pm.pk)
                if locked.short_signal_id or locked.payroll_id != pm.payroll_id or pm.payroll is None:
                    continue
                if _raise_short(pm, pm.payroll, now=now) is not None:
                    done += 1
    return done
