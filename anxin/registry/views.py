"""Registry screens: enterprise and project ledgers (台账), detail pages, forms, import, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from anxin.core import credit_mark, seam
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.importviews import ImportScreen
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.models import SecurityEventKind
from anxin.core.paging import paginate
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.registry import selectors, services
from anxin.registry.forms import EnterpriseFilter, EnterpriseForm, ImportForm, ProjectFilter, ProjectForm
from anxin.registry.importing import enterprise_import, enterprise_template

TABS = {"basic": "基本信息", "projects": "工程项目", "workers": "劳动者", "history": "变更记录"}


def _apply_errors(form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


ENTERPRISES = Ledger(
    title="企业台账",
    columns=[
        Column("统一社会信用代码", "uscc", 22),
        Column("企业名称", "name", 32),
        Column("法定代表人", "legal_rep", 10),
        Column("所属镇/街道", "town.name", 12),
        Column("地址", "address", 30),
        Column("行业门类", "get_industry_display", 18),
        Column("经济类型", "get_ownership_display", 10),
        Column("企业类型", lambda e: "、".join(k.name for k in e.kinds.all()), 24),
        Column("职工人数", "employees", 9, "int"),
        Column("经营状态", "get_status_display", 9),
        Column("联系人", "contact_person", 10),
        Column("联系电话", "contact_phone", 14),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("企业名称"),
        Header("统一社会信用代码", css="d-none d-md-table-cell"),
        Header("所属镇/街道", "镇/街道"),
        Header("企业类型", css="d-none d-lg-table-cell"),
        Header("职工人数", "职工", "text-end d-none d-sm-table-cell"),
        Header("经营状态", "状态"),
    ],
    filter_form=EnterpriseFilter,
    select=selectors.enterprise_list,
    permission="registry.view_enterprise",
    export_permission="registry.export_enterprise",
    refusal="您的角色不能导出企业台账。",
    template="registry/enterprise_list.html",
    partial="registry/_enterprise_table.html",
    context=credit_mark.ledger_context("pk"),  # the 失信 mark: one read for the page
    enrich=credit_mark.mark_rows("pk"),
)
enterprise_list = ledger_view(ENTERPRISES)


def _extra_tabs(request, enterprise) -> list[dict]:
    """Tabs later apps add to the enterprise page (signals, alerts, cases…) at ``seam.ENTERPRISE_TABS``."""
    return seam.collect(seam.ENTERPRISE_TABS, request, enterprise)


@login_required
@permission_required("registry.view_enterprise", raise_exception=True)
def enterprise_detail(request, uscc: str):
    enterprise = selectors.enterprise_get(user=request.user, uscc=uscc)
    extra = _extra_tabs(request, enterprise)
    tabs = {
        **dict(list(TABS.items())[:-1]),
        **{t["key"]: t["label"] for t in extra},
        "history": TABS["history"],
    }
    tab = request.GET.get("tab", "basic")
    if tab not in tabs:
        tab = "basic"
    context = {
        "page_title": enterprise.name,
        "enterprise": enterprise,
        "tab": tab,
        "tabs": tabs,
        "standings": credit_mark.standings([enterprise.pk]),
    }
    later = {t["key"]: t for t in extra}
    if tab in later:
        context["tab_html"] = later[tab]["render"](request, enterprise)
    elif tab == "projects":
        context["projects"] = selectors.enterprise_projects(user=request.user, enterprise=enterprise)
    elif tab == "workers":
        context.update(
            paginate(request, selectors.enterprise_workers(user=request.user, enterprise=enterprise))
        )
    elif tab == "history":
        context["entries"] = with_change_rows(history_for(enterprise)[:200])
    else:
        context["project_count"] = selectors.enterprise_projects(
            user=request.user, enterprise=enterprise
        ).count()
    return render(request, "registry/enterprise_detail.html", context)


@login_required
@permission_required("registry.add_enterprise", raise_exception=True)
def enterprise_create(request):
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kinds = list(data.pop("kinds"))
        try:
            enterprise = services.enterprise_create(actor=request.user, kinds=kinds, **data)
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已登记企业“{enterprise.name}”。")
            return redirect("enterprise-detail", uscc=enterprise.uscc)
    return render(request, "registry/enterprise_form.html", {"page_title": "登记企业", "form": form})


@login_required
@permission_required("registry.change_enterprise", raise_exception=True)
def enterprise_edit(request, uscc: str):
    enterprise = selectors.enterprise_get(user=request.user, uscc=uscc)
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kinds = list(data.pop("kinds"))
        try:
            enterprise = services.enterprise_update(
                actor=request.user, enterprise=enterprise, kinds=kinds, **data
            )
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存修改，变更已记入变更记录。")
            return redirect("enterprise-detail", uscc=enterprise.uscc)
    return render(
        request,
        "registry/enterprise_form.html",
        {"page_title": f"修改：{enterprise.name}", "form": form, "enterprise": enterprise},
    )


@login_required
@permission_required("registry.view_worker_identity", raise_exception=True)
@require_POST
def enterprise_workers_reveal(request, uscc: str):
    """Full ID numbers and phones for one page of workers; every reveal is a security event."""
    enterprise = selectors.enterprise_get(user=request.user, uscc=uscc)
    paging = paginate(request, selectors.enterprise_workers(user=request.user, enterprise=enterprise))
    security_event_record(
        kind=SecurityEventKind.SENSITIVE_VIEW,
        user=request.user,
        ip=client_ip(request),
        summary=f"查看 {enterprise.name} 劳动者完整身份证号和手机号（{len(paging['page'].object_list)} 人）",
        detail={"uscc": enterprise.uscc, "workers": [w.pk for w in paging["page"].object_list]},
    )
    return render(
        request, "registry/_worker_table.html", {"enterprise": enterprise, "revealed": True, **paging}
    )


IMPORT_SESSION_KEY = "registry_import_pending"


class EnterpriseImport(ImportScreen):
    """Upload → dry-run preview with every error → confirm (the stored upload) → write all."""

    key = IMPORT_SESSION_KEY
    permission = "registry.import_enterprise"
    form_class = ImportForm
    template = "registry/enterprise_import.html"
    page_title = "导入企业"
    url_name = "enterprise-import"
    sample_filename = "企业导入模板.xlsx"
    importer = staticmethod(enterprise_import)
    sample = staticmethod(enterprise_template)

    def finished(self, result, options):
        message = (
            f"导入完成：新增 {result.created} 家，更新 {result.updated} 家，无变化 {result.unchanged} 家。"
        )
        return message, reverse("enterprise-list")


enterprise_import_view, enterprise_import_confirm, enterprise_import_template = EnterpriseImport().views()


PROJECTS = Ledger(
    title="工程项目台账",
    columns=[
        Column("项目名称", "name", 32),
        Column("施工许可证号", "permit_no", 16),
        Column("所在镇/街道", "town.name", 12),
        Column("建设单位", "builder_name", 24),
        Column("施工总承包单位", "general_contractor_label", 28),
        Column("总包统一社会信用代码", "general_contractor_code", 22),
        Column("合同金额（元）", "contract_amount", 16, "money"),
        Column("开工日期", "start_date", 12, "date"),
        Column("计划竣工", "planned_end_date", 12, "date"),
        Column("主管部门", "supervisor.name", 8),
        Column("状态", "get_status_display", 8),
    ],
    screen=[
        Header("项目名称"),
        Header("所在镇/街道", "镇/街道"),
        Header("施工总承包单位", css="d-none d-md-table-cell"),
        Header("合同金额（元）", css="text-end"),
        Header("主管部门", "主管", "d-none d-md-table-cell"),
        Header("状态"),
    ],
    filter_form=ProjectFilter,
    select=selectors.project_list,
    permission="registry.view_project",
    export_permission="registry.export_project",
    refusal="您的角色不能导出工程项目台账。",
    template="registry/project_list.html",
    partial="registry/_project_table.html",
    context=lambda request, _context: {"may_add_project": selectors.may_hold_projects(request.user)},
)
project_list = ledger_view(PROJECTS)


@login_required
@permission_required("registry.view_project", raise_exception=True)
def project_detail(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    extra = seam.collect(seam.PROJECT_TABS, request, project)  # later apps' tabs (sites: 花名册…)
    tabs = {"basic": "基本信息", **{t["key"]: t["label"] for t in extra}, "history": "变更记录"}
    tab = request.GET.get("tab", "basic")
    context = {
        "page_title": project.name,
        "project": project,
        "parties": selectors.project_parties(user=request.user, project=project),
        "tab": tab if tab in tabs else "basic",
        "tabs": tabs,
    }
    later = {t["key"]: t for t in extra}
    if context["tab"] in later:
        context["tab_html"] = later[context["tab"]]["render"](request, project)
    if context["tab"] == "history":
        context["entries"] = with_change_rows(history_for(project)[:200])
    return render(request, "registry/project_detail.html", context)


@login_required
@permission_required("registry.add_project", raise_exception=True)
def project_create(request):
    if not selectors.may_hold_projects(request.user):
        raise PermissionDenied("本单位没有工程项目监管条线，不能登记工程项目。")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                actor=request.user,
                subcontractors=form.subcontractors(),
                named=form.named(),
                **form.service_fields(),
            )
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已登记工程项目“{project.name}”。")
            return redirect("project-detail", pk=project.pk)
    return render(request, "registry/project_form.html", {"page_title": "登记工程项目", "form": form})


@login_required
@permission_required("registry.change_project", raise_exception=True)
def project_edit(request, pk: int):
    project = selectors.project_get(user=request.user, pk=pk)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(
                actor=request.user,
                project=project,
                subcontractors=form.subcontractors(),
                named=form.named(),
                **form.service_fields(),
            )
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存修改，变更已记入变更记录。")
            return redirect("project-detail", pk=project.pk)
    return render(
        request,
        "registry/project_form.html",
        {"page_title": f"修改：{project.name}", "form": form, "project": project},
    )
