"""Legal actions read their paid amounts from the payments ledger once workers' claims exist: an order
to pay is done when the ledger covers it, a typed 履行支付 step is refused, and the action's page shows
the ledger's figure."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.models import ActionStatus, ActionStep
from anxin.cases.tests.factories import open_case
from anxin.core.errors import DomainError
from anxin.money import selectors, services
from anxin.money.models import PaymentSource
from anxin.money.tests.factories_claims import id_number

pytestmark = pytest.mark.django_db


def _claims(case, lead, renshe, amounts):
    rows = [
        services.ClaimInput(
            name=f"工人{n}",
            id_number=id_number(n),
            period_from=datetime.date(2026, 8, 1),
            period_to=datetime.date(2026, 10, 1),
            amount=fen,
            basis="wage_ledger",
        )
        for n, fen in enumerate(amounts, start=1)
    ]
    claims = services.claims_register(actor=lead, case=case, rows=rows)
    services.claims_confirm(actor=renshe, case=case)
    for c in claims:
        c.refresh_from_db()
    return claims


def _order(case, renshe, amount):
    return actions.action_request(
        actor=renshe,
        case=case,
        kind="order",
        amount=amount,
        workers=2,
        pay_by=timezone.localdate() + datetime.timedelta(days=10),
        reference="新人社监〔2026〕9号",
    )


def test_an_order_is_done_when_the_ledger_covers_it(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    a, b = _claims(case, luoxi, renshe, [300_000, 200_000])
    order = _order(case, renshe, 500_000)
    today = timezone.localdate()
    services.payment_record(
        actor=luoxi, claim=a, amount=300_000, paid_on=today, source=PaymentSource.EMPLOYER
    )
    order.refresh_from_db()
    assert order.status == ActionStatus.OPEN
    assert selectors.action_paid(order) == 300_000
    services.payment_record(
        actor=luoxi, claim=b, amount=200_000, paid_on=today, source=PaymentSource.EMPLOYER
    )
    order.refresh_from_db()
    assert order.status == ActionStatus.DONE
    step = order.steps.get(step=ActionStep.Step.PAYMENT)
    assert step.amount == 500_000 and "据支付台账" in step.note


def test_an_emergency_fund_payment_does_not_discharge_an_order(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    _claims(case, luoxi, renshe, [300_000])
    order = _order(case, renshe, 300_000)
    assert selectors.action_paid(order) == 0
    assert "emergency_fund" not in selectors.ACTION_SOURCES["order"]
    assert selectors.ACTION_SOURCES["fund"] == ["emergency_fund"]


def test_a_typed_payment_step_is_refused_once_claims_exist(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    _claims(case, luoxi, renshe, [300_000])
    order = _order(case, renshe, 300_000)
    with pytest.raises(DomainError, match="资金"):
        actions.action_step(
            actor=renshe, action=order, step="payment", on=timezone.localdate(), amount=300_000
        )
    assert not order.steps.filter(step="payment").exists()


def test_the_action_page_shows_the_ledger_figure(world, luoxi, renshe, login):
    case = open_case(world.luoxi_factory, actor=luoxi)
    (a,) = _claims(case, luoxi, renshe, [300_000])
    order = _order(case, renshe, 300_000)
    services.payment_record(
        actor=luoxi, claim=a, amount=100_000, paid_on=timezone.localdate(), source=PaymentSource.EMPLOYER
    )
    page = login(renshe).get(reverse("case-action", args=[order.pk])).content.decode()
    assert 'data-testid="action-ledger-paid"' in page
    assert "¥1,000.00" in page and "尚差 ¥2,000.00" in page


def test_a_reversal_counts_on_the_day_of_the_entry_it_takes_back(world, luoxi, renshe, office):
    case = open_case(world.luoxi_factory, actor=luoxi)
    (a,) = _claims(case, luoxi, renshe, [300_000])
    earlier = services.payment_record(
        actor=luoxi,
        claim=a,
        amount=100_000,
        paid_on=timezone.localdate() - datetime.timedelta(days=3),
        source=PaymentSource.EMPLOYER,
    )
    order = _order(case, renshe, 300_000)
    from anxin.cases.models import LegalAction

    LegalAction.objects.filter(pk=order.pk).update(
        issued_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    order.refresh_from_db()
    assert selectors.action_paid(order) == 0  # paid before the order
    services.payment_reverse(actor=office, payment=earlier, reason="回单重复")
    assert selectors.action_paid(order) == 0  # taking it back today does not count against the order


def test_a_mediation_schedule_reads_what_was_paid_from_the_ledger(world, luoxi, renshe, sifa, login):
    from anxin.money.deadlines import instalments_sweep
    from anxin.money.models import Instalment
    from anxin.money.tests.factories import in_days

    case = open_case(world.luoxi_factory, actor=luoxi)
    a, _b = _claims(case, luoxi, renshe, [300_000, 200_000])
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    first, second = services.instalments_set(
        actor=sifa, action=mediation, rows=[(in_days(-2), 300_000), (in_days(1), 200_000)]
    )
    services.payment_record(
        actor=luoxi, claim=a, amount=300_000, paid_on=timezone.localdate(), source=PaymentSource.EMPLOYER
    )
    assert selectors.schedule_covered(mediation) == {first.pk}
    instalments_sweep()  # the first, past its date, is paid by the ledger: not reported missed
    first.refresh_from_db()
    assert first.missed_at is None
    page = login(luoxi).get(reverse("case-action", args=[mediation.pk])).content.decode()
    assert page.count('data-testid="instalment-by-ledger"') == 1
    with pytest.raises(DomainError, match="支付台账"):
        services.instalment_paid(actor=luoxi, instalment=second, paid_on=timezone.localdate())
    assert Instalment.objects.get(pk=second.pk).paid_on is None


def test_the_case_page_says_the_amount_comes_from_the_workers_claims(world, luoxi, renshe, login):
    case = open_case(world.luoxi_factory, actor=luoxi)
    page = login(luoxi).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "据线索与登记汇总，待逐人核定" in page
    _claims(case, luoxi, renshe, [300_000, 200_000])
    page = login(luoxi).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "按逐人欠薪汇总（2 人，均已确认）" in page
