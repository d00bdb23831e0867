"""Reads of the emergency revolving funds (§四(八), §三(八)): each fund's balance and what it has out,
its ledger, the advances still owed and their ages, a case's advances and proceeds. Every read that a
list or a page uses is scoped (``Fund.objects.for_user``, ``Advance.objects.for_user``).

An advance's **outstanding** amount is what was paid out less what came back: the approved amount
minus the fund's ``repayment`` and ``write_off`` entries that name it (zero before approval)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from anxin.cases.models import Case
from anxin.core.policy import param_record
from anxin.money.models import (
    Advance,
    AdvanceStatus,
    Fund,
    FundEntry,
    FundEntryKind,
    FundLevel,
    Proceeds,
    money_cases,
)
from anxin.org.models import Role, User

BACK = [FundEntryKind.REPAYMENT, FundEntryKind.WRITE_OFF]


def _sum_entries(kinds: Sequence[str], **outer: Any) -> Coalesce:
    """A subquery: the sum of the entries of these kinds that match ``outer`` (OuterRef lookups)."""
    rows = (
        FundEntry.objects.filter(kind__in=kinds, **outer)
        .order_by()
        .values(*outer.keys())
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_outstanding(advances: QuerySet[Advance]) -> QuerySet[Advance]:
    """Each advance with ``repaid``, ``written_off`` and ``outstanding`` (fen) — subqueries, so the
    rows stay one per advance whatever else the query joins."""
    return advances.annotate(
        repaid=_sum_entries([FundEntryKind.REPAYMENT], advance_id=OuterRef("pk")),
        written_off=_sum_entries([FundEntryKind.WRITE_OFF], advance_id=OuterRef("pk")),
    ).annotate(
        outstanding=SqlCase(When(status=AdvanceStatus.APPROVED, then=F("amount")), default=Value(0))
        - F("repaid")
        - F("written_off")
    )


def advance_outstanding(advance: Advance) -> int:
    """Fen the fund still has out on this advance (0 unless approved)."""
    if advance.status != AdvanceStatus.APPROVED:
        return 0
    back = FundEntry.objects.filter(advance=advance, kind__in=BACK).aggregate(t=Sum("amount"))["t"] or 0
    return max(advance.amount - int(back), 0)


def open_advances(case: Case) -> list[Advance]:
    """The case's approved advances not yet repaid in full, oldest first (the order proceeds repay
    them), each with ``outstanding``. Not scoped: the services read it."""
    rows = (
        with_outstanding(Advance.objects.filter(case=case, status=AdvanceStatus.APPROVED))
        .filter(outstanding__gt=0)  # type: ignore[misc]  # an annotation the plugin cannot see
        .select_related("fund")
        .order_by("paid_on", "decided_at", "pk")
    )
    return list(rows)


def _age(advance: Advance, today: datetime.date) -> int:
    return (today - advance.paid_on).days if advance.paid_on else 0


def repay_alert_days(today: datetime.date | None = None) -> int:
    return int(param_record("fund.repay_alert_days", on=today or timezone.localdate()).typed_value)


def advances_outstanding(
    fund: Fund, today: datetime.date | None = None, *, limit: int | None = None
) -> list[Advance]:
    """The fund's advances still out, oldest first, each with ``outstanding``, ``age_days`` (since
    paid out) and ``overdue`` (older than ``limit`` days: ``fund.repay_alert_days`` by default)."""
    today = today or timezone.localdate()
    limit = repay_alert_days(today) if limit is None else limit
    rows = list(
        with_outstanding(Advance.objects.filter(fund=fund, status=AdvanceStatus.APPROVED))
        .filter(outstanding__gt=0)  # type: ignore[misc]  # an annotation the plugin cannot see
        .select_related("case", "case__enterprise")
        .order_by("paid_on", "pk")
    )
    for advance in rows:
        advance.age_days = _age(advance, today)  # type: ignore[attr-defined]
        due = advance.repay_due_on
        advance.overdue = (due < today) if due else advance.age_days > limit  # type: ignore[attr-defined]
    return rows


def _balance_subquery() -> Subquery:
    return Subquery(
        FundEntry.objects.filter(fund_id=OuterRef("pk")).order_by("-seq").values("balance_after")[:1],
        output_field=IntegerField(),
    )


def funds_for(user: User) -> list[Fund]:
    """The funds the user sees, each with ``balance``, ``out`` (在外垫付: advanced less repaid and
    written off) and ``n_out`` (advances still out). Three queries, however many funds."""
    funds = list(
        Fund.objects.for_user(user)
        .select_related("town")
        .annotate(
            balance=Coalesce(_balance_subquery(), Value(0)),
            advanced=_sum_entries([FundEntryKind.ADVANCE], fund_id=OuterRef("pk")),
            back=_sum_entries(BACK, fund_id=OuterRef("pk")),
        )
        .order_by("level", "code")
    )
    counts = dict(
        with_outstanding(
            Advance.objects.filter(fund__in=[f.pk for f in funds], status=AdvanceStatus.APPROVED)
        )
        .filter(outstanding__gt=0)  # type: ignore[misc]  # an annotation the plugin cannot see
        .order_by()
        .values("fund_id")
        .annotate(n=Count("pk"))
        .values_list("fund_id", "n")
    )
    for fund in funds:
        fund.out = max(fund.advanced - fund.back, 0)
        fund.n_out = counts.get(fund.pk, 0)
    return funds


def fund_summary(fund: Fund, *, n_out: int | None = None) -> dict[str, int]:
    """One fund's figures (fen): balance, appropriated, advanced, repaid, written off, out (在外垫付),
    the number of advances out (``n_out`` when the caller has counted them) and of requests waiting
    for 财政局. The balance is the ledger's sum (拨入 + 归还 − 垫付), which is its last entry's."""
    sums = dict(
        FundEntry.objects.filter(fund=fund)
        .order_by()
        .values("kind")
        .annotate(t=Sum("amount"))
        .values_list("kind", "t")
    )
    appropriated = int(sums.get(FundEntryKind.APPROPRIATION, 0) or 0)
    advanced = int(sums.get(FundEntryKind.ADVANCE, 0) or 0)
    repaid = int(sums.get(FundEntryKind.REPAYMENT, 0) or 0)
    written_off = int(sums.get(FundEntryKind.WRITE_OFF, 0) or 0)
    if n_out is None:
        n_out = (
            with_outstanding(Advance.objects.filter(fund=fund, status=AdvanceStatus.APPROVED))
            .filter(outstanding__gt=0)  # type: ignore[misc]  # an annotation the plugin cannot see
            .count()
        )
    return {
        "balance": appropriated + repaid - advanced,
        "appropriated": appropriated,
        "advanced": advanced,
        "repaid": repaid,
        "written_off": written_off,
        "out": max(advanced - repaid - written_off, 0),
        "n_out": n_out,
        "pending": Advance.objects.filter(fund=fund, status=AdvanceStatus.SUBMITTED).count(),
    }


def fund_entries(
    fund: Fund,
    *,
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[FundEntry]:
    """The fund's ledger, newest first, filtered by kind and dates (the fund is already scoped)."""
    rows = FundEntry.objects.filter(fund=fund).select_related("advance", "advance__case", "recorded_by")
    if kind:
        rows = rows.filter(kind=kind)
    if date_from:
        rows = rows.filter(on__gte=date_from)
    if date_to:
        rows = rows.filter(on__lte=date_to)
    return rows.order_by("-seq")


def balance_series(fund: Fund, *, days: int = 366) -> list[tuple[datetime.date, int]]:
    """The balance at the end of each day the fund's ledger moved (the last ``days`` such days): one
    query, the day's last entry by ``seq``."""
    last_of_day = (
        FundEntry.objects.filter(fund=fund).order_by().values("on").annotate(last=Max("seq")).values("last")
    )
    rows = list(
        FundEntry.objects.filter(fund=fund, seq__in=Subquery(last_of_day))
        .order_by("on", "seq")  # by day on the chart's axis, even when an entry was dated back
        .values_list("on", "balance_after")
    )
    return rows[-days:]


def case_advances(case: Case, user: User) -> list[Advance]:
    """The advances of a case the user sees, newest first, with ``outstanding``."""
    return list(
        with_outstanding(Advance.objects.for_user(user).filter(case=case))
        .select_related("fund", "requested_by")
        .order_by("-requested_at", "-pk")
    )


def case_proceeds(case: Case, user: User) -> list[Proceeds]:
    """The proceeds recorded on a case (if the user sees the case), newest first, with their
    allocation lines."""
    if not money_cases(user).filter(pk=case.pk).exists():
        return []
    return list(
        Proceeds.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related(
            "allocations",
            "allocations__fund_entry",
            "allocations__fund_entry__fund",
            "allocations__fund_entry__advance",
            "allocations__payment",
            "allocations__payment__claim",
        )
        .order_by("-received_on", "-pk")
    )


def pending_advances(user: User) -> QuerySet[Advance]:
    """Requests waiting for 财政局's review that the user sees, oldest first."""
    return (
        Advance.objects.for_user(user)
        .filter(status=AdvanceStatus.SUBMITTED)
        .select_related("fund", "case", "case__enterprise")
        .order_by("requested_at", "pk")
    )


def usable_funds(user: User, case: Case) -> list[Fund]:
    """The funds this user may ask to advance wages on this case (§四(八)): the district fund for
    the case's lead unit or the office; the town's own fund for a user of the case's town."""
    from anxin.cases.services.common import is_lead

    if not user.has_perm("money.request_advance"):
        return []
    found: list[Fund] = []
    if is_lead(user, case):
        found.extend(Fund.objects.filter(level=FundLevel.DISTRICT))
    if user.has_role(Role.TOWN) and case.town_id in user.scope.town_ids:
        found.extend(Fund.objects.filter(level=FundLevel.TOWN, town_id=case.town_id))
    return found
