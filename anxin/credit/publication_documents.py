"""The period's list as a Word document in 公文 layout (core.gongwen), for the official website: issued
by 人社局 (the unit holding the duty ``blacklist``, its full name from the district file), each entry as
recorded — name, credit code, address, legal representative, the facts, the handling (令29 第六条) — and
the publication date and period it stays up, from the batch; a draft prints as 审核稿 with the kept
entries."""

from __future__ import annotations

import datetime

from django.utils import timezone

from anxin.cases.documents import chinese_number, office_name
from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes
from anxin.credit import access
from anxin.credit.models import DECREE_29, BatchStatus, PublicationBatch, PublicationEntry
from anxin.credit.services.publication import CLASS_CITATIONS, period_of_batch


def _day(day: datetime.date) -> str:
    return cn_date(day)


def issuer() -> str:
    units = access.authority_units()
    return units[0].official_name if units else office_name()


def batch_document(batch: PublicationBatch, entries: list[PublicationEntry]) -> Gongwen:
    period = period_of_batch(batch)
    published = batch.status == BatchStatus.PUBLISHED
    name = issuer()
    paragraphs = [
        f"根据《{DECREE_29.split('（')[0]}》（人力资源社会保障部令第29号），现将本机关"
        f"{_day(batch.period_start)}至{_day(batch.period_end)}查处的重大劳动保障违法行为予以公布"
        f"（共{chinese_number(len(entries))}件）："
    ]
    until = {e.visible_until for e in entries if e.visible_until}
    for n, entry in enumerate(entries, start=1):
        paragraphs.append(f"{chinese_number(n)}、{entry.name}")
        paragraphs.append(
            f"统一社会信用代码：{entry.uscc}；地址：{entry.address}；法定代表人（负责人）：{entry.legal_rep}。"
        )
        paragraphs.append(
            f"违法行为类别：{entry.get_violation_class_display()}（{CLASS_CITATIONS[entry.violation_class]}）。"
        )
        paragraphs.append(f"主要违法事实：{entry.facts}")
        paragraphs.append(f"查处情况：{entry.handling}")
    if batch.published_on and until:
        paragraphs.append(f"以上信息自{_day(batch.published_on)}起公布，公布期限至{_day(max(until))}。")
    footnote = (
        ""
        if published
        else (
            f"审核稿：批次 {batch.number} 尚未公布，{timezone.localdate():%Y-%m-%d} 导出，仅含审核保留的信息。"
        )
    )
    return Gongwen(
        issuer=name,
        title=f"重大劳动保障违法行为社会公布（{period.label}）",
        paragraphs=paragraphs,
        signature=name,
        date=batch.published_on if published else None,
        number=batch.number,
        annexes=[
            Annex(
                title="重大劳动保障违法行为公布一览表",
                header=("序号", "单位名称", "统一社会信用代码", "法定代表人", "违法行为类别"),
                rows=[
                    (str(n), e.name, e.uscc, e.legal_rep, e.get_violation_class_display())
                    for n, e in enumerate(entries, start=1)
                ],
                widths=(1.2, 4.6, 3.6, 2.0, 4.2),
            )
        ]
        if entries
        else [],
        footnote=footnote,
    )


def batch_docx(batch: PublicationBatch, entries: list[PublicationEntry]) -> bytes:
    return document_bytes(batch_document(batch, entries))
