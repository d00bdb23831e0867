"""Screens of the integrity grades and the objections (§三(七)): the grades ledger (filters, pages,
Excel; 测算 and 确认 for 人社局 and the office), one grade's evidence page (every rule met with its
clause, parameters and records; the changes; the objections; the adjustment and objection forms), the
objections ledger and one objection's page with its answer. Every form calls a service; a refusal
comes back on the page with what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.credit import access, grade_rules
from anxin.credit import grades_forms as f
from anxin.credit import grades_selectors as selectors
from anxin.credit.models import EnterpriseGrade, GradeYear, Listing, Objection
from anxin.credit.services import grades as grade_services
from anxin.credit.services import objections as objection_services
from anxin.registry.models import Enterprise

VIEW_GRADE = "credit.view_enterprisegrade"
VIEW_OBJECTION = "credit.view_objection"
EXPORT = "credit.export_credit"


def _adjusted(g: EnterpriseGrade) -> str:
    return "是" if g.adjusted else "否"


def _evidence(g: EnterpriseGrade) -> str:
    return grade_rules.summary(g.evidence)


def _grades_context(request: HttpRequest, context: dict) -> dict:
    form = context["form"]
    year = form.filters().get("year") or selectors.default_year()
    grade_year = GradeYear.objects.filter(year=year).select_related("confirmed_by").first()
    return {
        "year": year,
        "grade_year": grade_year,
        "counts": selectors.grade_counts(user=request.user, year=year),
        "may_grade": access.may_grade(request.user),
        "this_year": timezone.localdate().year,
    }


GRADES = Ledger(
    title="守法诚信等级台账",
    columns=[
        Column("评价年度", "year.year", 8, "int"),
        Column("企业名称", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "enterprise.town.name", 10),
        Column("等级", "grade", 6),
        Column("测算等级", "computed", 8),
        Column("人工调整", _adjusted, 8),
        Column("确认状态", "year.get_status_display", 8),
        Column("评价依据", _evidence, 60),
        Column("测算时间", "computed_at", 16, "datetime"),
    ],
    screen=[
        Header("企业名称"),
        Header("镇/街道", css="d-none d-md-table-cell"),
        Header("等级"),
        Header("评价依据", css="d-none d-lg-table-cell"),
        Header("确认状态"),
    ],
    filter_form=f.GradeFilter,
    select=selectors.grade_list,
    permission=VIEW_GRADE,
    export_permission=EXPORT,
    template="credit/grades_list.html",
    partial="credit/_grades_table.html",
    context=_grades_context,
)


grade_list = ledger_view(GRADES)


def _year_from(request: HttpRequest) -> int:
    form = f.YearForm(request.POST)
    if not form.is_valid():
        raise DomainError("请填写有效的评价年度", field="year")
    return int(form.cleaned_data["year"])


@login_required
@permission_required(VIEW_GRADE, raise_exception=True)
@require_POST
def grades_compute(request: HttpRequest) -> HttpResponse:
    try:
        year = _year_from(request)
        counts = grade_services.grades_compute(actor=request.user, year=year)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("credit-grades"))
    messages.success(
        request,
        f"已测算 {year} 年度守法诚信等级：{counts['graded']} 家企业，新增 {counts['created']} 条，"
        f"依据变化 {counts['changed']} 条，等级变化 {counts['in_force_changed']} 家。",
    )
    return redirect(f"{reverse('credit-grades')}?year={year}")


@login_required
@permission_required(VIEW_GRADE, raise_exception=True)
@require_POST
def grades_confirm(request: HttpRequest) -> HttpResponse:
    try:
        year = _year_from(request)
        grade_services.grades_confirm(actor=request.user, year=year)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("credit-grades"))
    messages.success(request, f"已确认 {year} 年度守法诚信等级。")
    return redirect(f"{reverse('credit-grades')}?year={year}")


def _grade_page(
    request: HttpRequest, grade: EnterpriseGrade, *, status: int = 200, **bound: Any
) -> HttpResponse:
    user = request.user
    may_grade, may_decide = access.may_grade(user), access.may_decide(user)
    today = timezone.localdate()
    context = {
        "page_title": f"{grade.enterprise.name} {grade.year.year}年度守法诚信等级",
        "grade": grade,
        "lines": selectors.evidence_lines(grade),
        "params": grade.year.params,
        "changes": selectors.changes_of(grade),
        "objections": selectors.objections_of_grade(grade),
        "may_grade": may_grade,
        "may_decide": may_decide,
        "citation": grade_rules.CITATIONS,
        "error": bound.get("error", ""),
        "today": today,
    }
    if may_grade:
        context["adjust_form"] = bound.get("adjust") or f.AdjustForm()
    if may_decide:
        context["objection_form"] = bound.get("objection") or f.ObjectionForm(initial={"received_on": today})
    return render(request, "credit/grade_detail.html", context, status=status)


@login_required
@permission_required(VIEW_GRADE, raise_exception=True)
def grade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _grade_page(request, selectors.grade_of(user=request.user, pk=pk))


@login_required
@permission_required(VIEW_GRADE, raise_exception=True)
@require_POST
def grade_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    grade = selectors.grade_of(user=request.user, pk=pk)
    if not access.may_grade(request.user):
        raise PermissionDenied(grade_services.REFUSE_GRADE)
    form = f.AdjustForm(request.POST)
    if form.is_valid():
        try:
            grade_services.grade_adjust(
                actor=request.user,  # type: ignore[arg-type]
                grade=grade,
                to=form.cleaned_data["to"],
                reasons=form.cleaned_data["reasons"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已将等级调整为 {form.cleaned_data['to']} 级。")
            return redirect("credit-grade", pk=grade.pk)
    return _grade_page(request, grade, status=400, adjust=form)


def _record_objection(
    request: HttpRequest, *, grade: EnterpriseGrade | None, listing: Listing | None
) -> tuple[Objection | None, f.ObjectionForm]:
    """The objection form posted: the objection, or the bound form with the refusal."""
    form = f.ObjectionForm(request.POST, request.FILES)
    if not form.is_valid():
        return None, form
    upload = form.cleaned_data.get("evidence")
    enterprise = grade.enterprise if grade is not None else listing.enterprise  # type: ignore[union-attr]
    try:
        objection = objection_services.objection_record(
            actor=request.user,  # type: ignore[arg-type]
            enterprise=enterprise,
            grade=grade,
            listing=listing,
            received_on=form.cleaned_data["received_on"],
            reasons=form.cleaned_data["reasons"],
            evidence=(upload.name, upload.read()) if upload else None,
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None, form
    return objection, form


@login_required
@permission_required(VIEW_GRADE, raise_exception=True)
@require_POST
def grade_objection(request: HttpRequest, pk: int) -> HttpResponse:
    grade = selectors.grade_of(user=request.user, pk=pk)
    objection, form = _record_objection(request, grade=grade, listing=None)
    if objection is None:
        return _grade_page(request, grade, status=400, objection=form)
    messages.success(request, f"已登记异议，答复期限 {objection.due_on:%Y-%m-%d}。")
    return redirect("credit-objection", pk=objection.pk)


@login_required
@permission_required("credit.view_listing", raise_exception=True)
@require_POST
def listing_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """The objection form of a listing's page (``sections.LISTING_SECTIONS``)."""
    listing = get_object_or_404(
        Listing.objects.filter(enterprise__in=Enterprise.objects.for_user(request.user)).select_related(
            "enterprise"
        ),
        pk=pk,
    )
    objection, form = _record_objection(request, grade=None, listing=listing)
    back = objection_services.listing_url(listing) or reverse("credit-objections")
    if objection is None:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    messages.success(request, f"已登记异议，答复期限 {objection.due_on:%Y-%m-%d}。")
    return redirect("credit-objection", pk=objection.pk)


# --- objections ---------------------------------------------------------------------------------------


def _subject(o: Objection) -> str:
    if o.listing_id:
        return f"名单 {o.listing.number}"  # type: ignore[union-attr]
    return f"{o.grade.year.year}年度等级 {o.grade.grade}"  # type: ignore[union-attr]


OBJECTIONS = Ledger(
    title="信用异议台账",
    columns=[
        Column("企业名称", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "enterprise.town.name", 10),
        Column("异议事项", _subject, 22),
        Column("收到日期", "received_on", 12, "date"),
        Column("答复期限", "due_on", 12, "date"),
        Column("状态", "get_status_display", 10),
        Column("异议理由", "reasons", 40),
        Column("答复意见", "answer", 40),
        Column("答复日期", "answered_on", 12, "date"),
    ],
    screen=[
        Header("企业名称"),
        Header("异议事项"),
        Header("收到日期", css="d-none d-md-table-cell"),
        Header("答复期限"),
        Header("状态"),
    ],
    filter_form=f.ObjectionFilter,
    select=selectors.objection_list,
    permission=VIEW_OBJECTION,
    export_permission=EXPORT,
    template="credit/objections_list.html",
    partial="credit/_objections_table.html",
)
objection_list = ledger_view(OBJECTIONS)


def _objection_page(
    request: HttpRequest, objection: Objection, *, status: int = 200, form: Any = None
) -> HttpResponse:
    may = access.may_decide(request.user) and objection.status == "open"
    context = {
        "page_title": f"{objection.enterprise.name} 信用异议",
        "objection": objection,
        "events": objection.events.select_related("actor").order_by("at", "pk"),
        "listing_url": objection_services.listing_url(objection.listing) if objection.listing_id else "",  # type: ignore[arg-type]
        "answer_form": (form or f.AnswerForm()) if may else None,
        "today": timezone.localdate(),
    }
    return render(request, "credit/objection_detail.html", context, status=status)


@login_required
@permission_required(VIEW_OBJECTION, raise_exception=True)
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_of(user=request.user, pk=pk)
    if request.method != "POST":
        return _objection_page(request, objection)
    if not access.may_decide(request.user):
        raise PermissionDenied(objection_services.REFUSE_DECIDE)
    form = f.AnswerForm(request.POST)
    if form.is_valid():
        try:
            objection_services.objection_answer(
                actor=request.user,  # type: ignore[arg-type]
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                answer=form.cleaned_data["answer"],
                new_grade=form.cleaned_data["new_grade"] or None,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已答复异议。")
            return redirect("credit-objection", pk=objection.pk)
    return _objection_page(request, objection, status=400, form=form)


@login_required
@permission_required(VIEW_OBJECTION, raise_exception=True)
def objection_evidence(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    objection = selectors.objection_of(user=request.user, pk=pk)
    paper = objection.evidence
    if paper is None:
        raise Http404
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=paper.download_only, filename=f"异议证明材料{paper.extension}"
        )
        or "attachment"
    )
    return response
