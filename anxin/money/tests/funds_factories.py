"""Test helpers for the emergency funds: a case with workers' claims (confirmed by 人社局), a fund with
money in it, a request that meets every precondition."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from anxin.cases.models import AssetItem, Custody
from anxin.cases.tests.factories import open_case
from anxin.core.crypto import blind_index
from anxin.money import services
from anxin.money.models import Claim, Fund
from anxin.money.services.funds import town_fund_code
from anxin.money.tests.factories_claims import id_number as claim_id_number

_SERIAL = iter(range(1, 1000))


def id_number(n: int | None = None) -> str:
    """``factories_claims.id_number``, numbered from a serial when ``n`` is not given."""
    return claim_id_number(n if n is not None else next(_SERIAL))


def claims_on(case: Any, *, actor: Any, amounts: list[int], confirm_by: Any = None) -> list[Claim]:
    """One claim per amount (fen) on ``case``, made directly (test setup: ``claims_register`` is the
    claims helper's); confirmed through the service if ``confirm_by`` is given."""
    month = timezone.localdate().replace(day=1)
    start = (month - datetime.timedelta(days=70)).replace(day=1)
    made = []
    for amount in amounts:
        number = id_number()
        made.append(
            Claim.objects.create(
                case=case,
                name=f"工人{Claim.objects.filter(case=case).count() + 1}",
                id_number=number,
                id_number_index=blind_index(number, purpose="id_number"),
                period_from=start,
                period_to=month,
                months=3,
                amount=amount,
                basis="wage_ledger",
                registered_by=actor,
            )
        )
    if confirm_by is not None:
        services.claims_confirm(actor=confirm_by, case=case)
        for claim in made:
            claim.refresh_from_db()
    return made


def asset_on(case: Any, *, actor: Any) -> AssetItem:
    return AssetItem.objects.create(
        case=case,
        item=AssetItem.Item.EQUIPMENT,
        description="织机 20 台",
        custody=Custody.SELF,
        custodian="企业留守人员",
        recorded_at=timezone.now(),
        recorded_by=actor,
    )


def district_fund() -> Fund:
    return Fund.objects.get(code="district")


def town_fund(town_code: str = "luoxi") -> Fund:
    from anxin.org.models import Town

    return Fund.objects.get(code=town_fund_code(Town.objects.get(code=town_code)))


def fill(fund: Fund, amount: int, *, actor: Any) -> None:
    services.fund_appropriate(
        actor=actor, fund=fund, amount=amount, on=timezone.localdate(), reference="新财〔2026〕1号"
    )


def ready_case(world, *, lead, renshe, amounts=(1_000_000, 2_000_000), assets=True, **case_kw):
    """An open case in 罗溪 with confirmed claims (¥10,000 and ¥20,000 by default) and an asset item."""
    case = open_case(world.luoxi_factory, actor=lead, **case_kw)
    claims = claims_on(case, actor=lead, amounts=list(amounts), confirm_by=renshe)
    if assets:
        asset_on(case, actor=lead)
    return case, claims


def request_kwargs(case: Any, fund: Fund, claims: list[Claim], amounts: Any = None, **over: Any) -> dict:
    """Every precondition met: absconded, hardship, risk of a mass incident, 30% of each worker."""
    amounts = amounts if amounts is not None else [c.outstanding * 30 // 100 for c in claims]
    kw = {
        "case": case,
        "fund": fund,
        "situation": "absconded",
        "hardship": True,
        "incident_risk": True,
        "assets_note": "",
        "items": list(zip(claims, amounts, strict=True)),
    }
    kw.update(over)
    return kw


def approved(actor_request, caizheng, **kw):
    """A request made and approved today."""
    advance = services.advance_request(actor=actor_request, **kw)
    return services.advance_approve(actor=caizheng, advance=advance, paid_on=timezone.localdate())


def set_param(code: str, value: str, *, on: datetime.date | None = None) -> Any:
    """A new value of a parameter from ``on`` (today), as the office would set it."""
    from anxin.core.models import PolicyParameter

    row = PolicyParameter.objects.filter(code=code).order_by("-effective_from").first()
    assert row is not None, code
    row.pk = None
    row.value = value
    row.effective_from = on or timezone.localdate()
    row.save()
    return row
