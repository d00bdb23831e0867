"""The worker who reported on the public portal sees, with the tracking code and their phone, how much of
their own claim has been confirmed and paid (issue 15, item 5) — through ``seam.SIGNAL_MONEY`` — and
nothing of anyone else's."""

from __future__ import annotations

import re

import pytest
from captcha.models import CaptchaStore
from django.test import Client

from anxin.cases.tests.factories import open_case
from anxin.intake import services as intake
from anxin.intake.models import Signal
from anxin.money import services as money
from anxin.money.models import Claim
from anxin.money.tests.factories_claims import claims, id_number, pay
from anxin.org.models import Town


def _report(town: Town, *, id_no: str, phone: str) -> Signal:
    return intake.portal_submit(
        facts={
            "employer_name": "罗溪纺织有限公司",
            "summary": "欠薪三个月",
            "reporter_phone": phone,
            "reporter_id_number": id_no,
            "amount": 1_234_500,  # ¥12,345.00 as reported: no claim's figure
            "workers": 1,
        },
        town=town,
        photos=[],
        ip="10.0.0.8",
    )


def _status_page(client: Client, signal: Signal, phone: str) -> str:
    """The report's status page as its reporter reads it, having proved code + phone."""
    html = client.get("/public/track/").content.decode()
    found = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html)
    assert found is not None
    key = found.group(1)
    answer = CaptchaStore.objects.get(hashkey=key).response
    client.post(
        "/public/track/",
        {"code": signal.tracking_code, "phone": phone, "captcha_0": key, "captcha_1": answer},
    )
    response = client.get(f"/public/track/{signal.tracking_code}/")
    assert response.status_code == 200
    return response.content.decode()


def _money_card(page: str) -> str:
    start = page.index('data-testid="portal-money"')
    return page[start : page.index("</div>\n</div>", start)]


@pytest.fixture
def reports(world, luoxi):
    """Two workers' reports on one case: worker 1 (¥10,000) and worker 2 (¥20,000), both claimed."""
    town = world.luoxi_factory.town
    mine = _report(town, id_no=id_number(1), phone="13912340001")
    theirs = _report(town, id_no=id_number(2), phone="13912340002")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[mine, theirs])
    claims(case, actor=luoxi)
    return mine, theirs


def test_before_confirmation_the_worker_reads_that_renshe_is_to_confirm(reports):
    mine, _theirs = reports
    card = _money_card(_status_page(Client(), mine, "13912340001"))
    assert "您的欠薪：待人社局确认" in card and "确认金额" not in card


def test_the_worker_reads_their_confirmed_amount_what_was_paid_and_what_is_owed(reports, luoxi, renshe):
    mine, _theirs = reports
    claim = Claim.objects.get(signal=mine)
    money.claim_confirm(actor=renshe, claim=claim, amount=900_000, note="考勤核减")
    claim.refresh_from_db()
    pay(claim, 400_000, actor=luoxi)
    card = _money_card(_status_page(Client(), mine, "13912340001"))
    assert "您的欠薪：确认金额 ¥9,000.00，已支付 ¥4,000.00，尚欠 ¥5,000.00" in card


def test_the_worker_sees_nothing_of_another_workers_claim(reports, luoxi, renshe):
    mine, theirs = reports
    money.claims_confirm(actor=renshe, case=Claim.objects.get(signal=mine).case)
    pay(Claim.objects.get(signal=theirs), 1_500_000, actor=luoxi)
    page = _status_page(Client(), mine, "13912340001")
    assert "确认金额 ¥10,000.00，已支付 ¥0.00，尚欠 ¥10,000.00" in _money_card(page)
    assert "20,000.00" not in page and "15,000.00" not in page and "工人2" not in page
    other = _status_page(Client(), theirs, "13912340002")
    assert "确认金额 ¥20,000.00，已支付 ¥15,000.00，尚欠 ¥5,000.00" in _money_card(other)
    assert "10,000.00" not in other and "工人1" not in other


def test_a_reporter_without_a_claim_sees_no_money(world, luoxi):
    town = world.luoxi_factory.town
    report = _report(town, id_no=id_number(5), phone="13912340005")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    claims(case, actor=luoxi)  # workers 1 and 2: not the reporter
    page = _status_page(Client(), report, "13912340005")
    assert 'data-testid="portal-money"' not in page and "10,000.00" not in page


def test_the_status_page_asks_money_in_one_query_through_the_seam(reports, django_assert_max_num_queries):
    from anxin.core import seam

    mine, _theirs = reports
    with django_assert_max_num_queries(1):
        found = seam.signal_money([mine.pk])
    assert found[mine.pk].outstanding == 1_000_000


def test_a_report_linked_to_the_case_after_its_claims_finds_the_reporters_claim(world, luoxi, renshe):
    from anxin.cases import services as case_services

    case = open_case(world.luoxi_factory, actor=luoxi)
    first, _second = claims(case, actor=luoxi)
    money.claim_confirm(actor=renshe, claim=first)
    first.refresh_from_db()
    pay(first, 250_000, actor=luoxi)
    late = _report(world.luoxi_factory.town, id_no=id_number(1), phone="13912340001")
    case_services.case_link(actor=luoxi, case=case, signals=[late])
    card = _money_card(_status_page(Client(), late, "13912340001"))
    assert "确认金额 ¥10,000.00，已支付 ¥2,500.00，尚欠 ¥7,500.00" in card


def test_a_report_linked_late_by_another_worker_finds_nothing(world, luoxi):
    from anxin.cases import services as case_services
    from anxin.core import seam

    case = open_case(world.luoxi_factory, actor=luoxi)
    claims(case, actor=luoxi)  # workers 1 and 2
    late = _report(world.luoxi_factory.town, id_no=id_number(8), phone="13912340008")
    case_services.case_link(actor=luoxi, case=case, signals=[late])
    assert seam.signal_money([late.pk]) == {}


def test_a_report_on_no_case_finds_nothing_even_with_a_claimed_id_number(world, luoxi):
    from anxin.core import seam

    case = open_case(world.luoxi_factory, actor=luoxi)
    claims(case, actor=luoxi)
    unlinked = _report(world.luoxi_factory.town, id_no=id_number(1), phone="13912340001")
    assert seam.signal_money([unlinked.pk]) == {}


def test_finding_a_late_linked_reports_claim_asks_four_queries_at_most(
    world, luoxi, django_assert_max_num_queries
):
    from anxin.cases import services as case_services
    from anxin.core import seam

    case = open_case(world.luoxi_factory, actor=luoxi)
    claims(case, actor=luoxi)
    late = _report(world.luoxi_factory.town, id_no=id_number(2), phone="13912340002")
    case_services.case_link(actor=luoxi, case=case, signals=[late])
    with django_assert_max_num_queries(4):
        found = seam.signal_money([late.pk])
    assert found[late.pk].outstanding == 2_000_000
