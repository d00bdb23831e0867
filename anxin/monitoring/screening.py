"""Screening campaigns (排查摸底, §四(一)): the office launches a campaign over kinds and towns;
each enterprise in scope is a task for its town; the form asks what §四(一) names for the
enterprise's kind; answers become observations for the month and, when a risk is found, a signal
on the 排查摸底 channel — so the rules and the watch list take it from there."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.intake.models import Channel
from anxin.monitoring.models import Indicator, ScreeningCampaign, ScreeningTask
from anxin.notify.services import notify_units
from anxin.org.models import Role, Unit
from anxin.registry.models import Enterprise, EnterpriseStatus

# (key, label, type, kinds it applies to (None: all), indicator it feeds)
QUESTIONS = [
    ("wages_on_time", "工资按时足额发放", "bool", None, None),
    ("wage_months_owed", "拖欠工资月数", "int", None, "wage_arrears_months"),
    ("si_paid", "社会保险费按时足额缴纳", "bool", None, None),
    ("si_months_owed", "社保欠缴月数", "int", None, "si_arrears_months"),
    ("headcount", "在职职工人数", "int", None, "insured_headcount"),
    ("operations_normal", "生产经营正常", "bool", {"industrial", "labour_intensive", "market"}, None),
    ("loans_overdue", "银行贷款逾期", "bool", {"industrial", "labour_intensive", "market"}, None),
    (
        "private_lending",
        "存在民间借贷、集资融资风险",
        "bool",
        {"industrial", "labour_intensive", "market"},
        "private_lending",
    ),
    (
        "payment_settled",
        "工程款按进度结算",
        "bool",
        {"construction", "real_estate", "water_construction"},
        None,
    ),
    (
        "subcontracting_ok",
        "劳务分包规范、实名制落实",
        "bool",
        {"construction", "real_estate", "water_construction"},
        None,
    ),
]
RISKY_WHEN_FALSE = {"wages_on_time", "si_paid", "operations_normal", "payment_settled", "subcontracting_ok"}
RISKY_WHEN_TRUE = {"loans_overdue", "private_lending"}


def questions_for(kind_codes: set[str]) -> list[tuple]:
    return [q for q in QUESTIONS if q[3] is None or q[3] & kind_codes]


@transaction.atomic
def campaign_launch(
    *, actor, name: str, start: datetime.date, end: datetime.date, kinds, towns, note: str = ""
) -> ScreeningCampaign:
    require_perm(actor, "monitoring.launch_screeningcampaign")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写名称"), field="name")
    if end < start:
        raise DomainError(_("截止日期不能早于开始日期"), field="end")
    enterprises = Enterprise.objects.exclude(status=EnterpriseStatus.DEREGISTERED)
    if kinds:
        enterprises = enterprises.filter(kinds__in=list(kinds)).distinct()
    if towns:
        enterprises = enterprises.filter(town__in=list(towns))
    scope = list(enterprises.values_list("pk", "town_id"))
    if not scope:
        raise DomainError(_("范围内没有企业，请调整企业类型或镇（街道）"), field="kinds")
    with acting(actor):
        campaign = ScreeningCampaign.objects.create(
            name=name[:80], start=start, end=end, note=(note or "").strip(), launched_by=actor
        )
        campaign.kinds.set(kinds or [])
        campaign.towns.set(towns or [])
        ScreeningTask.objects.bulk_create(
            [ScreeningTask(campaign=campaign, enterprise_id=pk, town_id=town_id) for pk, town_id in scope],
            batch_size=2000,
        )
        per_town = {}
        for _pk, town_id in scope:
            per_town[town_id] = per_town.get(town_id, 0) + 1
        units = dict(Unit.objects.filter(town_id__in=per_town).values_list("town_id", "pk"))
        for town_id, count in per_town.items():
            if town_id in units:
                notify_units(
                    unit_ids=[units[town_id]],
                    subject=f"排查行动“{name}”：本辖区 {count} 家企业，{end:%m月%d日}前完成",
                    url=reverse("screening-detail", args=[campaign.pk]),
                    topic="screening",
                )
    return campaign


def may_answer(actor, task: ScreeningTask) -> bool:
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    if actor.has_role(Role.TOWN) and task.town_id in actor.scope.town_ids:
        return True
    return bool(
        actor.has_role(Role.DEPARTMENT) and ScreeningTask.objects.for_user(actor).filter(pk=task.pk).exists()
    )


def _clean(kind_codes: set[str], raw: dict) -> dict:
    answers = {}
    for key, label, kind, _kinds, _indicator in questions_for(kind_codes):
        value = raw.get(key)
        if kind == "bool":
            if value not in (True, False):
                raise DomainError(_("请回答：%(q)s") % {"q": label}, field=key)
        elif kind == "int":
            if value in (None, ""):
                value = 0
            if not isinstance(value, int) or value < 0 or value > 100000:
                raise DomainError(_("“%(q)s”须为非负整数") % {"q": label}, field=key)
        answers[key] = value
    answers["notes"] = (raw.get("notes") or "").strip()[:2000]
    if answers.get("wages_on_time") is True and answers.get("wage_months_owed"):
        raise DomainError(_("已选择工资按时足额发放，拖欠月数应为 0"), field="wage_months_owed")
    return answers


def task_answer(*, actor, task: ScreeningTask, answers: dict) -> ScreeningTask:
    """Record what the screening found; feed the indicators and, on a risk, a signal."""
    require_perm(actor, "monitoring.change_screeningtask")
    if not may_answer(actor, task):
        raise PermissionDenied(_("只有属地镇（街道）、条线部门或联席办可以填报"))
    campaign = task.campaign
    today = timezone.localdate()
    if today < campaign.start:
        raise DomainError(_("排查行动尚未开始"), field="notes")
    kind_codes = set(task.enterprise.kinds.values_list("code", flat=True))
    answers = _clean(kind_codes, answers)
    risky = [
        label
        for key, label, *_rest in QUESTIONS
        if key in answers
        and (
            (key in RISKY_WHEN_FALSE and answers[key] is False)
            or (key in RISKY_WHEN_TRUE and answers[key] is True)
        )
    ]
    if answers.get("wage_months_owed") or answers.get("si_months_owed"):
        risky.append("存在拖欠")
    result = ScreeningTask.Result.RISK if risky else ScreeningTask.Result.NORMAL
    from anxin.intake import services as intake_services
    from anxin.monitoring import services as monitoring_services

    system = system_actor()
    month = today.replace(day=1)
    indicators = {i.code: i for i in Indicator.objects.all()}
    rows = []
    for key, _label, _kind, _kinds, indicator in questions_for(kind_codes):
        if indicator and indicator in indicators:
            value = answers[key]
            rows.append(
                (
                    task.enterprise,
                    indicators[indicator],
                    month,
                    int(value),
                )
            )
    with transaction.atomic(), acting(actor):
        touched = ScreeningTask.objects.filter(pk=task.pk).update(
            answers=answers, result=result, answered_by=actor, answered_at=timezone.now()
        )
        if touched != 1:
            raise DomainError(_("任务不存在"), code="conflict")
        if rows:
            monitoring_services.observations_record(actor=system, rows=rows)
        if risky:
            recorded = intake_services.signal_record(
                actor=system,
                channel=Channel.objects.get(code="screening"),
                reference=f"SC{campaign.pk}-{task.enterprise_id}",
                kind="other",
                received_at=timezone.now(),
                summary=f"排查行动“{campaign.name}”发现风险："
                + "；".join(risky)
                + (f"。{answers['notes']}" if answers["notes"] else ""),
                enterprise=task.enterprise,
                months_owed=max(answers.get("wage_months_owed", 0), answers.get("si_months_owed", 0)),
            )
            ScreeningTask.objects.filter(pk=task.pk).update(signal_id=recorded.signal.pk)
    task.refresh_from_db()
    return task


def progress(*, user, campaign: ScreeningCampaign) -> list[dict]:
    rows = (
        ScreeningTask.objects.for_user(user)
        .filter(campaign=campaign)
        .values("town__name", "town__order")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=~Q(result=ScreeningTask.Result.PENDING)),
            risk=Count("pk", filter=Q(result=ScreeningTask.Result.RISK)),
        )
        .order_by("town__order")
    )
    return [{**r, "percent": round(r["done"] * 100 / r["total"]) if r["total"] else 0} for r in rows]
