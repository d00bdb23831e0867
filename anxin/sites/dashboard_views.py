"""工地监管: the construction line's dashboard (城建局 §三(九), 水利局 §三(十), the office, leaders,
towns for their territory) — the projects by this month's payroll status, who is on site, the
projects past the special-account deadline; a ledger with its Excel export."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core import credit_mark
from anxin.core.forms import FilterForm
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.org.access import towns_for
from anxin.registry.models import ProjectSupervisor
from anxin.sites import dashboard_selectors as selectors
from anxin.sites.models import MonthStatus


class SiteFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    month = forms.CharField(label=_("月份"), required=False)
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    supervisor = forms.ChoiceField(label=_("主管部门"), required=False)
    status = forms.ChoiceField(
        label=_("工资发放"), required=False, choices=[("", _("全部发放状态")), *MonthStatus.choices]
    )
    account = forms.ChoiceField(
        label=_("专用账户"), required=False, choices=[("", _("专用账户：全部")), ("missing", _("逾期未开立"))]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["month"].widget = forms.DateInput(attrs={"type": "month", "class": "form-control"})
        town, supervisor = self.fields["town"], self.fields["supervisor"]
        assert isinstance(town, forms.ChoiceField) and isinstance(supervisor, forms.ChoiceField)
        town.choices = [("", _("全部镇/街道"))] + [(t.code, t.name) for t in towns_for(user)]
        supervisor.choices = [
            ("", _("全部主管部门")),
            *ProjectSupervisor.objects.order_by("order").values_list("code", "name"),
        ]

    def clean_month(self) -> datetime.date:
        text = self.cleaned_data.get("month") or ""
        if not text:
            return selectors.default_month()
        month = selectors.parse_month(text)
        if month is None:
            raise forms.ValidationError(_("月份格式为 YYYY-MM，如 2026-11"))
        if month > selectors.month_start(timezone.localdate()):
            raise forms.ValidationError(_("月份不能晚于本月"))
        return month

    def filters(self) -> dict:
        found = super().filters()
        found.setdefault("month", selectors.default_month())
        if not isinstance(found["month"], datetime.date):
            found["month"] = selectors.default_month()
        return found


def _select(*, user: Any, **filters: Any) -> Any:
    return selectors.site_projects(user=user, **filters)


def _status_label(project: Any) -> str:
    return str(MonthStatus(project.month_status).label)


SITES = Ledger(
    title="工地监管台账",
    page_title="工地监管",
    columns=[
        Column("项目名称", "name", 32),
        Column("所在镇/街道", "town.name", 12),
        Column("施工总承包单位", "general_contractor_label", 28),
        Column("主管部门", "supervisor.name", 8),
        Column("开工日期", "start_date", 12, "date"),
        Column("在场人数", "on_site", 10, "int"),
        Column("工资专用账户", lambda p: "已开立" if p.has_account else "未开立", 12),
        Column("工资发放", _status_label, 10),
        Column("未足额人数", "short_workers", 10, "int"),
        Column("未足额金额（元）", "short_amount", 16, "money"),
        credit_mark.blacklisted_column("总包单位失信"),
    ],
    screen=[
        Header("项目名称"),
        Header("所在镇/街道", "镇/街道", "d-none d-md-table-cell"),
        Header("施工总承包单位", "总包单位", "d-none d-lg-table-cell"),
        Header("在场人数", "在场", "text-end"),
        Header("工资专用账户", "专户"),
        Header("工资发放"),
        Header("未足额金额（元）", "未足额", "text-end"),
    ],
    filter_form=SiteFilter,
    select=_select,
    permission="sites.view_payroll",
    export_permission="sites.export_roster",
    refusal="您的角色不能导出工地监管台账。",
    template="sites/dashboard.html",
    partial="sites/_dashboard_table.html",
    # the 失信 mark beside the general contractor: one read for the page, one per exported chunk
    context=credit_mark.ledger_context(
        "general_contractor_id", then=lambda request, context: _context(request, context)
    ),
    enrich=credit_mark.mark_rows("general_contractor_id"),
)


def _context(request: HttpRequest, context: dict) -> dict:
    form = context["form"]
    month = form.filters()["month"]
    today = timezone.localdate()
    rule = selectors.account_rule(today)
    missing = selectors.missing_accounts(user=request.user, today=today)
    due = selectors.deposits_due(user=request.user)
    draws = selectors.draws_open(user=request.user)
    return {
        "deposits_due": list(due[:8]),
        "deposits_due_count": due.count(),
        "draws_open": list(draws[:8]),
        "draws_open_count": draws.count(),
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "counts": selectors.status_counts(user=request.user, month=month),
        "account_rule": rule,
        "missing_accounts": list(missing[:8]),
        "missing_count": missing.count(),
        "today": today,
    }


site_dashboard = ledger_view(SITES)
