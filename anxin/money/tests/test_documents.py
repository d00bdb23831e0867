"""The receipt list (签收表) of a case, as Excel and as Word: it opens, lists every worker with the masked
ID number, the confirmed amount and what was paid, has an empty signature column, and is logged as an
export."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core.models import SecurityEvent
from anxin.money import services
from anxin.money.tests.test_claims_views import claims_on, id_no


@pytest.fixture
def case(world, luoxi, renshe):
    case = open_case(world.luoxi_factory, actor=luoxi)
    claims = claims_on(case, luoxi, n=3, amount=1_234_500)
    services.claims_confirm(actor=renshe, case=case)
    services.payment_record(
        actor=luoxi, claim=claims[0], amount=1_234_500, paid_on=timezone.localdate(), source="employer"
    )
    return case


def test_the_excel_receipt_list_has_every_worker_and_an_empty_signature_column(login, office, case):
    response = login(office).get(reverse("case-receipts-xlsx", args=[case.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["序号", "姓名", "身份证号"] and "本人签名" in header
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert [r[1] for r in rows] == ["工人1", "工人2", "工人3"]
    assert rows[0][3] == 12345 and rows[0][4] == 12345 and rows[1][4] == 0
    assert all(r[header.index("本人签名")] is None for r in rows)
    assert id_no(1) not in str(rows)


def test_the_word_receipt_list_has_every_worker(login, office, case):
    response = login(office).get(reverse("case-receipts-docx", args=[case.pk]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    table = document.tables[-1]
    names = [row.cells[1].text for row in table.rows[1:]]
    assert names == ["工人1", "工人2", "工人3"]
    assert table.rows[0].cells[-1].text == "本人签名" and all(r.cells[-1].text == "" for r in table.rows[1:])
    assert table.rows[1].cells[3].text == "12,345.00"
    assert id_no(1) not in "".join(c.text for r in table.rows for c in r.cells)


def test_each_download_is_logged_as_an_export(login, office, case):
    client = login(office)
    client.get(reverse("case-receipts-xlsx", args=[case.pk]))
    client.get(reverse("case-receipts-docx", args=[case.pk]))
    assert SecurityEvent.objects.filter(kind="export", summary__contains="签收表").count() == 2


@pytest.mark.parametrize("persona", ["xuejia", "gongan"])
def test_another_town_and_the_police_get_a_404(request, login, case, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("case-receipts-xlsx", args=[case.pk])).status_code == 404


def test_the_lead_town_may_download_it(login, luoxi, case):
    assert login(luoxi).get(reverse("case-receipts-docx", args=[case.pk])).status_code == 200
