"""Repeats in intake write once (issue #13): an identical self-report within its window is the first
one again, and one solved portal captcha (or the pass it leaves after a refused submit) admits one
submission."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.conf import settings
from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.intake import portal
from anxin.intake.models import SelfReport, Signal
from anxin.intake.tests.factories import self_report
from anxin.notify.models import SmsMessage

SINCE, ON = datetime.date(2026, 11, 1), datetime.date(2026, 11, 3)


# --- identical self-reports ------------------------------------------------------------------------------


def test_an_identical_self_report_is_the_first_one_again(world):
    first = self_report(world.luoxi_factory, since=SINCE, on=ON)
    again = self_report(world.luoxi_factory, since=SINCE, on=ON)
    assert again.pk == first.pk and again.repeated
    assert not getattr(first, "repeated", False)
    assert SelfReport.objects.count() == 1 and Signal.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": 400000},
        {"on": datetime.date(2026, 11, 4)},
        {"plan": [{"due_on": datetime.date(2026, 12, 15), "amount": 500000}]},
    ],
)
def test_a_self_report_that_says_something_else_is_recorded(world, changes):
    self_report(world.luoxi_factory, since=SINCE, on=ON)
    other = self_report(world.luoxi_factory, **{"since": SINCE, "on": ON, **changes})
    assert not getattr(other, "repeated", False)
    assert SelfReport.objects.count() == 2


def test_the_same_report_after_the_window_is_recorded_again(world):
    self_report(world.luoxi_factory, since=SINCE, on=ON)
    later = timezone.now() + datetime.timedelta(hours=settings.ONCE_SELF_REPORT_WINDOW_HOURS, minutes=1)
    with time_machine.travel(later):
        self_report(world.luoxi_factory, since=SINCE, on=ON)
    assert SelfReport.objects.count() == 2


def _form(world) -> dict:
    return {
        "uscc": world.luoxi_factory.uscc,
        "arrears_since": "2026-11-01",
        "reported_on": "2026-11-06",
        "workers": "12",
        "amount": "86,000",
        "cause": "货款未到",
        "plan": "2026-11-30 50000 第一期",
    }


def test_the_form_sent_twice_says_the_report_is_already_recorded(world, login, renshe):
    client = login(renshe)
    first = client.post("/self-reports/new/", _form(world))
    again = client.post("/self-reports/new/", {**_form(world), "cause": "  货款未到 "})
    report = SelfReport.objects.get()
    assert first["Location"] == again["Location"] == f"/self-reports/{report.pk}/"
    page = client.get(again["Location"]).content.decode()
    assert "相同的欠薪报告已于" in page and "本次未重复登记" in page


def test_the_api_answers_an_identical_self_report_with_the_first_record(world, api_client, renshe):
    from anxin.org.services import token_issue

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=system_actor(), user=renshe)}")
    body = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "arrears_since": "2026-11-01",
        "reported_on": "2026-11-06",
        "workers": 12,
        "amount": "86,000.00",
        "cause": "货款未到账",
        "plan": [{"due_on": "2026-11-30", "amount": "50000.00"}],
    }
    first = api_client.post("/api/v1/self-reports/", body, format="json")
    again = api_client.post("/api/v1/self-reports/", body, format="json")
    assert first.json()["id"] == again.json()["id"]
    assert SelfReport.objects.count() == 1


# --- one solved captcha, one submission ------------------------------------------------------------------


def _report_data(town) -> dict:
    return {
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
    }


def _solved(client) -> dict:
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', client.get("/public/report/").content.decode())
    assert key is not None
    return {"captcha_0": key.group(1), "captcha_1": CaptchaStore.objects.get(hashkey=key.group(1)).response}


def test_one_solved_captcha_admits_one_submission(client, world, django_capture_on_commit_callbacks):
    town = world.luoxi_factory.town
    solved = _solved(client)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/public/report/", {**_report_data(town), **solved})
        again = client.post("/public/report/", {**_report_data(town), **solved})
    assert first.status_code == 302
    assert again.status_code == 200
    assert again.context["form"].errors["captcha"] == ["验证码已失效，请重新输入"]
    assert Signal.objects.count() == 1 and SmsMessage.objects.count() == 1


def test_the_library_check_alone_let_a_used_captcha_through(world):
    """Why the field is ours: the library's check finds the row, deletes it and never asks whether
    its delete removed anything; ours admits only the request whose delete did."""
    hashkey = CaptchaStore.generate_key()
    assert portal.captcha_use(hashkey) is not None
    assert portal.captcha_use(hashkey) is None


def test_the_pass_after_a_refused_submit_is_used_once(client, world):
    town = world.luoxi_factory.town
    refused = client.post(
        "/public/report/", {**_report_data(town), **_solved(client), "reporter_phone": "1391"}
    )
    assert set(refused.context["form"].errors) == {"reporter_phone"}
    held = list(client.session[portal.PASS_KEY])
    # Two submissions carrying the same session at once: each pops the pass from its own copy.
    first, second = {portal.PASS_KEY: list(held)}, {portal.PASS_KEY: list(held)}
    assert portal.captcha_pass_use(first) is True
    assert portal.captcha_pass_use(second) is False
    assert portal.captcha_pass_use({}) is None


def test_a_used_pass_asks_for_a_new_captcha_with_the_reason(client, world):
    town = world.luoxi_factory.town
    client.post("/public/report/", {**_report_data(town), **_solved(client), "reporter_phone": "1391"})
    hashkey = client.session[portal.PASS_KEY][0]
    CaptchaStore.objects.filter(hashkey=hashkey).delete()  # used by a submission sent alongside
    response = client.post("/public/report/", _report_data(town))
    assert response.status_code == 200
    assert response.context["form"].errors["captcha"] == ["验证码已失效，请重新输入"]
    assert not Signal.objects.exists()
