from __future__ import annotations

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
        seam.register(seam.CASE_CLOSED, services.payment_record_at_closing, app=label)
        seam.register(seam.ACTION_SECTIONS, views.action_sections, app=label)
        seam.register(seam.ACTION_FORMS, self.action_forms, app=label)
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.COCKPIT_PANELS, self.cockpit_panels, app=label)
        self.ready_claims()

    # --- claims and payments: the case's 资金 tab, the ledgers, the imports (helper "claims") ---------

    def ready_claims(self) -> None:
        from anxin.money import claims_views

        label = self.label
        seam.register(seam.CASE_TABS, claims_views.case_tabs, app=label)
        seam.register(seam.MENU, claims_views.menu, app=label)
        seam.register(seam.IMPORTERS, self.claims_importers, app=label)

    def claims_importers(self) -> dict:
        from anxin.money.importing import claim_import, payment_import

        return {"claims": claim_import, "payments": payment_import}

    # --- end of claims and payments -------------------------------------------------------------------

    def cockpit_panels(self, request: HttpRequest) -> list[dict]:
        """The cockpit's amounts owed and recovered (cases' registered arrears, money's payments):
        for whoever reads cases."""
        from anxin.money import selectors

        if not request.user.has_perm("cases.view_case"):
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
