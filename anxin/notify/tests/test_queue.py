"""Outgoing SMS through the task queue (django-tasks, database backend): queued in the caller's
transaction, sent by the worker, tried three times, the failures visible and resendable.

These tests switch the test settings' inline backend for the database backend and run its worker
(``queue.run_ready_tasks``, what ``manage.py db_worker --batch`` does) where the real one would.
"""

from __future__ import annotations

import datetime
import json
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anxin.core.errors import DomainError
from anxin.notify import queue, services
from anxin.notify.models import SmsMessage, SmsStatus
from anxin.notify.sms import SmsBackend, SmsError

DATABASE_QUEUE = {"default": {"BACKEND": "anxin.notify.queue.DatabaseBackend", "QUEUES": ["default"]}}


class Recording(SmsBackend):
    """A gateway that takes every message and remembers it (in memory, across threads)."""

    sent: list[tuple[str, str]] = []
    lock = threading.Lock()

    def send(self, phone, text):
        with self.lock:
            Recording.sent.append((phone, text))


class Down(SmsBackend):
    calls = 0

    def send(self, phone, text):
        Down.calls += 1
        raise SmsError("网关不可达")


@pytest.fixture
def recording(settings):
    Recording.sent = []
    settings.SMS_BACKEND = "anxin.notify.tests.test_queue.Recording"
    return Recording.sent


@pytest.fixture
def down(settings):
    Down.calls = 0
    settings.SMS_BACKEND = "anxin.notify.tests.test_queue.Down"
    return Down


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def test_sending_only_queues_the_message_and_never_calls_the_gateway(
    district, db_queue, recording, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.sms_send(phone="13912345678", text="【安薪】测试", topic="portal")
    message.refresh_from_db()
    assert recording == []
    assert (message.status, message.attempts, message.phone) == (SmsStatus.QUEUED, 0, "13912345678")
    task = DBTaskResult.objects.get()
    assert task.task_path == "anxin.notify.tasks.sms_deliver" and task.args_kwargs["args"] == [message.pk]


def test_nothing_is_queued_when_the_transaction_rolls_back(
    district, db_queue, recording, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.sms_send(phone="13912345678", text="x")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not SmsMessage.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_message_and_forgets_the_full_number(district, db_queue, recording):
    message = services.sms_send(phone="13912345678", text="【安薪】测试", topic="portal")
    assert SmsMessage.objects.get().status == SmsStatus.QUEUED and recording == []
    queue.run_ready_tasks()
    message.refresh_from_db()
    assert recording == [("13912345678", "【安薪】测试")]
    assert (message.status, message.attempts, message.error, message.phone) == (SmsStatus.SENT, 1, "", "")
    assert message.sent_at is not None and message.backend == "Recording"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_is_tried_three_times_with_backoff_then_the_message_is_failed(
    district, db_queue, down
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = services.sms_send(phone="13912345678", text="x", topic="alert")
        queue.run_ready_tasks()
        message.refresh_from_db()
        assert (message.status, message.attempts, message.error) == (SmsStatus.QUEUED, 1, "网关不可达")
        assert message.next_try_at == start + services.RETRY_AFTER[0]
        queue.run_ready_tasks()  # the retry is deferred, not due yet
        assert Down.calls == 1
    with time_machine.travel(start + datetime.timedelta(minutes=1, seconds=1), tick=False):
        queue.run_ready_tasks()
        message.refresh_from_db()
        assert (message.status, message.attempts, Down.calls) == (SmsStatus.QUEUED, 2, 2)
    with time_machine.travel(start + datetime.timedelta(minutes=12), tick=False):
        queue.run_ready_tasks()
        message.refresh_from_db()
        assert (message.status, message.attempts, Down.calls) == (SmsStatus.FAILED, 3, 3)
        assert message.next_try_at is None and message.phone == "13912345678"  # kept for 重新发送
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        queue.run_ready_tasks()
        call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Down.calls == 3  # a failed message is not tried again by itself


@pytest.mark.django_db(transaction=True)
def test_make_run_delivers_without_a_worker_process_through_the_in_process_drain(
    district, settings, tmp_path
):
    settings.TASKS = {"default": {**DATABASE_QUEUE["default"], "OPTIONS": {"drain_in_process": True}}}
    settings.SMS_LOG_FILE = tmp_path / "sms.log"
    message = services.sms_send(phone="13912345678", text="【安薪】演示", topic="portal")
    queue.wait_for_drains()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    line = json.loads((tmp_path / "sms.log").read_text(encoding="utf-8"))
    assert (line["phone"], line["text"]) == ("139****5678", "【安薪】演示")


def test_the_tick_sweep_sends_a_due_message_the_worker_never_took(district, db_queue, recording):
    message = services.sms_send(phone="13912345678", text="x")  # its task never ran (no commit here)
    now = timezone.now()
    assert services.sms_send_due(now=now) == 0  # left to the worker for a while
    assert services.sms_send_due(now=now + services.SWEEP_GRACE) == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and recording == [("13912345678", "x")]
    assert services.sms_send_due(now=now + services.LEASE * 3) == 0


def test_a_message_is_sent_once_however_many_tasks_ask(district, db_queue, recording):
    message = services.sms_send(phone="13912345678", text="x")
    assert services.sms_attempt(message_id=message.pk) == SmsStatus.SENT
    assert services.sms_attempt(message_id=message.pk) == "skipped"
    assert len(recording) == 1


def test_a_message_taken_by_a_worker_that_died_is_due_again_after_the_lease(district, db_queue, recording):
    message = services.sms_send(phone="13912345678", text="x")
    now = timezone.now()
    SmsMessage.objects.filter(pk=message.pk).update(next_try_at=now + services.LEASE, attempts=1)  # taken
    assert services.sms_attempt(message_id=message.pk, now=now) == "skipped"
    assert services.sms_attempt(message_id=message.pk, now=now + services.LEASE) == SmsStatus.SENT


def _failed(phone: str = "13912345678") -> SmsMessage:
    return SmsMessage.objects.create(
        phone=phone, phone_masked="139****5678", text="x", status=SmsStatus.FAILED, attempts=3, error="超时"
    )


def test_the_office_resends_a_failed_message_with_fresh_attempts(
    office, db_queue, recording, django_capture_on_commit_callbacks
):
    message = _failed()
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_resend(actor=office, message=message)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.resent_by) == (SmsStatus.QUEUED, 0, office)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [message.pk]
    with pytest.raises(DomainError, match="发送失败"):
        services.sms_resend(actor=office, message=message)


def test_only_those_allowed_resend(luoxi, sysadmin, secadmin, db_queue):
    message = _failed()
    for user in (luoxi, sysadmin, secadmin):
        with pytest.raises(PermissionDenied):
            services.sms_resend(actor=user, message=message)


def test_a_message_from_before_the_queue_has_no_number_to_resend(office, db_queue):
    message = _failed(phone="")
    with pytest.raises(DomainError, match="不能重新发送"):
        services.sms_resend(actor=office, message=message)


def test_a_number_that_no_longer_decrypts_is_a_failed_attempt_not_a_dead_task(district, db_queue, recording):
    message = services.sms_send(phone="13912345678", text="x")
    SmsMessage.objects.filter(pk=message.pk).update(phone="")  # then write a bad ciphertext raw
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notify_smsmessage SET phone = %s WHERE id = %s",
            ["AXh4eHh4eHh4eHh4eHh4eHh4eHh4", message.pk],
        )
    assert services.sms_attempt(message_id=message.pk) == SmsStatus.QUEUED
    assert SmsMessage.objects.defer("phone").get().error and recording == []


@pytest.mark.django_db(transaction=True)
def test_finished_task_rows_are_purged_after_a_week(district, db_queue, recording):
    services.sms_send(phone="13912345678", text="x")
    queue.run_ready_tasks()
    assert services.task_results_purge(now=timezone.now()) == 0
    assert services.task_results_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert SmsMessage.objects.get().status == SmsStatus.SENT  # the outbox keeps the message
