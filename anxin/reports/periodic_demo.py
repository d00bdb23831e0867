"""Periodic reports' demo data (``manage.py load_demo``): the report period last ended, submitted by
城建局 on time and by 罗溪镇 late (or, while the due day has not yet passed, for the period before),
and 薛家镇's draft, prefilled from the demo data. Idempotent: nothing is written when any report exists;
never over real reports."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.org.models import Unit, User
from anxin.reports import periods
from anxin.reports.models import PeriodicReport, ReportTemplate
from anxin.reports.services import periodic as services

TEXT = {
    "risk": "辖区内建筑施工、加工制造企业资金周转总体平稳，个别项目工程款结算滞后，存在欠薪风险，已纳入重点监控。",
    "practice": "开展欠薪隐患排查，逐企走访，对预警企业落实一企一策，督促按月足额发放工资。",
    "problems": "部分小微企业用工不规范，劳动合同和工资台账不全，风险信息获取滞后。",
    "plans": "节前开展专项检查，加强与条线部门会商，推动工资专户和实名制管理全覆盖。",
}


def missing() -> str:
    return (
        "" if ReportTemplate.objects.filter(active=True).exists() else "定期报告模板（先运行 load_district）"
    )


def real_data() -> list[str]:
    n = PeriodicReport.objects.filter(is_demo=False).count()
    return [f"定期报告 {n}"] if n else []


def _user(unit: Unit) -> User | None:
    return (
        User.objects.filter(unit=unit, is_active=True, role__in=["department", "town"]).order_by("pk").first()
    )


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _submit(unit: Unit, span: periods.Period, when: datetime.datetime) -> None:
    user = _user(unit)
    if user is None:
        return
    report = services.report_prefill(actor=user, unit=unit, period=span.key, now=when)
    services.report_submit(
        actor=user, report=report, narrative=TEXT, extras={"visits": 12, "inspections": 2}, now=when
    )


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if PeriodicReport.objects.exists():
        log("定期报告演示数据已存在，未重复载入。")
        return
    units = {u.code: u for u in Unit.objects.filter(code__in=["construction", "gov-luoxi", "gov-xuejia"])}
    if len(units) < 3:
        log("缺少演示单位，未载入定期报告演示数据。")
        return
    now = timezone.now()
    today = timezone.localdate()
    span = periods.last_ended(today=today)
    _submit(units["construction"], span, min(now, _at(span.end + datetime.timedelta(days=1))))
    late_span = (
        span if today > span.due_on + datetime.timedelta(days=1) else periods.period_of(span.previous())
    )
    _submit(units["gov-luoxi"], late_span, min(now, _at(late_span.due_on + datetime.timedelta(days=2))))
    writer = _user(units["gov-xuejia"])
    if writer is not None:
        draft = services.report_prefill(actor=writer, unit=units["gov-xuejia"], period=span.key, now=now)
        services.report_save(actor=writer, report=draft, narrative={"risk": TEXT["risk"]})
    PeriodicReport.objects.filter(is_demo=False).update(is_demo=True)
    log("定期报告演示数据：城建局按时报送、罗溪镇逾期报送、薛家镇草稿。")
