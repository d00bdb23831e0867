"""Publicity's demo data (``manage.py load_demo``): a few activities of 罗溪镇, 城建局 and 司法局 in the
last two months, recorded by the demo accounts of those units. Idempotent (nothing is written when
demo activities exist) and never over real data (``real_data`` names the real activities)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.org.models import User
from anxin.reports.models import PublicityActivity, PublicityKind
from anxin.reports.services.publicity import publicity_record

# (username, unit code, days ago, kind, title, place, audience, materials, description)
ACTIVITIES = [
    ("luoxi", "gov-luoxi", 40, PublicityKind.PARK, "欠薪治理进园区宣讲", "罗溪镇工业集中区", 120, 300,
     "向园区企业负责人宣讲依法用工义务和恶意欠薪的法律后果，推动建立工资集体协商机制"),
    ("luoxi", "gov-luoxi", 12, PublicityKind.WINDOW, "镇劳动保障所设立欠薪维权窗口", "罗溪镇便民服务中心", 45, 80,
     "公布维权电话12333，现场受理咨询"),
    ("chengjian", "construction", 30, PublicityKind.SITE, "农民工工资支付“进工地”专项宣传", "新北区某安置房项目工地", 260, 500,
     "宣传实名制管理、工资专用账户和维权告示牌，张贴宣传海报"),
    ("chengjian", "construction", 8, PublicityKind.ENTERPRISE, "建筑企业负责人约谈暨普法", "区城建局会议室", 35, 35,
     "解读《保障农民工工资支付条例》总承包单位责任"),
    ("sifa", "justice", 20, PublicityKind.LAW, "“法律援助在身边”普法宣传", "新北万达广场", 400, 1200,
     "发放劳动法律法规宣传手册，提供欠薪法律援助咨询"),
    ("sifa", "justice", 5, PublicityKind.MEDIA, "新北电视台专题报道讨薪法律援助", "新北电视台", 0, 0,
     "介绍依法讨薪、理性维权的途径"),
]  # fmt: skip


def real_data() -> list[str]:
    count = PublicityActivity.objects.filter(is_demo=False).count()
    return [f"宣传活动 {count}"] if count else []


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if PublicityActivity.objects.filter(is_demo=True).exists():
        log("演示宣传活动已存在，未重复载入。")
        return
    today = timezone.localdate()
    made = []
    for username, unit, days, kind, title, place, audience, materials, text in ACTIVITIES:
        user = User.objects.filter(username=username, unit__code=unit).first()
        if user is None:
            continue
        made.append(
            publicity_record(
                actor=user,
                date=today - datetime.timedelta(days=days),
                kind=kind,
                title=title,
                place=place,
                audience=audience,
                materials=materials,
                description=text,
            ).pk
        )
    PublicityActivity.objects.filter(pk__in=made).update(is_demo=True)
    log(f"已载入演示宣传活动 {len(made)} 项（罗溪镇、区城建局、区司法局）")
