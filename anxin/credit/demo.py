"""Credit's demo data (``manage.py load_demo``): a construction enterprise whose order to pay was
ignored and whose arrears reach the criminal threshold is listed after notice and defence, its
sanction tasks sent (城建局 has applied its restriction; the others are open in 我的待办); a second
case is proposed automatically and waits for its notice; this year's integrity grades are computed.
Idempotent: nothing is written when a listing exists."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.cases import actions
from anxin.cases import services as case_services
from anxin.cases.models import ActionKind, Case
from anxin.core.validators import id_check_digit
from anxin.credit import services
from anxin.credit.models import Condition, Listing, PersonRole, SanctionTask, TaskKind, TaskStatus
from anxin.credit.services.grades import grades_compute
from anxin.credit.services.sanctions import sanction_task_done
from anxin.org.models import User
from anxin.registry.models import Enterprise

WORKERS = 12
MONTHS_OWED = 3
MONTHLY_WAGE = 5200 * 100  # fen


def _id(n: int) -> str:
    body = f"3204111978{n:02d}0{n}12{n}"[:17]
    return body + id_check_digit(body)


def _ignored_order(*, actor: User, enterprise: Enterprise, days_ago: int, reference: str) -> Case:
    """A case on ``enterprise`` with an order to pay served ``days_ago`` days ago, its date passed unpaid."""
    now = timezone.now() - datetime.timedelta(days=days_ago)
    today = timezone.localdate()
    case = case_services.case_open(
        actor=actor,
        enterprise=enterprise,
        summary=f"{enterprise.name}拖欠{WORKERS}名农民工{MONTHS_OWED}个月工资，经约谈仍未支付",
        workers=WORKERS,
        amount_claimed=WORKERS * MONTHS_OWED * MONTHLY_WAGE,
        now=now,
    )
    served = today - datetime.timedelta(days=days_ago)
    actions.action_request(
        actor=actor,
        case=case,
        kind=ActionKind.ORDER,
        amount=case.amount_claimed,
        workers=case.workers,
        issued_on=served,
        served_on=served,
        pay_by=served + datetime.timedelta(days=7),
        reference=reference,
        now=now,
    )
    actions.orders_lapse()
    return case


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if Listing.objects.exists():
        log("演示信用数据已存在，未重复载入。")
        return
    builders = list(
        Enterprise.objects.filter(is_demo=True, kinds__code="construction", status="operating")
        .exclude(pk__in=Case.objects.values("enterprise_id"))
        .order_by("pk")[:2]
    )
    if len(builders) < 2:
        log("没有可用于演示的建筑施工企业，未载入信用演示数据。")
        return
    hrss = User.objects.filter(username="renshe").first() or actor
    today = timezone.localdate()

    def ago(days: int) -> datetime.datetime:
        return timezone.now() - datetime.timedelta(days=days)

    # 1. Listed after notice and defence; its sanction tasks sent, 城建局's applied.
    first, second = builders
    case = _ignored_order(actor=actor, enterprise=first, days_ago=40, reference="新人社监令〔演示〕3号")
    listing = services.listing_propose(
        actor=hrss,
        case=case,
        condition=Condition.ORDER_THRESHOLD,
        reasons="责令限期支付逾期未履行，拖欠12名农民工3个月工资共187,200.00元，达到拒不支付劳动报酬罪数额标准",
        now=ago(30),
    )
    services.listed_person_add(
        actor=hrss, listing=listing, role=PersonRole.LEGAL_REP, name=first.legal_rep or "张某", id_number=_id(7),
        now=ago(30),
    )  # fmt: skip
    services.listing_serve_notice(
        actor=hrss, listing=listing, served_on=today - datetime.timedelta(days=28),
        reference="新人社拟惩告〔演示〕1号", method="直接送达", now=ago(28),
    )  # fmt: skip
    defence = services.defence_record(
        actor=hrss, listing=listing, received_on=today - datetime.timedelta(days=26),
        summary="企业称工程款未结算导致拖欠，请求暂缓列入", now=ago(26),
    )  # fmt: skip
    services.defence_answer(
        actor=hrss, defence=defence, adopted=False,
        answer="工程款结算纠纷不影响工资支付义务（保障农民工工资支付条例第十六条），不予采纳", now=ago(25),
    )  # fmt: skip
    listing = services.listing_decide(
        actor=hrss, listing=listing, decision="list", decided_on=today - datetime.timedelta(days=14),
        reasons="经告知和陈述申辩复核，符合列入条件", reference="新人社惩决〔演示〕1号", now=ago(14),
    )  # fmt: skip
    chengjian = User.objects.filter(username="chengjian").first()
    task = SanctionTask.objects.filter(
        listing=listing, kind=TaskKind.APPLY, status=TaskStatus.OPEN, unit__code="construction"
    ).first()
    if chengjian and task:
        sanction_task_done(
            actor=chengjian, task=task, done_on=today - datetime.timedelta(days=10),
            note="已录入建设工程招投标监管平台，限制投标（新建〔演示〕7号）", now=ago(10),
        )  # fmt: skip
    # 2. Proposed automatically from a case; waiting for its notice.
    _ignored_order(actor=actor, enterprise=second, days_ago=20, reference="新人社监令〔演示〕4号")
    proposed = services.listings_propose_auto()
    Listing.objects.update(is_demo=True)  # every listing here is the demo's (none existed before)
    # 3. This year's integrity grades.
    grades_compute(actor=hrss, year=today.year)
    log(
        f"已载入演示信用数据：{listing.number} 已列入（{first.name}），"
        f"另有依案件自动提出的拟列入 {proposed} 件，本年度守法诚信等级已测算"
    )
