"""Notices: inbox rows for a unit's active users, SMS through the configured backend, after commit.

The tests run tasks inline (settings_test: ImmediateBackend): an SMS queued by ``sms_send`` is
handed to the gateway when the queuing transaction commits. test_queue.py tests the queue itself.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from anxin.notify import services
from anxin.notify.models import Notification, SmsMessage
from anxin.notify.sms import LogFileBackend, SmsBackend, SmsError


def test_a_notice_to_a_unit_reaches_each_active_user_after_commit(
    luoxi, xuejia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_units(unit_ids=[luoxi.unit_id], subject="测试通知", url="/signals/")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["t_luoxi"]


def test_nothing_is_sent_when_the_transaction_rolls_back(luoxi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify_units(unit_ids=[luoxi.unit_id], subject="不应发出")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and not Notification.objects.exists()


def test_inactive_users_get_nothing(luoxi, django_capture_on_commit_callbacks):
    luoxi.is_active = False
    luoxi.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_units(unit_ids=[luoxi.unit_id], subject="x")
    assert not Notification.objects.exists()


def _send(**kwargs: str) -> SmsMessage:
    """``sms_send`` and its commit (the inline task backend sends it then), the row as it ends up."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        message = services.sms_send(**kwargs)
    message.refresh_from_db()
    return message


def test_the_log_file_backend_writes_one_json_line_with_the_number_masked(tmp_path, settings, district):
    settings.SMS_LOG_FILE = tmp_path / "sms.log"
    message = _send(phone="13912345678", text="【安薪】测试", topic="t")
    line = json.loads((tmp_path / "sms.log").read_text(encoding="utf-8").strip())
    assert line["phone"] == "139****5678" and line["text"] == "【安薪】测试"
    assert message.phone_masked == "139****5678" and message.status == "sent"


class _Down(SmsBackend):
    def send(self, phone, text):
        raise SmsError("网关不可达")


class _Broken(SmsBackend):
    def send(self, phone, text):
        raise TimeoutError("read timed out")


def test_any_gateway_exception_is_recorded_not_raised(settings, district):
    settings.SMS_BACKEND = "anxin.notify.tests.test_services._Broken"
    message = _send(phone="13912345678", text="x")
    assert message.status == "queued" and message.attempts == 1  # tried again later (test_queue.py)


def test_a_gateway_failure_is_recorded_not_raised(settings, district):
    settings.SMS_BACKEND = "anxin.notify.tests.test_services._Down"
    message = _send(phone="13912345678", text="x")
    assert message.status == "queued" and "网关不可达" in message.error
    assert SmsMessage.objects.count() == 1


def test_the_default_backend_is_the_log_file(district):
    from anxin.notify.sms import get_backend

    assert isinstance(get_backend(), LogFileBackend)


def test_notices_can_carry_an_sms(luoxi, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.SMS_LOG_FILE = tmp_path / "sms.log"
    luoxi.phone = "13800001111"
    luoxi.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_units(unit_ids=[luoxi.unit_id], subject="预警", sms=True)
    assert "138****1111" in (tmp_path / "sms.log").read_text(encoding="utf-8")


def _one_call_each(notices: list[services.UnitNotice]) -> None:
    """What ``notify_units_each`` must equal: ``notify_units`` once per notice."""
    for n in notices:
        services.notify_units(
            unit_ids=[n.unit_id],
            subject=n.subject,
            body=n.body,
            url=n.url,
            topic=n.topic,
            sms=n.sms,
            about=n.about,
        )


def _inbox() -> list[tuple]:
    return list(
        Notification.objects.order_by("pk").values_list("recipient__username", "subject", "url", "about")
    )


def test_many_unit_notices_at_once_are_what_one_call_each_gives(
    luoxi, xuejia, office, tmp_path, settings, django_capture_on_commit_callbacks
):
    """``notify_units_each`` (one read of the users, one insert): the same inbox rows in the same
    order, and the same text messages, as ``notify_units`` once per notice; after commit only."""
    settings.SMS_LOG_FILE = tmp_path / "sms.log"
    luoxi.phone, xuejia_phone = "13800001111", "13800002222"
    luoxi.save()
    xuejia.phone = xuejia_phone
    xuejia.save()
    notices = [
        services.UnitNotice(unit_id=xuejia.unit_id, subject="薛家预警", url="/alerts/1/", about="甲公司"),
        services.UnitNotice(unit_id=luoxi.unit_id, subject="罗溪红色预警", body="b", topic="alert", sms=True),
        services.UnitNotice(unit_id=office.unit_id, subject="联席办", about="乙" * 150),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        _one_call_each(notices)
    one_by_one, texts = _inbox(), (tmp_path / "sms.log").read_text(encoding="utf-8")
    Notification.objects.all().delete()
    (tmp_path / "sms.log").unlink()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.notify_units_each(notices)
        assert not Notification.objects.exists()  # not before commit
    with django_capture_on_commit_callbacks(execute=True):  # the commit: and the SMS it queues
        for callback in callbacks:
            callback()
    assert _inbox() == one_by_one and len(one_by_one) == 3
    assert one_by_one[2][3] == "乙" * 100
    assert (
        (tmp_path / "sms.log").read_text(encoding="utf-8").count("138****1111")
        == 1
        == texts.count("138****1111")
    )
    assert "138****2222" not in texts  # no SMS asked for 薛家's notice


def test_a_user_reads_only_their_own_inbox(login, luoxi, xuejia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_units(unit_ids=[xuejia.unit_id], subject="薛家的通知")
    notice = Notification.objects.get()
    client = login(luoxi)
    assert "薛家的通知" not in client.get("/inbox/").content.decode()
    assert client.get(f"/inbox/{notice.pk}/").status_code == 404
    login(xuejia).post("/inbox/read-all/")
    assert Notification.objects.get().read_at is not None


@pytest.mark.parametrize("rows", [3, 40])
def test_the_inbox_query_count_is_bounded(
    luoxi, login, rows, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(rows):
            services.notify_units(unit_ids=[luoxi.unit_id], subject=f"通知{n}")
    client = login(luoxi)
    # The grouped inbox asks four (kinds, the group count, a page of groups, their newest notices).
    with django_assert_max_num_queries(14):
        assert client.get("/inbox/").status_code == 200


def test_a_bad_backend_path_is_recorded_as_a_failed_message_not_raised(settings, district):
    settings.SMS_BACKEND = "anxin.notify.no_such_module.Backend"
    message = _send(phone="13912345678", text="x", topic="t")
    assert message.error and "no_such_module" in message.error
    assert message.backend == "Backend" and message.phone_masked == "139****5678"


def test_a_bad_backend_path_still_leaves_every_recipient_a_notice_and_a_failed_record(
    luoxi, xuejia, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "anxin.notify.sms.NoSuchBackend"
    for user, phone in ((luoxi, "13800001111"), (xuejia, "13800002222")):
        user.phone = phone
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_users(user_ids=[luoxi.pk, xuejia.pk], subject="预警", sms=True)
    assert Notification.objects.count() == 2
    assert sorted(SmsMessage.objects.values_list("phone_masked", "attempts")) == [
        ("138****1111", 1),
        ("138****2222", 1),
    ]
    assert all("NoSuchBackend" in m.error for m in SmsMessage.objects.all())


def test_one_notice_whose_text_cannot_be_queued_does_not_stop_the_others(
    luoxi, xuejia, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """In ``notify_units_each`` each notice's text messages stand alone, as with one after-commit
    call per notice: a failure is logged, the inbox rows and the next notice's texts still go out."""
    luoxi.phone, xuejia.phone = "13800001111", "13800002222"
    luoxi.save()
    xuejia.save()
    queued: list[str] = []

    def sms_send(*, phone, text, topic=""):
        if phone == luoxi.phone:
            raise RuntimeError("queue refused")
        queued.append(phone)

    monkeypatch.setattr(services, "sms_send", sms_send)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_units_each(
            [
                services.UnitNotice(unit_id=luoxi.unit_id, subject="罗溪红色预警", sms=True),
                services.UnitNotice(unit_id=xuejia.unit_id, subject="薛家红色预警", sms=True),
            ]
        )
    assert queued == [xuejia.phone]
    assert Notification.objects.filter(subject__in=["罗溪红色预警", "薛家红色预警"]).count() == 2
    assert "罗溪红色预警" in caplog.text


def test_many_unit_notices_are_deferred_like_one_call_each_in_the_internet_zone(
    luoxi, xuejia, settings, django_capture_on_commit_callbacks
):
    """With notices deferred (the internet zone), ``notify_units_each`` writes what ``notify_units``
    writes once per notice: a pending notice each, in the caller's transaction, nothing after commit;
    the tick delivers the same inbox rows."""
    from anxin.notify.models import PendingNotice

    settings.NOTICES_DEFERRED = True
    notices = [
        services.UnitNotice(unit_id=xuejia.unit_id, subject="薛家预警", url="/alerts/1/", about="甲" * 150),
        services.UnitNotice(unit_id=luoxi.unit_id, subject="罗溪红色预警", body="b", topic="alert", sms=True),
        services.UnitNotice(unit_id=0, subject="无单位"),
    ]
    fields = ("unit_ids", "user_ids", "subject", "body", "url", "topic", "sms", "about")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _one_call_each(notices[:2])
    one_by_one = list(PendingNotice.objects.order_by("pk").values_list(*fields))
    PendingNotice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify_units_each(notices)
                assert PendingNotice.objects.count() == 2  # in the caller's transaction
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert not PendingNotice.objects.exists()  # rolled back with it
        services.notify_units_each(notices)
    assert not callbacks and not Notification.objects.exists()
    assert list(PendingNotice.objects.order_by("pk").values_list(*fields)) == one_by_one
    assert one_by_one[0][7] == "甲" * 100 and one_by_one[1][0] == [luoxi.unit_id]
    settings.NOTICES_DEFERRED = False
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pending_notices_deliver() == 2
    assert sorted(Notification.objects.values_list("recipient__username", "subject")) == [
        ("t_luoxi", "罗溪红色预警"),
        ("t_xuejia", "薛家预警"),
    ]
