"""The minutes' demo data (``manage.py load_demo``, after the meetings part's): for the demo plenary
that was held, minutes drafted by the office, signed by the convener and issued, with three decisions —
one owned by 城建局, open and due soon; one reported done and awaiting acceptance; one accepted.
Idempotent: nothing is written when the meeting has minutes; nothing at all without such a meeting."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.conference import access
from anxin.conference.models import Decision, Meeting, Minutes
from anxin.conference.services import decisions as decision_services
from anxin.conference.services import minutes as services
from anxin.org.models import Unit, User


def real_data() -> list[str]:
    n = Minutes.objects.exclude(meeting__is_demo=True).count()
    return [f"会议纪要 {n}"] if n else []


def load(*, actor: User, log: Callable[[str], None]) -> None:
    meeting = Meeting.objects.filter(is_demo=True, kind="plenary", status="held").order_by("-date").first()
    if meeting is None:
        log("没有已召开的演示全体会议，未载入会议纪要演示数据。")
        return
    if Minutes.objects.filter(meeting=meeting).exists():
        log("演示会议纪要已存在，未重复载入。")
        return
    office = User.objects.filter(username="office").first() or actor
    leader = User.objects.filter(username="leader").first()
    if leader is None or not access.is_convener(leader):
        log("演示账号 leader 未担任联席会议召集人，未载入会议纪要演示数据。")
        return
    units = {
        u.code: u for u in Unit.objects.filter(code__in=["construction", "hrss", "gov-luoxi", "finance"])
    }
    today = timezone.localdate()
    due_soon = max(today + datetime.timedelta(days=4), meeting.date)
    later = max(today + datetime.timedelta(days=30), meeting.date)
    items = [
        services.DecisionInput(
            subject="在建工程项目农民工工资专用账户和实名制管理全面排查",
            result="完成全区在建项目专用账户、实名制花名册、维权告示牌排查，形成问题清单并督促整改",
            owner=units.get("construction"),
            co_units=[u for u in (units.get("hrss"),) if u],
            due=due_soon,
        ),
        services.DecisionInput(
            subject="春节前欠薪隐患企业专项排查",
            result="对预警名单内企业逐户上门核查工资支付情况，报送排查台账",
            owner=units.get("gov-luoxi"),
            due=later,
        ),
        services.DecisionInput(
            subject="应急周转资金年度预算安排",
            result="落实年度应急周转资金预算并报联席办备案",
            owner=units.get("finance"),
            due=later,
        ),
    ]
    if any(item.owner is None for item in items):
        log("区配置中缺少演示所需单位，未载入会议纪要演示数据。")
        return
    minutes = services.minutes_draft(
        actor=office,
        meeting=meeting,
        text="会议听取了区联席办关于上季度全区欠薪形势的通报，分析研判了当前欠薪风险，"
        "部署了春节前根治欠薪专项行动。会议要求各成员单位、各镇（街道）落实属地和行业监管责任。",
        decisions=items,
    )
    services.minutes_submit(actor=office, minutes=minutes)
    services.minutes_sign(actor=leader, minutes=minutes, opinion="同意印发。")
    services.minutes_issue(actor=office, minutes=minutes, reference=services.suggest_minutes_reference())
    decisions = list(Decision.objects.filter(minutes=minutes).order_by("seq"))
    reported, done = decisions[1], decisions[2]
    decision_services.decision_progress(
        actor=office, decision=reported, text="已完成预警名单内 23 户企业上门核查，余 5 户本周内完成。"
    )
    decision_services.decision_complete(
        actor=office, decision=reported, result="预警名单内 28 户企业全部上门核查，排查台账已报送。"
    )
    decision_services.decision_complete(
        actor=office, decision=done, result="年度应急周转资金 500 万元已列入预算，已报联席办备案。"
    )
    decision_services.decision_accept(actor=office, decision=done, opinion="材料齐全，同意办结。")
    log(f"演示会议纪要：{meeting.title}（{minutes.reference}），议定事项 3 项。")
