"""Reads of case handling, scoped to the user (DESIGN rule 3)."""

from __future__ import annotations

import datetime
from itertools import chain

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from anxin.cases.models import (
    ACTIVE_ACTION,
    ActionKind,
    Case,
    CaseDocument,
    Incident,
    LegalAction,
    Plan,
    PlanStatus,
    Stage,
)
from anxin.core.access import get_scoped_or_404, scope_of
from anxin.core.deadlines import start_of
from anxin.intake.models import Signal
from anxin.monitoring.immediate import evidence_figures
from anxin.monitoring.models import Alert
from anxin.org.access import waiting_on
from anxin.org.models import Role
from anxin.registry.selectors import enterprise_matches

FLAG_FIELDS = {
    "mass_incident": "群体性事件",
    "malicious": "涉嫌恶意欠薪",
    "owner_absconded": "企业主逃匿",
    "sudden_closure": "企业突然关停",
}


def case_list(
    *,
    user,
    q: str = "",
    stage: str = "",
    town: str = "",
    lead: str = "",
    flag: str = "",
    overdue: bool = False,
    state: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    closed_from: datetime.date | None = None,
    closed_to: datetime.date | None = None,
) -> QuerySet[Case]:
    """The case ledger, scoped and filtered; ``date_from``/``date_to``: opened (立案) on those days,
    ``closed_from``/``closed_to``: closed (结案) on those days."""
    cases = Case.objects.for_user(user).select_related("enterprise", "town", "lead_unit")
    if q:
        cases = cases.filter(Q(number__icontains=q) | enterprise_matches(q))
    if stage:
        cases = cases.filter(stage=stage)
    if state == "open":
        cases = cases.open()
    elif state == "closed":
        cases = cases.filter(stage=Stage.CLOSED)
    if town:
        cases = cases.filter(town__code=town)
    if lead:
        cases = cases.filter(lead_unit__code=lead)
    if flag in FLAG_FIELDS:
        cases = cases.filter(**{flag: True})
    if overdue:
        cases = cases.open().filter(stage_due_at__lt=timezone.now())
    if date_from:
        cases = cases.filter(opened_at__gte=start_of(date_from))
    if date_to:
        cases = cases.filter(opened_at__lt=start_of(date_to + datetime.timedelta(days=1)))
    if closed_from:
        cases = cases.filter(closed_at__gte=start_of(closed_from))
    if closed_to:
        cases = cases.filter(closed_at__lt=start_of(closed_to + datetime.timedelta(days=1)))
    return cases


def case_get(*, user, pk: int) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("enterprise", "project", "town", "lead_unit", "opened_by", "closed_by"),
        user,
        pk=pk,
    )


def action_get(*, user, pk: int) -> LegalAction:
    return get_scoped_or_404(
        LegalAction.objects.select_related("case", "case__enterprise", "unit", "copy_unit", "requested_by"),
        user,
        pk=pk,
    )


def document_get(*, user, pk: int):
    """A case paper: for those who see its case, and for the unit handling the action it belongs to."""
    document = CaseDocument.objects.select_related("case", "action").filter(pk=pk).first()
    if document is None:
        raise Http404
    if Case.objects.for_user(user).filter(pk=document.case_id).exists():
        return document
    if document.action_id and LegalAction.objects.for_user(user).filter(pk=document.action_id).exists():
        return document
    raise Http404


def alert_figures(alert) -> tuple[int, int, str]:
    """Workers and amount (fen) the alert's evidence carries — the months-owed observation's amount
    of that month, the verified complaints behind it — and a sentence saying where they come from
    (the immediate report's draft reads the same figures)."""
    return evidence_figures([alert])[alert.pk]


def sees_case(user, case: Case) -> bool:
    return Case.objects.for_user(user).filter(pk=case.pk).exists()


def timeline(*, user, case: Case) -> list[dict]:
    """Everything that happened, oldest first: the case's own events, its signals' arrival and
    verification, its alerts — each with a link the user may follow."""
    items = [
        {"at": e.at, "kind": e.get_kind_display(), "text": _event_text(e), "who": e.actor, "source": "case"}
        for e in case.events.select_related("actor")
    ]
    signals = Signal.objects.for_user(user).filter(pk__in=case.signals.values("pk")).select_related("channel")
    for s in signals:
        items.append(
            {
                "at": s.received_at,
                "kind": "线索",
                "text": f"{s.channel.name}：{s.get_kind_display()} — {s.summary[:80]}",
                "url": s.get_absolute_url() if hasattr(s, "get_absolute_url") else "",
                "source": "signal",
            }
        )
        if s.verified_at:
            items.append(
                {
                    "at": s.verified_at,
                    "kind": "线索核实",
                    "text": f"#{s.pk} {s.get_verification_display()}",
                    "source": "signal",
                }
            )
    for a in Alert.objects.for_user(user).filter(pk__in=case.alerts.values("pk")):
        items.append({"at": a.opened_at, "kind": "预警", "text": a.explanation[:120], "source": "alert"})
    return sorted(items, key=lambda i: i["at"])


def _event_text(event) -> str:
    if event.from_stage or event.to_stage:
        moved = " → ".join(x for x in (event.get_from_stage_display(), event.get_to_stage_display()) if x)
        return f"{moved}" + (f"：{event.note}" if event.note else "")
    return event.note


def todo(*, user, overview: bool = False) -> dict:
    """我的待办: what the user's own unit must act on — the legal actions routed to it (a town: to its
    town government), the open cases it leads or that lie in its town, the plans waiting for the
    office's approval, the copies sent to it for the record.

    ``overview`` (the office and the leaders only, who see the whole district): every unit's
    active actions and every open case instead — the district's 全区概览, a separate view, never
    mixed into the office's own to-do (issue #14)."""
    overview = overview and may_overview(user)
    actions = (
        LegalAction.objects.for_user(user)
        .filter(status__in=ACTIVE_ACTION)
        .filter(Q() if overview else actions_mine(user))
        .select_related("case", "case__enterprise", "unit")
        .order_by("due_at", "pk")
    )
    cases = (
        Case.objects.for_user(user)
        .open()
        .filter(Q() if overview else cases_mine(user))
        .select_related("enterprise", "lead_unit", "town")
        .order_by("stage_due_at", "pk")
    )
    plans = Plan.objects.none()
    if user.has_perm("cases.approve_plan"):
        plans = Plan.objects.filter(status=PlanStatus.SUBMITTED).select_related("case", "case__enterprise")
    copies = LegalAction.objects.none()
    if scope_of(user).unit_id and not overview:
        copies = (
            LegalAction.objects.filter(copy_unit_id=scope_of(user).unit_id)
            .select_related("case", "case__enterprise", "unit")
            .order_by("-requested_at")
        )
    from anxin.cases.actions import kinds_for

    handled, copied = kinds_for(user)
    unit = user.unit if user.unit_id else None
    return {
        "actions": actions,
        "cases": cases,
        "plans": plans,
        "copies": copies,
        "cases_label": "全区办理中的案件" if overview else cases_label(user),
        "overview": overview,
        "may_overview": may_overview(user),
        # which lists are this unit's work (检察院 handles none and leads none: its copies come first)
        "acts": bool(handled),
        "copied": bool(copied),
        "leads": not scope_of(user).nothing,
        "copies_title": f"抄送{_self_reference(unit)}备案的移送案件" if unit else "抄送本单位备案",
    }


def may_overview(user) -> bool:
    """Who may open the district's overview of every unit's to-dos: those who see everything."""
    return scope_of(user).everything


def cases_mine(user) -> Q:
    """The open cases that wait on the user's unit: those it leads, or in its town."""
    if scope_of(user).everything:
        return Q(lead_unit_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    return waiting_on(user, unit_field="lead_unit_id")


def cases_label(user) -> str:
    """What the to-do's case list is, in words true for this user (the same rows as ``todo``)."""
    scope = scope_of(user)
    if scope.everything:
        return "本单位牵头办理中的案件"
    leads = user.has_role(Role.DEPARTMENT) and bool(user.unit_id)
    if leads and scope.town_ids:
        return "本单位牵头或本辖区办理中的案件"
    if scope.town_ids:
        return "本镇（街道）辖区办理中的案件"
    return "本单位牵头办理中的案件"


def actions_mine(user) -> Q:
    """The legal actions the user's own unit must act on: routed to it (the office's to the office,
    a department's to it), or, for a town, to its town government."""
    scope = scope_of(user)
    q = Q(pk__in=[])
    if user.unit_id and (user.has_role(Role.DEPARTMENT) or user.has_role(Role.OFFICE)):
        q |= Q(unit_id=user.unit_id)
    if scope.town_ids:
        q |= Q(unit__town_id__in=scope.town_ids)
    return q


def todo_summary(*, user) -> dict:
    """The home page's case cards, only those for work the user's unit does: the legal actions it
    must act on (routed to it by its duties), the open cases — its own (those it leads or that lie
    in its territory or line), or for the office and the leaders the district's (the overview,
    labelled 全区). A unit with no territory and no line (公安分局, 检察院) gets no case card it
    could never fill."""
    from anxin.cases.actions import kinds_for

    mine = todo(user=user)
    overview = may_overview(user)
    district = todo(user=user, overview=True) if overview else mine
    now = timezone.now()
    handled, _copied = kinds_for(user)
    leads = not scope_of(user).nothing
    cases = district["cases"].count() if (leads or overview) else 0
    return {
        "actions": mine["actions"].count(),
        "overdue": mine["actions"].filter(due_at__lt=now).count()
        + (mine["cases"].filter(stage_due_at__lt=now).count() if leads else 0),
        "cases": cases,
        "cases_label": district["cases_label"],
        "overview": district["overview"],
        "plans": mine["plans"].count(),
        "handles": user.has_perm("cases.handle_legalaction") and bool(handled),
        "handles_label": "件移送案件待审查" if handled == {ActionKind.REFERRAL} else "项法律措施待办理",
        "leads": leads or bool(cases),
    }


def _self_reference(unit) -> str:
    """How a unit names itself in a heading: 本院 (法院, 检察院), 本局 (公安分局, 人社局), else 本单位."""
    name = unit.short_name or unit.name
    return "本院" if name.endswith("院") else "本局" if name.endswith("局") else "本单位"


def unit_referrals(*, user, limit: int = 10) -> dict | None:
    """The referrals of 拒不支付劳动报酬罪 sent to the user's unit (公安分局) or copied to it for the
    record (检察院), newest first, with what each needs at a glance — for their home page. None for
    a unit that neither receives nor is copied referrals."""
    from anxin.cases.actions import kinds_for

    if not (user.has_role(Role.DEPARTMENT) and user.unit_id):
        return None
    handled, copied = kinds_for(user)
    if ActionKind.REFERRAL in handled:
        field, title = "unit_id", f"移送{_self_reference(user.unit)}的涉嫌拒不支付劳动报酬罪案件"
    elif ActionKind.REFERRAL in copied:
        field, title = "copy_unit_id", f"抄送{_self_reference(user.unit)}的移送案件"
    else:
        return None
    rows = LegalAction.objects.for_user(user).filter(kind=ActionKind.REFERRAL, **{field: user.unit_id})
    return {
        "title": title,
        "copied": field == "copy_unit_id",
        "total": rows.count(),
        "active": rows.filter(status__in=ACTIVE_ACTION).count(),
        "rows": list(
            rows.select_related("case", "case__enterprise", "unit").order_by("-requested_at", "-pk")[:limit]
        ),
    }


def deadlines(*, user) -> dict:
    """The deadlines board across cases: overdue, and due within the week — stages and actions."""
    now = timezone.now()
    week = now + datetime.timedelta(days=7)
    cases = Case.objects.for_user(user).open().select_related("enterprise", "lead_unit")
    actions = (
        LegalAction.objects.for_user(user)
        .filter(status__in=ACTIVE_ACTION, due_at__isnull=False)
        .exclude(kind=ActionKind.ORDER, pay_by__isnull=True)
        .select_related("case", "case__enterprise", "unit")
    )

    def rows(case_q, action_q):
        stage_rows = [
            {
                "due_at": c.stage_due_at,
                "what": f"“{c.get_stage_display()}”阶段",
                "case": c,
                "unit": c.lead_unit,
                "basis": c.stage_due_basis,
                "url_name": "case-detail",
                "pk": c.pk,
            }
            for c in cases.filter(case_q)
        ]
        action_rows = [
            {
                "due_at": a.due_at,
                "what": a.get_kind_display(),
                "case": a.case,
                "unit": a.unit,
                "basis": a.due_basis,
                "url_name": "case-action",
                "pk": a.pk,
            }
            for a in actions.filter(action_q)
        ]
        return sorted(chain(stage_rows, action_rows), key=lambda r: r["due_at"])

    return {
        "overdue": rows(Q(stage_due_at__lt=now), Q(due_at__lt=now)),
        "week": rows(Q(stage_due_at__gte=now, stage_due_at__lt=week), Q(due_at__gte=now, due_at__lt=week)),
        "deadlines": cases.filter(deadline_at__lt=now).order_by("deadline_at"),
    }


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The quarter ``day`` falls in (the plenary meeting's rhythm, §二): its first and last day."""
    first = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last_month = first.month + 2
    following = datetime.date(day.year + (last_month == 12), last_month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def three_ensures(*, user, today: datetime.date | None = None) -> dict:
    """§一 "三个确保" for the quarter: cases closed on time, malicious arrears referred to the
    police, mass incidents — within the user's scope."""
    today = today or timezone.localdate()
    first, last = quarter_of(today)
    local = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=local)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=local)
    cases = Case.objects.for_user(user)
    closed = cases.filter(closed_at__gte=start, closed_at__lt=end).aggregate(
        n=Count("pk"), on_time=Count("pk", filter=Q(closed_at__lte=F("deadline_at")))
    )
    referrals = (
        LegalAction.objects.for_user(user)
        .filter(kind=ActionKind.REFERRAL, requested_at__gte=start, requested_at__lt=end)
        .aggregate(n=Count("pk"), accepted=Count("pk", filter=Q(status__in=["accepted", "done"])))
    )
    incidents = Incident.objects.filter(
        case__in=cases.values("pk"), occurred_at__gte=start, occurred_at__lt=end
    ).aggregate(
        # 群体性事件 counts the extreme ones too (the case's own flag does the same)
        mass=Count("pk", filter=Q(kind__in=("mass", "extreme"))),
        closure=Count("pk", filter=Q(kind="closure")),
    )
    open_cases = cases.open().aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(deadline_at__lt=timezone.now()))
    )
    return {
        "first": first,
        "last": last,
        "closed": closed["n"],
        "on_time": closed["on_time"],
        "on_time_rate": round(closed["on_time"] * 100 / closed["n"]) if closed["n"] else None,
        "referrals": referrals["n"],
        "referrals_accepted": referrals["accepted"],
        "mass": incidents["mass"],
        "closure": incidents["closure"],
        "open": open_cases["n"],
        "late": open_cases["late"],
    }
