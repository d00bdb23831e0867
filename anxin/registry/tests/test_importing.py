"""Enterprise import (§四(一) 排查摸底): all rows or none, errors by spreadsheet row and column.

Covers ``anxin.registry.importing`` (on ``anxin.core.tabular``), the ``manage.py import
enterprises`` command and the upload → preview → confirm screens. Spreadsheets are built in
memory; the header is row 1, so the first data row is row 2, as a clerk sees it in Excel.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.core.tabular import TableError
from anxin.registry.importing import COLUMNS, enterprise_import
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import enterprise, make_uscc

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "所属镇/街道",
    "地址",
    "行业门类",
    "经济类型",
    "企业类型",
    "职工人数",
    "经营状态",
    "联系人",
    "联系电话",
    "备注",
]
REQUIRED_HEADERS = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇/街道", "地址", "行业门类"]


def row(**cells) -> dict[str, object]:
    """One valid data row by header; keyword arguments replace cells (keys as in ``_KEYS``)."""
    values: dict[str, object] = {
        "统一社会信用代码": make_uscc(),
        "企业名称": "常州市罗溪导入机械有限公司",
        "法定代表人": "王五",
        "所属镇/街道": "罗溪镇",
        "地址": "罗溪镇工业园1号",
        "行业门类": "C",
        "经济类型": "私营",
        "企业类型": "工业企业、劳动密集型",
        "职工人数": "120",
        "经营状态": "在营",
        "联系人": "李四",
        "联系电话": "13812345678",
        "备注": "",
    }
    for key, value in cells.items():
        values[_KEYS[key]] = value
    return values


_KEYS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "legal_rep": "法定代表人",
    "town": "所属镇/街道",
    "address": "地址",
    "industry": "行业门类",
    "ownership": "经济类型",
    "kinds": "企业类型",
    "employees": "职工人数",
    "status": "经营状态",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "note": "备注",
}


def xlsx(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], *, encoding: str, headers: list[str] = HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in rows:
        writer.writerow([values.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def run(actor, content: bytes, *, filename: str = "企业.xlsx", dry_run: bool = False):
    return enterprise_import(actor=actor, content=content, filename=filename, dry_run=dry_run)


def errors_at(result) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in result.errors]


# --- good files -------------------------------------------------------------------------------


def test_good_file_creates_every_row(office):
    rows = [row(name=f"导入企业{i}有限公司") for i in range(3)]

    result = run(office, xlsx(rows))

    assert result.ok
    assert result.created == 3
    assert Enterprise.objects.filter(uscc__in=[r["统一社会信用代码"] for r in rows]).count() == 3


def test_imported_row_stores_every_column(office):
    code = make_uscc()
    run(office, xlsx([row(uscc=code, ownership="外商投资", status="停产", contact_phone="0519-85123456")]))

    enterprise = Enterprise.objects.get(uscc=code)
    assert (enterprise.town.code, enterprise.industry, enterprise.ownership, enterprise.status) == (
        "luoxi",
        "C",
        "foreign",
        "suspended",
    )
    assert enterprise.employees == 120
    assert enterprise.contact_phone == "0519-85123456"
    assert {k.code for k in enterprise.kinds.all()} == {"industrial", "labour_intensive"}


def test_same_file_imported_twice_leaves_one_record_per_code(office):
    content = xlsx([row(), row()])
    run(office, content)
    before = Enterprise.objects.count()

    run(office, content)

    assert Enterprise.objects.count() == before


def test_same_file_imported_twice_reports_every_row_unchanged(office):
    content = xlsx([row(), row()])
    run(office, content)

    result = run(office, content)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert [p["action"] for p in result.preview] == ["无变化", "无变化"]


def test_reimport_with_a_changed_cell_updates_that_enterprise(office):
    first, second = row(), row()
    run(office, xlsx([first, second]))
    second["职工人数"] = "300"

    result = run(office, xlsx([first, second]))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Enterprise.objects.get(uscc=second["统一社会信用代码"]).employees == 300


def test_lower_case_space_padded_code_is_stored_normalised(office):
    code = make_uscc()

    result = run(office, xlsx([row(uscc=f"  {code.lower()}  ")]))

    assert result.ok
    assert Enterprise.objects.filter(uscc=code).exists()


def test_csv_in_gbk_is_read(office):
    code = make_uscc()

    result = run(office, csv_bytes([row(uscc=code)], encoding="gb18030"), filename="企业.csv")

    assert result.ok
    assert Enterprise.objects.get(uscc=code).name == "常州市罗溪导入机械有限公司"


def test_csv_in_utf8_with_bom_is_read(office):
    code = make_uscc()

    result = run(office, csv_bytes([row(uscc=code)], encoding="utf-8-sig"), filename="企业.csv")

    assert result.ok
    assert Enterprise.objects.get(uscc=code).town.code == "luoxi"


def test_dry_run_writes_nothing(office):
    before = Enterprise.objects.count()

    result = run(office, xlsx([row(), row()]), dry_run=True)

    assert result.ok
    assert [p["action"] for p in result.preview] == ["新增", "新增"]
    assert Enterprise.objects.count() == before


def test_successful_import_logs_an_import_security_event(office):
    run(office, xlsx([row()]))

    assert SecurityEvent.objects.filter(kind=SecurityEventKind.IMPORT, user=office).count() == 1


# --- bad rows: nothing written, each problem named by row and column --------------------------


def test_file_with_one_bad_row_writes_nothing(office):
    before = Enterprise.objects.count()
    rows = [row(), row(town="火星镇"), row()]

    result = run(office, xlsx(rows))

    assert not result.ok
    assert result.created == 0
    assert Enterprise.objects.count() == before


def test_bad_check_character_is_reported_by_row_and_code_column(office):
    code = make_uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    result = run(office, xlsx([row(), row(uscc=wrong)]))

    assert errors_at(result) == [(3, "统一社会信用代码")]
    assert "校验位" in result.errors[0].message


def test_unknown_town_is_reported_by_row_and_town_column(office):
    result = run(office, xlsx([row(town="火星镇")]))

    assert errors_at(result) == [(2, "所属镇/街道")]
    assert "火星镇" in result.errors[0].message


def test_unknown_enterprise_kind_is_reported_by_row_and_kind_column(office):
    result = run(office, xlsx([row(kinds="工业企业、外星企业")]))

    assert errors_at(result) == [(2, "企业类型")]
    assert "外星企业" in result.errors[0].message


@pytest.mark.parametrize("employees", ["-3", "12.5", "十二", -3, 12.5])
def test_employee_count_must_be_a_non_negative_integer(office, employees):
    result = run(office, xlsx([row(employees=employees)]))

    assert errors_at(result) == [(2, "职工人数")]


@pytest.mark.parametrize("header", REQUIRED_HEADERS)
def test_missing_required_cell_is_reported_by_row_and_column(office, header):
    values = row()
    values[header] = ""

    result = run(office, xlsx([row(), values]))

    assert errors_at(result) == [(3, header)]


@pytest.mark.parametrize(
    "header, value",
    [("行业门类", "Z"), ("经济类型", "合资"), ("经营状态", "倒闭"), ("联系电话", "12345")],
)
def test_invalid_choice_or_phone_is_reported_by_row_and_column(office, header, value):
    values = row()
    values[header] = value

    result = run(office, xlsx([values]))

    assert errors_at(result) == [(2, header)]


def test_ambiguous_ownership_text_is_refused_rather_than_guessed(office):
    # “投资” ends both 外商投资 and 港澳台投资; the import must not pick one.
    result = run(office, xlsx([row(ownership="投资")]))

    assert errors_at(result) == [(2, "经济类型")]


@pytest.mark.parametrize("text, code", [("C", "C"), ("c", "C"), ("制造业", "C"), ("C 制造业", "C")])
def test_industry_is_read_from_its_letter_or_its_name(office, text, code):
    uscc = make_uscc()

    run(office, xlsx([row(uscc=uscc, industry=text)]))

    assert Enterprise.objects.get(uscc=uscc).industry == code


def test_every_bad_row_is_reported_not_just_the_first(office):
    rows = [row(town="火星镇"), row(), row(employees="-1"), row(name="")]

    result = run(office, xlsx(rows))

    assert errors_at(result) == [(2, "所属镇/街道"), (4, "职工人数"), (5, "企业名称")]


def test_duplicate_code_within_one_file_is_reported_on_the_later_row(office):
    code = make_uscc()

    result = run(office, xlsx([row(uscc=code), row(), row(uscc=code.lower())]))

    assert errors_at(result) == [(4, "统一社会信用代码")]
    assert "第 2 行" in result.errors[0].message


def test_error_text_names_row_and_column_as_the_clerk_sees_them(office):
    result = run(office, xlsx([row(), row(town="火星镇")]))

    assert str(result.errors[0]).startswith("第 3 行“所属镇/街道”列：")


# --- the file as a whole ----------------------------------------------------------------------


def test_unknown_header_column_is_rejected_naming_it(office):
    with pytest.raises(TableError, match="未识别的列：注册资本"):
        run(office, xlsx([row()], headers=[*HEADERS, "注册资本"]))


def test_missing_required_header_column_is_rejected_naming_it(office):
    headers = [h for h in HEADERS if h != "法定代表人"]

    with pytest.raises(TableError, match="缺少必填列：法定代表人"):
        run(office, xlsx([row()], headers=headers))


def test_code_typed_as_a_number_is_refused_asking_for_text_format(office):
    # Excel keeps 15 significant digits: an 18-digit code typed into a number cell is stored as a
    # float such as 9.13204111234567E+17, its last digits already lost.
    values = row(uscc=9.13204111234567e17)

    with pytest.raises(TableError, match="设为文本格式"):
        run(office, xlsx([values]))


# --- who may import what ----------------------------------------------------------------------


def test_town_user_cannot_import_a_row_for_another_town(luoxi):
    result = run(luoxi, xlsx([row(), row(town="薛家镇")]))

    assert errors_at(result) == [(3, "所属镇/街道")]
    assert "辖区" in result.errors[0].message


def test_town_user_cannot_update_an_enterprise_registered_by_another_town(world, luoxi):
    code = world.xuejia_factory.uscc

    result = run(luoxi, xlsx([row(uscc=code, town="罗溪镇")]))

    assert errors_at(result) == [(2, "统一社会信用代码")]
    assert Enterprise.objects.get(uscc=code).town.code == "xuejia"


def test_town_user_imports_rows_of_its_own_town(luoxi):
    result = run(luoxi, xlsx([row(), row(town="luoxi")]))

    assert result.created == 2


# --- the screens -------------------------------------------------------------------------------


IMPORT_URL = "/enterprises/import/"
CONFIRM_URL = "/enterprises/import/confirm/"


def pending_token(client) -> str:
    """The token of the preview the 确认导入 button belongs to (empty when none is pending)."""
    from anxin.registry.views import IMPORT_SESSION_KEY

    pending = client.session.get(IMPORT_SESSION_KEY) or {}
    return pending.get("token", "")


TEMPLATE_URL = "/enterprises/import/template.xlsx"


def upload(client, content: bytes, name: str = "企业.xlsx"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("persona", ["chengjian", "leader"])
@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
def test_user_without_import_permission_gets_403_on_the_screens(request, login, persona, url):
    client = login(request.getfixturevalue(persona))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("persona", ["chengjian", "leader"])
def test_user_without_import_permission_cannot_confirm(request, login, persona):
    client = login(request.getfixturevalue(persona))

    assert client.post(CONFIRM_URL).status_code == 403


def test_anonymous_visitor_is_sent_to_login(login, district):
    response = login(None).get(IMPORT_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_upload_shows_a_preview_and_writes_nothing(login, office):
    code = make_uscc()
    before = Enterprise.objects.count()

    response = upload(login(office), xlsx([row(uscc=code)]))

    assert response.status_code == 200
    assert 'data-testid="import-preview"' in response.text
    assert code in response.text
    assert Enterprise.objects.count() == before


def test_upload_with_errors_lists_them_by_row_and_column_and_offers_no_confirm(login, office):
    response = upload(login(office), xlsx([row(), row(town="火星镇")]))

    assert 'data-testid="import-errors"' in response.text
    assert "第 3 行" in response.text
    assert "所属镇/街道" in response.text
    assert CONFIRM_URL not in response.text


def test_upload_of_an_unreadable_file_shows_the_message_on_the_form(login, office):
    response = upload(login(office), b"not a spreadsheet", name="企业.txt")

    assert response.status_code == 200
    assert "仅支持 .xlsx 或 .csv 文件" in response.text


def test_confirm_after_preview_writes_the_file(login, office):
    client = login(office)
    code = make_uscc()
    upload(client, xlsx([row(uscc=code)]))

    response = client.post(CONFIRM_URL, {"token": pending_token(client)})

    assert response.status_code == 302
    assert response["Location"] == reverse("enterprise-list")
    assert Enterprise.objects.filter(uscc=code).exists()


def test_confirm_logs_an_import_security_event(login, office):
    client = login(office)
    upload(client, xlsx([row()]), name="罗溪排查.xlsx")

    client.post(CONFIRM_URL, {"token": pending_token(client)})

    event = SecurityEvent.objects.get(kind=SecurityEventKind.IMPORT)
    assert event.user == office
    assert "罗溪排查.xlsx" in event.summary


def test_confirm_rechecks_the_file_and_writes_nothing_if_it_no_longer_passes(login, luoxi):
    client = login(luoxi)
    taken, other = make_uscc(), make_uscc()
    upload(client, xlsx([row(uscc=other), row(uscc=taken)]))
    enterprise(town="xuejia", uscc=taken)  # registered by 薛家镇 between preview and confirm

    response = client.post(CONFIRM_URL, {"token": pending_token(client)})

    assert response["Location"] == reverse("enterprise-import")
    assert not Enterprise.objects.filter(uscc=other).exists()
    assert Enterprise.objects.get(uscc=taken).town.code == "xuejia"


def test_confirm_without_a_preview_writes_nothing(login, office):
    before = Enterprise.objects.count()

    response = login(office).post(CONFIRM_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("enterprise-import")
    assert Enterprise.objects.count() == before


def test_confirm_cannot_be_replayed(login, office):
    client = login(office)
    upload(client, xlsx([row()]))
    client.post(CONFIRM_URL, {"token": pending_token(client)})

    client.post(CONFIRM_URL, {"token": pending_token(client)})

    assert SecurityEvent.objects.filter(kind=SecurityEventKind.IMPORT).count() == 1


def test_downloaded_template_is_an_xlsx_with_the_import_headers(login, office):
    response = login(office).get(TEMPLATE_URL)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS


def test_template_filled_with_valid_data_in_place_of_its_example_imports_cleanly(login, office):
    book = openpyxl.load_workbook(io.BytesIO(login(office).get(TEMPLATE_URL).content))
    sheet = book.worksheets[0]
    code = make_uscc()
    filled = row(uscc=code)
    for cell in sheet[2]:
        cell.value = filled[sheet.cell(row=1, column=cell.column).value]
    buffer = io.BytesIO()
    book.save(buffer)

    result = run(office, buffer.getvalue(), filename="企业导入模板.xlsx")

    assert result.ok, [str(e) for e in result.errors]
    assert Enterprise.objects.filter(uscc=code).exists()


# --- the command -------------------------------------------------------------------------------
# Through call_command: run_from_argv() closes every database connection when it ends, which would
# end the test's transaction. A CommandError is what run_from_argv() turns into the printed message
# and the exit status (its ``returncode``).


class Ran:
    def __init__(self):
        self.out, self.err = io.StringIO(), io.StringIO()


def command(*args) -> Ran:
    ran = Ran()
    call_command("import", "enterprises", *map(str, args), stdout=ran.out, stderr=ran.err)
    return ran


def refused(*args) -> tuple[CommandError, str]:
    """Run the command expecting a refusal: the error (message, exit status) and stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import", "enterprises", *map(str, args), stdout=io.StringIO(), stderr=err)
    return info.value, err.getvalue()


def test_command_imports_a_good_file(tmp_path, district):
    path = tmp_path / "企业.xlsx"
    code = make_uscc()
    path.write_bytes(xlsx([row(uscc=code)]))

    ran = command(path)

    assert Enterprise.objects.filter(uscc=code).exists()
    assert "新增 1" in ran.out.getvalue()


def test_command_exits_non_zero_on_a_bad_file(tmp_path, district):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(xlsx([row(), row(town="火星镇")]))

    error, _err = refused(path)

    assert error.returncode != 0


def test_command_prints_each_error_on_stderr(tmp_path, district):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(xlsx([row(town="火星镇"), row(), row(employees="-1")]))

    _error, err = refused(path)

    assert "第 2 行“所属镇/街道”列" in err
    assert "第 4 行“职工人数”列" in err


def test_command_writes_nothing_for_a_bad_file(tmp_path, district):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(xlsx([row(), row(town="火星镇")]))
    before = Enterprise.objects.count()

    refused(path)

    assert Enterprise.objects.count() == before


def test_command_dry_run_writes_nothing(tmp_path, district):
    path = tmp_path / "企业.csv"
    path.write_bytes(csv_bytes([row(), row()], encoding="utf-8-sig"))
    before = Enterprise.objects.count()

    ran = command(path, "--dry-run")

    assert Enterprise.objects.count() == before
    assert "新增 2" in ran.out.getvalue()


def test_command_as_town_user_is_limited_to_its_town(tmp_path, luoxi):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(xlsx([row(town="薛家镇")]))

    _error, err = refused(path, "--as", luoxi.username)

    assert "第 2 行“所属镇/街道”列" in err


def test_command_refuses_an_unreadable_file_with_a_message(tmp_path, district):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(xlsx([row()], headers=[*HEADERS, "注册资本"]))

    error, _err = refused(path)

    assert "未识别的列" in str(error)


def test_command_as_user_without_import_permission_exits_non_zero_with_a_message(tmp_path, chengjian):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(xlsx([row()]))

    error, _err = refused(path, "--as", chengjian.username)

    assert error.returncode != 0
    assert "权限" in str(error)


def test_confirm_from_a_replaced_preview_is_refused(login, luoxi):
    client = login(luoxi)
    first, second = make_uscc(), make_uscc()
    upload(client, xlsx([row(uscc=first)]))
    stale = pending_token(client)
    upload(client, xlsx([row(uscc=second)]))  # e.g. in a second browser tab

    response = client.post(CONFIRM_URL, {"token": stale})

    assert response["Location"] == reverse("enterprise-import")
    assert not Enterprise.objects.filter(uscc__in=[first, second]).exists()


def test_reimport_without_optional_columns_leaves_those_fields_alone(office):
    firm = enterprise(
        town="luoxi", kinds=("construction", "labour_intensive"), employees=300, status="unreachable"
    )
    required_only = [c for c in COLUMNS if c.required]
    book = openpyxl.Workbook()
    book.active.append([c.header for c in required_only])
    book.active.append([firm.uscc, "改名后有限公司", firm.legal_rep, "罗溪镇", firm.address, "C"])
    buffer = io.BytesIO()
    book.save(buffer)

    result = enterprise_import(actor=office, content=buffer.getvalue(), filename="部分列.xlsx", dry_run=False)

    assert result.ok and result.updated == 1
    firm.refresh_from_db()
    assert firm.name == "改名后有限公司"
    assert (firm.employees, firm.status) == (300, "unreachable")
    assert set(firm.kinds.values_list("code", flat=True)) == {"construction", "labour_intensive"}
    assert result.preview[0]["changed"] == ["企业名称"]


def test_a_sheet_declaring_a_huge_size_is_read_without_padding(office):
    book = openpyxl.Workbook()
    book.active.append([c.header for c in COLUMNS if c.required])
    book.active.append([make_uscc(), "小文件有限公司", "张三", "罗溪镇", "地址", "C"])
    buffer = io.BytesIO()
    book.save(buffer)
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
            target.writestr(item, data)

    result = enterprise_import(
        actor=office, content=patched.getvalue(), filename="声明很大.xlsx", dry_run=True
    )

    assert result.ok and result.total == 1


def test_an_oversized_csv_field_is_a_clear_error_not_a_crash(office):
    header = ",".join(c.header for c in COLUMNS if c.required)
    content = (header + "\n" + '"' + "x" * 200_000 + '",a,b,c,d,e\n').encode("utf-8")

    with pytest.raises(TableError, match="CSV"):
        enterprise_import(actor=office, content=content, filename="大字段.csv", dry_run=True)
