"""Findings (认定问题, §五(三)): a problem the office records against a unit in a year — from a trace,
from a spot check (the spot-check part calls ``record_finding`` too) or on its own knowledge — with
the deduction it proposes (counted by the ``findings`` measure of a deduction item) and, optionally,
the veto condition it meets (which proposes a veto at once). The unit is told; a finding is withdrawn
with a reason, never deleted, and a veto proposal made from it still waiting is rejected with that
reason. Once the year's finalisation opened (``deductions_fixed``), a finding with a deduction is not
recorded or withdrawn — the final scores are published and would not follow; the office adjusts a
line through its answer to an objection — while a finding of no points (one that only proposes a
veto) still is."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import access, measures
from anxin.assessment.models import (
    AssessmentYear,
    Finding,
    FindingSource,
    FindingStatus,
    SpotCheckItem,
    Trace,
    VetoCondition,
    YearStatus,
)
from anxin.core.audit import acting, guarded_update
from anxin.core.errors import DomainError
from anxin.notify.services import notify_units
from anxin.org.models import Unit, User

CLAUSE = "§五(三) 确立责任倒查、细化考核标准"
MAX_DEDUCTION = Decimal("100")
OFFICE_ONLY = "只有联席办可以认定或撤销问题"
NUMBER_TRIES = 3


def finding_url(finding: Finding) -> str:
    return reverse("assessment-finding", args=[finding.pk])


def deductions_fixed(year: int) -> str:
    """Why a finding's deduction can no longer be added or withdrawn for ``year`` (empty: it can). Once
    the finalisation opened, the final scores were computed and published: a finding's deduction would
    not reach them, so the office adjusts a line through its answer to an objection instead."""
    state = AssessmentYear.objects.filter(year=year).only("status").first()
    if state is None or state.status == YearStatus.OPEN:
        return ""
    if state.status == YearStatus.LOCKED:
        return f"{year} 年度考核结果已锁定，扣分不再变动。"
    return f"{year} 年度考核已开始终评，扣分不再变动；如需调整，请通过异议答复。"


def _next_number(year: int) -> str:
    prefix = f"RD-{year}-"
    last = (
        Finding.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


def _deduction(value: object) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("建议扣分须为数字", field="deduction") from None
    if amount < 0:
        raise DomainError("建议扣分不能为负数", field="deduction")
    if amount > MAX_DEDUCTION:
        raise DomainError(f"建议扣分不超过 {MAX_DEDUCTION} 分", field="deduction")
    return amount


def record_finding(
    *,
    unit: Unit,
    year: int,
    source: str,
    text: str,
    deduction: object,
    actor: User,
    trace: Trace | None = None,
    spot_item: SpotCheckItem | None = None,
    veto_condition: VetoCondition | None = None,
) -> Finding:
    """Record a finding against ``unit`` for ``year`` (the office; a spot-check finding by whoever runs
    spot checks). A trace finding names a unit the trace names; a veto condition proposes a veto
    (``vetoes.propose_from_finding``) in the same transaction. The unit is told after commit."""
    if not (
        access.may_manage(actor) or (source == FindingSource.SPOT_CHECK and access.may_run_spot_checks(actor))
    ):
        raise PermissionDenied(OFFICE_ONLY)
    if source not in FindingSource.values:
        raise DomainError("问题来源不正确", field="source")
    if access.group_of(unit) is None:
        raise DomainError(f"{unit.name}不是被考核单位", field="unit")
    text = (text or "").strip()
    if not text:
        raise DomainError("请写明认定的问题", field="text")
    if len(text) > 5000:
        raise DomainError("问题不超过 5000 字", field="text")
    amount = _deduction(deduction)
    if not (2000 <= int(year) <= 2100):
        raise DomainError("考核年度不正确", field="year")
    if source == FindingSource.TRACE:
        if trace is None:
            raise DomainError("来源为责任倒查的问题须指明倒查记录", field="trace")
        if not trace.units.filter(pk=unit.pk).exists():
            raise DomainError(f"责任倒查 {trace.number} 未涉及{unit.name}", field="unit")
    if source == FindingSource.SPOT_CHECK and spot_item is None:
        raise DomainError("来源为不定期抽查的问题须指明抽查事项", field="spot_item")
    if veto_condition is not None and not veto_condition.active:
        raise DomainError(f"一票否决情形“{veto_condition.name}”已停用", field="veto_condition")
    from anxin.assessment.services import vetoes

    if veto_condition is not None and vetoes.year_locked(int(year)):
        raise DomainError(f"{year} 年度考核已锁定，不能再提出一票否决", code="locked")
    if amount:
        fixed = deductions_fixed(int(year))
        if fixed:
            raise DomainError(fixed, field="deduction", code="locked")
    for attempt in range(NUMBER_TRIES):
        try:
            with transaction.atomic(), acting(actor):
                finding = Finding.objects.create(
                    number=_next_number(int(year)),
                    year=int(year),
                    unit=unit,
                    source=source,
                    trace=trace,
                    spot_item=spot_item,
                    text=text,
                    deduction=amount,
                    veto_condition=veto_condition,
                    recorded_by=actor,
                )
                if veto_condition is not None:
                    vetoes.propose_from_finding(finding=finding, actor=actor)
                notify_units(
                    unit_ids=[unit.pk],
                    subject=f"{finding.number} 联席办认定问题"
                    + (f"（建议扣 {amount} 分）" if amount else ""),
                    body=text[:300],
                    url=finding_url(finding),
                    topic="assessment-finding",
                    about=unit.name,
                )
            return finding
        except IntegrityError:  # the number taken by another office user meanwhile
            if attempt == NUMBER_TRIES - 1:
                raise DomainError("认定问题编号冲突，请重试", code="conflict") from None
    raise AssertionError("unreachable")


def finding_withdraw(*, finding: Finding, actor: User, reason: str) -> Finding:
    """Withdraw an active finding with the reason (the office); its deduction stops counting and a veto
    proposal made from it still waiting is rejected with the same reason (``veto_confirm`` refuses it
    too). A veto already confirmed from it stands. Refused once the year is locked, and for a finding
    with a deduction once the finalisation opened (``deductions_fixed``)."""
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请写明撤销理由", field="reason")
    if finding.status != FindingStatus.ACTIVE:
        raise DomainError("该问题已撤销", code="transition")
    from anxin.assessment.services import vetoes

    if vetoes.year_locked(finding.year):
        raise DomainError(f"{finding.year} 年度考核已锁定，认定问题不能再撤销", code="locked")
    if finding.deduction:
        fixed = deductions_fixed(finding.year)
        if fixed:
            raise DomainError(fixed, code="locked")
    with transaction.atomic(), acting(actor):
        touched = guarded_update(
            Finding.objects.filter(status=FindingStatus.ACTIVE),
            finding.pk,
            status=FindingStatus.WITHDRAWN,
            withdrawn_reason=reason[:2000],
        )
        if touched != 1:
            raise DomainError("该问题已被他人处理，请刷新后查看", code="conflict")
        vetoes.reject_for_withdrawal(finding=finding, actor=actor, reason=reason)
        notify_units(
            unit_ids=[finding.unit_id],
            subject=f"{finding.number} 认定问题已撤销",
            body=reason[:300],
            url=finding_url(finding),
            topic="assessment-finding",
        )
    finding.refresh_from_db()
    return finding


# --- the measure ``findings`` --------------------------------------------------------------------------


def _compute(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> measures.Result:
    rows = list(
        Finding.objects.filter(
            unit=unit, status=FindingStatus.ACTIVE, year__gte=start.year, year__lte=end.year
        ).order_by("created_at", "pk")
    )
    total = sum((f.deduction for f in rows), Decimal(0))
    records = [
        {
            "kind": "finding",
            "id": f.pk,
            "label": f"{f.number} {f.text[:60]}",
            "url": finding_url(f),
            "unit": unit.code,
            "due": None,
            "done": measures.as_iso(timezone.localdate(f.created_at)),
            "met": False,
            "note": f"{f.get_source_display()}，建议扣 {f.deduction} 分",
        }
        for f in rows
    ]
    return measures.Result(
        value=total,
        numerator=len(rows),
        records=records,
        note=f"有效认定问题 {len(rows)} 项，合计建议扣 {total} 分",
    )


FINDINGS_MEASURE = measures.Measure(
    key="findings",
    label="认定问题扣分（责任倒查、抽查、联席办认定）",
    kind=measures.POINTS,
    clause=CLAUSE,
    formula="本年度对该单位有效（未撤销）的认定问题建议扣分之和",
    compute=_compute,
)


def findings_total(*, unit: Unit, year: int) -> Decimal:
    """What the ``findings`` measure adds up, for a check against the ledger."""
    got = Finding.objects.filter(unit=unit, year=year, status=FindingStatus.ACTIVE).aggregate(
        s=Sum("deduction")
    )
    return got["s"] or Decimal(0)
