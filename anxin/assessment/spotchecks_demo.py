"""The spot checks' demo data (``manage.py load_demo``): one round drawn over every assessed unit with
a fixed seed (two units, two items each), checking started with the demo office account as inspector,
罗溪镇's first item found with a problem and a rectification item set to 罗溪镇 (the demo login
``luoxi`` answers it), the rest found fine — ready for the circular. The seed is chosen so that the
draw over the district's assessed units takes 罗溪镇 (``SEED`` → 龙虎塘街道、罗溪镇; the round page's
重新验证抽取 shows it). Idempotent: nothing is written when a demo round exists."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from anxin.assessment.models import ItemResult, SpotCheck
from anxin.assessment.services import spotchecks as services
from anxin.org.models import Role, User

SEED = "20260301"
DEMO_UNIT = "gov-luoxi"  # has a demo login (anxin/org/demo.py): it answers the rectification


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
    items = [
        i
        for cu in spot_check.units.select_related("unit").order_by("order")
        for i in cu.items.select_related("check_unit__unit", "check_unit__spot_check").order_by("pk")
    ]
    problem = next((i for i in items if i.check_unit.unit.code == DEMO_UNIT), items[0])
    for item in items:
        found = item.pk == problem.pk
        services.record_item(
            actor=office,
            item=item,
            result=ItemResult.PROBLEM if found else ItemResult.OK,
            observations="未按月足额支付工资，工资支付台账不全" if found else "工资按月发放，台账齐全",
            checked_on=today,
        )
    problem.refresh_from_db()
    rect = services.set_rectification(
        actor=office, item=problem, requirement="建立完整的工资支付台账，补发拖欠的工资并报送凭证"
    )
    names = "、".join(services.unit_names(spot_check.drawn))
    log(f"演示不定期抽查：{spot_check.number}，抽中 {names}，整改事项 1 项（{rect.unit.name}）。")
