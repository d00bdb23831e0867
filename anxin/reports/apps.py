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
        from anxin.reports import office_views

        seam.register(seam.MENU, office_views.menu, app=self.label)
        seam.register(seam.HOME_PANELS, office_views.home_panels, app=self.label)
        seam.register(seam.CLAUSE_ITEMS, self.office_clause_items, app=self.label)

    def office_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§五(二)",
                {
                    "kind": "形势分析报告",
                    "text": "区联席办按报告期（参数 report.frequency_months）依数据起草形势分析报告：全区、分镇街、"
                    "分条线、分行业数据，近6期走势图，重点风险企业、未办结预警和群体性事件，各单位定期报告报送情况"
                    "（截止日参数 report.due_day），本期即时报告；正文初稿依数据生成、可修改，草稿可重新汇总数据；"
                    "送联席办主任审核（退回须写意见），审核通过后编文号印发，生成公文格式 Word，送区领导",
                },
            ),
            (
                "§五(二)",
                {
                    "kind": "情况通报",
                    "text": "同一报告期的情况通报：全区数据、各成员单位报送情况（按时、逾期补报、逾期未报）和宣传活动"
                    "统计，经联席办主任审核后印发，送达每个成员单位的站内消息，成员单位可查阅和下载 Word",
                },
            ),
        ]

    # --- publicity -----------------------------------------------------------------------------------
    def ready_publicity(self) -> None:
        """The publicity part registers here: menu, demo data, clause items."""
        from anxin.reports import publicity_demo, publicity_views

        seam.register(seam.MENU, publicity_views.menu, app=self.label)
        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(load=publicity_demo.load, real_data=publicity_demo.real_data),
            app=self.label,
        )
        seam.register(seam.CLAUSE_ITEMS, self.publicity_clause_items, app=self.label)

    def publicity_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§四(九)",
                {
                    "kind": "宣传活动",
                    "text": "各镇（街道）、各部门登记本单位宣传活动（普法宣传、进园区、进企业、进工地、媒体报道、"
                    "宣传品发放、维权窗口）：日期（不晚于当天）、地点、受众人数、宣传品份数、照片；更正留痕，"
                    "撤销须写理由且不再计入；联席办按单位和报告期统计（活动次数、受众、宣传品、各形式），可导出 Excel",
                },
            )
        ]
