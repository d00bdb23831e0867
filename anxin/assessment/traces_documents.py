"""Word (公文 layout) of the traces part: a saved trace (责任倒查情况) and a referral's 移交函. Each
prints what was recorded — the trace's steps as saved, the referral's letter as sent."""

from __future__ import annotations

from django.utils import timezone

from anxin.assessment.models import Referral, Trace
from anxin.assessment.services.traces import WINDOW_RULE, trace_summary
from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes
from anxin.core.policy_defaults import OPINIONS
from anxin.org.access import office_unit


def issuer() -> str:
    office = office_unit()
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"


def _when(value: str | None) -> str:
    if not value:
        return ""
    return value.replace("T", " ")[:16]


def _met(value: object) -> str:
    return {True: "按时", False: "未按时"}.get(value, "—")  # type: ignore[call-overload]


def trace_docx(trace: Trace) -> bytes:
    summary = trace_summary(trace)
    missed = [r for r in summary if r["missed"]]
    paragraphs = [
        f"{trace.enterprise.name}（案件 {trace.case.number}）于{cn_date(trace.incident_on)}{trace.get_reason_display()}。"
        f"根据《{OPINIONS}》§五(三)“确立责任倒查”的要求，区联席办对事发前"
        f"（{cn_date(trace.since)}至{cn_date(trace.incident_on)}，{WINDOW_RULE}）安薪系统掌握的该企业全部信息进行了倒查，"
        f"共 {len([s for s in trace.steps if s.get('kind') != 'incident'])} 个环节，情况如下（详见附件）。",
    ]
    if missed:
        paragraphs.append(
            "未按期履职的单位："
            + "；".join(f"{r['unit_name']}未按时 {r['missed']} 项（共 {r['steps']} 项）" for r in missed)
            + "。"
        )
    else:
        paragraphs.append("倒查范围内各单位均按期履职，未发现未按时事项。")
    if trace.note:
        paragraphs.append(f"说明：{trace.note}")
    rows: list[tuple[str, ...]] = [
        (
            _when(s.get("at")),
            s.get("label", ""),
            s.get("unit_name", ""),
            _when(s.get("due")),
            _when(s.get("done")),
            _met(s.get("met")),
        )
        for s in trace.steps
    ]
    name = issuer()
    return document_bytes(
        Gongwen(
            issuer=name,
            title=f"关于{trace.enterprise.name}欠薪事件的责任倒查情况",
            recipient="",
            paragraphs=paragraphs,
            signature=name,
            date=timezone.localdate(trace.created_at),
            attachments=["责任倒查时间线"],
            annexes=[
                Annex(
                    title="责任倒查时间线",
                    header=("时间", "事项", "责任单位", "期限", "完成", "是否按时"),
                    rows=rows,
                    widths=(2.6, 4.6, 2.4, 2.2, 2.2, 1.6),
                )
            ],
            footnote=f"倒查编号：{trace.number}",
        )
    )


def referral_docx(referral: Referral) -> bytes:
    finding = referral.finding
    paragraphs = [
        *[line for line in referral.letter.splitlines() if line.strip()],
        f"认定问题：{finding.number}（{finding.year} 年度，责任单位：{finding.unit.name}）{finding.text}",
    ]
    attachments = []
    if finding.trace_id:
        attachments.append(f"责任倒查情况（{finding.trace.number}）")  # type: ignore[union-attr]
    attachments += [f"证据材料 {i}" for i, _ in enumerate(referral.files.all(), start=1)]
    name = issuer()
    return document_bytes(
        Gongwen(
            issuer=name,
            number=referral.number,
            title="问责线索移交函",
            recipient=f"{referral.to_body}：",
            paragraphs=paragraphs,
            signature=name,
            date=referral.sent_on or timezone.localdate(),
            attachments=attachments,
            footnote=f"移交编号：{referral.number}",
        )
    )
