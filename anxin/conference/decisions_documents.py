"""The 督办通知 in 公文 layout, printing the record: the 文号, the decision (its meeting and minutes, what
was decided, the result required, the due date), the requirements, the reply-by date, the owner and
co-units it is sent to, the issue day, the decision's status and overdue flag as stored at issue."""

from __future__ import annotations

from anxin.conference.minutes_documents import issuer
from anxin.conference.models import SupervisionNotice
from anxin.core.gongwen import Gongwen, cn_date, document_bytes

UNRECORDED = "（未记录）"  # a day the record does not hold


def notice(record: SupervisionNotice) -> bytes:
    decision = record.decision
    minutes = decision.minutes
    meeting = decision.meeting
    co = "、".join(u.name for u in decision.co_units.order_by("order", "code"))
    # the status recorded at issue (never today's)
    status = record.get_decision_status_display() if record.decision_status else "（督办时未记录）"
    if record.was_overdue:
        status += f"（已逾期，完成时限{cn_date(decision.due_on, '（未记录）')}）"
    paragraphs = [
        f"{cn_date(meeting.date, '（未记录）')}召开的{meeting.title}议定（会议纪要 {minutes.reference or '未编号'}，"
        f"议定事项 {decision.number}）：{decision.subject}",
        f"工作要求：{decision.result_required}；牵头单位：{decision.owner.name}"
        + (f"；配合单位：{co}" if co else "")
        + f"；完成时限：{cn_date(decision.due_on, '（未记录）')}。",
        f"截至{cn_date(record.issued_on, '（未记录）')}，该事项落实状态为：{status}。",
        f"督办要求：{record.requirements}",
        f"请于{cn_date(record.reply_by, '（未记录）')}前将落实情况书面报送区联席办，并在安薪系统中报告进展或完成情况。",
    ]
    recipient = decision.owner.name + ("：" if not co else f"，{co}：")
    name = issuer()
    return document_bytes(
        Gongwen(
            issuer=name,
            number=record.reference,
            title="议定事项督办通知",
            recipient=recipient,
            paragraphs=paragraphs,
            signature=name,
            date=record.issued_on,
            footnote=f"议定事项编号：{decision.number}",
        )
    )
