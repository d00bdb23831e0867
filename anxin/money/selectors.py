"""Reads of money that other pages use: what has been paid on each case, a legal action's
payment schedule."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from anxin.cases.models import Case, LegalAction
from anxin.core.money import format_yuan
from anxin.core.seam import CaseMoney, WorkerMoney
from anxin.money.models import Claim, ClaimStatus, Instalment, Payment

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
    """``seam.SIGNAL_MONEY``: the reporter's own claim for each portal report linked to one."""
    found: dict[int, WorkerMoney] = {}
    for claim in Claim.objects.filter(signal_id__in=list(signal_ids)).order_by("pk"):
        if claim.signal_id is None:  # never: the filter names signals
            continue
        found.setdefault(
            claim.signal_id,
            WorkerMoney(
                confirmed=claim.confirmed_amount,
                paid=claim.paid,
                outstanding=claim.outstanding,
            ),
        )
    return found


def _signed() -> models.Case:
    """An entry counts positively, a reversal negatively."""
    return models.Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))


def arrears_summary(*, user: Any, today: datetime.date | None = None) -> dict:
    """The cockpit's amounts (§四(六)), within the user's scope: the arrears registered on open cases
    and what has been paid on them so far, and what was paid this year on any case — three
    aggregate queries, however many cases."""
    today = today or timezone.localdate()
    cases = Case.objects.for_user(user)
    open_cases = cases.open()
    owed = open_cases.aggregate(n=Count("pk"), owed=Sum("amount_claimed"))
    paid_open = Payment.objects.filter(case__in=open_cases.values("pk")).aggregate(total=Sum(_signed()))
    paid_year = Payment.objects.filter(
        case__in=cases.values("pk"), paid_on__gte=datetime.date(today.year, 1, 1), paid_on__lte=today
    ).aggregate(total=Sum(_signed()))
    owed_fen, paid_fen = int(owed["owed"] or 0), int(paid_open["total"] or 0)
    return {
        "year": today.year,
        "open": owed["n"],
        "owed": owed_fen,
        "paid": paid_fen,
        "outstanding": max(owed_fen - paid_fen, 0),
        "paid_rate": round(paid_fen * 100 / owed_fen) if owed_fen else None,
        "paid_year": int(paid_year["total"] or 0),
    }


def schedule(action: LegalAction) -> list[Instalment]:
    """The payment schedule of a legal action, by date."""
    return list(Instalment.objects.filter(action=action).order_by("due_on", "pk"))


def closing_problems(case: Case, *, outcome: str, amount_paid: int) -> list[str]:
    """``seam.CASE_CLOSING_CHECKS``: with workers' claims on the case, the ledger decides. Claims
    still to confirm block any closing but 不属实; 全额清偿 needs every confirmed claim paid in full;
    the amount typed at closing must be what the ledger holds."""
    money = case_money([case.pk]).get(case.pk)
    if money is None or outcome == "unfounded":
        return []
    problems = []
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
