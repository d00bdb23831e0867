"""Screens of spot checks (不定期抽查): the rounds list (filters, pages, Excel), the draw form, a round's
page (the draw record and its re-run, units, inspectors, items with photos and papers, conclusions,
rectification, the circular and its recipients, the history), the circular in Word; the rectification
list and an item's page (the unit's answer, the office's acceptance or return); 我的待办, the menu."""

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

from anxin.assessment import access, spotchecks_documents
from anxin.assessment import spotchecks_forms as f
from anxin.assessment import spotchecks_selectors as selectors
from anxin.assessment.models import (
    AssessmentFile,
    ItemResult,
    Rectification,
    RectificationStatus,
    SpotCheck,
    SpotCheckItem,
    SpotCheckStatus,
    SpotCheckUnit,
)
from anxin.assessment.services import spotchecks as services
from anxin.assessment.workflow import RECTIFICATIONS, SPOT_CHECKS
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view

VIEW = "assessment.view_spotcheck"
VIEW_RECT = "assessment.view_rectification"
EXPORT = "assessment.export_assessment"
LABELS = {
    "draw": "随机抽取",
    "assign": "指定检查人员",
    "record": "登记检查结果",
    "conclude": "填写检查结论",
    **SPOT_CHECKS.action_labels,
}
RECT_LABELS = {"set": "下达整改", "escalate": "逾期报联席办", **RECTIFICATIONS.action_labels}


def _drawn_names(spot_check: SpotCheck) -> str:
    """The units drawn, by name in the order drawn (the list prefetches them)."""
    return "、".join(cu.unit.name for cu in spot_check.units.all())


SPOT_CHECK_LEDGER = Ledger(
    title="不定期抽查台账",
    columns=[
        Column("编号", "number", 14),
        Column("年度", "year", 8, "int"),
        Column("名称", "title", 30),
        Column("随机种子", "seed", 16),
        Column("抽取范围单位数", lambda s: len(s.population), 10, "int"),
        Column("抽中单位", _drawn_names, 30),
        Column("抽取人", "drawn_by.full_name", 12),
        Column("抽取时间", "drawn_at", 17, "datetime"),
        Column("检查事项数", "item_total", 10, "int"),
        Column("发现问题数", "problem_total", 10, "int"),
        Column("整改事项数", "rectification_total", 10, "int"),
        Column("状态", "get_status_display", 10),
        Column("通报文号", "circular_reference", 22),
        Column("通报日期", "circulated_on", 12, "date"),
    ],
    screen=[
        Header("编号"),
        Header("名称"),
        Header("抽中单位", css="d-none d-lg-table-cell"),
        Header("抽取时间", css="d-none d-md-table-cell"),
        Header("检查事项数", "事项"),
        Header("发现问题数", "问题"),
        Header("整改事项数", "整改"),
        Header("状态"),
        Header("通报文号", css="d-none d-lg-table-cell"),
    ],
    filter_form=f.SpotCheckFilter,
    select=selectors.spot_check_list,
    permission=VIEW,
    export_permission=EXPORT,
    refusal="您的角色不能导出不定期抽查台账。",
    template="assessment/spotchecks_list.html",
    partial="assessment/_spotchecks_table.html",
)
spot_check_list = ledger_view(SPOT_CHECK_LEDGER)


def shown_rect_status(r: Rectification) -> str:
    late = (
        r.status in (RectificationStatus.OPEN, RectificationStatus.RETURNED) and r.due < timezone.localdate()
    )
    return r.get_status_display() + ("（逾期）" if late else "")


RECTIFICATION_LEDGER = Ledger(
    title="整改事项台账",
    columns=[
        Column("抽查编号", "item.check_unit.spot_check.number", 14),
        Column("检查事项", "item.subject", 30),
        Column("整改责任单位", "unit.name", 16),
        Column("整改要求", "requirement", 40),
        Column("整改期限", "due", 12, "date"),
        Column("状态", shown_rect_status, 16),
        Column("报送时间", "answered_at", 17, "datetime"),
        Column("整改情况", "answer", 40),
        Column("验收时间", "accepted_at", 17, "datetime"),
        Column("逾期报联席办时间", "escalated_at", 17, "datetime"),
    ],
    screen=[
        Header("抽查编号", "抽查"),
        Header("检查事项"),
        Header("整改责任单位", "责任单位"),
        Header("整改要求", css="d-none d-lg-table-cell"),
        Header("整改期限", "期限"),
        Header("状态"),
    ],
    filter_form=f.RectificationFilter,
    select=selectors.rectification_list,
    permission=VIEW_RECT,
    template="assessment/spotchecks_rectifications.html",
    partial="assessment/_spotchecks_rect_table.html",
    context=lambda request, context: {"today": timezone.localdate()},
)
rectification_list = ledger_view(RECTIFICATION_LEDGER)


# --- the draw ------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def spot_check_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not access.may_run_spot_checks(user):
        raise PermissionDenied(services.OFFICE_ONLY)
    if request.method == "POST":
        form = f.DrawForm(request.POST)
        if form.is_valid():
            v = form.cleaned_data
            population = [u.code for u in v["population"]] or None
            try:
                spot_check = services.draw(
                    title=v["title"],
                    seed=v["seed"],
                    units=v["units"],
                    population=population,
                    items_per_unit=v["items_per_unit"],
                    actor=user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                names = "、".join(services.unit_names(spot_check.drawn))
                messages.success(request, f"已抽取 {spot_check.number}：{names}。")
                return redirect("assessment-spotcheck", spot_check.pk)
        status = 400
    else:
        form = f.DrawForm(
            initial={
                "seed": services.random_seed(),
                "units": 3,
                "items_per_unit": services.default_items_per_unit(),
                "title": f"{timezone.localdate():%Y年%m月}保障工资支付工作不定期抽查",
            }
        )
        status = 200
    context = {
        "page_title": "随机抽取被检查单位",
        "form": form,
        "population_total": access.assessed_units().count(),
        "clause": services.CLAUSE,
    }
    return render(request, "assessment/spotchecks_new.html", context, status=status)


# --- a round's page --------------------------------------------------------------------------------------


def _forms(request: HttpRequest, spot_check: SpotCheck, bound: dict) -> dict:
    user: Any = request.user
    forms: dict[str, Any] = {}
    if access.may_run_spot_checks(user) and spot_check.status == SpotCheckStatus.CHECKING:
        forms["circulate"] = bound.get("circulate") or f.CircularForm(
            initial={
                "reference": services.suggest_circular_reference(),
                "body": services.circular_draft(spot_check),
                "copy_to": services.ORGANISATION_DEPARTMENT,
            }
        )
    return forms


def render_spot_check(
    request: HttpRequest, spot_check: SpotCheck, *, status: int = 200, verify: Any = None, **bound: Any
) -> HttpResponse:
    user: Any = request.user
    units = selectors.units_of(spot_check, user=user)
    office = access.may_run_spot_checks(user)
    sees_all = access.sees_all(user)
    events = spot_check.events.select_related("actor").order_by("at", "pk") if sees_all else []
    names = dict(zip(spot_check.drawn, services.unit_names(spot_check.drawn), strict=True))
    if verify is not None:
        names |= dict(zip(verify.units, services.unit_names(verify.units), strict=True))
    default_due, days, _ = services.default_due(timezone.localdate())
    rows = []
    for cu in units:
        inspector_ids = {p.pk for p in cu.inspectors.all()}
        inspects = office or user.pk in inspector_ids
        rows.append(
            {
                "unit": cu,
                "inspects": inspects and spot_check.status == SpotCheckStatus.CHECKING,
                "inspectors_form": f.InspectorsForm(
                    initial={"check_unit": cu.pk, "inspectors": list(inspector_ids)}, prefix=f"u{cu.pk}"
                )
                if office and spot_check.status != SpotCheckStatus.CIRCULATED
                else None,
            }
        )
    context = {
        "page_title": f"不定期抽查 {spot_check.number}",
        "spot_check": spot_check,
        "rows": rows,
        "office": office,
        "sees_all": sees_all,
        "events": [{"label": LABELS.get(e.action, e.action), "event": e} for e in events],
        "recipients": selectors.recipients_shown(spot_check, user=user),
        "drawn_names": [names[c] for c in spot_check.drawn],
        "population": list(
            zip(services.unit_names(spot_check.population), spot_check.population, strict=True)
        )
        if sees_all
        else [],
        "verify_names": [names[c] for c in verify.units] if verify is not None else [],
        "verify_recorded_names": [names.get(c, c) for c in verify.recorded_units]
        if verify is not None
        else [],
        "forms": _forms(request, spot_check, bound),
        "verify": verify,
        "default_due": default_due,
        "due_days": days,
        "today": timezone.localdate(),
        "problem": ItemResult.PROBLEM,
        "item_results": [
            (ItemResult.OK, ItemResult.OK.label),
            (ItemResult.PROBLEM, ItemResult.PROBLEM.label),
        ],
        "bound": bound,
        "clause": services.CLAUSE,
    }
    return render(request, "assessment/spotchecks_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def spot_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_spot_check(request, selectors.spot_check_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW, raise_exception=True)
def spot_check_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """重新验证抽取: the draw re-run from the record, shown beside what was recorded."""
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    return render_spot_check(request, spot_check, verify=services.redraw(spot_check))


def _papers(files: list) -> list[services.Paper]:
    return [services.Paper(name=u.name, content=u.read()) for u in files or []]


def _check_unit(spot_check: SpotCheck, pk: Any) -> SpotCheckUnit:
    found = spot_check.units.select_related("unit", "spot_check").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _item(spot_check: SpotCheck, pk: Any) -> SpotCheckItem:
    found = (
        SpotCheckItem.objects.select_related("check_unit__unit", "check_unit__spot_check")
        .filter(check_unit__spot_check=spot_check, pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


ROUND_FORMS = {
    "assign": f.InspectorsForm,
    "record": f.ItemForm,
    "conclude": f.ConclusionForm,
    "rectify": f.RectifyForm,
    "circulate": f.CircularForm,
}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def spot_check_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    user: Any = request.user
    if do == "start":
        try:
            services.start(actor=user, spot_check=spot_check)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("assessment-spotcheck", spot_check.pk)
        messages.success(request, "已开始检查。")
        return redirect("assessment-spotcheck", spot_check.pk)
    if do not in ROUND_FORMS:
        raise Http404
    prefix = f"u{request.POST.get('unit_pk')}" if do == "assign" else None
    form = ROUND_FORMS[do](request.POST, request.FILES, prefix=prefix)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return render_spot_check(request, spot_check, status=400, **{do: form})
    v = form.cleaned_data
    try:
        if do == "assign":
            cu = _check_unit(spot_check, v["check_unit"])
            services.assign_inspectors(actor=user, check_unit=cu, inspectors=list(v["inspectors"]))
            text = f"已指定{cu.unit.name}的检查人员。"
        elif do == "record":
            item = _item(spot_check, v["item"])
            services.record_item(
                actor=user,
                item=item,
                result=v["result"],
                observations=v["observations"],
                checked_on=v["checked_on"],
                photos=_papers(v["photos"]),
                papers=_papers(v["papers"]),
            )
            text = f"已登记“{item.subject}”的检查结果。"
        elif do == "conclude":
            cu = _check_unit(spot_check, v["check_unit"])
            services.conclude_unit(actor=user, check_unit=cu, conclusion=v["conclusion"])
            text = f"已填写{cu.unit.name}的检查结论。"
        elif do == "rectify":
            item = _item(spot_check, v["item"])
            rect = services.set_rectification(
                actor=user, item=item, requirement=v["requirement"], due=v["due"]
            )
            text = f"已向{rect.unit.name}下达整改事项，期限 {rect.due:%Y-%m-%d}。"
        else:
            services.circulate(
                actor=user,
                spot_check=spot_check,
                reference=v["reference"],
                body=v["body"],
                copy_to=v["copy_to"],
            )
            text = f"已印发抽查情况通报（{spot_check.circular_reference}），已通知各成员单位。"
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        messages.error(request, exc.message)
        return render_spot_check(request, spot_check, status=400, **{do: form})
    messages.success(request, text)
    return redirect("assessment-spotcheck", spot_check.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def circular_word(request: HttpRequest, pk: int) -> HttpResponse:
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    if spot_check.status != SpotCheckStatus.CIRCULATED:
        raise Http404("抽查尚未通报")
    return docx_response(
        request,
        spotchecks_documents.circular(spot_check),
        filename=f"抽查情况通报-{spot_check.circular_reference}",
        summary=f"导出抽查情况通报：{spot_check.circular_reference}",
        detail={"spot_check": spot_check.pk},
    )


def _file_response(paper: AssessmentFile, name: str) -> FileResponse:
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=f"{name}{paper.extension}") or ""
    )
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def spot_check_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    """A photo or paper of an item the user sees on the round's page."""
    spot_check = selectors.spot_check_get(user=request.user, pk=pk)
    unit_ids = [cu.pk for cu in selectors.units_of(spot_check, user=request.user)]
    items = SpotCheckItem.objects.filter(check_unit_id__in=unit_ids)
    paper = AssessmentFile.objects.filter(pk=file, pk__in=items.values("files")).first()
    if paper is None:
        raise Http404
    return _file_response(paper, f"抽查材料-{spot_check.number}")


# --- rectification -----------------------------------------------------------------------------------------


def _rect_forms(request: HttpRequest, rect: Rectification, bound: dict) -> dict:
    user: Any = request.user
    forms: dict[str, Any] = {}
    if (
        rect.status in (RectificationStatus.OPEN, RectificationStatus.RETURNED)
        and access.may_act_for(user, rect.unit_id)
        and user.has_perm("assessment.answer_rectification")
    ):
        forms["answer"] = bound.get("answer") or f.AnswerForm()
    if access.may_run_spot_checks(user) and rect.status == RectificationStatus.ANSWERED:
        forms["accept"] = bound.get("accept") or f.AcceptForm()
        forms["return"] = bound.get("return") or f.ReturnForm(
            initial={"due": services.default_due(timezone.localdate())[0]}
        )
    return forms


def render_rectification(
    request: HttpRequest, rect: Rectification, *, status: int = 200, **bound: Any
) -> HttpResponse:
    events = rect.events.select_related("actor").order_by("at", "pk")
    context = {
        "page_title": "整改事项",
        "rect": rect,
        "shown_status": shown_rect_status(rect),
        "events": [{"label": RECT_LABELS.get(e.action, e.action), "event": e} for e in events],
        "forms": _rect_forms(request, rect, bound),
        "today": timezone.localdate(),
    }
    return render(request, "assessment/spotchecks_rectification.html", context, status=status)


@login_required
@permission_required(VIEW_RECT, raise_exception=True)
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_rectification(request, selectors.rectification_get(user=request.user, pk=pk))


RECT_FORMS = {"answer": f.AnswerForm, "accept": f.AcceptForm, "return": f.ReturnForm}


@login_required
@permission_required(VIEW_RECT, raise_exception=True)
@require_POST
def rectification_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    rect = selectors.rectification_get(user=request.user, pk=pk)
    if do not in RECT_FORMS:
        raise Http404
    user: Any = request.user
    form = RECT_FORMS[do](request.POST, request.FILES)
    if not form.is_valid():
        return render_rectification(request, rect, status=400, **{do: form})
    v = form.cleaned_data
    try:
        if do == "answer":
            services.answer_rectification(
                actor=user, rectification=rect, answer=v["answer"], evidence=_papers(v["evidence"])
            )
            text = "已报送整改情况，待联席办验收。"
        elif do == "accept":
            services.accept_rectification(actor=user, rectification=rect, opinion=v["opinion"])
            text = "已验收通过。"
        else:
            services.return_rectification(actor=user, rectification=rect, reason=v["reason"], due=v["due"])
            text = f"已退回重新整改，重新整改期限 {rect.due:%Y-%m-%d}。"
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render_rectification(request, rect, status=400, **{do: form})
    messages.success(request, text)
    return redirect("assessment-rectification", rect.pk)


@login_required
@permission_required(VIEW_RECT, raise_exception=True)
def rectification_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    rect = selectors.rectification_get(user=request.user, pk=pk)
    paper = rect.files.filter(pk=file).first()
    if paper is None:
        raise Http404
    return _file_response(paper, "整改佐证")


# --- panels and menu ---------------------------------------------------------------------------------------


def todo_panels(request: Any) -> list[seam.Panel]:
    """``seam.TODO_PANELS``: the unit's rectification items to answer; the office's items to accept."""
    user = request.user
    if not user.is_authenticated:
        return []
    if access.may_run_spot_checks(user):
        waiting = selectors.awaiting_acceptance()
        shown = list(waiting[:20])
        if not shown:
            return []
        return [
            {"template": "assessment/_spotchecks_todo.html", "order": 9, "rects": shown, "office": True,
             "count": len(shown) if len(shown) < 20 else waiting.count(), "today": timezone.localdate()}  # type: ignore[typeddict-unknown-key]
        ]  # fmt: skip
    if not user.has_perm("assessment.answer_rectification"):
        return []
    mine = selectors.open_for_unit(user=user)
    shown = list(mine[:20])
    if not shown:
        return []
    return [
        {"template": "assessment/_spotchecks_todo.html", "order": 9, "rects": shown, "office": False,
         "count": len(shown) if len(shown) < 20 else mine.count(), "today": timezone.localdate()}  # type: ignore[typeddict-unknown-key]
    ]  # fmt: skip


def menu(user: Any) -> list[seam.MenuItem]:
    items: list[seam.MenuItem] = []
    if user.has_perm(VIEW):
        items.append(
            {
                "label": "不定期抽查",
                "url_name": "assessment-spotchecks",
                "icon": "dice",
                "order": 60,
                "group": "assessment",
            }
        )
    if user.has_perm(VIEW_RECT):
        items.append(
            {
                "label": "整改事项",
                "url_name": "assessment-rectifications",
                "icon": "tool",
                "order": 61,
                "group": "assessment",
            }
        )
    return items
