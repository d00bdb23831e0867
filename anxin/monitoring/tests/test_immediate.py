"""Immediate reports (§五(二)): drafted when an IMMEDIATE_* rule fires, judged and submitted by the
responsible unit, closed only by the office with a reason, turned into a special report for the
leaders, escalated when late, exported as a Word file."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document
from docx.oxml.ns import qn

from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent
from anxin.core.tests.helpers import sheet_rows
from anxin.intake.services import signal_verify
from anxin.intake.tests.factories import signal
from anxin.monitoring import alerts, immediate, scan
from anxin.monitoring.models import ImmediateReport, ReportStatus
from anxin.monitoring.tests.factories import at, observe
from anxin.notify.models import Notification
from anxin.registry.tests.factories import enterprise

D = datetime.date


@pytest.fixture
def report(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 8_600_000)
    scan.scan(as_of=D(2026, 11, 25))
    return ImmediateReport.objects.get(enterprise=world.luoxi_factory)


def test_an_immediate_rule_drafts_one_report_with_the_facts(report):
    assert report.status == ReportStatus.DRAFT and report.rule == "IMMEDIATE_ARREARS_2M"
    assert "拖欠工资 3 个月" in report.facts and report.amount == 8_600_000
    assert (report.due_at - report.drafted_at) == datetime.timedelta(hours=24)
    assert "immediate.report_hours=24" in report.due_basis and "待本区确认" in report.due_basis
    scan.scan(as_of=D(2026, 11, 25))
    assert ImmediateReport.objects.count() == 1  # a re-fire does not draft again


def test_other_rules_draft_nothing(world):
    observe(world.xuejia_factory, "wage_arrears_months", "2026-11", 1)
    scan.scan(as_of=D(2026, 11, 25))
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
    immediate.report_submit(
        actor=luoxi, report=report, mass_incident_risk=False, risk_judgement="", measures="已约谈"
    )
    response = login(office).get(f"/reports/{report.pk}/word/")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    # issued by the unit that submitted it, by its full name (district file), to the office
    assert document.paragraphs[0].text == luoxi.unit.official_name == "常州市新北区罗溪镇人民政府"
    assert "即时报告" in text and "已约谈" in text and "区联席办：" in text
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
    alerts.alert_dismiss(actor=office, alert=report.alert, note="数据报送错误")
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and "预警已排除" in report.closed_reason


def test_the_special_report_exports_as_a_gongwen_with_red_rule_and_noto_fonts(report, luoxi, office, login):
    immediate.report_submit(
        actor=luoxi, report=report, mass_incident_risk=True, risk_judgement="", measures="约谈"
    )
    immediate.report_special(
        actor=office,
        report=ImmediateReport.objects.get(pk=report.pk),
        title="关于罗溪纺织有限公司欠薪情况的专题报告",
        body="一、基本情况。拖欠32名工人工资3个月。\n二、下一步。督促企业月底前支付。",
    )
    response = login(office).get(f"/reports/{report.pk}/word/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    document = Document(io.BytesIO(response.content))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert texts[0] == "常州市新北区预防和解决企业欠薪问题联席会议办公室"  # the full name (district file)
    assert "关于罗溪纺织有限公司欠薪情况的专题报告" in texts and "区委、区政府领导：" in texts
    assert "一、基本情况。拖欠32名工人工资3个月。" in texts and "二、下一步。督促企业月底前支付。" in texts
    header = paragraphs[0].runs[0]
    assert str(header.font.color.rgb) == "C00000" and header.font.name == "方正小标宋简体"  # GB/T 9704
    body = next(p for p in paragraphs if p.text.startswith("一、"))
    fonts = body.runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    rules = document.element.body.findall(".//" + qn("w:pBdr"))
    assert [b.find(qn("w:bottom")).get(qn("w:color")) for b in rules] == ["C00000"]  # the red rule
    assert texts[-1].startswith("常州市新北区预防和解决企业欠薪问题联席会议办公室\n")


def test_a_draft_takes_the_amount_of_the_month_that_fired_not_a_stale_one(world):
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-08", 120_000)  # stale, another month
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "si_arrears_months", "2026-11", 2)
    observe(world.luoxi_factory, "si_arrears_amount", "2026-11", 3_000_000)
    scan.scan(as_of=D(2026, 11, 25))
    draft = ImmediateReport.objects.get(enterprise=world.luoxi_factory)
    assert draft.amount == 3_000_000  # the social insurance of 2026-11; no wage amount that month
    assert "2026年11月欠缴社保金额 30,000.00 元" in draft.facts and "1,200.00" not in draft.facts


def test_a_draft_sums_the_wage_and_social_insurance_amounts_of_the_firing_month(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 8_600_000)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-12", 1)  # after the assessment day
    observe(world.luoxi_factory, "si_arrears_months", "2026-11", 2)
    observe(world.luoxi_factory, "si_arrears_amount", "2026-11", 1_400_000)
    scan.scan(as_of=D(2026, 11, 25))
    assert ImmediateReport.objects.get(enterprise=world.luoxi_factory).amount == 10_000_000


def test_a_complaints_draft_takes_workers_and_amount_from_the_verified_complaints(
    world, office, django_capture_on_commit_callbacks
):
    observe(world.xuejia_factory, "wage_arrears_amount", "2026-06", 990_000)  # stale: not used
    for day, workers, amount in ((2, 5, 2_000_000), (9, 3, 900_000), (16, 12, 4_100_000)):
        with django_capture_on_commit_callbacks(execute=True):
            s = signal(
                enterprise=world.xuejia_factory,
                received_at=at(f"2026-11-{day:02d}T10:00"),
                workers=workers,
                amount=amount,
            )
            signal_verify(actor=office, signal=s, result="substantiated", note="属实")
    draft = ImmediateReport.objects.get(enterprise=world.xuejia_factory, rule="IMMEDIATE_COMPLAINTS_3")
    assert (draft.workers, draft.amount) == (12, 7_000_000)  # the same workers may complain again
    assert "3 条查实线索：至少 12 人，各线索合计 20 人（可能有重复）" in draft.facts


# --- the ledger ----------------------------------------------------------------------------------


@pytest.fixture
def two_towns(report, world):
    observe(world.xuejia_factory, "si_arrears_months", "2026-11", 2)
    scan.scan(as_of=D(2026, 11, 25))
    return report, ImmediateReport.objects.get(enterprise=world.xuejia_factory)


def test_the_report_ledger_filters_by_town_status_and_rule(two_towns, login, office, luoxi):
    luoxi_report, xuejia_report = two_towns
    client = login(office)
    listed = lambda **q: {r.pk for r in client.get("/reports/", q).context["page"]}  # noqa: E731
    assert listed() == {luoxi_report.pk, xuejia_report.pk}
    assert listed(town="xuejia") == {xuejia_report.pk}
    assert listed(q="罗溪纺织") == {luoxi_report.pk}
    assert listed(q=world_uscc(xuejia_report)) == {xuejia_report.pk}
    immediate.report_submit(
        actor=luoxi, report=luoxi_report, mass_incident_risk=False, risk_judgement="", measures="约谈"
    )
    assert listed(status="submitted") == {luoxi_report.pk}
    assert listed(rule="IMMEDIATE_COMPLAINTS_3") == set()
    assert client.get("/reports/", {"town": "nowhere"}).status_code == 200  # a bad filter is ignored


def world_uscc(report) -> str:
    return report.enterprise.uscc


def test_the_report_ledger_exports_the_filtered_list(two_towns, login, office, auditor):
    response = login(office).get("/reports/", {"town": "xuejia", "export": "xlsx"})
    assert response.status_code == 200
    rows = sheet_rows(response)
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
    assert "薛家机械有限公司" in text and "罗溪纺织有限公司" not in text
    assert "镇/街道=薛家镇" in text and "未研判" in text
    assert SecurityEvent.objects.filter(kind="export", summary="导出即时报告台账（§五(二)） 1 条").exists()
    refused = login(auditor).get("/reports/", {"export": "xlsx"}, follow=True)
    assert "不能导出" in refused.content.decode()


@pytest.mark.parametrize("extra", [2, 30])
def test_the_report_ledger_query_count_is_bounded(world, login, office, extra, django_assert_max_num_queries):
    for n in range(extra):
        observe(enterprise(town="luoxi", name=f"即时报告企业{n}"), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    client = login(office)
    with django_assert_max_num_queries(16):
        page = client.get("/reports/", {"page": 2 if extra > 20 else 1})
    assert page.status_code == 200 and len(page.context["page"]) == (10 if extra > 20 else extra)
    with django_assert_max_num_queries(16):
        assert client.get("/reports/", {"export": "xlsx"}).status_code == 200
