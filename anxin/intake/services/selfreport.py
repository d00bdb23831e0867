"""Enterprise self-reports of wage arrears (§四(一)): the statutory deadline and its
timeliness, the report with its repayment plan, and the signal it records."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import require_perm
from anxin.core.audit import acting
from anxin.core.calendar import add_working_days
from anxin.core.errors import CalendarMissing, ScopeViolation
from anxin.core.files import atomic_with_files
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.intake.models import Channel, RepaymentInstalment, SelfReport, SignalKind
from anxin.intake.services.facts import MAX_AMOUNT_FEN
from anxin.intake.services.recording import attachment_store, signal_record
from anxin.org.models import User
from anxin.registry.models import Enterprise


def self_report_timeliness(*, arrears_since: datetime.date, reported_on: datetime.date) -> dict:
    """Whether a written report reached 人社局 within ``self_report.deadline_days`` calendar days.

    The day arrears began does not count (the period starts the next day): arrears from
    11月1日 with 5 days → due by 11月6日; a report on 11月6日 is on time, on 11月7日 late. A last
    day that is a holiday or a weekend moves to the next working day (民法典 第二百零三条).
    """
    record = param_record("self_report.deadline_days", on=arrears_since)
    days = int(record.typed_value)
    nominal = arrears_since + datetime.timedelta(days=days)
    evidence = record.as_evidence()
    try:
        # 民法典 第二百零三条: a period ending on a day off ends on the next working day.
        deadline = add_working_days(nominal, 0)
        if deadline != nominal:
            evidence["extended"] = (
                f"期限末日 {nominal:%Y-%m-%d} 为休息日，顺延至 {deadline:%Y-%m-%d}（民法典 第二百零三条）"
            )
    except CalendarMissing:
        deadline = nominal
        evidence["extended"] = f"{nominal.year} 年工作日历尚未维护，未按节假日顺延"
    return {
        "deadline_days": days,
        "deadline": deadline,
        "on_time": reported_on <= deadline,
        "evidence": evidence,
    }


def _plan_key(rows) -> list[tuple]:
    return sorted((row["due_on"], row["amount"], (row.get("note") or "").strip()[:200]) for row in rows)


def _identical_report(
    *, enterprise, arrears_since, reported_on, workers, amount, cause, plan
) -> SelfReport | None:
    """The report already recorded within ``ONCE_SELF_REPORT_WINDOW_HOURS`` that says the same:
    the same enterprise, arrears from the same day, reported the same day, the same workers,
    amount and cause (spacing aside) and the same repayment plan. The scan is not compared: the
    paper is the same report."""
    hours = settings.ONCE_SELF_REPORT_WINDOW_HOURS
    if not hours:
        return None
    candidates = SelfReport.objects.filter(
        enterprise=enterprise,
        arrears_since=arrears_since,
        reported_on=reported_on,
        workers=workers,
        amount=amount,
        created_at__gte=timezone.now() - datetime.timedelta(hours=hours),
    ).order_by("pk")
    words = " ".join(cause.split())
    wanted = _plan_key(plan)
    for report in candidates.prefetch_related("instalments"):
        rows = [{"due_on": i.due_on, "amount": i.amount, "note": i.note} for i in report.instalments.all()]
        if " ".join(report.cause.split()) == words and _plan_key(rows) == wanted:
            return report
    return None


def self_report_record(
    *,
    actor: User,
    enterprise: Enterprise,
    arrears_since: datetime.date,
    reported_on: datetime.date,
    workers: int,
    amount: int,
    cause: str,
    plan: list[dict],
    scan: tuple[str, bytes] | None = None,
) -> SelfReport:
    """Enter an enterprise's written arrears report; judge its timeliness; record the signal.

    The same report submitted again (``_identical_report``: a double click, a retry, two clerks
    entering one paper) is not recorded twice: the first is returned, marked ``repeated``."""
    with atomic_with_files():
        return _self_report_record(
            actor=actor,
            enterprise=enterprise,
            arrears_since=arrears_since,
            reported_on=reported_on,
            workers=workers,
            amount=amount,
            cause=cause,
            plan=plan,
            scan=scan,
        )


def _self_report_record(
    *, actor: User, enterprise, arrears_since, reported_on, workers, amount, cause, plan, scan
):
    require_perm(actor, "intake.add_selfreport")
    if not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ScopeViolation(_("该企业不在您的管辖范围内"), field="enterprise")
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if reported_on > today:
        errors["reported_on"] = _("报告日期不能晚于今天")
    if arrears_since > reported_on:
        errors["arrears_since"] = _("开始拖欠日期不能晚于报告日期")
    if not isinstance(workers, int) or workers < 1 or workers > 100000:
        errors["workers"] = _("涉及人数须为 1 至 100000 的整数")
    if not isinstance(amount, int) or amount <= 0 or amount > MAX_AMOUNT_FEN:
        errors["amount"] = _("拖欠金额须大于零且在合理范围内")
    cause = (cause or "").strip()
    if not cause:
        errors["cause"] = _("请填写拖欠原因")
    if not plan:
        errors["plan"] = _("请填写还款计划（至少一期）")
    total = 0
    for number, step in enumerate(plan or [], start=1):
        due_on, step_amount = step.get("due_on"), step.get("amount")
        if not isinstance(due_on, datetime.date) or due_on < arrears_since:
            errors["plan"] = _("第 %(n)d 期计划支付日期须不早于开始拖欠日期") % {"n": number}
        elif not isinstance(step_amount, int) or step_amount <= 0:
            errors["plan"] = _("第 %(n)d 期计划支付金额须大于零") % {"n": number}
        else:
            total += step_amount
    if "plan" not in errors and "amount" not in errors and total > amount:
        errors["plan"] = _("还款计划合计 %(t)s 元超过拖欠金额 %(a)s 元") % {
            "t": format_yuan(total),
            "a": format_yuan(amount),
        }
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    # One writer per enterprise at a time (a row lock; SQLite's IMMEDIATE transactions already
    # serialise), so two identical submissions at once see each other.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    first = _identical_report(
        enterprise=enterprise,
        arrears_since=arrears_since,
        reported_on=reported_on,
        workers=workers,
        amount=amount,
        cause=cause,
        plan=plan,
    )
    if first is not None:
        first.repeated = True  # type: ignore[attr-defined]  (the caller says "already recorded")
        return first
    timeliness = self_report_timeliness(arrears_since=arrears_since, reported_on=reported_on)
    channel = Channel.objects.get(is_self_report=True)
    received = datetime.datetime.combine(
        reported_on, datetime.time(9, 0), tzinfo=timezone.get_current_timezone()
    )
    occurred = datetime.datetime.combine(
        arrears_since, datetime.time(0, 0), tzinfo=timezone.get_current_timezone()
    )
    verdict = "按时" if timeliness["on_time"] else "逾期"
    recorded = signal_record(
        actor=actor,
        channel=channel,
        door="self_report",
        enterprise=enterprise,
        kind=SignalKind.ARREARS_REPORT,
        received_at=min(received, timezone.now()),
        occurred_at=occurred,
        workers=workers,
        amount=amount,
        summary=f"企业书面报告欠薪（{verdict}报告，应于 {timeliness['deadline']:%Y年%m月%d日} 前）：{cause}",
    )
    report = SelfReport(
        enterprise=enterprise,
        arrears_since=arrears_since,
        reported_on=reported_on,
        workers=workers,
        amount=amount,
        cause=cause,
        deadline_days=timeliness["deadline_days"],
        deadline=timeliness["deadline"],
        on_time=timeliness["on_time"],
        parameter_evidence=timeliness["evidence"],
        signal=recorded.signal,
        created_by=actor,
    )
    with acting(actor):
        if scan is not None:
            report.scan = attachment_store(
                actor=actor, signal=recorded.signal, name=scan[0], content=scan[1], field="scan"
            )
        report.full_clean(exclude=["signal", "created_by", "scan"])
        report.save()
        RepaymentInstalment.objects.bulk_create(
            [
                RepaymentInstalment(
                    report=report, due_on=s["due_on"], amount=s["amount"], note=(s.get("note") or "")[:200]
                )
                for s in plan
            ]
        )
    return report
