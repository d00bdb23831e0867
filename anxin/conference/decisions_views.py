"""Screens of decisions (议定事项): the ledger (filters, pages, Excel of the current view), a decision's
page (its reports with the office's answers, the 督办通知, the history; the owner's and the office's
forms), the evidence files, the 督办通知 in Word; the panels (我的待办, the home page) and the menu."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.conference import access, decisions_documents
from anxin.conference import decisions_forms as f
from anxin.conference import decisions_selectors as selectors
from anxin.conference.minutes_views import meeting_url
from anxin.conference.models import ConferenceFile, Decision, DecisionStatus, SupervisionNotice
from anxin.conference.services import decisions as services
from anxin.conference.workflow import DECISION_LABELS
from anxin.core import seam
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view

VIEW = "conference.view_decision"
EXPORT = "conference.export_conference"


def shown_status(decision: Decision) -> str:
    """The status as shown: derived from today (an open decision past its due date is overdue)."""
    return decision.get_status_display() + ("（逾期）" if decision.is_overdue else "")


def _co(decision: Decision) -> str:
    return "、".join(u.name for u in decision.co_units.all())


def _last_report(decision: Decision) -> str:
    return (getattr(decision, "last_report_text", "") or "")[:200]


DECISIONS = Ledger(
    title="议定事项台账",
    columns=[
        Column("编号", "number", 16),
        Column("会议", "meeting.title", 28),
        Column("会议日期", "meeting.date", 12, "date"),
        Column("纪要文号", "minutes.reference", 22),
        Column("议定事项", "subject", 40),
        Column("工作要求", "result_required", 40),
        Column("牵头单位", "owner.name", 14),
        Column("配合单位", _co, 24),
        Column("完成时限", "due_on", 12, "date"),
        Column("状态", shown_status, 16),
        Column("是否逾期", lambda d: "逾期" if d.is_overdue else "", 8),
        Column("最近报告时间", "last_report_at", 17, "datetime"),
        Column("最新报告内容", _last_report, 40),
        Column("验收日期", "accepted_on", 12, "date"),
    ],
    screen=[
        Header("编号"),
        Header("会议", css="d-none d-lg-table-cell"),
        Header("议定事项"),
        Header("牵头单位", "牵头"),
        Header("配合单位", "配合", "d-none d-lg-table-cell"),
        Header("完成时限", "时限"),
        Header("状态"),
        Header("最近报告时间", "最近报告", "d-none d-md-table-cell"),
    ],
    filter_form=f.DecisionFilter,
    select=selectors.decision_list,
    permission=VIEW,
    export_permission=EXPORT,
    refusal="您的角色不能导出议定事项台账。",
    template="conference/decision_list.html",
    partial="conference/_decision_table.html",
    context=lambda request, context: {"today": timezone.localdate()},
)
decision_list = ledger_view(DECISIONS)


# --- a decision's page --------------------------------------------------------------------------------


def _forms(request: HttpRequest, decision: Decision, bound: dict) -> dict:
    user = request.user
    forms: dict[str, Any] = {}
    if decision.status == DecisionStatus.OPEN and access.may_handle_decision(user, decision):
        forms["progress"] = bound.get("progress") or f.ProgressForm()
        forms["complete"] = bound.get("complete") or f.CompleteForm()
    if access.may_manage(user):
        if decision.status == DecisionStatus.REPORTED:
            forms["accept"] = bound.get("accept") or f.AcceptForm()
            forms["send_back"] = bound.get("send_back") or f.SendBackForm()
        if decision.status == DecisionStatus.OPEN:
            forms["supervise"] = bound.get("supervise") or f.SuperviseForm(
                initial={"reference": services.suggest_notice_reference()}
            )
    return forms


def render_decision(
    request: HttpRequest, decision: Decision, *, status: int = 200, **bound: Any
) -> HttpResponse:
    events = decision.events.select_related("actor").order_by("at", "pk")
    context = {
        "page_title": f"议定事项 {decision.number}",
        "decision": decision,
        "shown_status": shown_status(decision),
        "meeting_url": meeting_url(decision.meeting),
        "co_units": list(decision.co_units.all()),
        "reports": selectors.reports_of(decision),
        "notices": selectors.notices_of(decision),
        "events": [{"label": DECISION_LABELS.get(e.action, e.action), "event": e} for e in events],
        "entries": with_change_rows(history_for(decision)[:50]),
        "forms": _forms(request, decision, bound),
        "is_owner": decision.owner_id == getattr(request.user, "unit_id", None),
        "today": timezone.localdate(),
    }
    return render(request, "conference/decision_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_decision(request, selectors.decision_get(user=request.user, pk=pk))


FORMS = {
    "progress": f.ProgressForm,
    "complete": f.CompleteForm,
    "accept": f.AcceptForm,
    "send_back": f.SendBackForm,
    "supervise": f.SuperviseForm,
}


def _papers(files: list) -> list[services.Paper]:
    return [services.Paper(name=u.name, content=u.read()) for u in files or []]


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def decision_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """One step: the owner's progress or completion, the office's acceptance, sending back, 督办."""
    decision = selectors.decision_get(user=request.user, pk=pk)
    do = do.replace("-", "_")
    if do not in FORMS:
        raise Http404
    user: Any = request.user
    if do in ("progress", "complete"):
        if not access.may_handle_decision(user, decision):
            raise PermissionDenied(f"该议定事项由{decision.owner.name}牵头落实，您所在单位不能报告")
    elif not access.may_manage(user):
        raise PermissionDenied(services.OFFICE_ONLY)
    form = FORMS[do](request.POST, request.FILES)
    if not form.is_valid():
        return render_decision(request, decision, status=400, **{do: form})
    v = form.cleaned_data
    try:
        if do == "progress":
            services.decision_progress(
                actor=user, decision=decision, text=v["text"], evidence=_papers(v["evidence"])
            )
            text = "已报告进展。"
        elif do == "complete":
            services.decision_complete(
                actor=user, decision=decision, result=v["result"], evidence=_papers(v["evidence"])
            )
            text = "已报告完成，待联席办验收。"
        elif do == "accept":
            services.decision_accept(actor=user, decision=decision, opinion=v["opinion"])
            text = "已验收办结。"
        elif do == "send_back":
            services.decision_send_back(actor=user, decision=decision, reason=v["reason"])
            text = "已退回牵头单位重办。"
        else:
            notice = services.supervision_issue(
                actor=user,
                decision=decision,
                reference=v["reference"],
                requirements=v["requirements"],
                reply_by=v["reply_by"],
            )
            text = f"已印发督办通知（{notice.reference}），已通知{decision.owner.name}。"
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render_decision(request, decision, status=400, **{do: form})
    messages.success(request, text)
    return redirect("conference-decision", decision.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def decision_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    """An evidence file of one of the decision's reports, to whoever sees the decision."""
    decision = selectors.decision_get(user=request.user, pk=pk)
    paper = ConferenceFile.objects.filter(pk=file, pk__in=decision.reports.values("evidence")).first()
    if paper is None:
        raise Http404
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=False, filename=f"佐证材料-{decision.number}{paper.extension}"
        )
        or ""
    )
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def notice_word(request: HttpRequest, pk: int, notice: int) -> HttpResponse:
    """The 督办通知 in Word, printing the record."""
    decision = selectors.decision_get(user=request.user, pk=pk)
    record = SupervisionNotice.objects.filter(decision=decision, pk=notice).select_related("decision").first()
    if record is None:
        raise Http404
    return docx_response(
        request,
        decisions_documents.notice(record),
        filename=f"督办通知-{record.reference}",
        summary=f"导出督办通知：{record.reference}",
        detail={"decision": decision.pk, "notice": record.pk},
    )


# --- panels and menu ------------------------------------------------------------------------------------


def todo_panels(request: Any) -> list[seam.Panel]:
    """``seam.TODO_PANELS``: the open decisions the user's unit owns (with a link to report), and
    those it co-handles (read-only)."""
    user = request.user
    if (
        not user.is_authenticated
        or not user.has_perm("conference.handle_decision")
        or access.may_manage(user)
    ):
        return []
    owned = selectors.owned_open(user=user)
    shown = list(owned[:20])
    co = list(selectors.co_handled(user=user)[:20])
    if not shown and not co:
        return []
    return [
        {
            "template": "conference/_decision_todo.html",
            "order": 7,
            "decisions": shown,
            "count": len(shown) if len(shown) < 20 else owned.count(),
            "co_handled": co,
            "today": timezone.localdate(),
        }  # type: ignore[typeddict-unknown-key]
    ]


def home_panels(request: Any) -> list[seam.Panel]:
    """``seam.HOME_PANELS``: the convener's 待审签会议纪要; the office's decisions awaiting acceptance
    and overdue decisions; a unit's own open decisions (as on 我的待办)."""
    from anxin.conference.minutes_selectors import awaiting_signature

    user = request.user
    if not user.is_authenticated:
        return []
    panels: list[seam.Panel] = []
    if access.is_convener(user):
        pending = awaiting_signature(user=user)
        panels.append(
            {
                "template": "conference/_minutes_home_sign.html",
                "order": 4,
                "minutes": list(pending[:10]),
                "count": pending.count(),
            }  # type: ignore[typeddict-unknown-key]
        )
    if access.may_manage(user):
        reported = selectors.awaiting_acceptance(user=user)
        late = selectors.overdue(user=user)
        if reported.exists() or late.exists():
            panels.append(
                {
                    "template": "conference/_decision_home_office.html",
                    "order": 8,
                    "reported": list(reported[:10]),
                    "reported_count": reported.count(),
                    "overdue": list(late[:10]),
                    "overdue_count": late.count(),
                    "today": timezone.localdate(),
                }  # type: ignore[typeddict-unknown-key]
            )
    else:
        panels += todo_panels(request)
    return panels


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    return [
        {"label": "议定事项台账", "url_name": "conference-decisions", "icon": "checklist", "order": 30, "group": "conference"}
    ]  # fmt: skip
