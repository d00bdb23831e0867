"""Demo cases for ``load_demo``: the red enterprises' immediate-report alerts become cases at
different stages, so every screen of case handling has something to show."""

from __future__ import annotations

import datetime

from django.utils import timezone

from anxin.cases import actions, services
from anxin.cases.models import Case, Custody
from anxin.monitoring.models import ACTIVE_ALERT, Alert
from anxin.org.models import Unit, User


def load(*, actor: User, log) -> None:
    if Case.objects.exists():
        log("演示案件已存在，未重复载入。")
        return
    alerts = list(
        Alert.objects.filter(rule="IMMEDIATE_ARREARS_2M", status__in=ACTIVE_ALERT)
        .select_related("enterprise")
        .order_by("pk")[:3]
    )
    if not alerts:
        log("没有可立案的红色预警，未载入演示案件。")
        return
    made = []
    for n, alert in enumerate(alerts):
        enterprise = alert.enterprise
        case = services.case_open(
            actor=actor,
            enterprise=enterprise,
            alert=alert,
            summary=f"{enterprise.name}{alert.explanation}",
            workers=max(5, enterprise.employees // 4),
            amount_claimed=max(5, enterprise.employees // 4) * 3 * 5200 * 100,
        )
        made.append(case)
        if n == 0:
            continue  # one case still at 查明事实
        case = services.case_move(actor=actor, case=case, action="advance")
        services.asset_record(
            actor=actor, case=case, item="seal", custody=Custody.ENTRUSTED,
            custodian=f"{case.town.name}所在村（社区）委员会", agreement=f"演示保〔{timezone.localdate().year}〕{n}号",
        )  # fmt: skip
        services.plan_save(
            actor=actor,
            case=case,
            measures="约谈企业负责人，核对工资清单；清点设备存货，协调变现；工资优先支付",
            responsible="镇分管领导总负责，劳动保障所核对工资，司法所参与调解",
            timeline="五个工作日内提出支付方案，十五个工作日内调解",
        )
        services.plan_submit(actor=actor, case=case)
        if n == 2:
            services.plan_review(actor=actor, case=case, approve=True, note="同意")
            case = services.case_move(actor=actor, case=case, action="advance")
            actions.action_request(
                actor=actor, case=case, kind="mediation", unit=Unit.objects.get(town_id=case.town_id)
            )
            actions.action_request(
                actor=actor, case=case, kind="order", amount=case.amount_claimed, workers=case.workers,
                pay_by=timezone.localdate() + datetime.timedelta(days=10), reference="新人社监〔演示〕1号",
            )  # fmt: skip
    log(f"已载入演示案件 {len(made)} 件（查明事实、控制现场待批方案、协调调解中各一）")
