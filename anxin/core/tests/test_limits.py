"""What one request or one uploaded file may make the server hold, and what a browser may keep
(issue #13 findings 3 and 5): archive checks, body sizes, nested JSON, ``Cache-Control: no-store``.
"""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from anxin.core.errors import DomainError
from anxin.core.middleware import NoStoreMiddleware
from anxin.core.parsers import json_depth
from anxin.core.tests.archives import SHARED_STRINGS, with_many_members, with_method, xlsx_bomb
from anxin.core.uploads import check_archive
from anxin.org.services import token_issue

# --- the archive's directory is judged before any part is decompressed ---------------------------


def _workbook(rows: int = 3) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(rows):
        sheet.append([f"单元格{n}", n])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_ordinary_workbook_passes_the_archive_check():
    check_archive(_workbook(2000))


def test_a_part_read_whole_is_refused_above_its_bound_naming_part_and_limit():
    with pytest.raises(DomainError) as refused:
        check_archive(xlsx_bomb())
    assert refused.value.field == "file"
    assert f"部件 {SHARED_STRINGS} 解压后 200 MB，上限 6 MB" in refused.value.message


def test_a_member_compressed_beyond_the_ratio_is_refused_even_within_the_sizes(settings):
    settings.IMPORT_MAX_WHOLE_PART_BYTES = 500 * 1024 * 1024
    with pytest.raises(DomainError, match="压缩比超过 100 倍"):
        check_archive(xlsx_bomb())


def test_the_total_declared_size_is_bounded(settings):
    settings.IMPORT_MAX_WHOLE_PART_BYTES = 500 * 1024 * 1024
    settings.IMPORT_MAX_MEMBER_RATIO = 100_000
    with pytest.raises(DomainError, match="解压后共 200 MB，上限 50 MB"):
        check_archive(xlsx_bomb())


def test_an_archive_of_many_members_is_refused_from_its_end_record():
    with pytest.raises(DomainError, match="部件超过 200 个"):
        check_archive(with_many_members(201))
    check_archive(with_many_members(150))


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_members_compressed_other_than_deflate_are_refused(method):
    with pytest.raises(DomainError, match="不支持的压缩方式"):
        check_archive(with_method(method))


def test_something_that_is_not_a_zip_is_unreadable_not_a_crash():
    with pytest.raises(DomainError, match="无法读取该Excel 文件"):
        check_archive(b"PK\x03\x04 not really")


# --- request bodies ------------------------------------------------------------------------------


def test_a_body_over_the_request_limit_is_answered_413_in_chinese_before_it_is_read(
    client, settings, district
):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff" + b"0" * (1536 * 1024))

    response = client.post("/public/report/", {"photos": [photo]})

    assert response.status_code == 413
    assert "超过单次提交上限 1.0 MB，未被接收" in response.content.decode()


def test_a_form_body_over_the_field_memory_limit_is_413(login, office):
    response = login(office).post(
        "/enterprises/new/", "name=" + "x" * 3_000_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert "超过单次提交上限 2.5 MB" in response.content.decode()


def test_a_json_body_over_the_memory_limit_is_413_not_parsed(api_client, luoxi):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=luoxi, user=luoxi)}")

    response = api_client.post(
        "/api/v1/projects/", data=json.dumps({"name": "x" * 3_000_000}), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "提交的内容共 2.9 MB，超过单次提交上限 2.5 MB，未被接收。"}


def test_too_many_form_fields_is_a_400_page_in_chinese(login, office):
    fields = {f"f{n}": "x" for n in range(1001)}

    response = login(office).post("/enterprises/new/", fields)

    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


def test_too_many_files_is_a_400_not_a_500(login, office):
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.7") for n in range(21)]

    response = login(office).post("/enterprises/import/", {"file": files})

    assert response.status_code == 400


def test_the_django_upload_limits_are_set():
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 20
    assert settings.REQUEST_MAX_BYTES == 20 * 1024 * 1024  # deploy/nginx.conf client_max_body_size 20m


# --- nested JSON ---------------------------------------------------------------------------------


@pytest.fixture
def town_api(api_client, luoxi):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=luoxi, user=luoxi)}")
    return api_client


def test_json_nested_5000_deep_is_a_400_with_a_chinese_detail_not_a_500(town_api):
    body = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"

    response = town_api.post("/api/v1/projects/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON 嵌套层级过深（上限 32 层），已拒绝"}


def test_json_deeper_than_the_setting_is_refused_even_where_python_could_parse_it(town_api, settings):
    body: dict[str, object] = {"name": "项目"}
    for _ in range(40):
        body = {"x": body}

    response = town_api.post("/api/v1/projects/", data=json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert "嵌套层级过深" in response.json()["detail"]

    settings.API_JSON_MAX_DEPTH = 64
    response = town_api.post("/api/v1/projects/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "detail" not in response.json()  # parsed; the serializer's own field errors now


def test_malformed_json_is_a_400_in_chinese(town_api):
    response = town_api.post("/api/v1/projects/", data="{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON 格式错误：")


def test_json_depth_counts_containers():
    assert json_depth(1) == 0
    assert json_depth([]) == 1
    assert json_depth({"a": [1, {"b": []}]}) == 4


# --- Cache-Control: no-store ---------------------------------------------------------------------


def _no_store(response: HttpResponse) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_a_signed_in_page_is_no_store(login, luoxi):
    assert _no_store(login(luoxi).get("/"))


def test_a_reveal_of_worker_identities_is_no_store(world, login, office):
    response = login(office).post(f"/enterprises/{world.luoxi_factory.uscc}/workers/reveal/")
    assert response.status_code == 200
    assert _no_store(response)


def test_an_export_is_no_store(world, login, office):
    response = login(office).get("/enterprises/", {"export": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    assert _no_store(response)


def test_a_file_download_is_no_store(world, login, luoxi):
    from anxin.intake.services import attachment_store
    from anxin.intake.tests.factories import png, signal

    s = signal(enterprise=world.luoxi_factory, channel_code="grid", actor=luoxi)
    attachment = attachment_store(actor=luoxi, signal=s, name="现场.png", content=png())

    response = login(luoxi).get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert _no_store(response)


def test_an_api_answer_is_no_store(town_api):
    response = town_api.get("/api/v1/enterprises/")
    assert response.status_code == 200
    assert _no_store(response)


def test_the_public_status_lookup_is_no_store(client, district):
    assert _no_store(client.post("/public/track/", {"code": "ABCD1234", "phone": "13800000000"}))


def test_what_an_anonymous_visitor_gets_stays_cacheable(client, district):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_assets_are_left_as_they_are_even_for_a_signed_in_user(luoxi):
    request = RequestFactory().get("/static/vendor/tabler/tabler.min.css")
    request.user = luoxi
    response = NoStoreMiddleware(lambda r: HttpResponse("css"))(request)
    assert "Cache-Control" not in response
