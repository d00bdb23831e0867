"""Issue #14 item 7: the worker's status page shows the case's progress in plain words, the
handling unit and its phone, rights guidance; the worker adds material, rates 不满意 / 仍未拿到工资,
and recovers a lost tracking code by phone + SMS code. Plain forms (no JavaScript needed)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.cases import services as case_services
from anxin.cases.tests.factories import lapsed_order, open_case
from anxin.intake import services
from anxin.intake.models import PortalAttempt, RecoveryCode, Signal, SignalEvent, Stage
from anxin.intake.tests.factories import png
from anxin.notify.models import Notification, SmsMessage

PHONE = "13912345678"


def _captcha(client, url: str) -> dict:
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def _file(client, town, *, phone=PHONE, employer="罗溪纺织有限公司") -> Signal:
    signal = services.portal_submit(
        facts={"employer_name": employer, "summary": "老板说月底发，一直没发", "reporter_phone": phone,
               "amount": 860000, "workers": 3},
        town=town, photos=[], ip="10.2.2.2",
    )  # fmt: skip
    client.post(
        "/public/track/", {"code": signal.tracking_code, "phone": phone, **_captcha(client, "/public/track/")}
    )
    return signal


@pytest.fixture
def report(client, world):
    return _file(client, world.luoxi_factory.town)


def test_the_status_page_shows_the_handling_unit_its_phone_and_the_rights_guidance(client, report):
    page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert 'data-testid="portal-unit"' in page and "罗溪镇" in page
    assert 'href="tel:12333"' in page  # the town has no phone of its own: the office's
    assert "劳动仲裁" in page and "法律援助" in page and "12333" in page
    assert 'data-testid="portal-case"' not in page  # no case yet


def test_the_status_page_shows_the_case_stage_and_measures_in_plain_words(
    client, report, world, luoxi, office, renshe
):
    services.signal_verify(actor=office, signal=report, result="substantiated", note="内部：老板有逃匿迹象")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    lapsed_order(case, renshe)
    case_services.case_move(actor=luoxi, case=case, action="skip", reason="现场稳定")
    page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert 'data-testid="portal-case"' in page
    assert "正在调解" in page and "已责令企业限期支付" in page and "逾期未支付" in page
    assert "处理中（已立案）" in page  # not 已核实 while a case is under way
    assert "逃匿迹象" not in page and case.number not in page and "现场稳定" not in page


def test_a_case_handled_by_a_department_shows_its_phone(client, report, world, luoxi, office):
    from anxin.org.models import Unit

    hrss = Unit.objects.get(code="hrss")
    Unit.objects.filter(code="luoxi").update(public_phone="0519-85555555")
    open_case(world.luoxi_factory, actor=office, signals=[report], lead_unit=hrss)
    page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert "区人社局" in page and 'href="tel:12333"' in page


def test_the_town_phone_from_the_district_file_is_shown(client, report):
    from anxin.org.models import Unit

    Unit.objects.filter(town=report.town).update(public_phone="0519-85555555")
    page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert "0519-85555555" in page


def test_a_worker_adds_text_and_a_photo_and_the_handler_sees_it(
    client, report, login, luoxi, office, django_capture_on_commit_callbacks
):
    photo = SimpleUploadedFile("欠条.png", png(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/public/track/{report.tracking_code}/add/", {"text": "老板又说下个月发", "photos": [photo]}
        )
    assert response.status_code == 302
    event = SignalEvent.objects.get(signal=report, action="material")
    assert "老板又说下个月发" in event.note and "照片 1 张" in event.note
    assert report.attachments.get().content_type == "image/png"
    assert Notification.objects.filter(recipient=luoxi, topic="signal-material").exists()
    assert "老板又说下个月发" in client.get(f"/public/track/{report.tracking_code}/").content.decode()
    officer_page = login(office).get(f"/signals/{report.pk}/").content.decode()
    assert "反映人补充材料" in officer_page and "老板又说下个月发" in officer_page


def test_adding_material_uses_the_submit_checks(client, report):
    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(f"/public/track/{report.tracking_code}/add/", {"text": "", "photos": [fake]})
    assert response.status_code == 400 and "不是可接受的文件类型" in response.content.decode()
    empty = client.post(f"/public/track/{report.tracking_code}/add/", {"text": ""})
    assert "请填写补充说明或上传照片" in empty.content.decode()
    assert not SignalEvent.objects.filter(action="material").exists()


def test_a_closed_report_takes_no_material(client, report, office):
    services.signal_verify(actor=office, signal=report, result="substantiated", note="属实")
    services.signal_reply(actor=office, signal=report, text="已支付")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=report.pk), note="已支付")
    page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert 'data-testid="material-form"' not in page
    client.post(f"/public/track/{report.tracking_code}/add/", {"text": "还有"})
    assert not SignalEvent.objects.filter(action="material").exists()


def test_material_needs_the_proof_of_code_and_phone(report):
    from django.test import Client

    stranger = Client()
    assert stranger.post(f"/public/track/{report.tracking_code}/add/", {"text": "x"}).status_code == 302
    assert not SignalEvent.objects.filter(action="material").exists()


def test_rating_still_unpaid_on_the_portal_reopens_the_report(client, report, office):
    services.signal_verify(actor=office, signal=report, result="substantiated", note="属实")
    services.signal_reply(actor=office, signal=report, text="已支付")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=report.pk), note="已支付")
    page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert 'name="still_unpaid"' in page
    response = client.post(
        f"/public/track/{report.tracking_code}/rate/",
        {"rating": "basic", "still_unpaid": "on", "comment": "一分钱都没拿到"},
        follow=True,
    )
    page = response.content.decode()
    assert "已重新交办理单位处理" in page and 'data-testid="portal-followup"' in page
    assert Signal.objects.get(pk=report.pk).stage == Stage.HANDLING


def test_the_office_sees_the_followup_on_home_and_the_signal_page(client, report, office, login):
    services.signal_verify(actor=office, signal=report, result="substantiated", note="属实")
    services.signal_reply(actor=office, signal=report, text="已支付")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=report.pk), note="已支付")
    services.portal_rate(signal=Signal.objects.get(pk=report.pk), rating="dissatisfied", comment="没拿到")
    officer = login(office)
    home = officer.get("/").content.decode()
    assert 'data-testid="signals-followups"' in home and "反映人不满意待回访 1 条" in home
    page = officer.get(f"/signals/{report.pk}/").content.decode()
    assert 'data-testid="signal-followup"' in page and "portal.followup_working_days=5" in page
    listed = officer.get("/signals/?followup=1")
    assert [s.pk for s in listed.context["page"]] == [report.pk]


def test_the_close_form_shows_the_open_case_and_the_reason_field(report, world, luoxi, login):
    from django.test import Client

    worker = Client()
    worker.post(
        "/public/track/", {"code": report.tracking_code, "phone": PHONE, **_captcha(worker, "/public/track/")}
    )
    services.signal_verify(actor=luoxi, signal=report, result="substantiated", note="属实")
    services.signal_reply(actor=luoxi, signal=report, text="已立案")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    officer = login(luoxi)
    page = officer.get(f"/signals/{report.pk}/").content.decode()
    assert (
        'data-testid="close-case-open"' in page and case.number in page and 'name="open_case_reason"' in page
    )
    refused = officer.post(f"/signals/{report.pk}/close/", {"note": "已处理"}, follow=True).content.decode()
    assert "尚未结案" in refused
    assert Signal.objects.get(pk=report.pk).stage != Stage.CLOSED
    officer.post(f"/signals/{report.pk}/close/", {"note": "已处理", "open_case_reason": "欠薪由案件继续追讨"})
    assert Signal.objects.get(pk=report.pk).stage == Stage.CLOSED
    worker_page = worker.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert "欠薪由案件继续追讨" in worker_page and 'data-testid="portal-case"' in worker_page


@pytest.mark.parametrize("persona", ["chengjian", "xuejia"])
def test_units_outside_the_report_cannot_close_it(client, report, world, luoxi, login, request, persona):
    user = request.getfixturevalue(persona)
    assert login(user).post(f"/signals/{report.pk}/close/", {"note": "x"}).status_code == 404


# --- recovering a lost code --------------------------------------------------------------------------


def _recover(client, phone=PHONE):
    return client.post("/public/recover/", {"phone": phone, **_captcha(client, "/public/recover/")})


def _sms_code() -> str:
    text = SmsMessage.objects.filter(text__contains="验证码").latest("pk").text
    return re.search(r"验证码 (\d{6})", text).group(1)


def test_a_worker_recovers_their_codes_by_phone_and_sms_code(
    report, world, django_capture_on_commit_callbacks
):
    from django.test import Client

    other = _file(Client(), world.luoxi_factory.town, employer="另一家公司")
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _recover(browser)
    assert response.status_code == 302 and response["Location"] == "/public/recover/verify/"
    code = _sms_code()
    assert RecoveryCode.objects.get().code_hash != code  # stored hashed
    page = browser.post("/public/recover/verify/", {"code": code}).content.decode()
    assert report.tracking_code in page and other.tracking_code in page
    assert browser.get(f"/public/track/{report.tracking_code}/").status_code == 200  # proved
    # One use.
    again = Client()
    _recover(again)
    again.session  # noqa: B018
    assert report.tracking_code not in again.post("/public/recover/verify/", {"code": code}).content.decode()


def test_an_unknown_phone_gets_the_same_page_and_no_sms(client, district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _recover(client, phone="13700000000")
    assert response.status_code == 302 and response["Location"] == "/public/recover/verify/"
    assert not SmsMessage.objects.exists() and not RecoveryCode.objects.exists()
    page = client.get("/public/recover/verify/").content.decode()
    assert "如果手机号 137****0000 提交过反映，验证码已通过短信发送" in page


def test_a_recovery_code_expires(client, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _recover(client)
    code = _sms_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        page = client.post("/public/recover/verify/", {"code": code}).content.decode()
    assert "验证码不正确或已过期" in page and report.tracking_code not in page


def test_a_recovery_code_dies_after_five_wrong_tries(client, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _recover(client)
    code = _sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/public/recover/verify/", {"code": wrong})
    assert report.tracking_code not in client.post("/public/recover/verify/", {"code": code}).content.decode()


def test_recovery_is_rate_limited_per_address_and_per_phone(
    client, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            _recover(client)
    assert SmsMessage.objects.filter(text__contains="验证码").count() == 3  # per phone an hour
    for _ in range(5):
        _recover(client)
    assert PortalAttempt.objects.filter(action="recover").count() >= 10
    response = _recover(client)
    assert "操作过于频繁" in response.content.decode()


def test_the_status_link_in_the_sms_leads_to_the_lookup_with_the_code_filled(report):
    from django.test import Client

    response = Client().get(f"/public/track/{report.tracking_code}/", follow=True)
    page = response.content.decode()
    assert f'value="{report.tracking_code}"' in page and "忘记查询码" in page


def test_the_status_page_reads_the_case_in_a_bounded_number_of_queries(
    client, report, world, luoxi, renshe, django_assert_max_num_queries
):
    from anxin.cases import actions

    for i in range(4):  # separate disputes on the same report, each with an order to pay
        case = open_case(world.luoxi_factory, actor=luoxi, signals=[report], separate=True)
        actions.action_request(
            actor=renshe, case=case, kind="order", amount=100_000, workers=1,
            pay_by=timezone.localdate() + datetime.timedelta(days=10), reference=f"新人社监〔2026〕{i + 1}号",
        )  # fmt: skip
    with django_assert_max_num_queries(30):
        page = client.get(f"/public/track/{report.tracking_code}/").content.decode()
    assert page.count("已责令企业限期支付") == 1  # the open case shown: one order


def test_closures_by_unit_reads_in_a_bounded_number_of_queries(
    world, office, luoxi, django_assert_max_num_queries
):
    from anxin.intake import selectors

    for i in range(4):
        signal = services.portal_submit(
            facts={"employer_name": f"某劳务{i}", "summary": "欠薪", "reporter_phone": f"1381234567{i}",
                   "amount": 1000, "workers": 1},
            town=luoxi.unit.town, photos=[], ip=f"10.5.5.{i}",
        )  # fmt: skip
        services.signal_verify(actor=luoxi, signal=signal, result="substantiated", note="属实")
        services.signal_reply(actor=luoxi, signal=signal, text="已处理")
        services.signal_close(actor=luoxi, signal=Signal.objects.get(pk=signal.pk), note="已办结")
    with django_assert_max_num_queries(3):
        rows = selectors.closures_by_unit(user=office)
    assert [(r["unit"], r["closed"]) for r in rows] == [(luoxi.unit, 4)]
