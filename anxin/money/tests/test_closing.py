"""A case's money as cases reads it through the seam (申报 / 确认 / 已付 / 尚欠, workers paid in full),
and closing decided by the ledger once workers' claims exist (§四(六)): 全额清偿 needs every claim
confirmed and paid in full, the amount typed at closing must be what the ledger holds, and closing
writes no extra ledger entry."""

from __future__ import annotations

import pytest

from anxin.cases import services as case_services
from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.money import selectors
from anxin.money import services as money
from anxin.money.models import Payment
from anxin.money.tests.factories_claims import claims, confirmed, pay


@pytest.fixture
def case(world, luoxi):
    return open_case(world.luoxi_factory, actor=luoxi)


def _close(case, actor, *, outcome="paid", amount_paid, note="企业已支付"):
    return case_services.case_close(
        actor=actor, case=case, outcome=outcome, amount_paid=amount_paid, note=note
    )


# --- the case's money -----------------------------------------------------------------------------------


def test_a_case_without_claims_has_no_money_of_its_own(case):
    assert seam.case_money([case.pk]) == {}


def test_the_case_money_sums_claimed_confirmed_paid_and_outstanding(case, luoxi, renshe):
    first, second, _third = claims(case, actor=luoxi, amounts=[1_000_000, 2_000_000, 3_000_000])
    money.claim_confirm(actor=renshe, claim=first, amount=800_000, note="核减")
    money.claim_confirm(actor=renshe, claim=second)
    first.refresh_from_db()
    second.refresh_from_db()
    pay(first, 800_000, actor=luoxi)
    pay(second, 500_000, actor=luoxi)
    found = seam.case_money([case.pk])[case.pk]
    assert (found.workers, found.claimed, found.confirmed, found.pending) == (3, 6_000_000, 2_800_000, 1)
    # owed: 800,000 + 2,000,000 confirmed + 3,000,000 still as claimed
    assert (found.paid, found.outstanding, found.paid_in_full) == (1_300_000, 4_500_000, 1)


def test_an_unconfirmed_claim_paid_in_full_is_not_counted_paid_in_full(case, luoxi):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    pay(claim, 1_000_000, actor=luoxi)
    assert seam.case_money([case.pk])[case.pk].paid_in_full == 0


def test_the_case_money_answers_many_cases_in_one_query(world, luoxi, django_assert_num_queries):
    ids = []
    for _ in range(4):
        case = open_case(world.luoxi_factory, actor=luoxi, separate=True)
        claims(case, actor=luoxi)
        ids.append(case.pk)
    with django_assert_num_queries(1):
        found = selectors.case_money(ids)
    assert {found[pk].claimed for pk in ids} == {3_000_000}


# --- closing as 全额清偿 ---------------------------------------------------------------------------------


def test_full_payment_is_refused_while_a_confirmed_claim_is_unpaid(case, luoxi, renshe):
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    pay(first, 1_000_000, actor=luoxi)
    pay(second, 1_999_999, actor=luoxi)
    with pytest.raises(DomainError, match=r"尚有 1 名劳动者未足额支付（尚欠 ¥0\.01），不能以全额清偿结案"):
        _close(case, luoxi, amount_paid=2_999_999)
    case.refresh_from_db()
    assert case.is_open


def test_full_payment_is_refused_while_a_claim_is_not_confirmed(case, luoxi, renshe):
    first, second = claims(case, actor=luoxi)
    money.claim_confirm(actor=renshe, claim=first)
    first.refresh_from_db()
    pay(first, 1_000_000, actor=luoxi)
    pay(second, 2_000_000, actor=luoxi)  # paid in full, but 人社局 has not confirmed it
    with pytest.raises(DomainError, match="尚有 1 名劳动者的欠薪未经人社局确认"):
        _close(case, luoxi, amount_paid=3_000_000)
    case.refresh_from_db()
    assert case.is_open


def test_the_amount_typed_at_closing_must_be_what_the_ledger_holds(case, luoxi, renshe):
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    pay(first, 1_000_000, actor=luoxi)
    pay(second, 2_000_000, actor=luoxi)
    with pytest.raises(DomainError, match=r"已支付金额以支付台账为准：¥30,000\.00"):
        _close(case, luoxi, amount_paid=3_500_000)
    case.refresh_from_db()
    assert case.is_open


def test_full_payment_closes_when_every_confirmed_claim_is_paid(case, luoxi, renshe):
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    pay(first, 1_000_000, actor=luoxi)
    pay(second, 2_000_000, actor=luoxi)
    _close(case, luoxi, amount_paid=3_000_000)
    case.refresh_from_db()
    assert (case.is_open, case.outcome) == (False, "paid")


def test_closing_a_case_with_claims_writes_no_closing_entry(case, luoxi, renshe):
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    pay(first, 1_000_000, actor=luoxi)
    pay(second, 2_000_000, actor=luoxi)
    _close(case, luoxi, amount_paid=3_000_000)
    assert not Payment.objects.filter(case=case, source="closing").exists()
    assert Payment.objects.filter(case=case).count() == 2
    assert seam.paid_so_far([case.pk]) == {case.pk: 3_000_000}


def test_the_closing_entry_is_written_only_for_a_case_without_claims(case, luoxi):
    _close(case, luoxi, amount_paid=12_000_000)
    (entry,) = Payment.objects.filter(case=case)
    assert (entry.source, entry.amount, entry.claim) == ("closing", 12_000_000, None)


def test_a_reversal_reopens_the_gap_that_blocks_full_payment(case, luoxi, renshe, office):
    first, second = confirmed(case, actor=luoxi, confirmer=renshe)
    entry = pay(first, 1_000_000, actor=luoxi)
    pay(second, 2_000_000, actor=luoxi)
    money.payment_reverse(actor=office, payment=entry, amount=100_000, reason="退票")
    assert any(
        "未足额支付" in p for p in selectors.closing_problems(case, outcome="paid", amount_paid=2_900_000)
    )


# --- other outcomes --------------------------------------------------------------------------------------


def test_unfounded_closes_whatever_the_claims(case, luoxi):
    claims(case, actor=luoxi)
    assert selectors.closing_problems(case, outcome="unfounded", amount_paid=0) == []
    _close(case, luoxi, outcome="unfounded", amount_paid=0, note="经核查不属实")
    case.refresh_from_db()
    assert case.outcome == "unfounded"


def test_a_case_without_claims_is_not_checked_against_the_ledger(case):
    assert selectors.closing_problems(case, outcome="paid", amount_paid=12_000_000) == []


def test_an_unconfirmed_claim_blocks_every_outcome_but_unfounded(case, luoxi):
    claims(case, actor=luoxi)
    for outcome in ("paid", "partly", "mediated"):
        problems = selectors.closing_problems(case, outcome=outcome, amount_paid=0)
        assert "尚有 2 名劳动者的欠薪未经人社局确认" in problems, outcome
