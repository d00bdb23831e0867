"""The 保证金 tab and the district's 保证金台账: what each persona gets, the forms (money in yuan with 元,
refusals kept on the page, nothing written), the list's filters and export, and bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.registry.models import Project
from anxin.sites.models import Deposit, DepositEvent, DepositStatus
from anxin.sites.tests.factories_deposits import case_with_grounds, held, required, with_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world):
    return with_contract(world.luoxi_project)


def tab_url(project: Project) -> str:
    return reverse("project-detail", args=[project.pk]) + "?tab=deposit"


def act_url(project: Project, do: str) -> str:
    return reverse("deposit-act", args=[project.pk, do])


@pytest.mark.parametrize(
    ("who", "status", "forms"),
    [
        ("office", 200, True),
        ("chengjian", 200, True),
        ("luoxi", 200, False),  # the project's town reads
        ("leader", 200, False),
        ("auditor", 200, False),
        ("xuejia", 404, False),  # another town: the project is not theirs
        ("shuili", 404, False),  # another line
    ],
)
def test_tab_for_each_persona(login, site, request, who, status, forms):
    client = login(request.getfixturevalue(who))
    answer = client.get(tab_url(site))
    assert answer.status_code == status
    if status == 200:
        html = answer.content.decode()
        assert 'data-testid="deposit-tab"' in html
        assert "1,000,000.00 元" in html  # the required amount, in yuan
        assert "人社部发〔2021〕65号" in html  # with the clause
        assert ('data-testid="deposit-require"' in html) is forms


def test_anonymous_is_sent_to_log_in(client, site):
    answer = client.get(tab_url(site))
    assert answer.status_code == 302 and "login" in answer["Location"]
    assert client.post(act_url(site, "require"), {"contract_signed_on": "2026-01-01"}).status_code == 302
    assert not Deposit.objects.exists()


def test_require_and_record_through_the_forms(login, site, chengjian):
    client = login(chengjian)
    today = timezone.localdate().isoformat()
    answer = client.post(act_url(site, "require"), {"contract_signed_on": today})
    assert answer.status_code == 302
    html = client.get(tab_url(site)).content.decode()
    assert 'data-testid="deposit-record"' in html
    assert "元" in html.split('name="amount"')[1][:400]  # 元 beside the box
    answer = client.post(
        act_url(site, "record"),
        {
            "form": "cash",
            "amount": "1,000,000.00",
            "deposited_on": today,
            "bank": "江苏银行",
            "reference": "3204",
        },
    )
    assert answer.status_code == 302
    deposit = Deposit.objects.get()
    assert deposit.status == DepositStatus.HELD
    html = client.get(tab_url(site)).content.decode()
    assert 'data-testid="deposit-ledger"' in html and "存储" in html


def test_a_refused_form_comes_back_with_the_message_and_writes_nothing(login, site, chengjian):
    required(site, chengjian)
    client = login(chengjian)
    before = DepositEvent.objects.count()
    answer = client.post(
        act_url(site, "record"),
        {"form": "cash", "amount": "100.00", "deposited_on": "2000-01-01", "bank": "银行", "reference": "R"},
    )
    assert answer.status_code == 400
    assert "存储日期不能早于合同签订日期" in answer.content.decode()
    assert DepositEvent.objects.count() == before


def test_a_town_cannot_post(login, site, luoxi):
    answer = login(luoxi).post(act_url(site, "require"), {"contract_signed_on": "2026-01-01"})
    assert answer.status_code == 403
    assert not Deposit.objects.exists()


def test_draw_and_payment_through_the_tab(login, site, chengjian, luoxi, renshe):
    deposit = held(site, chengjian)
    case, _claims = case_with_grounds(site, luoxi=luoxi, renshe=renshe)
    client = login(chengjian)
    html = client.get(tab_url(site)).content.decode()
    assert 'data-testid="deposit-draw"' in html and "data-confirm" in html
    assert client.post(act_url(site, "draw"), {"case": case.pk, "amount": "5,000.00"}).status_code == 302
    draw = deposit.draws.get()
    html = client.get(tab_url(site)).content.decode()
    assert 'data-testid="draw-paid"' in html
    answer = client.post(
        act_url(site, "paid"), {"draw": draw.pk, "paid_on": timezone.localdate().isoformat()}
    )
    assert answer.status_code == 302
    draw.refresh_from_db()
    assert draw.status == "paid"


def test_district_ledger_lists_filters_and_exports(
    login, site, chengjian, world, office, django_assert_max_num_queries
):
    held(site, chengjian)
    required(with_contract(world.menghe_river), office)
    client = login(office)
    with django_assert_max_num_queries(15):
        answer = client.get(reverse("deposit-list"))
    html = answer.content.decode()
    assert site.name in html and world.menghe_river.name in html
    only_held = client.get(reverse("deposit-list") + "?status=held").content.decode()
    assert site.name in only_held and world.menghe_river.name not in only_held
    export = client.get(reverse("deposit-list") + "?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_district_ledger_is_scoped(login, site, chengjian, world, xuejia, shuili):
    held(site, chengjian)
    required(with_contract(world.menghe_river), shuili)
    assert site.name not in login(xuejia).get(reverse("deposit-list")).content.decode()
    html = login(shuili).get(reverse("deposit-list")).content.decode()
    assert world.menghe_river.name in html and site.name not in html


def test_tab_queries_are_bounded(login, site, chengjian, luoxi, renshe, django_assert_max_num_queries):
    deposit = held(site, chengjian)
    case, _claims = case_with_grounds(site, luoxi=luoxi, renshe=renshe)
    from anxin.sites.services import deposits as services

    for _ in range(3):
        draw = services.draw_order(actor=chengjian, deposit=deposit, case=case, amount=10_000)
        services.draw_paid(actor=chengjian, draw=draw, paid_on=timezone.localdate())
    client = login(chengjian)
    with django_assert_max_num_queries(45):
        assert client.get(tab_url(site)).status_code == 200
