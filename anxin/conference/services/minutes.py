"""A meeting's minutes (会议纪要, §二: 会议应形成会议纪要，经会议召集人审签后，印发有关单位贯彻落实).

The office drafts the minutes of a held meeting — the text and the decisions (议定事项: subject, the
result required, owner unit, co-units, due date) — and may edit them while they are a draft or
returned; it submits them to the convener (the holders of the post 召集人 are notified). The convener
(``access.is_convener``: a leader holding the post; a permission alone is not enough) signs them off
(审签, optional opinion) or returns them with comments. Only signed minutes are issued (印发): the office
gives the 文号 and the units they go to; the issue opens every decision (``DECISIONS`` OPEN) and
notifies the units.

Each write: who may, one transaction, the status through ``conference.workflow.MINUTES`` (an event
row on the meeting's history), the notices after commit. A refusal says why, and nothing changes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.conference import access
from anxin.conference.models import (
    ChairPost,
    ConferencePost,
    Decision,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from anxin.conference.workflow import DECISIONS, DRAFT, ISSUE, MINUTES, OPEN, RETURN, SIGN, SUBMIT
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.notify.services import notify_units, notify_users
from anxin.org.access import office_unit_ids
from anxin.org.models import Unit, UnitKind, User

CLAUSE = "§二（会议应形成会议纪要，经会议召集人审签后，印发有关单位贯彻落实）"
OFFICE_ONLY = "只有联席办可以起草、送审和印发会议纪要"
CONVENER_ONLY = "只有联席会议召集人（担任召集人职务的区领导）可以审签或退回会议纪要"
REFERENCE_PREFIX = "新欠薪联办纪"
OWNER_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN_GOVERNMENT)
TEXT_LIMIT = 20000


@dataclass
class DecisionInput:
    """One decision as the office types it (the screen's row, the API's item)."""

    result: str
    owner: Unit | None
    due: datetime.date | None
    subject: str = ""
    co_units: Sequence[Unit] = field(default_factory=list)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _office(actor: User) -> None:
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)


def _convener(actor: User) -> None:
    if not access.is_convener(actor):
        raise PermissionDenied(CONVENER_ONLY)


def convener_ids() -> list[int]:
    return list(
        ConferencePost.objects.filter(post=ChairPost.CONVENER, active=True, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def minutes_url(minutes: Minutes) -> str:
    return reverse("conference-minutes", args=[minutes.meeting_id])


def may_own(unit: Unit) -> bool:
    """A decision's owner or co-unit: a member department or a town (镇/街道)."""
    return unit.is_member and unit.kind in OWNER_KINDS


def owner_units() -> list[Unit]:
    return list(Unit.objects.filter(is_member=True, kind__in=OWNER_KINDS).order_by("order", "code"))


def _clean_decisions(meeting: Meeting, items: Sequence[DecisionInput]) -> list[DecisionInput]:
    cleaned: list[DecisionInput] = []
    for n, item in enumerate(items, start=1):
        lead = f"第 {n} 项议定事项："
        result = (item.result or "").strip()
        subject = (item.subject or "").strip()
        if not result:
            raise DomainError(lead + "请填写工作要求（须达成的结果）", field="decisions")
        if len(result) > 2000 or len(subject) > 2000:
            raise DomainError(lead + "议定事项和工作要求各不超过 2000 字", field="decisions")
        if item.owner is None:
            raise DomainError(lead + "请选择牵头单位", field="decisions")
        if not may_own(item.owner):
            raise DomainError(
                lead + f"牵头单位须为联席会议成员单位或镇（街道），“{item.owner.name}”不是", field="decisions"
            )
        co_units = []
        for unit in item.co_units:
            if not may_own(unit):
                raise DomainError(
                    lead + f"配合单位须为联席会议成员单位或镇（街道），“{unit.name}”不是", field="decisions"
                )
            if unit.pk != item.owner.pk and unit not in co_units:
                co_units.append(unit)
        if item.due is None:
            raise DomainError(lead + "请填写完成时限", field="decisions")
        if item.due < meeting.date:
            raise DomainError(
                lead + f"完成时限 {item.due:%Y-%m-%d} 早于会议日期 {meeting.date:%Y-%m-%d}", field="decisions"
            )
        cleaned.append(
            DecisionInput(
                result=result, subject=subject or result, owner=item.owner, due=item.due, co_units=co_units
            )
        )
    return cleaned


def minutes_draft(
    *, actor: User, meeting: Meeting, text: str, decisions: Sequence[DecisionInput] = ()
) -> Minutes:
    """Write (or rewrite) the minutes of a held meeting: the text and the decisions, which replace the
    draft's (a decision keeps its number by its place). Only while a draft or returned."""
    _office(actor)
    text = (text or "").strip()
    if meeting.status != MeetingStatus.HELD:
        raise DomainError(
            f"会议处于“{meeting.get_status_display()}”状态，召开后方可起草会议纪要", code="transition"
        )
    if not text:
        raise DomainError("请填写纪要正文", field="text")
    if len(text) > TEXT_LIMIT:
        raise DomainError(f"纪要正文不超过 {TEXT_LIMIT} 字", field="text")
    items = _clean_decisions(meeting, decisions)
    with transaction.atomic(), acting(actor):
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is None:
            minutes = Minutes.objects.create(meeting=meeting, text=text, drafted_by=actor)
            note = f"起草会议纪要（议定事项 {len(items)} 项）"
        else:
            if minutes.status not in (MinutesStatus.DRAFT, MinutesStatus.RETURNED):
                raise DomainError(
                    f"会议纪要处于“{minutes.get_status_display()}”状态，不能修改", code="transition"
                )
            if minutes.text != text:
                minutes.text = text
                minutes.save(update_fields=["text", "updated_at"])
            note = f"修改会议纪要（议定事项 {len(items)} 项）"
        _sync_decisions(minutes, items)
        MINUTES.record(minutes, DRAFT, actor=actor, note=note)
    return minutes


def _sync_decisions(minutes: Minutes, items: list[DecisionInput]) -> None:
    existing = {d.seq: d for d in minutes.decisions.all()}
    for seq, item in enumerate(items, start=1):
        decision = existing.pop(seq, None)
        values = {
            "subject": item.subject,
            "result_required": item.result,
            "owner": item.owner,
            "due_on": item.due,
        }
        if decision is None:
            decision = Decision.objects.create(
                minutes=minutes,
                meeting=minutes.meeting,
                seq=seq,
                number=f"{minutes.meeting.number}-{seq:02d}",
                **values,
            )
        else:
            changed = [name for name, value in values.items() if getattr(decision, name) != value]
            if changed:
                for name in changed:
                    setattr(decision, name, values[name])
                decision.save(update_fields=[*changed, "updated_at"])
        wanted = {u.pk for u in item.co_units}
        if set(decision.co_units.values_list("pk", flat=True)) != wanted:
            decision.co_units.set(list(item.co_units))
    for decision in existing.values():  # rows left over from a longer draft
        decision.co_units.clear()
        decision.delete()


def minutes_submit(
    *, actor: User, minutes: Minutes, note: str = "", now: datetime.datetime | None = None
) -> Minutes:
    """Send the minutes to the convener for sign-off (first time or after a return)."""
    _office(actor)
    step = MINUTES.step(minutes, SUBMIT)
    now = _now(now)
    note = (note or "").strip()[:500]
    with transaction.atomic():
        MINUTES.move(minutes, step, actor=actor, note=note, values={"submitted_at": now}, now=now)
        meeting = minutes.meeting
        notify_users(
            user_ids=convener_ids(),
            subject=f"{meeting.number} 会议纪要待审签",
            body=f"联席办报送《{meeting.title}》会议纪要，请审签（{CLAUSE}）。",
            url=minutes_url(minutes),
            topic="conference-minutes",
            about=meeting.title,
        )
    return minutes


def minutes_sign(
    *, actor: User, minutes: Minutes, opinion: str = "", now: datetime.datetime | None = None
) -> Minutes:
    """The convener signs the minutes off (审签), with an optional opinion."""
    _convener(actor)
    step = MINUTES.step(minutes, SIGN)
    opinion = (opinion or "").strip()[:2000]
    now = _now(now)
    with transaction.atomic():
        MINUTES.move(
            minutes,
            step,
            actor=actor,
            note=opinion,
            values={"signed_by": actor, "signed_at": now, "sign_opinion": opinion},
            now=now,
        )
        meeting = minutes.meeting
        notify_units(
            unit_ids=office_unit_ids(),
            subject=f"{meeting.number} 会议纪要已审签",
            body=f"召集人{actor.display_name}已审签，可编号印发。"
            + (f"审签意见：{opinion}" if opinion else ""),
            url=minutes_url(minutes),
            topic="conference-minutes",
            about=meeting.title,
        )
    return minutes


def minutes_return(
    *, actor: User, minutes: Minutes, comments: str, now: datetime.datetime | None = None
) -> Minutes:
    """The convener returns the minutes to the office with comments (required)."""
    _convener(actor)
    step = MINUTES.step(minutes, RETURN)
    comments = (comments or "").strip()
    if not comments:
        raise DomainError("退回会议纪要须填写修改意见", field="comments")
    if len(comments) > 2000:
        raise DomainError("修改意见不超过 2000 字", field="comments")
    now = _now(now)
    with transaction.atomic():
        MINUTES.move(minutes, step, actor=actor, note=comments, values={"return_comments": comments}, now=now)
        meeting = minutes.meeting
        notify_units(
            unit_ids=office_unit_ids(),
            subject=f"{meeting.number} 会议纪要被召集人退回修改",
            body=f"修改意见：{comments}",
            url=minutes_url(minutes),
            topic="conference-minutes",
            about=meeting.title,
        )
    return minutes


def default_recipients(minutes: Minutes) -> list[Unit]:
    """The units minutes go to unless the office says otherwise: those invited to the meeting and every
    decision's owner and co-units."""
    ids = set(minutes.meeting.units.values_list("unit_id", flat=True))
    ids |= set(minutes.decisions.values_list("owner_id", flat=True))
    ids |= set(
        Decision.co_units.through.objects.filter(decision__minutes=minutes).values_list("unit_id", flat=True)
    )
    return list(Unit.objects.filter(pk__in=ids).order_by("order", "code"))


def suggest_reference(prefix: str, used: Iterable[str], year: int) -> str:
    """The next number of the year after those in use: "新欠薪联办纪〔2026〕3号"."""
    pattern = re.compile(rf"^{re.escape(prefix)}〔{year}〕(\d+)号$")
    numbers = [int(m.group(1)) for ref in used if (m := pattern.match(ref or ""))]
    return f"{prefix}〔{year}〕{max(numbers, default=0) + 1}号"


def suggest_minutes_reference(on: datetime.date | None = None) -> str:
    year = (on or timezone.localdate()).year
    used = Minutes.objects.filter(reference__startswith=f"{REFERENCE_PREFIX}〔{year}〕").values_list(
        "reference", flat=True
    )
    return suggest_reference(REFERENCE_PREFIX, used, year)


def minutes_issue(
    *,
    actor: User,
    minutes: Minutes,
    reference: str,
    units: Sequence[Unit] | None = None,
    now: datetime.datetime | None = None,
) -> Minutes:
    """Issue signed minutes (印发) under a 文号 to the units named (default: ``default_recipients``);
    every decision opens and its owner gets it in 我的待办; every unit is notified."""
    _office(actor)
    if minutes.status != MinutesStatus.SIGNED:
        if minutes.status in (MinutesStatus.DRAFT, MinutesStatus.SUBMITTED, MinutesStatus.RETURNED):
            raise DomainError(
                f"会议纪要处于“{minutes.get_status_display()}”状态，未经召集人审签的纪要不得印发（{CLAUSE}）",
                code="transition",
            )
        raise MINUTES.refusal(minutes, ISSUE)
    step = MINUTES.step(minutes, ISSUE)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("请填写纪要文号", field="reference")
    if len(reference) > 60:
        raise DomainError("纪要文号不超过 60 字", field="reference")
    if Minutes.objects.filter(reference=reference).exclude(pk=minutes.pk).exists():
        raise DomainError(f"纪要文号“{reference}”已使用，请换一个", field="reference")
    recipients = list(units) if units is not None else default_recipients(minutes)
    if not recipients:
        raise DomainError("请选择印发单位", field="units")
    now = _now(now)
    try:
        _issue(actor, minutes, step, reference, recipients, now)
    except IntegrityError:  # another issue took the 文号 between the check and the write
        minutes.refresh_from_db()
        raise DomainError(
            f"纪要文号“{reference}”已使用，请换一个", code="exists", field="reference"
        ) from None
    return minutes


def _issue(
    actor: User,
    minutes: Minutes,
    step: Any,
    reference: str,
    recipients: list[Unit],
    now: datetime.datetime,
) -> None:
    today = timezone.localdate(now)
    with transaction.atomic(), acting(actor):
        MINUTES.move(
            minutes,
            step,
            actor=actor,
            note=f"{reference}，印发 {len(recipients)} 个单位",
            values={"reference": reference, "issued_on": today, "issued_by": actor},
            now=now,
        )
        minutes.issued_to.set(recipients)
        decisions = list(minutes.decisions.filter(status=DecisionStatus.DRAFT).select_related("owner"))
        for decision in decisions:
            DECISIONS.move(
                decision,
                DECISIONS.step(decision, OPEN),
                actor=actor,
                note=f"随纪要 {reference} 印发",
                now=now,
            )
        meeting = minutes.meeting
        notify_units(
            unit_ids=[u.pk for u in recipients],
            subject=f"会议纪要印发：{reference}",
            body=f"《{meeting.title}》会议纪要（{reference}）已印发，请贯彻落实。",
            url=minutes_url(minutes),
            topic="conference-minutes",
            about=meeting.title,
        )
        for decision in decisions:
            notify_units(
                unit_ids=[decision.owner_id],
                subject=f"交办议定事项 {decision.number}",
                body=f"{decision.subject[:100]}；完成时限 {decision.due_on:%Y-%m-%d}。",
                url=reverse("conference-decision", args=[decision.pk]),
                topic="conference-decision",
                about=meeting.title,
            )


__all__ = [
    "CLAUSE",
    "DecisionInput",
    "default_recipients",
    "may_own",
    "minutes_draft",
    "minutes_issue",
    "minutes_return",
    "minutes_sign",
    "minutes_submit",
    "owner_units",
    "suggest_minutes_reference",
]
