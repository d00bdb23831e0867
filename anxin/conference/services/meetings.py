"""The joint conference's meetings (§二 会议制度): scheduling (plenary, topic), editing while scheduled,
papers, attendance, holding, cancelling; member units' proposals for a topic meeting; the posts
(召集人, 副召集人, 联席办主任); the plenary interval (``meeting.plenary_interval_months``) flagged once
per lapse; the plenary pack (a snapshot of the period's figures).

Each write: who may (``conference.access``), one transaction, the meeting's status through
``conference.workflow.MEETINGS`` with its event row, the notices after commit. A refusal is a
``DomainError`` in Chinese and nothing changes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.conference import access, sections
from anxin.conference.models import (
    ChairPost,
    ConferenceFile,
    ConferencePost,
    Meeting,
    MeetingKind,
    MeetingPack,
    MeetingProposal,
    MeetingStatus,
    MeetingUnit,
    PlenaryLapse,
    ProposalStatus,
    Topic,
)
from anxin.conference.workflow import ATTENDANCE, CANCEL, EDIT, HOLD, MEETINGS, PACK, PAPER, SCHEDULE
from anxin.core.access import is_system
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.policy import param_record
from anxin.core.uploads import DOCUMENTS
from anxin.monitoring.rules import add_months
from anxin.notify.services import notify_units, notify_users
from anxin.org.access import office_unit_ids
from anxin.org.models import Role, Unit, UnitKind, User

INTERVAL = "meeting.plenary_interval_months"
CLAUSE = "§二（联席会议全体会议原则上每季度召开一次）"
CHAIR_CLAUSE = "§二（会议由联席会议召集人或联席办主任主持召开）"
OFFICE_ONLY = "只有联席办可以安排和登记联席会议"
POSTS_ONLY = "联席会议职务由安全管理员确定"
CHAIR_POSTS = (ChairPost.CONVENER, ChairPost.DIRECTOR, ChairPost.DEPUTY)  # the post a chair is recorded with
INVITED_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN_GOVERNMENT)


@dataclass(frozen=True)
class Paper:
    """An uploaded paper as the services take it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _guard(actor: User) -> None:
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)


def _text(value: Any, field: str, what: str, *, limit: int = 2000, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


def _day(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


def member_units() -> list[Unit]:
    """The member units a meeting invites (departments and towns marked 联席会议成员单位)."""
    return list(Unit.objects.filter(is_member=True, kind__in=INVITED_KINDS).order_by("order", "code"))


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}年第{'一二三四'[(day.month - 1) // 3]}季度"


def default_title(kind: str, day: datetime.date, topics: Iterable[str] = ()) -> str:
    if kind == MeetingKind.PLENARY:
        return f"{quarter_label(day)}联席会议全体会议"
    labels = dict(Topic.choices)
    first = next(iter(topics), "")
    return f"{labels[first]}专题会议" if first in labels else "联席会议专题会议"


def _next_number(year: int) -> str:
    prefix = f"HY-{year}-"
    last = (
        Meeting.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


def chair_post_of(user: User | None) -> str:
    """The post a user chairs in (召集人 first, then 联席办主任, then 副召集人), or "" if none."""
    if user is None:
        return ""
    held = set(ConferencePost.objects.filter(user=user, active=True).values_list("post", flat=True))
    return next((p for p in CHAIR_POSTS if p in held), "")


def chair_candidates() -> list[ConferencePost]:
    return list(
        ConferencePost.objects.filter(active=True, post__in=CHAIR_POSTS, user__is_active=True)
        .select_related("user")
        .order_by("post", "pk")
    )


def _clean(
    *,
    kind: str,
    date: datetime.date | None,
    place: str,
    title: str,
    topics: Iterable[str],
    agenda: str,
    chair: User | None,
    units: Iterable[Unit] | None,
) -> dict:
    if kind not in MeetingKind.values:
        raise DomainError("会议类型须为全体会议（plenary）或专题会议（topic）", field="kind")
    if date is None:
        raise DomainError("请填写会议日期", field="date")
    topics = list(dict.fromkeys(topics or []))
    unknown = [t for t in topics if t not in Topic.values]
    if unknown:
        raise DomainError(f"未知的议题类型：{'、'.join(unknown)}", field="topics")
    if kind == MeetingKind.TOPIC and not topics:
        raise DomainError("专题会议请至少选择一项议题", field="topics")
    chair_post = chair_post_of(chair)
    if chair is not None and not chair_post:
        raise DomainError(
            f"{chair.display_name} 未担任召集人、副召集人或联席办主任，不能主持会议（{CHAIR_CLAUSE}）",
            field="chair",
        )
    invited = list(units) if units is not None else []
    if not invited and kind == MeetingKind.PLENARY:
        invited = member_units()
    if not invited:
        raise DomainError("请选择参会单位", field="units")
    outsiders = [u.name for u in invited if not u.is_member or u.kind not in INVITED_KINDS]
    if outsiders:
        raise DomainError(f"{'、'.join(outsiders)} 不是联席会议成员单位", field="units")
    return {
        "kind": kind,
        "date": date,
        "place": _text(place, "place", "会议地点", limit=100),
        "title": _text(title, "title", "会议名称", limit=100, required=False)
        or default_title(kind, date, topics),
        "topics": topics,
        "agenda": _text(agenda, "agenda", "会议议程", limit=5000, required=False),
        "chair": chair,
        "chair_post": chair_post,
        "units": list(dict.fromkeys(invited)),
    }


def _meeting_url(meeting: Meeting) -> str:
    return reverse("conference-meeting", args=[meeting.pk])


def _when(meeting: Meeting) -> str:
    time = f" {meeting.start_time:%H:%M}" if meeting.start_time else ""
    return f"{meeting.date:%Y年%m月%d日}{time}，{meeting.place}"


def _tell_units(meeting: Meeting, subject: str, body: str, unit_ids: Iterable[int] | None = None) -> None:
    ids = list(unit_ids) if unit_ids is not None else list(meeting.units.values_list("unit_id", flat=True))
    notify_units(
        unit_ids=ids,
        subject=f"{meeting.number} {subject}",
        body=body,
        url=_meeting_url(meeting),
        topic="conference-meeting",
        about=meeting.title,
    )


def _store_papers(actor: User, meeting: Meeting, papers: Iterable[Paper]) -> list[ConferenceFile]:
    stored = []
    for paper in papers:
        record = ConferenceFile(kind=ConferenceFile.Kind.PAPER, title=paper.name[:100])
        stored.append(
            file_store(
                record=record,
                actor=actor,
                name=paper.name,
                content=paper.content,
                field="papers",
                allowed=DOCUMENTS,
            )
        )
    if stored:
        meeting.papers.add(*stored)
    return stored


# --- meetings --------------------------------------------------------------------------------------


def meeting_schedule(
    *,
    actor: User,
    kind: str,
    date: datetime.date | None,
    place: str,
    title: str = "",
    start_time: datetime.time | None = None,
    chair: User | None = None,
    topics: Iterable[str] = (),
    agenda: str = "",
    units: Iterable[Unit] | None = None,
    papers: Iterable[Paper] = (),
    proposal: MeetingProposal | None = None,
    is_demo: bool = False,
    now: datetime.datetime | None = None,
) -> Meeting:
    """安排会议 (the office): numbered ``HY-<year>-<seq>``; a plenary invites every member unit unless
    told otherwise; the chair must hold 召集人/副召集人/联席办主任 and is recorded with the post; the
    invited units get a notice. From a proposal: the proposal is 已安排会议 and linked."""
    _guard(actor)
    now = _now(now)
    v = _clean(
        kind=kind, date=date, place=place, title=title, topics=topics, agenda=agenda, chair=chair, units=units
    )
    if proposal is not None and proposal.status != ProposalStatus.PENDING:
        raise DomainError(f"该提议已处理（{proposal.get_status_display()}）", field="proposal")
    with atomic_with_files(), acting(actor):
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    meeting = Meeting.objects.create(
                        number=_next_number(v["date"].year),
                        kind=v["kind"],
                        title=v["title"],
                        date=v["date"],
                        start_time=start_time,
                        place=v["place"],
                        chair=v["chair"],
                        chair_post=v["chair_post"],
                        topics=v["topics"],
                        agenda=v["agenda"],
                        created_by=actor,
                        is_demo=is_demo,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - three writers racing for one number
            raise DomainError("会议编号冲突，请重试")
        MeetingUnit.objects.bulk_create([MeetingUnit(meeting=meeting, unit=u) for u in v["units"]])
        _store_papers(actor, meeting, papers)
        note = (
            f"{meeting.get_kind_display()}：{meeting.title}，{_when(meeting)}，邀请 {len(v['units'])} 个单位"
        )
        if proposal is not None:
            touched = guarded_update(
                MeetingProposal.objects.filter(status=ProposalStatus.PENDING),
                proposal.pk,
                status=ProposalStatus.SCHEDULED,
                meeting=meeting,
                answered_by=actor,
                answered_at=now,
                answer=f"已安排会议 {meeting.number}（{meeting.date:%Y-%m-%d}）",
            )
            if touched != 1:
                raise DomainError("该提议已被他人处理，请刷新后查看", code="conflict")
            note += f"；依 {proposal.unit.name} 的提议安排"
            notify_units(
                unit_ids=[proposal.unit_id],
                subject=f"专题会议提议已安排：{proposal.subject}",
                body=f"联席办已安排会议 {meeting.number}：{_when(meeting)}。",
                url=_meeting_url(meeting),
                topic="conference-proposal",
                about=proposal.subject,
            )
        MEETINGS.record(
            meeting, SCHEDULE, actor=actor, note=note[:2000], target=MeetingStatus.SCHEDULED, at=now
        )
        _tell_units(
            meeting,
            f"会议通知：{meeting.title}",
            f"{_when(meeting)}。议题：{'、'.join(meeting.topic_labels) or '见会议议程'}。",
        )
    if proposal is not None:
        proposal.refresh_from_db()
    return meeting


EDITABLE = {
    "title": "会议名称",
    "date": "会议日期",
    "start_time": "开始时间",
    "place": "地点",
    "chair": "主持人",
    "topics": "议题",
    "agenda": "议程",
}


def meeting_edit(
    *,
    actor: User,
    meeting: Meeting,
    date: datetime.date | None,
    place: str,
    title: str = "",
    start_time: datetime.time | None = None,
    chair: User | None = None,
    topics: Iterable[str] = (),
    agenda: str = "",
    units: Iterable[Unit] | None = None,
    papers: Iterable[Paper] = (),
) -> Meeting:
    """修改会议安排 while it is scheduled: what changed goes into the history; invited units (old and
    new) are told."""
    _guard(actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MEETINGS.refusal(meeting, EDIT)
    v = _clean(
        kind=meeting.kind,
        date=date,
        place=place,
        title=title or meeting.title,
        topics=topics,
        agenda=agenda,
        chair=chair,
        units=units,
    )
    v["start_time"] = start_time
    changes = [label for field, label in EDITABLE.items() if getattr(meeting, field) != v[field]]
    before = set(meeting.units.values_list("unit_id", flat=True))
    after = {u.pk for u in v["units"]}
    added, removed = after - before, before - after
    if added or removed:
        changes.append("参会单位")
    with atomic_with_files(), acting(actor):
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != MeetingStatus.SCHEDULED:
            raise MEETINGS.refusal(locked, EDIT)
        for field in EDITABLE:
            setattr(locked, field, v[field])
        locked.chair_post = v["chair_post"]
        locked.save()
        if removed:
            MeetingUnit.objects.filter(meeting=locked, unit_id__in=removed).delete()
        MeetingUnit.objects.bulk_create([MeetingUnit(meeting=locked, unit_id=pk) for pk in sorted(added)])
        stored = _store_papers(actor, locked, papers)
        if stored:
            changes.append(f"会议材料 {len(stored)} 份")
        if not changes:
            raise DomainError("会议安排没有变化")
        MEETINGS.record(locked, EDIT, actor=actor, note=f"修改：{'、'.join(changes)}；现为 {_when(locked)}")
        _tell_units(
            locked,
            f"会议安排变更：{locked.title}",
            f"变更事项：{'、'.join(changes)}。现为 {_when(locked)}。",
            unit_ids=before | after,
        )
    meeting.refresh_from_db()
    return meeting


def paper_add(*, actor: User, meeting: Meeting, papers: Iterable[Paper]) -> list[ConferenceFile]:
    """上传会议材料 (PDF or images), before or after the meeting."""
    _guard(actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MEETINGS.refusal(meeting, PAPER)
    papers = list(papers)
    if not papers:
        raise DomainError("请选择要上传的会议材料", field="papers")
    with atomic_with_files(), acting(actor):
        stored = _store_papers(actor, meeting, papers)
        MEETINGS.record(meeting, PAPER, actor=actor, note="上传：" + "、".join(p.title for p in stored))
    return stored


def meeting_attendance(*, actor: User, meeting: Meeting, rows: Iterable[dict]) -> int:
    """登记出席情况, per invited unit: ``{"unit": unit_id, "attended": bool, "attendees": "姓名（职务）…",
    "absence_reason": …}``. Attending needs who came; absent needs the reason."""
    _guard(actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MEETINGS.refusal(meeting, ATTENDANCE)
    invited = {mu.unit_id: mu for mu in meeting.units.select_related("unit")}
    changed: list[MeetingUnit] = []
    for row in rows:
        mu = invited.get(int(row.get("unit") or 0))
        if mu is None:
            raise DomainError("该单位不在本次会议的邀请名单中", field="attendance")
        attended = row.get("attended")
        if attended is None:
            continue
        attendees = _text(
            row.get("attendees"), "attendance", f"{mu.unit.name}出席人员", limit=200, required=False
        )
        reason = _text(
            row.get("absence_reason"), "attendance", f"{mu.unit.name}缺席原因", limit=200, required=False
        )
        if attended and not attendees:
            raise DomainError(f"请填写{mu.unit.name}的出席人员（姓名和职务）", field="attendance")
        if not attended and not reason:
            raise DomainError(f"请填写{mu.unit.name}的缺席原因", field="attendance")
        mu.attended = bool(attended)
        mu.attendees = attendees if attended else ""
        mu.absence_reason = "" if attended else reason
        changed.append(mu)
    if not changed:
        raise DomainError("请至少登记一个单位的出席情况", field="attendance")
    with transaction.atomic(), acting(actor):
        for mu in changed:
            mu.save(update_fields=["attended", "attendees", "absence_reason"])
        present = sum(1 for mu in invited.values() if mu.attended)
        MEETINGS.record(
            meeting,
            ATTENDANCE,
            actor=actor,
            note=f"登记 {len(changed)} 个单位；出席 {present} / 邀请 {len(invited)}",
        )
    return len(changed)


def hold_problems(meeting: Meeting, today: datetime.date) -> list[str]:
    """What stops the office recording the meeting held (shown on the page before the button)."""
    problems = []
    if meeting.date > today:
        problems.append(f"会议日期 {_day(meeting.date)} 尚未到来，不能登记召开")
    if meeting.chair_id is None:
        problems.append(f"尚未确定主持人（{CHAIR_CLAUSE}）")
    missing = [mu.unit.name for mu in meeting.units.select_related("unit") if mu.attended is None]
    if missing:
        more = "等" if len(missing) > 6 else ""
        problems.append(f"尚有 {len(missing)} 个邀请单位未登记出席情况：{'、'.join(missing[:6])}{more}")
    return problems


def meeting_hold(
    *, actor: User, meeting: Meeting, held_note: str = "", now: datetime.datetime | None = None
) -> Meeting:
    """登记召开: the day has come, the chair is recorded and every invited unit's attendance is in."""
    _guard(actor)
    now = _now(now)
    step = MEETINGS.step(meeting, HOLD)
    problems = hold_problems(meeting, timezone.localdate(now))
    if problems:
        raise DomainError("；".join(problems), field="hold")
    note = _text(held_note, "held_note", "召开情况", limit=2000, required=False)
    present = meeting.units.filter(attended=True).count()
    chair = meeting.chair.display_name if meeting.chair else ""
    MEETINGS.move(
        meeting,
        step,
        actor=actor,
        now=now,
        note=f"{_day(meeting.date)} 召开，{meeting.get_chair_post_display()} {chair} 主持，出席单位 {present} 个"
        + (f"；{note}" if note else ""),
        values={"held_note": note},
    )
    return meeting


def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """取消会议 with the reason; the invited units are told."""
    _guard(actor)
    step = MEETINGS.step(meeting, CANCEL)
    why = _text(reason, "reason", "取消原因")
    with transaction.atomic(), acting(actor):
        MEETINGS.move(meeting, step, actor=actor, note=why, values={"cancel_reason": why})
        _tell_units(meeting, f"会议取消：{meeting.title}", f"原定 {_when(meeting)} 的会议取消。原因：{why}")
    return meeting


# --- proposals -------------------------------------------------------------------------------------


def proposal_make(
    *,
    actor: User,
    subject: str,
    reason: str,
    topics: Iterable[str] = (),
    suggested_date: datetime.date | None = None,
    units: Iterable[Unit] = (),
) -> MeetingProposal:
    """提议召开专题会议 (§二: 根据成员单位提议): a member unit's user; the reason is required; the
    office is told."""
    if not access.may_propose(actor):
        raise PermissionDenied("只有联席会议成员单位可以提议召开专题会议")
    subject = _text(subject, "subject", "会议主题", limit=100)
    reason = _text(reason, "reason", "提议理由")
    topics = list(dict.fromkeys(topics or []))
    unknown = [t for t in topics if t not in Topic.values]
    if unknown:
        raise DomainError(f"未知的议题类型：{'、'.join(unknown)}", field="topics")
    units = list(units)
    outsiders = [u.name for u in units if not u.is_member or u.kind not in INVITED_KINDS]
    if outsiders:
        raise DomainError(f"{'、'.join(outsiders)} 不是联席会议成员单位", field="units")
    assert actor.unit is not None
    with transaction.atomic(), acting(actor):
        proposal = MeetingProposal.objects.create(
            unit=actor.unit,
            proposed_by=actor,
            subject=subject,
            reason=reason,
            topics=topics,
            suggested_date=suggested_date,
        )
        proposal.units_suggested.set(units)
        notify_units(
            unit_ids=office_unit_ids(),
            subject=f"{actor.unit.name}提议召开专题会议：{subject}",
            body=reason[:500],
            url=reverse("conference-proposal", args=[proposal.pk]),
            topic="conference-proposal",
            about=subject,
        )
    return proposal


def proposal_decline(
    *, actor: User, proposal: MeetingProposal, reason: str, now: datetime.datetime | None = None
) -> MeetingProposal:
    """不予召开, with the reason; the proposing unit is told."""
    _guard(actor)
    why = _text(reason, "reason", "不予召开的理由")
    if proposal.status != ProposalStatus.PENDING:
        raise DomainError(f"该提议已处理（{proposal.get_status_display()}）")
    with transaction.atomic(), acting(actor):
        touched = guarded_update(
            MeetingProposal.objects.filter(status=ProposalStatus.PENDING),
            proposal.pk,
            status=ProposalStatus.DECLINED,
            answered_by=actor,
            answered_at=_now(now),
            answer=why,
        )
        if touched != 1:
            raise DomainError("该提议已被他人处理，请刷新后查看", code="conflict")
        notify_units(
            unit_ids=[proposal.unit_id],
            subject=f"专题会议提议不予召开：{proposal.subject}",
            body=f"理由：{why}",
            url=reverse("conference-proposal", args=[proposal.pk]),
            topic="conference-proposal",
            about=proposal.subject,
        )
    proposal.refresh_from_db()
    return proposal


# --- posts -----------------------------------------------------------------------------------------

POST_ROLES = {
    ChairPost.CONVENER: ((Role.LEADER,), "联席会议召集人须由区领导担任"),
    ChairPost.DEPUTY: (
        (Role.LEADER, Role.OFFICE, Role.DEPARTMENT),
        "副召集人须由区领导或成员单位负责同志担任",
    ),
    ChairPost.DIRECTOR: ((Role.OFFICE,), "联席办主任须由联席办人员担任"),
}


SINGLE_POSTS = (ChairPost.CONVENER, ChairPost.DIRECTOR)  # one active holder each (a unique constraint)


def _posts_guard(actor: User) -> None:
    if not (is_system(actor) or actor.has_perm("conference.manage_posts")):
        raise PermissionDenied(POSTS_ONLY)


def post_designate(
    *, actor: User, post: str, user: User, appointed_on: datetime.date | None = None, note: str = ""
) -> ConferencePost:
    """Designate who holds a post: the convener a leader (区领导), the office director an office user.
    Only the 安全管理员 (``conference.manage_posts``) or the system; never oneself; one active convener
    and one active director (end the holder's post first)."""
    _posts_guard(actor)
    if post not in ChairPost.values:
        raise DomainError("未知的职务", field="post")
    roles, rule = POST_ROLES[ChairPost(post)]
    if not user.is_active or user.role not in roles:
        raise DomainError(f"{rule}，{user.display_name} 的角色是“{user.get_role_display()}”", field="user")
    if user.pk == actor.pk:
        raise DomainError("不得任命自己担任联席会议职务", field="user")
    label = ChairPost(post).label
    if ConferencePost.objects.filter(post=post, user=user, active=True).exists():
        raise DomainError(f"{user.display_name} 已担任{label}", field="user")
    if post in SINGLE_POSTS:
        holder = ConferencePost.objects.filter(post=post, active=True).select_related("user").first()
        if holder is not None:
            raise DomainError(
                f"{holder.user.display_name} 现任{label}，{label}只能有一名在任，请先终止其任职", field="user"
            )
    text = _text(note, "note", "说明", limit=200, required=False)
    try:
        with transaction.atomic(), acting(actor):
            return ConferencePost.objects.create(
                post=post, user=user, appointed_on=appointed_on or timezone.localdate(), note=text
            )
    except IntegrityError:  # designated by another at the same moment
        raise DomainError(f"{label}已有人在任，请刷新后再试", code="exists", field="user") from None


def post_end(*, actor: User, post: ConferencePost, reason: str) -> ConferencePost:
    """End a post (免职/离任): kept with the reason in its note (history in the audit log)."""
    _posts_guard(actor)
    why = _text(reason, "reason", "终止任职的原因", limit=150)
    if not post.active:
        raise DomainError("该任职已终止")
    with transaction.atomic(), acting(actor):
        post.active = False
        post.note = (f"{post.note}；" if post.note else "") + f"{timezone.localdate():%Y-%m-%d} 终止：{why}"
        post.note = post.note[:200]
        post.save(update_fields=["active", "note", "updated_at"])
    return post


# --- the plenary interval --------------------------------------------------------------------------


def interval(on: datetime.date) -> tuple[int, dict]:
    record = param_record(INTERVAL, on=on)
    months = int(record.typed_value)
    return months, {"code": INTERVAL, "value": months, "unit": record.unit, "citation": record.citation}


def first_use() -> datetime.date | None:
    """With no plenary ever held, the interval counts from the conference's first use: the earliest
    meeting or post recorded in Anxin."""
    days = [
        d
        for d in (
            Meeting.objects.order_by("created_at").values_list("created_at", flat=True).first(),
            ConferencePost.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        )
        if d is not None
    ]
    return timezone.localdate(min(days)) if days else None


def plenary_status(today: datetime.date | None = None) -> dict:
    """How long since the last plenary: the last held (or, with none, the first use), the days, the
    interval's value and citation, the last day within it, whether it is over, the next scheduled
    meetings. Four queries."""
    today = today or timezone.localdate()
    months, info = interval(today)
    last = (
        Meeting.objects.filter(kind=MeetingKind.PLENARY, status=MeetingStatus.HELD, date__lte=today)
        .order_by("-date", "-pk")
        .first()
    )
    since = last.date if last else first_use()
    upcoming = list(
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, date__gte=today).order_by(
            "date", "start_time", "pk"
        )[:3]
    )
    next_plenary = next((m for m in upcoming if m.kind == MeetingKind.PLENARY), None)
    if next_plenary is None:
        next_plenary = (
            Meeting.objects.filter(kind=MeetingKind.PLENARY, status=MeetingStatus.SCHEDULED, date__gte=today)
            .order_by("date", "pk")
            .first()
        )
    due = add_months(since, months) if since else None
    return {
        "today": today,
        "last": last,
        "since": since,
        "basis": f"上次全体会议 {last.number}（{_day(last.date)}）"
        if last
        else "尚未召开全体会议，自启用联席会议功能起算",
        "days": (today - since).days if since else None,
        "months": months,
        "param": info,
        "clause": CLAUSE,
        "due": due,
        "over": bool(due and today > due),
        "upcoming": upcoming,
        "next_plenary": next_plenary,
    }


def convener_user_ids() -> list[int]:
    return list(
        ConferencePost.objects.filter(post=ChairPost.CONVENER, active=True, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def plenary_interval_flag(*, now: datetime.datetime | None = None) -> int:
    """``tick``: a plenary not held within the interval is flagged once per lapse (one ``PlenaryLapse``
    per day counted from) to the office and every holder of the convener post: the clause, the
    parameter's value, the days since. Returns how many were flagged (0 or 1)."""
    now = _now(now)
    status = plenary_status(timezone.localdate(now))
    if not status["over"]:
        return 0
    if PlenaryLapse.objects.filter(since=status["since"]).exists():
        return 0
    actor = system_actor()
    param = status["param"]
    body = (
        f"{status['basis']}，至今 {status['days']} 天，已超过全体会议召开周期 {status['months']} 个月"
        f"（应于 {_day(status['due'])} 前召开；参数 {INTERVAL}={param['value']}，{param['citation']}；{CLAUSE}）。"
    )
    if status["next_plenary"] is not None:
        body += f"已安排：{status['next_plenary'].number}（{_day(status['next_plenary'].date)}）。"
    else:
        body += "目前尚未安排下一次全体会议。"
    with transaction.atomic(), acting(actor):
        _lapse, created = PlenaryLapse.objects.get_or_create(
            since=status["since"],
            defaults={
                "basis": status["basis"][:100],
                "due": status["due"],
                "interval_months": status["months"],
                "citation": str(param["citation"])[:100],
                "flagged_at": now,
                "days": status["days"],
            },
        )
        if not created:
            return 0
        subject = f"联席会议全体会议已超过 {status['months']} 个月未召开（距上次 {status['days']} 天）"
        url = reverse("conference-meetings")
        notify_units(
            unit_ids=office_unit_ids(), subject=subject, body=body, url=url, topic="conference-interval"
        )
        notify_users(
            user_ids=convener_user_ids(), subject=subject, body=body, url=url, topic="conference-interval"
        )
    return 1


# --- the plenary pack ------------------------------------------------------------------------------


def pack_period(meeting: Meeting, today: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """The pack's period: from the day after the previous held plenary (before this meeting), or —
    with none — the interval before the meeting; to the day before the meeting, or today if the
    meeting is later. Both days inclusive."""
    previous = (
        Meeting.objects.filter(kind=MeetingKind.PLENARY, status=MeetingStatus.HELD, date__lt=meeting.date)
        .exclude(pk=meeting.pk)
        .order_by("-date", "-pk")
        .first()
    )
    months, _info = interval(meeting.date)
    if previous is not None:
        start = previous.date + datetime.timedelta(days=1)
        basis = f"自上次全体会议 {previous.number}（{_day(previous.date)}）次日起"
    else:
        start = add_months(meeting.date, -months)
        basis = f"无此前召开的全体会议，取会议日期前 {months} 个月（参数 {INTERVAL}）"
    end = min(meeting.date - datetime.timedelta(days=1), today)
    basis += "，至会议前一日" if end == meeting.date - datetime.timedelta(days=1) else "，至生成当日"
    if start > end:
        start = end
    return start, end, basis


def pack_prepare(*, actor: User, meeting: Meeting, now: datetime.datetime | None = None) -> MeetingPack:
    """生成会议材料包: every pack section (``sections.PACK_SECTIONS``) computed for the period and kept
    as a snapshot; prepared again, a new row."""
    _guard(actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MEETINGS.refusal(meeting, PACK)
    now = _now(now)
    start, end, basis = pack_period(meeting, timezone.localdate(now))
    months, info = interval(meeting.date)
    data = {
        "meeting": {"number": meeting.number, "title": meeting.title, "date": _day(meeting.date)},
        "period": {"start": _day(start), "end": _day(end), "basis": basis},
        "param": {**info, "value": months},
        "prepared_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "sections": sections.gather(sections.PACK_SECTIONS, meeting, start, end),
    }
    with transaction.atomic(), acting(actor):
        pack = MeetingPack.objects.create(
            meeting=meeting, period_start=start, period_end=end, data=data, prepared_by=actor, prepared_at=now
        )
        MEETINGS.record(
            meeting, PACK, actor=actor, at=now, note=f"统计期间 {_day(start)} 至 {_day(end)}（{basis}）"
        )
    return pack


__all__ = [
    "Paper",
    "chair_candidates",
    "hold_problems",
    "meeting_attendance",
    "meeting_cancel",
    "meeting_edit",
    "meeting_hold",
    "meeting_schedule",
    "member_units",
    "pack_prepare",
    "paper_add",
    "plenary_interval_flag",
    "plenary_status",
    "post_designate",
    "post_end",
    "proposal_decline",
    "proposal_make",
]
