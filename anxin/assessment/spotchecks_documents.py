"""The circular (抽查情况通报) in 公文 layout, printing what was recorded: the 文号, the body as issued,
the issue day, the units it went to (主送) and its copy (抄送), and an annex listing every item drawn
with its result and the rectification set."""

from __future__ import annotations

from anxin.assessment.models import SpotCheck
from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes
from anxin.org.access import office_unit


def issuer() -> str:
    office = office_unit()
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"


def circular(spot_check: SpotCheck) -> bytes:
    recipients = list(spot_check.recipients.order_by("copy", "pk"))
    main = "、".join(r.name for r in recipients if not r.copy) or "各成员单位"
    copies = "、".join(r.name for r in recipients if r.copy)
    rows: list[tuple[str, ...]] = []
    for check_unit in spot_check.units.select_related("unit").prefetch_related("items__rectifications__unit"):
        for item in check_unit.items.all():
            rects = "；".join(
                f"{r.requirement}（{r.unit.name}，{r.due:%Y-%m-%d}前，{r.get_status_display()}）"
                for r in item.rectifications.all()
            )
            rows.append(
                (
                    check_unit.unit.name,
                    item.subject,
                    item.get_result_display(),
                    item.observations or "—",
                    rects or "—",
                )
            )
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
                    header=("被抽查单位", "检查事项", "检查结果", "检查发现", "整改要求"),
                    rows=rows,
                    widths=(2.6, 3.4, 2.0, 4.0, 3.6),
                )
            ],
            footnote=(f"抄送：{copies}。" if copies else "")
            + f"抽查编号：{spot_check.number}；随机种子：{spot_check.seed}；"
            + f"印发日期：{cn_date(spot_check.circulated_on, '（未记录）')}",
        )
    )
