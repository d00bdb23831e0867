"""The spot checks' demo data (``manage.py load_demo``): one round drawn over every assessed unit with
a fixed seed (two units, two items each), checking started with the demo office account as inspector,
the first item found with a problem and a rectification item set to its unit, the rest found fine —
ready for the circular. Idempotent: nothing is written when a demo round exists."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from anxin.assessment.models import ItemResult, SpotCheck
from anxin.assessment.services import spotchecks as services
from anxin.org.models import Role, User

SEED = "20260301"


def real_data() -> list[str]:
    n = SpotCheck.objects.filter(is_demo=False).count()
    return [f"不定期抽查 {n}"] if n else []


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if SpotCheck.objects.filter(is_demo=True).exists():
        log("演示不定期抽查已存在，未重复载入。")
        return
    office = User.objects.filter(username="office").first() or actor
    if office.role != Role.OFFICE:
        log("没有联席办演示账号，未载入不定期抽查演示数据。")
        return
    spot_check = services.draw(
        title="保障农民工工资支付工作不定期抽查（演示）",
        seed=SEED,
        units=2,
        items_per_unit=2,
        actor=office,
        is_demo=True,
    )
    for check_unit in spot_check.units.all():
        services.assign_inspectors(actor=office, check_unit=check_unit, inspectors=[office])
    services.start(actor=office, spot_check=spot_check)
    today = timezone.localdate()
    items = [i for cu in spot_check.units.order_by("order") for i in cu.items.order_by("pk")]
    for n, item in enumerate(items):
        services.record_item(
            actor=office,
            item=item,
            result=ItemResult.PROBLEM if n == 0 else ItemResult.OK,
            observations="未按月足额支付工资，工资支付台账不全" if n == 0 else "工资按月发放，台账齐全",
            checked_on=today,
        )
    first = items[0]
    first.refresh_from_db()
    services.set_rectification(
        actor=office, item=first, requirement="建立完整的工资支付台账，补发拖欠的工资并报送凭证"
    )
    log(f"演示不定期抽查：{spot_check.number}，抽中 {'、'.join(spot_check.drawn)}，整改事项 1 项。")
