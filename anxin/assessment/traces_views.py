"""Screens of the traces part: a case's 责任倒查 (tab and full page, saved as a numbered trace), the
saved traces, findings (台账 with Excel, recording, withdrawal), the veto queue and a proposal's page
(confirm or reject with the reason), referrals to 纪检监察 (the office's ledger, the transfer, receipt,
outcome, what the unit is told, the 移交函 Word). Reads through ``traces_selectors`` (scoped: out of
scope is a 404); writes through ``services.traces``, ``findings``, ``vetoes``, ``referrals``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.assessment import access, traces_documents, workflow
from anxin.assessment import traces_selectors as selectors
from anxin.assessment.models import (
    FindingSource,
    FindingStatus,
    ItemResult,
    SpotCheckItem,
    Trace,
    VetoProposal,
    VetoStatus,
)
from anxin.assessment.services import findings, referrals, traces, vetoes
from anxin.assessment.traces_forms import (
    ConcludeForm,
    FindingFilter,
    FindingForm,
    ReasonForm,
    ReceiveForm,
    ReferralFilter,
    ReferralForm,
    TellForm,
    TraceFilter,
    TraceSaveForm,
    VetoFilter,
)
from anxin.cases.models import Case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view

VIEW_TRACE = "assessment.view_trace"
VIEW_FINDING = "assessment.view_finding"
VIEW_VETO = "assessment.view_vetoproposal"
REFER = "assessment.refer_findings"
EXPORT = "assessment.export_assessment"


def _refused(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _case_for_trace(request: HttpRequest, pk: int) -> Case:
    """A case's live trace: the office, the leaders and the auditors only (others: 404)."""
    if not access.sees_all(request.user):
        raise Http404
    try:
        return Case.objects.select_related("enterprise", "lead_unit").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


# --- the case page's tab ------------------------------------------------------------------------------


def case_tabs(request: HttpRequest, case: Case) -> list[seam.Tab]:
    """``seam.CASE_TABS``: 责任倒查 — the office and the leaders on a case with something to trace;
    a unit on a case with a saved trace that names it."""
    user = request.user
    if not user.has_perm(VIEW_TRACE):
        return []
    if access.sees_all(user):
        if not traces.traceable(case):
            return []
    elif not Trace.objects.for_user(user).filter(case=case).exists():
        return []
    return [{"key": "trace", "label": "责任倒查", "render": render_case_tab}]


def render_case_tab(request: HttpRequest, case: Case, **_bound: Any) -> str:
    user = request.user
    context: dict[str, Any] = {"case": case, "sees_all": access.sees_all(user)}
    if context["sees_all"]:
        context["trace"] = traces.build_trace(case)
    context["saved"] = list(Trace.objects.for_user(user).filter(case=case).distinct().order_by("-created_at"))
    return render_to_string("assessment/traces_case_tab.html", context, request=request)


# --- a case's live trace, saved traces ----------------------------------------------------------------


@login_required
@permission_required(VIEW_TRACE, raise_exception=True)
def case_trace(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_trace(request, pk)
    try:
        data = traces.build_trace(case)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("case-detail", case.pk)
    form = TraceSaveForm(request.POST or None)
    may = access.may_manage(request.user)
    if request.method == "POST":
        if not may:
            raise PermissionDenied(traces.OFFICE_ONLY)
        if form.is_valid():
            trace = traces.save_trace(case=case, actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
            messages.success(request, f"已保存责任倒查 {trace.number}。")
            return redirect("assessment-trace", trace.pk)
    return render(
        request,
        "assessment/traces_case.html",
        {"page_title": f"责任倒查：{case.number} {case.enterprise.name}", "case": case, "trace": data,
         "form": form if may else None},
    )  # fmt: skip


TRACES = Ledger(
    title="责任倒查台账",
    page_title="责任倒查",
    columns=[
        Column("编号", "number", 14),
        Column("案件", "case.number", 14),
        Column("企业", "enterprise.name", 28),
        Column("倒查事由", "get_reason_display", 16),
        Column("事发日期", "incident_on", 12, "date"),
        Column("追溯起始日", "since", 12, "date"),
        Column("倒查人", "created_by.display_name", 12),
        Column("保存时间", "created_at", 17, "datetime"),
    ],
    screen=[
        Header("编号"),
        Header("案件"),
        Header("企业"),
        Header("倒查事由"),
        Header("事发日期"),
        Header("保存时间"),
    ],
    filter_form=TraceFilter,
    select=selectors.trace_list,
    permission=VIEW_TRACE,
    export_permission=EXPORT,
    template="assessment/traces_list.html",
    partial="assessment/_traces_table.html",
)
trace_list = ledger_view(TRACES)


def _trace_page(
    request: HttpRequest, trace: Trace, form: FindingForm | None = None, status: int = 200
) -> HttpResponse:
    may = access.may_manage(request.user)
    if may and form is None:
        form = FindingForm(units=trace.units.all(), initial={"year": trace.incident_on.year})
    return render(
        request,
        "assessment/traces_detail.html",
        {
            "page_title": f"责任倒查 {trace.number}",
            "trace": trace,
            "summary": traces.trace_summary(trace),
            "findings": list(trace.findings.select_related("unit")),
            "form": form if may else None,
            "sees_all": access.sees_all(request.user),
        },
        status=status,
    )


@login_required
@permission_required(VIEW_TRACE, raise_exception=True)
def trace_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trace = selectors.trace_get(user=request.user, pk=pk)
    if request.method == "POST":
        if not access.may_manage(request.user):
            raise PermissionDenied(findings.OFFICE_ONLY)
        form = FindingForm(request.POST, units=trace.units.all())
        if form.is_valid():
            v = form.cleaned_data
            try:
                finding = findings.record_finding(
                    unit=v["unit"], year=v["year"], source=FindingSource.TRACE, text=v["text"],
                    deduction=v["deduction"], actor=request.user, trace=trace,  # type: ignore[arg-type]
                    veto_condition=v.get("veto_condition"),
                )  # fmt: skip
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"已认定问题 {finding.number}。")
                return redirect("assessment-finding", finding.pk)
        return _trace_page(request, trace, form, status=400)
    return _trace_page(request, trace)


@login_required
@permission_required(VIEW_TRACE, raise_exception=True)
def trace_word(request: HttpRequest, pk: int) -> HttpResponse:
    trace = selectors.trace_get(user=request.user, pk=pk)
    return docx_response(
        request, traces_documents.trace_docx(trace), filename=f"责任倒查{trace.number}",
        summary=f"下载责任倒查 {trace.number}", detail={"trace": trace.pk},
    )  # fmt: skip


# --- findings -------------------------------------------------------------------------------------------

FINDINGS = Ledger(
    title="认定问题台账",
    page_title="认定问题",
    columns=[
        Column("编号", "number", 14),
        Column("考核年度", "year", 10, "int"),
        Column("责任单位", "unit.name", 16),
        Column("来源", "get_source_display", 12),
        Column("问题", "text", 40),
        Column("建议扣分", lambda f: float(f.deduction), 10, "int", "0.00"),
        Column("建议一票否决情形", "veto_condition.name", 20),
        Column("状态", "get_status_display", 8),
        Column("撤销理由", "withdrawn_reason", 20),
        Column("认定人", "recorded_by.display_name", 12),
        Column("认定时间", "created_at", 17, "datetime"),
    ],
    screen=[
        Header("编号"),
        Header("考核年度", "年度"),
        Header("责任单位"),
        Header("来源"),
        Header("问题"),
        Header("建议扣分", css="text-end"),
        Header("状态"),
    ],
    filter_form=FindingFilter,
    select=selectors.finding_list,
    permission=VIEW_FINDING,
    export_permission=EXPORT,
    template="assessment/findings_list.html",
    partial="assessment/_findings_table.html",
    context=lambda request, context: {"may_manage": access.may_manage(request.user)},
)
finding_list = ledger_view(FINDINGS)


@login_required
@permission_required(VIEW_FINDING, raise_exception=True)
def finding_new(request: HttpRequest) -> HttpResponse:
    """认定问题: by the office from its own knowledge, or from a spot-check item that found a problem
    (``?spot_item=<id>``: the unit, the year and the observations prefilled; the finding keeps the item)."""
    if not access.may_manage(request.user):
        raise PermissionDenied(findings.OFFICE_ONLY)
    spot_item = None
    spot_item_id = request.POST.get("spot_item") or request.GET.get("spot_item")
    initial: dict[str, Any] = {}
    if spot_item_id:
        spot_item = get_object_or_404(
            SpotCheckItem.objects.select_related("check_unit__unit", "check_unit__spot_check"),
            pk=spot_item_id if str(spot_item_id).isdigit() else -1,
            result=ItemResult.PROBLEM,
        )
        spot = spot_item.check_unit.spot_check
        initial = {
            "unit": spot_item.check_unit.unit,
            "year": spot.year,
            "text": f"{spot.number} {spot.title}：{spot_item.subject}。{spot_item.observations}".strip(),
        }
    form = FindingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            finding = findings.record_finding(
                unit=v["unit"], year=v["year"],
                source=FindingSource.SPOT_CHECK if spot_item is not None else FindingSource.OFFICE,
                text=v["text"], deduction=v["deduction"], actor=request.user,  # type: ignore[arg-type]
                spot_item=spot_item, veto_condition=v.get("veto_condition"),
            )  # fmt: skip
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"已认定问题 {finding.number}，已通知{finding.unit.name}。")
            return redirect("assessment-finding", finding.pk)
    return render(
        request, "assessment/findings_form.html",
        {"page_title": "认定问题", "form": form, "spot_item": spot_item},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _finding_veto(user: Any, finding: Any) -> dict[str, Any] | None:
    """The veto line of a finding's page: who sees every unit sees the proposal made from it whatever
    its status; the unit only once the office confirmed it (as the veto list shows it)."""
    if finding.veto_condition_id is None:
        return None
    proposal = VetoProposal.objects.filter(finding=finding).order_by("pk").first()
    if access.sees_all(user):
        return {"label": "建议一票否决", "condition": finding.veto_condition.name, "proposal": proposal}
    if proposal is not None and proposal.status == VetoStatus.CONFIRMED:
        return {"label": "一票否决", "condition": finding.veto_condition.name, "proposal": proposal}
    return None


def _finding_page(request: HttpRequest, finding: Any, **forms: Any) -> HttpResponse:
    may = access.may_manage(request.user) and finding.status == FindingStatus.ACTIVE
    may_refer = access.may_refer(request.user)
    context = {
        "page_title": f"认定问题 {finding.number}",
        "finding": finding,
        "veto": _finding_veto(request.user, finding),
        "withdraw_form": forms.get("withdraw_form") or (ReasonForm() if may else None),
        "referral_form": forms.get("referral_form")
        or (ReferralForm() if may_refer and finding.status == FindingStatus.ACTIVE else None),
        "referrals": list(finding.referrals.all()) if may_refer else [],
        "told": [r for r in finding.referrals.all() if r.unit_message] if not may_refer else [],
    }
    return render(request, "assessment/findings_detail.html", context, status=400 if forms else 200)


@login_required
@permission_required(VIEW_FINDING, raise_exception=True)
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _finding_page(request, selectors.finding_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW_FINDING, raise_exception=True)
@require_POST
def finding_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get(user=request.user, pk=pk)
    if not access.may_manage(request.user):
        raise PermissionDenied(findings.OFFICE_ONLY)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            findings.finding_withdraw(finding=finding, actor=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"已撤销认定问题 {finding.number}。")
            return redirect("assessment-finding", finding.pk)
    return _finding_page(request, finding, withdraw_form=form)


# --- vetoes ---------------------------------------------------------------------------------------------

VETOES = Ledger(
    title="一票否决台账",
    page_title="一票否决",
    columns=[
        Column("考核年度", "year", 10, "int"),
        Column("单位", "unit.name", 16),
        Column("否决情形", "condition.name", 24),
        Column("情况", "summary", 40),
        Column("状态", "get_status_display", 10),
        Column("理由", "reason", 30),
        Column("决定人", "decided_by.display_name", 12),
        Column("决定时间", "decided_at", 17, "datetime"),
        Column("提出时间", "created_at", 17, "datetime"),
    ],
    screen=[
        Header("考核年度", "年度"),
        Header("单位"),
        Header("否决情形"),
        Header("情况"),
        Header("状态"),
        Header("提出时间"),
    ],
    filter_form=VetoFilter,
    select=selectors.veto_list,
    permission=VIEW_VETO,
    export_permission=EXPORT,
    template="assessment/vetoes_list.html",
    partial="assessment/_vetoes_table.html",
)
veto_list = ledger_view(VETOES)


VETO_LABELS = {vetoes.PROPOSE: "提出一票否决建议", **workflow.VETOES.action_labels}
REFERRAL_LABELS = {
    referrals.SEND: "移交",
    referrals.TELL: "告知被移交单位",
    **workflow.REFERRALS.action_labels,
}


def _events(events: Any, labels: dict[str, str]) -> list[dict[str, Any]]:
    """A record's events with the Chinese name of each action (the workflow's labels)."""
    return [{"label": labels.get(e.action, e.action), "event": e} for e in events]


def _veto_page(request: HttpRequest, proposal: Any, form: ReasonForm | None = None) -> HttpResponse:
    may = access.may_manage(request.user) and proposal.status == VetoStatus.PROPOSED
    return render(
        request,
        "assessment/vetoes_detail.html",
        {
            "page_title": f"一票否决：{proposal.unit.name}（{proposal.year} 年度）",
            "proposal": proposal,
            "events": _events(proposal.events.select_related("actor").order_by("at", "pk"), VETO_LABELS),
            "form": (form or ReasonForm()) if may else None,
            "locked": vetoes.year_locked(proposal.year),
        },
        status=400 if form is not None else 200,
    )


@login_required
@permission_required(VIEW_VETO, raise_exception=True)
def veto_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _veto_page(request, selectors.veto_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW_VETO, raise_exception=True)
@require_POST
def veto_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    proposal = selectors.veto_get(user=request.user, pk=pk)
    if not access.may_manage(request.user):
        raise PermissionDenied(vetoes.OFFICE_ONLY)
    service = {"confirm": vetoes.veto_confirm, "reject": vetoes.veto_reject}.get(action)
    if service is None:
        raise Http404
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            service(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "已确认一票否决。" if action == "confirm" else "已决定不予否决。")
            return redirect("assessment-veto", proposal.pk)
    return _veto_page(request, proposal, form)


# --- referrals ------------------------------------------------------------------------------------------

REFERRALS = Ledger(
    title="问责线索移交台账",
    page_title="问责线索移交",
    columns=[
        Column("移交编号", "number", 14),
        Column("移交日期", "sent_on", 12, "date"),
        Column("接收机关", "to_body", 14),
        Column("认定问题", "finding.number", 14),
        Column("责任单位", "finding.unit.name", 16),
        Column("状态", "get_status_display", 12),
        Column("签收日期", "received_on", 12, "date"),
        Column("签收人", "received_by_name", 10),
        Column("处理结果", "outcome", 30),
        Column("反馈日期", "outcome_on", 12, "date"),
        Column("告知单位时间", "unit_told_at", 17, "datetime"),
        Column("移交人", "sent_by.display_name", 12),
    ],
    screen=[
        Header("移交编号"),
        Header("移交日期"),
        Header("接收机关"),
        Header("认定问题"),
        Header("责任单位"),
        Header("状态"),
    ],
    filter_form=ReferralFilter,
    select=selectors.referral_list,
    permission=REFER,
    template="assessment/referrals_list.html",
    partial="assessment/_referrals_table.html",
)
referral_list = ledger_view(REFERRALS)


def _papers(form: ReferralForm) -> list[referrals.Paper]:
    return [referrals.Paper(name=f.name, content=f.read()) for f in form.cleaned_data.get("papers") or []]


@login_required
@permission_required(REFER, raise_exception=True)
@require_POST
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get(user=request.user, pk=pk)
    form = ReferralForm(request.POST, request.FILES)
    if form.is_valid():
        v = form.cleaned_data
        try:
            referral = referrals.referral_create(
                finding=finding, actor=request.user, letter=v["letter"], to_body=v["to_body"],  # type: ignore[arg-type]
                papers=_papers(form),
            )  # fmt: skip
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"已移交 {referral.number}。")
            return redirect("assessment-referral", referral.pk)
    return _finding_page(request, finding, referral_form=form)


def _referral_page(request: HttpRequest, referral: Any, **forms: Any) -> HttpResponse:
    return render(
        request,
        "assessment/referrals_detail.html",
        {
            "page_title": f"问责线索移交 {referral.number}",
            "referral": referral,
            "files": list(referral.files.all()),
            "events": _events(referral.events.select_related("actor").order_by("at", "pk"), REFERRAL_LABELS),
            "receive_form": forms.get("receive")
            or ReceiveForm(initial={"received_on": timezone.localdate()}),
            "conclude_form": forms.get("conclude")
            or ConcludeForm(initial={"outcome_on": timezone.localdate()}),
            "tell_form": forms.get("tell") or TellForm(initial={"message": referral.unit_message}),
        },
        status=400 if forms else 200,
    )


@login_required
@permission_required(REFER, raise_exception=True)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_page(request, selectors.referral_get(user=request.user, pk=pk))


@login_required
@permission_required(REFER, raise_exception=True)
@require_POST
def referral_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, pk=pk)
    actor: Any = request.user
    form: Any
    try:
        if action == "receive":
            form = ReceiveForm(request.POST)
            if form.is_valid():
                referrals.referral_receive(referral=referral, actor=actor, **form.cleaned_data)
                messages.success(request, "已登记签收。")
                return redirect("assessment-referral", referral.pk)
        elif action == "conclude":
            form = ConcludeForm(request.POST)
            if form.is_valid():
                referrals.referral_conclude(referral=referral, actor=actor, **form.cleaned_data)
                messages.success(request, "已登记处理结果。")
                return redirect("assessment-referral", referral.pk)
        elif action == "tell":
            form = TellForm(request.POST)
            if form.is_valid():
                referrals.referral_tell_unit(
                    referral=referral, actor=actor, message=form.cleaned_data["message"]
                )
                messages.success(request, f"已告知{referral.finding.unit.name}。")
                return redirect("assessment-referral", referral.pk)
        else:
            raise Http404
    except DomainError as exc:
        _refused(form, exc)
    return _referral_page(request, referral, **{action: form})


@login_required
@permission_required(REFER, raise_exception=True)
def referral_word(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, pk=pk)
    return docx_response(
        request, traces_documents.referral_docx(referral), filename=f"问责线索移交函{referral.number}",
        summary=f"下载问责线索移交函 {referral.number}", detail={"referral": referral.pk},
    )  # fmt: skip


@login_required
@permission_required(REFER, raise_exception=True)
def referral_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    referral = selectors.referral_get(user=request.user, pk=pk)
    paper = referral.files.filter(pk=file_pk).first()
    if paper is None:
        raise Http404
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{referral.number}-{paper.pk}{paper.extension}"
    )
    return response


# --- menu -----------------------------------------------------------------------------------------------


def menu(user: Any) -> list[seam.MenuItem]:
    items: list[seam.MenuItem] = []
    if user.has_perm(VIEW_TRACE):
        items.append(
            {
                "label": "责任倒查",
                "url_name": "assessment-traces",
                "icon": "timeline",
                "order": 50,
                "group": "assessment",
            }
        )
    if user.has_perm(VIEW_FINDING):
        items.append(
            {
                "label": "认定问题",
                "url_name": "assessment-findings",
                "icon": "alert-triangle",
                "order": 51,
                "group": "assessment",
            }
        )
    if user.has_perm(VIEW_VETO):
        items.append(
            {
                "label": "一票否决",
                "url_name": "assessment-vetoes",
                "icon": "ban",
                "order": 52,
                "group": "assessment",
            }
        )
    if access.may_refer(user):
        items.append(
            {
                "label": "问责移交",
                "url_name": "assessment-referrals",
                "icon": "send",
                "order": 53,
                "group": "assessment",
            }
        )
    return items
