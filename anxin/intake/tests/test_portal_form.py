"""The worker's report form (issue #14 item 8): an employer the worker cannot place (town 不清楚,
address, site, 包工头), a named site routed to the construction line, amounts as people say them
with the unit beside the box, and iPhone photos."""

from __future__ import annotations

import re
from pathlib import Path

from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.intake import selectors, services
from anxin.intake.models import Signal

PHONE = "13912345678"
IPHONE_HEIC = (Path(__file__).parents[2] / "core" / "tests" / "fixtures" / "iphone-64px.heic").read_bytes()


def _captcha(client) -> dict:
    html = client.get("/public/report/").content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def _report(client, **changes):
    data = {
        "employer_name": "某某劳务队",
        "employer_uscc": "",
        "town": "unknown",
        "work_address": "",
        "project_name": "",
        "contractor_name": "",
        "period": "2026年9月至10月",
        "months_owed": 2,
        "amount": "8600",
        "workers": 3,
        "summary": "干完活包工头不给钱",
        "reporter_name": "王五",
        "reporter_phone": PHONE,
        "reporter_id_number": "",
        "consent": "on",
        **_captcha(client),
        **changes,
    }
    return client.post("/public/report/", data)


def test_the_town_list_ends_with_不清楚_and_says_what_happens_then(client, district):
    page = client.get("/public/report/").content.decode()
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)
    assert options[0] == ("", "请选择") and options[-1] == ("unknown", "不清楚")
    assert "由区联席办根据地址分拣转办" in page


def test_town_不清楚_goes_to_the_office_s_triage_with_the_address_kept(client, office, district):
    response = _report(client, work_address="空港大道88号北侧厂房", contractor_name="张三")
    assert response.status_code == 302, response.context["form"].errors
    signal = Signal.objects.get()
    assert signal.town is None and signal.assigned_unit.code == "office"
    assert (signal.work_address, signal.contractor_name) == ("空港大道88号北侧厂房", "张三")
    assert "联席办分拣" in signal.routing_note
    assert signal in selectors.triage_queue(user=office, queue="unmatched")
    done = client.get("/public/report/done/").content.decode()
    assert "区联席办（分拣转办）" in done and "12333" in done
    assert "区联席办将根据地址和单位确定属地后转办" in done


def test_a_choice_is_still_required(client, district):
    response = _report(client, town="")
    assert "town" in response.context["form"].errors
    assert not Signal.objects.exists()


def test_a_named_site_goes_to_the_construction_bureau_and_the_worker_is_told(client, world):
    town = world.luoxi_factory.town
    response = _report(
        client, town=town.pk, project_name="空港产业园三期工地", contractor_name="李四（包工头）"
    )
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.town == town and signal.assigned_unit.code == "construction"
    assert "§三(九)" in signal.routing_note and signal.project_name == "空港产业园三期工地"
    done = client.get("/public/report/done/").content.decode()
    assert "罗溪镇（属地）" in done and "区城建局（条线主管）" in done


def test_without_a_site_the_same_report_stays_with_labour_inspection(client, world):
    _report(client, town=world.luoxi_factory.town.pk)
    assert Signal.objects.get().assigned_unit.code == "hrss"


def test_who_sees_a_site_report(client, login, world, office, chengjian, luoxi, xuejia):
    _report(client, town=world.luoxi_factory.town.pk, project_name="空港产业园三期工地")
    signal = Signal.objects.get()
    for user, status in ((office, 200), (chengjian, 200), (luoxi, 200), (xuejia, 404), (None, 302)):
        response = login(user).get(f"/signals/{signal.pk}/")
        assert response.status_code == status, user
    page = login(chengjian).get(f"/signals/{signal.pk}/").content.decode()
    assert "空港产业园三期工地" in page


def test_matching_a_site_report_to_a_firm_of_no_line_keeps_it_with_the_construction_line(
    client, world, office
):
    _report(client, project_name="空港产业园三期工地")
    signal = Signal.objects.get()
    assert signal.town is None and signal.assigned_unit.code == "construction"
    matched = services.signal_match(actor=office, signal=signal, enterprise=world.xuejia_dispatch)
    assert matched.town.code == "xuejia" and matched.assigned_unit.code == "construction"


def test_the_officer_sees_the_address_and_the_contractor(client, login, world, office):
    _report(client, work_address="空港大道88号", contractor_name="张三")
    page = login(office).get(f"/signals/{Signal.objects.get().pk}/").content.decode()
    assert "空港大道88号" in page and "张三" in page and "包工头/总包" in page


# --- amounts --------------------------------------------------------------------------------------


def test_3万2_goes_through_the_view_as_32_000_yuan_and_is_repeated_in_figures(client, district):
    response = _report(client, amount="3万2")
    assert response.status_code == 302
    assert Signal.objects.get().amount == 3_200_000
    done = client.get("/public/report/done/").content.decode()
    assert re.search(r'data-testid="portal-done-amount">32,000.00 元<', done)


def test_the_amount_box_shows_the_unit_and_says_how_to_write_amounts(client, district):
    page = client.get("/public/report/").content.decode()
    box = re.search(r'<div class="input-group">(.*?)</div>', page, re.S).group(1)
    assert 'name="amount"' in box and '<span class="input-group-text">元</span>' in box
    assert "3.2万、3万2（即 32000 元）、3万零500（即 30500 元）" in page


def test_an_amount_it_cannot_read_is_refused_with_the_ways_to_write_it(client, district):
    response = _report(client, amount="三万多")
    errors = response.context["form"].errors["amount"]
    assert "3万2" in errors[0]
    page = response.content.decode()
    assert re.search(r'name="amount"[^>]*aria-describedby="id_amount_error id_amount_help"', page)
    assert 'id="id_amount_error"' in page and 'aria-invalid="true"' in page


# --- photos ---------------------------------------------------------------------------------------


def test_the_form_says_which_photos_it_takes_before_upload(client, district):
    page = client.get("/public/report/").content.decode()
    assert "JPEG、PNG 或苹果手机的 HEIC/HEIF 照片" in page
    assert re.search(r'type="file"[^>]*accept="image/jpeg,image/png,image/heic,image/heif', page)


def test_an_iphone_heic_photo_is_stored_and_offered_to_the_officer_as_a_download(
    client, login, world, office
):
    photo = SimpleUploadedFile("IMG_0001.HEIC", IPHONE_HEIC, content_type="image/heic")
    response = _report(client, photos=[photo])
    assert response.status_code == 302, response.context["form"].errors
    attachment = Signal.objects.get().attachments.get()
    assert (attachment.content_type, attachment.extension, attachment.size) == ("image/heic", ".heic", 383)
    page = login(office).get(f"/signals/{attachment.signal_id}/").content.decode()
    assert 'data-testid="attachment-download-only"' in page and "浏览器可能无法直接显示" in page
    download = login(office).get(f"/attachments/{attachment.pk}/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "image/heic" and download["X-Content-Type-Options"] == "nosniff"


def test_a_photo_of_another_kind_is_refused_by_its_name(client, district):
    gif = SimpleUploadedFile("动图.gif", b"GIF89a" + b"\0" * 40, content_type="image/gif")
    response = _report(client, photos=[gif])
    assert response.status_code == 200
    message = response.context["form"].errors["photos"][0]
    assert message == "“动图.gif”不是可接受的文件类型（仅限 JPEG、PNG、HEIC、HEIF，按文件内容判断）"
    assert not Signal.objects.exists()


def test_every_visible_field_has_a_label(client, district):
    page = client.get("/public/report/").content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[a-z_0-9]+)"', page)
    hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="(id_[a-z_0-9]+)"', page))
    for field_id in set(ids) - hidden:
        assert f'for="{field_id}"' in page, field_id


def test_the_captcha_picture_has_a_chinese_text_and_its_error_is_linked(client, district):
    page = client.get("/public/report/").content.decode()
    assert 'alt="验证码图片：4 位数字"' in page
    response = _report(client, captcha_1="0000")
    page = response.content.decode()
    assert re.search(r'name="captcha_1"[^>]*aria-describedby="id_captcha_error id_captcha_help"', page)
    assert 'id="id_captcha_error"' in page and 'href="#id_captcha_1"' in page


def test_a_registered_project_named_by_the_worker_places_the_report_even_with_不清楚(client, world):
    _report(client, project_name="罗溪安置房项目")
    signal = Signal.objects.get()
    assert signal.project == world.luoxi_project and signal.town.code == "luoxi"
    assert signal.assigned_unit.code == "construction" and "项目主管部门" in signal.routing_note
    done = client.get("/public/report/done/").content.decode()
    assert "罗溪镇（属地）" in done and "区城建局（条线主管）" in done


def test_the_office_s_triage_row_shows_where_the_worker_said_the_work_was(client, login, district, office):
    _report(client, work_address="空港大道88号", project_name="三期工地", contractor_name="张三")
    page = login(office).get("/signals/triage/?queue=unmatched").content.decode()
    assert re.search(
        r'data-testid="triage-place">地址：空港大道88号 · 工地/项目：三期工地 · 包工头/总包：张三<', page
    )
