"""Reads of money that other pages use: what has been paid on each case, a legal action's
payment schedule."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from anxin.cases.models import Case, LegalAction
from anxin.cases.selectors import quarter_of
from anxin.core.crypto import blind_index
from anxin.core.money import format_yuan
from anxin.core.seam import CaseMoney, WorkerMoney
from anxin.core.validators import normalize_id_number
from anxin.intake.models import Signal
from anxin.money.models import (
    Advance,
    AdvanceStatus,
    Claim,
    ClaimStatus,
    Fund,
    FundEntry,
    FundEntryKind,
    Instalment,
    Payment,
    PaymentSource,
    money_cases,
)

CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


def paid_by_case(case_ids: Iterable[int]) -> dict[int, int]:
    """``seam.CASE_PAID``: fen paid so far on each of these cases (entries less reversals); a case
    with no entry is absent. One query per 500 cases."""
    ids = sorted(set(case_ids))
    signed = _signed()
    totals: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            Payment.objects.filter(case_id__in=ids[start : start + CHUNK])
            .order_by()
            .values("case_id")
            .annotate(total=Sum(signed))
            .values_list("case_id", "total")
        )
        totals.update((case_id, int(total or 0)) for case_id, total in rows)
    return totals


def case_money(case_ids: Iterable[int]) -> dict[int, CaseMoney]:
    """``seam.CASE_MONEY``: each case's claims summed (申报 / 确认 / 已付 / 尚欠, workers paid in full);
    a case without claims is absent. One query per 500 cases."""
    ids = sorted(set(case_ids))
    owed = Coalesce(F("confirmed_amount"), F("amount"))
    found: dict[int, CaseMoney] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            Claim.objects.filter(case_id__in=ids[start : start + CHUNK])
            .order_by()
            .values("case_id")
            .annotate(
                n_workers=Count("pk"),
                n_claimed=Sum("amount"),
                n_confirmed=Sum("confirmed_amount"),
                n_pending=Count("pk", filter=Q(status=ClaimStatus.CLAIMED)),
                n_owed=Sum(owed),
                n_paid=Sum("paid"),
                n_full=Count("pk", filter=Q(paid__gte=owed, status=ClaimStatus.CONFIRMED)),
            )
        )
        for r in rows:
            owed_fen, paid = int(r["n_owed"] or 0), int(r["n_paid"] or 0)
            found[r["case_id"]] = CaseMoney(
                workers=r["n_workers"],
                claimed=int(r["n_claimed"] or 0),
                confirmed=int(r["n_confirmed"] or 0),
                pending=r["n_pending"],
                paid=paid,
                outstanding=max(owed_fen - paid, 0),
                paid_in_full=r["n_full"],
            )
    return found


def signal_money(signal_ids: Iterable[int]) -> dict[int, WorkerMoney]:
    """``seam.SIGNAL_MONEY``: the reporter's own claim for each portal report that has one — the claim
    linked to the report when it was registered, or else the claim with the reporter's ID number on a
    case the report is linked to (a report linked to the case after its claims were registered). One
    query when every report has its linked claim; four at most otherwise."""
    ids = list(signal_ids)
    found: dict[int, WorkerMoney] = {}
    for claim in Claim.objects.filter(signal_id__in=ids).order_by("pk"):
        if claim.signal_id is None:  # not asked for; keeps the key an int for the type checker
            continue
        found.setdefault(claim.signal_id, _worker_money(claim))
    missing = [pk for pk in ids if pk not in found]
    if not missing:
        return found
    # the ID number is encrypted: the few reports asked about are read and indexed here
    index_of = {
        s.pk: blind_index(normalize_id_number(s.reporter_id_number), purpose="id_number")
        for s in Signal.objects.filter(pk__in=missing).only("pk", "reporter_id_number")
        if s.reporter_id_number
    }
    if not index_of:
        return found
    cases_of: dict[int, set[int]] = {}
    for signal_id, case_id in Case.signals.through.objects.filter(signal_id__in=list(index_of)).values_list(
        "signal_id", "case_id"
    ):
        cases_of.setdefault(signal_id, set()).add(case_id)
    if not cases_of:
        return found
    candidates = Claim.objects.filter(
        case_id__in={c for cases in cases_of.values() for c in cases},
        id_number_index__in=set(index_of.values()),
    ).order_by("pk")
    for claim in candidates:
        for signal_id, cases in cases_of.items():
            if claim.case_id in cases and claim.id_number_index == index_of[signal_id]:
                found.setdefault(signal_id, _worker_money(claim))
    return found


def _worker_money(claim: Claim) -> WorkerMoney:
    return WorkerMoney(confirmed=claim.confirmed_amount, paid=claim.paid, outstanding=claim.outstanding)


def _signed() -> models.Case:
    """An entry counts positively, a reversal negatively."""
    return models.Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))


def arrears_summary(*, user: Any, today: datetime.date | None = None) -> dict:
    """The cockpit's amounts (§四(六)(八)), within the user's scope: the arrears registered on open
    cases and what has been paid on them so far; what was paid this year and this quarter on any case
    (entries less reversals, by the date on the ledger) and how many workers that reached (惠及人数);
    the balance of the emergency funds the user sees and what those funds have out in approved
    advances not yet repaid or written off (在外垫付). Six aggregate queries, however many cases,
    workers, funds and advances."""
    today = today or timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    quarter_start, _quarter_end = quarter_of(today)
    cases = money_cases(user)
    open_cases = cases.open()
    owed = open_cases.aggregate(n=Count("pk"), owed=Sum("amount_claimed"))
    paid_open = Payment.objects.filter(case__in=open_cases.values("pk")).aggregate(total=Sum(_signed()))
    in_scope = Payment.objects.filter(case__in=cases.values("pk"))
    paid = in_scope.filter(paid_on__gte=year_start, paid_on__lte=today).aggregate(
        year=Sum(_signed()), quarter=Sum(_signed(), filter=Q(paid_on__gte=quarter_start))
    )
    owed_fen, paid_fen = int(owed["owed"] or 0), int(paid_open["total"] or 0)
    return {
        "year": today.year,
        "quarter": (today.month - 1) // 3 + 1,
        "open": owed["n"],
        "owed": owed_fen,
        "paid": paid_fen,
        "outstanding": max(owed_fen - paid_fen, 0),
        "paid_rate": round(paid_fen * 100 / owed_fen) if owed_fen else None,
        "paid_year": int(paid["year"] or 0),
        "paid_quarter": int(paid["quarter"] or 0),
        "workers_quarter": workers_paid(in_scope, since=quarter_start, until=today),
        **funds_summary(user=user),
    }


def workers_paid(payments: QuerySet[Payment], *, since: datetime.date, until: datetime.date) -> int:
    """惠及人数: the distinct workers (by ID number, so one person with claims on two cases counts
    once) whose entries from ``since`` to ``until`` leave them something paid — a payment taken back
    in full by a reversal in the same period reached nobody. One query."""
    return (
        payments.filter(claim__isnull=False, paid_on__gte=since, paid_on__lte=until)
        .order_by()
        .values("claim__id_number_index")
        .annotate(net=Sum(_signed()))
        .filter(net__gt=0)
        .count()
    )


def funds_summary(*, user: Any) -> dict:
    """The emergency funds the user sees (``Fund.objects.for_user``): how many, their balance (each
    fund's last ledger entry's ``balance_after``, summed) and 在外垫付 — approved advances' amounts less
    the repayment and write-off entries that name them, never below zero for one advance — with how
    many advances are still out. Two aggregate queries."""
    funds = Fund.objects.for_user(user)
    last_balance = Subquery(
        FundEntry.objects.filter(fund=OuterRef("pk")).order_by("-seq").values("balance_after")[:1],
        output_field=models.BigIntegerField(),
    )
    balance = funds.annotate(last=Coalesce(last_balance, 0)).aggregate(n=Count("pk"), total=Sum("last"))
    settled = Subquery(
        FundEntry.objects.filter(
            advance=OuterRef("pk"), kind__in=[FundEntryKind.REPAYMENT, FundEntryKind.WRITE_OFF]
        )
        .order_by()
        .values("advance")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=models.BigIntegerField(),
    )
    left = Greatest(F("amount") - F("settled"), 0, output_field=models.BigIntegerField())
    out = (
        Advance.objects.filter(fund__in=funds.values("pk"), status=AdvanceStatus.APPROVED)
        .annotate(settled=Coalesce(settled, 0))
        .aggregate(total=Sum(left), n=Count("pk", filter=Q(amount__gt=F("settled"))))
    )
    return {
        "funds": balance["n"],
        "fund_balance": int(balance["total"] or 0),
        "advances_out": int(out["total"] or 0),
        "advances_out_count": out["n"],
    }


def schedule(action: LegalAction) -> list[Instalment]:
    """The payment schedule of a legal action, by date."""
    return list(Instalment.objects.filter(action=action).order_by("due_on", "pk"))


def closing_problems(case: Case, *, outcome: str, amount_paid: int) -> list[str]:
    """``seam.CASE_CLOSING_CHECKS``: with workers' claims on the case, the ledger decides. Claims
    still to confirm block any closing but 不属实; 全额清偿 needs every confirmed claim paid in full;
    the amount typed at closing must be what the ledger holds."""
    problems = _advance_problems(case)  # the fund is repaid (or the advance written off) before closing
    money = case_money([case.pk]).get(case.pk)
    if money is None or outcome == "unfounded":
        return problems
    if money.pending:
        problems.append(f"尚有 {money.pending} 名劳动者的欠薪未经人社局确认")
    if outcome == "paid" and money.paid_in_full < money.workers:
        problems.append(
            f"尚有 {money.workers - money.paid_in_full} 名劳动者未足额支付（尚欠 ¥{format_yuan(money.outstanding)}），"
            "不能以全额清偿结案"
        )
    paid = paid_by_case([case.pk]).get(case.pk, 0)
    if amount_paid != paid:
        problems.append(f"已支付金额以支付台账为准：¥{format_yuan(paid)}")
    return problems


def _advance_problems(case: Case) -> list[str]:
    """An advance still waiting for 财政局, or paid out and not yet repaid: the case cannot close, or
    the fund could never be repaid from the case's proceeds (§四(八) 首先用于偿还应急周转资金)."""
    from anxin.money.funds_selectors import open_advances

    problems = []
    waiting = list(
        Advance.objects.filter(case=case, status=AdvanceStatus.SUBMITTED).values_list("number", flat=True)
    )
    if waiting:
        problems.append(f"周转金申请 {'、'.join(waiting)} 尚待财政局审核（批准或退回）后才能结案")
    owed = open_advances(case)
    if owed:
        total = sum(a.outstanding for a in owed)  # type: ignore[attr-defined]
        problems.append(
            f"本案尚有未归还的周转金垫付 ¥{format_yuan(total)}（{'、'.join(a.number for a in owed)}），"
            "须先以执行款、变现款或企业归还偿还，或经联席办核销，才能结案"
        )
    return problems


# What the ledger counts toward each kind of legal action (§四(六)): the employer's side pays an order,
# a mediation, an award or a judgment (an advance from the emergency fund does not discharge them); a
# deposit draw is paid from the wage deposit, a fund request from the fund.
_EMPLOYER_SIDE = [
    s.value
    for s in (
        PaymentSource.EMPLOYER,
        PaymentSource.GENERAL_CONTRACTOR,
        PaymentSource.WAGE_DEPOSIT,
        PaymentSource.ASSET_REALISATION,
        PaymentSource.COURT_ENFORCEMENT,
        PaymentSource.OTHER,
    )
]
ACTION_SOURCES: dict[str, list[str]] = {
    "order": _EMPLOYER_SIDE,
    "mediation": _EMPLOYER_SIDE,
    "arbitration": _EMPLOYER_SIDE,
    "court": _EMPLOYER_SIDE,
    "deposit": [PaymentSource.WAGE_DEPOSIT.value],
    "fund": [PaymentSource.EMERGENCY_FUND.value],
}


def action_since(action: LegalAction) -> datetime.date:
    """From when the ledger counts payments toward an action: the order's service (or issue) date,
    else the day it was requested."""
    return action.served_on or action.issued_on or timezone.localdate(action.requested_at)


def action_paid(action: LegalAction) -> int | None:
    """Fen the ledger holds toward ``action`` (entries less reversals of the counted sources on its
    case since ``action_since``); None for a kind the ledger does not pay."""
    sources = ACTION_SOURCES.get(action.kind)
    if sources is None:
        return None
    since = action_since(action)
    # a reversal counts on the day of the entry it takes back: it undoes that payment, not a new one
    total = (
        Payment.objects.filter(case_id=action.case_id, source__in=sources)
        .filter(Q(reverses__isnull=True, paid_on__gte=since) | Q(reverses__paid_on__gte=since))
        .aggregate(total=Sum(_signed()))["total"]
    )
    return int(total or 0)


def money_case_get(*, user: Any, pk: int) -> Case:
    """One case whose money ``user`` may read (cases' own scoping, less the units that see no money);
    anything else is a 404."""
    from django.http import Http404

    from anxin.cases.selectors import case_get
    from anxin.money.models import sees_money

    case = case_get(user=user, pk=pk)
    if not sees_money(user):
        raise Http404
    return case


def schedule_covered(action: LegalAction) -> set[int]:
    """The instalments of ``action``'s schedule that the ledger covers: in date order, each whose
    running total the payments counted toward the action (``action_paid``) reach. A schedule reads
    what was paid from the ledger, not from a typed date."""
    paid = action_paid(action) or 0
    covered: set[int] = set()
    running = 0
    for item in schedule(action):
        running += item.amount
        if running > paid:
            break
        covered.add(item.pk)
    return covered
