"""Demo signals for ``load_demo``: a month of information from every channel, some verified,
some overdue, a few unmatched and suspected duplicates, two self-reports and worker reports."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from anxin.intake import services
from anxin.intake.models import Channel, Signal, SignalKind
from anxin.org.models import Town, User
from anxin.registry.models import Enterprise

SUMMARIES = {
    SignalKind.WAGE_COMPLAINT: "{n}名工人反映{m}个月工资未发，企业称资金紧张",
    SignalKind.SOCIAL_INSURANCE: "社保费已连续{m}个月未缴",
    SignalKind.SUSPENSION: "网格员巡查发现车间停工，门口有工人聚集",
    SignalKind.OWNER_ABSCONDED: "企业负责人电话关机，工人无法联系",
    SignalKind.COLLECTIVE: "{n}名工人在厂门口讨要工资",
    SignalKind.PROJECT_SETTLEMENT: "分包单位反映总包拖欠工程进度款，班组工资无法发放",
    SignalKind.UTILITIES: "用电量较前三个月下降六成以上",
    SignalKind.TAX: "增值税申报额连续下降",
    SignalKind.LITIGATION: "新增被执行案件2件",
    SignalKind.LOAN_OVERDUE: "银行贷款逾期未还",
    SignalKind.PRIVATE_LENDING: "涉及民间借贷纠纷",
}
CHANNEL_KINDS = {
    "labour-inspection": [SignalKind.WAGE_COMPLAINT],
    "arbitration": [SignalKind.WAGE_COMPLAINT],
    "hotline-12333": [SignalKind.WAGE_COMPLAINT, SignalKind.COLLECTIVE],
    "petition": [SignalKind.WAGE_COMPLAINT, SignalKind.COLLECTIVE],
    "court": [SignalKind.LITIGATION],
    "tax": [SignalKind.SOCIAL_INSURANCE, SignalKind.TAX],
    "market": [SignalKind.SUSPENSION, SignalKind.OWNER_ABSCONDED],
    "grid": [SignalKind.SUSPENSION, SignalKind.UTILITIES, SignalKind.COLLECTIVE],
    "construction": [SignalKind.PROJECT_SETTLEMENT, SignalKind.WAGE_COMPLAINT],
    "union": [SignalKind.WAGE_COMPLAINT],
}


def load(*, actor: User, log) -> None:
    if Signal.objects.exists():
        log("演示线索已存在，未重复载入。")
        return
    rng = random.Random(2026)  # noqa: S311 (demo data, not secrets)
    now = timezone.now()
    enterprises = list(Enterprise.objects.filter(is_demo=True).select_related("town").order_by("pk")[:80])
    channels = {c.code: c for c in Channel.objects.all()}
    items = []
    for n in range(70):
        code = rng.choice(list(CHANNEL_KINDS))
        kind = rng.choice(CHANNEL_KINDS[code])
        enterprise = enterprises[rng.randrange(len(enterprises))]
        workers, months = rng.randint(1, 40), rng.randint(1, 4)
        facts = {
            "kind": kind,
            "received_at": now - datetime.timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 8)),
            "workers": workers,
            "months_owed": months,
            "amount": workers * months * rng.randint(3500, 7000) * 100,
            "summary": SUMMARIES[kind].format(n=workers, m=months),
            "employer_uscc": enterprise.uscc,
        }
        items.append(services.Incoming(channel=channels[code], facts=facts, reference=f"DEMO-{code}-{n:03d}"))
    # The same complaint reaching 12333 and 信访 within a week: a suspected duplicate.
    twin = enterprises[3]
    for offset, code in ((6, "hotline-12333"), (4, "petition")):
        items.append(
            services.Incoming(
                channel=channels[code],
                reference=f"DEMO-TWIN-{code}",
                facts={
                    "kind": SignalKind.WAGE_COMPLAINT,
                    "received_at": now - datetime.timedelta(days=offset),
                    "workers": 12,
                    "months_owed": 2,
                    "amount": 12 * 2 * 5200 * 100,
                    "summary": "12名工人反映9、10月工资未发",
                    "employer_uscc": twin.uscc,
                },
            )
        )
    # Employers the registry does not know yet: the office's match queue.
    towns = list(Town.objects.order_by("order"))
    for n, name in enumerate(["新北区某装饰工程队", "常州某劳务服务部", "某包工头班组"]):
        items.append(
            services.Incoming(
                channel=channels["grid"],
                reference=f"DEMO-UNKNOWN-{n}",
                town=towns[n],
                facts={
                    "kind": SignalKind.WAGE_COMPLAINT,
                    "received_at": now - datetime.timedelta(days=n + 1),
                    "workers": 5 + n,
                    "months_owed": 1,
                    "amount": (5 + n) * 4800 * 100,
                    "summary": "网格员获悉该班组拖欠工人工资",
                    "employer_name": name,
                },
            )
        )
    recorded = services.signals_record(actor=actor, items=items)
    # Older ones have been verified; the rest wait (some past their deadline).
    verified = 0
    for record in recorded:
        signal = record.signal
        if signal.received_at < now - datetime.timedelta(days=12) and rng.random() < 0.7:
            result = rng.choice(["substantiated", "substantiated", "partly", "unfounded"])
            services.signal_verify(
                actor=actor, signal=signal, result=result, note="镇（街道）会同人社局走访核实"
            )
            verified += 1
    for since, on in ((12, 9), (20, 12)):
        enterprise = enterprises[since]
        services.self_report_record(
            actor=actor,
            enterprise=enterprise,
            arrears_since=timezone.localdate() - datetime.timedelta(days=since),
            reported_on=timezone.localdate() - datetime.timedelta(days=on),
            workers=18,
            amount=18 * 5600 * 100,
            cause="主要客户回款延迟，流动资金不足",
            plan=[
                {"due_on": timezone.localdate() + datetime.timedelta(days=10), "amount": 9 * 5600 * 100},
                {"due_on": timezone.localdate() + datetime.timedelta(days=40), "amount": 9 * 5600 * 100},
            ],
        )
    portal = services.portal_submit(
        facts={
            "employer_name": enterprises[5].name,
            "period": "近两个月",
            "months_owed": 2,
            "amount": 2 * 6200 * 100,
            "workers": 1,
            "summary": "我在车间做了两个月，老板一直拖着不发工资。",
            "reporter_name": "演示工人",
            "reporter_phone": "13900000000",
        },
        town=enterprises[5].town,
        photos=[],
        ip="demo",
    )
    log(
        f"已载入演示线索 {len(recorded) + 3} 条（已核实 {verified}），企业欠薪报告 2 份；"
        f"网上反映演示查询码 {portal.tracking_code}，手机号 13900000000"
    )
