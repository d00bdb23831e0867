from __future__ import annotations

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
        from anxin.sites import roster_views

        label = self.label
        seam.register(seam.PROJECT_TABS, roster_views.project_tabs, app=label)
        seam.register(seam.SWEEPS, self.roster_sweeps, app=label)
        seam.register(seam.IMPORTERS, self.roster_importers, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.roster_clause_items, app=label)

    def roster_sweeps(self) -> list[seam.Sweep]:
        from anxin.sites.roster_deadlines import account_missing_sweep

        return [seam.Sweep("工程项目未开工资专用账户提示", account_missing_sweep)]

    def roster_importers(self) -> dict:
        from anxin.sites.roster_importing import roster_import_file

        return {"roster": roster_import_file}

    def roster_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§三(九)",
                {
                    "kind": "实名制",
                    "text": "工程项目实名制花名册：身份证校验、用工单位限于总包和分包、同一项目同一时间只登记一次，"
                    "逐人进场退场，Excel 全部或全不导入",
                },
            ),
            (
                "§三(九)",
                {
                    "kind": "工资专用账户",
                    "text": "工程项目工资专用账户登记与变更（变更须说明理由）；开工超过规定日数未开专户的，"
                    "提示行业主管部门和所在镇",
                },
            ),
            ("§三(十)", {"kind": "实名制", "text": "水利工程项目由水利局维护实名制花名册和工资专用账户"}),
        ]

    # --- 总包代发 monthly payroll, checked against the roster ------------------------------------------
    def ready_payroll(self) -> None:
        label = self.label
        seam.register(seam.SWEEPS, self.payroll_sweeps, app=label)
        seam.register(seam.PROJECT_TABS, self.payroll_tabs, app=label)
        seam.register(seam.IMPORTERS, self.payroll_importers, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.payroll_clause_items, app=label)

    def payroll_sweeps(self) -> list[seam.Sweep]:
        from anxin.sites.services.payroll import payroll_months_sweep

        return [seam.Sweep("总包代发工资表：开立月份、未报送与未足额线索", payroll_months_sweep)]

    def payroll_tabs(self, request: Any, project: Any) -> list[seam.Tab]:
        from anxin.sites.payroll_views import project_tabs

        return project_tabs(request, project)

    def payroll_importers(self) -> dict:
        from anxin.sites.payroll_importing import payroll_import

        return {"payroll": payroll_import}

    def payroll_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§三(九)",
                {
                    "kind": "工资发放",
                    "text": "总包代发工资表按月报送，逐人对照实名制花名册核对：在册未发放、未足额、逾期发放、未在花名册；"
                    "未足额和逾期未报送推送线索至项目所在镇和行业主管部门",
                },
            ),
            ("§三(十)", {"kind": "工资发放", "text": "水利工程项目的总包代发工资表同样核对，线索推送水利局"}),
        ]

    # --- 工资保证金 ---------------------------------------------------------------------------------
    def ready_deposits(self) -> None:
        from anxin.sites import deposit_views

        label = self.label
        seam.register(seam.PROJECT_TABS, deposit_views.project_tabs, app=label)
        seam.register(seam.MENU, deposit_views.menu, app=label)
        seam.register(seam.SWEEPS, self.deposit_sweeps, app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.deposit_permissions, app=label)
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
        seam.register(seam.PROJECT_TABS, self.handbook_tabs, app=self.label)
        seam.register(seam.SWEEPS, self.handbook_sweeps, app=self.label)
        # Demo data: ``anxin.sites.demo_handbook.load(*, actor, log)``, to be called from the app's
        # one DEMO_DATA contribution (core's seam test expects one per app, in the flow's order).
        seam.register(seam.CLAUSE_ITEMS, self.handbook_clauses, app=self.label)
        seam.register(seam.PORTAL_LINKS, self.handbook_portal_links, app=self.label)
        seam.register(seam.PUBLIC_URLS, "anxin.sites.public_urls", app=self.label)
        from anxin.sites.exchange import PARTS

        for part in PARTS:
            seam.register(seam.EXCHANGE_PARTS, part, app=self.label)

    def handbook_portal_links(self) -> list[seam.PortalLink]:
        return [
            {
                "label": "劳动计酬手册",
                "url_name": "portal-handbook",
                "icon": "notebook",
                "description": "在工地实名登记的农民工，凭身份证号和手机验证码查看本人出勤和工资",
            }
        ]

    def handbook_tabs(self, request: Any, project: Any) -> list[seam.Tab]:
        """告示牌: the notice board (contacts, preview, A3 PDF, QR link) and the handbooks' PDF."""
        if not request.user.has_perm("sites.view_rosterentry"):
            return []
        from anxin.sites.handbook_views import board_tab

        return [{"key": "board", "label": "告示牌", "render": board_tab}]

    def handbook_sweeps(self) -> list[seam.Sweep]:
        from anxin import zones
        from anxin.sites.handbook_services import handbook_sweep, portal_handbooks_refresh

        return [
            seam.Sweep("劳动计酬手册：清理过期验证码", handbook_sweep, portal=True),
            seam.Sweep("劳动计酬手册：更新互联网区的副本", zones.for_public_zone(portal_handbooks_refresh)),
        ]

    def handbook_clauses(self) -> list[tuple[str, dict]]:
        return [
            (
                "§三(九)",
                {
                    "kind": "工地监管",
                    "text": "农民工劳动计酬手册：每人每月出勤、应发、实发，打印及劳动者网上查看",
                },
            ),
            (
                "§三(九)",
                {
                    "kind": "工地监管",
                    "text": "维权信息告示牌：项目、总包、维权联系人、举报电话、扫码网上反映",
                },
            ),
        ]

    # --- the construction dashboard, menu, role permissions ----------------------------------------
    def ready_dashboard(self) -> None:
        from anxin.sites import demo

        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)
        seam.register(seam.DEMO_DATA, seam.DemoData(load=demo.load), app=self.label)
        seam.register(seam.MENU, self.menu, app=self.label)

    def menu(self, user: Any) -> list[seam.MenuItem]:
        """工地监管 for whoever reads projects' payrolls and has projects in scope."""
        from anxin.core.access import scope_of

        if not user.has_perm("sites.view_payroll"):
            return []
        scope = scope_of(user)
        if not (scope.everything or scope.all_projects or scope.town_ids or scope.project_supervisor_codes):
            return []
        return [
            {
                "label": "工地监管",
                "group": "ledger",
                "url_name": "site-dashboard",
                "icon": "helmet",
                "order": 12,
            }
        ]

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
