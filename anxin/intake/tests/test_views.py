"""Intake screens for every persona: ledger, detail, actions, triage, entry, export, self-reports."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.core.models import SecurityEvent
from anxin.intake import services
from anxin.intake.models import Channel, SelfReport, Signal
from anxin.intake.services import attachment_store
from anxin.intake.tests.factories import on_disk, png, self_report, signal
from anxin.notify.models import Notification
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import make_uscc


@pytest.fixture
def two(world):
    """A signal in 罗溪 (industrial, 人社局's line) and one in 薛家."""
    return signal(enterprise=world.luoxi_factory), signal(
        enterprise=world.xuejia_factory, channel_code="petition"
    )


@pytest.mark.parametrize(
    ("persona", "sees_luoxi", "sees_xuejia"),
    [
        ("office", True, True),
        ("leader", True, True),
        ("luoxi", True, False),
        ("xuejia", False, True),
        ("chengjian", False, False),
        ("renshe", True, True),
        ("auditor", True, True),
    ],
)
def test_who_sees_which_signal(request, login, two, persona, sees_luoxi, sees_xuejia):
    client = login(request.getfixturevalue(persona))
    luoxi_signal, xuejia_signal = two
    assert (client.get(f"/signals/{luoxi_signal.pk}/").status_code == 200) is sees_luoxi
    assert (client.get(f"/signals/{xuejia_signal.pk}/").status_code == 200) is sees_xuejia
    listed = {s.pk for s in client.get("/signals/").context["page"]}
    assert (luoxi_signal.pk in listed) is sees_luoxi and (xuejia_signal.pk in listed) is sees_xuejia


def test_outside_the_scope_is_a_404_not_a_403(login, two, luoxi):
    assert login(luoxi).get(f"/signals/{two[1].pk}/").status_code == 404


def test_the_public_and_admin_roles_see_no_signals(login, two, sysadmin, secadmin):
    assert login(None).get("/signals/").status_code == 302
    for user in (sysadmin, secadmin):
        assert login(user).get("/signals/").status_code == 403


def test_a_department_sees_what_its_channel_fed(world, login, chengjian):
    s = signal(enterprise=world.xuejia_factory, channel_code="construction", actor=chengjian)
    assert login(chengjian).get(f"/signals/{s.pk}/").status_code == 200


def test_my_pending_list_shows_what_waits_on_my_unit(world, login, chengjian):
    mine = signal(enterprise=world.luoxi_builder)
    signal(enterprise=world.luoxi_factory)
    listed = [s.pk for s in login(chengjian).get("/signals/", {"mine": "1"}).context["page"]]
    assert listed == [mine.pk]


@pytest.mark.parametrize("extra", [3, 40])
def test_the_ledger_query_count_does_not_grow_with_rows(
    world, login, office, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        signal(enterprise=world.luoxi_factory)
    client = login(office)
    with django_assert_max_num_queries(14):
        assert client.get("/signals/").status_code == 200


def test_the_town_ledger_query_count_is_bounded(world, login, luoxi, django_assert_max_num_queries):
    for _ in range(30):
        signal(enterprise=world.luoxi_factory)
    client = login(luoxi)
    # +1: the 失信 mark's one read for the page (issue 17); +1: the unit's channel ids, read once
    # per request so the signal scope is index lookups (issue #20)
    with django_assert_max_num_queries(16):
        assert client.get("/signals/", {"mine": "1"}).status_code == 200


def test_filters_narrow_the_ledger(world, login, office):
    signal(enterprise=world.luoxi_factory)
    signal(enterprise=world.xuejia_factory, kind="suspension", channel_code="grid")
    client = login(office)
    assert client.get("/signals/", {"kind": "suspension"}).context["page"].paginator.count == 1
    assert client.get("/signals/", {"town": "luoxi"}).context["page"].paginator.count == 1
    assert client.get("/signals/", {"channel": "grid"}).context["page"].paginator.count == 1
    assert client.get("/signals/", {"q": "薛家"}).context["page"].paginator.count == 1


def test_the_ledger_exports_the_filtered_list_and_logs_it(world, login, luoxi):
    signal(enterprise=world.luoxi_factory, summary="导出测试")
    response = login(luoxi).get("/signals/", {"export": "xlsx", "town": "luoxi"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    text = "".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    assert "导出测试" in text and "罗溪纺织有限公司" in text
    assert SecurityEvent.objects.filter(kind="export", user=luoxi).exists()


def test_an_officer_records_a_signal_through_the_form(world, login, renshe):
    response = login(renshe).post(
        "/signals/new/",
        {
            "channel": Channel.objects.get(code="hotline-12333").pk,
            "reference": "GD-1",
            "kind": "wage_complaint",
            "employer_uscc": world.luoxi_factory.uscc.lower(),
            "received_at": "2026-11-20T09:30",
            "workers": "3",
            "amount": "9,000",
            "months_owed": "1",
            "summary": "电话反映",
        },
    )
    assert response.status_code == 302
    s = Signal.objects.get()
    assert (s.enterprise, s.amount, s.created_by) == (world.luoxi_factory, 900000, renshe)


def test_the_form_shows_field_errors_and_writes_nothing(world, login, renshe):
    response = login(renshe).post(
        "/signals/new/",
        {
            "channel": Channel.objects.get(code="hotline-12333").pk,
            "kind": "wage_complaint",
            "employer_uscc": "91320411MA1XXXXXX0",
            "received_at": "2099-01-01T00:00",
            "workers": "0",
            "months_owed": "0",
            "summary": "x",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "employer_uscc" in form.errors and "received_at" in form.errors
    assert not Signal.objects.exists()


def test_one_submit_with_several_bad_fields_shows_every_error_and_keeps_the_input(world, login, renshe):
    response = login(renshe).post(
        "/signals/new/",
        {
            "channel": Channel.objects.get(code="hotline-12333").pk,
            "kind": "wage_complaint",
            "employer_uscc": "91320411MA1XXXXXX0",
            "received_at": "2026-11-20T09:30",
            "workers": "-3",
            "months_owed": "1",
            "summary": "电话反映",
            "reporter_phone": "12345",
            "reporter_id_number": "320411199001011234",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"workers", "employer_uscc", "reporter_phone", "reporter_id_number"} <= set(errors)
    page = response.content.decode()
    assert 'value="91320411MA1XXXXXX0"' in page and 'value="12345"' in page
    assert not Signal.objects.exists()


def test_a_town_user_cannot_choose_another_units_channel(world, login, luoxi):
    page = login(luoxi).get("/signals/new/")
    names = {c.code for c in page.context["form"].fields["channel"].queryset}
    assert names == {"grid", "screening"}


def test_verification_through_the_page(world, login, luoxi):
    s = signal(enterprise=world.luoxi_factory)
    client = login(luoxi)
    client.post(f"/signals/{s.pk}/accept/", {"note": ""})
    response = client.post(
        f"/signals/{s.pk}/verify/", {"result": "substantiated", "note": "走访属实"}, follow=True
    )
    assert "已记录核实结论" in response.content.decode()
    s.refresh_from_db()
    assert s.stage == "verified"


def test_a_refused_action_shows_the_reason(world, login, office):
    s = signal(enterprise=world.luoxi_factory)
    response = login(office).post(f"/signals/{s.pk}/close/", {"note": "x"}, follow=True)
    assert "不能" in response.content.decode()


def test_the_reporter_contact_is_masked_until_revealed_and_the_reveal_is_logged(world, login, luoxi):
    s = signal(enterprise=world.luoxi_factory, reporter_name="王五", reporter_phone="13912345678")
    client = login(luoxi)
    page = client.get(f"/signals/{s.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    revealed = client.post(f"/signals/{s.pk}/reporter/").content.decode()
    assert "13912345678" in revealed
    assert SecurityEvent.objects.filter(kind="sensitive_view", user=luoxi).exists()


def test_the_leader_cannot_reveal_the_reporter(world, login, leader):
    s = signal(enterprise=world.luoxi_factory, reporter_phone="13912345678")
    assert login(leader).post(f"/signals/{s.pk}/reporter/").status_code == 403


def test_triage_queues_and_in_place_actions(world, login, office):
    unmatched = signal(employer_name="无名公司", town=world.luoxi_factory.town)
    signal(enterprise=world.luoxi_factory)
    twin = signal(enterprise=world.luoxi_factory, channel_code="petition")
    client = login(office)
    page = client.get("/signals/triage/")
    assert page.context["counts"] == {"unmatched": 1, "duplicates": 1, "overdue": 0}
    row = client.post(
        f"/signals/{unmatched.pk}/triage/match/",
        {"uscc": world.luoxi_factory.uscc, "queue": "unmatched"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200 and "已处理" in row.content.decode()
    bad = client.post(
        f"/signals/{twin.pk}/triage/match/", {"uscc": "91320411MA1XXXXXX0"}, HTTP_HX_REQUEST="true"
    )
    assert "未找到" in bad.content.decode() or "已关联" in bad.content.decode()
    merged = client.post(f"/signals/{twin.pk}/triage/merge/", {"queue": "duplicates"}, HTTP_HX_REQUEST="true")
    assert "已处理" in merged.content.decode()
    assert Signal.objects.get(pk=twin.pk).merged_into_id is not None


def test_only_the_office_opens_triage(world, login, luoxi, chengjian):
    for user in (luoxi, chengjian):
        assert login(user).get("/signals/triage/").status_code == 403


def test_the_enterprise_page_has_a_signals_tab_newest_first(world, login, luoxi):
    older = signal(enterprise=world.luoxi_factory, summary="较早的线索")
    newer = signal(enterprise=world.luoxi_factory, summary="较新的线索", channel_code="petition")
    page = login(luoxi).get(f"/enterprises/{world.luoxi_factory.uscc}/", {"tab": "signals"}).content.decode()
    assert "预警线索" in page
    assert page.index("较新的线索") < page.index("较早的线索")
    assert older.pk != newer.pk


def test_a_self_report_through_the_form(world, login, renshe):
    response = login(renshe).post(
        "/self-reports/new/",
        {
            "uscc": world.luoxi_factory.uscc,
            "arrears_since": "2026-11-01",
            "reported_on": "2026-11-06",
            "workers": "12",
            "amount": "86,000",
            "cause": "货款未到",
            "plan": "2026-11-30 50000 第一期\n2026-12-31 36,000.00",
        },
    )
    assert response.status_code == 302
    report = SelfReport.objects.get()
    assert report.on_time and report.instalments.count() == 2
    page = login(renshe).get(f"/self-reports/{report.pk}/").content.decode()
    assert "按时" in page and "§四(一)" in page and "self_report.deadline_days" in page


def test_a_bad_plan_line_names_the_line(world, login, renshe):
    response = login(renshe).post(
        "/self-reports/new/",
        {
            "uscc": world.luoxi_factory.uscc,
            "arrears_since": "2026-11-01",
            "reported_on": "2026-11-06",
            "workers": "2",
            "amount": "100",
            "cause": "x",
            "plan": "2026-11-30 50\nnot-a-date 20",
        },
    )
    assert "第 2 行日期" in response.content.decode()
    assert not SelfReport.objects.exists()


def test_self_report_ledger_filters_and_exports(world, login, office):
    self_report(world.luoxi_factory, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 9))
    client = login(office)
    assert client.get("/self-reports/", {"timeliness": "late"}).context["page"].paginator.count == 1
    assert client.get("/self-reports/", {"timeliness": "on_time"}).context["page"].paginator.count == 0
    assert client.get("/self-reports/", {"export": "xlsx"}).status_code == 200


def test_a_town_cannot_enter_self_reports(world, login, luoxi):
    assert login(luoxi).get("/self-reports/new/").status_code == 403


def test_attachments_are_served_only_within_scope(world, login, luoxi, xuejia):
    s = signal(enterprise=world.luoxi_factory, channel_code="grid", actor=luoxi)
    attachment = attachment_store(actor=luoxi, signal=s, name="现场.png", content=png())
    assert login(luoxi).get(f"/attachments/{attachment.pk}/").status_code == 200
    assert login(xuejia).get(f"/attachments/{attachment.pk}/").status_code == 404


def test_the_home_page_shows_my_pending_count(world, login, luoxi):
    signal(enterprise=world.luoxi_factory)
    page = login(luoxi).get("/").content.decode()
    assert "1 条待核实" in page


def test_the_inbox_shows_the_unread_count_and_marks_read(
    world, login, luoxi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        s = signal(enterprise=world.luoxi_factory)
    client = login(luoxi)
    assert 'data-testid="inbox-unread">1<' in client.get("/").content.decode()
    notice = Notification.objects.get(recipient=luoxi)
    response = client.get(f"/inbox/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/signals/{s.pk}/"
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    assert 'data-testid="inbox-unread"' not in client.get("/").content.decode()


# --- uploads through the officer forms --------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _signal_post(world, **changes) -> dict:
    data = {
        "channel": Channel.objects.get(code="hotline-12333").pk,
        "reference": "GD-ATT",
        "kind": "wage_complaint",
        "employer_uscc": world.luoxi_factory.uscc,
        "received_at": "2026-11-20T09:30",
        "workers": "3",
        "amount": "9,000",
        "months_owed": "1",
        "summary": "电话反映，附工资条",
    }
    data.update(changes)
    return data


def test_officer_form_attachments_are_stored_by_their_content(world, login, renshe, settings, tmp_path):
    on_disk(settings, tmp_path / "media")
    files = [
        SimpleUploadedFile("工资条.jpg", png(), content_type="image/jpeg"),  # a PNG under a .jpg name
        SimpleUploadedFile("投诉书.pdf", PDF, content_type="application/pdf"),
    ]
    client = login(renshe)
    assert client.post("/signals/new/", _signal_post(world, attachments=files)).status_code == 302
    stored = {a.name: a for a in Signal.objects.get().attachments.all()}
    assert set(stored) == {"工资条.jpg", "投诉书.pdf"}
    assert stored["工资条.jpg"].content_type == "image/png" and stored["工资条.jpg"].file.name.endswith(
        ".png"
    )
    assert stored["投诉书.pdf"].size == len(PDF)
    response = client.get(f"/attachments/{stored['投诉书.pdf'].pk}/")
    assert b"".join(response.streaming_content) == PDF
    assert len(_files_under(tmp_path / "media")) == 2  # really on disk: the cleanup tests below can fail


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "说明.pdf",
            b"MZ\x90\x00 an executable renamed",
            "“说明.pdf”不是可接受的文件类型（仅限 JPEG、PNG、PDF，按文件内容判断）",
        ),
        ("大图.pdf", PDF + b"0" * (5 * 1024 * 1024), "“大图.pdf”超过 5 MB，请压缩后再上传"),
    ],
)
def test_a_bad_officer_attachment_is_refused_on_its_field_and_nothing_is_written(
    world, login, renshe, settings, tmp_path, name, content, message
):
    on_disk(settings, tmp_path / "media")
    good = SimpleUploadedFile("好的.png", png(), content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = login(renshe).post("/signals/new/", _signal_post(world, attachments=[good, bad]))
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"] == [message]
    assert not Signal.objects.exists()
    assert _files_under(tmp_path / "media") == []  # the good file written first is removed again


def _self_report_post(world, **changes) -> dict:
    data = {
        "uscc": world.luoxi_factory.uscc,
        "arrears_since": "2026-11-01",
        "reported_on": "2026-11-06",
        "workers": "12",
        "amount": "86,000",
        "cause": "货款未到",
        "plan": "2026-11-30 50000 第一期",
    }
    data.update(changes)
    return data


def test_a_self_report_scan_through_the_form_is_stored_with_the_report(
    world, login, renshe, settings, tmp_path
):
    on_disk(settings, tmp_path / "media")
    scan = SimpleUploadedFile("书面报告.pdf", PDF, content_type="application/pdf")
    client = login(renshe)
    assert client.post("/self-reports/new/", _self_report_post(world, scan=scan)).status_code == 302
    report = SelfReport.objects.get()
    assert report.scan.name == "书面报告.pdf" and report.scan.content_type == "application/pdf"
    assert report.scan.signal_id == report.signal_id
    page = client.get(f"/self-reports/{report.pk}/").content.decode()
    assert f"/attachments/{report.scan_id}/" in page
    assert b"".join(client.get(f"/attachments/{report.scan_id}/").streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "报告.pdf",
            b"PK\x03\x04 a zip renamed",
            "“报告.pdf”不是可接受的文件类型（仅限 JPEG、PNG、PDF，按文件内容判断）",
        ),
        ("报告.pdf", PDF + b"0" * (5 * 1024 * 1024), "“报告.pdf”超过 5 MB，请压缩后再上传"),
    ],
)
def test_a_bad_self_report_scan_is_refused_on_its_field_and_nothing_is_written(
    world, login, renshe, settings, tmp_path, name, content, message
):
    on_disk(settings, tmp_path / "media")
    scan = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = login(renshe).post("/self-reports/new/", _self_report_post(world, scan=scan))
    assert response.status_code == 200
    assert response.context["form"].errors["scan"] == [message]
    assert not SelfReport.objects.exists() and not Signal.objects.exists()
    assert _files_under(tmp_path / "media") == []


def test_script_in_the_employer_and_reporter_name_shows_as_text_on_the_signal_page(world, login, office):
    s = signal(
        employer_name='<script>alert("e")</script>',
        reporter_name="<img src=x onerror=alert(2)>",
        reporter_phone="13912345678",
        town=world.luoxi_factory.town,
    )
    client = login(office)
    for page in (
        client.get(f"/signals/{s.pk}/").content.decode(),
        client.post(f"/signals/{s.pk}/reporter/").content.decode(),
        client.get("/signals/").content.decode(),
        client.get("/signals/triage/").content.decode(),
    ):
        assert '<script>alert("e")' not in page and "<img src=x" not in page
    detail = client.get(f"/signals/{s.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;e&quot;)&lt;/script&gt;" in detail
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail


# --- triage: 督办 overdue rows and register an unmatched employer in place ----------------------


def _overdue_signal(world):
    then = timezone.now() - datetime.timedelta(days=30)
    with time_machine.travel(then, tick=False):
        return signal(enterprise=world.luoxi_factory, received_at=then - datetime.timedelta(minutes=5))


def test_an_overdue_row_is_urged_in_place_with_a_confirmation(
    world, login, office, renshe, luoxi, django_capture_on_commit_callbacks
):
    s = _overdue_signal(world)
    client = login(office)
    page = client.get("/signals/triage/", {"queue": "overdue"}).content.decode()
    assert f'hx-post="/signals/{s.pk}/triage/urge/"' in page
    assert f'hx-confirm="督办线索 #{s.pk}：通知人社局和罗溪镇尽快核实' in page
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        row = client.post(
            f"/signals/{s.pk}/triage/urge/",
            {"note": "请周五前报结论", "queue": "overdue"},
            HTTP_HX_REQUEST="true",
        )
    html = row.content.decode()
    assert row.status_code == 200 and f'id="triage-{s.pk}"' in html and "已督办" in html
    assert "<html" not in html  # the row only, swapped in place
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"t_renshe", "t_luoxi"}
    event = s.events.get(action="urge")
    assert event.actor == office and "请周五前报结论" in event.note
    again = client.get("/signals/triage/", {"queue": "overdue"}).content.decode()
    assert "已督办 1 次" in again
    assert "督办" in client.get(f"/signals/{s.pk}/").content.decode()


def test_urging_a_signal_verified_meanwhile_shows_the_reason_in_the_row(world, login, office):
    s = _overdue_signal(world)
    services.signal_verify(actor=office, signal=s, result="substantiated", note="属实")
    row = login(office).post(f"/signals/{s.pk}/triage/urge/", {"queue": "overdue"}, HTTP_HX_REQUEST="true")
    assert "无需督办" in row.content.decode() and not s.events.filter(action="urge").exists()


def test_towns_and_departments_cannot_urge(world, login, luoxi, renshe):
    s = _overdue_signal(world)
    for user in (luoxi, renshe):
        assert login(user).post(f"/signals/{s.pk}/triage/urge/", {"queue": "overdue"}).status_code == 403
    assert not s.events.filter(action="urge").exists()


def test_the_triage_overdue_queue_query_count_is_bounded(world, login, office, django_assert_max_num_queries):
    for _ in range(12):
        _overdue_signal(world)
    client = login(office)
    with django_assert_max_num_queries(16):
        assert client.get("/signals/triage/", {"queue": "overdue"}).status_code == 200


def _enterprise_post(**changes) -> dict:
    data = {
        "uscc": "",
        "name": "",
        "legal_rep": "张三",
        "town": "",
        "address": "罗溪镇工业园1号",
        "industry": "C",
        "ownership": "private",
        "employees": "30",
        "status": "operating",
    }
    data.update(changes)
    return data


def test_register_one_prefills_the_enterprise_form_from_the_signal(world, login, office):
    code = make_uscc()
    s = signal(employer_name="新北某建材有限公司", employer_uscc=code, town=world.luoxi_factory.town)
    client = login(office)
    triage = client.get("/signals/triage/").content.decode()
    assert f'href="/signals/{s.pk}/triage/new-enterprise/"' in triage
    page = client.get(f"/signals/{s.pk}/triage/new-enterprise/")
    form = page.context["form"]
    assert (form["name"].value(), form["uscc"].value(), form["town"].value()) == (
        "新北某建材有限公司",
        code,
        world.luoxi_factory.town_id,
    )
    html = page.content.decode()
    assert (
        'value="新北某建材有限公司"' in html
        and f'value="{code}"' in html
        and "保存后该线索关联到新企业" in html
    )


def test_after_registering_the_signal_is_linked_to_the_new_enterprise(world, login, office):
    code = make_uscc()
    s = signal(employer_name="新北某建材有限公司", employer_uscc=code, town=world.luoxi_factory.town)
    response = login(office).post(
        f"/signals/{s.pk}/triage/new-enterprise/",
        _enterprise_post(uscc=code, name="新北某建材有限公司", town=world.luoxi_factory.town_id),
        follow=True,
    )
    created = Enterprise.objects.get(uscc=code)
    s.refresh_from_db()
    assert s.enterprise == created and s.town == created.town and s.assigned_unit is not None
    assert s.events.filter(action="match").exists()
    assert response.redirect_chain[-1][0] == "/signals/triage/?queue=unmatched"
    assert f"线索 #{s.pk} 已关联" in response.content.decode()
    assert response.context["counts"]["unmatched"] == 0


def test_a_bad_new_enterprise_form_links_nothing_and_creates_nothing(world, login, office):
    s = signal(employer_name="新北某建材有限公司", town=world.luoxi_factory.town)
    before = Enterprise.objects.count()
    response = login(office).post(
        f"/signals/{s.pk}/triage/new-enterprise/",
        _enterprise_post(uscc="BADCODE", name="新北某建材有限公司", town=world.luoxi_factory.town_id),
    )
    assert response.status_code == 200 and "uscc" in response.context["form"].errors
    assert Enterprise.objects.count() == before
    s.refresh_from_db()
    assert s.enterprise is None


def test_only_the_office_registers_from_triage(world, login, luoxi, chengjian):
    s = signal(employer_name="某公司", town=world.luoxi_factory.town)
    for user in (luoxi, chengjian):
        assert login(user).get(f"/signals/{s.pk}/triage/new-enterprise/").status_code == 403


@pytest.mark.parametrize("persona, linked", [("luoxi", False), ("office", True)])
def test_a_signal_names_an_enterprise_the_reader_cannot_open_without_a_link(
    world, login, request, persona, linked
):
    # a site in 罗溪, its contractor registered in 三井: the site's town answers for the signal
    s = signal(enterprise=world.sanjing_developer, project=world.luoxi_project)
    assert s.town.code == "luoxi"
    client = login(request.getfixturevalue(persona))
    href = f'href="/enterprises/{world.sanjing_developer.uscc}/"'
    for url in (f"/signals/{s.pk}/", "/signals/"):
        page = client.get(url).content.decode()
        assert world.sanjing_developer.name in page
        assert (href in page) == linked
    assert client.get(f"/enterprises/{world.sanjing_developer.uscc}/").status_code == (200 if linked else 404)


@pytest.mark.parametrize(
    "persona, waiting, waiting_note, recent",
    [
        ("leader", "全区 2 条待核实", "由各镇（街道）、部门核实", "全区近30天 2 条线索"),
        ("office", "全区 2 条待核实", "由各镇（街道）、部门核实", "全区近30天 2 条线索"),
        ("luoxi", "1 条待核实", "本镇（街道）待核实", "本辖区近30天 1 条线索"),
        ("xuejia", "1 条待核实", "本镇（街道）待核实", "本辖区近30天 1 条线索"),
    ],
)
def test_the_home_panel_says_whose_pending_signals_it_counts(
    world, login, request, persona, waiting, waiting_note, recent
):
    signal(enterprise=world.luoxi_factory)
    signal(enterprise=world.xuejia_factory)
    page = login(request.getfixturevalue(persona)).get("/").content.decode()
    mine = page.split('data-testid="signals-mine">')[1].split("</a>")[0]
    assert mine.startswith(waiting) and waiting_note in mine
    assert "我的待核实" not in mine
    assert recent in page


def test_a_department_home_panel_counts_what_is_routed_to_it_as_its_own(world, login, renshe):
    signal(enterprise=world.luoxi_factory)
    signal(enterprise=world.xuejia_factory, kind="social_insurance")
    mine = login(renshe).get("/").content.decode().split('data-testid="signals-mine">')[1].split("</a>")[0]
    expected = Signal.objects.filter(assigned_unit=renshe.unit).count()
    assert mine.startswith(f"{expected} 条待核实") and "本单位待核实" in mine


def test_the_last_30_days_tile_opens_the_list_of_exactly_those_signals(world, login, office):
    now = timezone.now()
    signal(enterprise=world.luoxi_factory, received_at=now - datetime.timedelta(days=3))
    signal(enterprise=world.luoxi_factory, received_at=now - datetime.timedelta(days=29))
    signal(enterprise=world.xuejia_factory, received_at=now - datetime.timedelta(days=45))  # older
    client = login(office)
    page = client.get("/").content.decode()
    tile = page.split('data-testid="signals-last30-link"')[0].rsplit("<a ", 1)[1]
    url = tile.split('href="')[1].split('"')[0].replace("&amp;", "&")
    listed = client.get(url).context["paginator"].count
    shown = int(page.split('data-testid="signals-last30">')[1].split("近30天 ")[1].split(" 条")[0])
    assert shown == listed == 2


def test_the_signal_scope_reads_the_signals_once(world, luoxi, chengjian):
    """The scope is applied to the signal rows themselves, not through a self-subquery of ids joined
    to the channels: that shape made PostgreSQL scan and hash every signal per count (issue #20)."""
    for user in (luoxi, chengjian):
        sql = str(Signal.objects.for_user(user).filter(stage="received").query)
        assert sql.count('FROM "intake_signal"') == 1, sql
        assert "intake_channel" not in sql, sql


@pytest.mark.parametrize("who", ["luoxi", "renshe", "office"])
def test_the_home_page_query_count_is_bounded(world, login, who, request, django_assert_max_num_queries):
    """The signal card's counts are one aggregate (they were five COUNT queries, issue #20)."""
    user = request.getfixturevalue(who)
    for _ in range(5):
        signal(enterprise=world.luoxi_factory)
    client = login(user)
    client.get("/")
    with django_assert_max_num_queries(BOUND_HOME[who]):
        assert client.get("/").status_code == 200


BOUND_HOME = {"luoxi": 45, "renshe": 45, "office": 40}  # measured after the change (issue #20)
