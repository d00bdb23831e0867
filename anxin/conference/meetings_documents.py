"""The plenary pack as a Word document in 公文 layout (``core.gongwen``): it prints the snapshot that
was prepared (``MeetingPack.data``) — the period and its basis, every section's paragraphs, each
section's tables as annexes — never a fixed text and never a fresh count."""

from __future__ import annotations

from django.utils import timezone

from anxin.cases.documents import office_name
from anxin.conference.models import MeetingPack
from anxin.core.gongwen import Annex, Gongwen, document_bytes


def pack_document(pack: MeetingPack) -> Gongwen:
    data = pack.data or {}
    meeting = data.get("meeting", {})
    period = data.get("period", {})
    param = data.get("param", {})
    paragraphs = [
        f"{meeting.get('title', '')}（{meeting.get('number', '')}，{meeting.get('date', '')}）会议材料。",
        f"统计期间：{period.get('start', '')} 至 {period.get('end', '')}（{period.get('basis', '')}）。"
        f"全体会议召开周期 {param.get('value', '')} 个月（{param.get('citation', '')}）。",
    ]
    annexes: list[Annex] = []
    for section in data.get("sections", []):
        paragraphs.append(str(section.get("title", "")))
        paragraphs.extend(str(p) for p in section.get("paragraphs", []))
        for table in section.get("tables", []):
            annexes.append(
                Annex(
                    title=f"{section.get('title', '')} — {table.get('caption', '')}",
                    header=tuple(str(h) for h in table.get("headers", [])),
                    rows=[tuple(str(c) for c in row) for row in table.get("rows", [])],
                )
            )
    name = office_name()
    return Gongwen(
        issuer=name,
        title=f"{meeting.get('title', '联席会议')}材料",
        paragraphs=paragraphs,
        signature=name,
        date=timezone.localdate(pack.prepared_at) if pack.prepared_at else None,
        annexes=annexes,
        footnote=f"材料包生成于 {data.get('prepared_at', '')}，内容为生成时的快照。",
    )


def pack_docx(pack: MeetingPack) -> bytes:
    return document_bytes(pack_document(pack))
