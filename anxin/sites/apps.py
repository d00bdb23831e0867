from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class SitesConfig(AppConfig):
    """Construction sites (§三(九)(十)): rosters, special accounts, monthly payroll checks, wage
    deposits. After money in the flow: it reads registry, intake, cases and money, records signals
    through intake's services and deposit draws' payments through money's; nothing earlier names it.

    Each part registers its own contributions below (one method per part)."""

    name = "anxin.sites"
    label = "sites"
    verbose_name = "工地监管"

    def ready(self) -> None:
        from anxin.sites import audit  # noqa: F401  (auditlog registration)

        self.ready_roster()
        self.ready_payroll()
        self.ready_deposits()
        self.ready_handbook()
        self.ready_dashboard()

    # --- 实名花名册 and 工资专用账户 -------------------------------------------------------------------
    def ready_roster(self) -> None:
        pass

    # --- 总包代发 monthly payroll, checked against the roster ------------------------------------------
    def ready_payroll(self) -> None:
        pass

    # --- 工资保证金 ---------------------------------------------------------------------------------
    def ready_deposits(self) -> None:
        from anxin.sites import deposit_views

        label = self.label
        seam.register(seam.PROJECT_TABS, deposit_views.project_tabs, app=label)
        seam.register(seam.MENU, deposit_views.menu, app=label)
        seam.register(seam.SWEEPS, self.deposit_sweeps, app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.deposit_permissions, app=label)
        seam.register(seam.DEMO_DATA, seam.DemoData(load=self.load_deposit_demo), app=label)
        seam.register(seam.CLAUSE_ITEMS, self.deposit_clause_items, app=label)

    def deposit_sweeps(self) -> list[seam.Sweep]:
        from anxin.sites.services.deposits import deposits_sweep

        return [seam.Sweep("工资保证金逾期未存、银行逾期未付、逾期未补足、返还待审核提示", deposits_sweep)]

    def deposit_permissions(self) -> dict[str, list[str]]:
        """Deposits: every reader of sites reads them; the office and the supervising department keep
        them (the service checks the line, ``services.deposits.may_manage_deposit``)."""
        from anxin.org.models import Role

        read = ["sites.view_deposit", "sites.view_depositdraw"]
        return {
            Role.OFFICE: [*read, "sites.manage_deposit"],
            Role.DEPARTMENT: [*read, "sites.manage_deposit"],
            Role.TOWN: read,
            Role.LEADER: read,
            Role.AUDITOR: read,
        }

    def load_deposit_demo(self, *, actor: Any, log: Callable[[str], None]) -> None:
        from anxin.sites import demo_deposits

        demo_deposits.load(actor=actor, log=log)

    def deposit_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§三(九)",
                {
                    "kind": "工资保证金",
                    "text": "按合同额分档核定应存金额（免存、下调、提高逐项列明参数和依据），存储期限、"
                    "逾期未存和存储不足提示",
                },
            ),
            (
                "§三(九)",
                {
                    "kind": "工资保证金",
                    "text": "责令限期支付逾期未付时动用保证金：银行支付记入劳动者工资清偿台账，总包单位限期补足，"
                    "竣工公示无欠薪后返还",
                },
            ),
        ]

    # --- 劳动计酬手册 (officers' print, the worker's portal page) and 维权信息告示牌 ------------------------
    def ready_handbook(self) -> None:
        pass

    # --- the construction dashboard, menu, role permissions ----------------------------------------
    def ready_dashboard(self) -> None:
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)

    def role_permissions(self) -> dict[str, list[str]]:
        """Rosters and payrolls: the office and the supervising department keep them (the service
        checks the line, ``access.may_manage``); towns, leaders and auditors read and export."""
        from anxin.org.models import Role

        read = ["sites.view_rosterentry", "sites.view_payroll", "sites.view_specialaccount"]
        return {
            Role.OFFICE: [*read, "sites.manage_roster", "sites.export_roster"],
            Role.DEPARTMENT: [*read, "sites.manage_roster", "sites.export_roster"],
            Role.TOWN: [*read, "sites.export_roster"],
            Role.LEADER: [*read, "sites.export_roster"],
            Role.AUDITOR: read,
        }
