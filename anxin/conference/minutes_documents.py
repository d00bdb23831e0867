"""The Word 纪要 in 公文 layout (``core.gongwen``), printing what was recorded: the title, the 文号, the
meeting's date, place, chair and attendance (from the meeting's units), the text, the decisions
numbered with owner, co-units, due date and result required, the signer and the issue day, 主送/抄送.
Minutes not yet issued print only as a draft marked 征求意见稿 (no 文号, no issue day)."""

from __future__ import annotations

from django.utils import timezone

from anxin.conference.minutes_selectors import attendance, decisions_of
from anxin.conference.models import Minutes, MinutesStatus
from anxin.core.gongwen import Gongwen, cn_date, document_bytes
from anxin.org.access import office_unit
from anxin.org.models import UnitKind

UNRECORDED = "（未记录）"  # a day the record does not hold

DRAFT_MARK = "征求意见稿"


def issuer() -> str:
    office = office_unit()
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"


def _attendance(minutes: Minutes) -> list[str]:
    present, absent = [], []
    for row in attendance(minutes.meeting):
        if row.attended:
            present.append(f"{row.unit.name}（{row.attendees}）" if row.attendees else row.unit.name)
        elif row.attended is False:
            absent.append(f"{row.unit.name}（{row.absence_reason}）" if row.absence_reason else row.unit.name)
    lines = []
    if present:
        lines.append("出席单位：" + "、".join(present) + "。")
    if absent:
        lines.append("缺席单位：" + "、".join(absent) + "。")
    return lines


def is_draft(minutes: Minutes) -> bool:
    return minutes.status != MinutesStatus.ISSUED


def document(minutes: Minutes) -> bytes:
    meeting = minutes.meeting
    draft = is_draft(minutes)
    chair = meeting.chair.display_name if meeting.chair else "（未记录）"
    post = f"（{meeting.get_chair_post_display()}）" if meeting.chair_post else ""
    paragraphs = [
        f"{cn_date(meeting.date, '（未记录）')}，{meeting.title}在{meeting.place}召开，会议由{chair}{post}主持。",
        *_attendance(minutes),
        minutes.text,
    ]
    decisions = decisions_of(minutes)
    if decisions:
        paragraphs.append("会议议定以下事项：")
        for d in decisions:
            co = "、".join(u.name for u in d.co_units.all())
            paragraphs.append(
                f"{_cn(d.seq)}、{d.subject}（工作要求：{d.result_required}。牵头单位：{d.owner.name}"
                + (f"；配合单位：{co}" if co else "")
                + f"；完成时限：{cn_date(d.due_on, '（未记录）')}）"
            )
    if minutes.signed_at:
        opinion = f"，审签意见：{minutes.sign_opinion}" if minutes.sign_opinion else ""
        signer = minutes.signed_by.display_name if minutes.signed_by else ""
        paragraphs.append(
            f"本纪要经会议召集人{signer}于{cn_date(timezone.localdate(minutes.signed_at), '（未记录）')}审签{opinion}。"
        )
    table: list[tuple[str, str]] = []
    if not draft:
        recipients = list(minutes.issued_to.order_by("order", "code"))
        main = [u.name for u in recipients if u.kind in (UnitKind.DEPARTMENT, UnitKind.TOWN_GOVERNMENT)]
        copy = [u.name for u in recipients if u.kind not in (UnitKind.DEPARTMENT, UnitKind.TOWN_GOVERNMENT)]
        table.append(("主送", "、".join(main) or "—"))
        if copy:
            table.append(("抄送", "、".join(copy)))
        table.append(("印发", f"{issuer()}　{cn_date(minutes.issued_on, '（未记录）')}印发"))
    name = issuer()
    return document_bytes(
        Gongwen(
            issuer=name,
            number="" if draft else minutes.reference,
            title=f"{meeting.title}纪要" + (f"（{DRAFT_MARK}）" if draft else ""),
            paragraphs=paragraphs,
            signature=name,
            date=None if draft else minutes.issued_on,
            table=table,
            footnote=f"会议编号：{meeting.number}"
            + (f"；{DRAFT_MARK}，未经召集人审签印发，不作为正式文件" if draft else ""),
        )
    )


DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (decisions in a minutes are fewer than 100)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
