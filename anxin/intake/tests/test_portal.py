"""The public worker portal: no login, captcha, rate limit, unguessable code, own report only."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.services import policy_parameter_set
from anxin.core.uploads import MAX_BYTES
from anxin.intake import services
from anxin.intake.models import PortalAttempt, PortalBucket, Signal, SignalEvent, Stage
from anxin.intake.tests.factories import fire_submissions_at_once, on_disk, png, set_submissions_per_hour
from anxin.notify.models import SmsMessage
from anxin.org.models import Town

PHONE = "13912345678"


def _captcha(client, url: str, *, solved_before: bool = False) -> dict:
    """The answer to the page's captcha. Only a visitor who solved it on a refused submit
    (``solved_before``) is shown none; for anyone else a page without one is a failure."""
    html = client.get(url).content.decode()
    found = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html)
    if found is None:
        assert solved_before, "the page asks no captcha"
        return {}
    key = found.group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def _report_data(town) -> dict:
    return {
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
        "reporter_phone": PHONE,
        "reporter_id_number": "",
        "consent": "on",
    }


def _report(client, town, *, solved_before: bool = False, **changes):
    data = {
        **_report_data(town),
        **_captcha(client, "/public/report/", solved_before=solved_before),
        **changes,
    }
    return client.post("/public/report/", data)


@pytest.fixture
def town(world):
    return world.luoxi_factory.town


def test_the_portal_needs_no_login(client, district):
    for url in ("/public/", "/public/report/", "/public/track/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "个人信息" in response.content.decode() or url != "/public/report/"


def test_a_worker_files_a_report_and_gets_an_unguessable_code(client, world, town):
    response = _report(client, town)
    assert response.status_code == 302 and response["Location"] == "/public/report/done/"
    signal = Signal.objects.get()
    assert re.fullmatch(f"[{services.CODE_ALPHABET}]{{16}}", signal.tracking_code)
    assert signal.channel.is_public and signal.enterprise == world.luoxi_factory
    assert signal.amount == 860000 and signal.reporter_phone == PHONE
    assert signal.town.code == "luoxi" and signal.assigned_unit.code == "hrss"
    done = client.get("/public/report/done/").content.decode()
    assert signal.tracking_code in done
    assert "5 个工作日内核实" in done  # the verification period parameter, not a fixed text


def test_codes_are_distinct(district):
    codes = {services.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) >= 12 for c in codes)


def test_a_wrong_captcha_is_refused_and_nothing_is_written(client, world, town):
    response = _report(client, town, captcha_1="0000")
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not Signal.objects.exists()


def test_one_submit_with_several_bad_fields_shows_every_error_and_keeps_the_input(client, world, town):
    response = _report(
        client,
        town,
        months_owed="-1",
        amount="abc",
        captcha_1="0000",
        reporter_phone="1391234",
        reporter_id_number="320411199001011234",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"months_owed", "amount", "captcha", "reporter_phone", "reporter_id_number"} <= set(errors)
    page = response.content.decode()
    assert 'value="1391234"' in page and 'value="320411199001011234"' in page
    assert not Signal.objects.exists()


def test_an_empty_post_does_not_count_as_a_solved_captcha(district, client):
    """An empty POST leaves the form unbound (no errors at all): that must not stamp the session."""
    client.get("/public/report/")
    assert client.post("/public/report/", {}).status_code == 200
    assert "captcha_0" in client.get("/public/report/").content.decode()


def test_a_solved_captcha_is_not_asked_again_when_other_fields_are_fixed(client, world, town):
    response = _report(client, town, reporter_phone="1391234")
    assert set(response.context["form"].errors) == {"reporter_phone"}
    assert 'name="captcha_1"' not in response.content.decode()
    data = {k: v for k, v in _report_data(town).items() if not k.startswith("captcha")}
    assert client.post("/public/report/", data).status_code == 302
    assert Signal.objects.count() == 1
    # the next report asks again
    assert 'name="captcha_1"' in client.get("/public/report/").content.decode()


def test_the_privacy_notice_must_be_accepted(client, world, town):
    data = {"consent": ""}
    response = _report(client, town, **data)
    assert "请阅读并同意" in response.content.decode()
    assert not Signal.objects.exists()


def test_the_submissions_per_hour_limit_holds(client, world, town, office):
    policy_parameter_set(
        actor=office,
        code="portal.submissions_per_hour",
        value="3",
        effective_from=timezone.localdate(),
        note="测试",
    )
    for _ in range(3):
        assert _report(client, town).status_code == 302
    response = _report(client, town)
    assert response.status_code == 200
    assert "提交过于频繁" in response.content.decode()
    assert Signal.objects.count() == 3


def test_script_in_a_field_shows_as_text(client, world, town, login, office):
    _report(client, town, summary="<script>alert(1)</script>")
    signal = Signal.objects.get()
    page = login(office).get(f"/signals/{signal.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_photos_are_checked_by_content(client, world, town):
    fake = SimpleUploadedFile("photo.jpg", b"this is not an image", content_type="image/jpeg")
    response = _report(client, town, photos=[fake])
    assert "不是可接受的文件类型" in response.content.decode()
    assert not Signal.objects.exists()
    real = SimpleUploadedFile("renamed.txt", png(), content_type="text/plain")
    assert _report(client, town, photos=[real], solved_before=True).status_code == 302  # refused above
    attachment = Signal.objects.get().attachments.get()
    assert attachment.content_type == "image/png" and attachment.file.name.endswith(".png")


def test_the_status_page_needs_code_and_phone(client, world, town):
    _report(client, town)
    signal = Signal.objects.get()
    other = type(client)()  # another browser: no session proof
    assert other.get(f"/public/track/{signal.tracking_code}/").status_code == 302
    wrong = other.post(
        "/public/track/",
        {"code": signal.tracking_code, "phone": "13800000000", **_captcha(other, "/public/track/")},
    )
    assert "查询码或手机号不正确" in wrong.content.decode()
    right = other.post(
        "/public/track/",
        {"code": signal.tracking_code.lower(), "phone": PHONE, **_captcha(other, "/public/track/")},
    )
    assert right.status_code == 302
    page = other.get(right["Location"]).content.decode()
    assert "已受理登记" in page and "老板说月底发" in page


def test_failed_lookups_are_limited(client, district):
    for _ in range(10):
        client.post(
            "/public/track/",
            {"code": "AAAABBBBCCCCDDDD", "phone": PHONE, **_captcha(client, "/public/track/")},
        )
    assert PortalAttempt.objects.filter(action="lookup_failed").count() == 10
    response = client.post(
        "/public/track/", {"code": "AAAABBBBCCCCDDDD", "phone": PHONE, **_captcha(client, "/public/track/")}
    )
    assert "查询失败次数过多" in response.content.decode()


def test_a_worker_sees_only_their_report_and_never_internal_notes(client, world, town, office):
    _report(client, town, summary="我的反映")
    mine = Signal.objects.get()
    other = services.portal_submit(
        facts={
            "employer_name": "别家",
            "summary": "别人的反映",
            "reporter_phone": "13700000000",
            "amount": 1,
            "workers": 1,
        },
        town=town,
        photos=[],
        ip="10.9.9.9",
    )
    services.signal_note(actor=office, signal=mine, text="内部：该企业老板有逃匿迹象")
    services.signal_verify(actor=office, signal=mine, result="substantiated", note="内部核实细节")
    page = client.get(f"/public/track/{mine.tracking_code}/").content.decode()
    assert "已核实" in page
    assert "逃匿迹象" not in page and "内部核实细节" not in page
    assert (
        client.get(f"/public/track/{other.tracking_code}/").status_code == 302
    )  # not proved in this session


def test_the_reply_reaches_the_worker_and_they_rate_after_closure(
    client, world, town, office, django_capture_on_commit_callbacks
):
    _report(client, town)
    signal = Signal.objects.get()
    services.signal_verify(actor=office, signal=signal, result="substantiated", note="属实")
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_reply(actor=office, signal=signal, text="已责令企业于12月5日前支付")
    assert SmsMessage.objects.filter(topic="portal", phone_masked="139****5678").exists()
    page = client.get(f"/public/track/{signal.tracking_code}/").content.decode()
    assert "已责令企业于12月5日前支付" in page and "rate-form" not in page
    assert (
        client.post(f"/public/track/{signal.tracking_code}/rate/", {"rating": "satisfied"}).status_code == 302
    )
    assert Signal.objects.get().rated_at is None  # not closed yet
    services.signal_close(actor=office, signal=Signal.objects.get(), note="已支付")
    assert "rate-form" in client.get(f"/public/track/{signal.tracking_code}/").content.decode()
    client.post(f"/public/track/{signal.tracking_code}/rate/", {"rating": "basic", "comment": "慢了点"})
    signal.refresh_from_db()
    assert (signal.satisfaction, signal.satisfaction_comment, signal.stage) == (
        "basic",
        "慢了点",
        Stage.CLOSED,
    )
    assert SignalEvent.objects.filter(signal=signal, action="rate").count() == 1
    client.post(f"/public/track/{signal.tracking_code}/rate/", {"rating": "dissatisfied"})
    assert Signal.objects.get().satisfaction == "basic"  # once


def test_the_worker_gets_the_code_by_sms(client, world, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _report(client, town)
    code = Signal.objects.get().tracking_code
    assert SmsMessage.objects.filter(topic="portal", text__contains=code).exists()


def test_leaving_forgets_the_proof(client, world, town):
    _report(client, town)
    code = Signal.objects.get().tracking_code
    assert client.get(f"/public/track/{code}/").status_code == 200
    client.get("/public/leave/")
    assert client.get(f"/public/track/{code}/").status_code == 302


def test_a_proof_expires_after_half_an_hour(client, world, town):
    _report(client, town)
    code = Signal.objects.get().tracking_code
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=31)):
        assert client.get(f"/public/track/{code}/").status_code == 302


def test_a_merged_report_never_shows_another_workers_reply(client, world, town, office):
    _report(client, town, summary="我的")
    mine = Signal.objects.get()
    other = services.portal_submit(
        facts={
            "employer_name": "罗溪纺织有限公司",
            "summary": "别人的",
            "reporter_phone": "13700000000",
            "amount": 1,
            "workers": 1,
        },
        town=town,
        photos=[],
        ip="10.9.9.8",
    )
    services.signal_merge(actor=office, signal=mine, into=other)
    services.signal_reply(
        actor=office, signal=Signal.objects.get(pk=other.pk), text="给另一位工人的答复：周五来领"
    )
    page = client.get(f"/public/track/{mine.tracking_code}/").content.decode()
    assert "给另一位工人的答复" not in page


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_oversize_photo_is_refused_in_chinese_and_nothing_is_written(
    client, world, town, settings, tmp_path
):
    on_disk(settings, tmp_path / "media")
    big = SimpleUploadedFile("工资条.png", png() + b"\0" * MAX_BYTES, content_type="image/png")
    response = _report(client, town, photos=[big])
    assert response.status_code == 200
    assert "“工资条.png”超过 5 MB，请压缩后再上传" in response.content.decode()
    assert "photos" in response.context["form"].errors
    assert not Signal.objects.exists() and not PortalAttempt.objects.exists()
    assert _files_under(tmp_path / "media") == []


def test_script_in_the_employer_and_reporter_name_shows_as_text_on_the_status_page(client, world, town):
    _report(
        client,
        town,
        employer_name='<script>alert("e")</script>',
        reporter_name="<img src=x onerror=alert(2)>",
    )
    signal = Signal.objects.get()
    assert signal.employer_name == '<script>alert("e")</script>'
    page = client.get(f"/public/track/{signal.tracking_code}/").content.decode()
    assert "&lt;script&gt;alert(&quot;e&quot;)&lt;/script&gt;" in page
    assert '<script>alert("e")' not in page and "<img src=x" not in page


@pytest.mark.django_db(transaction=True)
def test_the_per_address_limit_holds_for_submissions_fired_at_once(district, office, monkeypatch):
    set_submissions_per_hour(office, 3)
    outcomes = fire_submissions_at_once(
        town=Town.objects.get(code="luoxi"), count=6, ip="203.0.113.7", monkeypatch=monkeypatch
    )
    accepted = [o for o in outcomes if isinstance(o, Signal)]
    refused = [o for o in outcomes if isinstance(o, DomainError) and o.code == "rate_limited"]
    assert (len(accepted), len(refused)) == (3, 3), outcomes
    assert Signal.objects.count() == 3
    assert PortalAttempt.objects.filter(action="submit").count() == 3


def test_the_tick_forgets_rate_limit_records_older_than_a_day(client, world, town):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3), tick=False):
        _report(client, town)
    _report(client, town)
    assert PortalBucket.objects.count() == 2 and PortalAttempt.objects.count() == 2
    assert services.portal_attempts_purge() == 1
    assert PortalBucket.objects.get().day == timezone.localdate()
    assert PortalAttempt.objects.count() == 1
