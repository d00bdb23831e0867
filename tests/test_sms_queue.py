"""A slow or failing SMS gateway never slows or fails the request that caused the message.

The request here is the worker's report on the public portal, whose confirmation SMS carries the
tracking code. With the database task queue (production's), the request only queues the message;
the worker (``queue.run_ready_tasks``, what ``manage.py db_worker`` does) talks to the gateway.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from captcha.models import CaptchaStore

from anxin.intake.models import Signal
from anxin.notify import queue
from anxin.notify.models import SmsMessage, SmsStatus
from anxin.notify.sms import SmsBackend

SLOW_SECONDS = 4.0


class Slow(SmsBackend):
    """A gateway that takes its time (a timeout waiting to happen), counting its calls."""

    calls: list[str] = []
    lock = threading.Lock()

    def send(self, phone, text):
        with self.lock:
            Slow.calls.append(threading.current_thread().name)
        time.sleep(SLOW_SECONDS)


class Broken(SmsBackend):
    def send(self, phone, text):
        raise ConnectionResetError("gateway reset the connection")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "anxin.notify.queue.DatabaseBackend", "QUEUES": ["default"]}}


def _portal_report(client, town):
    html = client.get("/public/report/").content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    data = {
        "employer_name": "罗溪纺织有限公司",
        "employer_uscc": "",
        "town": town.pk,
        "project_name": "",
        "period": "2026年9月至10月",
        "months_owed": 2,
        "amount": "8,600",
        "workers": 3,
        "summary": "老板说月底发，一直没发",
        "reporter_name": "王五",
        "reporter_phone": "13912345678",
        "reporter_id_number": "",
        "consent": "on",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }
    started = time.monotonic()
    response = client.post("/public/report/", data)
    return response, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_a_slow_gateway_does_not_slow_the_portal_report(client, world, settings, database_queue):
    Slow.calls = []
    settings.SMS_BACKEND = "tests.test_sms_queue.Slow"
    response, took = _portal_report(client, world.luoxi_factory.town)
    assert response.status_code == 302 and response["Location"] == "/public/report/done/"
    assert Slow.calls == [] and took < SLOW_SECONDS  # the request never waited for the gateway
    signal = Signal.objects.get()
    message = SmsMessage.objects.get(topic="portal")
    assert message.status == SmsStatus.QUEUED and signal.tracking_code in message.text
    queue.run_ready_tasks()  # the worker, in its own process in production
    message.refresh_from_db()
    assert len(Slow.calls) == 1 and message.status == SmsStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_does_not_fail_the_portal_report(client, world, settings, database_queue):
    settings.SMS_BACKEND = "tests.test_sms_queue.Broken"
    response, _took = _portal_report(client, world.luoxi_factory.town)
    assert response.status_code == 302 and Signal.objects.get().tracking_code
    queue.run_ready_tasks()
    message = SmsMessage.objects.get(topic="portal")
    assert Signal.objects.count() == 1  # the report stands
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 1)  # tried again in a minute
    assert "gateway reset the connection" in message.error
