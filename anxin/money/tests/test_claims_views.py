"""The case's 资金 tab, per persona: the office and the lead town (罗溪) register and pay, 人社局 confirms and
corrects, the office reverses; another town (薛家) and the police get a 404, a leader reads only. A refused
form comes back on the tab with what was typed and writes nothing. The two ledgers (工资清偿台账, 工资支付台账):
scoped, filtered, exported, with their query counts bounded."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core.models import SecurityEvent
from anxin.money import services
from anxin.money.models import Claim, ClaimEvent, ClaimStatus, Payment, PaymentRun
from anxin.money.services import ClaimInput
from anxin.money.tests.factories_claims import id_number

# --- helpers (shared by the other test modules of claims and payments) --------------------------------


id_no = id_number  # the shared factory, under the name these tests use


def months_back(n: int) -> datetime.date:
    """The first day of the month ``n`` months before this one."""
    day = timezone.localdate().replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def claim_input(n: int, *, amount: int = 1_000_000, name: str = "") -> ClaimInput:
    return ClaimInput(
        name=name or f"工人{n}",
        id_number=id_no(n),
        phone="13812345678",
        period_from=months_back(2),
        period_to=months_back(0),
        amount=amount,
        basis="wage_ledger",
    )


def claims_on(case: Any, actor: Any, *, n: int = 2, amount: int = 1_000_000, start: int = 1) -> list[Claim]:
    return services.claims_register(
        actor=actor, case=case, rows=[claim_input(i, amount=amount) for i in range(start, start + n)]
    )


def tab(case: Any) -> str:
    return reverse("case-detail", args=[case.pk]) + "?tab=money"


@pytest.fixture
def case(world, luoxi):
    return open_case(world.luoxi_factory, actor=luoxi)


def _form(**kw: Any) -> dict:
    data = {
        "name": "张三",
        "id_number": id_no(7),
        "phone": "13812345678",
        "period_from": f"{months_back(2):%Y-%m}",
        "period_to": f"{months_back(0):%Y-%m}",
        "months": "",
        "amount": "12,000.50",
        "basis": "attendance",
        "note": "",
    }
    data.update(kw)
    return data


# --- the tab ----------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_money_tab_beside_the_overview(login, office, case):
    page = login(office).get(reverse("case-detail", args=[case.pk]))
    html = page.content.decode()
    assert 'data-testid="case-tab-overview"' in html and 'data-testid="case-tab-money"' in html
    assert "基本案情" in html  # the overview is the first tab


def test_the_money_tab_shows_the_sums_and_each_worker_masked(login, office, luoxi, renshe, case):
    a, _b = claims_on(case, luoxi)
    services.claim_confirm(actor=renshe, claim=a, amount=800_000, note="考勤记录核减")
    services.payment_record(
        actor=luoxi, claim=a, amount=800_000, paid_on=timezone.localdate(), source="employer"
    )
    html = login(office).get(tab(case)).content.decode()
    assert "¥20,000.00" in html  # 申报
    assert "¥8,000.00" in html  # 确认 and 已付
    assert "1/2 人" in html  # paid in full
    assert id_no(1) not in html and a.id_number_masked in html
    assert "考勤记录核减" in html
    assert "基本案情" not in html  # the overview's cards are not on the money tab


def test_a_user_without_money_permission_has_no_money_tab(login, case, django_user_model, luoxi):
    from django.contrib.auth.models import Permission

    luoxi.user_permissions.clear()
    group_perms = Permission.objects.filter(group__user=luoxi, codename="view_claim")
    for group in luoxi.groups.all():
        group.permissions.remove(*group_perms)
    page = login(luoxi).get(reverse("case-detail", args=[case.pk]))
    assert 'data-testid="case-tab-money"' not in page.content.decode()


@pytest.mark.parametrize("persona", ["xuejia", "gongan"])
def test_another_town_and_the_police_do_not_find_the_case(request, login, case, persona):
    user = request.getfixturevalue(persona)
    assert login(user).get(tab(case)).status_code == 404


@pytest.mark.parametrize("persona", ["xuejia", "gongan"])
def test_another_town_and_the_police_cannot_post_to_the_case(request, login, case, luoxi, persona):
    (_claim,) = claims_on(case, luoxi, n=1)
    client = login(request.getfixturevalue(persona))
    for url in (reverse("case-claim-new", args=[case.pk]), reverse("case-payment-new", args=[case.pk])):
        assert client.post(url, _form()).status_code in (403, 404)
    assert Claim.objects.filter(case=case).count() == 1


def test_a_leader_reads_the_tab_without_any_form(login, leader, luoxi, case):
    claims_on(case, luoxi)
    html = login(leader).get(tab(case)).content.decode()
    assert 'data-testid="claims-table"' in html
    for form in ("claim-form", "payment-form", "run-form", "claims-confirm-all"):
        assert f'data-testid="{form}"' not in html
    assert login(leader).post(reverse("case-claim-new", args=[case.pk]), _form()).status_code == 403


def test_the_town_sees_register_and_pay_but_not_confirm(login, luoxi, case):
    claims_on(case, luoxi)
    html = login(luoxi).get(tab(case)).content.decode()
    assert 'data-testid="claim-form"' in html and 'data-testid="payment-form"' in html
    assert 'data-testid="claims-confirm-all"' not in html


# --- registering ------------------------------------------------------------------------------------------


def test_the_lead_town_registers_a_claim_from_the_tab(login, luoxi, case):
    response = login(luoxi).post(reverse("case-claim-new", args=[case.pk]), _form())
    assert response.status_code == 302 and response["Location"].endswith("?tab=money")
    claim = Claim.objects.get(case=case)
    assert (claim.name, claim.amount, claim.basis, claim.months) == ("张三", 1_200_050, "attendance", 3)


def test_a_refused_claim_comes_back_with_what_was_typed_and_writes_nothing(login, luoxi, case):
    bad = id_no(7)[:-1] + ("0" if id_no(7)[-1] != "0" else "1")
    response = login(luoxi).post(reverse("case-claim-new", args=[case.pk]), _form(id_number=bad, name="李四"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李四" in html and "校验" in html
    assert not Claim.objects.filter(case=case).exists()


def test_the_same_worker_twice_is_refused_beside_the_id_number(login, luoxi, case):
    claims_on(case, luoxi, n=1)
    response = login(luoxi).post(reverse("case-claim-new", args=[case.pk]), _form(id_number=id_no(1)))
    assert "在本案已登记" in response.content.decode()
    assert Claim.objects.filter(case=case).count() == 1


# --- confirming and correcting ---------------------------------------------------------------------------


def test_renshe_confirms_a_claim_at_another_amount_with_a_note(login, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = login(renshe).post(
        reverse("claim-confirm", args=[claim.pk]), {"amount": "9000", "note": "核减"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.confirmed_amount, claim.confirm_note) == (
        ClaimStatus.CONFIRMED,
        900_000,
        "核减",
    )


def test_a_different_amount_without_a_note_is_refused_and_kept(login, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = login(renshe).post(reverse("claim-confirm", args=[claim.pk]), {"amount": "9,000", "note": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "请说明理由" in html and "9,000" in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED


def test_the_town_cannot_confirm(login, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    assert login(luoxi).post(reverse("claim-confirm", args=[claim.pk]), {"amount": ""}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLAIMED


def test_renshe_confirms_every_pending_claim_at_once(login, luoxi, renshe, case):
    claims_on(case, luoxi, n=3)
    response = login(renshe).post(reverse("case-claims-confirm", args=[case.pk]))
    assert response.status_code == 302
    assert set(Claim.objects.filter(case=case).values_list("status", flat=True)) == {ClaimStatus.CONFIRMED}


def test_a_correction_is_recorded_with_its_reason(login, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    services.claim_confirm(actor=renshe, claim=claim)
    response = login(renshe).post(
        reverse("claim-correct", args=[claim.pk]), {"amount": "8000", "reason": "仲裁裁决金额"}
    )
    assert response.status_code == 302
    event = ClaimEvent.objects.get(claim=claim, kind="correct")
    assert (event.from_amount, event.to_amount, event.note) == (1_000_000, 800_000, "仲裁裁决金额")
    assert "仲裁裁决金额" in login(renshe).get(tab(case)).content.decode()


def test_a_correction_without_a_reason_is_refused(login, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    services.claim_confirm(actor=renshe, claim=claim)
    response = login(renshe).post(reverse("claim-correct", args=[claim.pk]), {"amount": "8000", "reason": ""})
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.confirmed_amount == 1_000_000


# --- paying ------------------------------------------------------------------------------------------------


def _pay(claim, amount="5000", **kw):
    return {
        "claim": str(claim.pk),
        "amount": amount,
        "paid_on": f"{timezone.localdate():%Y-%m-%d}",
        "source": "employer",
        "reference": "回单001",
        "note": "",
        **kw,
    }


def test_the_town_records_one_payment(login, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = login(luoxi).post(reverse("case-payment-new", args=[case.pk]), _pay(claim))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.paid == 500_000
    assert Payment.objects.get(claim=claim).reference == "回单001"


def test_a_payment_above_what_is_owed_is_refused_beside_the_amount(login, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = login(luoxi).post(reverse("case-payment-new", args=[case.pk]), _pay(claim, amount="10,000.01"))
    html = response.content.decode()
    assert response.status_code == 200 and "超过" in html and "10,000.01" in html
    assert not Payment.objects.filter(case=case).exists()


def test_a_payment_run_pays_every_row_given(login, luoxi, case):
    a, b, c = claims_on(case, luoxi, n=3)
    data = {
        "paid_on": f"{timezone.localdate():%Y-%m-%d}",
        "source": "general_contractor",
        "reference": "总包代付1",
        f"amount_{a.pk}": "10000",
        f"amount_{b.pk}": "2500.5",
        f"amount_{c.pk}": "",
    }
    response = login(luoxi).post(reverse("case-payment-run", args=[case.pk]), data)
    assert response.status_code == 302
    run = PaymentRun.objects.get(case=case)
    assert (run.rows, run.total, run.source) == (2, 1_250_050, "general_contractor")


def test_a_payment_run_with_one_row_too_high_writes_nothing(login, luoxi, case):
    a, b = claims_on(case, luoxi, n=2)
    data = {
        "paid_on": f"{timezone.localdate():%Y-%m-%d}",
        "source": "employer",
        f"amount_{a.pk}": "100",
        f"amount_{b.pk}": "10000.01",
    }
    response = login(luoxi).post(reverse("case-payment-run", args=[case.pk]), data)
    assert response.status_code == 200 and "超过" in response.content.decode()
    assert not Payment.objects.filter(case=case).exists() and not PaymentRun.objects.exists()


def test_the_office_reverses_a_payment_with_a_reason(login, luoxi, office, case):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    html = login(office).get(tab(case)).content.decode()
    assert f'data-testid="payment-reverse-{payment.pk}"' in html and "data-confirm" in html
    response = login(office).post(reverse("payment-reverse", args=[payment.pk]), {"reason": "重复登记"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.paid == 0
    assert Payment.objects.get(reverses=payment).note == "重复登记"


def test_a_reversal_without_a_reason_is_refused(login, luoxi, office, case):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    response = login(office).post(reverse("payment-reverse", args=[payment.pk]), {"reason": ""})
    assert response.status_code == 200 and "冲正理由" in response.content.decode()
    assert not Payment.objects.filter(reverses=payment).exists()


def test_the_town_may_not_reverse(login, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    assert (
        login(luoxi).post(reverse("payment-reverse", args=[payment.pk]), {"reason": "x"}).status_code == 403
    )


def test_the_tab_query_count_is_bounded(login, office, luoxi, case, django_assert_max_num_queries):
    claims = claims_on(case, luoxi, n=30)
    for claim in claims[:10]:
        services.payment_record(
            actor=luoxi, claim=claim, amount=100_000, paid_on=timezone.localdate(), source="employer"
        )
    client = login(office)
    with django_assert_max_num_queries(45):
        assert client.get(tab(case)).status_code == 200


# --- the ledgers --------------------------------------------------------------------------------------------


def test_the_claims_ledger_lists_the_claims_of_the_cases_a_user_sees(login, world, luoxi, xuejia, case):
    claims_on(case, luoxi)
    other = open_case(world.xuejia_factory, actor=xuejia)
    claims_on(other, xuejia, start=50, n=1)
    html = login(luoxi).get(reverse("claim-ledger")).content.decode()
    assert "工人1" in html and "工人50" not in html
    html = login(xuejia).get(reverse("claim-ledger")).content.decode()
    assert "工人1<" not in html and "工人50" in html


def test_the_claims_ledger_filters_by_name_status_and_paid(login, office, luoxi, renshe, case):
    a, _b = claims_on(case, luoxi)
    services.claim_confirm(actor=renshe, claim=a)
    services.payment_record(
        actor=luoxi, claim=a, amount=1_000_000, paid_on=timezone.localdate(), source="employer"
    )
    client = login(office)
    assert "工人2" not in client.get(reverse("claim-ledger") + "?q=工人1").content.decode()
    full = client.get(reverse("claim-ledger") + "?paid=full").content.decode()
    assert "工人1" in full and "工人2" not in full
    owed = client.get(reverse("claim-ledger") + "?paid=owed&status=claimed").content.decode()
    assert "工人2" in owed and "工人1<" not in owed
    by_id = client.get(reverse("claim-ledger") + f"?q={id_no(2)}").content.decode()
    assert "工人2" in by_id and "工人1<" not in by_id


def test_the_claims_ledger_exports_amounts_as_yuan_numbers_and_logs_it(login, office, luoxi, case):
    import io

    import openpyxl

    claims_on(case, luoxi, amount=1_234_567)
    response = login(office).get(reverse("claim-ledger") + "?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 2 and 12345.67 in rows[0]
    assert id_no(1) not in str(rows)
    assert SecurityEvent.objects.filter(kind="export", summary__contains="工资清偿台账").exists()


def test_the_payments_ledger_filters_by_source_and_exports(login, office, luoxi, case):
    a, b = claims_on(case, luoxi)
    today = timezone.localdate()
    services.payment_record(
        actor=luoxi, claim=a, amount=100_000, paid_on=today, source="employer", reference="R-A"
    )
    services.payment_record(
        actor=luoxi, claim=b, amount=200_000, paid_on=today, source="general_contractor", reference="R-B"
    )
    client = login(office)
    html = client.get(reverse("payment-ledger") + "?source=general_contractor").content.decode()
    assert "R-B" in html and "R-A" not in html
    response = client.get(reverse("payment-ledger") + f"?date_from={today:%Y-%m-%d}&export=xlsx")
    assert response.status_code == 200
    assert SecurityEvent.objects.filter(kind="export", summary__contains="工资支付台账").exists()


@pytest.mark.parametrize("url_name", ["claim-ledger", "payment-ledger"])
def test_the_ledgers_query_count_is_bounded(
    login, office, luoxi, world, url_name, django_assert_max_num_queries
):
    for n in range(3):
        case = open_case(world.luoxi_factory, actor=luoxi, separate=True)
        for claim in claims_on(case, luoxi, n=5, start=10 * n + 1):
            services.payment_record(
                actor=luoxi, claim=claim, amount=1_000, paid_on=timezone.localdate(), source="employer"
            )
    client = login(office)
    with django_assert_max_num_queries(20):
        assert client.get(reverse(url_name)).status_code == 200


def test_the_police_see_no_claims_in_the_ledger(login, gongan, luoxi, case):
    claims_on(case, luoxi)
    html = login(gongan).get(reverse("claim-ledger")).content.decode()
    assert "工人1" not in html


def test_the_menu_offers_the_ledgers_to_whoever_sees_cases_money(luoxi, gongan):
    from anxin.core import seam

    names = {item["url_name"] for item in seam.collect(seam.MENU, luoxi)}
    assert {"claim-ledger", "payment-ledger"} <= names
    assert "claim-ledger" not in {item["url_name"] for item in seam.collect(seam.MENU, gongan)}


def test_a_confirmation_leaves_its_diff_in_the_audit_log_with_the_id_number_masked(
    login, luoxi, renshe, case
):
    from auditlog.models import LogEntry

    (claim,) = claims_on(case, luoxi, n=1)
    login(renshe).post(reverse("claim-confirm", args=[claim.pk]), {"amount": "9000", "note": "核减"})
    entry = LogEntry.objects.get_for_object(claim).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert "confirmed_amount" in entry.changes_dict
    assert id_no(1) not in str(LogEntry.objects.get_for_object(claim).values_list("changes", flat=True))
