"""The joint-punishment list's screens per persona: 人社局 and the office decide; 城建局 and the towns
read within their scope (404 outside it) and get 403 on every step; the public is sent to log in.
The ledger's filters, pages and export, the documents with the recorded facts, the case page's
失信惩戒 tab, the enterprise's 信用 tab and the overview's card."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from anxin.credit import services
from anxin.credit.models import Listing, ListingStatus
from anxin.credit.tests.factories_listing import (
    PDF,
    at,
    day,
    listable_case,
    listed,
    new_enterprise,
    paid_in_full,  # noqa: F401  (a fixture)
    pledge,
    proposed,
    served,
)

pytestmark = pytest.mark.django_db

DECIDERS = ["office", "renshe"]


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def listing(renshe):
    return served(renshe, proposed(renshe), on="2026-03-02")  # an enterprise in 罗溪


# --- the ledger -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("office", True), ("renshe", True), ("luoxi", True), ("xuejia", False), ("chengjian", False)],
)
def test_the_ledger_shows_what_each_persona_sees(request, login, listing, persona, sees):
    response = login(request.getfixturevalue(persona)).get(reverse("credit-listings"))
    assert response.status_code == 200
    assert (listing.number in response.content.decode()) is sees


def test_the_ledger_needs_a_login(login, listing):
    response = login(None).get(reverse("credit-listings"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_ledger_filters_and_searches(login, renshe, listing):
    client = login(renshe)
    other = proposed(renshe, on="2026-03-03T09:00")
    url = reverse("credit-listings")
    page = client.get(url, {"q": listing.enterprise.uscc}).content.decode()
    assert listing.number in page and other.number not in page
    page = client.get(url, {"status": "proposed"}).content.decode()
    assert other.number in page and listing.number not in page
    page = client.get(url, {"q": listing.number}).content.decode()
    assert listing.number in page and other.number not in page
    with time_machine.travel(at("2026-03-06T10:00"), tick=False):  # the period ends 03-09: within 3 days
        page = client.get(url, {"due": "defence"}).content.decode()
    assert listing.number in page and other.number not in page
    page = client.get(url, {"town": "xuejia"}).content.decode()
    assert listing.number not in page


def test_the_ledger_is_bounded_in_queries(login, renshe, django_assert_max_num_queries):
    for n in range(5):
        proposed(renshe, on=f"2026-03-0{n + 2}T09:00")
    client = login(renshe)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("credit-listings"))
    assert response.status_code == 200 and response.content.decode().count("XB-SX-") >= 5


def test_terms_ending_this_month(login, renshe):
    ending = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2029-03-05T10:00"), tick=False):
        page = login(renshe).get(reverse("credit-listings"), {"due": "term"}).content.decode()
    assert ending.number in page
    with time_machine.travel(at("2029-04-05T10:00"), tick=False):
        page = login(renshe).get(reverse("credit-listings"), {"due": "term"}).content.decode()
    assert ending.number not in page


def test_the_ledger_exports_to_excel(login, renshe, auditor, listing):
    response = login(renshe).get(reverse("credit-listings"), {"export": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    response = login(auditor).get(reverse("credit-listings"), {"export": "xlsx"})
    assert response.status_code == 302  # auditors read, never export


# --- the listing's page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "forms"),
    [
        ("office", 200, True),
        ("renshe", 200, True),
        ("luoxi", 200, False),
        ("xuejia", 404, False),
        ("chengjian", 404, False),
    ],
)
def test_the_page_per_persona(request, login, listing, persona, status, forms):
    response = login(request.getfixturevalue(persona)).get(reverse("credit-listing", args=[listing.pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert listing.number in page and "listing-timeline" in page
        assert ("listing-decide-form" in page) is forms
        assert ("listing-defence-form" in page) is forms


def test_a_construction_enterprise_is_read_by_chengjian(login, renshe, chengjian):
    builder = new_enterprise(kinds=("construction",), industry="E")
    found = proposed(renshe, listable_case(renshe, builder))
    response = login(chengjian).get(reverse("credit-listing", args=[found.pk]))
    assert response.status_code == 200 and "listing-serve-form" not in response.content.decode()


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "caizheng", "auditor", "leader"])
def test_only_deciders_act(request, login, listing, persona):
    url = reverse("credit-listing-act", args=[listing.pk, "decide"])
    response = login(request.getfixturevalue(persona)).post(
        url, {"decision": "list", "decided_on": "2026-03-20", "reasons": "符合"}
    )
    assert response.status_code in (403, 404)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.NOTICED


def test_luoxi_is_refused_with_403(login, luoxi, listing):
    response = login(luoxi).post(reverse("credit-listing-act", args=[listing.pk, "drop"]), {"reasons": "x"})
    assert response.status_code == 403


def test_the_steps_through_the_page(login, renshe):
    listing = proposed(renshe)
    act = lambda do: reverse("credit-listing-act", args=[listing.pk, do])  # noqa: E731
    with time_machine.travel(at("2026-03-02T10:00"), tick=False):
        client = login(renshe)  # a session idle for days is closed: sign in on each day
        response = client.post(
            act("serve"),
            {
                "reference": "新人社信告〔2026〕7号",
                "served_on": "2026-03-02",
                "issued_on": "2026-03-02",
                "method": "直接送达",
            },
        )
        assert response.status_code == 302
        response = client.post(
            act("decide"), {"decision": "list", "decided_on": "2026-03-02", "reasons": "符合"}
        )
        assert response.status_code == 400
        assert "尚未届满" in response.content.decode()
    with time_machine.travel(at("2026-03-05T10:00"), tick=False):
        client = login(renshe)
        response = client.post(act("defence"), {"received_on": "2026-03-05", "summary": "资金困难"})
        assert response.status_code == 302
        defence = listing.defences.get()
        response = client.post(
            act("answer"), {"statement": defence.pk, "adopted": "no", "answer": "不予采纳"}
        )
        assert response.status_code == 302
    with time_machine.travel(at("2026-03-10T10:00"), tick=False):
        client = login(renshe)
        response = client.post(
            act("decide"), {"decision": "list", "decided_on": "2026-03-10", "reasons": "符合"}
        )
        assert response.status_code == 302
        page = client.get(reverse("credit-listing", args=[listing.pk])).content.decode()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LISTED
    assert "2026-03-10 至 2029-03-09" in page and "决定列入" in page


def test_a_refused_step_keeps_what_was_typed(login, renshe, listing):
    response = login(renshe).post(
        reverse("credit-listing-act", args=[listing.pk, "defence"]),
        {"received_on": "2026-03-20", "summary": "逾期的申辩内容"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "逾期的申辩内容" in page and "届满" in page


def test_early_removal_through_the_page_needs_the_pledge(login, renshe):
    listing = listed(renshe, decided="2026-03-20")
    client = login(renshe)
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        response = client.post(
            reverse("credit-listing-act", args=[listing.pk, "removal_apply"]),
            {"applied_on": "2026-10-08", "corrected_on": "2026-03-01"},
        )
    assert response.status_code == 400
    assert not listing.removals.exists()


# --- proposing ------------------------------------------------------------------------------------------


def test_propose_by_credit_code(login, renshe):
    case = listable_case(renshe)
    client = login(renshe)
    assert client.get(reverse("credit-listing-new")).status_code == 200
    response = client.post(
        reverse("credit-listing-new"),
        {"uscc": case.enterprise.uscc, "condition": "order_threshold", "reasons": "拒不支付"},
    )
    listing = Listing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "credit-listing", args=[listing.pk]
    )
    assert listing.case == case


def test_propose_without_a_condition_names_article_five(login, renshe):
    case = listable_case(renshe)
    response = login(renshe).post(
        reverse("credit-listing-new"), {"case_number": case.number, "condition": "", "reasons": "欠薪"}
    )
    assert response.status_code == 400 and "第五条" in response.content.decode()
    assert not Listing.objects.exists()


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "caizheng"])
def test_propose_is_for_deciders_only(request, login, persona):
    assert login(request.getfixturevalue(persona)).get(reverse("credit-listing-new")).status_code == 403


# --- documents ------------------------------------------------------------------------------------------


def test_the_notice_prints_the_recorded_facts(login, renshe, listing):
    response = login(renshe).get(reverse("credit-listing-document", args=[listing.pk, "notice"]))
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    text = _text(response.content)
    assert listing.enterprise.name in text and listing.enterprise.uscc in text
    assert "新人社信告〔2026〕1号" in text and "2026年3月9日" in text  # the reference, the defence period
    assert "多人标准（达到）" in text and "第五条第（一）项" in text
    assert "陈述、申辩" in text
    assert "常州市新北区人力资源和社会保障局" in text and "12333" in text  # the unit and its phone
    # Logged as an export; a GET writes nothing to the listing's history.
    from anxin.core.models import SecurityEvent, SecurityEventKind

    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.EXPORT, summary__contains="拟列入告知书"
    ).exists()
    assert not listing.events.filter(action="document").exists()


def test_the_decision_prints_persons_masked_and_the_term(login, renshe):
    listing = listed(renshe, decided="2026-03-20")
    person = listing.persons.get()
    text = _text(login(renshe).get(reverse("credit-listing-document", args=[listing.pk, "decision"])).content)
    assert person.id_masked in text and person.id_number not in text
    assert "2026年3月20日起至2029年3月19日止" in text
    assert "经复核，符合列入条件" in text and "行政复议" in text


def test_the_decision_is_not_there_before_the_decision(login, renshe, listing):
    assert (
        login(renshe).get(reverse("credit-listing-document", args=[listing.pk, "decision"])).status_code
        == 404
    )


def test_the_not_listed_decision(login, renshe, listing):
    with time_machine.travel(at("2026-03-20T10:00"), tick=False):
        services.listing_decide(actor=renshe, listing=listing, decision="not_list", reasons="已全部清偿")
    text = _text(
        login(renshe).get(reverse("credit-listing-document", args=[listing.pk, "not-listed"])).content
    )
    assert "已全部清偿" in text and "不将你单位列入" in text


@pytest.mark.usefixtures("paid_in_full")
def test_the_removal_decision_and_the_pledge(login, renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        application = services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="已清偿",
        )  # fmt: skip
        services.removal_decide(actor=renshe, application=application, grant=True, reasons="符合提前移出条件")
    client = login(renshe)
    text = _text(client.get(reverse("credit-removal-document", args=[listing.pk, application.pk])).content)
    assert "符合提前移出条件" in text and "2026年10月8日" in text and "尚欠 ¥0.00" in text
    response = client.get(reverse("credit-listing-file", args=[listing.pk, application.pledge_id]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_a_document_outside_the_scope_is_404(login, xuejia, listing):
    assert (
        login(xuejia).get(reverse("credit-listing-document", args=[listing.pk, "notice"])).status_code == 404
    )


# --- the case's tab, the enterprise's tab, the overview -------------------------------------------------


def test_the_case_tab_shows_the_check_and_offers_the_proposal(login, renshe, luoxi):
    case = listable_case(renshe)
    url = reverse("case-detail", args=[case.pk]) + "?tab=credit"
    page = login(renshe).get(url).content.decode()
    assert "case-credit-tab" in page and "多人标准（达到）" in page and "case-credit-propose" in page
    page = login(luoxi).get(url).content.decode()
    assert "case-credit-tab" in page and "case-credit-propose" not in page
    response = login(renshe).get(reverse("credit-listing-new"), {"case": case.pk})
    assert case.number in response.content.decode()


def test_the_enterprise_tab_shows_the_listing_in_force(login, renshe, luoxi):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-04-01T10:00"), tick=False):
        page = (
            login(luoxi)
            .get(reverse("enterprise-detail", args=[listing.enterprise.uscc]) + "?tab=credit")
            .content.decode()
        )
    assert "credit-listed" in page and listing.number in page


def test_the_overview_counts(login, renshe, listing):
    with time_machine.travel(at("2026-03-12T10:00"), tick=False):
        page = login(renshe).get(reverse("credit-overview")).content.decode()
    assert "credit-listing-card" in page
    assert 'data-testid="credit-card-decisions">1<' in page


def test_the_early_removal_form_is_offered_from_the_first_allowed_day(login, renshe):
    listing = listed(renshe, decided="2026-03-20")
    url = reverse("credit-listing", args=[listing.pk])
    with time_machine.travel(at("2026-09-19T10:00"), tick=False):
        page = login(renshe).get(url).content.decode()
    assert 'data-testid="listing-removal-form"' not in page and "最早 2026-09-20 可以申请" in page
    with time_machine.travel(at("2026-09-20T10:00"), tick=False):
        page = login(renshe).get(url).content.decode()
    assert 'data-testid="listing-removal-form"' in page
