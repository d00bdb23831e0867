"""The claims and payments imports: all rows or none, every problem named by row and column, the same
checks from the screen (with its dry-run preview, opened from a case) and from ``manage.py import``."""

from __future__ import annotations

import io

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.money.importing import (
    CLAIM_COLUMNS,
    PAYMENT_COLUMNS,
    claim_import,
    claim_template,
    payment_import,
)
from anxin.money.models import Claim, Payment, PaymentRun
from anxin.money.tests.test_claims_views import claims_on, id_no, months_back

CLAIM_HEADERS = [c.header for c in CLAIM_COLUMNS]
PAYMENT_HEADERS = [c.header for c in PAYMENT_COLUMNS]


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


@pytest.fixture
def case(world, luoxi):
    return open_case(world.luoxi_factory, actor=luoxi)


def claim_row(case, n, *, amount="10000", name=""):
    return [
        case.number,
        name or f"工人{n}",
        id_no(n),
        "13812345678",
        f"{months_back(2):%Y-%m}",
        f"{months_back(0):%Y-%m}",
        "",
        amount,
        "工资支付台账",
    ]


# --- claims -------------------------------------------------------------------------------------------------


def test_every_row_of_a_good_file_is_registered(luoxi, case):
    content = xlsx(CLAIM_HEADERS, [claim_row(case, n) for n in range(1, 4)])
    result = claim_import(actor=luoxi, content=content, filename="名单.xlsx", dry_run=False)
    assert result.ok and result.created == 3
    assert sorted(Claim.objects.filter(case=case).values_list("amount", flat=True)) == [1_000_000] * 3


def test_a_dry_run_previews_and_writes_nothing(luoxi, case):
    content = xlsx(CLAIM_HEADERS, [claim_row(case, 1)])
    result = claim_import(actor=luoxi, content=content, filename="名单.xlsx", dry_run=True)
    assert result.ok and result.preview[0]["name"] == "工人1" and result.preview[0]["amount"] == "10,000.00"
    assert not Claim.objects.exists()


def test_one_bad_row_writes_nothing_and_is_named_by_row_and_column(luoxi, case):
    rows = [claim_row(case, 1), claim_row(case, 2, amount="-5"), claim_row(case, 3)]
    rows[2][8] = "口头约定"
    result = claim_import(actor=luoxi, content=xlsx(CLAIM_HEADERS, rows), filename="名单.xlsx", dry_run=False)
    assert not result.ok and not Claim.objects.exists()
    where = {(e.row, e.column) for e in result.errors}
    assert (3, "申报金额（元）") in where and (4, "认定依据") in where


def test_the_same_worker_twice_in_a_case_is_refused_at_the_second_row(luoxi, case):
    rows = [claim_row(case, 1), claim_row(case, 1, name="另一人")]
    result = claim_import(actor=luoxi, content=xlsx(CLAIM_HEADERS, rows), filename="名单.xlsx", dry_run=False)
    (error,) = result.errors
    assert (error.row, error.column) == (3, "身份证号") and "第 2 行" in error.message
    assert not Claim.objects.exists()


def test_a_worker_already_on_the_case_is_refused(luoxi, case):
    claims_on(case, luoxi, n=1)
    result = claim_import(
        actor=luoxi, content=xlsx(CLAIM_HEADERS, [claim_row(case, 1)]), filename="名单.xlsx", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]


def test_a_case_of_another_town_is_refused_as_unknown(world, luoxi, xuejia):
    other = open_case(world.xuejia_factory, actor=xuejia)
    result = claim_import(
        actor=luoxi, content=xlsx(CLAIM_HEADERS, [claim_row(other, 1)]), filename="名单.xlsx", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "案件编号")]
    assert not Claim.objects.exists()


def test_a_unit_that_does_not_lead_the_case_is_refused(renshe, case):
    result = claim_import(
        actor=renshe, content=xlsx(CLAIM_HEADERS, [claim_row(case, 1)]), filename="名单.xlsx", dry_run=False
    )
    assert result.errors and result.errors[0].column == "案件编号"
    assert not Claim.objects.exists()


def test_opened_for_a_case_the_rows_may_leave_the_case_number_blank(luoxi, case):
    row = claim_row(case, 1)
    row[0] = ""
    result = claim_import(
        actor=luoxi, content=xlsx(CLAIM_HEADERS, [row]), filename="名单.xlsx", dry_run=False, case=case
    )
    assert result.ok and Claim.objects.filter(case=case).count() == 1


def test_the_template_has_the_header_row(case):
    sheet = openpyxl.load_workbook(io.BytesIO(claim_template(case))).worksheets[0]
    assert [c.value for c in sheet[1]] == CLAIM_HEADERS
    assert sheet["A2"].value == case.number


def test_the_command_imports_claims(tmp_path, case):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx(CLAIM_HEADERS, [claim_row(case, 1), claim_row(case, 2)]))
    call_command("import", "claims", str(path))
    assert Claim.objects.filter(case=case).count() == 2


def test_the_command_refuses_a_bad_file_and_writes_nothing(tmp_path, case):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx(CLAIM_HEADERS, [claim_row(case, 1), claim_row(case, 2, amount="abc")]))
    with pytest.raises(CommandError, match="未写入"):
        call_command("import", "claims", str(path))
    assert not Claim.objects.exists()


# --- payments -----------------------------------------------------------------------------------------------


def pay_row(case, n, amount, *, source="企业自行支付", reference="回单1", on=None):
    return [case.number, id_no(n), amount, f"{on or timezone.localdate():%Y-%m-%d}", source, reference]


def test_rows_of_one_case_source_and_date_become_one_payment_run(luoxi, case):
    claims_on(case, luoxi, n=3)
    rows = [
        pay_row(case, 1, "10000"),
        pay_row(case, 2, "2500.50"),
        pay_row(case, 3, "100", source="总承包单位支付"),
    ]
    result = payment_import(
        actor=luoxi, content=xlsx(PAYMENT_HEADERS, rows), filename="支付.xlsx", dry_run=False
    )
    assert result.ok and result.created == 3
    runs = {(r.source, r.rows, r.total) for r in PaymentRun.objects.filter(case=case)}
    assert runs == {("employer", 2, 1_250_050), ("general_contractor", 1, 10_000)}


def test_a_payment_above_what_is_owed_refuses_the_whole_file(luoxi, case):
    claims_on(case, luoxi, n=2)
    rows = [pay_row(case, 1, "100"), pay_row(case, 2, "10000.01")]
    result = payment_import(
        actor=luoxi, content=xlsx(PAYMENT_HEADERS, rows), filename="支付.xlsx", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "金额（元）")]
    assert not Payment.objects.exists() and not PaymentRun.objects.exists()


def test_two_rows_for_one_worker_count_against_what_is_owed(luoxi, case):
    claims_on(case, luoxi, n=1)
    rows = [pay_row(case, 1, "6000", reference="A"), pay_row(case, 1, "4000.01", reference="B")]
    result = payment_import(
        actor=luoxi, content=xlsx(PAYMENT_HEADERS, rows), filename="支付.xlsx", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "金额（元）")]
    assert not Payment.objects.exists()


def test_a_worker_without_a_claim_on_the_case_is_refused(luoxi, case):
    claims_on(case, luoxi, n=1)
    rows = [pay_row(case, 1, "100"), pay_row(case, 5, "100")]
    result = payment_import(
        actor=luoxi, content=xlsx(PAYMENT_HEADERS, rows), filename="支付.xlsx", dry_run=False
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert not Payment.objects.exists()


def test_a_future_date_and_an_unknown_source_are_named(luoxi, case):
    import datetime

    claims_on(case, luoxi, n=2)
    rows = [
        pay_row(case, 1, "100", on=timezone.localdate() + datetime.timedelta(days=1)),
        pay_row(case, 2, "100", source="现金"),
    ]
    result = payment_import(
        actor=luoxi, content=xlsx(PAYMENT_HEADERS, rows), filename="支付.xlsx", dry_run=False
    )
    assert {(e.row, e.column) for e in result.errors} == {(2, "支付日期"), (3, "来源")}


def test_the_command_imports_a_payment_run(tmp_path, luoxi, case):
    claims_on(case, luoxi, n=2)
    path = tmp_path / "支付.csv"
    lines = [",".join(PAYMENT_HEADERS)] + [",".join(pay_row(case, n, "100")) for n in (1, 2)]
    path.write_text("\n".join(lines), encoding="utf-8")
    call_command("import", "payments", str(path))
    assert PaymentRun.objects.get(case=case).rows == 2
    assert PaymentRun.objects.get(case=case).recorded_by == system_actor()


# --- the screens ----------------------------------------------------------------------------------------------


def test_the_screen_opened_from_a_case_previews_then_imports(login, luoxi, case):
    client = login(luoxi)
    page = client.get(reverse("claim-import") + f"?case={case.pk}")
    assert page.status_code == 200 and f'value="{case.pk}"' in page.content.decode()
    upload = io.BytesIO(xlsx(CLAIM_HEADERS, [claim_row(case, 1)]))
    upload.name = "名单.xlsx"
    preview = client.post(reverse("claim-import"), {"file": upload, "case": case.pk})
    html = preview.content.decode()
    assert 'data-testid="import-preview"' in html and not Claim.objects.exists()
    token = preview.context["pending"]["token"]
    done = client.post(reverse("claim-import-confirm"), {"token": token})
    assert done.status_code == 302 and done["Location"].endswith("?tab=money")
    assert Claim.objects.filter(case=case).count() == 1


def test_the_screen_lists_every_error_and_offers_no_confirm(login, luoxi, case):
    upload = io.BytesIO(xlsx(CLAIM_HEADERS, [claim_row(case, 1, amount="x"), claim_row(case, 2, amount="y")]))
    upload.name = "名单.xlsx"
    html = login(luoxi).post(reverse("claim-import"), {"file": upload}).content.decode()
    assert 'data-testid="import-errors"' in html and "第 2 行" in html and "第 3 行" in html
    assert 'data-testid="import-confirm"' not in html


def test_the_payment_screen_imports_a_run(login, luoxi, case):
    claims_on(case, luoxi, n=2)
    client = login(luoxi)
    upload = io.BytesIO(xlsx(PAYMENT_HEADERS, [pay_row(case, 1, "100"), pay_row(case, 2, "200")]))
    upload.name = "支付.xlsx"
    preview = client.post(reverse("payment-import"), {"file": upload, "case": case.pk})
    token = preview.context["pending"]["token"]
    assert client.post(reverse("payment-import-confirm"), {"token": token}).status_code == 302
    assert PaymentRun.objects.get(case=case).total == 30_000


def test_the_template_downloads(login, luoxi, case):
    client = login(luoxi)
    for name in ("claim-import-template", "payment-import-template"):
        response = client.get(reverse(name) + f"?case={case.pk}")
        assert response.status_code == 200
        headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
        assert headers in (CLAIM_HEADERS, PAYMENT_HEADERS)


def test_a_leader_may_not_import(login, leader):
    assert login(leader).get(reverse("claim-import")).status_code == 403
    assert login(leader).get(reverse("payment-import")).status_code == 403


def test_the_screen_refuses_a_case_of_another_town(login, world, xuejia, luoxi):
    other = open_case(world.xuejia_factory, actor=xuejia)
    upload = io.BytesIO(xlsx(CLAIM_HEADERS, [claim_row(other, 1)]))
    upload.name = "名单.xlsx"
    html = login(luoxi).post(reverse("claim-import"), {"file": upload, "case": other.pk}).content.decode()
    assert "不在您的范围内" in html and 'data-testid="import-preview"' not in html
    assert not Claim.objects.exists()
