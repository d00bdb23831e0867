"""The office's analysis and circular as Word documents in 公文 layout (``core.gongwen``). What is
printed is what the document records — its title, 文号, body as edited and approved, and the data
snapshot it was drafted from (annexes) — never a fixed text; before it is issued the document says
so in its footnote."""

from __future__ import annotations

from anxin.core.gongwen import Annex, Gongwen, document_bytes
from anxin.core.money import format_yuan
from anxin.reports.models import DocumentKind, DocumentStatus, OfficeDocument
from anxin.reports.office_selectors import office_unit
from anxin.reports.services.office import parts_of, value_text

NUMERALS = "一二三四五六七八九十"


def _figure_rows(figures: dict, codes: list[str]) -> list[str]:
    return [value_text(figures[c]) if c in figures else "—" for c in codes]


def _units_annex(title: str, rows: list[dict], district: dict) -> Annex:
    codes = list(district)
    return Annex(
        title=title,
        header=("单位", *[district[c]["label"] for c in codes]),
        rows=[(r["name"], *_figure_rows(r["figures"], codes)) for r in rows],
    )


def _submissions_annex(snapshot: dict) -> Annex:
    return Annex(
        title=f"各成员单位定期报告报送情况（截止日 {snapshot.get('due_on', '')}）",
        header=("单位", "报送情况", "报送时间"),
        rows=[(r["name"], r["label"], r["submitted_at"] or "—") for r in snapshot.get("submissions") or []],
        widths=(6.0, 4.6, 5.0),
    )


def _analysis_annexes(snapshot: dict) -> list[Annex]:
    district = snapshot.get("district") or {}
    annexes = []
    if snapshot.get("towns"):
        annexes.append(_units_annex("分镇（街道）主要数据", snapshot["towns"], district))
    if snapshot.get("lines"):
        annexes.append(_units_annex("分条线（部门）主要数据", snapshot["lines"], district))
    annexes.append(
        Annex(
            title="分行业（企业类型）情况",
            header=("企业类型", "欠薪线索", "预警", "立案"),
            rows=[
                (r["name"], str(r["signals"]), str(r["alerts"]), str(r["cases"]))
                for r in snapshot.get("industries") or []
            ]
            or [("本期无", "—", "—", "—")],
        )
    )
    trends = snapshot.get("trends") or {}
    periods = trends.get("periods") or []
    if periods:
        annexes.append(
            Annex(
                title=f"近{len(periods)}期主要数据走势",
                header=("指标", *periods),
                rows=[
                    (
                        s["label"],
                        *[(format_yuan(v) if s.get("money") else str(v)) for v in s["values"]],
                    )
                    for s in trends.get("series", {}).values()
                ],
            )
        )
    risks = snapshot.get("risks") or {}
    annexes.append(
        Annex(
            title="重点风险企业",
            header=("企业", "镇/街道", "风险等级", "风险分"),
            rows=[
                (e["name"], e["town"], e["level"], str(e["points"])) for e in risks.get("enterprises") or []
            ]
            or [("无红色、橙色风险企业", "—", "—", "—")],
        )
    )
    if risks.get("alerts"):
        annexes.append(
            Annex(
                title="未办结预警（列示）",
                header=("企业", "规则", "等级", "状态", "处置期限"),
                rows=[
                    (a["enterprise"], a["rule"], a["level"], a["status"], a["due"]) for a in risks["alerts"]
                ],
            )
        )
    if risks.get("incidents"):
        annexes.append(
            Annex(
                title="本期群体性、极端事件和企业突然关停",
                header=("案件", "企业", "类型", "时间", "人数"),
                rows=[
                    (i["case"], i["enterprise"], i["kind"], i["occurred"], str(i["people"]))
                    for i in risks["incidents"]
                ],
            )
        )
    annexes.append(
        Annex(
            title="本期即时报告",
            header=("企业", "情形", "状态", "涉及人数", "涉及金额（元）", "生成日期"),
            rows=[
                (
                    r["enterprise"],
                    r["rule"],
                    r["status"],
                    str(r["workers"]),
                    format_yuan(r["amount"]),
                    r["drafted"],
                )
                for r in snapshot.get("immediate_reports") or []
            ]
            or [("本期无即时报告", "—", "—", "—", "—", "—")],
        )
    )
    annexes.append(_submissions_annex(snapshot))
    return annexes


def _circular_annexes(snapshot: dict) -> list[Annex]:
    return [
        _submissions_annex(snapshot),
        Annex(
            title="各成员单位宣传活动情况",
            header=("单位", "活动次数", "受众人数", "宣传品（份）"),
            rows=[
                (p["name"], str(p["activities"]), str(p["audience"]), str(p["materials"]))
                for p in snapshot.get("publicity") or []
            ],
            widths=(6.0, 3.2, 3.2, 3.2),
        ),
    ]


def build(document: OfficeDocument) -> bytes:
    snapshot = document.data or {}
    office = office_unit()
    issuer = office.official_name if office else "区联席办"
    paragraphs = []
    for n, (key, label) in enumerate(parts_of(document.kind)):
        paragraphs.append(f"{NUMERALS[n]}、{label}")
        paragraphs.append(str((document.body or {}).get(key, "")) or "（未填写）")
    analysis = document.kind == DocumentKind.ANALYSIS
    annexes = _analysis_annexes(snapshot) if analysis else _circular_annexes(snapshot)
    district = snapshot.get("district") or {}
    issued = document.status == DocumentStatus.ISSUED
    footnote = f"数据汇总时间：{snapshot.get('composed_at', '')}（{snapshot.get('start', '')}至{snapshot.get('end', '')}）"
    if not issued:
        footnote += f"。本稿处于“{document.get_status_display()}”状态，尚未印发"
    return document_bytes(
        Gongwen(
            issuer=issuer,
            title=document.title,
            number=document.reference if issued else "",
            recipient="区委、区政府主要领导和分管领导：" if analysis else "各成员单位：",
            paragraphs=paragraphs,
            table=[(f["label"], value_text(f)) for f in district.values()],
            attachments=[a.title for a in annexes],
            annexes=annexes,
            signature=issuer,
            date=document.issued_on if issued else None,
            footnote=footnote,
        )
    )
