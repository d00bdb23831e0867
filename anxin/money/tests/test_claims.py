"""Workers' claims (欠薪确认, §四(六)): registered by the lead unit or the office with every row checked
and all rows or none, confirmed by 人社局 or the office (another amount needs a note, never below what
was paid), corrected only by a recorded correction; the case's registered amount and workers follow
the claims; a claim finds the worker's own portal report by their ID number."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from anxin.cases import services as case_services
from anxin.cases.models import Case, CaseEvent
from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.intake import services as intake
from anxin.intake.models import Signal
from anxin.money import services as money
from anxin.money.models import Claim, ClaimEvent
from anxin.money.services import ClaimInput
from anxin.money.tests.factories_claims import claims, confirmed, id_number, months_ago, pay, row
from anxin.org.models import Town, User


@pytest.fixture
def case(world, luoxi):
    """A case on 罗溪's factory, led by 罗溪镇, typed as 12 workers and ¥120,000."""
    return open_case(world.luoxi_factory, actor=luoxi)


def _refused(
    case: Case, actor: User, rows: list[ClaimInput], match: str, field: str | None = None
) -> DomainError:
    with pytest.raises(DomainError, match=match) as refusal:
        money.claims_register(actor=actor, case=case, rows=rows)
    assert not Claim.objects.filter(case=case).exists()
    if field is not None:
        assert refusal.value.field == field
    return refusal.value


# --- each row's checks: refused with nothing written -------------------------------------------------


def test_an_id_number_with_a_wrong_check_digit_is_refused(case, luoxi):
    good = id_number(1)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    _refused(case, luoxi, [row(1, id_number=wrong)], "校验", field="id_number")


def test_a_claim_without_a_name_is_refused(case, luoxi):
    _refused(case, luoxi, [row(1, name="  ")], "请填写姓名", field="name")


def test_a_period_ending_before_it_starts_is_refused(case, luoxi):
    _refused(
        case,
        luoxi,
        [row(1, period_from=months_ago(1), period_to=months_ago(3))],
        "截止月不能早于起始月",
        field="period_to",
    )


def test_a_period_ending_after_this_month_is_refused(case, luoxi):
    _refused(case, luoxi, [row(1, period_to=months_ago(-1))], "不能晚于本月", field="period_to")


@pytest.mark.parametrize("months", [0, 4])
def test_months_outside_the_period_are_refused(case, luoxi, months):
    _refused(case, luoxi, [row(1, months=months)], "欠薪月数应在 1 到 3 之间", field="months")


def test_months_default_to_the_length_of_the_period(case, luoxi):
    (claim,) = money.claims_register(actor=luoxi, case=case, rows=[row(1)])
    assert (claim.months, claim.period_from, claim.period_to) == (3, months_ago(3), months_ago(1))


@pytest.mark.parametrize("amount", [0, -100])
def test_an_amount_not_above_zero_is_refused(case, luoxi, amount):
    _refused(case, luoxi, [row(1, amount=amount)], "申报金额须大于零", field="amount")


def test_an_unknown_basis_is_refused(case, luoxi):
    _refused(case, luoxi, [row(1, basis="hearsay")], "认定依据须为", field="basis")


def test_the_same_worker_twice_in_one_batch_is_refused_naming_the_first_row(case, luoxi):
    _refused(case, luoxi, [row(1), row(2), row(1, name="工人一")], "第 3 行：与第 1 行的身份证号重复")


def test_a_worker_already_claimed_on_the_case_is_refused(case, luoxi):
    claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(DomainError, match="在本案已登记") as refusal:
        money.claim_register(actor=luoxi, case=case, row=row(1, name="工人一", amount=500_000))
    assert refusal.value.field == "id_number"
    assert Claim.objects.filter(case=case).count() == 1


def test_the_same_worker_typed_with_a_small_x_is_still_the_same_worker(case, luoxi):
    assert id_number(3).endswith("X")
    money.claim_register(actor=luoxi, case=case, row=row(3))
    with pytest.raises(DomainError, match="在本案已登记"):
        money.claim_register(actor=luoxi, case=case, row=row(3, id_number=id_number(3).lower()))
    assert Claim.objects.filter(case=case).count() == 1


def test_the_same_worker_may_claim_on_another_case(world, case, luoxi):
    claims(case, actor=luoxi, amounts=[1_000_000])
    other = open_case(world.luoxi_factory, actor=luoxi, separate=True)
    assert money.claim_register(actor=luoxi, case=other, row=row(1)).case == other


def test_one_bad_row_registers_none_and_names_every_bad_row(case, luoxi):
    error = _refused(
        case, luoxi, [row(1), row(2, amount=0), row(3), row(4, name="")], "未登记，请更正后重新提交"
    )
    assert "第 2 行：申报金额须大于零" in error.message and "第 4 行：请填写姓名" in error.message
    assert "第 1 行" not in error.message and "第 3 行" not in error.message


def test_an_empty_list_is_refused(case, luoxi):
    _refused(case, luoxi, [], "请至少登记一名劳动者")


def test_a_closed_case_takes_no_claims(world, luoxi):
    case = open_case(world.luoxi_factory, actor=luoxi)
    case_services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=12_000_000)
    with pytest.raises(DomainError, match="已结案"):
        money.claims_register(actor=luoxi, case=case, rows=[row(1)])


# --- who registers ------------------------------------------------------------------------------------


def test_the_lead_town_registers_claims(case, luoxi):
    made = claims(case, actor=luoxi)
    assert [c.registered_by for c in made] == [luoxi, luoxi]


def test_another_town_may_not_register_claims(case, xuejia):
    with pytest.raises(PermissionDenied):
        money.claims_register(actor=xuejia, case=case, rows=[row(1)])
    assert not Claim.objects.filter(case=case).exists()


def test_the_office_registers_claims(case, office):
    assert len(claims(case, actor=office)) == 2


def test_a_department_that_does_not_lead_may_not_register_claims(case, chengjian):
    with pytest.raises(PermissionDenied):
        money.claims_register(actor=chengjian, case=case, rows=[row(1)])


# --- what registering writes -------------------------------------------------------------------------


def test_each_claim_is_stored_with_its_id_number_encrypted_and_masked(case, luoxi):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.id_number == id_number(1)
    assert claim.id_number_masked == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM money_claim WHERE id = %s", [claim.pk])
        (stored,) = cursor.fetchone()
    assert id_number(1) not in stored


def test_registering_records_a_register_event_per_claim(case, luoxi):
    made = claims(case, actor=luoxi)
    events = ClaimEvent.objects.filter(claim__in=made).order_by("claim_id")
    assert [(e.kind, e.to_amount, e.actor) for e in events] == [
        ("register", 1_000_000, luoxi),
        ("register", 2_000_000, luoxi),
    ]


def test_the_case_amount_and_workers_become_the_claims_sum_and_count(case, luoxi):
    claims(case, actor=luoxi)
    case.refresh_from_db()
    assert (case.amount_claimed, case.workers) == (3_000_000, 2)
    update = case.events.filter(kind=CaseEvent.Kind.UPDATE).latest("pk")
    assert "¥120,000.00 → ¥30,000.00" in update.note and "涉及人数：12 → 2" in update.note


def test_the_case_amount_counts_the_confirmed_amount_where_confirmed(case, luoxi, renshe):
    first, _second = claims(case, actor=luoxi)
    money.claim_confirm(actor=renshe, claim=first, amount=800_000, note="考勤核减")
    case.refresh_from_db()
    assert case.amount_claimed == 800_000 + 2_000_000


def test_the_case_amount_can_no_longer_be_typed_once_claims_exist(case, luoxi):
    claims(case, actor=luoxi)
    with pytest.raises(DomainError, match="按欠薪确认汇总") as refusal:
        case_services.case_update(actor=luoxi, case=case, amount_claimed=5_000_000)
    assert refusal.value.field == "amount_claimed"
    case.refresh_from_db()
    assert case.amount_claimed == 3_000_000


def test_the_case_workers_can_no_longer_be_typed_once_claims_exist(case, luoxi):
    claims(case, actor=luoxi)
    with pytest.raises(DomainError, match="按欠薪确认汇总") as refusal:
        case_services.case_update(actor=luoxi, case=case, workers=20)
    assert refusal.value.field == "workers"


def test_without_claims_the_case_amount_is_still_typed(case, luoxi):
    case_services.case_update(actor=luoxi, case=case, amount_claimed=5_000_000)
    case.refresh_from_db()
    assert case.amount_claimed == 5_000_000


# --- the worker's portal report ----------------------------------------------------------------------


def _portal_report(town: Town, *, id_no: str, phone: str = "13912345678") -> Signal:
    return intake.portal_submit(
        facts={
            "employer_name": "罗溪纺织有限公司",
            "summary": "欠薪三个月",
            "reporter_phone": phone,
            "reporter_id_number": id_no,
            "amount": 1_000_000,
            "workers": 1,
        },
        town=town,
        photos=[],
        ip="10.0.0.9",
    )


def test_a_claim_is_linked_to_the_workers_own_portal_report_by_id_number(world, luoxi):
    mine = _portal_report(world.luoxi_factory.town, id_no=id_number(1))
    theirs = _portal_report(world.luoxi_factory.town, id_no=id_number(7), phone="13912345679")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[mine, theirs])
    first, second = claims(case, actor=luoxi)
    assert first.signal_id == mine.pk
    assert second.signal_id is None  # worker 2 did not report; worker 7 has no claim


def test_a_report_whose_id_number_was_kept_with_a_small_x_still_links(world, luoxi):
    report = _portal_report(world.luoxi_factory.town, id_no=id_number(3))
    Signal.objects.filter(pk=report.pk).update(reporter_id_number=id_number(3).lower())  # older data
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    assert money.claim_register(actor=luoxi, case=case, row=row(3)).signal_id == report.pk


def test_a_report_without_an_id_number_links_no_claim(world, luoxi):
    report = _portal_report(world.luoxi_factory.town, id_no="")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    assert [c.signal_id for c in claims(case, actor=luoxi)] == [None, None]


def test_the_portal_reads_the_reporters_own_claim_and_nothing_before_confirmation(world, luoxi, renshe):
    report = _portal_report(world.luoxi_factory.town, id_no=id_number(2))
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    claims(case, actor=luoxi)
    money_ = seam.signal_money([report.pk])[report.pk]
    assert (money_.confirmed, money_.paid, money_.outstanding) == (None, 0, 2_000_000)
    money.claims_confirm(actor=renshe, case=case)
    claim = Claim.objects.get(signal=report)
    pay(claim, 500_000, actor=luoxi)
    money_ = seam.signal_money([report.pk])[report.pk]
    assert (money_.confirmed, money_.paid, money_.outstanding) == (2_000_000, 500_000, 1_500_000)


# --- confirmation -------------------------------------------------------------------------------------


def test_renshe_confirms_a_claim_at_its_claimed_amount(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    money.claim_confirm(actor=renshe, claim=claim)
    claim.refresh_from_db()
    assert (claim.status, claim.confirmed_amount, claim.confirmed_by) == ("confirmed", 1_000_000, renshe)
    event = claim.events.get(kind=ClaimEvent.Kind.CONFIRM)
    assert (event.from_amount, event.to_amount, event.actor) == (1_000_000, 1_000_000, renshe)


def test_the_office_confirms_a_claim(case, luoxi, office):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    assert money.claim_confirm(actor=office, claim=claim).is_confirmed


@pytest.mark.parametrize("who", ["luoxi", "caizheng", "chengjian"])
def test_a_town_or_another_department_may_not_confirm(case, luoxi, who, request):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(PermissionDenied):
        money.claim_confirm(actor=request.getfixturevalue(who), claim=claim)
    claim.refresh_from_db()
    assert claim.status == "claimed" and not claim.events.filter(kind="confirm").exists()


def test_confirming_at_another_amount_needs_a_note(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(DomainError, match=r"与申报金额 ¥10,000\.00 不同，请说明理由") as refusal:
        money.claim_confirm(actor=renshe, claim=claim, amount=800_000, note=" ")
    assert refusal.value.field == "note"
    claim.refresh_from_db()
    assert claim.status == "claimed"


def test_confirming_at_another_amount_with_a_note_records_both_amounts(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    money.claim_confirm(actor=renshe, claim=claim, amount=800_000, note="考勤记录只有两个半月")
    claim.refresh_from_db()
    assert (claim.amount, claim.confirmed_amount, claim.confirm_note) == (
        1_000_000,
        800_000,
        "考勤记录只有两个半月",
    )
    event = claim.events.get(kind="confirm")
    assert (event.from_amount, event.to_amount) == (1_000_000, 800_000)
    assert "申报 ¥10,000.00：考勤记录只有两个半月" in case.events.filter(kind="note").latest("pk").note


def test_a_confirmation_is_never_below_what_was_paid(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    pay(claim, 600_000, actor=luoxi)
    with pytest.raises(DomainError, match=r"已支付 ¥6,000\.00，确认金额不能低于已付金额"):
        money.claim_confirm(actor=renshe, claim=claim, amount=500_000, note="核减")
    claim.refresh_from_db()
    assert claim.status == "claimed" and claim.confirmed_amount is None


def test_a_negative_confirmed_amount_is_refused(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(DomainError, match="不能为负数"):
        money.claim_confirm(actor=renshe, claim=claim, amount=-1, note="错")


def test_a_claim_is_confirmed_once(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    money.claim_confirm(actor=renshe, claim=claim)
    with pytest.raises(DomainError):
        money.claim_confirm(actor=renshe, claim=claim, amount=900_000, note="再确认")
    assert claim.events.filter(kind="confirm").count() == 1


def test_confirming_the_whole_list_confirms_every_waiting_claim_at_its_claimed_amount(case, luoxi, renshe):
    first, _second = claims(case, actor=luoxi)
    money.claim_confirm(actor=renshe, claim=first, amount=900_000, note="核减")
    assert money.claims_confirm(actor=renshe, case=case) == 1
    assert [(c.status, c.confirmed_amount) for c in Claim.objects.filter(case=case)] == [
        ("confirmed", 900_000),
        ("confirmed", 2_000_000),
    ]
    with pytest.raises(DomainError, match="没有待确认的欠薪"):
        money.claims_confirm(actor=renshe, case=case)


def test_a_town_may_not_confirm_the_whole_list(case, luoxi):
    claims(case, actor=luoxi)
    with pytest.raises(PermissionDenied):
        money.claims_confirm(actor=luoxi, case=case)
    assert not Claim.objects.filter(case=case, status="confirmed").exists()


# --- corrections ---------------------------------------------------------------------------------------


def test_only_a_confirmed_claim_is_corrected(case, luoxi, renshe):
    (claim,) = claims(case, actor=luoxi, amounts=[1_000_000])
    with pytest.raises(DomainError, match="尚未确认的欠薪请直接确认"):
        money.claim_correct(actor=renshe, claim=claim, amount=900_000, reason="核减")
    assert not claim.events.filter(kind="correct").exists()


def test_a_correction_needs_a_reason(case, luoxi, renshe):
    (claim,) = confirmed(case, actor=luoxi, confirmer=renshe, amounts=[1_000_000])
    with pytest.raises(DomainError, match="须说明理由") as refusal:
        money.claim_correct(actor=renshe, claim=claim, amount=900_000, reason="  ")
    assert refusal.value.field == "reason"
    claim.refresh_from_db()
    assert claim.confirmed_amount == 1_000_000


def test_a_correction_is_recorded_from_and_to_and_the_case_follows(case, luoxi, renshe):
    (claim,) = confirmed(case, actor=luoxi, confirmer=renshe, amounts=[1_000_000])
    money.claim_correct(actor=renshe, claim=claim, amount=1_200_000, reason="仲裁裁决确认加班费")
    claim.refresh_from_db()
    assert (claim.confirmed_amount, claim.amount) == (1_200_000, 1_000_000)
    event = claim.events.get(kind=ClaimEvent.Kind.CORRECT)
    assert (event.from_amount, event.to_amount, event.note, event.actor) == (
        1_000_000,
        1_200_000,
        "仲裁裁决确认加班费",
        renshe,
    )
    case.refresh_from_db()
    assert case.amount_claimed == 1_200_000
    assert "¥10,000.00 → ¥12,000.00" in case.events.filter(kind="note").latest("pk").note


def test_a_correction_is_never_below_what_was_paid(case, luoxi, renshe):
    (claim,) = confirmed(case, actor=luoxi, confirmer=renshe, amounts=[1_000_000])
    pay(claim, 700_000, actor=luoxi)
    with pytest.raises(DomainError, match="确认金额不能低于已付金额"):
        money.claim_correct(actor=renshe, claim=claim, amount=600_000, reason="核减")
    claim.refresh_from_db()
    assert claim.confirmed_amount == 1_000_000 and not claim.events.filter(kind="correct").exists()


def test_a_correction_to_the_same_amount_is_refused(case, luoxi, renshe):
    (claim,) = confirmed(case, actor=luoxi, confirmer=renshe, amounts=[1_000_000])
    with pytest.raises(DomainError, match="相同"):
        money.claim_correct(actor=renshe, claim=claim, amount=1_000_000, reason="无变化")


def test_a_town_may_not_correct_a_confirmed_claim(case, luoxi, renshe):
    (claim,) = confirmed(case, actor=luoxi, confirmer=renshe, amounts=[1_000_000])
    with pytest.raises(PermissionDenied):
        money.claim_correct(actor=luoxi, claim=claim, amount=900_000, reason="镇街核减")
