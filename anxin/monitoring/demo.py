"""Demo monitoring data for ``load_demo``: six months of indicators for the demo enterprises —
most steady, some with wage or social-insurance arrears, falling power use or overdue loans —
then a full scan, so the demo opens with red, orange and yellow enterprises and their alerts."""

from __future__ import annotations

import random

from django.utils import timezone

from anxin.monitoring import scan, services
from anxin.monitoring.models import Indicator, Observation
from anxin.monitoring.rules import add_months, month_start
from anxin.org.models import User
from anxin.registry.models import Enterprise


def load(*, actor: User, log) -> None:
    if Observation.objects.exists():
        log("演示监测数据已存在，未重复载入。")
        return
    rng = random.Random(7)  # noqa: S311 (demo data, not secrets)
    indicators = {i.code: i for i in Indicator.objects.all()}
    this_month = month_start(timezone.localdate())
    months = [add_months(this_month, -n) for n in range(5, -1, -1)]
    rows = []
    enterprises = list(Enterprise.objects.filter(is_demo=True).order_by("pk")[:120])
    for n, enterprise in enumerate(enterprises):
        power = rng.randint(20, 400) * 1000
        staff = max(10, enterprise.employees)
        tax = rng.randint(5, 80) * 10000 * 100
        trouble = n % 10  # 0: wage arrears growing, 1: SI arrears, 2: power and staff falling, 3: loans
        for index, month in enumerate(months):
            late = index >= 3
            drop = 0.5 if (trouble == 2 and late) else 1.0
            rows.append(
                (
                    enterprise,
                    indicators["electricity_kwh"],
                    month,
                    int(power * drop * rng.uniform(0.95, 1.05)),
                )
            )
            rows.append(
                (
                    enterprise,
                    indicators["insured_headcount"],
                    month,
                    int(staff * (0.7 if trouble == 2 and late else 1)),
                )
            )
            rows.append((enterprise, indicators["tax_paid"], month, int(tax * rng.uniform(0.9, 1.1))))
            if trouble == 0 and late:
                owed = index - 2  # 1, 2, 3 months
                rows.append((enterprise, indicators["wage_arrears_months"], month, owed))
                rows.append((enterprise, indicators["wage_arrears_amount"], month, owed * staff * 5200 * 100))
            if trouble == 1 and late:
                rows.append((enterprise, indicators["si_arrears_months"], month, index - 2))
            if trouble == 3 and index == 5:
                rows.append(
                    (enterprise, indicators["overdue_loans"], month, rng.randint(50, 500) * 10000 * 100)
                )
                rows.append((enterprise, indicators["private_lending"], month, 1))
    counts = services.observations_record(actor=actor, rows=rows)
    run = scan.scan_district(full=True, reason="载入演示数据")
    log(
        f"已载入演示监测数据 {counts['created']} 条（{len(enterprises)} 家企业 × 6 个月）；"
        f"风险评估 {run.assessed} 家，生成预警 {run.opened} 条"
    )
