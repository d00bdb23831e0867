"""The year's assessment report (年度考核结果报告) in 公文 layout (``core.gongwen``), printing what was
recorded: the year and its status, the scheme versions the scores were computed under, the ranking of
each group (rank, unit, total, grade, veto — as stored), the vetoes confirmed with their reasons, the
objections with the office's answers, the finalisation and locking days (the district's local dates). Before locking it prints as
a draft: the title says 征求意见稿 and no rank is final."""

from __future__ import annotations

from django.utils import timezone

from anxin.assessment import final_selectors as selectors
from anxin.assessment.models import AssessmentYear, YearStatus
from anxin.assessment.services.final import CLAUSE, OBJECTION_DAYS, RANK_RULE
from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes
from anxin.core.policy_defaults import OPINIONS
from anxin.org.access import office_unit

DRAFT_MARK = "征求意见稿"
UNRECORDED = "（未记录）"


def issuer() -> str:
    office = office_unit()
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"


def is_draft(state: AssessmentYear | None) -> bool:
    return state is None or state.status != YearStatus.LOCKED


def report(year: int) -> bytes:
    state = selectors.year_state(year)
    draft = is_draft(state)
    paragraphs = []
    if draft:
        paragraphs.append(f"【{DRAFT_MARK}】本稿为{year}年度考核结果未锁定前的稿本，排名和得分以锁定后为准。")
    schemes = selectors.schemes_used(year)
    paragraphs.append(
        f"根据《{OPINIONS}》{CLAUSE}（强化考核）和本区{year}年度考核方案，"
        f"联席办依据安薪系统记录对各镇（街道）和区有关部门{year}年度保障农民工工资支付工作进行了考核。"
    )
    if schemes:
        paragraphs.append(
            "考核方案："
            + "；".join(
                f"{s.get_group_display()}《{s.title}》第 {s.version} 版"
                f"（扣分上限 {s.deduction_cap} 分，加分上限 {s.bonus_cap} 分）"
                for s in schemes
            )
            + "。"
        )
    if state is not None and state.finalised_at:
        opened_on = cn_date(timezone.localdate(state.finalised_at), UNRECORDED)
        paragraphs.append(
            f"{opened_on}开始终评并公示得分，异议期 {state.objection_days} 个工作日"
            f"（参数 {OBJECTION_DAYS}），至{cn_date(state.objection_until, UNRECORDED)}止。"
        )
    if state is not None and state.locked_at:
        paragraphs.append(
            f"{cn_date(timezone.localdate(state.locked_at), UNRECORDED)}锁定考核结果。排名规则：{RANK_RULE}。"
        )
    groups = selectors.ranking(year)
    for g in groups:
        first = [s.unit.name for s in g.rows if s.rank == 1] if not draft else []
        paragraphs.append(
            f"{g.label}共 {len(g.rows)} 个单位参加考核"
            + (f"，{'、'.join(first)}排名第一" if first else "")
            + "，详见附件。"
        )
    vetoes = selectors.confirmed_vetoes(year)
    if vetoes:
        paragraphs.append("一票否决：")
        for v in vetoes:
            paragraphs.append(
                f"{v.unit.name}：{v.condition.name}。{v.summary}（确认理由：{v.reason or UNRECORDED}）"
            )
    else:
        paragraphs.append("本年度无确认的一票否决。")
    objections = selectors.year_objections(year)
    if objections:
        paragraphs.append(f"异议及答复（共 {len(objections)} 项）：")
        for o in objections:
            outcome = o.get_status_display()
            change = (
                f"，由 {o.points_before} 分调整为 {o.points_after} 分" if o.points_after is not None else ""
            )
            paragraphs.append(
                f"{o.item.score.unit.name}对“{o.item.indicator.name}”（原 {o.points_before} 分）提出异议：{o.reason}"
                f" 答复：{outcome}{change}。{o.answer or '（尚未答复）'}"
            )
    else:
        paragraphs.append("异议期内无单位提出异议。")
    annexes = [
        Annex(
            title=f"{year}年度{g.label}考核结果" + (f"（{DRAFT_MARK}）" if draft else ""),
            header=("名次", "单位", "基本分", "扣分", "加分", "总分", "等次", "一票否决"),
            rows=[
                (
                    str(s.rank) if s.rank is not None else "—",
                    s.unit.name,
                    str(s.base),
                    str(s.deductions),
                    str(s.bonus),
                    str(s.total),
                    s.grade,
                    "是" if s.vetoed else "",
                )
                for s in g.rows
            ],
            widths=(1.4, 4.2, 1.6, 1.4, 1.4, 1.6, 2.0, 2.0),
        )
        for g in groups
    ]
    name = issuer()
    return document_bytes(
        Gongwen(
            issuer=name,
            title=f"{year}年度保障农民工工资支付工作考核结果" + (f"（{DRAFT_MARK}）" if draft else ""),
            recipient="各镇人民政府、街道办事处，区各有关部门：",
            paragraphs=paragraphs,
            signature=name,
            date=None
            if draft or state is None or state.locked_at is None
            else timezone.localdate(state.locked_at),
            attachments=[a.title for a in annexes],
            annexes=annexes,
            footnote=f"依据：{CLAUSE}；本报告由安薪系统按记录生成" + (f"，{DRAFT_MARK}" if draft else ""),
        )
    )
