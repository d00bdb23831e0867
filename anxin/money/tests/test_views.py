"""Money on cases' pages: the schedule on the legal action's page for who may see the action (the
forms for who may use them, nothing for others), the forms posted through the seam, and "paid so
far" on the case page, the Excel ledger, the API and the summary — asked once per page."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anxin.money import services as money
from anxin.money.models import Instalment
from anxin.money.tests.factories import closed_case, mediation

PAID_FORM = 'action="/cases/instalments/{pk}/paid/"'


@pytest.fixture
def scheduled(world, luoxi, sifa):
    """A mediation on a 罗溪 case handled by 司法局, with one instalment due today."""
    action = mediation(world.luoxi_factory, lead=luoxi)
    (item,) = money.instalments_set(actor=sifa, action=action, rows=[(timezone.localdate(), 3_000_000)])
    return action, item


@pytest.mark.parametrize(
    ("persona", "sees", "may_pay", "may_schedule"),
    [
        ("sifa", True, True, True),  # the handling unit
        ("luoxi", True, True, False),  # the lead unit records payments, does not set the schedule
        ("office", True, True, True),
        ("auditor", True, False, False),  # reads only
        ("xuejia", False, False, False),  # another town: the action does not exist for it
        ("chengjian", False, False, False),  # a department with no part in the case
    ],
)
def test_the_action_page_shows_the_schedule_to_who_may_see_it(
    scheduled, login, request, persona, sees, may_pay, may_schedule
):
    action, item = scheduled
    response = login(request.getfixturevalue(persona)).get(f"/cases/actions/{action.pk}/")
    if not sees:
        assert response.status_code == 404
        return
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="instalments"' in body and "¥30,000.00" in body
    assert (PAID_FORM.format(pk=item.pk) in body) is may_pay
    assert ('data-testid="schedule-form"' in body) is may_schedule


def test_someone_who_cannot_see_the_action_cannot_pay_its_instalment(scheduled, login, xuejia):
    _action, item = scheduled
    response = login(xuejia).post(f"/cases/instalments/{item.pk}/paid/", {"paid_on": timezone.localdate()})
    assert response.status_code == 404
    assert Instalment.objects.get(pk=item.pk).paid_on is None


def test_a_refused_payment_comes_back_on_the_action_page_with_what_was_typed(scheduled, login, sifa):
    _action, item = scheduled
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(sifa).post(
        f"/cases/instalments/{item.pk}/paid/", {"paid_on": tomorrow.isoformat(), "note": "转账（用户输入）"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "实付日期不能晚于今天" in body and "转账（用户输入）" in body


def test_the_schedule_form_posts_to_the_action_page_and_a_unit_that_does_not_handle_it_is_refused(
    scheduled, login, luoxi, sifa
):
    action, item = scheduled
    response = login(luoxi).post(
        f"/cases/actions/{action.pk}/", {"do": "instalments", "schedule": "2027-01-10 100"}, follow=True
    )
    assert "只有承办单位或联席办可以登记履行计划" in response.content.decode()
    assert list(Instalment.objects.filter(action=action)) == [item]
    response = login(sifa).post(
        f"/cases/actions/{action.pk}/", {"do": "instalments", "schedule": "2027-01-10 100"}, follow=True
    )
    assert "已登记履行计划 1 期。" in response.content.decode()
    assert login(sifa).post(f"/cases/actions/{action.pk}/", {"do": "nothing"}).status_code == 404


# --- paid so far on cases' pages ---------------------------------------------------------------------------


def _payment_queries(queries: CaptureQueriesContext) -> int:
    return sum("money_payment" in q["sql"] for q in queries)


def test_the_closed_case_page_and_summary_show_what_the_ledger_says(world, login, luoxi):
    case = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_345_678)
    body = login(luoxi).get(f"/cases/{case.pk}/").content.decode()
    assert "全额清偿，已支付 ¥123,456.78" in body
    from docx import Document

    summary = login(luoxi).get(f"/cases/{case.pk}/summary.docx")
    cells = [c.text for row in Document(io.BytesIO(summary.content)).tables[0].rows for c in row.cells]
    assert "全额清偿，已支付 123,456.78 元" in cells


@pytest.mark.parametrize("closed", [2, 12])
def test_the_api_list_asks_paid_so_far_once_per_page(world, api_client, office, closed):
    from anxin.org.tests.helpers import api_token

    for n in range(closed):
        closed_case(world.luoxi_factory, actor=office, amount_paid=12_000_000 + n, separate=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(office)}")
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/cases/")
    assert response.status_code == 200
    assert _payment_queries(queries) == 1
    paid = sorted(row["amount_paid"] for row in response.json()["results"])
    assert paid == [f"{120_000 + n / 100:.2f}" for n in range(closed)]


def test_the_excel_ledger_reads_paid_so_far_once(world, login, office):
    from openpyxl import load_workbook

    for n in range(3):
        closed_case(world.luoxi_factory, actor=office, amount_paid=12_000_000 + n * 100, separate=True)
    with CaptureQueriesContext(connection) as queries:
        response = login(office).get("/cases/", {"export": "xlsx"})
    assert response.status_code == 200 and _payment_queries(queries) == 1
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=5)) if c.value]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert {120_000.0, 120_001.0, 120_002.0} <= set(values), header  # yuan, as number cells
