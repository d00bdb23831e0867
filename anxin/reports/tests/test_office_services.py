"""The office's analysis and circular (§五(二)): drafted from the data (the snapshot's figures are
``figures_for`` for the same units and dates; the submission status reads PeriodicReport and
MissingReport), edited, refreshed while a draft, submitted, approved or returned by the office
director only, issued only once approved — the circular to every member unit's inbox, the analysis to
the leaders'."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.intake.tests.factories import signal
from anxin.notify.models import Notification
from anxin.org.models import Unit
from anxin.reports import figures
from anxin.reports.models import DocumentStatus, OfficeDocument, OfficeDocumentEvent
from anxin.reports.office_selectors import expected_units
from anxin.reports.services import office as services
from anxin.reports.tests.factories_office import (
    AFTER,
    PERIOD,
    activity,
    approved,
    composed,
    missing,
    submitted,
)

pytestmark = pytest.mark.django_db

NOV = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text + "+08:00")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AFTER, tick=False):
        yield


# --- composing from the data ------------------------------------------------------------------------------


def test_the_snapshot_figures_are_figures_for_the_same_units_and_dates(world, office):
    signal(enterprise=world.luoxi_factory, received_at=_at("2026-11-03T09:00"))
    signal(enterprise=world.xuejia_factory, received_at=_at("2026-11-10T09:00"))
    signal(enterprise=world.luoxi_builder, received_at=_at("2026-10-30T09:00"))  # the month before
    document = composed(office)
    data = document.data
    office_unit = Unit.objects.get(code="office")
    assert data["district"] == figures.figures_for(office_unit, *NOV)
    assert data["district"]["signals_received"]["value"] == 2
    towns = {t["unit"]: t["figures"] for t in data["towns"]}
    assert towns["gov-luoxi"] == figures.figures_for(Unit.objects.get(code="gov-luoxi"), *NOV)
    assert towns["gov-luoxi"]["signals_received"]["value"] == 1
    lines = {r["unit"]: r["figures"] for r in data["lines"]}
    assert lines["construction"] == figures.figures_for(Unit.objects.get(code="construction"), *NOV)
    # the last six periods, oldest first, the last one the period itself
    trend = data["trends"]
    assert trend["periods"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert trend["series"]["signals_received"]["values"][-2:] == [1, 2]
    industries = {r["code"]: r for r in data["industries"]}
    assert industries["industrial"]["signals"] == 2 and industries["labour_intensive"]["signals"] == 1
    assert "construction" not in industries  # the builder's signal was in October
    assert data["params"][0]["code"] == "report.frequency_months"


def test_the_documents_period_is_the_periodic_reports(office, luoxi):
    """One reading of §五(二)'s periods (``periods.py``): the office's dates and due day are those of a
    unit's report for the same period; a key off the frequency is refused with the same words."""
    import importlib.util

    from anxin.reports import periods
    from anxin.reports.services.periodic import report_prefill

    assert importlib.util.find_spec("anxin.reports.office_periods") is None
    document = composed(office, "circular")
    report = report_prefill(actor=luoxi, unit=luoxi.unit, period=PERIOD)
    span = periods.period_of(PERIOD)
    assert (document.period_start, document.period_end) == (report.period_start, report.period_end)
    assert document.data["due_on"] == report.due_on.isoformat() == span.due_on.isoformat()
    row = next(r for r in document.data["submissions"] if r["unit"] == "gov-luoxi")
    assert row["due_on"] == report.due_on.isoformat()


def test_the_body_is_prefilled_from_the_figures(world, office):
    signal(enterprise=world.luoxi_factory, received_at=_at("2026-11-03T09:00"))
    signal(enterprise=world.xuejia_factory, received_at=_at("2026-11-04T09:00"), channel_code="petition")
    signal(enterprise=world.luoxi_builder, received_at=_at("2026-10-20T09:00"))  # the month before
    document = composed(office)
    assert set(document.body) == {"overall", "risks", "measures", "advice"}
    overall = document.body["overall"]
    district = document.data["district"]
    assert district["signals_received"]["value"] == 2
    # the headline figures as the snapshot has them, the channels that had signals only
    assert overall.startswith("2026年11月，全区收到欠薪线索2条（来自12333渠道1条、信访渠道1条，尚待核实2条）")
    assert "未发生群体性事件等突发事件" in overall  # a zero that is news
    # the change said plainly, only where there is one
    assert overall.endswith("与上期相比，收到欠薪线索增加1条。")
    assert document.data["previous"]["figures"]["signals_received"]["value"] == 1
    # nothing generic: no zero channel, no zero figure, no "持平", no catalogue prefix
    for noise in ("0条", "0件", "0元", "持平", "其中：", "劳动保障监察"):
        assert noise not in overall, noise
    event = OfficeDocumentEvent.objects.get(document=document)
    assert event.action == "compose" and event.actor == office


def test_a_fall_is_said_as_a_decrease_and_money_in_yuan(world, office):
    signal(enterprise=world.luoxi_factory, received_at=_at("2026-10-03T09:00"))
    signal(enterprise=world.luoxi_factory, received_at=_at("2026-10-04T09:00"))
    document = composed(office)
    overall = document.body["overall"]
    assert overall.startswith("2026年11月，全区未收到欠薪线索；未发生群体性事件等突发事件。")
    assert "与上期相比，收到欠薪线索减少2条" in overall
    snapshot = dict(document.data)
    snapshot["district"] = {
        **snapshot["district"],
        "money_recovered": {**snapshot["district"]["money_recovered"], "value": 1_234_500},
        "workers_paid": {**snapshot["district"]["workers_paid"], "value": 3},
    }
    text = services.draft_body("analysis", snapshot)["overall"]
    assert "为劳动者追回工资12,345.00元，惠及劳动者3人" in text
    assert "追回工资增加12,345.00元" in text


def test_submission_status_is_the_inboxs(office):
    from anxin.reports.periodic_selectors import inbox

    submitted("gov-luoxi", PERIOD, at=_at("2026-12-03T09:00"), by=office, due=datetime.date(2026, 12, 5))
    submitted("construction", PERIOD, at=_at("2026-12-07T09:00"), by=office, due=datetime.date(2026, 12, 5))
    missing("gov-xuejia", PERIOD, due=datetime.date(2026, 12, 5))
    document = composed(office, "circular")
    rows = document.data["submissions"]
    status = {r["unit"]: r["status"] for r in rows}
    assert status["gov-luoxi"] == "on_time"
    assert status["construction"] == "late"
    assert status["gov-xuejia"] == "none"
    assert status["justice"] == "none"  # past the due day, nothing submitted
    assert {r["unit"] for r in rows if r["flagged"]} == {"gov-xuejia"}
    # one definition: the same units and standings as the office's inbox
    shown = inbox(user=office, period=PERIOD)
    assert status == {r.unit.code: r.standing for r in shown["rows"]}
    assert document.data["submission_summary"] == shown["counts"]
    assert {r["label"] for r in rows} <= {"按时报送", "逾期报送", "草稿", "未报送"}
    assert "逾期报送1家（区城建局）" in document.body["submissions"]
    assert "区司法局" in document.body["problems"] and "逾期未报送" in document.body["problems"]


def test_before_the_due_day_a_unit_without_a_report_is_not_yet_overdue(office):
    with time_machine.travel(datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC), tick=False):
        document = composed(office, "circular")
    status = {r["unit"]: r["status"] for r in document.data["submissions"]}
    assert status["gov-luoxi"] == "none"
    assert "未到报送截止日" in document.body["submissions"]
    assert "逾期未报送" not in document.body["problems"]


def test_the_circular_counts_publicity_without_withdrawn(office, luoxi):
    from anxin.reports.services.publicity import publicity_withdraw

    activity(luoxi, date=datetime.date(2026, 11, 5), audience=40, today=datetime.date(2026, 12, 8))
    gone = activity(luoxi, date=datetime.date(2026, 11, 6), audience=900, today=datetime.date(2026, 12, 8))
    publicity_withdraw(actor=luoxi, activity=gone, reason="重复")
    document = composed(office, "circular")
    row = next(p for p in document.data["publicity"] if p["unit"] == "gov-luoxi")
    assert (row["activities"], row["audience"]) == (1, 40)
    assert "受众40人次" in document.body["submissions"]


def test_the_analysis_lists_the_periods_immediate_reports(world, office):
    from anxin.monitoring.tests.factories import red_alert

    with time_machine.travel(datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC), tick=False):
        red_alert(world.luoxi_factory)
    document = composed(office)
    names = [r["enterprise"] for r in document.data["immediate_reports"]]
    assert names == [world.luoxi_factory.name]
    assert world.luoxi_factory.name in [e["name"] for e in document.data["risks"]["enterprises"]]
    assert "本期即时报告1件" in document.body["risks"]


def test_a_period_not_yet_begun_or_twice_is_refused(office):
    with pytest.raises(DomainError) as refused:
        composed(office, period="2027-01")
    assert refused.value.field == "period"
    with pytest.raises(DomainError):
        composed(office, period="2026-13")
    composed(office)
    with pytest.raises(DomainError) as twice:
        composed(office)
    assert "已有" in twice.value.message
    assert OfficeDocument.objects.count() == 1


@pytest.mark.parametrize("persona", ["leader", "luoxi", "chengjian"])
def test_only_the_office_composes(request, persona):
    with pytest.raises(PermissionDenied):
        composed(request.getfixturevalue(persona))


# --- editing and refreshing ------------------------------------------------------------------------------


def test_refreshing_a_draft_recomputes_the_data_and_keeps_the_body(world, office):
    document = composed(office)
    services.document_save(
        actor=office, document=document, body={**document.body, "overall": "改写的总体情况"}
    )
    signal(enterprise=world.luoxi_factory, received_at=_at("2026-11-20T09:00"))
    services.document_refresh(actor=office, document=document)
    document.refresh_from_db()
    assert document.data["district"]["signals_received"]["value"] == 1
    assert document.body["overall"] == "改写的总体情况"
    actions = list(document.events.values_list("action", flat=True))
    assert actions == ["compose", "save", "refresh"]


def test_an_edit_is_in_the_audit_log(office):
    from auditlog.models import LogEntry

    document = composed(office)
    services.document_save(actor=office, document=document, body={**document.body, "advice": "新的建议"})
    entry = LogEntry.objects.get_for_object(document).filter(action=LogEntry.Action.UPDATE).first()
    assert entry is not None and entry.actor == office and "body" in entry.changes_dict


# --- the workflow -------------------------------------------------------------------------------------------


def test_submit_approve_issue_the_analysis_to_the_leaders(
    office, office_director, leader, django_capture_on_commit_callbacks
):
    document = composed(office)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_submit(actor=office, document=document)
    assert document.status == DocumentStatus.SUBMITTED
    assert Notification.objects.filter(recipient=office_director, subject__contains="待审核").exists()
    services.document_approve(actor=office_director, document=document)
    assert document.status == DocumentStatus.APPROVED and document.approved_by == office_director
    with django_capture_on_commit_callbacks(execute=True):
        services.document_issue(actor=office, document=document, reference="新欠薪联办〔2026〕3号")
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.issued_on == datetime.date(2026, 12, 8)
    assert [u.code for u in document.issued_to.all()] == ["leaders"]
    notice = Notification.objects.get(recipient=leader, subject__contains="新欠薪联办〔2026〕3号")
    assert notice.url.endswith(f"/reports/office/{document.pk}/")


def test_the_circular_lands_in_every_member_units_inbox(
    office, office_director, luoxi, xuejia, chengjian, sifa, django_capture_on_commit_callbacks
):
    document = approved(office, office_director, "circular")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_issue(actor=office, document=document, reference="新欠薪联办〔2026〕4号")
    assert {u.code for u in document.issued_to.all()} == {u.code for u in expected_units()}
    for user in (luoxi, xuejia, chengjian, sifa):
        notice = Notification.objects.get(recipient=user, subject__contains="新欠薪联办〔2026〕4号")
        assert notice.url.endswith(f"/reports/office/{document.pk}/")
    assert not Notification.objects.filter(recipient=office, subject__contains="〔2026〕4号").exists()


@pytest.mark.parametrize("persona", ["office", "leader", "convener"])
def test_only_the_office_director_approves_or_returns(request, office, persona):
    document = composed(office)
    services.document_submit(actor=office, document=document)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.document_approve(actor=user, document=document)
    with pytest.raises(PermissionDenied):
        services.document_return(actor=user, document=document, comments="请修改")
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED


def test_the_director_cannot_approve_what_they_drafted(office_director):
    """审核 is a second pair of eyes: the office director who drafted a document cannot approve it."""
    document = composed(office_director)
    services.document_submit(actor=office_director, document=document)
    with pytest.raises(DomainError, match="本人起草") as refused:
        services.document_approve(actor=office_director, document=document)
    assert refused.value.code == "forbidden"
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED and document.approved_by is None
    assert not document.events.filter(action="approve").exists()


def test_a_return_needs_comments_then_edit_and_resubmit(office, office_director):
    document = composed(office)
    services.document_submit(actor=office, document=document)
    with pytest.raises(DomainError) as refused:
        services.document_return(actor=office_director, document=document, comments="  ")
    assert refused.value.field == "comments"
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    services.document_return(
        actor=office_director, document=document, comments="请补充重点风险企业的处置措施"
    )
    assert document.status == DocumentStatus.RETURNED
    assert document.return_comments == "请补充重点风险企业的处置措施"
    services.document_save(
        actor=office, document=document, body={**document.body, "measures": "已补充处置措施"}
    )
    services.document_submit(actor=office, document=document)
    services.document_approve(actor=office_director, document=document)
    assert document.status == DocumentStatus.APPROVED and document.return_comments == ""


def test_issuing_an_unapproved_document_is_refused(office, office_director):
    document = composed(office)
    with pytest.raises(DomainError) as refused:
        services.document_issue(actor=office, document=document, reference="新欠薪联办〔2026〕5号")
    assert "不能“印发”" in refused.value.message
    services.document_submit(actor=office, document=document)
    with pytest.raises(DomainError):
        services.document_issue(actor=office, document=document, reference="新欠薪联办〔2026〕5号")
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED and document.reference == ""


def test_issuing_needs_a_reference_and_a_day_not_in_the_future(office, office_director):
    document = approved(office, office_director)
    with pytest.raises(DomainError) as refused:
        services.document_issue(actor=office, document=document, reference=" ")
    assert refused.value.field == "reference"
    with pytest.raises(DomainError) as later:
        services.document_issue(
            actor=office, document=document, reference="x号", issued_on=datetime.date(2026, 12, 9)
        )
    assert later.value.field == "issued_on"
    document.refresh_from_db()
    assert document.status == DocumentStatus.APPROVED


@pytest.mark.parametrize("persona", ["leader", "luoxi"])
def test_only_the_office_issues(request, office, office_director, persona):
    document = approved(office, office_director)
    with pytest.raises(PermissionDenied):
        services.document_issue(
            actor=request.getfixturevalue(persona), document=document, reference="新欠薪联办〔2026〕6号"
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.APPROVED


@pytest.mark.parametrize("step", ["submitted", "approved", "issued"])
def test_the_body_and_data_are_not_edited_once_submitted(office, office_director, step):
    document = composed(office)
    services.document_submit(actor=office, document=document)
    if step in ("approved", "issued"):
        services.document_approve(actor=office_director, document=document)
    if step == "issued":
        services.document_issue(actor=office, document=document, reference="新欠薪联办〔2026〕7号")
    before = dict(document.body)
    with pytest.raises(DomainError):
        services.document_save(actor=office, document=document, body={"overall": "改"})
    with pytest.raises(DomainError):
        services.document_refresh(actor=office, document=document)
    document.refresh_from_db()
    assert document.body == before


def test_an_empty_part_cannot_be_submitted(office):
    document = composed(office)
    services.document_save(actor=office, document=document, body={**document.body, "advice": ""})
    with pytest.raises(DomainError) as refused:
        services.document_submit(actor=office, document=document)
    assert "下步建议" in refused.value.message
