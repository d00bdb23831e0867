"""The plenary pack's sections on decisions (``sections.PACK_SECTIONS``, §二: 督促、检查成员单位贯彻落实
联席会议议定事项情况 — "the next plenary's pack lists every decision with status"): every decision of
the meetings before this one with its status as of the pack's day, and the overdue ones by owner
unit. Plain strings, JSON-able; the meetings part renders them."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.utils import timezone

from anxin.conference.decisions_selectors import pack_decisions
from anxin.conference.models import Decision, DecisionStatus


def _status(decision: Decision, today: datetime.date) -> str:
    if decision.status == DecisionStatus.OPEN and decision.due_on < today:
        return "逾期未完成"
    return str(decision.get_status_display())


def _day(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def every_decision(meeting: Any, start: datetime.date, end: datetime.date) -> dict:
    today = timezone.localdate()
    rows = list(pack_decisions(before=meeting.date))
    counts = Counter(_status(d, today) for d in rows)
    summary = "、".join(f"{label} {n} 项" for label, n in counts.items())
    return {
        "key": "decisions",
        "title": "三、历次会议议定事项落实情况",
        "paragraphs": [
            f"截至 {today:%Y-%m-%d}，本次会议前历次会议议定事项共 {len(rows)} 项"
            + (f"：{summary}。" if rows else "。"),
            "依据：§二（督促、检查成员单位贯彻落实联席会议议定事项情况）。",
        ],
        "tables": [
            {
                "caption": "议定事项清单",
                "headers": [
                    "编号",
                    "会议",
                    "议定事项",
                    "牵头单位",
                    "配合单位",
                    "完成时限",
                    "状态",
                    "验收日期",
                ],
                "rows": [
                    [
                        d.number,
                        f"{d.meeting.title}（{_day(d.meeting.date)}）",
                        d.subject,
                        d.owner.name,
                        "、".join(u.name for u in d.co_units.all()),
                        _day(d.due_on),
                        _status(d, today),
                        _day(d.accepted_on),
                    ]
                    for d in rows
                ],
            }
        ],
    }


def overdue_by_unit(meeting: Any, start: datetime.date, end: datetime.date) -> dict:
    today = timezone.localdate()
    rows = [
        d for d in pack_decisions(before=meeting.date) if d.status == DecisionStatus.OPEN and d.due_on < today
    ]
    by_unit: dict[str, list[Decision]] = {}
    for d in rows:
        by_unit.setdefault(d.owner.name, []).append(d)
    return {
        "key": "decisions-overdue",
        "title": "四、逾期未完成的议定事项（按牵头单位）",
        "paragraphs": [
            f"截至 {today:%Y-%m-%d}，逾期未完成的议定事项 {len(rows)} 项，涉及 {len(by_unit)} 个牵头单位。"
        ],
        "tables": [
            {
                "caption": "逾期议定事项按牵头单位",
                "headers": ["牵头单位", "逾期项数", "编号（完成时限）"],
                "rows": [
                    [unit, str(len(items)), "；".join(f"{d.number}（{_day(d.due_on)}）" for d in items)]
                    for unit, items in sorted(by_unit.items(), key=lambda pair: -len(pair[1]))
                ],
            }
        ],
    }
