"""A district leader's 批示 and 已阅 on a special report (§五(二)): only the 区领导 role records them;
a 批示 needs its text and at least one unit; each named unit is told after commit and its users
read the 批示 on the report; the office sees who has read. The page leads with the office's text."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.monitoring import immediate, scan
from anxin.monitoring.models import ImmediateReport, ImmediateReportEvent, ReportReading, ReportStatus
from anxin.monitoring.tests.factories import observe
from anxin.notify.models import Notification
from anxin.org.models import Unit

D = datetime.date
BODY = "罗溪镇某纺织企业拖欠32名工人3个月工资，约86万元。联席办建议：由罗溪镇牵头、公安分局配合。"


@pytest.fixture
def special(world, luoxi, office):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 8_600_000)
    scan.scan(as_of=D(2026, 11, 25))
    report = ImmediateReport.objects.get(enterprise=world.luoxi_factory)
    immediate.report_submit(
        actor=luoxi, report=report, mass_incident_risk=True, risk_judgement="工人情绪激动", measures="镇约谈"
    )
    immediate.report_special(actor=office, report=report, title="关于罗溪纺织欠薪情况的专题报告", body=BODY)
    return ImmediateReport.objects.select_related("enterprise").get(pk=report.pk)


def _unit(code):
    return Unit.objects.get(code=code)


# --- services -------------------------------------------------------------------------------------


def test_only_the_leader_role_records_read_and_instruction(special, office, luoxi, chengjian):
    for actor in (office, luoxi, chengjian):
        with pytest.raises(PermissionDenied):
            immediate.report_mark_read(actor=actor, report=special)
        with pytest.raises(PermissionDenied):
            immediate.report_instruct(
                actor=actor, report=special, text="请抓紧处置", unit_ids=[_unit("police").pk]
            )
    assert not special.readings.exists() and not special.instructions.exists()


def test_read_is_recorded_once_with_who_and_when(special, leader):
    first = immediate.report_mark_read(actor=leader, report=special)
    again = immediate.report_mark_read(actor=leader, report=special)
    assert first.pk == again.pk and first.reader == leader and first.at is not None
    assert ReportReading.objects.filter(report=special).count() == 1
    events = ImmediateReportEvent.objects.filter(report=special, action="read")
    assert events.count() == 1 and events.get().actor == leader
    special.refresh_from_db()
    assert special.status == ReportStatus.SPECIAL  # reading changes no status


def test_an_instruction_needs_text_and_at_least_one_unit(special, leader):
    with pytest.raises(DomainError, match="批示内容"):
        immediate.report_instruct(actor=leader, report=special, text="  ", unit_ids=[_unit("police").pk])
    with pytest.raises(DomainError, match="至少选择一个"):
        immediate.report_instruct(actor=leader, report=special, text="请抓紧处置", unit_ids=[])
    leaders = _unit("leaders")
    with pytest.raises(DomainError, match="可选范围"):
        immediate.report_instruct(actor=leader, report=special, text="请抓紧处置", unit_ids=[leaders.pk])
    assert not special.instructions.exists()


def test_only_a_special_report_takes_an_instruction(world, leader):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    draft = ImmediateReport.objects.get(enterprise=world.luoxi_factory)
    with pytest.raises(DomainError, match="专题报告"):
        immediate.report_mark_read(actor=leader, report=draft)
    with pytest.raises(DomainError, match="专题报告"):
        immediate.report_instruct(actor=leader, report=draft, text="x", unit_ids=[_unit("police").pk])


def test_the_named_units_are_told_on_commit_and_no_one_else(
    special, leader, gongan, luoxi, chengjian, office, django_capture_on_commit_callbacks
):
    units = [_unit("police").pk, _unit("gov-luoxi").pk]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        instruction = immediate.report_instruct(
            actor=leader, report=special, text="请公安分局提前介入，罗溪镇稳控现场。", unit_ids=units
        )
    assert not Notification.objects.filter(topic="leader-instruction").exists()  # not before commit
    for callback in callbacks:
        callback()
    told = Notification.objects.filter(topic="leader-instruction")
    assert told.filter(recipient=gongan, body__contains="请公安分局提前介入").exists()
    assert told.filter(recipient=luoxi, about=special.enterprise.name).exists()
    assert told.filter(recipient=office).exists()  # the office learns of it
    assert not told.filter(recipient=chengjian).exists()
    assert sorted(instruction.units.values_list("pk", flat=True)) == sorted(units)
    # A 批示 is also a reading.
    assert special.readings.filter(reader=leader).exists()
    assert ImmediateReportEvent.objects.filter(report=special, action="instruct").count() == 1


def test_a_rolled_back_instruction_tells_no_one(special, leader, gongan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        immediate.report_instruct(actor=leader, report=special, text="", unit_ids=[_unit("police").pk])
    assert not Notification.objects.filter(recipient=gongan, topic="leader-instruction").exists()


def test_a_named_unit_outside_the_reports_line_can_then_read_it(special, leader, gongan, caizheng):
    assert not ImmediateReport.objects.for_user(gongan).filter(pk=special.pk).exists()
    immediate.report_instruct(actor=leader, report=special, text="请介入", unit_ids=[_unit("police").pk])
    assert ImmediateReport.objects.for_user(gongan).filter(pk=special.pk).exists()
    assert not ImmediateReport.objects.for_user(caizheng).filter(pk=special.pk).exists()


# --- the page, per persona --------------------------------------------------------------------------


def test_the_leaders_page_leads_with_the_offices_text_and_offers_read_and_instruct(special, login, leader):
    content = login(leader).get(f"/reports/{special.pk}/").content.decode()
    assert content.index('data-testid="special-report"') < content.index('data-testid="machine-facts"')
    assert content.index(BODY[:20]) < content.index(special.facts[:10])
    assert 'data-testid="mark-read"' in content and 'data-testid="instruct-form"' in content


def test_the_leader_marks_read_and_instructs_from_the_page(
    special, login, leader, django_capture_on_commit_callbacks
):
    client = login(leader)
    assert "已标记已阅" in client.post(f"/reports/{special.pk}/read/", follow=True).content.decode()
    police = _unit("police").pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reports/{special.pk}/instruct/", {"text": "请公安分局提前介入", "units": [police]}, follow=True
        )
    content = response.content.decode()
    assert "批示已送达所选单位" in content and 'data-testid="read-by-me"' in content
    assert "请公安分局提前介入" in content


def test_a_refused_instruction_keeps_the_typed_text_and_says_why(special, login, leader):
    response = login(leader).post(f"/reports/{special.pk}/instruct/", {"text": "请抓紧处置"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="instruct-error"' in content and "至少选择一个" in content
    assert "请抓紧处置</textarea>" in content


def test_the_office_sees_who_has_read_and_the_instruction_but_no_form(special, login, leader, office):
    immediate.report_instruct(actor=leader, report=special, text="请抓紧处置", unit_ids=[_unit("police").pk])
    content = login(office).get(f"/reports/{special.pk}/").content.decode()
    assert "请抓紧处置" in content and "区领导测试" in content
    readings = content[content.index('data-testid="readings"') :]
    assert "区领导测试" in readings[:400]
    assert 'data-testid="instruct-form"' not in content and 'data-testid="mark-read"' not in content
    assert login(office).post(f"/reports/{special.pk}/read/").status_code == 302
    assert not special.readings.filter(reader=office).exists()


def test_a_named_department_sees_the_instruction_and_another_gets_404(
    special, login, leader, gongan, chengjian
):
    assert login(gongan).get(f"/reports/{special.pk}/").status_code == 404
    immediate.report_instruct(
        actor=leader, report=special, text="请公安分局提前介入", unit_ids=[_unit("police").pk]
    )
    content = login(gongan).get(f"/reports/{special.pk}/").content.decode()
    assert "请公安分局提前介入" in content and 'data-testid="instruct-form"' not in content
    assert login(chengjian).get(f"/reports/{special.pk}/").status_code == 404


def test_the_town_sees_the_instruction_on_its_report(special, login, leader, luoxi, xuejia):
    immediate.report_instruct(
        actor=leader, report=special, text="罗溪镇稳控现场", unit_ids=[_unit("gov-luoxi").pk]
    )
    assert "罗溪镇稳控现场" in login(luoxi).get(f"/reports/{special.pk}/").content.decode()
    assert login(xuejia).get(f"/reports/{special.pk}/").status_code == 404


def test_the_leaders_cockpit_lists_special_reports_until_read(special, login, leader, office):
    client = login(leader)
    content = client.get("/cockpit/").content.decode()
    assert 'data-testid="cockpit-to-read"' in content and "关于罗溪纺织欠薪情况的专题报告" in content
    immediate.report_mark_read(actor=leader, report=special)
    assert 'data-testid="cockpit-to-read"' not in client.get("/cockpit/").content.decode()
    assert 'data-testid="cockpit-to-read"' not in login(office).get("/cockpit/").content.decode()


def test_the_word_file_of_a_special_report_carries_the_instructions_as_recorded(special, leader):
    import io

    from docx import Document

    immediate.report_instruct(
        actor=leader,
        report=special,
        text="请公安分局提前介入，罗溪镇稳控现场。",
        unit_ids=[_unit("police").pk],
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(immediate.report_docx(special))).paragraphs)
    assert "附：领导批示" in text
    assert "请公安分局提前介入，罗溪镇稳控现场。" in text and "送：公安分局" in text
