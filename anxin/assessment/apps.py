from __future__ import annotations

from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class AssessmentConfig(AppConfig):
    """Assessment (§五(三)): schemes as data, every unit scored from what Anxin saw it do (with the
    records behind each point), provisional through the year and final after objections; the
    one-vote veto; responsibility traced back after an incident; spot checks with rectification and
    their circular; referral to 纪检监察. The last app in the flow: it reads every earlier app through
    its selectors; no app reads it. Earlier apps learn of it only through the seam.

    Each part registers its own contributions below (one method per part)."""

    name = "anxin.assessment"
    label = "assessment"
    verbose_name = "考核评价"

    def ready(self) -> None:
        from anxin.assessment import audit  # noqa: F401  (auditlog registration)

        seam.register(seam.MENU_GROUPS, seam.MenuGroup("assessment", "考核评价", "award", 40), app=self.label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)
        self.ready_scoring()
        self.ready_final()
        self.ready_traces()
        self.ready_spotchecks()

    def role_permissions(self) -> dict[str, list[str]]:
        """The office runs the assessment; the leaders and the auditors read every unit's; a town or a
        department reads its own scores, objects to its final score and answers its rectification."""
        from anxin.org.models import Role

        read = [
            "assessment.view_scheme",
            "assessment.view_score",
            "assessment.view_trace",
            "assessment.view_finding",
            "assessment.view_vetoproposal",
            "assessment.view_spotcheck",
            "assessment.view_rectification",
        ]
        everything = [*read, "assessment.view_assessment_all", "assessment.view_referral"]
        return {
            Role.OFFICE: [
                *everything,
                "assessment.manage_assessment",
                "assessment.export_assessment",
                "assessment.run_spot_checks",
                "assessment.refer_findings",
            ],
            Role.LEADER: [*everything, "assessment.export_assessment"],
            Role.AUDITOR: everything,
            Role.DEPARTMENT: [*read, "assessment.file_objection", "assessment.answer_rectification"],
            Role.TOWN: [*read, "assessment.file_objection", "assessment.answer_rectification"],
        }

    # --- scoring: schemes, measures, scores with evidence, hand scores, scoreboard, provisional tick --
    def ready_scoring(self) -> None:
        """The scoring part registers here (menu, home panel, the provisional-score sweep, district
        section ``assessment_schemes``, demo data, clause items)."""
        from anxin.assessment import scoring_demo, scoring_views

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.scoring_load_district, app=label)
        seam.register(seam.MENU, scoring_views.menu, app=label)
        seam.register(seam.HOME_PANELS, scoring_views.home_panels, app=label)
        seam.register(seam.SWEEPS, self.scoring_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.scoring_clause_items, app=label)
        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(
                load=scoring_demo.load, missing=scoring_demo.missing, real_data=scoring_demo.real_data
            ),
            app=label,
        )

    def scoring_load_district(self, data: dict, *, actor: Any, log: Any) -> None:
        from anxin.assessment.services.schemes import assessment_schemes_load

        assessment_schemes_load(data=data, actor=actor, log=log)

    def scoring_sweeps(self) -> list[seam.Sweep]:
        from anxin.assessment.services.scoring import refresh_provisional

        return [seam.Sweep("考核：刷新本年度预评得分", refresh_provisional)]

    def scoring_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§五(三)",
                {
                    "kind": "考核方案",
                    "text": "每年度按镇（街道）、区有关部门分别制定考核方案（区配置 assessment_schemes 提供默认方案）："
                    "自动计算指标（线索按时核查、预警按时处置、重点监控按时跟踪、即时报告、案件按时办结、定期报告、"
                    "议定事项、宣传活动、排查覆盖、欠薪清偿）、人工评分指标（领导重视、制度建设）、扣分项和加分项"
                    "（各有上限）、等次划分（优秀≥90、良好≥80、合格≥60，参照国办发〔2023〕33号 A/B/C 分档）；"
                    "使用中的方案不在原处修改，另存新版本、启用后替代旧版本；开始终评后方案不得变更",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "考核得分",
                    "text": "各单位得分由系统按本单位可见范围的数据计算，每项列出指标值、分子分母、计分方法、所用参数及其条款、"
                    "逐条依据记录（逾期的排在前面、可点开）；联席办对人工评分项评分须写明说明并可附佐证材料；"
                    "预评得分每日由 tick 刷新，各单位全年可查看本单位得分和失分最多的指标；联席办、区领导、审计查看"
                    "各单位得分排行（图表）并导出 Excel 台账",
                },
            ),
        ]

    # --- final: finalisation, objections, lock, ranking and report; the one-vote veto ------------------
    def ready_final(self) -> None:
        """The final part registers here (veto and objection queues, the veto-proposal sweep, district
        section ``assessment_vetoes``, demo data, clause items)."""

    # --- traces: 责任倒查 of a case, findings, referral to 纪检监察 --------------------------------------
    def ready_traces(self) -> None:
        """The traces part registers here (the case page's tab or action, menu, demo data, clause
        items)."""

    # --- spot checks: the draw, inspection, rectification, the circular --------------------------------
    def ready_spotchecks(self) -> None:
        """The spot-check part registers here (menu, to-do panel (rectification), the rectification
        sweep, demo data, clause items)."""
