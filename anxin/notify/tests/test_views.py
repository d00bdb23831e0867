"""The SMS outbox (短信发件箱): the office's ledger of every text, its filters and export, and
重新发送 for a message that finally failed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anxin.core.models import SecurityEvent
from anxin.core.tests.helpers import sheet_rows
from anxin.notify.models import SmsMessage, SmsStatus


def _message(**values: object) -> SmsMessage:
    defaults = {
        "phone": "13912345678",
        "phone_masked": "139****5678",
        "text": "【安薪】您反映的欠薪问题已受理，查询码 ABCDEFGHJKMNPQRS，请凭查询码和本手机号查看办理进度。",
        "topic": "portal",
        "status": SmsStatus.SENT,
        "attempts": 1,
        "backend": "LogFileBackend",
    }
    return SmsMessage.objects.create(**{**defaults, **values})


def test_the_office_reads_the_outbox_with_numbers_and_codes_masked(login, office):
    _message()
    _message(status=SmsStatus.FAILED, attempts=3, error="网关超时", topic="alert", text="【安薪】红色预警")
    page = login(office).get("/sms/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "ABCD************" in page and "ABCDEFGHJKMNPQRS" not in page
    assert "网关超时" in page and "发送失败" in page and "网上反映" in page
    assert page.count("重新发送</button>") == 1  # the failed one only


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "leader", "sysadmin", "secadmin", "auditor"])
def test_no_one_else_opens_the_outbox(login, district, persona, request):
    message = _message(status=SmsStatus.FAILED)
    client = login(request.getfixturevalue(persona))
    assert client.get("/sms/").status_code == 403
    assert client.post(f"/sms/{message.pk}/resend/").status_code == 403
    assert SmsMessage.objects.get().status == SmsStatus.FAILED


def test_the_outbox_filters_by_status_topic_and_date(login, office):
    _message(text="甲")
    _message(text="乙", status=SmsStatus.FAILED)
    _message(text="丙", topic="alert")
    old = _message(text="丁")
    SmsMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    client = login(office)

    def texts(query: str) -> set[str]:
        rows = sheet_rows(client.get(f"/sms/?{query}&export=xlsx"))
        header = next(i for i, row in enumerate(rows) if row and row[0] == "时间")
        column = rows[header].index("内容")
        return {row[column] for row in rows[header + 1 :] if row[column]}

    assert texts("status=failed") == {"乙"}
    assert texts("topic=alert") == {"丙"}
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert texts(f"date_from={since}") == {"甲", "乙", "丙"}
    assert "预警" in client.get("/sms/").content.decode()  # the topic filter offers what is there


def test_the_export_is_logged(login, office):
    _message()
    response = login(office).get("/sms/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    assert any("139****5678" in row for row in rows)
    assert SecurityEvent.objects.filter(kind="export", summary__contains="短信发件箱").exists()


@pytest.mark.parametrize("rows", [3, 60])
def test_the_outbox_query_count_is_bounded(login, office, rows, django_assert_max_num_queries):
    for _n in range(rows):
        _message(status=SmsStatus.FAILED, resent_by=office, resent_at=timezone.now())
    client = login(office)
    with django_assert_max_num_queries(14):
        response = client.get("/sms/")
    assert response.status_code == 200
    assert ("page=2" in response.content.decode()) == (rows > 50)  # 50 a page


def test_resend_asks_first_and_requeues_the_failed_message(login, office, django_capture_on_commit_callbacks):
    message = _message(status=SmsStatus.FAILED, attempts=3, error="网关超时")
    client = login(office)
    assert 'data-confirm="重新发送这条短信到 139****5678？"' in client.get("/sms/").content.decode()
    assert client.get(f"/sms/{message.pk}/resend/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sms/{message.pk}/resend/", {"next": "/sms/?status=failed"})
    assert response.status_code == 302 and response["Location"] == "/sms/?status=failed"
    message.refresh_from_db()
    # Sent at once here (the tests' inline task backend): queued, tried, 已发送.
    assert (message.status, message.resent_by, message.attempts) == (SmsStatus.SENT, office, 1)


def test_resend_of_a_sent_message_is_refused_with_a_message(login, office):
    message = _message()
    response = login(office).post(
        f"/sms/{message.pk}/resend/", {"next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/sms/"
    assert "只有“发送失败”的短信可以重新发送" in response.content.decode()


def test_the_office_finds_the_outbox_in_the_menu(login, office, luoxi):
    assert 'href="/sms/"' in login(office).get("/").content.decode()
    assert 'href="/sms/"' not in login(luoxi).get("/").content.decode()
