from __future__ import annotations

from django.apps import AppConfig

from anxin.core import seam  # noqa: F401  (the parts below register at the seam)


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
        pass

    # --- 劳动计酬手册 (officers' print, the worker's portal page) and 维权信息告示牌 ------------------------
    def ready_handbook(self) -> None:
        pass

    # --- the construction dashboard, menu, role permissions ----------------------------------------
    def ready_dashboard(self) -> None:
        pass
