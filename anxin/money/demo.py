"""Demo money for ``load_demo`` (seam.DEMO_DATA, after cases): workers' claims on the demo cases,
confirmed, part paid by the employer; appropriations into the district's fund and each demo case's
town fund — so the 资金 tab, the ledgers and the fund pages have something to show."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.cases.models import AssetItem, Case
from anxin.core.policy import param
from anxin.core.validators import id_check_digit
from anxin.money import services
from anxin.money.models import Claim, Fund, FundEntry, PaymentSource, Situation
from anxin.money.services.funds import DISTRICT_FUND, town_fund_code
from anxin.org.models import User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海涛", "红梅", "永明", "丽娟", "国平", "晓东", "春生", "玉珍"]


def _id_number(case_no: int, n: int) -> str:
    body = f"320411198{case_no % 10}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + id_check_digit(body)


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if Claim.objects.exists() or FundEntry.objects.exists():
        log("演示资金数据已存在，未重复载入。")
        return
    cases = list(Case.objects.open().order_by("pk")[:3])
    if not cases:
        log("没有演示案件，未载入演示资金数据。")
        return
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    year = today.year
    district = Fund.objects.get(code=DISTRICT_FUND)
    services.fund_appropriate(
        actor=actor, fund=district, amount=100_000_000, on=today, reference=f"新财拨〔{year}〕演示1号"
    )
    claims_made = 0
    for case_no, case in enumerate(cases[1:], start=1):
        town_fund = Fund.objects.filter(code=town_fund_code(case.town)).first()
        if town_fund is not None and not FundEntry.objects.filter(fund=town_fund).exists():
            services.fund_appropriate(
                actor=actor,
                fund=town_fund,
                amount=30_000_000,
                on=today,
                reference=f"{case.town.name}财拨〔{year}〕演示1号",
            )
        rows = [
            services.ClaimInput(
                name=SURNAMES[(case_no * 7 + n) % len(SURNAMES)] + GIVEN[(case_no + n) % len(GIVEN)],
                id_number=_id_number(case_no, n),
                phone=f"139{case_no:02d}{n:06d}",
                period_from=first,
                period_to=last,
                amount=(5200 + 300 * (n % 4)) * 3 * 100,
                basis="wage_ledger" if n % 3 else "attendance",
            )
            for n in range(1, 7 + case_no * 2)
        ]
        claims = services.claims_register(actor=actor, case=case, rows=rows)
        claims_made += len(claims)
        services.claims_confirm(actor=actor, case=case)
        paid = [(c, Claim.objects.get(pk=c.pk).owed // 2) for c in claims[: len(claims) // 2]]
        services.payment_run(
            actor=actor,
            case=case,
            rows=paid,
            paid_on=today,
            source=PaymentSource.EMPLOYER,
            reference=f"演示回单{case_no:03d}",
        )
    advances = _advances(cases[1:], actor=actor, today=today)
    log(f"已载入演示资金数据：欠薪确认 {claims_made} 人，区级及镇级周转金拨入，周转金垫付申请 {advances} 件")


def _advances(cases: list[Case], *, actor: User, today: datetime.date) -> int:
    """On each demo case with site control recorded (an asset in custody): an advance from the
    district's fund at the capped share of the workers still owed — the first approved by 财政局's
    review, the next waiting for it (它出现在财政局的待办)."""
    made = 0
    district = Fund.objects.get(code=DISTRICT_FUND)
    share = int(param("fund.max_share_percent"))
    per_worker = int(param("fund.max_per_worker"))
    for case in cases:
        if not AssetItem.objects.filter(case=case).exists():
            continue
        owed = [c for c in Claim.objects.filter(case=case).order_by("pk") if c.outstanding][:4]
        items = [(c, min(c.outstanding * share // 100, per_worker)) for c in owed]
        items = [(c, fen) for c, fen in items if fen > 0]
        if not items:
            continue
        advance = services.advance_request(
            actor=actor,
            case=case,
            fund=district,
            situation=Situation.ABSCONDED if case.owner_absconded else Situation.ASSETS_ILLIQUID,
            hardship=True,
            incident_risk=True,
            assets_note="",
            items=items,
            reason="工人临近春节生活困难，聚集讨薪苗头明显；企业设备已委托保管，待变现",
        )
        if made == 0:
            services.advance_approve(actor=actor, advance=advance, paid_on=today, note="演示：审核通过")
        made += 1
    return made
