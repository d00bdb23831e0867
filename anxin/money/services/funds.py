"""The emergency revolving funds (区、镇两级欠薪应急周转资金, §四(八)) and their append-only ledgers,
kept by 财政局 (§三(八) 负责应急周转资金的审核、监管、拨付工作，做好相关账目台账).

A fund's balance is the last entry's ``balance_after``; every entry is appended by ``append_entry``
under the fund's row lock, numbered ``seq`` (unique per fund) and checked by the database never to
go below zero — so two approvals racing for the last yuan cannot both be written."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import is_system
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.money.models import (
    BALANCE_SIGN,
    FUND_DUTY,
    Advance,
    Fund,
    FundEntry,
    FundEntryKind,
    FundLevel,
    Proceeds,
)
from anxin.org.models import Role, Town, User

DISTRICT_FUND = "district"


def town_fund_code(town: Town) -> str:
    return f"town-{town.code}"


def funds_ensure(data: dict, *, actor: User, log: Callable[[str], None]) -> None:
    """``seam.DISTRICT_SECTIONS``: the district's fund and one per town (§四(八) 区、镇两级), named
    after them; idempotent (a renamed town renames its fund)."""
    district = (data.get("district") or {}).get("name") or _("区")
    wanted: dict[str, tuple[str, str, Town | None]] = {
        DISTRICT_FUND: (f"{district}欠薪应急周转资金", FundLevel.DISTRICT, None)
    }
    for town in Town.objects.all():
        wanted[town_fund_code(town)] = (f"{town.name}欠薪应急周转资金", FundLevel.TOWN, town)
    made = 0
    with transaction.atomic(), acting(actor):
        for code, (name, level, fund_town) in wanted.items():
            fund, created = Fund.objects.get_or_create(
                code=code, defaults={"name": name, "level": level, "town": fund_town}
            )
            made += created
            if not created and fund.name != name:
                fund.name = name
                fund.save(update_fields=["name"])
    log(f"应急周转资金：{len(wanted)} 个（新建 {made}）")


def is_finance(actor: User) -> bool:
    """财政局: the unit with the fund's duty (§三(八)) — reviews, approves and pays out."""
    return bool(actor.has_role(Role.DEPARTMENT) and FUND_DUTY in actor.duty_codes)


def balance(fund: Fund) -> int:
    last = (
        FundEntry.objects.filter(fund=fund).order_by("-seq").values_list("balance_after", flat=True).first()
    )
    return int(last or 0)


def append_entry(
    fund: Fund,
    *,
    kind: str,
    amount: int,
    on: datetime.date,
    actor: User,
    now: datetime.datetime,
    reference: str = "",
    note: str = "",
    advance: Advance | None = None,
    proceeds: Proceeds | None = None,
) -> FundEntry:
    """Append one entry to ``fund``'s ledger inside the caller's transaction, under the fund's row
    lock. Refuses an amount not above zero and a balance that would go below zero (the database
    refuses it too, and a second writer of the same ``seq``)."""
    if amount is None or amount <= 0:
        raise DomainError(_("金额须大于零"), field="amount")
    Fund.objects.select_for_update().get(pk=fund.pk)
    last = FundEntry.objects.filter(fund=fund).order_by("-seq").values("seq", "balance_after").first()
    seq, before = (last["seq"], last["balance_after"]) if last else (0, 0)
    after = before + BALANCE_SIGN[FundEntryKind(kind)] * amount
    if after < 0:
        raise DomainError(
            _("%(f)s余额 ¥%(b)s，不足以支付 ¥%(a)s")
            % {"f": fund.name, "b": format_yuan(before), "a": format_yuan(amount)},
            field="amount",
        )
    try:
        with transaction.atomic():
            return FundEntry.objects.create(
                fund=fund,
                seq=seq + 1,
                kind=kind,
                amount=amount,
                balance_after=after,
                on=on,
                reference=reference[:100],
                note=note[:500],
                advance=advance,
                proceeds=proceeds,
                recorded_by=actor,
                recorded_at=now,
            )
    except IntegrityError:
        raise DomainError(_("周转金台账已被他人同时更新，请刷新后重试"), code="conflict") from None


def fund_appropriate(
    *, actor: User, fund: Fund, amount: int, on: datetime.date | None, reference: str = "", note: str = ""
) -> FundEntry:
    """财政 拨入: money appropriated into a fund (财政局, or the office), with its reference."""
    if not (
        is_system(actor)
        or (actor.has_perm("money.appropriate_fund") and (is_finance(actor) or actor.has_role(Role.OFFICE)))
    ):
        raise PermissionDenied(_("只有区财政局或联席办可以登记周转金拨入"))
    if on is None:
        raise DomainError(_("请填写拨入日期"), field="date")
    if on > timezone.localdate():
        raise DomainError(_("拨入日期不能晚于今天"), field="date")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写拨款文号或凭证号"), field="reference")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        return append_entry(
            fund,
            kind=FundEntryKind.APPROPRIATION,
            amount=amount,
            on=on,
            actor=actor,
            now=now,
            reference=reference,
            note=(note or "").strip(),
        )
