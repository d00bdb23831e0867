from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest

from anxin.core import seam


class MoneyConfig(AppConfig):
    """Money (§四(六)(八)): the payment schedules of legal actions and the ledger of what has been paid
    on each case. After cases in the flow: cases shows "paid so far" and the schedule through the
    seam, never by importing money."""

    name = "anxin.money"
    label = "money"
    verbose_name = "资金"

    def ready(self) -> None:
        from anxin.money import (
            audit,  # noqa: F401  (auditlog registration)
            selectors,
            services,
            views,
        )

        label = self.label
        seam.register(seam.CASE_PAID, selectors.paid_by_case, app=label)
        seam.register(seam.CASE_MONEY, selectors.case_money, app=label)
        seam.register(seam.SIGNAL_MONEY, selectors.signal_money, app=label)
        seam.register(seam.CASE_CLOSING_CHECKS, selectors.closing_problems, app=label)
        seam.register(seam.DISTRICT_SECTIONS, services.funds_ensure, app=label)
        seam.register(seam.DEMO_DATA, seam.DemoData(load=self.load_demo), app=label)
        seam.register(seam.CASE_CLOSED, services.payment_record_at_closing, app=label)
        seam.register(seam.ACTION_SECTIONS, views.action_sections, app=label)
        seam.register(seam.ACTION_FORMS, self.action_forms, app=label)
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.COCKPIT_PANELS, self.cockpit_panels, app=label)
        self.ready_funds(label)
        self.ready_claims()

    def load_demo(self, *, actor: Any, log: Callable[[str], None]) -> None:
        from anxin.money import demo

        demo.load(actor=actor, log=log)

    # --- claims and payments: the case's 资金 tab, the ledgers, the imports ---------------------------

    def ready_claims(self) -> None:
        from anxin.money import claims_views

        label = self.label
        seam.register(seam.CASE_TABS, claims_views.case_tabs, app=label)
        seam.register(seam.MENU, claims_views.menu, app=label)
        seam.register(seam.IMPORTERS, self.claims_importers, app=label)

    def claims_importers(self) -> dict:
        from anxin.money.importing import claim_import, payment_import

        return {"claims": claim_import, "payments": payment_import}

    def cockpit_panels(self, request: HttpRequest) -> list[dict]:
        """The cockpit's amounts owed and recovered (cases' registered arrears, money's payments):
        for whoever reads cases."""
        from anxin.money import selectors
        from anxin.money.models import sees_money

        if not (request.user.has_perm("cases.view_case") and sees_money(request.user)):
            return []
        return [
            {
                "template": "money/_cockpit_panel.html",
                "order": 11,
                "money": selectors.arrears_summary(user=request.user),
            }
        ]

    def action_forms(self) -> dict:
        from anxin.money import views

        return {"instalments": views.schedule_set}

    def sweeps(self) -> list[seam.Sweep]:
        from anxin.money.deadlines import instalments_sweep

        return [seam.Sweep("分期履行提醒与逾期上报", instalments_sweep)]

    def role_permissions(self) -> dict[str, list[str]]:
        """Setting and paying instalments stay with cases' permissions (``cases.handle_legalaction``
        and who handles the action), as before. Claims and payments: the lead unit (a town, or a
        department leading) registers and pays, 人社局 confirms (its duty is checked by the service);
        the funds: 财政局 appropriates and approves (its duty checked), a town or a lead unit requests.
        Reversing a payment entry and writing off an advance are the office's. Leaders and auditors
        read."""
        from anxin.org.models import Role

        read = ["money.view_claim", "money.view_payment", "money.view_fund", "money.view_advance"]
        handle = ["money.add_claim", "money.add_payment", "money.request_advance", "money.record_proceeds"]
        return {
            Role.OFFICE: [
                *read,
                *handle,
                "money.confirm_claim",
                "money.reverse_payment",
                "money.appropriate_fund",
                "money.export_money",
            ],
            Role.LEADER: [*read, "money.export_money"],
            Role.AUDITOR: [*read, "money.export_money"],
            Role.TOWN: [*read, *handle, "money.export_money"],
            Role.DEPARTMENT: [
                *read,
                *handle,
                "money.confirm_claim",
                "money.approve_advance",
                "money.appropriate_fund",
                "money.export_money",
            ],
        }

    # --- the emergency revolving funds (§三(八), §四(八)) — helper "funds" -------------------------------

    def ready_funds(self, label: str) -> None:
        seam.register(seam.MENU, self.funds_menu, app=label)
        seam.register(seam.HOME_PANELS, self.funds_home_panels, app=label)
        seam.register(seam.TODO_PANELS, self.funds_home_panels, app=label)  # the same card on 我的待办
        seam.register(seam.SWEEPS, self.funds_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.funds_clause_items, app=label)

    def funds_menu(self, user: Any) -> list[dict]:
        """周转金 for whoever sees a fund: the office, leaders and auditors, 财政局 (the fund's duty),
        a town (its own fund)."""
        from anxin.core.access import scope_of
        from anxin.money.models import FUND_DUTY

        if not user.has_perm("money.view_fund"):
            return []
        scope = scope_of(user)
        if not (scope.everything or scope.town_ids or FUND_DUTY in getattr(user, "duty_codes", ())):
            return []
        return [{"label": "周转金", "url_name": "fund-list", "icon": "building-bank", "order": 36}]

    def funds_home_panels(self, request: HttpRequest) -> list[dict]:
        """财政局's 待审核的周转金申请 (§三(八) 审核、拨付), oldest first."""
        from anxin.money import funds_selectors
        from anxin.money.services.funds import may_approve

        user = request.user
        if not user.is_authenticated or not may_approve(user):
            return []
        pending = funds_selectors.pending_advances(user)
        return [
            {
                "template": "money/_finance_panel.html",
                "order": 5,
                "pending": list(pending[:10]),
                "count": pending.count(),
            }
        ]

    def funds_sweeps(self) -> list[seam.Sweep]:
        from anxin.money.deadlines import advances_overdue_sweep

        return [seam.Sweep("周转金垫付逾期未归还提示", advances_overdue_sweep)]

    def funds_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§四(八)",
                {
                    "kind": "周转金",
                    "text": "区、镇两级应急周转金垫付：两种情形、生活困难与群体性事件风险、人社局或法院查明、"
                    "可供执行的资产，逐项核查并受比例和上限约束",
                },
            ),
            (
                "§四(八)",
                {"kind": "周转金", "text": "执行款、变现款先偿还周转金垫付，再支付劳动者；逾期未归还提示"},
            ),
            (
                "§三(八)",
                {"kind": "周转金", "text": "财政局审核拨付周转金，台账逐笔登记拨入、垫付、归还、核销"},
            ),
        ]
