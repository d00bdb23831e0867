from __future__ import annotations

from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class ReportsConfig(AppConfig):
    """Reports (§五(二) 定期报告, §四(九) 宣传): each unit's periodic report prefilled from Anxin's data for
    its scope, the office's analysis for the leaders and circular to the units, publicity activities.
    After conference in the flow: it reads the earlier apps through their selectors (and the conference's
    posts for the office director); nothing earlier reads it.

    Each part registers its own contributions below (one method per part)."""

    name = "anxin.reports"
    label = "reports"
    verbose_name = "报告通报"

    def ready(self) -> None:
        from anxin.reports import audit  # noqa: F401  (auditlog registration)

        seam.register(
            seam.MENU_GROUPS, seam.MenuGroup("reports", "报告通报", "report-analytics", 32), app=self.label
        )
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)
        self.ready_periodic()
        self.ready_office()
        self.ready_publicity()

    def role_permissions(self) -> dict[str, list[str]]:
        """Units write their own reports and publicity; the office composes (the director approves, by
        ``access.may_approve``, which also asks for the post); the leaders read everything."""
        from anxin.org.models import Role

        read = [
            "reports.view_periodicreport",
            "reports.view_officedocument",
            "reports.view_publicityactivity",
        ]
        return {
            Role.OFFICE: [
                *read,
                "reports.compose_documents",
                "reports.approve_documents",
                "reports.export_reports",
            ],
            Role.LEADER: [*read, "reports.export_reports"],
            Role.DEPARTMENT: [
                *read,
                "reports.submit_report",
                "reports.record_publicity",
                "reports.export_reports",
            ],
            Role.TOWN: [*read, "reports.submit_report", "reports.record_publicity", "reports.export_reports"],
            Role.AUDITOR: read,
        }

    # --- periodic reports: templates, prefill, submission, corrections, missing, roll-ups -----------
    def ready_periodic(self) -> None:
        """The periodic part registers here: the district section (report templates), menu, home panel
        (this period's report), the missing-report sweep, demo data, clause items."""
        from anxin.reports import periodic_views

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.periodic_load_district, app=label)
        seam.register(seam.MENU, periodic_views.menu, app=label)
        seam.register(seam.HOME_PANELS, periodic_views.home_panels, app=label)
        seam.register(seam.SWEEPS, self.periodic_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.periodic_clause_items, app=label)
        from anxin.reports import periodic_demo

        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(
                load=periodic_demo.load, missing=periodic_demo.missing, real_data=periodic_demo.real_data
            ),
            app=label,
        )

    def periodic_load_district(self, data: dict, *, actor: Any, log: Any) -> None:
        from anxin.reports.services.periodic import report_templates_load

        report_templates_load(data=data, actor=actor, log=log)

    def periodic_sweeps(self) -> list[seam.Sweep]:
        from anxin.reports.services.periodic import missing_reports_flag

        return [seam.Sweep("定期报告：截止日逾期未报提示", missing_reports_flag)]

    def periodic_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§五(二)",
                {
                    "kind": "定期报告",
                    "text": "报告模板（区配置 report_templates）规定各镇（街道）、各部门报送的内容；按参数 "
                    "report.frequency_months 划分报告期、report.due_day 定报送截止日；报告中的数据按本单位"
                    "可见范围（属地/条线）从线索、预警、重点监控、案件、支付、宣传台账自动汇总并链接来源，"
                    "单位补充风险研判、主要做法、存在问题、下步打算；报送后锁定，更正为带理由的新版本",
                },
            ),
            (
                "§五(二)",
                {
                    "kind": "定期报告",
                    "text": "截止日仍未报送的，逐单位提示本单位和联席办（一次）；联席办收件箱按期查看各单位报送情况"
                    "（按时/逾期/草稿/未报送）并导出；部门条线汇总、镇街属地汇总由同一数据计算，不重复填报",
                },
            ),
        ]

    # --- the office's analysis and circular --------------------------------------------------------
    def ready_office(self) -> None:
        """The office part registers here: menu, home panel (documents to approve), clause items."""

    # --- publicity -----------------------------------------------------------------------------------
    def ready_publicity(self) -> None:
        """The publicity part registers here: menu, demo data, clause items."""
