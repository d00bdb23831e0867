"""The conference's demo data (``manage.py load_demo``), meetings part: the demo ``leader`` (赵区长) is
designated 召集人 and ``zhuren`` (李主任) 联席办主任; last quarter's plenary was held with every member
unit's attendance; 城建局 proposed a topic meeting, which is scheduled; a town's proposal waits for
the office; the next plenary is scheduled. Idempotent: nothing is written when a demo meeting exists.
The minutes part adds its minutes and decisions for the held plenary in its own function (it finds
the meeting by ``is_demo=True``, kind plenary, status held)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.conference.models import ChairPost, ConferencePost, Meeting, MeetingKind, Topic
from anxin.conference.services import meetings as services
from anxin.monitoring.rules import add_months
from anxin.org.models import Unit, User


def real_data() -> list[str]:
    count = Meeting.objects.filter(is_demo=False).count()
    return [f"联席会议 {count}"] if count else []


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if Meeting.objects.filter(is_demo=True).exists():
        log("演示联席会议数据已存在，未重复载入。")
        return
    office = User.objects.filter(username="office").first()
    leader = User.objects.filter(username="leader").first()
    zhuren = User.objects.filter(username="zhuren").first()
    chengjian = User.objects.filter(username="chengjian").first()
    town_user = (
        User.objects.filter(role="town", is_active=True, username__in=("luoxi", "xuejia"))
        .order_by("username")
        .first()
    )
    if not (office and leader and zhuren):
        log("缺少演示账号（office、leader、zhuren），未载入联席会议演示数据。")
        return
    for user, post in ((leader, ChairPost.CONVENER), (zhuren, ChairPost.DIRECTOR)):
        if not ConferencePost.objects.filter(user=user, post=post, active=True).exists():
            services.post_designate(actor=actor, post=post, user=user, note="演示数据")
    today = timezone.localdate()
    this_quarter = _quarter_start(today)
    held_day = add_months(this_quarter, -1) + datetime.timedelta(
        days=9
    )  # the 10th of last quarter's last month
    units = services.member_units()
    plenary = services.meeting_schedule(
        actor=office,
        kind=MeetingKind.PLENARY,
        date=held_day,
        start_time=datetime.time(9, 0),
        place="区行政中心3楼联席办会议室",
        chair=leader,
        topics=[Topic.BRIEFING, Topic.SITUATION, Topic.REPORTS],
        agenda="一、传达上级治理欠薪工作要求\n二、联席办通报本季度欠薪形势\n三、各成员单位汇报工作情况\n四、部署下阶段工作",
        units=units,
        is_demo=True,
    )
    rows = []
    for n, unit in enumerate(units):
        absent = n % 7 == 6
        rows.append(
            {
                "unit": unit.pk,
                "attended": not absent,
                "attendees": "" if absent else f"{unit.short_name or unit.name}分管负责同志、联络员",
                "absence_reason": "同期参加市里专项会议" if absent else "",
            }
        )
    services.meeting_attendance(actor=office, meeting=plenary, rows=rows)
    services.meeting_hold(
        actor=office, meeting=plenary, held_note="会议听取了各成员单位汇报，部署了下阶段重点工作。"
    )
    log(f"已载入上季度全体会议 {plenary.number}（已召开）。")

    if chengjian is not None:
        proposal = services.proposal_make(
            actor=chengjian,
            subject="建筑领域春节前农民工工资支付专项整治",
            reason="近期在建项目工资专户余额不足、总包代发不及时的线索增多，提请召开专题会议会商部署专项整治。",
            topics=[Topic.CAMPAIGN, Topic.COORDINATION],
            suggested_date=today + datetime.timedelta(days=10),
            units=[u for u in units if u.code in ("construction", "hrss", "finance")],
        )
        topic = services.meeting_schedule(
            actor=office,
            kind=MeetingKind.TOPIC,
            title=proposal.subject,
            date=today + datetime.timedelta(days=10),
            start_time=datetime.time(14, 30),
            place="区行政中心5楼第二会议室",
            chair=zhuren,
            topics=proposal.topics,
            agenda=f"城建局提议：{proposal.reason}",
            units=list(proposal.units_suggested.all()) or [u for u in units if u.code == "construction"],
            proposal=proposal,
            is_demo=True,
        )
        log(f"已载入城建局提议的专题会议 {topic.number}（已安排）。")
    if town_user is not None and town_user.unit and town_user.unit.is_member:
        services.proposal_make(
            actor=town_user,
            subject=f"{town_user.unit.name}工业园区欠薪风险会商",
            reason="园区内多家企业社保断缴、水电欠费，申请召开专题会议会商协调处置。",
            topics=[Topic.COORDINATION],
            units=[town_user.unit, *Unit.objects.filter(code__in=("hrss", "court"))],
        )
        log(f"已载入{town_user.unit.name}待处理的专题会议提议。")
    next_day = add_months(this_quarter, 2) + datetime.timedelta(days=14)
    if next_day <= today:
        next_day = today + datetime.timedelta(days=14)
    upcoming = services.meeting_schedule(
        actor=office,
        kind=MeetingKind.PLENARY,
        date=next_day,
        start_time=datetime.time(9, 0),
        place="区行政中心3楼联席办会议室",
        chair=leader,
        topics=[Topic.SITUATION, Topic.DECISIONS, Topic.REPORTS],
        agenda="一、通报本季度欠薪形势\n二、督查上次会议议定事项落实情况\n三、各成员单位汇报",
        is_demo=True,
    )
    log(f"已安排下次全体会议 {upcoming.number}。")
