"""Screening campaigns (排查摸底, §四(一)): the office launches a campaign over kinds and towns;
each enterprise in scope is a task for its town and for the department responsible for it by duty
(条块结合、属地为主 — the same routing as alerts); the form asks what §四(一) names for the
enterprise's kind. Answers become observations for the month and, for each risk found, a signal
of the matching kind on the 排查摸底 channel (信贷逾期, 停产停业, 工程款结算纠纷, 民间借贷风险…) —
so the rules, the watch list and the enterprise's assessment take it from there."""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.intake import services as intake_services
from anxin.intake.models import Channel, Signal, Stage, Verification
from anxin.monitoring import services as monitoring_services
from anxin.monitoring.audit import guarded_update
from anxin.monitoring.models import Indicator, ScreeningCampaign, ScreeningTask
from anxin.monitoring.scan import Placed
from anxin.notify.services import notify_units
from anxin.org.models import Role, Unit, User
from anxin.org.routing import Router
from anxin.registry.models import Enterprise, EnterpriseStatus
from anxin.registry.selectors import enterprise_kind_codes

INDUSTRIAL = {"industrial", "labour_intensive", "market"}
BUILDING = {"construction", "real_estate", "water_construction"}
# (key, label, type, kinds it applies to (None: all), indicator it feeds)
QUESTIONS = [
    ("wages_on_time", "工资按时足额发放", "bool", None, None),
    ("wage_months_owed", "拖欠工资月数", "int", None, "wage_arrears_months"),
    ("si_paid", "社会保险费按时足额缴纳", "bool", None, None),
    ("si_months_owed", "社保欠缴月数", "int", None, "si_arrears_months"),
    ("headcount", "在职职工人数", "int", None, "insured_headcount"),
    ("operations_normal", "生产经营正常", "bool", INDUSTRIAL, None),
    ("assets_normal", "资产资金状况正常（无查封冻结、抽逃转移、资金链紧张）", "bool", INDUSTRIAL, None),
    ("loans_overdue", "银行贷款逾期", "bool", INDUSTRIAL, None),
    ("private_lending", "存在民间借贷、集资融资风险", "bool", INDUSTRIAL, "private_lending"),
    ("payment_settled", "工程款按进度结算", "bool", BUILDING, None),
    ("subcontracting_ok", "劳务分包规范、实名制落实", "bool", BUILDING, None),
]
# §四(一): the screening tells each employer of its duty to report arrears in writing within 5 days;
# the town or department confirms it did, per enterprise (a "confirm" question must be ticked).
DUTY_INFORMED = "duty_informed"
QUESTIONS.append((DUTY_INFORMED, "已告知企业欠薪5日内书面报告义务（§四(一)）", "confirm", None, None))
RISKY_WHEN_FALSE = {
    "wages_on_time",
    "si_paid",
    "operations_normal",
    "assets_normal",
    "payment_settled",
    "subcontracting_ok",
}
RISKY_WHEN_TRUE = {"loans_overdue", "private_lending"}
# The signal kind a risky answer is recorded as, so the rules read it (SCREENING_RISK scores
# loan_overdue, suspension, project_settlement, private_lending). Wage arrears and assets have no
# kind of their own: the months owed feed the wage-arrears indicator the rules read, and the
# signal (其他) carries what was found to the town and department.
SIGNAL_KINDS = {
    "wages_on_time": "other",
    "wage_months_owed": "other",
    "si_paid": "social_insurance",
    "si_months_owed": "social_insurance",
    "operations_normal": "suspension",
    "assets_normal": "other",
    "loans_overdue": "loan_overdue",
    "private_lending": "private_lending",
    "payment_settled": "project_settlement",
    "subcontracting_ok": "project_settlement",
}


def questions_for(kind_codes: set[str]) -> list[tuple]:
    return [q for q in QUESTIONS if q[3] is None or q[3] & kind_codes]


@transaction.atomic
def campaign_launch(
    *, actor: User, name: str, start: datetime.date, end: datetime.date, kinds, towns, note: str = ""
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
    # The alerts' routing: the department responsible by duty (§三), else 人社局.
    router = Router(kinds_of=enterprise_kind_codes)
    router.prime([pk for pk, _town in scope])
    units = {pk: router.route(enterprise=Placed(pk, town_id)).unit_id for pk, town_id in scope}
    with acting(actor):
        campaign = ScreeningCampaign.objects.create(
            name=name[:80], start=start, end=end, note=(note or "").strip(), launched_by=actor
        )
        campaign.kinds.set(kinds or [])
        campaign.towns.set(towns or [])
        ScreeningTask.objects.bulk_create(
            [
                ScreeningTask(campaign=campaign, enterprise_id=pk, town_id=town_id, unit_id=units[pk])
                for pk, town_id in scope
            ],
            batch_size=2000,
        )
        url = reverse("screening-detail", args=[campaign.pk])
        per_town = Counter(town_id for _pk, town_id in scope)
        town_units = dict(Unit.objects.filter(town_id__in=per_town).values_list("town_id", "pk"))
        for town_id, count in per_town.items():
            if town_id in town_units:
                notify_units(
                    unit_ids=[town_units[town_id]],
                    subject=f"排查行动“{name}”：本辖区 {count} 家企业，{end:%m月%d日}前完成",
                    url=url,
                    topic="screening",
                )
        for unit_id, count in Counter(u for u in units.values() if u).items():
            notify_units(
                unit_ids=[unit_id],
                subject=f"排查行动“{name}”：按职责分派本单位主管的 {count} 家企业，{end:%m月%d日}前完成",
                url=url,
                topic="screening",
            )
    return campaign


def may_answer(actor: User, task: ScreeningTask) -> bool:
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
        elif kind == "confirm":
            if value is not True:
                raise DomainError(_("请确认已告知企业：发生欠薪须在5日内书面报告（§四(一)）"), field=key)
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


def task_answer(*, actor: User, task: ScreeningTask, answers: dict) -> ScreeningTask:
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
    risky: dict[str, list[str]] = {}  # signal kind → what was found
    for key, label, *_rest in QUESTIONS:
        value = answers.get(key)
        if (key in RISKY_WHEN_FALSE and value is False) or (key in RISKY_WHEN_TRUE and value is True):
            risky.setdefault(SIGNAL_KINDS[key], []).append(f"{label}：{'是' if value else '否'}")
    for key, label in (("wage_months_owed", "拖欠工资"), ("si_months_owed", "社保欠缴")):
        if answers.get(key):
            risky.setdefault(SIGNAL_KINDS[key], []).append(f"{label} {answers[key]} 个月")
    result = ScreeningTask.Result.RISK if risky else ScreeningTask.Result.NORMAL
    system = system_actor()
    month = today.replace(day=1)
    indicators = {i.code: i for i in Indicator.objects.all()}
    rows = [
        (task.enterprise, indicators[indicator], month, int(answers[key]))
        for key, _label, _kind, _kinds, indicator in questions_for(kind_codes)
        if indicator and indicator in indicators
    ]
    months_owed = {
        "other": answers.get("wage_months_owed", 0),
        "social_insurance": answers.get("si_months_owed", 0),
    }
    with transaction.atomic(), acting(actor):
        # The answer (its result is the task's state) and, below, the signal it raised: guarded
        # updates, so each leaves its field diff in the audit log.
        touched = guarded_update(
            ScreeningTask.objects.all(),
            task.pk,
            answers=answers,
            result=result,
            answered_by=actor,
            answered_at=timezone.now(),
        )
        if touched != 1:
            raise DomainError(_("任务不存在"), code="conflict")
        if rows:
            monitoring_services.observations_record(actor=system, rows=rows)
        if risky:
            channel = Channel.objects.get(code="screening")
            kinds = sorted(risky, key=lambda k: (k == "other", k))  # a kind the rules read first
            recorded = intake_services.signals_record(
                actor=system,
                items=[
                    # One signal per campaign, enterprise and kind: a corrected answer updates it.
                    intake_services.Incoming(
                        channel=channel,
                        reference=f"SC{campaign.pk}-{task.enterprise_id}"
                        + ("" if kind == "other" else f"-{kind}"),
                        facts={
                            "kind": kind,
                            "received_at": timezone.now(),
                            "summary": f"排查行动“{campaign.name}”发现风险："
                            + "；".join(risky[kind])
                            + (f"。{answers['notes']}" if answers["notes"] else ""),
                            "enterprise": task.enterprise,
                            "months_owed": months_owed.get(kind, 0),
                        },
                    )
                    for kind in kinds
                ],
            )
            guarded_update(ScreeningTask.objects.all(), task.pk, signal_id=recorded[0].signal.pk)
        _withdraw_corrected(campaign=campaign, task=task, still_risky=set(risky), actor=system)
    task.refresh_from_db()
    return task


def _withdraw_corrected(*, campaign, task: ScreeningTask, still_risky: set[str], actor: User) -> None:
    """An answer corrected to 正常 withdraws the signal its earlier answer raised: verified 不属实
    (the rules ignore those), so a risk the town no longer finds stops scoring. A signal an officer
    has already verified keeps that officer's finding."""
    base = f"SC{campaign.pk}-{task.enterprise_id}"
    references = {base} | {f"{base}-{kind}" for kind in set(SIGNAL_KINDS.values()) - {"other"}}
    stale = (
        Signal.objects.filter(channel__code="screening", reference__in=references, merged_into__isnull=True)
        .exclude(kind__in=still_risky)
        .filter(stage__in=[Stage.RECEIVED, Stage.VERIFYING])
    )
    for signal in stale:
        if signal.stage == Stage.RECEIVED:
            signal = intake_services.signal_accept(actor=actor, signal=signal, note="排查复查")
        intake_services.signal_verify(
            actor=actor,
            signal=signal,
            result=Verification.UNFOUNDED,
            note=f"排查行动“{campaign.name}”复查已纠正：{signal.get_kind_display()}不再存在",
        )


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
