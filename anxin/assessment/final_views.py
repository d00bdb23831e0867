"""Screens of the finalisation (§五(三)): the years and a year's page (status, the objection period,
the office's buttons with their refusals, the history), the objection queue (a 台账: pending first,
filters, Excel), an objection's page with the office's answer, the objection form on a unit's own
score line (and ``assessment/_objection_box.html`` for the score page), the ranking with its Excel
and the year's report in Word; the home panels and the menu."""

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

from anxin.assessment import access, final_documents
from anxin.assessment import final_forms as f
from anxin.assessment import final_selectors as selectors
from anxin.assessment.models import AssessmentFile, Objection, ObjectionStatus, ScoreItem, YearStatus
from anxin.assessment.services import final as services
from anxin.core import seam
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.xlsx import Col, xlsx_response

VIEW = "assessment.view_score"
EXPORT = "assessment.export_assessment"
YEAR_LABELS = {"finalise": "开始终评", "lock": "锁定考核结果", services.PERIOD_OVER: "异议期届满提醒"}
OBJECTION_LABELS = {services.FILED: "提出异议", "uphold": "采纳异议", "reject": "不予采纳"}


# --- years ---------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def year_list(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    known = {y.year: y for y in selectors.years()}
    shown = sorted({*known, this_year, this_year - 1}, reverse=True)
    rows = [{"year": y, "state": known.get(y)} for y in shown]
    return render(request, "assessment/final_years.html", {"page_title": "年度考核终评", "rows": rows})


def _year_context(request: HttpRequest, year: int) -> dict[str, Any]:
    user: Any = request.user
    state = selectors.year_state(year)
    today = timezone.localdate()
    manage = access.may_manage(user)
    events = list(state.events.select_related("actor").order_by("at", "pk")) if state else []
    own = None
    if not access.sees_all(user) and getattr(user, "unit_id", None):
        from django.db.models import Prefetch

        from anxin.assessment.models import Score, ScoreItem

        # the lines with their indicators in one query (the page lists every line by its indicator)
        own = (
            Score.objects.for_user(user)
            .filter(year=year)
            .prefetch_related(Prefetch("items", queryset=ScoreItem.objects.select_related("indicator")))
            .first()
        )
    return {
        "page_title": f"{year} 年度考核",
        "year": year,
        "state": state,
        "status_label": state.get_status_display() if state else YearStatus.OPEN.label,
        "period": services.period_words(state) if state else "",
        "manage": manage,
        "sees_all": access.sees_all(user),
        "may_export": user.has_perm(EXPORT),
        "finalise_refusals": services.finalise_refusals(year=year, today=today) if manage else [],
        "lock_refusals": services.lock_refusals(year=year, today=today) if manage else [],
        "counts": selectors.counts(year) if access.sees_all(user) else {},
        "events": [{"label": YEAR_LABELS.get(e.action, e.action), "event": e} for e in events],
        "entries": with_change_rows(history_for(state)[:50]) if state and manage else [],
        "own": own,
        "rank_rule": services.RANK_RULE,
        "param": services.OBJECTION_DAYS,
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404
    return render(request, "assessment/final_year.html", _year_context(request, year))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def year_act(request: HttpRequest, year: int, do: str) -> HttpResponse:
    """The office opens the finalisation or locks the year."""
    user: Any = request.user
    if do not in ("finalise", "lock"):
        raise Http404
    if not access.may_manage(user):
        raise PermissionDenied(services.OFFICE_ONLY)
    try:
        if do == "finalise":
            state = services.finalise(year=year, actor=user)
            messages.success(request, f"已开始终评，得分已公示并通知各单位；{services.period_words(state)}。")
        else:
            services.lock(year=year, actor=user)
            messages.success(request, "考核结果已锁定，排名已确定。")
    except DomainError as exc:
        messages.error(request, exc.message)
        context = _year_context(request, year)
        return render(request, "assessment/final_year.html", context, status=400)
    return redirect("assessment-year", year)


# --- the objection queue ------------------------------------------------------------------------------


OBJECTIONS = Ledger(
    title="考核异议台账",
    columns=[
        Column("考核年度", "item.score.year", 10, "int"),
        Column("单位", "item.score.unit.name", 16),
        Column("指标", "item.indicator.name", 24),
        Column("原得分", lambda o: float(o.points_before), 10, "int", "0.00"),
        Column("异议理由", "reason", 40),
        Column("提出人", "filed_by.display_name", 12),
        Column("提出时间", "created_at", 17, "datetime"),
        Column("状态", "get_status_display", 10),
        Column(
            "调整后得分",
            lambda o: None if o.points_after is None else float(o.points_after),
            10,
            "int",
            "0.00",
        ),
        Column("答复", "answer", 40),
        Column("答复人", "answered_by.display_name", 12),
        Column("答复时间", "answered_at", 17, "datetime"),
    ],
    screen=[
        Header("考核年度", "年度"),
        Header("单位"),
        Header("指标"),
        Header("原得分"),
        Header("异议理由", css="d-none d-lg-table-cell"),
        Header("提出时间", "提出"),
        Header("状态"),
        Header("调整后得分", "调整后"),
    ],
    filter_form=f.ObjectionFilter,
    select=selectors.objection_list,
    permission=VIEW,
    export_permission=EXPORT,
    refusal="您的角色不能导出考核异议台账。",
    template="assessment/final_objection_list.html",
    partial="assessment/_final_objection_table.html",
)
objection_list = ledger_view(OBJECTIONS)


def render_objection(
    request: HttpRequest, objection: Objection, *, form: f.AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    events = objection.events.select_related("actor").order_by("at", "pk")
    may_answer = access.may_manage(user) and objection.status == ObjectionStatus.PENDING
    state = selectors.year_state(objection.item.score.year)
    context = {
        "page_title": f"考核异议：{objection.item.score.unit.name} · {objection.item.indicator.name}",
        "objection": objection,
        "item": objection.item,
        "score": objection.item.score,
        "limit": services.item_limit(objection.item),
        "state": state,
        "events": [{"label": OBJECTION_LABELS.get(e.action, e.action), "event": e} for e in events],
        "form": (form or f.AnswerForm()) if may_answer else None,
        "files": list(objection.files.all()),
    }
    return render(request, "assessment/final_objection.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_objection(request, selectors.objection_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_get(user=request.user, pk=pk)
    user: Any = request.user
    if not access.may_manage(user):
        raise PermissionDenied(services.OFFICE_ONLY)
    form = f.AnswerForm(request.POST)
    if not form.is_valid():
        return render_objection(request, objection, form=form, status=400)
    v = form.cleaned_data
    try:
        services.answer_objection(
            objection=objection,
            uphold=v["decision"] == "uphold",
            answer=v["answer"],
            points_after=v["points_after"],
            actor=user,
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render_objection(request, objection, form=form, status=400)
    messages.success(request, "已答复，已通知该单位。")
    return redirect("assessment-objection", objection.pk)


def _papers(files: list) -> list[services.Paper]:
    return [services.Paper(name=u.name, content=u.read()) for u in files or []]


def render_new(
    request: HttpRequest, item: ScoreItem, *, form: f.ObjectionForm | None = None, status: int = 200
) -> HttpResponse:
    refusal = services.objection_refusal(item=item, actor=request.user, today=timezone.localdate())
    context = {
        "page_title": f"对“{item.indicator.name}”提出异议",
        "item": item,
        "score": item.score,
        "state": selectors.year_state(item.score.year),
        "refusal": refusal,
        "form": None if refusal else (form or f.ObjectionForm()),
        "objections": list(item.objections.select_related("filed_by", "answered_by")),
    }
    return render(request, "assessment/final_objection_new.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def objection_new(request: HttpRequest, item: int) -> HttpResponse:
    """A unit objects to one line of its own final score (GET: the form; POST: filed)."""
    line = selectors.item_get(user=request.user, pk=item)
    if request.method != "POST":
        return render_new(request, line)
    user: Any = request.user
    form = f.ObjectionForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_new(request, line, form=form, status=400)
    try:
        objection = services.file_objection(
            item=line,
            reason=form.cleaned_data["reason"],
            actor=user,
            files=_papers(form.cleaned_data["evidence"]),
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return render_new(request, line, form=form, status=400)
    messages.success(request, "异议已提出，联席办答复后您会收到通知。")
    return redirect("assessment-objection", objection.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def objection_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    objection = selectors.objection_get(user=request.user, pk=pk)
    paper = AssessmentFile.objects.filter(pk=file, pk__in=objection.files.values("pk")).first()
    if paper is None:
        raise Http404
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=f"异议佐证材料{paper.extension}") or ""
    )
    return response


# --- ranking and report --------------------------------------------------------------------------------

RANKING_COLUMNS = [
    Col("考核对象", 14),
    Col("名次", 8, "int"),
    Col("单位", 20),
    Col("基本分", 10, "int", "0.00"),
    Col("扣分", 10, "int", "0.00"),
    Col("加分", 10, "int", "0.00"),
    Col("总分", 10, "int", "0.00"),
    Col("按分数等次", 12),
    Col("等次", 10),
    Col("一票否决", 10),
    Col("状态", 10),
]


def ranking_rows(year: int) -> list[list[Any]]:
    return [
        [
            g.label,
            s.rank,
            s.unit.name,
            float(s.base),
            float(s.deductions),
            float(s.bonus),
            float(s.total),
            s.grade_by_points,
            s.grade,
            "是" if s.vetoed else "",
            s.get_status_display(),
        ]
        for g in selectors.ranking(year)
        for s in g.rows
    ]


def _sees_all(request: HttpRequest) -> None:
    if not access.sees_all(request.user):
        raise PermissionDenied("考核排名只向联席办、区领导和审计员显示；本单位得分请看本单位得分页")


@login_required
@permission_required(VIEW, raise_exception=True)
def ranking(request: HttpRequest, year: int) -> HttpResponse:
    _sees_all(request)
    state = selectors.year_state(year)
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm(EXPORT):
            messages.error(request, "您的角色不能导出考核排名。")
            return redirect("assessment-ranking", year)
        draft = final_documents.is_draft(state)
        return xlsx_response(
            request,
            filename=f"{year}年度考核排名",
            title=f"{year}年度考核排名" + ("（征求意见稿，未锁定）" if draft else ""),
            columns=RANKING_COLUMNS,
            rows=ranking_rows(year),
            filters=f"考核年度={year}",
        )
    context = {
        "page_title": f"{year} 年度考核排名",
        "year": year,
        "state": state,
        "draft": final_documents.is_draft(state),
        "groups": selectors.ranking(year),
        "may_export": request.user.has_perm(EXPORT),
        "rank_rule": services.RANK_RULE,
    }
    return render(request, "assessment/final_ranking.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def report_word(request: HttpRequest, year: int) -> HttpResponse:
    _sees_all(request)
    if not request.user.has_perm(EXPORT):
        raise PermissionDenied("您的角色不能导出考核结果报告")
    draft = final_documents.is_draft(selectors.year_state(year))
    return docx_response(
        request,
        final_documents.report(year),
        filename=f"{year}年度考核结果" + ("（征求意见稿）" if draft else ""),
        summary=f"导出{year}年度考核结果报告",
        detail={"year": year, "draft": draft},
    )


# --- panels and menu -----------------------------------------------------------------------------------


def home_panels(request: Any) -> list[seam.Panel]:
    """``seam.HOME_PANELS``: the office's pending objections; a unit's final score and the deadline
    while the objection period runs."""
    user = request.user
    if not user.is_authenticated or not user.has_perm(VIEW):
        return []
    if access.may_manage(user):
        pending = selectors.pending_objections(user=user)
        count = pending.count()
        if not count:
            return []
        return [
            {
                "template": "assessment/_final_home_office.html",
                "order": 9,
                "objections": list(pending[:10]),
                "count": count,
            }  # type: ignore[typeddict-unknown-key]
        ]
    return todo_panels(request)


def todo_panels(request: Any) -> list[seam.Panel]:
    """``seam.TODO_PANELS``: a unit's final score with the objection deadline while the period runs."""
    user = request.user
    if not user.is_authenticated or access.sees_all(user) or not user.has_perm("assessment.file_objection"):
        return []
    rows = selectors.own_final_scores(user=user)
    if not rows:
        return []
    return [
        {
            "template": "assessment/_final_todo_unit.html",
            "order": 8,
            "rows": [{"score": s, "state": y, "period": services.period_words(y)} for s, y in rows],
        }  # type: ignore[typeddict-unknown-key]
    ]


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    return [
        {"label": "年度考核终评", "url_name": "assessment-years", "icon": "trophy", "order": 60, "group": "assessment"},
        {"label": "考核异议", "url_name": "assessment-objections", "icon": "message-report", "order": 61, "group": "assessment"},
    ]  # fmt: skip
