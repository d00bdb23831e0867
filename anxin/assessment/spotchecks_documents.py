"""The circular (抽查情况通报) in 公文 layout, printing what was recorded: the 文号, the body as issued,
the issue day, the units it went to (主送) and its copy (抄送), and an annex listing every item drawn
with its result and the rectification set — the rows saved when the circular was issued
(``SpotCheck.circular_annex``), not the rectification items as they stand at download time."""

from __future__ import annotations

from anxin.assessment.models import SpotCheck
from anxin.assessment.services.spotchecks import ANNEX_HEADER, circular_annex_rows
from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes
from anxin.org.access import office_unit


def issuer() -> str:
    office = office_unit()
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"


def circular(spot_check: SpotCheck) -> bytes:
    recipients = list(spot_check.recipients.order_by("copy", "pk"))
    main = "、".join(r.name for r in recipients if not r.copy) or "各成员单位"
    copies = "、".join(r.name for r in recipients if r.copy)
    saved = spot_check.circular_annex
    rows = [
        tuple(str(cell) for cell in row)
        for row in (saved if saved is not None else circular_annex_rows(spot_check))
    ]
    name = issuer()
    return document_bytes(
        Gongwen(
            issuer=name,
            number=spot_check.circular_reference,
            title=f"关于{spot_check.title}情况的通报",
            recipient=f"{main}：",
            paragraphs=[p for p in spot_check.circular_body.splitlines() if p.strip()],
            signature=name,
            date=spot_check.circulated_on,
            attachments=["抽查事项及整改情况一览表"],
            annexes=[
                Annex(
                    title="抽查事项及整改情况一览表",
                    header=ANNEX_HEADER,
                    rows=rows,
                    widths=(2.6, 3.4, 2.0, 4.0, 3.6),
                )
            ],
            footnote=(f"抄送：{copies}。" if copies else "")
            + f"抽查编号：{spot_check.number}；随机种子：{spot_check.seed}；"
            + f"印发日期：{cn_date(spot_check.circulated_on, '（未记录）')}"
            + ("" if saved is not None else "；附件一览表印发时未保存，所列为导出时的记录"),
        )
    )
