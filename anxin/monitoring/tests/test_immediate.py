"""Immediate reports (§五(二)): drafted when an IMMEDIATE_* rule fires, judged and submitted by the
responsible unit, closed only by the office with a reason, turned into a special report for the
leaders, escalated when late, exported as a Word file."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.monitoring import immediate, services
from anxin.monitoring.models import ImmediateReport, ReportStatus
from anxin.monitoring.tests.test_services import observe
from anxin.notify.models import Notification

D = datetime.date


@pytest.fixture
def report(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 8_600_000)
    services.scan(as_of=D(2026, 11, 25))
    return ImmediateReport.objects.get(enterprise=world.luoxi_factory)


def test_an_immediate_rule_drafts_one_report_with_the_facts(report):
    assert report.status == ReportStatus.DRAFT and report.rule == "IMMEDIATE_ARREARS_2M"
    assert "拖欠工资 3 个月" in report.facts and report.amount == 8_600_000
    assert (report.due_at - report.drafted_at) == datetime.timedelta(hours=24)
    assert "immediate.report_hours=24" in report.due_basis and "待本区确认" in report.due_basis
    services.scan(as_of=D(2026, 11, 25))
    assert ImmediateReport.objects.count() == 1  # a re-fire does not draft again


def test_other_rules_draft_nothing(world):
    observe(world.xuejia_factory, "wage_arrears_months", "2026-11", 1)
    services.scan(as_of=D(2026, 11, 25))
    assert not ImmediateReport.objects.filter(enterprise=world.xuejia_factory).exists()


def test_submission_needs_the_judgement_and_the_measures(report, luoxi):
    with pytest.raises(DomainError, match="群体性事件"):
        immediate.report_submit(
            actor=luoxi, report=report, mass_incident_risk=None, risk_judgement="", measures="约谈"
        )
    with pytest.raises(DomainError, match="措施"):
        immediate.report_submit(
            actor=luoxi, report=report, mass_incident_risk=True, risk_judgement="", measures=""
        )
    assert ImmediateReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_the_town_submits_and_the_office_is_told(report, luoxi, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        immediate.report_submit(
            actor=luoxi,
            report=report,
            mass_incident_risk=True,
            risk_judgement="30余名工人情绪激动",
            measures="镇领导约谈企业主",
            workers=32,
        )
    report.refresh_from_db()
    assert (report.status, report.submitted_by, report.workers) == (ReportStatus.SUBMITTED, luoxi, 32)
    assert Notification.objects.filter(recipient=office, topic="immediate-report").exists()


def test_another_town_cannot_submit(report, xuejia):
    with pytest.raises(PermissionDenied):
        immediate.report_save(
            actor=xuejia, report=report, mass_incident_risk=False, risk_judgement="", measures="x"
        )


def test_only_the_office_closes_a_draft_as_no_risk_with_a_reason(report, luoxi, office):
    with pytest.raises(PermissionDenied):
        immediate.report_close(actor=luoxi, report=report, reason="无风险")
    with pytest.raises(DomainError, match="理由"):
        immediate.report_close(actor=office, report=report, reason=" ")
    immediate.report_close(actor=office, report=report, reason="工资已于当日发放，工人已离场")
    assert ImmediateReport.objects.get(pk=report.pk).status == ReportStatus.CLOSED


def test_the_special_report_reaches_the_leaders_inbox(
    report, luoxi, office, leader, django_capture_on_commit_callbacks
):
    immediate.report_submit(
        actor=luoxi, report=report, mass_incident_risk=True, risk_judgement="", measures="约谈"
    )
    with pytest.raises(DomainError):
        immediate.report_special(actor=office, report=report, title="", body="x")
    with django_capture_on_commit_callbacks(execute=True):
        immediate.report_special(
            actor=office,
            report=ImmediateReport.objects.get(pk=report.pk),
            title="关于罗溪纺织欠薪情况的专题报告",
            body="正文",
        )
    assert Notification.objects.filter(
        recipient=leader, topic="special-report", subject__contains="罗溪纺织"
    ).exists()
    with pytest.raises(PermissionDenied):
        immediate.report_special(
            actor=luoxi, report=ImmediateReport.objects.get(pk=report.pk), title="t", body="b"
        )


def test_a_late_draft_escalates_once(report, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert immediate.reports_escalate(now=report.due_at - datetime.timedelta(minutes=1)) == 0
        assert immediate.reports_escalate(now=report.due_at + datetime.timedelta(minutes=1)) == 1
        assert immediate.reports_escalate(now=report.due_at + datetime.timedelta(hours=5)) == 0
    assert Notification.objects.filter(recipient=office, subject__contains="逾期未报送").count() == 1


def test_the_word_export_is_a_real_document_with_the_red_header(report, luoxi, login, office):
    from docx import Document

    immediate.report_submit(
        actor=luoxi, report=report, mass_incident_risk=False, risk_judgement="", measures="已约谈"
    )
    response = login(office).get(f"/reports/{report.pk}/word/")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "新北区预防和解决企业欠薪问题联席会议办公室" in text and "即时报告" in text and "已约谈" in text
    header_run = document.paragraphs[0].runs[0]
    assert str(header_run.font.color.rgb) == "C00000"


def test_the_report_pages_per_persona(report, login, luoxi, xuejia, leader):
    assert login(luoxi).get(f"/reports/{report.pk}/").status_code == 200
    assert login(xuejia).get(f"/reports/{report.pk}/").status_code == 404
    assert login(leader).get("/reports/").status_code == 200
    response = login(luoxi).post(
        f"/reports/{report.pk}/submit/",
        {"mass_incident_risk": "yes", "measures": "约谈", "workers": "12"},
        follow=True,
    )
    assert "已报送联席办" in response.content.decode()


def test_dismissing_the_alert_closes_its_draft_report(report, office):
    services.alert_dismiss(actor=office, alert=report.alert, note="数据报送错误")
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and "预警已排除" in report.closed_reason
