"""Screens of the wage deposit: the project page's 保证金 tab (the required amount with its computation,
the deposit, its ledger, the draws with their deadlines, and the managers' forms) and the district's
保证金台账 (filters, pages, Excel). Every form posts to ``deposit_act``, which calls a service; a refusal
comes back on the tab with what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.cases.models import Case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.registry import selectors as registry_selectors
from anxin.registry.models import Project
from anxin.sites import deposit_forms as f
from anxin.sites import deposit_selectors as selectors
from anxin.sites.models import Deposit, DepositDraw, DepositEvent, DepositStatus, DrawStatus
from anxin.sites.services import deposits as services

TAB = "deposit"
VIEW = "sites.view_deposit"


def project_tabs(request: HttpRequest, project: Project) -> list[seam.Tab]:
    """``seam.PROJECT_TABS``: 保证金, for whoever may read deposits."""
    if not request.user.has_perm(VIEW):
        return []
    return [{"key": TAB, "label": "保证金", "render": render_tab}]


def render_tab(request: HttpRequest, project: Project, **bound: Any) -> str:
    """The tab's body; ``bound``: a refused form by its name (``require``, ``record``…)."""
    user = request.user
    deposit = selectors.deposit_of(user=user, project=project)
    may = services.may_manage_deposit(user, project)  # type: ignore[arg-type]
    today = timezone.localdate()
    context: dict[str, Any] = {"project": project, "deposit": deposit, "may_manage": may, "today": today}
    if deposit is None:
        computation, why = selectors.preview(project)
        context.update(preview=computation, preview_problem=why)
        if may:
            context["require_form"] = bound.get("require") or f.RequireForm(
                initial={"contract_signed_on": today}
            )
    else:
        context.update(
            computation=deposit.computation,
            events=selectors.ledger_of(deposit),
            draws=selectors.draws_of(deposit),
            short=max(deposit.required - deposit.balance, 0),  # type: ignore[attr-defined]
            overdue=deposit.status == DepositStatus.REQUIRED and deposit.due_on < today,
            problems=services.return_problems(deposit, today)
            if deposit.status == DepositStatus.NOTICE
            else [],
        )
        if may:
            status = deposit.status
            if status == DepositStatus.REQUIRED:
                context["record_form"] = bound.get("record") or f.RecordForm(
                    initial={"deposited_on": today, "amount": deposit.required or None}
                )
            if status in (DepositStatus.HELD, DepositStatus.NOTICE):
                context["top_up_form"] = bound.get("top_up") or f.TopUpForm(initial={"on": today})
                context["reverse_form"] = True
            if status == DepositStatus.HELD:
                cases = selectors.draw_cases(project, user)
                if cases:
                    context["draw_form"] = bound.get("draw") or f.DrawForm(cases=cases)
                context["return_form"] = bound.get("return_request") or f.ReturnRequestForm(
                    initial={"completed_on": project.actual_end_date or today}
                )
            if status == DepositStatus.NOTICE:
                context["decide_form"] = bound.get("return_decide") or f.ReturnDecideForm(
                    initial={"returned_on": today}
                )
            context["paid_form"] = bound.get("paid") or f.PaidForm(initial={"paid_on": today})
            context["paid_draw"] = bound.get("paid_draw")
    context["error"] = bound.get("error", "")
    return render_to_string("sites/deposit_tab.html", context, request=request)


def _page(request: HttpRequest, project: Project, **bound: Any) -> HttpResponse:
    """The project page on the 保证金 tab, with a refused form kept (registry's page, our tab's body)."""
    extra = seam.collect(seam.PROJECT_TABS, request, project)
    tabs = {"basic": "基本信息", **{t["key"]: t["label"] for t in extra}, "history": "变更记录"}
    context = {
        "page_title": project.name,
        "project": project,
        "parties": registry_selectors.project_parties(user=request.user, project=project),
        "tab": TAB,
        "tabs": tabs,
        "tab_html": render_tab(request, project, **bound),
    }
    return render(request, "registry/project_detail.html", context, status=400)


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您的角色不能进行此操作。"


FORMS = {
    "require": f.RequireForm,
    "record": f.RecordForm,
    "draw": f.DrawForm,
    "paid": f.PaidForm,
    "top_up": f.TopUpForm,
    "return_request": f.ReturnRequestForm,
    "return_decide": f.ReturnDecideForm,
    "reverse": f.ReverseForm,
}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def deposit_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """One action on the project's deposit (``do`` names the form)."""
    project = registry_selectors.project_get(user=request.user, pk=pk)
    if do not in FORMS:
        raise Http404
    user: Any = request.user
    if not services.may_manage_deposit(user, project):
        raise PermissionDenied("只有联席办或项目的行业主管部门可以办理工资保证金")
    deposit = selectors.deposit_of(user=user, project=project)
    if deposit is None and do != "require":
        raise Http404
    kwargs = {"cases": selectors.draw_cases(project, user)} if do == "draw" else {}
    form = FORMS[do](request.POST, **kwargs)
    bound: dict[str, Any] = {do: form}
    if do == "paid":
        bound["paid_draw"] = request.POST.get("draw")
    if not form.is_valid():
        return _page(request, project, **bound)
    v = form.cleaned_data
    try:
        text = _do(do, user, project, deposit, v, request)
    except (DomainError, ValidationError, PermissionDenied) as exc:
        form.add_error(None, _message(exc))
        return _page(request, project, **bound)
    messages.success(request, text)
    return redirect(reverse("project-detail", args=[project.pk]) + f"?tab={TAB}")


def _do(do: str, user: Any, project: Project, deposit: Deposit | None, v: dict, request: HttpRequest) -> str:
    if do == "require":
        made = services.deposit_require(
            actor=user, project=project, contract_signed_on=v["contract_signed_on"]
        )
        return "已核定：免存。" if made.status == DepositStatus.EXEMPT else "已核定应存金额。"
    assert deposit is not None
    if do == "record":
        services.deposit_record(
            actor=user,
            deposit=deposit,
            form=v["form"],
            amount=v["amount"],
            deposited_on=v["deposited_on"],
            bank=v["bank"],
            reference=v["reference"],
        )
        return "已登记保证金存储。"
    if do == "draw":
        case = Case.objects.for_user(user).filter(pk=v["case"], project=project).first()
        if case is None:
            raise DomainError("请选择本项目的案件", field="case")
        services.draw_order(
            actor=user, deposit=deposit, case=case, amount=v["amount"], reference=v["reference"]
        )
        return "已通知银行动用保证金。"
    if do == "paid":
        draw = DepositDraw.objects.filter(deposit=deposit, pk=request.POST.get("draw") or 0).first()
        if draw is None:
            raise DomainError("请选择要登记支付的动用")
        services.draw_paid(actor=user, draw=draw, paid_on=v["paid_on"], reference=v["reference"])
        return "已登记银行支付，劳动者的支付记录已记入台账。"
    if do == "top_up":
        services.deposit_top_up(
            actor=user, deposit=deposit, amount=v["amount"], on=v["on"], reference=v["reference"]
        )
        return "已登记补足。"
    if do == "return_request":
        services.deposit_return_request(
            actor=user, deposit=deposit, completed_on=v["completed_on"], note=v["note"]
        )
        return "已开始返还公示。"
    if do == "return_decide":
        services.deposit_return_decide(
            actor=user,
            deposit=deposit,
            approve=v["decision"] == "approve",
            returned_on=v["returned_on"],
            note=v["note"],
        )
        return "已返还保证金。" if v["decision"] == "approve" else "已决定不予返还。"
    event = DepositEvent.objects.filter(deposit=deposit, pk=v["event"]).first()
    if event is None:
        raise DomainError("该台账记录不存在")
    services.deposit_event_reverse(actor=user, event=event, reason=v["reason"])
    return "已冲正。"


# --- the district's 保证金台账 ---------------------------------------------------------------------------


def _state(d: Deposit) -> str:
    return d.get_status_display()


DEPOSITS = Ledger(
    title="农民工工资保证金台账",
    columns=[
        Column("项目名称", "project.name", 30),
        Column("镇/街道", "project.town.name", 10),
        Column("主管部门", "project.supervisor.name", 8),
        Column("施工总承包单位", "contractor.name", 28),
        Column("合同金额（元）", "contract_amount", 16, "money"),
        Column("应存金额（元）", "required", 14, "money"),
        Column("余额（元）", "balance", 14, "money"),
        Column("存储期限", "due_on", 12, "date"),
        Column("存储方式", "get_form_display", 10),
        Column("存储日期", "deposited_on", 12, "date"),
        Column("状态", _state, 10),
    ],
    screen=[
        Header("项目名称"),
        Header("施工总承包单位", css="d-none d-md-table-cell"),
        Header("应存金额（元）", "应存（元）", "text-end"),
        Header("余额（元）", css="text-end"),
        Header("存储期限"),
        Header("状态"),
    ],
    filter_form=f.DepositFilter,
    select=selectors.deposit_list,
    permission=VIEW,
    export_permission=VIEW,
    template="sites/deposit_list.html",
    partial="sites/_deposit_table.html",
)
deposit_list = ledger_view(DEPOSITS)


def menu(user: Any) -> list[seam.MenuItem]:
    """保证金台账 for whoever reads deposits and sees a project (the office, leaders, lines, towns)."""
    from anxin.core.access import scope_of

    if not user.has_perm(VIEW) or scope_of(user).nothing:
        return []
    return [
        {
            "label": "保证金台账",
            "url_name": "deposit-list",
            "icon": "shield-check",
            "order": 44,
            "group": "ledger",
        }
    ]


__all__ = ["DrawStatus", "deposit_act", "deposit_list", "menu", "project_tabs"]
