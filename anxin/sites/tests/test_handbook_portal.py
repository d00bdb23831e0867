"""The worker's own 计酬手册 on the public portal: ID number → a one-time SMS code to the roster's
phone → their own months. The same answer whether the ID is on a roster or not; the code is stored
hashed, expires after ``handbook.code_minutes``, is used once, dies after five wrong tries; requests
are limited per address; the proof lasts a short while and the worker can leave."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.test import Client
from django.utils import timezone

from anxin.notify.models import SmsMessage
from anxin.sites.handbook_services import handbook_code_request, handbook_code_verify, handbook_sweep
from anxin.sites.models import HandbookCode, HandbookLimit
from anxin.sites.tests.factories_handbook import id_number, payroll, rostered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_hour")]

PHONE = "13912345678"


def _captcha(client: Client) -> dict:
    html = client.get("/public/handbook/").content.decode()
    found = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html)
    assert found is not None
    key = found.group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def _ask(client: Client, number: str) -> Any:
    return client.post("/public/handbook/", {"id_number": number, **_captcha(client)})


def _sms_code() -> str:
    text = SmsMessage.objects.filter(text__contains="计酬手册").latest("pk").text
    found = re.search(r"验证码 (\d{6})", text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def worker(world):
    entry = rostered(world.luoxi_project, n=11, name="张三", phone=PHONE, start=datetime.date(2026, 9, 1))
    payroll(
        world.luoxi_project,
        datetime.date(2026, 9, 1),
        [(entry, "21", 630_000, 630_000, datetime.date(2026, 10, 15))],
    )
    return entry


@pytest.fixture
def other(world):
    entry = rostered(
        world.luoxi_project, n=12, name="李四", phone="13800000012", start=datetime.date(2026, 9, 1)
    )
    payroll(
        world.luoxi_project,
        datetime.date(2026, 10, 1),
        [(entry, "19", 571_100, 571_100, datetime.date(2026, 11, 12))],
    )
    return entry


def _open(client: Client, worker: Any, django_capture_on_commit_callbacks: Any) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, worker.id_number)
    assert response.status_code == 302 and response["Location"] == "/public/handbook/verify/"
    response = client.post("/public/handbook/verify/", {"code": _sms_code()})
    assert response.status_code == 302 and response["Location"] == "/public/handbook/mine/"
    return client.get("/public/handbook/mine/").content.decode()


def test_the_worker_sees_their_own_months_and_nothing_else(
    client, worker, other, django_capture_on_commit_callbacks
):
    page = _open(client, worker, django_capture_on_commit_callbacks)
    assert (
        "我的劳动计酬手册" in page and "张三" in page and "6,300.00 元" in page and "罗溪安置房项目" in page
    )
    assert "李四" not in page and "5,711.00 元" not in page  # another worker's line on the same project
    assert worker.id_number not in page  # masked even here
    sms = SmsMessage.objects.get(text__contains="计酬手册")
    assert sms.phone_masked == "139****5678"  # the roster's phone (the number itself is cleared once sent)


def test_every_project_the_worker_is_rostered_on_is_shown_by_project(
    client, world, worker, django_capture_on_commit_callbacks
):
    rostered(world.menghe_river, n=11, name="张三", phone=PHONE, start=datetime.date(2026, 6, 1),
             leave=datetime.date(2026, 8, 20), employer=world.menghe_water)  # fmt: skip
    page = _open(client, worker, django_capture_on_commit_callbacks)
    assert page.count('data-testid="handbook-project"') == 2 and "孟河河道整治项目" in page


def test_an_unknown_id_gets_the_same_answer_and_no_sms(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _ask(client, id_number(999))
    known_client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(known_client, worker.id_number)
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    unknown_page = client.get("/public/handbook/verify/").content.decode()
    known_page = known_client.get("/public/handbook/verify/").content.decode()
    strip = lambda html: re.sub(r"3204\*+\d{3}[\dX]", "ID", re.sub(r'value="[^"]*"', "", html))  # noqa: E731
    assert strip(unknown_page) == strip(known_page)
    assert SmsMessage.objects.filter(text__contains="计酬手册").count() == 1  # the known one only
    assert client.post("/public/handbook/verify/", {"code": "123456"}).status_code == 200  # no handbook


def test_a_mistyped_id_number_is_refused_beside_its_box(client, district):
    page = _ask(client, "320411199001010001").content.decode()
    assert "请填写正确的 18 位身份证号码" in page and not HandbookCode.objects.exists()


def test_the_code_is_stored_hashed(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, worker.id_number)
    code = _sms_code()
    stored = HandbookCode.objects.get()
    assert code not in stored.code_hash and stored.id_index == worker.id_number_index


def test_the_code_expires_after_the_parameter(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, worker.id_number)
    code = _sms_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        page = client.post("/public/handbook/verify/", {"code": code}).content.decode()
    assert "验证码不正确或已过期" in page
    assert client.get("/public/handbook/mine/").status_code == 302


def test_the_code_is_good_just_before_it_expires(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, worker.id_number)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=9, seconds=50)):
        response = client.post("/public/handbook/verify/", {"code": _sms_code()})
    assert response.status_code == 302


def test_the_code_is_used_once(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        handbook_code_request(id_number=worker.id_number, ip="10.1.1.1")
    code, index = _sms_code(), worker.id_number_index
    assert handbook_code_verify(id_index=index, code=code, ip="10.1.1.1") == index
    assert handbook_code_verify(id_index=index, code=code, ip="10.1.1.2") is None


def test_a_new_code_voids_the_one_before(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        handbook_code_request(id_number=worker.id_number, ip="10.1.1.1")
    first = _sms_code()
    with django_capture_on_commit_callbacks(execute=True):
        handbook_code_request(id_number=worker.id_number, ip="10.1.1.1")
    second = _sms_code()
    index = worker.id_number_index
    if first != second:
        assert handbook_code_verify(id_index=index, code=first, ip="10.1.1.1") is None
    assert handbook_code_verify(id_index=index, code=second, ip="10.1.1.1") == index


def test_five_wrong_codes_void_the_code(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, worker.id_number)
    code = _sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(5):
        client.post("/public/handbook/verify/", {"code": wrong})
    assert HandbookCode.objects.get().tries == 5
    page = client.post("/public/handbook/verify/", {"code": code}).content.decode()
    assert "验证码不正确或已过期" in page and "张三" not in page


def test_wrong_codes_are_limited_per_address(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, worker.id_number)
    code = _sms_code()
    for _i in range(10):  # portal.lookups_per_hour
        client.post("/public/handbook/verify/", {"code": "000001" if code != "000001" else "000002"})
    page = client.post("/public/handbook/verify/", {"code": code}).content.decode()
    assert "验证失败次数过多" in page
    assert client.get("/public/handbook/mine/").status_code == 302


def test_code_requests_are_limited_per_address_and_per_id(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _i in range(5):
            _ask(client, worker.id_number)
    assert SmsMessage.objects.filter(text__contains="计酬手册").count() == 3  # per ID number an hour
    for _i in range(15):
        _ask(client, id_number(900 + _i))
    assert HandbookLimit.objects.get(action="send").count == 20  # portal.submissions_per_hour
    page = _ask(client, id_number(950)).content.decode()
    assert "获取验证码过于频繁" in page
    # Another address is not held back, and the next hour starts afresh.
    assert _ask(Client(REMOTE_ADDR="10.9.9.9"), id_number(951)).status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert _ask(client, id_number(952)).status_code == 302


def test_the_proof_lasts_a_short_while_and_the_worker_can_leave(
    client, worker, django_capture_on_commit_callbacks
):
    _open(client, worker, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert client.get("/public/handbook/mine/").status_code == 302
    second = Client()
    _open(second, worker, django_capture_on_commit_callbacks)
    assert second.get("/public/handbook/leave/").status_code == 302
    assert second.get("/public/handbook/mine/")["Location"] == "/public/handbook/"


def test_a_forged_session_value_proves_nothing(client, worker):
    session = client.session
    session["sites_handbook"] = worker.id_number_index  # not signed
    session.save()
    assert client.get("/public/handbook/mine/").status_code == 302


def test_the_sweep_forgets_old_codes_and_counters(client, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, worker.id_number)
    assert handbook_sweep(now=timezone.now()) == 0
    assert handbook_sweep(now=timezone.now() + datetime.timedelta(days=2)) == 2  # the code and the counter
    assert not HandbookCode.objects.exists() and not HandbookLimit.objects.exists()
