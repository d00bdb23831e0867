"""The guards a review of the money app asked for: the fund pays only through an approved advance, court
money repays the fund first, the share cap holds however often one asks, a case does not close owing the
fund, a worker's entry on a closed case is not reversed, and the police see no workers' money even on a
case they co-handle."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.cases import services as case_services
from anxin.core.errors import DomainError
from anxin.money import services
from anxin.money.models import Advance, Payment, PaymentSource
from anxin.money.tests.funds_factories import approved, fill, ready_case, request_kwargs, town_fund
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def setup(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe)
    fill(town_fund(), 10_000_000, actor=caizheng)
    return case, claims, town_fund()


def test_nobody_records_an_emergency_fund_payment_by_hand(setup, luoxi):
    case, (claim, _other), _fund = setup
    with pytest.raises(DomainError, match="支付来源"):
        services.payment_record(
            actor=luoxi, claim=claim, amount=100, paid_on=TODAY(), source=PaymentSource.EMERGENCY_FUND
        )
    assert not Payment.objects.filter(case=case).exists()


def test_court_money_goes_through_proceeds_while_the_case_owes_the_fund(setup, luoxi, caizheng):
    case, claims, fund = setup
    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    before = Payment.objects.filter(case=case).count()
    for source in (PaymentSource.COURT_ENFORCEMENT, PaymentSource.ASSET_REALISATION):
        with pytest.raises(DomainError, match="先偿还周转金"):
            services.payment_record(actor=luoxi, claim=claims[0], amount=100, paid_on=TODAY(), source=source)
    assert Payment.objects.filter(case=case).count() == before
    # the employer may still pay the workers directly
    services.payment_record(
        actor=luoxi, claim=claims[0], amount=100, paid_on=TODAY(), source=PaymentSource.EMPLOYER
    )


def test_asking_twice_never_advances_more_than_the_share_in_all(setup, luoxi, caizheng):
    case, claims, fund = setup
    first = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))  # 30% of each
    assert first.amount == 300_000 + 600_000
    with pytest.raises(DomainError, match="30%"):
        services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims[:1], amounts=[1]))
    assert Advance.objects.filter(case=case).count() == 1


def test_a_case_does_not_close_while_an_advance_waits_or_is_unrepaid(setup, luoxi, caizheng, renshe):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    problems = case_services.closing_problems(case, "unfounded", 0)
    assert any("尚待财政局审核" in p for p in problems)
    services.advance_approve(actor=caizheng, advance=advance, paid_on=TODAY())
    for claim in claims:
        claim.refresh_from_db()
        services.payment_record(
            actor=luoxi, claim=claim, amount=claim.outstanding, paid_on=TODAY(), source=PaymentSource.EMPLOYER
        )
    case.refresh_from_db()
    with pytest.raises(DomainError, match="未归还的周转金垫付"):
        case_services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=3_000_000)


def test_a_workers_entry_on_a_closed_case_is_not_reversed(setup, luoxi, office):
    case, claims, _fund = setup
    for claim in claims:
        services.payment_record(
            actor=luoxi, claim=claim, amount=claim.outstanding, paid_on=TODAY(), source=PaymentSource.EMPLOYER
        )
    case.refresh_from_db()
    case_services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=3_000_000)
    entry = Payment.objects.filter(case=case).order_by("pk")[0]
    with pytest.raises(DomainError, match="已结案"):
        services.payment_reverse(actor=office, payment=entry, reason="录错")
    assert not Payment.objects.filter(reverses=entry).exists()


def test_the_police_co_handling_a_case_see_none_of_its_money(setup, luoxi, gongan, login, api_client):
    case, claims, _fund = setup
    case_services.case_update(actor=luoxi, case=case, co_units=[Unit.objects.get(code="police")])
    client = login(gongan)
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert page.status_code == 200  # the police see the case they co-handle …
    assert 'data-testid="case-tab-money"' not in page.content.decode()  # … but no 资金 tab
    assert claims[0].name not in client.get(reverse("claim-ledger")).content.decode()
    assert client.get(reverse("case-receipts-xlsx", args=[case.pk])).status_code == 404
    api_client.force_authenticate(gongan)
    assert api_client.get(f"/api/v1/cases/{case.pk}/claims/").status_code == 404
