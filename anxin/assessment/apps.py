from __future__ import annotations

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

    # --- final: finalisation, objections, lock, ranking and report; the one-vote veto ------------------
    def ready_final(self) -> None:
        """The final part registers here: menu (年度考核终评, 考核异议), home panel (the office's pending
        objections), to-do panel (a unit's final score while the objection period runs), the
        period-over sweep, clause items. (The veto queue is the traces part's.) No demo data of its
        own: the scoring part's demo scores are what the year page finalises."""
        from anxin.assessment import final_views

        label = self.label
        seam.register(seam.MENU, final_views.menu, app=label)
        seam.register(seam.HOME_PANELS, final_views.home_panels, app=label)
        seam.register(seam.TODO_PANELS, final_views.todo_panels, app=label)
        seam.register(seam.SWEEPS, self.final_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.final_clause_items, app=label)

    def final_sweeps(self) -> list[seam.Sweep]:
        from anxin.assessment.services import final

        return [seam.Sweep("年度考核：异议期届满提醒联席办", final.objection_period_over)]

    def final_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§五(三)",
                {
                    "kind": "考核终评",
                    "text": "考核年度结束后（12 月 31 日之后），使用中的考核方案已启用、一票否决建议均已确认或驳回的，"
                    "联席办开始终评：得分按全年数据最后计算一次并公示，各单位收到总分、等次和异议截止日"
                    "（参数 score.objection_days，默认 5 个工作日）",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "考核异议",
                    "text": "被考核单位在异议期内（截止日当天可提）对本单位得分逐项提出异议并写明理由，每项同时只能有一件待答复；"
                    "联席办答复采纳（调整该项得分，总分和等次重算，一票否决仍为最低等次）或不予采纳，均须写明答复，单位收到通知；"
                    "异议期届满次日提醒联席办一次",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "考核结果锁定和排名",
                    "text": "异议期届满且异议全部答复后，联席办锁定考核结果：镇（街道）和部门分组按总分排名，"
                    "同分并列，一票否决单位排在本组最后；锁定后得分不再变动。排名可导出 Excel，"
                    "考核结果报告（公文格式 Word，含方案版本、排名、一票否决、异议及答复）锁定前为征求意见稿",
                },
            ),
        ]

    # --- traces: 责任倒查 of a case, findings, referral to 纪检监察 --------------------------------------
    def ready_traces(self) -> None:
        """The traces part registers here (the case page's tab or action, menu, demo data, clause
        items)."""

    # --- spot checks: the draw, inspection, rectification, the circular --------------------------------
    def ready_spotchecks(self) -> None:
        """The spot-check part registers here (menu, to-do panel (rectification), the rectification
        sweep, demo data, clause items)."""
