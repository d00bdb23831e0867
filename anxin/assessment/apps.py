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
        """The final part registers here (veto and objection queues, the veto-proposal sweep, district
        section ``assessment_vetoes``, demo data, clause items)."""

    # --- traces: 责任倒查 of a case, findings, referral to 纪检监察 --------------------------------------
    def ready_traces(self) -> None:
        """The traces part registers here (the case page's tab or action, menu, demo data, clause
        items)."""

    # --- spot checks: the draw, inspection, rectification, the circular --------------------------------
    def ready_spotchecks(self) -> None:
        """The spot-check part registers here (menu, to-do panel (rectification), the rectification
        sweep, demo data, clause items) and its measure ``rectification_overdue``."""
        from anxin.assessment import measures, spotchecks_demo, spotchecks_measures, spotchecks_views

        label = self.label
        seam.register(seam.MENU, spotchecks_views.menu, app=label)
        seam.register(seam.TODO_PANELS, spotchecks_views.todo_panels, app=label)
        seam.register(seam.SWEEPS, self.spotchecks_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.spotchecks_clause_items, app=label)
        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(load=spotchecks_demo.load, real_data=spotchecks_demo.real_data),
            app=label,
        )
        measures.register(spotchecks_measures.MEASURE)

    def spotchecks_sweeps(self) -> list[seam.Sweep]:
        from anxin.assessment.services.spotchecks import rectifications_escalate

        return [seam.Sweep("不定期抽查：逾期未整改报联席办", rectifications_escalate)]

    def spotchecks_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§五(三)",
                {
                    "kind": "不定期抽查",
                    "text": "联席办以公开的随机种子从被考核的镇（街道）和部门中随机抽取单位，并在每个单位的在营企业、在建项目中"
                    "抽取检查对象（参数 spotcheck.items_per_unit，默认 3 家），抽取范围、种子、抽取人和时间全部记录，"
                    "可随时“重新验证抽取”证明公平；指定检查人员，逐项登记检查结果、照片和材料",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "抽查整改",
                    "text": "发现问题的抽查事项由联席办下达整改（期限默认按参数 spotcheck.rectification_days，30 日，可修改），"
                    "责任单位在我的待办中报送整改情况和佐证，联席办验收或退回；逾期未整改的由 tick 报联席办一次；"
                    "逾期整改事项数作为考核扣分口径 rectification_overdue",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "抽查情况通报",
                    "text": "检查完成后联席办按记录生成通报正文，编文号印发（公文格式 Word），发送全体成员单位并抄送区委组织部"
                    "（作为领导班子和领导干部考核的参考），发送对象逐一记录",
                },
            ),
        ]
