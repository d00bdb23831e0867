"""The emergency funds' services (§四(八), §三(八)): each precondition of an advance alone, the caps at
their edges, approval only by 财政局, return, write-off, repayment first from proceeds, the balance
never below zero."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.models import CaseEvent
from anxin.core.errors import DomainError
from anxin.money import funds_selectors as selectors
from anxin.money import services
from anxin.money.models import (
    Advance,
    AdvanceEvent,
    AdvanceItem,
    AdvanceStatus,
    Allocation,
    Claim,
    FundEntry,
    Payment,
    Proceeds,
)
from anxin.money.services.funds import AdvanceRefused
from anxin.money.tests.funds_factories import (
    approved,
    claims_on,
    district_fund,
    fill,
    ready_case,
    request_kwargs,
    set_param,
    town_fund,
)
from anxin.notify.models import Notification

TODAY = timezone.localdate


@pytest.fixture
def setup(world, luoxi, renshe, caizheng):
    """A 罗溪 case (the town leads) with two confirmed claims (¥10,000, ¥20,000), an asset item, and
    罗溪's fund holding ¥100,000."""
    case, claims = ready_case(world, lead=luoxi, renshe=renshe)
    fund = town_fund()
    fill(fund, 10_000_000, actor=caizheng)
    return case, claims, fund


def _refusal(actor: Any, **kw: Any) -> AdvanceRefused:
    with pytest.raises(AdvanceRefused) as info:
        services.advance_request(actor=actor, **kw)
    assert not Advance.objects.exists() and not AdvanceItem.objects.exists()
    return info.value


def _failing(refused: AdvanceRefused) -> set[str]:
    return {c["code"] for c in refused.checks if not c["ok"]}


# --- a request that meets every precondition -------------------------------------------------------------


def test_a_request_meeting_every_precondition_is_submitted_with_its_checks(setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    assert advance.status == AdvanceStatus.SUBMITTED and advance.amount == 300_000 + 600_000
    assert [c["code"] for c in advance.checks] == [
        "situation",
        "hardship",
        "incident_risk",
        "established",
        "assets",
        "share_cap",
        "worker_cap",
        "case_cap",
        "balance",
    ]
    assert all(c["ok"] and c["clause"] for c in advance.checks)
    share = next(c for c in advance.checks if c["code"] == "share_cap")
    assert share["params"][0]["code"] == "fund.max_share_percent" and share["params"][0]["value"] == "30"
    assert AdvanceEvent.objects.get(advance=advance).action == "submit"
    assert "申请罗溪镇欠薪应急周转资金垫付 2 人" in CaseEvent.objects.filter(case=case).latest("pk").note


def test_a_request_tells_the_finance_bureau_in_its_inbox(
    setup, luoxi, caizheng, django_capture_on_commit_callbacks
):
    case, claims, fund = setup
    with django_capture_on_commit_callbacks(execute=True):
        advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    note = Notification.objects.get(recipient=caizheng, topic="fund-advance")
    assert advance.number in note.subject and note.url == f"/money/advances/{advance.pk}/"


# --- each precondition alone ------------------------------------------------------------------------------


def test_a_request_without_a_situation_is_refused_naming_it(setup, luoxi):
    case, claims, fund = setup
    refused = _refusal(luoxi, **request_kwargs(case, fund, claims, situation=""))
    assert _failing(refused) == {"situation"} and refused.field == "situation"
    assert "§四(八)" in refused.message


def test_a_request_without_hardship_is_refused_naming_it(setup, luoxi):
    case, claims, fund = setup
    refused = _refusal(luoxi, **request_kwargs(case, fund, claims, hardship=False))
    assert _failing(refused) == {"hardship"} and "劳动者生活临时困难" in refused.message


def test_a_request_without_a_risk_of_a_mass_incident_is_refused_naming_it(setup, luoxi):
    case, claims, fund = setup
    refused = _refusal(luoxi, **request_kwargs(case, fund, claims, incident_risk=False))
    assert _failing(refused) == {"incident_risk"} and "可能引发群体性突发事件" in refused.message


def test_a_request_for_an_unconfirmed_claim_without_a_court_action_is_refused(world, luoxi, renshe, caizheng):
    case, _confirmed = ready_case(world, lead=luoxi, renshe=renshe)
    (waiting,) = claims_on(case, actor=luoxi, amounts=[1_000_000])
    fill(town_fund(), 10_000_000, actor=caizheng)
    refused = _refusal(luoxi, **request_kwargs(case, town_fund(), [waiting], amounts=[300_000]))
    assert _failing(refused) == {"established"} and "工人3 的欠薪尚未经人社局确认" in refused.message


def test_a_court_action_on_the_case_establishes_the_facts(world, luoxi, renshe, caizheng):
    case, _confirmed = ready_case(world, lead=luoxi, renshe=renshe)
    (waiting,) = claims_on(case, actor=luoxi, amounts=[1_000_000])
    actions.action_request(actor=luoxi, case=case, kind="court")
    fill(town_fund(), 10_000_000, actor=caizheng)
    advance = services.advance_request(
        actor=luoxi, **request_kwargs(case, town_fund(), [waiting], amounts=[300_000])
    )
    established = next(c for c in advance.checks if c["code"] == "established")
    assert established["ok"] and "法院绿色通道" in established["detail"]


def test_a_request_without_assets_available_is_refused(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, assets=False)
    fill(town_fund(), 10_000_000, actor=caizheng)
    refused = _refusal(luoxi, **request_kwargs(case, town_fund(), claims))
    assert _failing(refused) == {"assets"} and refused.field == "assets_note"


def test_a_note_of_the_assets_meets_the_assets_precondition(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, assets=False)
    fill(town_fund(), 10_000_000, actor=caizheng)
    advance = services.advance_request(
        actor=luoxi, **request_kwargs(case, town_fund(), claims, assets_note="厂房一处已查封")
    )
    assert "厂房一处已查封" in next(c for c in advance.checks if c["code"] == "assets")["detail"]


def test_a_court_preservation_meets_the_assets_precondition(world, luoxi, renshe, caizheng, fayuan):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, assets=False)
    court = actions.action_request(actor=luoxi, case=case, kind="court")
    actions.action_step(actor=fayuan, action=court, step="preservation", on=TODAY(), note="诉前保全")
    fill(town_fund(), 10_000_000, actor=caizheng)
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, town_fund(), claims))
    assert "财产保全" in next(c for c in advance.checks if c["code"] == "assets")["detail"]


def test_every_failing_precondition_is_named_in_one_refusal(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, assets=False)
    refused = _refusal(
        luoxi,
        **request_kwargs(case, town_fund(), claims, situation="", hardship=False, incident_risk=False),
    )
    assert _failing(refused) == {"situation", "hardship", "incident_risk", "assets", "balance"}
    for label in ("适用情形", "劳动者生活临时困难", "可能引发群体性突发事件", "可供执行的资产", "余额 ¥0.00"):
        assert label in refused.message


# --- the items and the caps at their edges ---------------------------------------------------------------


def test_a_zero_amount_a_claim_of_another_case_and_a_worker_twice_are_refused_naming_the_worker(
    world, setup, luoxi, renshe
):
    case, claims, fund = setup
    _other, (stranger,) = ready_case(world, lead=luoxi, renshe=renshe, amounts=(1_000_000,), separate=True)
    refused = _refusal(
        luoxi,
        **request_kwargs(case, fund, [claims[0], claims[0], claims[1], stranger], amounts=[1, 1, 0, 1]),
    )
    assert "工人1 在申请中出现了两次" in refused.message
    assert "工人2 的垫付金额须大于零" in refused.message
    assert f"{stranger.name} 不是本案登记的劳动者" in refused.message


def test_the_share_of_the_outstanding_amount_is_allowed_to_the_fen_and_refused_one_fen_over(setup, luoxi):
    case, claims, fund = setup
    refused = _refusal(luoxi, **request_kwargs(case, fund, claims, amounts=[300_001, 600_000]))
    assert (
        _failing(refused) == {"share_cap"}
        and "工人1 垫付 ¥3,000.01 超过其尚欠 ¥10,000.00 的 30%" in refused.message
    )
    assert services.advance_request(
        actor=luoxi, **request_kwargs(case, fund, claims, amounts=[300_000, 600_000])
    )


def test_the_per_worker_cap_is_allowed_at_the_cap_and_refused_one_fen_over(
    world, luoxi, renshe, caizheng, office
):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, amounts=(10_000_000,))
    fill(town_fund(), 10_000_000, actor=caizheng)
    set_param("fund.max_per_worker", "2000000")
    refused = _refusal(luoxi, **request_kwargs(case, town_fund(), claims, amounts=[2_000_001]))
    assert _failing(refused) == {"worker_cap"} and "每人上限 ¥20,000.00" in refused.message
    advance = services.advance_request(
        actor=luoxi, **request_kwargs(case, town_fund(), claims, amounts=[2_000_000])
    )
    check = next(c for c in advance.checks if c["code"] == "worker_cap")
    assert check["params"][0]["value"] == "2000000"


def test_the_per_case_cap_counts_earlier_advances_and_is_allowed_at_the_cap(
    world, luoxi, renshe, caizheng, office
):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, amounts=(4_000_000, 4_000_000))
    fill(town_fund(), 10_000_000, actor=caizheng)
    set_param("fund.max_per_case", "2000000")
    approved(luoxi, caizheng, **request_kwargs(case, town_fund(), claims[:1], amounts=[1_000_000]))
    refused = _refusal_after(luoxi, **request_kwargs(case, town_fund(), claims[1:], amounts=[1_000_001]))
    assert _failing(refused) == {"case_cap"} and "本案已垫付 ¥10,000.00" in refused.message
    assert services.advance_request(
        actor=luoxi, **request_kwargs(case, town_fund(), claims[1:], amounts=[1_000_000])
    )


def _refusal_after(actor: Any, **kw: Any) -> AdvanceRefused:
    before = Advance.objects.count()
    with pytest.raises(AdvanceRefused) as info:
        services.advance_request(actor=actor, **kw)
    assert Advance.objects.count() == before
    return info.value


def test_a_request_above_the_fund_balance_is_refused_saying_the_balance(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe)
    fill(town_fund(), 899_999, actor=caizheng)
    refused = _refusal(luoxi, **request_kwargs(case, town_fund(), claims))
    assert _failing(refused) == {"balance"} and "余额 ¥8,999.99，本次申请 ¥9,000.00" in refused.message


def test_a_second_request_while_one_waits_is_refused(setup, luoxi):
    case, claims, fund = setup
    first = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims[:1]))
    with pytest.raises(DomainError, match=f"待财政局审核的周转金申请 {first.number}"):
        services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims[1:]))


# --- who requests -----------------------------------------------------------------------------------------


def test_a_town_asks_only_its_own_towns_fund_for_a_case_in_its_town(
    world, setup, luoxi, xuejia, renshe, caizheng
):
    case, claims, fund = setup
    with pytest.raises(PermissionDenied):
        services.advance_request(actor=xuejia, **request_kwargs(case, fund, claims))
    with pytest.raises(PermissionDenied):
        services.advance_request(actor=luoxi, **request_kwargs(case, town_fund("xuejia"), claims))


def test_the_district_fund_is_asked_by_the_lead_unit_or_the_office_not_by_another_department(
    setup, office, chengjian, caizheng
):
    case, claims, _fund = setup
    fill(district_fund(), 10_000_000, actor=caizheng)
    with pytest.raises(PermissionDenied):
        services.advance_request(actor=chengjian, **request_kwargs(case, district_fund(), claims))
    assert services.advance_request(actor=office, **request_kwargs(case, district_fund(), claims))


def test_a_closed_case_cannot_ask(setup, luoxi):
    case, claims, fund = setup
    case.stage = "closed"
    with pytest.raises(DomainError, match="已结案"):
        services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))


# --- approval ---------------------------------------------------------------------------------------------


def test_approval_pays_each_worker_from_the_fund_and_takes_the_total_from_the_balance(setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    assert advance.status == AdvanceStatus.APPROVED and advance.decided_by == caizheng
    (entry,) = FundEntry.objects.filter(advance=advance)
    assert (entry.kind, entry.amount, entry.balance_after) == ("advance", 900_000, 9_100_000)
    assert services.funds.balance(fund) == 9_100_000
    items = list(AdvanceItem.objects.filter(advance=advance).select_related("payment").order_by("pk"))
    assert [(i.payment.source, i.payment.amount, i.payment.claim_id) for i in items if i.payment] == [
        ("emergency_fund", 300_000, claims[0].pk),
        ("emergency_fund", 600_000, claims[1].pk),
    ]
    assert [c.paid for c in Claim.objects.filter(case=case).order_by("pk")] == [300_000, 600_000]
    assert selectors.advance_outstanding(advance) == 900_000


@pytest.mark.parametrize("who", ["office", "luoxi", "renshe", "leader"])
def test_only_the_finance_bureau_approves(setup, luoxi, who, request):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    with pytest.raises(PermissionDenied, match="只有区财政局可以审核拨付"):
        services.advance_approve(actor=request.getfixturevalue(who), advance=advance, paid_on=TODAY())
    advance.refresh_from_db()
    assert (
        advance.status == AdvanceStatus.SUBMITTED and not FundEntry.objects.filter(advance=advance).exists()
    )
    assert not Payment.objects.filter(case=case).exists()


def test_approval_is_refused_when_a_worker_was_paid_since_the_request(setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    services.payment_record(
        actor=luoxi, claim=claims[0], amount=500_000, paid_on=TODAY(), source="employer", reference="回单1"
    )
    with pytest.raises(DomainError, match=r"工人1 现尚欠 ¥5,000\.00"):
        services.advance_approve(actor=caizheng, advance=advance, paid_on=TODAY())
    advance.refresh_from_db()
    assert (
        advance.status == AdvanceStatus.SUBMITTED and not FundEntry.objects.filter(advance=advance).exists()
    )


def test_two_approvals_for_the_last_money_one_wins_and_the_other_writes_nothing(
    world, luoxi, renshe, caizheng, office
):
    first_case, first_claims = ready_case(world, lead=luoxi, renshe=renshe)
    fund = town_fund()
    fill(fund, 1_000_000, actor=caizheng)
    first = services.advance_request(actor=luoxi, **request_kwargs(first_case, fund, first_claims))
    from anxin.cases.tests.factories import open_case
    from anxin.money.tests.funds_factories import asset_on

    second_case = open_case(world.luoxi_factory, actor=luoxi, separate=True)
    second_claims = claims_on(second_case, actor=luoxi, amounts=[1_000_000, 2_000_000], confirm_by=renshe)
    asset_on(second_case, actor=luoxi)
    second = services.advance_request(actor=luoxi, **request_kwargs(second_case, fund, second_claims))
    services.advance_approve(actor=caizheng, advance=first, paid_on=TODAY())
    with pytest.raises(DomainError, match=r"余额 ¥1,000.00，不足以支付 ¥9,000.00"):
        services.advance_approve(actor=caizheng, advance=second, paid_on=TODAY())
    second.refresh_from_db()
    assert second.status == AdvanceStatus.SUBMITTED
    assert not Payment.objects.filter(case=second_case).exists()
    assert services.funds.balance(fund) == 100_000


def test_approval_needs_a_date_not_in_the_future(setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.advance_approve(
            actor=caizheng, advance=advance, paid_on=TODAY() + datetime.timedelta(days=1)
        )


def test_an_approved_request_cannot_be_approved_again(setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    with pytest.raises(DomainError, match="已拨付"):
        services.advance_approve(actor=caizheng, advance=advance, paid_on=TODAY())
    assert FundEntry.objects.filter(advance=advance).count() == 1


# --- return -----------------------------------------------------------------------------------------------


def test_the_finance_bureau_returns_a_request_with_its_reason(setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    with pytest.raises(DomainError, match="退回须说明理由"):
        services.advance_return(actor=caizheng, advance=advance, reason=" ")
    services.advance_return(actor=caizheng, advance=advance, reason="请补充困难情况说明")
    advance.refresh_from_db()
    assert (advance.status, advance.decision_note) == ("returned", "请补充困难情况说明")
    assert AdvanceEvent.objects.filter(advance=advance, action="return", to_status="returned").exists()
    assert services.funds.balance(fund) == 10_000_000
    # returned: the case may ask again
    assert services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))


def test_the_office_cannot_return(setup, luoxi, office):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    with pytest.raises(PermissionDenied):
        services.advance_return(actor=office, advance=advance, reason="不同意")


# --- write-off --------------------------------------------------------------------------------------------


def test_the_office_writes_off_at_most_what_is_outstanding(setup, luoxi, caizheng, office):
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    with pytest.raises(DomainError, match=r"超过该笔垫付尚未归还的 ¥9,000\.00"):
        services.advance_write_off(
            actor=office, advance=advance, amount=900_001, reference="联席办〔2026〕3号", reason="企业已注销"
        )
    entry = services.advance_write_off(
        actor=office, advance=advance, amount=900_000, reference="联席办〔2026〕3号", reason="企业已注销"
    )
    assert (entry.kind, entry.amount, entry.balance_after) == ("write_off", 900_000, 9_100_000)
    assert selectors.advance_outstanding(advance) == 0


def test_only_the_office_writes_off_and_needs_a_reference_and_a_reason(setup, luoxi, caizheng, office):
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    with pytest.raises(PermissionDenied):
        services.advance_write_off(actor=caizheng, advance=advance, amount=1, reference="x", reason="y")
    with pytest.raises(DomainError, match="文号"):
        services.advance_write_off(actor=office, advance=advance, amount=1, reference=" ", reason="y")
    with pytest.raises(DomainError, match="理由"):
        services.advance_write_off(actor=office, advance=advance, amount=1, reference="x", reason="")
    assert not FundEntry.objects.filter(kind="write_off").exists()


# --- proceeds repay the fund first ------------------------------------------------------------------------


@pytest.fixture
def advanced(setup, luoxi, caizheng):
    """The setup with ¥9,000 advanced (¥3,000 to 工人1, ¥6,000 to 工人2): ¥21,000 still owed to them."""
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    return case, claims, fund, advance


def _allocation(proceeds: Proceeds) -> list[tuple[str, int]]:
    return [(a.kind, a.amount) for a in Allocation.objects.filter(proceeds=proceeds).order_by("order")]


def test_proceeds_smaller_than_the_open_advances_all_go_to_the_fund(advanced, luoxi):
    case, _claims, fund, advance = advanced
    proceeds = services.proceeds_record(
        actor=luoxi,
        case=case,
        amount=500_000,
        received_on=TODAY(),
        source="court_enforcement",
        reference="执2026-1",
    )
    assert _allocation(proceeds) == [("fund", 500_000)] and proceeds.unallocated == 0
    assert selectors.advance_outstanding(advance) == 400_000
    assert services.funds.balance(fund) == 9_100_000 + 500_000
    assert FundEntry.objects.get(proceeds=proceeds).kind == "repayment"
    assert not Payment.objects.filter(proceeds=proceeds).exists()


def test_proceeds_equal_to_the_open_advances_repay_them_and_pay_nobody(advanced, luoxi):
    case, _claims, _fund, advance = advanced
    proceeds = services.proceeds_record(
        actor=luoxi, case=case, amount=900_000, received_on=TODAY(), source="asset_realisation"
    )
    assert _allocation(proceeds) == [("fund", 900_000)]
    assert selectors.advance_outstanding(advance) == 0 and selectors.open_advances(case) == []


def test_proceeds_larger_than_the_open_advances_pay_the_workers_then_keep_the_rest(advanced, luoxi):
    case, _claims, _fund, _advance = advanced
    proceeds = services.proceeds_record(
        actor=luoxi,
        case=case,
        amount=900_000 + 2_100_000 + 12_345,
        received_on=TODAY(),
        source="court_enforcement",
    )
    assert _allocation(proceeds) == [("fund", 900_000), ("worker", 700_000), ("worker", 1_400_000)]
    assert proceeds.unallocated == 12_345
    assert [c.outstanding for c in Claim.objects.filter(case=case).order_by("pk")] == [0, 0]
    assert set(Payment.objects.filter(proceeds=proceeds).values_list("source", flat=True)) == {
        "court_enforcement"
    }


def test_proceeds_pay_confirmed_claims_before_unconfirmed_ones(world, luoxi, renshe):
    from anxin.cases.tests.factories import open_case

    case = open_case(world.luoxi_factory, actor=luoxi)
    (first,) = claims_on(case, actor=luoxi, amounts=[1_000_000])
    (second,) = claims_on(case, actor=luoxi, amounts=[1_000_000])
    services.claim_confirm(actor=renshe, claim=second)
    proceeds = services.proceeds_record(
        actor=luoxi, case=case, amount=1_500_000, received_on=TODAY(), source="employer"
    )
    rows = [
        (a.payment.claim_id, a.amount)
        for a in Allocation.objects.filter(proceeds=proceeds).order_by("order")
        if a.payment
    ]
    assert rows == [(second.pk, 1_000_000), (first.pk, 500_000)]


def test_proceeds_repay_the_oldest_advance_first_fund_by_fund(world, setup, luoxi, caizheng, office):
    case, claims, fund = setup
    fill(district_fund(), 10_000_000, actor=caizheng)
    older = approved(luoxi, caizheng, **request_kwargs(case, fund, claims[:1], amounts=[300_000]))
    newer = approved(office, caizheng, **request_kwargs(case, district_fund(), claims[1:], amounts=[600_000]))
    proceeds = services.proceeds_record(
        actor=office, case=case, amount=500_000, received_on=TODAY(), source="employer"
    )
    entries = list(
        FundEntry.objects.filter(proceeds=proceeds)
        .order_by("pk")
        .values_list("fund__code", "advance_id", "amount")
    )
    assert entries == [(fund.code, older.pk, 300_000), ("district", newer.pk, 200_000)]


def test_proceeds_are_recorded_by_the_lead_unit_the_office_renshe_or_the_court_not_others(
    advanced, chengjian, fayuan, renshe, luoxi
):
    case, *_rest = advanced
    with pytest.raises(PermissionDenied):
        services.proceeds_record(actor=chengjian, case=case, amount=1, received_on=TODAY(), source="employer")
    with pytest.raises(PermissionDenied):
        services.proceeds_record(actor=fayuan, case=case, amount=1, received_on=TODAY(), source="employer")
    actions.action_request(actor=luoxi, case=case, kind="court")
    assert services.proceeds_record(
        actor=fayuan, case=case, amount=1, received_on=TODAY(), source="court_enforcement"
    )
    assert services.proceeds_record(actor=renshe, case=case, amount=1, received_on=TODAY(), source="employer")


@pytest.mark.parametrize(
    ("amount", "source", "day", "field"),
    [
        (0, "employer", 0, "amount"),
        (-1, "employer", 0, "amount"),
        (100, "wage_deposit", 0, "source"),
        (100, "employer", 1, "received_on"),
    ],
)
def test_bad_proceeds_are_refused_naming_the_field_and_nothing_is_written(
    advanced, luoxi, amount, source, day, field
):
    case, *_rest = advanced
    with pytest.raises(DomainError) as info:
        services.proceeds_record(
            actor=luoxi,
            case=case,
            amount=amount,
            received_on=TODAY() + datetime.timedelta(days=day),
            source=source,
        )
    assert info.value.field == field
    assert not Proceeds.objects.exists() and not Allocation.objects.exists()


# --- the balance never below zero -------------------------------------------------------------------------


def test_the_balance_never_goes_below_zero_in_the_database(setup, caizheng):
    from django.db import IntegrityError, transaction

    _case, _claims, fund = setup
    with pytest.raises(IntegrityError), transaction.atomic():
        FundEntry.objects.create(
            fund=fund,
            seq=99,
            kind="appropriation",
            amount=1,
            balance_after=-1,
            on=TODAY(),
            recorded_by=caizheng,
        )
