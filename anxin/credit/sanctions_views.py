"""Screens of joint sanctions (联合惩戒): the tasks ledger (台账, Excel), a task's page with its form and
history, the district's measures, and the sections other credit pages compose (the enterprise's 信用
tab, a listing's page, the overview card) and the 我的待办 panel (``seam.TODO_PANELS``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from anxin.core import seam
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.credit import access
from anxin.credit import sanctions_selectors as selectors
from anxin.credit.models import ListingEvent, ListingStatus, SanctionTask, TaskStatus
from anxin.credit.sanctions_forms import TaskDoneForm, TaskFilter
from anxin.credit.services.sanctions import sanction_task_done
from anxin.credit.workflow import LISTING_LABELS
from anxin.registry.models import EnterpriseKind

VIEW = "credit.view_sanctiontask"


def _state(task: SanctionTask) -> str:
    return task.get_status_display() + ("（逾期）" if task.is_overdue else "")


TASKS = Ledger(
    title="联合惩戒任务台账",
    page_title="联合惩戒任务",
    columns=[
        Column("名单编号", "listing.number", 14),
        Column("企业", "listing.enterprise.name", 30),
        Column("统一社会信用代码", "listing.enterprise.uscc", 22),
        Column("实施单位", "unit.name", 14),
        Column("惩戒措施", "measure.name", 36),
        Column("依据", "measure.citation", 30),
        Column("事项", "get_kind_display", 9),
        Column("状态", _state, 12),
        Column("下达时间", "created_at", 17, "datetime"),
        Column("办理期限", "due_at", 12, "date"),
        Column("实施（解除）日期", "done_on", 14, "date"),
        Column("办理情况", "note", 40),
    ],
    screen=[
        Header("名单编号", "名单"),
        Header("企业"),
        Header("实施单位"),
        Header("惩戒措施", css="d-none d-lg-table-cell"),
        Header("事项"),
        Header("状态"),
        Header("办理期限", "期限"),
        Header("实施（解除）日期", "办理日期", "d-none d-md-table-cell"),
    ],
    filter_form=TaskFilter,
    select=selectors.task_list,
    permission=VIEW,
    export_permission="credit.export_credit",
    refusal="您的角色不能导出联合惩戒任务台账。",
    template="credit/sanctions_list.html",
    partial="credit/_sanctions_table.html",
)
task_list = ledger_view(TASKS)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _task_page(
    request: HttpRequest, task: SanctionTask, form: TaskDoneForm | None, status: int = 200
) -> HttpResponse:
    may = task.status == TaskStatus.OPEN and access.may_handle_task(request.user, task)
    context = {
        "page_title": f"{task.get_kind_display()}：{task.measure.name}",
        "task": task,
        "form": (form or TaskDoneForm()) if may else None,
        "events": [
            {"label": LISTING_LABELS.get(e.action, e.action), "event": e}
            for e in ListingEvent.objects.filter(listing=task.listing, ref=f"task:{task.pk}")
            .select_related("actor")
            .order_by("at", "pk")
        ],
        "entries": with_change_rows(history_for(task)[:50]),
        "now": timezone.now(),
    }
    return render(request, "credit/sanctions_task.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task: the listing, the measure, the deadline and its basis, its history; the unit's form."""
    task = selectors.task_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _task_page(request, task, None)
    if not access.may_handle_task(request.user, task):
        raise PermissionDenied(f"该联合惩戒任务由{task.unit.name}办理，您所在单位不能登记")
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            sanction_task_done(
                actor=request.user,  # type: ignore[arg-type]
                task=task,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            verb = "实施" if task.kind == "apply" else "解除"
            messages.success(request, f"已登记：{task.unit.name}{verb}“{task.measure.name}”。")
            return redirect(_safe_next(request) or request.path)
    return _task_page(request, task, form, status=400)


@login_required
@permission_required(VIEW, raise_exception=True)
def measure_list(request: HttpRequest) -> HttpResponse:
    """The district's measures (read-only: they come from the district file)."""
    names = dict(EnterpriseKind.objects.values_list("code", "name"))
    found = list(selectors.measures())
    for m in found:
        m.kind_names = [names.get(k, k) for k in m.enterprise_kinds]  # type: ignore[attr-defined]
    context = {"page_title": "联合惩戒措施", "measures": found}
    return render(request, "credit/sanctions_measures.html", context)


# --- sections on other pages -------------------------------------------------------------------------


def tab_section(request: Any, enterprise: Any) -> dict | None:
    """The enterprise's 信用 tab: its sanction tasks and their state (none: left out)."""
    if not request.user.has_perm(VIEW):
        return None
    tasks = selectors.enterprise_tasks(user=request.user, enterprise=enterprise)
    if not tasks:
        return None
    return {"template": "credit/_sanctions_tab.html", "tasks": tasks, "now": timezone.now()}


def listing_section(request: Any, listing: Any) -> dict | None:
    """A listing's page: its tasks, and the form for each open task of the user's own unit."""
    if not request.user.has_perm(VIEW):
        return None
    tasks = selectors.listing_tasks(listing=listing)
    for task in tasks:
        task.may_record = task.status == TaskStatus.OPEN and access.may_handle_task(  # type: ignore[attr-defined]
            request.user, task
        )
    return {
        "template": "credit/_sanctions_listing.html",
        "tasks": tasks,
        "listed": listing.status not in (ListingStatus.PROPOSED, ListingStatus.NOTICED),
        "now": timezone.now(),
        "today": timezone.localdate(),
        "next": request.get_full_path(),
    }


def overview_card(request: Any) -> dict | None:
    """Open and overdue tasks by unit (the office sees every unit; a unit, what it sees)."""
    if not request.user.has_perm(VIEW):
        return None
    rows = selectors.open_by_unit(user=request.user)
    return {
        "template": "credit/_sanctions_card.html",
        "width": "col-lg-6",
        "rows": rows,
        "open": sum(r["apply"] + r["lift"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
        "now": timezone.now(),
    }


def todo_panels(request: Any) -> list[seam.Panel]:
    """``seam.TODO_PANELS``: the open tasks of the user's unit (apply/lift, the enterprise, the
    measure, the deadline, overdue in red), each with a link to record it."""
    user = request.user
    if not user.is_authenticated or not user.has_perm("credit.handle_sanctiontask"):
        return []
    tasks = selectors.unit_open_tasks(user=user)
    shown = list(tasks[:20])
    if not shown:
        return []
    return [
        {
            "template": "credit/_sanctions_todo.html",
            "order": 6,
            "tasks": shown,
            "count": len(shown) if len(shown) < 20 else tasks.count(),
            "now": timezone.now(),
        }  # type: ignore[typeddict-unknown-key]
    ]


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    return [
        {"label": "联合惩戒任务", "url_name": "credit-sanction-list", "icon": "gavel", "order": 20, "group": "credit"},
        {"label": "联合惩戒措施", "url_name": "credit-sanction-measures", "icon": "list-check", "order": 21, "group": "credit"},
    ]  # fmt: skip
