"""Identical intake submissions sent at the same moment, on PostgreSQL with real threads (one
connection each): identical self-reports over the API make one record, and one solved portal
captcha lets one of two submissions in (one tracking code, one SMS)."""

from __future__ import annotations

import contextlib
import re
import threading

import pytest
from captcha.models import CaptchaStore
from django.db import connection
from django.db.models.query import QuerySet
from django.test import Client

from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at_once
from anxin.intake.models import SelfReport, Signal
from anxin.notify.models import SmsMessage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_four_identical_self_reports_at_once_make_one_record(world, renshe):
    from rest_framework.test import APIClient

    from anxin.org.services import token_issue

    key = token_issue(actor=system_actor(), user=renshe)
    clients = [APIClient() for _i in range(4)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "arrears_since": "2026-11-01",
        "reported_on": "2026-11-06",
        "workers": 12,
        "amount": "86,000.00",
        "cause": "货款未到账",
        "plan": [{"due_on": "2026-11-30", "amount": "50000.00"}],
    }
    answers = at_once(clients, lambda c: c.post("/api/v1/self-reports/", body, format="json"))
    assert all(getattr(a, "status_code", None) == 201 for a in answers), answers
    assert len({a.json()["id"] for a in answers}) == 1
    assert SelfReport.objects.count() == 1 and Signal.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_solved_captcha_lets_one_of_two_simultaneous_submissions_in(world, monkeypatch):
    town = world.luoxi_factory.town
    page = Client().get("/public/report/").content.decode()
    hashkey = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    solved = {"captcha_0": hashkey, "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response}
    data = {
        "employer_name": "罗溪纺织有限公司",
        "town": town.pk,
        "period": "2026年9月至10月",
        "months_owed": 2,
        "amount": "8,600",
        "workers": 3,
        "summary": "老板说月底发，一直没发",
        "reporter_name": "王五",
        "reporter_phone": "13912345678",
        "consent": "on",
        **solved,
    }
    # Both submissions have read the solved challenge before either uses it up: the moment the
    # library's own check let both through.
    both_read = threading.Barrier(2, timeout=3)
    first = QuerySet.first

    def first_then_wait(self):
        found = first(self)
        if self.model is CaptchaStore:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait()
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_wait)
    answers = at_once([Client(), Client()], lambda c: c.post("/public/report/", data))
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == [200, 302], answers
    refused = next(a for a in answers if a.status_code == 200)
    assert refused.context["form"].errors["captcha"] == ["验证码已失效，请重新输入"]
    assert Signal.objects.count() == 1
    assert SmsMessage.objects.count() == 1
