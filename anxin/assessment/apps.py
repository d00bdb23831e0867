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
        # the order of the parts is the order of their demo data: the spot checks' rectification items
        # exist before the scoring's demo computes the year's provisional scores from them
        self.ready_measures()
        self.ready_traces()
        self.ready_spotchecks()
        self.ready_final()
        self.ready_scoring()

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
        everything = [*read, "assessment.view_assessment_all"]
        return {
            Role.OFFICE: [
                *everything,
                "assessment.view_referral",  # referrals to 纪检监察 are the office's alone
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
        """The traces part registers here: the case page's tab (责任倒查), menu (责任倒查, 认定问题,
        一票否决, 问责移交), the veto-proposal sweep, district section ``assessment_vetoes``, the
        measure ``findings``, clause items. (The veto's registrations live here too, not in
        ``ready_final``.)"""
        from anxin.assessment import measures, traces_views
        from anxin.assessment.services.findings import FINDINGS_MEASURE

        label = self.label
        measures.register(FINDINGS_MEASURE)
        seam.register(seam.CASE_TABS, traces_views.case_tabs, app=label)
        seam.register(seam.MENU, traces_views.menu, app=label)
        seam.register(seam.SWEEPS, self.traces_sweeps, app=label)
        seam.register(seam.DISTRICT_SECTIONS, self.traces_load_district, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.traces_clause_items, app=label)

    def traces_sweeps(self) -> list[seam.Sweep]:
        from anxin.assessment.services.vetoes import vetoes_sweep

        return [seam.Sweep("考核评价：一票否决情形数据核查（提出否决建议）", vetoes_sweep)]

    def traces_load_district(self, data: dict, *, actor: Any, log: Any) -> None:
        from anxin.assessment.services.vetoes import veto_conditions_load

        veto_conditions_load(data=data, actor=actor, log=log)

    def traces_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§五(三)",
                {
                    "kind": "责任倒查",
                    "text": "案件发生群体性事件、企业突然关停或移送公安、法院的，联席办对事发前 12 个月安薪掌握的该企业全部信息"
                    "倒查：线索核实、预警处置、重点监控回访、排查、即时报告，逐项列出责任单位、期限、完成时间和是否按时，"
                    "标出各单位未按时事项；可保存（编号 ZC-年-序号）并导出公文格式 Word",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "认定问题",
                    "text": "联席办据责任倒查、不定期抽查或自行掌握的情况对单位认定问题（编号 RD-年-序号），写明建议扣分，"
                    "计入考核方案的“认定问题扣分”扣分项；可撤销（须写理由）；单位收到通知并可查看本单位的问题",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "一票否决",
                    "text": "否决情形由区配置文件 assessment_vetoes 设定（群体性事件人数门槛 min_workers 默认 50 人，"
                    "即时报告迟报时限 late_hours 默认 48 小时，弄虚作假由认定问题提出）；tick 按数据核查提出否决建议，"
                    "联席办确认或驳回（须写理由），确认后该单位当年等次为最低等次；年度锁定后不再变更",
                },
            ),
            (
                "§五(三)",
                {
                    "kind": "问责线索移交",
                    "text": "联席办将认定问题移交区纪委监委（编号 WZ-年-序号，移交函 Word，"
                    "证据材料包括责任倒查 Word 和所选文件），"
                    "登记签收和处理结果；被移交单位只收到联席办选择告知的内容",
                },
            ),
        ]

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

    # --- measures: the computed indicators (what each computed indicator's ``measure`` names) ----------
    def ready_measures(self) -> None:
        """The measures part registers the computed measures (``measures_data``) in the registry."""
        from anxin.assessment.measures_data import register_all

        register_all()
