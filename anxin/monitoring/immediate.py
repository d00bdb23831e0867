"""Immediate reports (即时报告, §五(二)) and special reports (专题报告) to the district leaders.

Drafted by the scan when an ``IMMEDIATE_*`` rule opens an alert, with the facts filled in. The
responsible unit (the enterprise's town or line department) records the judgement the rule
cannot make — whether it may lead to collective petitions or a mass incident — and the measures
taken, and submits it within ``immediate.report_hours``. Only the office may close a draft as
"no such risk" (with a reason); the office turns a submitted report into a special report that
reaches every district leader's inbox. Unsubmitted drafts past their deadline escalate in tick.
A district leader marks a special report 已阅 and records 批示 naming the units it goes to; neither
changes the report's status (both are event rows, beside their own audited records).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, system_actor
from anxin.core.bulk import insert_rows
from anxin.core.errors import DomainError
from anxin.core.gongwen import Gongwen, document_bytes
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.core.transitions import Transition, Workflow
from anxin.intake.models import Signal
from anxin.monitoring.audit import guarded_update
from anxin.monitoring.models import (
    ImmediateReport,
    ImmediateReportEvent,
    LeaderInstruction,
    Observation,
    ReportReading,
    ReportStatus,
)
from anxin.notify.services import notify_units, notify_users
from anxin.org.access import acts_for
from anxin.org.models import Role, Unit, UnitKind, User

Action = ImmediateReportEvent.Action

# Who may make a step: "reporter" — the office, the line department or the enterprise's town, with
# the permission to submit (``is_reporter``); "office" — the office alone. Closing needs a reason.
REPORTER, OFFICE = "reporter", "office"
SUBMIT_PERM, REVIEW_PERM = "monitoring.submit_immediatereport", "monitoring.review_immediatereport"
INSTRUCT_PERM = "monitoring.instruct_immediatereport"  # a district leader's 批示 and 已阅

FLOW = Workflow(
    model=ImmediateReport,
    field="status",
    event_model=ImmediateReportEvent,
    event_object="report",
    event_from="from_status",
    event_to="to_status",
    noun=gettext_lazy("即时报告"),
    action_labels=dict(Action.choices),
    rows=[
        Transition(ReportStatus.DRAFT, Action.SUBMIT, ReportStatus.SUBMITTED, SUBMIT_PERM, REPORTER),
        Transition(ReportStatus.DRAFT, Action.CLOSE, ReportStatus.CLOSED, "", OFFICE, reason_required=True),
        Transition(ReportStatus.SUBMITTED, Action.SPECIAL, ReportStatus.SPECIAL, REVIEW_PERM, OFFICE),
        Transition(ReportStatus.SUBMITTED, Action.CLOSE, ReportStatus.CLOSED, "", OFFICE, reason_required=True),
    ],
)  # fmt: skip


def reports_draft(*, alerts: list, now: datetime.datetime, actor: User) -> list[ImmediateReport]:
    """One draft per newly opened IMMEDIATE_* alert (called by the scan, inside its transaction)."""
    wanted = [a for a in alerts if a.rule.startswith("IMMEDIATE_")]
    if not wanted:
        return []
    record = param_record("immediate.report_hours", on=timezone.localdate(now))
    hours = int(record.typed_value)
    basis = f"{record.citation}：{hours} 小时（参数 immediate.report_hours={hours}，待本区确认）"
    figures = evidence_figures(wanted)
    drafts = [
        ImmediateReport(
            enterprise_id=a.enterprise_id,
            alert_id=a.pk,
            rule=a.rule,
            facts=a.explanation + figures[a.pk][2],
            workers=figures[a.pk][0],
            amount=figures[a.pk][1],
            town_id=a.town_id,
            unit_id=a.unit_id,
            drafted_at=now,
            due_at=now + datetime.timedelta(hours=hours),
            due_basis=basis,
        )
        for a in wanted
    ]
    columns = (
        "enterprise_id", "alert_id", "rule", "facts", "workers", "amount", "town_id", "unit_id", "status",
        "drafted_at", "due_at", "due_basis",
    )  # fmt: skip
    ids = insert_rows(
        ImmediateReport, columns, ([getattr(r, c) for c in columns] for r in drafts), returning=True
    )
    for report, pk in zip(drafts, ids, strict=True):
        report.pk, report._state.adding = pk, False
    insert_rows(
        ImmediateReportEvent,
        ("report_id", "action", "to_status", "actor_id", "at", "note"),
        ((r.pk, Action.DRAFT, ReportStatus.DRAFT, actor.pk, now, r.facts) for r in drafts),
    )
    # The responsible units learn of their drafts with the alerts that drafted them, in one notice
    # per unit once the scan commits (``scan._announce``): one text, not two, for one event.
    return drafts


def draft_notices(drafts: list, names: dict[int, str], town_units: dict[int, int]) -> dict[int, tuple]:
    """Per responsible unit (the town's government and the line department): what to tell it of the
    drafts of one scan batch, however many — (subject part, body part, link)."""
    by_unit: dict[int, list] = {}
    for report in drafts:
        for recipient in {report.unit_id, town_units.get(report.town_id)}:
            if recipient:
                by_unit.setdefault(recipient, []).append(report)
    notices = {}
    for unit_id, items in by_unit.items():
        hours = round((items[0].due_at - items[0].drafted_at).total_seconds() / 3600)
        if len(items) == 1:
            subject = f"即时报告待报送，请于 {hours} 小时内研判并报送联席办"
            url = reverse("report-detail", args=[items[0].pk])
        else:
            subject = f"即时报告待报送 {len(items)} 份，请于 {hours} 小时内研判并报送联席办"
            url = reverse("report-list") + "?status=draft&mine=1"
        body = "即时报告：" + "、".join(names.get(r.enterprise_id, "") for r in items[:8]) + "（§五(二)）"
        notices[unit_id] = (subject, body, url)
    return notices


# The amount owed that goes with each months-owed indicator, read for the same month.
AMOUNT_OF = {"wage_arrears_months": "wage_arrears_amount", "si_arrears_months": "si_arrears_amount"}


def evidence_figures(alerts: list) -> dict[int, tuple[int, int, str]]:
    """Workers and amount for each alert's draft, from the evidence of the rule that fired — not
    the enterprise's latest figures, which may be from another month: the amount owed of the very
    month whose months-owed observation fired (wages and social insurance), else the amounts of
    the verified complaints behind it; the workers those complaints name. Per alert: (workers,
    amount in fen, a sentence saying where the figures come from). The unit corrects them."""
    evidence = {a.pk: (a.evidence or {}).get("evidence") or {} for a in alerts}
    obs_ids = {i for e in evidence.values() for i in e.get("observations") or []}
    sig_ids = {i for e in evidence.values() for i in e.get("signals") or []}
    fired = {o.pk: o for o in Observation.objects.filter(pk__in=obs_ids).select_related("indicator")}
    wanted = {
        (o.enterprise_id, AMOUNT_OF[o.indicator.code], o.month)
        for o in fired.values()
        if o.indicator.code in AMOUNT_OF
    }
    amounts = {}
    if wanted:
        for enterprise_id, code, month, value in Observation.objects.filter(
            enterprise_id__in={k[0] for k in wanted},
            indicator__code__in={k[1] for k in wanted},
            month__in={k[2] for k in wanted},
        ).values_list("enterprise_id", "indicator__code", "month", "value"):
            amounts[(enterprise_id, code, month)] = value
    signals = {
        pk: (workers, amount)
        for pk, workers, amount in Signal.objects.filter(pk__in=sig_ids).values_list(
            "pk", "workers", "amount"
        )
    }
    result = {}
    for alert in alerts:
        notes, amount = [], 0
        for oid in evidence[alert.pk].get("observations") or []:
            obs = fired.get(oid)
            if obs is None or obs.indicator.code not in AMOUNT_OF:
                continue
            value = amounts.get((obs.enterprise_id, AMOUNT_OF[obs.indicator.code], obs.month))
            if value:
                amount += value
                label = "拖欠工资" if obs.indicator.code == "wage_arrears_months" else "欠缴社保"
                notes.append(f"{obs.month:%Y年%m月}{label}金额 {format_yuan(value)} 元")
        complaints = [signals[i] for i in evidence[alert.pk].get("signals") or [] if i in signals]
        # The same group may complain more than once: the largest complaint is the figure that is
        # certain; the sum is an upper bound the reporter checks.
        workers = max((w for w, _a in complaints), default=0)
        if complaints:
            total = sum(w for w, _a in complaints)
            notes.append(
                f"涉及人数取自 {len(complaints)} 条查实线索：至少 {workers} 人"
                + (f"，各线索合计 {total} 人（可能有重复）" if total != workers else "")
            )
        if not amount and complaints:
            amount = sum(a for _w, a in complaints)
            if amount:
                notes.append(f"金额取自查实线索（合计 {format_yuan(amount)} 元）")
        result[alert.pk] = (workers, amount, ("。" + "；".join(notes) + "，请核实。") if notes else "")
    return result


def is_reporter(actor: User, report: ImmediateReport) -> bool:
    """The office, the line department, or the enterprise's town."""
    return acts_for(actor, town_id=report.town_id, unit_ids=[report.unit_id])


def report_actions(actor: User, report: ImmediateReport) -> list[str]:
    """What ``actor`` may do with ``report`` now: fill it in (save) where it may submit it, and the
    table's steps open from its status."""
    office = is_system(actor) or actor.has_role(Role.OFFICE)

    def may(row: Transition) -> bool:
        if row.who == REPORTER:
            return is_reporter(actor, report) and actor.has_perm(row.perm)
        return office

    actions = FLOW.actions(report, may=may)
    return ["save", *actions] if Action.SUBMIT in actions else actions


def _step_from_stored(report: ImmediateReport, action: str, refused: str) -> Transition:
    """The table's row for ``action`` from the report's stored status (re-read: closing and the
    special report act on the report as it is now, not as the page showed it), else ``refused``."""
    report.refresh_from_db(fields=["status"])
    step = FLOW.find(report.status, action)
    if step is None:
        raise DomainError(refused, code="transition")
    return step


def _clean_judgement(mass_incident_risk, risk_judgement: str, measures: str) -> tuple:
    if mass_incident_risk not in (True, False, None):
        raise DomainError(_("请选择是否有可能引发集体上访或群体性事件"), field="mass_incident_risk")
    return mass_incident_risk, (risk_judgement or "").strip()[:2000], (measures or "").strip()[:4000]


@transaction.atomic
def report_save(
    *,
    actor: User,
    report: ImmediateReport,
    mass_incident_risk,
    risk_judgement: str,
    measures: str,
    workers: int | None = None,
) -> ImmediateReport:
    """Fill in the draft (it stays a draft)."""
    require_perm(actor, SUBMIT_PERM)
    if not is_reporter(actor, report):
        raise PermissionDenied(_("只有属地镇/街道、条线部门或联席办可以填报"))
    risk, judgement, measures = _clean_judgement(mass_incident_risk, risk_judgement, measures)
    now = timezone.now()
    with acting(actor):
        updates = {"mass_incident_risk": risk, "risk_judgement": judgement, "measures": measures}
        if workers is not None:
            if workers < 0 or workers > 100000:
                raise DomainError(_("涉及人数须为 0 至 100000"), field="workers")
            updates["workers"] = workers
        if (
            guarded_update(ImmediateReport.objects.filter(status=ReportStatus.DRAFT), report.pk, **updates)
            != 1
        ):
            raise DomainError(_("报告已报送或关闭，不能再修改"), code="transition")
        FLOW.record(report, Action.SAVE, actor=actor, at=now)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_submit(
    *,
    actor: User,
    report: ImmediateReport,
    mass_incident_risk,
    risk_judgement: str,
    measures: str,
    workers: int | None = None,
) -> ImmediateReport:
    """Submit to the office: the judgement and the measures are required."""
    report = report_save(
        actor=actor,
        report=report,
        mass_incident_risk=mass_incident_risk,
        risk_judgement=risk_judgement,
        measures=measures,
        workers=workers,
    )
    if report.mass_incident_risk is None:
        raise DomainError(
            _("请研判是否有可能引发集体上访或群体性事件（§五(二)）"), field="mass_incident_risk"
        )
    if not report.measures:
        raise DomainError(_("请填写已采取的措施"), field="measures")
    now = timezone.now()
    verdict = "有可能" if report.mass_incident_risk else "暂无迹象表明会"
    with acting(actor):
        FLOW.move(
            report,
            FLOW.step(report, Action.SUBMIT),
            actor=actor,
            note=f"研判：{verdict}引发集体上访或群体性事件。{report.risk_judgement}",
            values={"submitted_at": now, "submitted_by": actor},
            now=now,
            conflict=_("报告已被他人处理，请刷新后查看"),
        )
        notify_units(
            unit_ids=Unit.objects.filter(kind="office").values_list("pk", flat=True),
            subject=f"即时报告已报送：{report.enterprise.name}",
            body=report.facts,
            url=reverse("report-detail", args=[report.pk]),
            topic="immediate-report",
            about=report.enterprise.name,
            sms=bool(report.mass_incident_risk),
        )
    report.refresh_from_db()
    return report


@transaction.atomic
def report_close(*, actor: User, report: ImmediateReport, reason: str) -> ImmediateReport:
    """The office closes a report as "no such risk" (draft or submitted), with the reason."""
    if not (is_system(actor) or actor.has_role(Role.OFFICE)):
        raise PermissionDenied(_("只有联席办可以关闭即时报告"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("关闭须说明理由"), field="reason")
    refused = _("报告已专题报告或关闭")
    with acting(actor):
        step = _step_from_stored(report, Action.CLOSE, refused)
        FLOW.move(report, step, actor=actor, note=reason, values={"closed_reason": reason}, conflict=refused)
    return report


@transaction.atomic
def report_special(*, actor: User, report: ImmediateReport, title: str, body: str) -> ImmediateReport:
    """The office sends a special report to the district leaders (their inbox, and SMS)."""
    require_perm(actor, REVIEW_PERM)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise DomainError(_("请填写专题报告的标题和正文"), field="title")
    now = timezone.now()
    refused = _("只有已报送的即时报告可以形成专题报告")
    with acting(actor):
        FLOW.move(
            report,
            _step_from_stored(report, Action.SPECIAL, refused),
            actor=actor,
            note=title,
            values={"special_title": title[:200], "special_body": body, "special_at": now},
            now=now,
            conflict=refused,
        )
        notify_units(
            unit_ids=Unit.objects.filter(kind="leadership").values_list("pk", flat=True),
            subject=f"专题报告：{title}",
            body=body[:300],
            url=reverse("report-detail", args=[report.pk]),
            topic="special-report",
            about=report.enterprise.name,
            sms=True,
        )
        notify_users(
            user_ids=[report.submitted_by_id],
            subject=f"即时报告已形成专题报告：{report.enterprise.name}",
            url=reverse("report-detail", args=[report.pk]),
            topic="immediate-report",
            about=report.enterprise.name,
        )
    report.refresh_from_db()
    return report


def _require_leader(actor: User) -> None:
    """批示 and 已阅 are a district leader's own acts: the 区领导 role with its permission, no one
    else (not the office, not the system account)."""
    if not (actor.has_role(Role.LEADER) and actor.has_perm(INSTRUCT_PERM)):
        raise PermissionDenied(_("只有区领导可以批示或标记已阅"))


def _require_special(report: ImmediateReport) -> None:
    report.refresh_from_db(fields=["status"])
    if report.status != ReportStatus.SPECIAL:
        raise DomainError(_("只有已报区领导的专题报告可以批示或标记已阅"), code="transition")


def instruction_units():
    """The units a 批示 may name: the office, the member departments and the towns' governments."""
    kinds = ["office", "department", "town_government"]
    first = Case(*(When(kind=k, then=Value(i)) for i, k in enumerate(kinds)), output_field=IntegerField())
    return Unit.objects.filter(kind__in=kinds).order_by(first, "order", "code")


@transaction.atomic
def report_mark_read(*, actor: User, report: ImmediateReport) -> ReportReading:
    """已阅: the leader has read the special report — recorded once, with who and when."""
    _require_leader(actor)
    _require_special(report)
    existing = ReportReading.objects.filter(report=report, reader=actor).first()
    if existing is not None:
        return existing
    now = timezone.now()
    with acting(actor):
        reading = ReportReading(report=report, reader=actor, at=now)
        reading.full_clean()
        reading.save()
        FLOW.record(report, Action.READ, actor=actor, at=now)
    return reading


@transaction.atomic
def report_instruct(
    *, actor: User, report: ImmediateReport, text: str, unit_ids: list[int]
) -> LeaderInstruction:
    """批示: the leader's instruction and the units it goes to. Each named unit is told in its inbox
    (after commit) and its users see the 批示 on the report; the office is told too. A 批示 is also
    a reading: the leader is recorded 已阅 if not yet."""
    _require_leader(actor)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写批示内容"), field="text")
    if len(text) > 4000:
        raise DomainError(_("批示内容不超过 4000 字"), field="text")
    wanted = {int(u) for u in unit_ids or []}
    units = list(instruction_units().filter(pk__in=wanted))
    if not wanted:
        raise DomainError(_("请至少选择一个批示送达单位"), field="units")
    if len(units) != len(wanted):
        raise DomainError(_("批示送达单位不在可选范围内"), field="units")
    _require_special(report)
    now = timezone.now()
    with acting(actor):
        instruction = LeaderInstruction.objects.create(report=report, text=text, author=actor, at=now)
        instruction.units.set(units)
        names = "、".join(u.short_name or u.name for u in units)
        FLOW.record(report, Action.INSTRUCT, actor=actor, at=now, note=f"{text}（送：{names}）")
        if not ReportReading.objects.filter(report=report, reader=actor).exists():
            ReportReading.objects.create(report=report, reader=actor, at=now)
            FLOW.record(report, Action.READ, actor=actor, at=now)
        url = reverse("report-detail", args=[report.pk])
        enterprise = report.enterprise.name
        notify_units(
            unit_ids=[u.pk for u in units],
            subject=f"区领导批示：{report.special_title or enterprise}",
            body=f"{actor.display_name}：{text}",
            url=url,
            topic="leader-instruction",
            about=enterprise,
            sms=True,
        )
        notify_units(
            unit_ids=Unit.objects.filter(kind="office")
            .exclude(pk__in=[u.pk for u in units])
            .values_list("pk", flat=True),
            subject=f"区领导已批示：{report.special_title or enterprise}（送{names}）",
            body=f"{actor.display_name}：{text}",
            url=url,
            topic="leader-instruction",
            about=enterprise,
        )
    return instruction


def reports_escalate(*, now: datetime.datetime | None = None) -> int:
    """Drafts past their deadline: report each once to the office."""
    now = now or timezone.now()
    actor = system_actor()
    marked = []
    with transaction.atomic(), acting(actor):
        for report in ImmediateReport.objects.filter(
            status=ReportStatus.DRAFT, due_at__lt=now, escalated_at__isnull=True
        ).select_related("enterprise"):
            if (
                ImmediateReport.objects.filter(
                    pk=report.pk, status=ReportStatus.DRAFT, escalated_at__isnull=True
                ).update(escalated_at=now)
                == 1
            ):
                marked.append(report)
                FLOW.record(
                    report,
                    Action.ESCALATE,
                    actor=actor,
                    at=now,
                    note=f"报送期限 {timezone.localtime(report.due_at):%m-%d %H:%M} 已过",
                )
        if marked:
            notify_units(
                unit_ids=Unit.objects.filter(kind="office").values_list("pk", flat=True),
                subject=f"即时报告逾期未报送 {len(marked)} 份",
                body="、".join(r.enterprise.name for r in marked[:10]),
                url=reverse("report-list") + "?status=draft",
                topic="immediate-report",
                sms=True,
            )
            for report in marked:
                notify_units(
                    unit_ids=[u for u in (report.unit_id,) if u]
                    + list(Unit.objects.filter(town_id=report.town_id).values_list("pk", flat=True)),
                    subject=f"即时报告逾期未报送：{report.enterprise.name}，已报联席办",
                    url=reverse("report-detail", args=[report.pk]),
                    topic="immediate-report",
                    about=report.enterprise.name,
                )
    return len(marked)


def report_docx(report: ImmediateReport) -> bytes:
    """The special (or immediate) report as a Word file in 公文 layout (core.gongwen)."""
    special = report.status == ReportStatus.SPECIAL
    if special:
        paragraphs = report.special_body.splitlines()
    else:
        paragraphs = [
            f"一、基本情况。{report.enterprise.name}（统一社会信用代码 {report.enterprise.uscc}）：{report.facts}"
            + (f"涉及 {report.workers} 人" if report.workers else "")
            + (f"，金额约 {format_yuan(report.amount)} 元。" if report.amount else "。"),
            "二、研判意见。"
            + ("有可能" if report.mass_incident_risk else "暂无迹象表明会")
            + f"引发集体上访或群体性事件。{report.risk_judgement}",
            f"三、已采取的措施。{report.measures}",
            "依据《新北区预防和解决企业欠薪问题专项工作实施意见》§五(二)，特此报告。",
        ]
    if special:
        # The leaders' 批示 as recorded (who, when, to which units), after the report's own text.
        instructions = (
            report.instructions.select_related("author").prefetch_related("units").order_by("at", "pk")
        )
        for number, item in enumerate(instructions, start=1):
            if number == 1:
                paragraphs.append("附：领导批示")
            units = "、".join(u.short_name or u.name for u in item.units.all())
            at = timezone.localtime(item.at)
            paragraphs.append(
                f"{number}. {item.author.display_name}（{at:%Y-%m-%d %H:%M}）：{item.text}（送：{units}）"
            )
    when = timezone.localtime(report.special_at or report.submitted_at or timezone.now())
    issuer = report_issuer(report)
    return document_bytes(
        Gongwen(
            issuer=issuer,
            title=report.special_title if special else f"关于{report.enterprise.name}欠薪情况的即时报告",
            recipient="区委、区政府领导：" if special else "区联席办：",
            paragraphs=paragraphs,
            signature=issuer,
            date=when.date(),
        )
    )


def report_issuer(report: ImmediateReport) -> str:
    """Who the Word file is issued by, by full name (district file): the office for a special report;
    for an immediate report the unit that submitted it (else the town's government, else the line
    department it was routed to)."""
    office = Unit.objects.filter(kind=UnitKind.OFFICE).order_by("pk").first()
    if report.status != ReportStatus.SPECIAL:
        submitter = (
            report.submitted_by.unit if report.submitted_by_id and report.submitted_by.unit_id else None
        )
        town = Unit.objects.filter(town_id=report.town_id).first() if report.town_id else None
        unit = submitter or town or report.unit
        if unit is not None:
            return unit.official_name
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"
