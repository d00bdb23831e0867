"""Sensitive periods (敏感时期, §三(一) "在敏感时期启动应急机制"): the office declares one; while it
lasts every town and member department files a daily report (零报告 when there is nothing),
missing days are flagged by tick, and watch-list follow-ups come round faster
(``watch.sensitive_percent``): at once for the entries already on the list — on declaration when
the period has begun, otherwise when tick reaches its first day — and back to the usual frequency
when tick passes its last day (``watch.followups_reschedule``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import require_perm
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.monitoring.models import DailyReport, MissingDailyReport, SensitivePeriod
from anxin.monitoring.watch import followups_reschedule
from anxin.notify.services import notify_units
from anxin.org.models import Role, Unit, UnitKind, User

REPORTING_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN_GOVERNMENT)


def reporting_units():
    return Unit.objects.filter(kind__in=REPORTING_KINDS).order_by("order", "code")


@transaction.atomic
def period_declare(
    *, actor: User, name: str, start: datetime.date, end: datetime.date, note: str = ""
) -> SensitivePeriod:
    require_perm(actor, "monitoring.add_sensitiveperiod")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写名称"), field="name")
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期"), field="end")
    if (end - start).days > 120:
        raise DomainError(_("敏感时期一次不超过 120 天"), field="end")
    if SensitivePeriod.objects.filter(start__lte=end, end__gte=start).exists():
        raise DomainError(_("与已发布的敏感时期重叠"), field="start")
    with acting(actor):
        period = SensitivePeriod(
            name=name[:60], start=start, end=end, note=(note or "").strip(), declared_by=actor
        )
        period.full_clean()
        period.save()
        followups_reschedule(actor=actor)  # tightens now if the period has begun
        notify_units(
            unit_ids=list(reporting_units().values_list("pk", flat=True)),
            subject=f"敏感时期：{name}（{start:%m月%d日}至{end:%m月%d日}），请每日报送情况（无情况报零报告）",
            body=period.note,
            url=reverse("sensitive-detail", args=[period.pk]),
            topic="sensitive",
            sms=True,
        )
    return period


@transaction.atomic
def daily_report_file(
    *, actor: User, period: SensitivePeriod, day: datetime.date, is_zero: bool, content: str
) -> DailyReport:
    """A town or department files its day (a second filing the same day is refused)."""
    require_perm(actor, "monitoring.add_dailyreport")
    if not actor.unit_id or actor.unit.kind not in REPORTING_KINDS:
        raise DomainError(_("只有镇（街道）和成员部门报送日报"), field="content")
    if not period.is_active(day):
        raise DomainError(_("该日期不在敏感时期内"), field="day")
    if day > timezone.localdate():
        raise DomainError(_("不能报送未来日期"), field="day")
    content = (content or "").strip()
    if not is_zero and not content:
        raise DomainError(_("请填写情况，或选择零报告"), field="content")
    if is_zero and content:
        # A zero report says "nothing happened"; a written problem under it would be hidden.
        raise DomainError(
            _("零报告表示本日无欠薪情况，不能同时填写情况；如有情况请取消“零报告”后报送"),
            field="content",
        )
    with acting(actor):
        report = DailyReport(
            period=period,
            unit=actor.unit,
            day=day,
            is_zero=is_zero,
            content=content[:4000],
            submitted_by=actor,
        )
        try:
            report.full_clean(exclude=["submitted_by"])
            with transaction.atomic():
                report.save()
        except (ValidationError, IntegrityError):
            raise DomainError(_("本单位 %(d)s 已报送") % {"d": f"{day:%m月%d日}"}, field="day") from None
    return report


def missing_mark(*, now: datetime.datetime | None = None) -> int:
    """For every past day of an active or just-ended period, flag each unit that did not report."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    flagged = []
    for period in SensitivePeriod.objects.filter(
        start__lt=today, end__gte=today - datetime.timedelta(days=1)
    ):
        last = min(period.end, today - datetime.timedelta(days=1))
        days = [period.start + datetime.timedelta(days=n) for n in range((last - period.start).days + 1)]
        units = list(reporting_units().values_list("pk", flat=True))
        filed = set(DailyReport.objects.filter(period=period, day__in=days).values_list("unit_id", "day"))
        known = set(
            MissingDailyReport.objects.filter(period=period, day__in=days).values_list("unit_id", "day")
        )
        for day in days:
            for unit_id in units:
                if (unit_id, day) not in filed and (unit_id, day) not in known:
                    flagged.append(
                        MissingDailyReport(period=period, unit_id=unit_id, day=day, flagged_at=now)
                    )
    with transaction.atomic():
        MissingDailyReport.objects.bulk_create(flagged, ignore_conflicts=True)
        by_unit: dict[int, list] = {}
        for item in flagged:
            by_unit.setdefault(item.unit_id, []).append(item)
        for unit_id, items in by_unit.items():
            notify_units(
                unit_ids=[unit_id],
                subject=f"敏感时期日报缺报 {len(items)} 天，请补报",
                url=reverse("sensitive-detail", args=[items[0].period_id]),
                topic="sensitive-missing",
            )
        if flagged:
            names = dict(Unit.objects.filter(pk__in=by_unit).values_list("pk", "short_name"))
            notify_units(
                unit_ids=list(Unit.objects.filter(kind=UnitKind.OFFICE).values_list("pk", flat=True)),
                subject=f"敏感时期日报缺报：{len(by_unit)} 个单位",
                body="、".join(names.get(u, "") or str(u) for u in list(by_unit)[:20]),
                url=reverse("sensitive-detail", args=[flagged[0].period_id]),
                topic="sensitive-missing",
            )
    return len(flagged)


def may_file(user) -> bool:
    return bool(
        user.has_perm("monitoring.add_dailyreport") and user.unit_id and user.unit.kind in REPORTING_KINDS
    )


def may_declare(user) -> bool:
    return user.has_perm("monitoring.add_sensitiveperiod") and user.has_role(Role.OFFICE)
