"""Screens of publicity (§四(九)): the ledger (filters, pages, Excel), recording and correcting an
activity of one's own unit, the activity's page (photos, history, withdrawal with a reason), the
office's counts by unit and period (Excel). Reads through ``publicity_selectors`` (scoped: another
unit's activity is a 404); writes through ``services.publicity``."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.xlsx import Col, xlsx_response
from anxin.reports import access, periods
from anxin.reports import publicity_selectors as selectors
from anxin.reports.models import PublicityActivity, PublicityKind, ReportsFile
from anxin.reports.publicity_forms import CountsForm, PublicityFilter, PublicityForm, WithdrawForm
from anxin.reports.services import publicity as services

VIEW = "reports.view_publicityactivity"
EXPORT = "reports.export_reports"


def _state(activity: PublicityActivity) -> str:
    return "已撤销" if activity.withdrawn else "有效"


ACTIVITIES = Ledger(
    title="宣传活动台账",
    page_title="宣传活动",
    columns=[
        Column("活动日期", "date", 12, "date"),
        Column("开展单位", "unit.name", 16),
        Column("活动形式", "get_kind_display", 12),
        Column("活动名称", "title", 30),
        Column("地点", "place", 24),
        Column("受众人数", "audience", 10, "int"),
        Column("发放宣传品（份）", "materials", 12, "int"),
        Column("状态", _state, 8),
        Column("撤销理由", "withdraw_reason", 24),
        Column("登记人", "recorded_by.display_name", 12),
        Column("登记时间", "created_at", 17, "datetime"),
    ],
    screen=[
        Header("活动日期", "日期"),
        Header("开展单位", "单位"),
        Header("活动形式", "形式"),
        Header("活动名称"),
        Header("地点", css="d-none d-lg-table-cell"),
        Header("受众人数", "受众（人）", "text-end"),
        Header("发放宣传品（份）", "宣传品（份）", "text-end d-none d-md-table-cell"),
        Header("状态"),
    ],
    filter_form=PublicityFilter,
    select=selectors.publicity_list,
    permission=VIEW,
    export_permission=EXPORT,
    refusal="您的角色不能导出宣传活动台账。",
    template="reports/publicity_list.html",
    partial="reports/_publicity_table.html",
    context=lambda request, context: {
        "may_record": access.may_record_publicity(request.user, getattr(request.user, "unit_id", None))
    },
)
publicity_list = ledger_view(ACTIVITIES)


def _photos(form: PublicityForm) -> list[services.Photo]:
    return [services.Photo(name=f.name, content=f.read()) for f in form.cleaned_data.get("photos") or []]


def _refused(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _may_record_own(request: HttpRequest) -> None:
    if not access.may_record_publicity(request.user, getattr(request.user, "unit_id", None)):
        raise PermissionDenied(services.OWN_UNIT_ONLY)


@login_required
@permission_required(VIEW, raise_exception=True)
def publicity_new(request: HttpRequest) -> HttpResponse:
    _may_record_own(request)
    form = PublicityForm(request.POST or None, request.FILES or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            activity = services.publicity_record(
                actor=request.user,  # type: ignore[arg-type]
                date=v["date"],
                kind=v["kind"],
                title=v["title"],
                place=v["place"],
                audience=v["audience"],
                materials=v.get("materials") or 0,
                description=v.get("description", ""),
                photos=_photos(form),
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"已登记宣传活动：{activity.title}。")
            return redirect("reports-publicity", activity.pk)
    return render(
        request,
        "reports/publicity_form.html",
        {"page_title": "登记宣传活动", "form": form, "activity": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def publicity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.publicity_get(user=request.user, pk=pk)
    if not access.may_record_publicity(request.user, activity.unit_id):
        raise PermissionDenied(services.OWN_UNIT_ONLY)
    if activity.withdrawn:
        messages.error(request, "该宣传活动已撤销，不能更正。")
        return redirect("reports-publicity", activity.pk)
    initial = {
        "date": activity.date,
        "kind": activity.kind,
        "title": activity.title,
        "place": activity.place,
        "audience": activity.audience,
        "materials": activity.materials,
        "description": activity.description,
    }
    form = PublicityForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            services.publicity_correct(
                actor=request.user,  # type: ignore[arg-type]
                activity=activity,
                date=v["date"],
                kind=v["kind"],
                title=v["title"],
                place=v["place"],
                audience=v["audience"],
                materials=v.get("materials") or 0,
                description=v.get("description", ""),
                photos=_photos(form),
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "已更正，原内容记入变更记录。")
            return redirect("reports-publicity", activity.pk)
    return render(
        request,
        "reports/publicity_form.html",
        {"page_title": f"更正宣传活动：{activity.title}", "form": form, "activity": activity},
        status=400 if request.method == "POST" else 200,
    )


def _page(
    request: HttpRequest, activity: PublicityActivity, withdraw: WithdrawForm | None = None, status: int = 200
) -> HttpResponse:
    may = access.may_record_publicity(request.user, activity.unit_id) and not activity.withdrawn
    context = {
        "page_title": activity.title,
        "activity": activity,
        "photos": list(activity.photos.all()),
        "may_record": may,
        "withdraw_form": (withdraw or WithdrawForm()) if may else None,
        "entries": with_change_rows(history_for(activity)[:50]),
    }
    return render(request, "reports/publicity_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def publicity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.publicity_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def publicity_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.publicity_get(user=request.user, pk=pk)
    if not access.may_record_publicity(request.user, activity.unit_id):
        raise PermissionDenied(services.OWN_UNIT_ONLY)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _page(request, activity, form, status=400)
    try:
        services.publicity_withdraw(
            actor=request.user,  # type: ignore[arg-type]
            activity=activity,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        _refused(form, exc)
        return _page(request, activity, form, status=400)
    messages.success(request, "已撤销该宣传活动（保留记录，不再计入统计）。")
    return redirect("reports-publicity", activity.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def publicity_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    activity = selectors.publicity_get(user=request.user, pk=pk)
    found = activity.photos.filter(pk=photo).first()
    if found is None:
        raise Http404
    paper: ReportsFile = found
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=paper.download_only, filename=f"活动照片-{activity.pk}-{paper.pk}{paper.extension}"
        )
        or ""
    )
    return response


# --- counts by unit and period -------------------------------------------------------------------------


def _dates(form: CountsForm) -> tuple[datetime.date, datetime.date, str, str]:
    """The counts' dates: the period asked for, or the range, or the last closed period."""
    v = form.filters()
    error = ""
    if v.get("date_from") or v.get("date_to"):
        start = v.get("date_from") or datetime.date(2000, 1, 1)
        end = v.get("date_to") or timezone.localdate()
        return start, end, f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}", error
    period = v.get("period") or periods.last_ended().key
    try:
        span = periods.period_of(period)
    except DomainError as exc:
        error = exc.message
        span = periods.last_ended()
    period, start, end = span.key, span.start, span.end
    return start, end, f"{period}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）", error


COUNT_COLUMNS = [
    Col("单位", 18),
    Col("活动次数", 10, "int"),
    Col("受众人数", 10, "int"),
    Col("发放宣传品（份）", 14, "int"),
    *[Col(str(label), 10, "int") for label in PublicityKind.labels],
]


@login_required
@permission_required(VIEW, raise_exception=True)
def publicity_counts(request: HttpRequest) -> HttpResponse:
    """Counts by unit for a period (activities, audience, materials, by kind); withdrawn ones left out."""
    form = CountsForm(request.GET or None, user=request.user)
    start, end, label, error = _dates(form)
    rows = selectors.publicity_counts(
        user=request.user, start=start, end=end, units=selectors.recording_units(request.user)
    )
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm(EXPORT):
            messages.error(request, "您的角色不能导出宣传活动统计。")
            return redirect(request.path)
        return xlsx_response(
            request,
            filename="宣传活动统计",
            title=f"宣传活动统计（{label}）",
            columns=COUNT_COLUMNS,
            rows=[
                [
                    r["unit"].name if r["unit"] else "合计",
                    r["activities"],
                    r["audience"],
                    r["materials"],
                    *r["kinds"],
                ]
                for r in rows
            ],
            filters=label,
        )
    params = request.GET.copy()
    params.pop("export", None)
    context = {
        "page_title": "宣传活动统计",
        "form": form,
        "rows": rows,
        "label": label,
        "error": error,
        "kinds": PublicityKind.labels,
        "querystring": params.urlencode(),
        "start": start,
        "end": end,
    }
    return render(request, "reports/publicity_counts.html", context)


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    return [
        {"label": "宣传活动", "url_name": "reports-publicity-list", "icon": "speakerphone", "order": 30, "group": "reports"},
        {"label": "宣传活动统计", "url_name": "reports-publicity-counts", "icon": "chart-bar", "order": 31, "group": "reports"},
    ]  # fmt: skip
