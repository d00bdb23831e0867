"""The project's 实名花名册 tab (``seam.PROJECT_TABS``): the wage special account with its flag, the
roster with its search, filters, counts and pages, the add form and each worker's leave, the Excel
export; and the POSTs behind them. Thin: validate, call a service (``services.roster``), message,
back to the tab; a refused form comes back on the tab with what was typed.

Everyone reads only the projects in their scope (the project page is a 404 otherwise); the office and
the supervising department keep the roster (``access.may_manage``); a town reads and exports, with no
form or button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.ledger import Column
from anxin.core.paging import paginate
from anxin.core.xlsx import xlsx_response
from anxin.registry.models import Project
from anxin.registry.selectors import project_parties
from anxin.sites import services
from anxin.sites.access import may_manage
from anxin.sites.models import RosterEntry, SpecialAccount, SpecialAccountEvent
from anxin.sites.roster_forms import AccountForm, LeaveForm, RosterFilter, WorkerForm
from anxin.sites.roster_selectors import missing_account, roster_choices, roster_counts, roster_entries

TAB = "roster"
PER_PAGE = 50
IDENTITY_PERM = "registry.view_worker_identity"


# --- the columns, declared once for the screen and the export ------------------------------------------


def roster_columns(*, reveal: bool, labels: dict[int, str]) -> list[Column]:
    """The roster's columns; ``reveal``: full ID numbers and phones (the export, for a role that may
    see them); ``labels``: each employer's name as the reader sees the project's parties."""
    return [
        Column("姓名", "name", 10),
        Column("身份证号", "id_number" if reveal else "id_number_masked", 20),
        Column("手机号", "phone" if reveal else "phone_masked", 14),
        Column("用工单位", lambda e: labels.get(e.employer_id) or e.employer.name, 30),
        Column("班组", "team", 12),
        Column("工种", "trade", 10),
        Column("进场日期", "start_date", 12, "date"),
        Column("退场日期", "leave_date", 12, "date"),
        Column("在场情况", lambda e: "在场" if e.leave_date is None else "已退场", 8),
    ]


def employer_options(user: Any, project: Project) -> list[tuple[str, str]]:
    """The project's possible employers as ``(credit code, name)``: the general contractor, then the
    subcontractors — named as the project page names them to this reader."""
    parties = project_parties(user=user, project=project)
    options: list[tuple[str, str]] = []
    if project.general_contractor is not None and parties["general"]:
        options.append((project.general_contractor.uscc, f"{parties['general'][0].name}（总包）"))
    for sub, party in zip(project.subcontractors.all(), parties["subs"], strict=False):
        options.append((sub.uscc, f"{party.name}（分包）"))
    return options


def _labels(project: Project, options: list[tuple[str, str]]) -> dict[int, str]:
    by_code = dict(options)
    firms = [project.general_contractor, *project.subcontractors.all()]
    return {f.pk: by_code[f.uscc].rsplit("（", 1)[0] for f in firms if f is not None and f.uscc in by_code}


# --- the tab ---------------------------------------------------------------------------------------------


def project_tabs(request: HttpRequest, project: Project) -> list[seam.Tab]:
    """``seam.PROJECT_TABS``: 实名花名册, for whoever reads rosters."""
    if not request.user.has_perm("sites.view_rosterentry"):
        return []
    return [{"key": TAB, "label": "实名花名册", "render": render_tab}]


def _filter_form(request: HttpRequest, project: Project, options: list[tuple[str, str]]) -> RosterFilter:
    choices = roster_choices(project)
    return RosterFilter(
        request.GET or None,
        user=request.user,
        employers=[(code, label) for code, label in options],
        teams=choices["teams"],
        trades=choices["trades"],
    )


def render_tab(request: HttpRequest, project: Project, **bound: Any) -> str:
    """The tab's body; ``bound``: a refused form by its context name (``worker_form``, ``account_form``)."""
    user = request.user
    manage = may_manage(user, project)
    options = employer_options(user, project)
    labels = _labels(project, options)
    form = _filter_form(request, project, options)
    rows = roster_entries(user=user, project=project, **form.filters())
    paging = paginate(request, rows, per_page=PER_PAGE)
    for entry in paging["page"]:
        entry.employer_label = labels.get(entry.employer_id) or entry.employer.name
    account = SpecialAccount.objects.filter(project=project).first()
    columns = roster_columns(reveal=False, labels=labels)
    context = {
        "project": project,
        "filter": form,
        **paging,
        "headers": [c.label for c in columns],
        "counts": roster_counts(project),
        "account": account,
        "flag": None if account is not None else missing_account(project),
        "events": list(SpecialAccountEvent.objects.filter(project=project).select_related("actor")[:20]),
        "manage": manage,
        "may_export": user.has_perm("sites.export_roster"),
        "worker_form": WorkerForm(employers=options) if manage else None,
        "account_form": AccountForm(
            initial={"bank": account.bank, "opened_on": account.opened_on} if account else None
        )
        if manage
        else None,
        "leave_form": LeaveForm() if manage else None,
        "filtered": bool(form.describe()),
    }
    context.update(bound)
    return render_to_string("sites/roster_tab.html", context, request=request)


def _project(request: HttpRequest, pk: int) -> Project:
    return get_scoped_or_404(
        Project.objects.select_related("town", "supervisor", "general_contractor", "builder"),
        request.user,
        pk=pk,
    )


def _back(project: Project) -> HttpResponse:
    return redirect(reverse("project-detail", args=[project.pk]) + f"?tab={TAB}")


def _again(request: HttpRequest, project: Project, **bound: Any) -> HttpResponse:
    """The project page on its 实名花名册 tab again, with the refused form (registry's page)."""
    extra = seam.collect(seam.PROJECT_TABS, request, project)
    return render(
        request,
        "registry/project_detail.html",
        {
            "page_title": project.name,
            "project": project,
            "parties": project_parties(user=request.user, project=project),
            "tab": TAB,
            "tabs": {"basic": "基本信息", **{t["key"]: t["label"] for t in extra}, "history": "变更记录"},
            "tab_html": render_tab(request, project, **bound),
        },
        status=400,
    )


def _refuse(form: Any, exc: Exception) -> None:
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        form.add_error(None, str(exc) or "您的单位不能进行此操作。")


@login_required
@permission_required("sites.manage_roster", raise_exception=True)
@require_POST
def roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    """进场登记：一名劳动者进入本项目花名册."""
    project = _project(request, pk)
    form = WorkerForm(request.POST, employers=employer_options(request.user, project))
    if not form.is_valid():
        return _again(request, project, worker_form=form)
    data = form.cleaned_data
    try:
        entry = services.roster_add(actor=request.user, project=project, **data)  # type: ignore[arg-type]
    except (DomainError, PermissionDenied) as exc:
        _refuse(form, exc)
        return _again(request, project, worker_form=form)
    messages.success(request, f"已将 {entry.name} 登记进入花名册。")
    return _back(project)


@login_required
@permission_required("sites.manage_roster", raise_exception=True)
@require_POST
def roster_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """退场：记录一名劳动者的退场日期."""
    entry = get_scoped_or_404(RosterEntry.objects.select_related("project"), request.user, pk=pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的退场日期。")
        return _back(entry.project)
    try:
        services.roster_leave(actor=request.user, entry=entry, leave_date=form.cleaned_data["leave_date"])  # type: ignore[arg-type]
    except (DomainError, PermissionDenied) as exc:
        messages.error(
            request, exc.message if isinstance(exc, DomainError) else (str(exc) or "不能进行此操作。")
        )
        return _back(entry.project)
    messages.success(request, f"已记录 {entry.name} 于 {form.cleaned_data['leave_date']:%Y-%m-%d} 退场。")
    return _back(entry.project)


@login_required
@permission_required("sites.manage_roster", raise_exception=True)
@require_POST
def account_record(request: HttpRequest, pk: int) -> HttpResponse:
    """登记或变更工资专用账户."""
    project = _project(request, pk)
    form = AccountForm(request.POST)
    if not form.is_valid():
        return _again(request, project, account_form=form)
    try:
        services.special_account_record(actor=request.user, project=project, **form.cleaned_data)  # type: ignore[arg-type]
    except (DomainError, PermissionDenied) as exc:
        _refuse(form, exc)
        return _again(request, project, account_form=form)
    messages.success(request, "已登记工资专用账户。")
    return _back(project)


@login_required
@permission_required("sites.view_rosterentry", raise_exception=True)
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster (the tab's filters) as Excel; ID numbers and phones in full only for a role that may
    see them. Logged (``xlsx_response``)."""
    project = _project(request, pk)
    if not request.user.has_perm("sites.export_roster"):
        messages.error(request, "您的角色不能导出花名册。")
        return _back(project)
    options = employer_options(request.user, project)
    form = _filter_form(request, project, options)
    reveal = request.user.has_perm(IDENTITY_PERM)
    columns = roster_columns(reveal=reveal, labels=_labels(project, options))
    rows = roster_entries(user=request.user, project=project, **form.filters())
    filters = "；".join(
        x for x in [f"项目={project.name}", form.describe(), "含完整身份证号" if reveal else ""] if x
    )
    return xlsx_response(
        request,
        filename=f"实名制花名册-{project.name}",
        title=f"实名制花名册（{project.name}）",
        columns=[c.col for c in columns],
        rows=([c.of(e) for c in columns] for e in rows.iterator(chunk_size=1000)),
        filters=filters,
    )
