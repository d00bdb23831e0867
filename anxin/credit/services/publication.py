"""Publication of major labour-law violations (重大劳动保障违法行为社会公布办法, 人社部令第29号): the period's
draft list gathered from the cases, 人社局's review entry by entry, the publication, the withdrawal of an
entry and its expiry.

A period is ``publication.interval_months`` months aligned to 1 January (a quarter by default). After it
ends, ``tick`` drafts its list once (``XB-GB-<year>-Q<n>``, or ``-P<n>`` for another interval); 人社局 or
the office may gather an ended period on demand, and gathering again adds what is new without
duplicating an entry or bringing back one the reviewer removed. An entry is copied from the records —
the enterprise's name, credit code, address and legal representative, the facts (amounts, workers,
dates) and the handling (the order's reference and date, the referral's acceptance, the case's outcome)
— and ``source`` keeps the record ids and the parameters used.

Classes gathered from the cases (令29 第五条):
（一）WAGES — an order to pay issued in the period on a case whose amount (the confirmed claims when the
      case has claims, else the case's 登记欠薪金额) reaches ``publication.large_arrears_amount``;
（二）REFUSAL — a criminal referral accepted (公安机关受理/立案) in the period;
（七）IMPACT — an incident recorded with serious social impact that occurred in the period.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anxin.cases.models import ActionKind, ActionStatus, ActionStep, Case, Incident, LegalAction
from anxin.core import seam
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan, yuan_echo
from anxin.core.policy import param_record
from anxin.credit import access
from anxin.credit.models import (
    CLASS_CITATIONS,
    DECREE_29,
    BatchStatus,
    EntryStatus,
    PublicationBatch,
    PublicationEntry,
    ViolationClass,
)
from anxin.credit.workflow import BATCHES, DISCARD, EDIT, ENTRIES, GATHER, KEEP, LAPSE, PUBLISH, WITHDRAW
from anxin.monitoring.rules import add_months
from anxin.notify.services import notify_units
from anxin.org.models import Unit, UnitKind, User

logger = logging.getLogger(__name__)

GATHERED = (ViolationClass.WAGES, ViolationClass.REFUSAL, ViolationClass.IMPACT)
SHORT = {
    ViolationClass.WAGES: "第（一）项 拖欠工资数额较大",
    ViolationClass.REFUSAL: "第（二）项 拒不支付移送司法",
    ViolationClass.IMPACT: "第（七）项 造成严重不良社会影响",
}
# Statuses of an entry that has been public (shown read-only to every reader).
WAS_PUBLIC = (EntryStatus.PUBLISHED, EntryStatus.WITHDRAWN, EntryStatus.EXPIRED)
EDITABLE = ("name", "address", "legal_rep", "facts", "handling")
# An ID number (18 characters, the last a digit or X) never goes on a published list.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
REFUSE_AUTHORITY = (
    "只有区人社局（承担失信名单与诚信等级职责的单位）或联席办可以审核、公布重大劳动保障违法行为"
    f"（{DECREE_29}；实施意见 §三(七)）"
)


# --- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One gathering period: ``start``…``end`` (both inclusive), its place in the year, its length."""

    start: datetime.date
    end: datetime.date
    n: int
    months: int

    @property
    def number(self) -> str:
        letter = "Q" if self.months == 3 else "P"
        return f"XB-GB-{self.start.year}-{letter}{self.n}"

    @property
    def label(self) -> str:
        if self.months == 3:
            return f"{self.start.year}年第{self.n}季度"
        if self.months == 12:
            return f"{self.start.year}年度"
        return f"{self.start.year}年第{self.n}期（{self.start.month}月至{self.end.month}月）"


def interval(on: datetime.date) -> int:
    return int(param_record("publication.interval_months", on=on).typed_value)


def period_containing(day: datetime.date, months: int) -> Period:
    """The period of ``months`` months (aligned to 1 January) that holds ``day``; a length that does not
    divide the year leaves a shorter last period ending on 31 December."""
    index = (day.month - 1) // months
    start = datetime.date(day.year, index * months + 1, 1)
    end = min(add_months(start, months), datetime.date(day.year + 1, 1, 1)) - datetime.timedelta(days=1)
    return Period(start=start, end=end, n=index + 1, months=months)


def last_ended_period(today: datetime.date) -> Period:
    """The latest period that has ended before ``today`` (the parameter in force today)."""
    months = interval(today)
    current = period_containing(today, months)
    return period_containing(current.start - datetime.timedelta(days=1), months)


def ended_periods(today: datetime.date, count: int = 8) -> list[Period]:
    """The last ``count`` ended periods, newest first (the on-demand form's choices)."""
    found: list[Period] = []
    period = last_ended_period(today)
    months = period.months
    while len(found) < count:
        found.append(period)
        period = period_containing(period.start - datetime.timedelta(days=1), months)
    return found


def period_of_batch(batch: PublicationBatch) -> Period:
    months = (batch.period_end.year - batch.period_start.year) * 12 + batch.period_end.month
    months -= batch.period_start.month - 1
    n = (batch.period_start.month - 1) // max(months, 1) + 1
    return Period(start=batch.period_start, end=batch.period_end, n=n, months=months)


def _param(code: str, on: datetime.date) -> dict:
    record = param_record(code, on=on)
    return {
        "code": code,
        "value": record.value,
        "unit": record.unit,
        "citation": record.citation,
        "effective_from": f"{record.effective_from:%Y-%m-%d}",
    }


# --- what the records say --------------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _unit_name(unit: Unit | None) -> str:
    return unit.official_name if unit is not None else ""


def _case_amount(case: Case, money: dict[int, seam.CaseMoney]) -> tuple[int, str]:
    """The case's arrears as the records show them: the confirmed claims when the case has claims
    (money), else the 登记欠薪金额 typed on the case."""
    found = money.get(case.pk)
    if found is not None and found.workers:
        return found.confirmed, "money.confirmed"
    return case.amount_claimed, "case.amount_claimed"


def _outcome(case: Case) -> str:
    if case.closed_at and case.outcome:
        return f"该案已于{_day(timezone.localdate(case.closed_at))}结案（{case.get_outcome_display()}）。"
    return "该案正在办理中。"


@dataclass
class Draft:
    """An entry as gathered: the enterprise and case, the class, the words, the records behind it."""

    case: Case
    violation_class: str
    facts: str
    handling: str
    source: dict


def _wages(period: Period, threshold: int) -> list[Draft]:
    orders = (
        LegalAction.objects.filter(
            kind=ActionKind.ORDER, issued_on__gte=period.start, issued_on__lte=period.end
        )
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("case__enterprise", "unit")
        .order_by("case_id", "issued_on", "pk")
    )
    by_case: dict[int, list[LegalAction]] = {}
    for order in orders:
        by_case.setdefault(order.case_id, []).append(order)
    money = seam.case_money(list(by_case))
    drafts = []
    for found in by_case.values():
        case = found[0].case
        amount, amount_source = _case_amount(case, money)
        if amount < threshold:
            continue
        workers = money[case.pk].workers if amount_source == "money.confirmed" else case.workers
        facts = (
            f"拖欠{workers}名劳动者劳动报酬共计{yuan_echo(amount)}"
            f"（案件{case.number}，{_day(timezone.localdate(case.opened_at))}立案）。"
        )
        steps = []
        for order in found:
            assert order.issued_on is not None and order.pay_by is not None  # the query and the constraint
            reference = f"（{order.reference}）" if order.reference else ""
            text = (
                f"{_unit_name(order.unit)}于{_day(order.issued_on)}作出{order.get_document_display() or '责令限期支付'}"
                f"{reference}，责令于{_day(order.pay_by)}前支付劳动报酬{format_yuan(order.amount)}元"
            )
            if order.status == ActionStatus.LAPSED:
                text += "，逾期未履行"
            elif order.status == ActionStatus.DONE:
                text += "，已履行"
            steps.append(text)
        drafts.append(
            Draft(
                case=case,
                violation_class=ViolationClass.WAGES,
                facts=facts,
                handling="；".join(steps) + "。" + _outcome(case),
                source={
                    "case": case.pk,
                    "case_number": case.number,
                    "orders": [o.pk for o in found],
                    "amount": amount,
                    "amount_source": amount_source,
                    "workers": workers,
                },
            )
        )
    return drafts


def _refusals(period: Period) -> list[Draft]:
    steps = (
        ActionStep.objects.filter(
            action__kind=ActionKind.REFERRAL,
            step__in=(ActionStep.Step.ACCEPTED, ActionStep.Step.FILING),
            on__gte=period.start,
            on__lte=period.end,
        )
        .select_related("action__case__enterprise", "action__unit")
        .order_by("action__case_id", "on", "pk")
    )
    by_case: dict[int, ActionStep] = {}
    for step in steps:
        by_case.setdefault(step.action.case_id, step)  # the first acceptance in the period
    drafts = []
    for step in by_case.values():
        referral, case = step.action, step.action.case
        conditions = referral.conditions or {}
        workers = int(conditions.get("workers") or referral.workers or case.workers)
        total = int(conditions.get("total") or referral.amount or case.amount_claimed)
        facts = (
            f"经责令支付仍拒不支付{workers}名劳动者劳动报酬共计{yuan_echo(total)}，"
            f"涉嫌拒不支付劳动报酬罪（案件{case.number}）。"
        )
        requested = _day(timezone.localdate(referral.requested_at))
        handling = f"{requested}移送{_unit_name(referral.unit)}，{_day(step.on)}公安机关受理立案"
        if referral.reference:
            handling += f"（{referral.reference}）"
        handling += "。" + _outcome(case)
        drafts.append(
            Draft(
                case=case,
                violation_class=ViolationClass.REFUSAL,
                facts=facts,
                handling=handling,
                source={
                    "case": case.pk,
                    "case_number": case.number,
                    "referral": referral.pk,
                    "accepted_step": step.pk,
                    "accepted_on": f"{step.on:%Y-%m-%d}",
                    "workers": workers,
                    "amount": total,
                },
            )
        )
    return drafts


def _impacts(period: Period) -> list[Draft]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    incidents = (
        Incident.objects.filter(serious=True, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("case__enterprise")
        .order_by("case_id", "occurred_at", "pk")
    )
    by_case: dict[int, list[Incident]] = {}
    for incident in incidents:
        by_case.setdefault(incident.case_id, []).append(incident)
    drafts = []
    for found in by_case.values():
        case = found[0].case
        lines = []
        for incident in found:
            people = f"，聚集{incident.people}人" if incident.people else ""
            lines.append(
                f"{_day(timezone.localdate(incident.occurred_at))}在{incident.place}发生"
                f"{incident.get_kind_display()}{people}"
            )
        facts = (
            f"拖欠{case.workers}名劳动者劳动报酬{yuan_echo(case.amount_claimed)}，"
            + "；".join(lines)
            + f"，造成严重不良社会影响（案件{case.number}）。"
        )
        handling = f"属地政府和有关部门现场处置，{case.lead_unit.official_name}牵头办理。" + _outcome(case)
        drafts.append(
            Draft(
                case=case,
                violation_class=ViolationClass.IMPACT,
                facts=facts,
                handling=handling,
                source={"case": case.pk, "case_number": case.number, "incidents": [i.pk for i in found]},
            )
        )
    return drafts


def gather_drafts(period: Period, *, on: datetime.date) -> tuple[list[Draft], list[dict]]:
    """What the records of ``period`` give, and the parameters read (in force on ``on``)."""
    threshold = _param("publication.large_arrears_amount", on)
    params = [_param("publication.interval_months", on), threshold]
    drafts = _wages(period, int(threshold["value"])) + _refusals(period) + _impacts(period)
    for draft in drafts:
        draft.source["params"] = [threshold] if draft.violation_class == ViolationClass.WAGES else []
        draft.source["citation"] = CLASS_CITATIONS[draft.violation_class]
        draft.source["period"] = [f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"]
    return drafts, params


# --- writes -----------------------------------------------------------------------------------------


def require_publisher(actor: User) -> None:
    if not access.may_publish(actor):
        raise PermissionDenied(REFUSE_AUTHORITY)


def _require_draft(batch: PublicationBatch, what: str) -> None:
    if batch.status != BatchStatus.DRAFT:
        raise DomainError(
            f"批次 {batch.number} 已于 {batch.published_on:%Y-%m-%d} 公布，不能再{what}"
            f"（{DECREE_29}：公布内容以审核定稿为准）",
            code="transition",
        )


def _notify(batch: PublicationBatch, subject: str, body: str) -> None:
    units = [u.pk for u in access.authority_units()]
    units += list(Unit.objects.filter(kind=UnitKind.OFFICE).values_list("pk", flat=True))
    notify_units(
        unit_ids=units,
        subject=subject,
        body=body,
        url=reverse("credit-publication-batch", args=[batch.pk]),
        topic="credit-publication",
        about=batch.number,
    )


def batch_gather(
    *, actor: User, period_start: datetime.date, now: datetime.datetime | None = None
) -> tuple[PublicationBatch, int]:
    """Draft (or add to) the list of the period that starts on ``period_start``: returns the batch and
    how many entries were added. The period must have ended and be one of the periods the parameter
    in force defines; a published list is not gathered again."""
    require_publisher(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    months = interval(today)
    period = period_containing(period_start, months)
    if period.start != period_start:
        raise DomainError(
            f"统计期须从{months}个月周期的首日开始（{period.start:%Y-%m-%d}），"
            f"参数 publication.interval_months={months}（{DECREE_29}）",
            field="period",
        )
    if period.end >= today:
        raise DomainError(
            f"统计期 {period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d} 尚未结束，"
            f"期满后方可汇总（{DECREE_29}：按期向社会公布）",
            field="period",
        )
    try:
        return _gather(actor=actor, period=period, now=now)
    except IntegrityError as exc:  # the same period drafted at the same moment (tick, or a colleague)
        raise DomainError(
            f"{period.label}的名单正由他人（或定时任务）同时生成，请刷新后查看", code="conflict"
        ) from exc


def _gather(*, actor: User, period: Period, now: datetime.datetime) -> tuple[PublicationBatch, int]:
    today = timezone.localdate(now)
    with transaction.atomic(), acting(actor):
        batch = PublicationBatch.objects.select_for_update().filter(period_start=period.start).first()
        if batch is not None and batch.period_end != period.end:
            raise DomainError(
                f"已有批次 {batch.number} 从 {period.start:%Y-%m-%d} 开始，统计截止日不同（周期参数已调整），"
                "请核对后再汇总",
                field="period",
            )
        if batch is not None:
            _require_draft(batch, "重新汇总")
        overlap = (
            PublicationBatch.objects.filter(period_start__lte=period.end, period_end__gte=period.start)
            .exclude(period_start=period.start)
            .first()
        )
        if overlap is not None:
            raise DomainError(
                f"统计期 {period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d} 与已有批次 {overlap.number}"
                f"（{overlap.period_start:%Y-%m-%d} 至 {overlap.period_end:%Y-%m-%d}）重叠：同一违法行为不得重复公布，"
                "请核对参数 publication.interval_months 的调整",
                field="period",
            )
        drafts, params = gather_drafts(period, on=today)
        created = batch is None
        if batch is None:
            batch = PublicationBatch.objects.create(
                number=period.number,
                period_start=period.start,
                period_end=period.end,
                drafted_at=now,
                drafted_by=actor,
                params=params,
            )
        have = set(batch.entries.values_list("enterprise_id", "violation_class", "case_id"))
        added = 0
        for draft in drafts:
            case = draft.case
            key = (case.enterprise_id, draft.violation_class, case.pk)
            if key in have:
                continue  # never twice, and a removed entry stays removed
            e = case.enterprise
            PublicationEntry.objects.create(
                batch=batch,
                case=case,
                enterprise=e,
                violation_class=draft.violation_class,
                name=e.name,
                uscc=e.uscc,
                address=e.address,
                legal_rep=e.legal_rep,
                facts=draft.facts,
                handling=draft.handling,
                source=draft.source,
            )
            have.add(key)
            added += 1
        by_class = {c: sum(1 for d in drafts if d.violation_class == c) for c in GATHERED}
        note = (
            f"{period.label}（{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}）："
            + ("生成待公布名单" if created else "重新汇总")
            + f"，新增 {added} 条"
            + "（"
            + "，".join(f"{SHORT[c]} {n} 条" for c, n in by_class.items())
            + "）；“数额较大”标准 "
            + f"{format_yuan(int(params[1]['value']))} 元（参数 publication.large_arrears_amount，"
            + f"{params[1]['citation']}）"
        )
        BATCHES.record(batch, GATHER, actor=actor, note=note[:2000], at=now)
        if not created:  # the parameters of each gathering stay on the batch
            again = [{**p, "regathered_on": f"{today:%Y-%m-%d}"} for p in params]
            guarded_update(PublicationBatch.objects.all(), batch.pk, params=[*batch.params, *again])
        if added:
            _notify(batch, f"重大劳动保障违法行为待公布名单 {batch.number} 新增 {added} 条，请审核", note)
    batch.refresh_from_db()
    return batch, added


def batches_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: draft the list of the last ended period once (nothing if it exists)."""
    now = now or timezone.now()
    period = last_ended_period(timezone.localdate(now))
    if PublicationBatch.objects.filter(period_start=period.start).exists():
        return 0
    try:
        _gather(actor=system_actor(), period=period, now=now)
    except IntegrityError:  # another tick drafted it at the same moment
        return 0
    except DomainError as exc:  # a period overlapping an earlier list (the interval was changed)
        logger.warning("publication: %s not drafted: %s", period.number, exc.message)
        return 0
    return 1


def _require_entry_draft(entry: PublicationEntry, what: str) -> None:
    _require_draft(entry.batch, what)


def entry_keep(*, actor: User, entry: PublicationEntry, note: str = "") -> PublicationEntry:
    """审核保留: the entry goes on the list to publish."""
    require_publisher(actor)
    _require_entry_draft(entry, "审核")
    now = timezone.now()
    step = ENTRIES.step(entry, KEEP)
    note = (note or "").strip()
    ENTRIES.move(
        entry,
        step,
        event={"entry": entry},
        actor=actor,
        note=f"{entry.name}（{entry.get_violation_class_display()}）" + (f"：{note}" if note else ""),
        values={"reviewed_at": now, "reviewed_by": actor, "review_note": note},
        scope=PublicationEntry.objects.filter(batch__status=BatchStatus.DRAFT),
        now=now,
    )
    return entry


def entry_discard(*, actor: User, entry: PublicationEntry, reason: str) -> PublicationEntry:
    """审核删除, with the reason (kept on the entry and in the history)."""
    require_publisher(actor)
    _require_entry_draft(entry, "审核")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            f"删除须写明理由（{DECREE_29}：公布信息须客观真实，删除的理由留档备查）", field="reason"
        )
    now = timezone.now()
    step = ENTRIES.step(entry, DISCARD)
    ENTRIES.move(
        entry,
        step,
        event={"entry": entry},
        actor=actor,
        note=f"{entry.name}（{entry.get_violation_class_display()}）：{reason}",
        values={"reviewed_at": now, "reviewed_by": actor, "review_note": reason},
        scope=PublicationEntry.objects.filter(batch__status=BatchStatus.DRAFT),
        now=now,
    )
    return entry


def _field_label(name: str) -> str:
    return str(cast(models.Field, PublicationEntry._meta.get_field(name)).verbose_name)


def _field_limit(name: str) -> int | None:
    return cast(models.Field, PublicationEntry._meta.get_field(name)).max_length


def id_number_problem(text: str) -> str:
    if ID_NUMBER_RE.search(text or ""):
        return "公布内容不得含有身份证号码（个人信息保护法 第二十八条；人社部令第29号 仅公布法定代表人或负责人姓名）"
    return ""


def entry_edit(*, actor: User, entry: PublicationEntry, reason: str = "", **fields: str) -> PublicationEntry:
    """Change what is published (name, address, legal representative, facts, handling) while the batch
    is a draft; the history records each field's old and new words."""
    require_publisher(actor)
    _require_entry_draft(entry, "修改公布内容")
    if entry.status not in (EntryStatus.PENDING, EntryStatus.KEPT, EntryStatus.REMOVED):
        raise ENTRIES.refusal(entry, EDIT)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(f"不能修改：{'、'.join(sorted(unknown))}")
    changes: dict[str, str] = {}
    for name, value in fields.items():
        value = (value or "").strip()
        label, limit = _field_label(name), _field_limit(name)
        if not value:
            raise DomainError(f"{label}不能为空（{DECREE_29} 第六条）", field=name)
        if limit and len(value) > limit:
            raise DomainError(f"{label}不超过 {limit} 字", field=name)
        problem = id_number_problem(value)
        if problem:
            raise DomainError(problem, field=name)
        if value != getattr(entry, name):
            changes[name] = value
    if not changes:
        raise DomainError("公布内容没有变化", code="invalid")
    lines = [f"{_field_label(n)}：“{getattr(entry, n)}” → “{v}”" for n, v in changes.items()]
    reason = (reason or "").strip()
    with transaction.atomic(), acting(actor):
        touched = guarded_update(
            PublicationEntry.objects.filter(status=entry.status, batch__status=BatchStatus.DRAFT),
            entry.pk,
            **changes,
        )
        if touched != 1:
            raise DomainError("该公布信息已被他人处理，请刷新后查看", code="conflict")
        ENTRIES.record(
            entry,
            EDIT,
            actor=actor,
            note=f"{entry.name}：" + "；".join(lines) + (f"（理由：{reason}）" if reason else ""),
            source=entry.status,
            target=entry.status,
            entry=entry,
        )
    entry.refresh_from_db()
    return entry


def visible_until(published_on: datetime.date) -> tuple[datetime.date, dict]:
    """The last day on the public page: ``publication.keep_months`` months from publication, less a day."""
    keep = _param("publication.keep_months", published_on)
    return add_months(published_on, int(keep["value"])) - datetime.timedelta(days=1), keep


def batch_publish(
    *, actor: User, batch: PublicationBatch, now: datetime.datetime | None = None
) -> PublicationBatch:
    """Publish the kept entries: refused while an entry awaits review or when nothing is kept."""
    require_publisher(actor)
    _require_draft(batch, "公布")
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), acting(actor):
        PublicationBatch.objects.select_for_update().filter(pk=batch.pk).first()
        pending = batch.entries.filter(status=EntryStatus.PENDING).count()
        if pending:
            raise DomainError(
                f"尚有 {pending} 条未经审核的信息，不能公布：每条信息须经区人社局审核保留或删除后方可公布"
                f"（{DECREE_29}）",
                code="guard",
            )
        kept = list(batch.entries.filter(status=EntryStatus.KEPT).order_by("name", "pk"))
        if not kept:
            raise DomainError(
                f"本批次没有审核保留的信息，无可公布（{DECREE_29} 第五条：仅公布经查处的重大违法行为）",
                code="guard",
            )
        until, keep = visible_until(today)
        basis = (
            f"公布期限 {keep['value']} 个月（参数 publication.keep_months={keep['value']}，"
            f"{keep['effective_from']} 起；{keep['citation']}），显示至 {until:%Y-%m-%d}"
        )
        BATCHES.move(
            batch,
            BATCHES.step(batch, PUBLISH),
            actor=actor,
            note=f"公布 {len(kept)} 条；{basis}",
            values={
                "published_on": today,
                "published_by": actor,
                "params": [*batch.params, {**keep, "published_on": f"{today:%Y-%m-%d}"}],
            },
            now=now,
        )
        for entry in kept:
            ENTRIES.move(
                entry,
                ENTRIES.step(entry, PUBLISH),
                event={"entry": entry},
                actor=actor,
                note=f"{entry.name}：公布至 {until:%Y-%m-%d}",
                values={"published_on": today, "visible_until": until},
                now=now,
            )
        _notify(batch, f"重大劳动保障违法行为 {batch.number} 已公布 {len(kept)} 条", basis)
    batch.refresh_from_db()
    return batch


def entry_withdraw(*, actor: User, entry: PublicationEntry, reason: str) -> PublicationEntry:
    """Take a published entry off the public page at once, with the reason."""
    require_publisher(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("撤下须写明理由（如信用修复、复议撤销原处理决定）", field="reason")
    today = timezone.localdate()
    ENTRIES.move(
        entry,
        ENTRIES.step(entry, WITHDRAW),
        event={"entry": entry},
        actor=actor,
        note=f"{entry.name}：{reason}",
        values={"ended_on": today},
    )
    return entry


def entries_lapse(*, now: datetime.datetime | None = None) -> int:
    """``tick``: entries whose last day has passed come off (期满); the public page already hides them
    by date, so the list and the page agree the same day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    for entry in PublicationEntry.objects.filter(status=EntryStatus.PUBLISHED, visible_until__lt=today):
        assert entry.visible_until is not None
        try:
            ENTRIES.move(
                entry,
                ENTRIES.step(entry, LAPSE),
                event={"entry": entry},
                actor=actor,
                note=f"{entry.name}：公布期满（显示至 {entry.visible_until:%Y-%m-%d}）",
                values={"ended_on": entry.visible_until + datetime.timedelta(days=1)},
                now=now,
            )
        except DomainError:
            continue  # withdrawn meanwhile
        count += 1
    return count


def public_filter(on: datetime.date) -> Q:
    """Entries on the public page on ``on``: published, from their publication day to their last day."""
    return Q(status=EntryStatus.PUBLISHED, published_on__lte=on, visible_until__gte=on)


def mask_id_numbers(text: Any) -> str:
    """Belt and braces for the public page: any ID-number-like run is starred."""
    return ID_NUMBER_RE.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], str(text or ""))


def public_listings_refresh(*, now: datetime.datetime | None = None) -> int:
    """Copy, for the internet zone's public page, every listing in force or about to be (its term not
    yet over) as the page prints it (``PublicListing``), and drop the copies of the others (ended,
    removed, revoked, expired); only what changed. Returns how many copies were written or dropped."""
    from django.db.models import Prefetch

    from anxin.credit.models import IN_FORCE, ListedPerson, Listing, PublicListing

    now = now or timezone.now()
    today = timezone.localdate(now)
    known = {c.listing_id: c for c in PublicListing.objects.all()}
    listings = (
        Listing.objects.filter(status__in=IN_FORCE, term_start__isnull=False, term_end__gte=today)
        .select_related("enterprise")
        .prefetch_related(
            Prefetch(
                "persons",
                queryset=ListedPerson.objects.only("pk", "listing_id", "role", "name").order_by("pk"),
            )
        )
    )
    creates, updates, seen = [], [], set()
    fields = [
        "name",
        "uscc",
        "condition",
        "persons",
        "decision_reference",
        "decided_on",
        "term_start",
        "term_end",
    ]
    for listing in listings:
        seen.add(listing.pk)
        values = {
            "name": listing.enterprise.name,
            "uscc": listing.enterprise.uscc,
            "condition": listing.condition,
            "persons": [[p.get_role_display(), p.name] for p in listing.persons.all()],
            "decision_reference": listing.decision_reference,
            "decided_on": listing.decided_on,
            "term_start": listing.term_start,
            "term_end": listing.term_end,
        }
        copy = known.get(listing.pk)
        if copy is None:
            creates.append(PublicListing(listing=listing, refreshed_at=now, **values))
        elif any(getattr(copy, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(copy, key, value)
            copy.refreshed_at = now
            updates.append(copy)
    gone = [pk for pk in known if pk not in seen]
    with transaction.atomic():
        PublicListing.objects.bulk_create(creates, ignore_conflicts=True)
        PublicListing.objects.bulk_update(updates, [*fields, "refreshed_at"])
        PublicListing.objects.filter(listing_id__in=gone).delete()
    return len(creates) + len(updates) + len(gone)
