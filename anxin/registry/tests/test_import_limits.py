"""A decompression bomb through the enterprise import screen (issue #13 finding 3).

A 500 KB .xlsx whose shared strings inflate to 200 MB is refused with a Chinese message before any
part is decompressed, and the server's memory stays small while it does; so is an archive whose
directory lies about a part's size. Before the archive check, openpyxl read the shared strings
whole: 17 MB of them already took 89 MB (measured with tracemalloc), 200 MB several GB.
"""

from __future__ import annotations

import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.core.tests.archives import SHARED_STRINGS, declared_size, lie_about_size, xlsx_bomb
from anxin.registry.models import Enterprise
from anxin.registry.views import IMPORT_SESSION_KEY

IMPORT_URL = "/enterprises/import/"
BOUND = 50 * 1024 * 1024  # bytes the whole request may allocate while refusing the file


def post_measured(client, content: bytes, name: str = "企业.xlsx"):
    upload = SimpleUploadedFile(name, content)
    tracemalloc.start()
    try:
        response = client.post(IMPORT_URL, {"file": upload})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak


def test_a_shared_strings_bomb_is_refused_on_the_import_screen_with_bounded_memory(login, office):
    bomb = xlsx_bomb()
    assert len(bomb) < 600 * 1024
    assert declared_size(bomb, SHARED_STRINGS) > 200 * 1000 * 1000
    before = Enterprise.objects.count()

    response, peak = post_measured(login(office), bomb)

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == [
        "Excel 文件解压后的内容过大或压缩比异常（部件 xl/sharedStrings.xml 解压后 200 MB，上限 6 MB），"
        "为保护系统未读取其内容。请使用下载的导入模板填写，或将数据复制到新的工作簿另存为 .xlsx；"
        "数据量大时请拆分后分批导入。"
    ]
    assert "解压后的内容过大" in response.content.decode()
    assert peak < BOUND, f"refusing the bomb allocated {peak / 1e6:.0f} MB"
    assert IMPORT_SESSION_KEY not in response.wsgi_request.session  # nothing kept for a confirm
    assert Enterprise.objects.count() == before


def test_a_part_that_declares_less_than_it_holds_is_cut_at_its_declared_size(login, office):
    """The directory says 1,000 bytes; the data inflates to 200 MB. The check passes it, and the
    reader stops at the declared size (zipfile, then its CRC fails): unreadable, memory small."""
    liar = lie_about_size(xlsx_bomb(), SHARED_STRINGS, 1000)
    assert declared_size(liar, SHARED_STRINGS) == 1000

    response, peak = post_measured(login(office), liar)

    assert response.context["form"].errors["file"] == ["无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密"]
    assert peak < BOUND, f"reading the lying part allocated {peak / 1e6:.0f} MB"


def test_an_upload_over_10_mb_is_refused_before_it_is_read_into_memory(rf, office):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from anxin.registry.views import enterprise_import_view

    request = rf.post(
        IMPORT_URL, {"file": SimpleUploadedFile("企业.xlsx", b"PK" + b"\0" * (12 * 1024 * 1024))}
    )
    request.user = office
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    tracemalloc.start()
    try:
        response = enterprise_import_view(request)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert response.status_code == 200
    assert "文件超过 10 MB，请拆分后分批导入" in response.content.decode()
    assert peak < 6 * 1024 * 1024, f"the 12 MB upload took {peak / 1e6:.0f} MB: it was read whole"
