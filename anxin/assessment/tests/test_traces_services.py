"""The traces part's services: the trace, findings, the veto, referrals — rules and refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.assessment import measures
from anxin.assessment.models import (
    AssessmentYear,
    Finding,
    FindingSource,
    Referral,
    Trace,
    VetoCondition,
    VetoProposal,
    VetoStatus,
    YearStatus,
)
from anxin.assessment.services import findings, referrals, traces, vetoes
from anxin.assessment.tests.factories_traces import at, incident_case, score
from anxin.assessment.traces_documents import trace_docx
from anxin.core.errors import DomainError
from anxin.monitoring.models import Alert, ImmediateReport
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db
NOW = at(2026, 7, 1)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


@pytest.fixture
def case(district):
    return incident_case()


def test_the_trace_names_the_unit_one_working_day_late_and_not_the_one_in_time(case):
    data = traces.build_trace(case)
    assert data["reason"] == "mass_incident"
    assert data["since"] == "2025-06-15"
    assert "construction" in data["missed"]
    assert "hrss" not in data["missed"]
    late = data["missed"]["construction"][0]
    assert late["kind"] == "signal" and late["met"] is False
    hrss = [s for s in data["steps"] if s["unit"] == "hrss"]
    assert hrss and hrss[0]["met"] is True
    assert data["steps"][-1]["kind"] == "incident"


def test_a_case_without_incident_or_referral_is_not_traced(district):
    from anxin.cases.tests.factories import open_case
    from anxin.registry.tests.factories import EnterpriseFactory

    with pytest.raises(DomainError):
        traces.build_trace(open_case(EnterpriseFactory()))


def test_saving_a_trace_numbers_it_and_keeps_the_units(case, office):
    with time_machine.travel(NOW):
        trace = traces.save_trace(case=case, actor=office, note="倒查")
        second = traces.save_trace(case=case, actor=office)
    assert trace.number == "ZC-2026-001" and second.number == "ZC-2026-002"
    assert set(trace.units.values_list("code", flat=True)) >= {"construction", "hrss"}


def test_only_the_office_saves_a_trace(case, leader):
    with pytest.raises(PermissionDenied):
        traces.save_trace(case=case, actor=leader)
    assert not Trace.objects.exists()


def test_the_word_prints_the_recorded_steps(case, office):
    import io

    from docx import Document

    trace = traces.save_trace(case=case, actor=office)
    Trace.objects.filter(pk=trace.pk).update(
        steps=[{**trace.steps[0], "label": "已记录的环节XYZ"}, *trace.steps[1:]]
    )
    trace.refresh_from_db()
    doc = Document(io.BytesIO(trace_docx(trace)))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "已记录的环节XYZ" in text and "城建局" in "\n".join(p.text for p in doc.paragraphs) + text


def test_a_finding_from_a_trace_counts_in_the_measure(case, office):
    trace = traces.save_trace(case=case, actor=office)
    cj = unit("construction")
    f = findings.record_finding(unit=cj, year=2026, source=FindingSource.TRACE, text="线索核实逾期",
                                deduction="1.5", actor=office, trace=trace)  # fmt: skip
    assert f.number == "RD-2026-001"
    result = measures.get("findings").compute(cj, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), {})
    assert result.value == Decimal("1.50") and result.records[0]["id"] == f.pk
    findings.finding_withdraw(finding=f, actor=office, reason="复核不属实")
    result = measures.get("findings").compute(cj, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), {})
    assert result.value == 0


def test_finding_refusals_leave_nothing(case, office, luoxi):
    trace = traces.save_trace(case=case, actor=office)
    with pytest.raises(PermissionDenied):
        findings.record_finding(
            unit=unit("construction"), year=2026, source="office", text="x", deduction=1, actor=luoxi
        )
    with pytest.raises(DomainError):
        findings.record_finding(
            unit=unit("construction"), year=2026, source="office", text=" ", deduction=1, actor=office
        )
    with pytest.raises(DomainError):
        findings.record_finding(
            unit=unit("construction"), year=2026, source="office", text="x", deduction=-1, actor=office
        )
    with pytest.raises(DomainError):  # the trace does not name 财政局
        findings.record_finding(unit=unit("finance"), year=2026, source="trace", text="x", deduction=1, actor=office,
                                trace=trace)  # fmt: skip
    assert not Finding.objects.exists()


# --- vetoes --------------------------------------------------------------------------------------------


def test_veto_conditions_are_loaded_from_the_district_file(district):
    codes = set(VetoCondition.objects.filter(active=True).values_list("code", flat=True))
    assert {"mass_incident_unhandled", "concealed_report", "falsification"} <= codes
    assert VetoCondition.objects.get(code="mass_incident_unhandled").settings == {"min_workers": 50}


@pytest.mark.parametrize(
    "entry, words",
    [
        ({"code": "x", "name": "X", "data_check": "nope"}, "data_check=nope"),
        ({"code": "x"}, "缺少字段 name"),
        ({"code": "x", "name": "X", "groups": ["city"]}, "groups"),
        ({"code": "x", "name": "X", "settings": {"min_workers": -1}}, "min_workers"),
    ],
)
def test_a_bad_veto_condition_is_refused_naming_the_entry(office, entry, words):
    with pytest.raises(DomainError) as exc:
        vetoes.veto_conditions_load(data={"assessment_vetoes": [entry]}, actor=office)
    assert "第 1 项" in exc.value.message and words in exc.value.message


def test_mass_incident_check_at_its_edge(district):
    big = incident_case(people=50)
    small = incident_case(people=49, when=at(2026, 6, 16))
    found = vetoes.check_mass_incident_unhandled(unit("construction"), 2026, {"min_workers": 50})
    keys = [k for k, _, _ in found]
    assert len(keys) == 1 and keys[0].startswith("incident:")
    first = big.incidents.first()
    assert first is not None and first.pk == int(keys[0].split(":")[1]) and small
    assert vetoes.check_mass_incident_unhandled(unit("hrss"), 2026, {"min_workers": 50}) == []


def _report(luoxi_unit, *, due, submitted):
    from anxin.monitoring.tests.factories import red_alert
    from anxin.registry.tests.factories import EnterpriseFactory

    alert = red_alert(EnterpriseFactory())
    report = ImmediateReport.objects.get(alert=alert)
    ImmediateReport.objects.filter(pk=report.pk).update(unit=luoxi_unit, due_at=due, submitted_at=submitted)
    return report, alert


def test_concealed_report_check_at_its_edge(district):
    lx = unit("gov-luoxi")
    due = at(2026, 3, 2, 18)
    _report(lx, due=due, submitted=due + datetime.timedelta(hours=48))
    late, _ = _report(lx, due=due, submitted=due + datetime.timedelta(hours=48, minutes=1))
    found = vetoes.check_concealed_report(lx, 2026, {"late_hours": 48})
    assert [k for k, _, _ in found] == [f"immediate:{late.pk}"]
    assert Alert.objects.exists()


def test_a_proposal_is_made_once(district):
    incident_case()
    with time_machine.travel(NOW):
        first = vetoes.vetoes_sweep()
        again = vetoes.vetoes_sweep()
    assert first >= 1 and again == 0
    assert (
        VetoProposal.objects.filter(
            unit__code="construction", condition__code="mass_incident_unhandled"
        ).count()
        == 1
    )


def test_a_finding_with_a_condition_proposes_a_veto(case, office):
    f = findings.record_finding(unit=unit("construction"), year=2026, source="office", text="台账造假", deduction=0,
                                actor=office, veto_condition=VetoCondition.objects.get(code="falsification"))  # fmt: skip
    assert VetoProposal.objects.get(finding=f).status == VetoStatus.PROPOSED


def _proposal(office):
    f = findings.record_finding(unit=unit("gov-luoxi"), year=2026, source="office", text="台账造假", deduction=0,
                                actor=office, veto_condition=VetoCondition.objects.get(code="falsification"))  # fmt: skip
    return VetoProposal.objects.get(finding=f)


def test_confirm_sets_the_lowest_grade_whatever_the_points(office):
    s = score(unit("gov-luoxi"), total="98", actor=office)
    proposal = _proposal(office)
    vetoes.veto_confirm(proposal=proposal, actor=office, reason="查证属实")
    s.refresh_from_db()
    assert s.vetoed and s.grade == "不合格" and s.total == Decimal("98")
    assert proposal.status == VetoStatus.CONFIRMED


def test_reject_changes_nothing(office):
    s = score(unit("gov-luoxi"), total="98", actor=office)
    proposal = _proposal(office)
    vetoes.veto_reject(proposal=proposal, actor=office, reason="证据不足")
    s.refresh_from_db()
    assert not s.vetoed and s.grade == "优秀"
    assert proposal.status == VetoStatus.REJECTED


def test_veto_refusals(office, leader):
    s = score(unit("gov-luoxi"), total="98", actor=office)
    proposal = _proposal(office)
    with pytest.raises(PermissionDenied):
        vetoes.veto_confirm(proposal=proposal, actor=leader, reason="x")
    with pytest.raises(DomainError):
        vetoes.veto_confirm(proposal=proposal, actor=office, reason=" ")
    AssessmentYear.objects.create(year=2026, status=YearStatus.LOCKED)
    with pytest.raises(DomainError):
        vetoes.veto_confirm(proposal=proposal, actor=office, reason="属实")
    proposal.refresh_from_db()
    s.refresh_from_db()
    assert proposal.status == VetoStatus.PROPOSED and not s.vetoed


# --- referrals ------------------------------------------------------------------------------------------


def _finding(office):
    return findings.record_finding(unit=unit("gov-luoxi"), year=2026, source="office", text="不作为", deduction=2,
                                   actor=office)  # fmt: skip


def test_referral_numbering_receipt_and_outcome(office):
    f = _finding(office)
    with time_machine.travel(NOW):
        r1 = referrals.referral_create(finding=f, actor=office, letter="现将问题线索移交。")
        r2 = referrals.referral_create(finding=f, actor=office, letter="第二件")
        assert (r1.number, r2.number, r1.to_body) == ("WZ-2026-001", "WZ-2026-002", "区纪委监委")
        referrals.referral_receive(referral=r1, actor=office, received_on=datetime.date(2026, 7, 1),
                                   received_by_name="李四")  # fmt: skip
        referrals.referral_conclude(
            referral=r1, actor=office, outcome="已立案审查", outcome_on=datetime.date(2026, 7, 1)
        )
    r1.refresh_from_db()
    assert r1.status == "concluded" and r1.received_by_name == "李四" and r1.outcome == "已立案审查"


def test_only_the_office_refers(office, leader):
    f = _finding(office)
    with pytest.raises(PermissionDenied):
        referrals.referral_create(finding=f, actor=leader, letter="x")
    with pytest.raises(DomainError):
        referrals.referral_create(finding=f, actor=office, letter=" ")
    assert not Referral.objects.exists()


def test_the_unit_learns_only_the_message(office, luoxi, django_capture_on_commit_callbacks):
    from anxin.notify.models import Notification

    f = _finding(office)
    r = referrals.referral_create(finding=f, actor=office, letter="机密的移交函内容")
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_tell_unit(referral=r, actor=office, message="你单位问题已移交区纪委监委")
    notes = Notification.objects.filter(recipient=luoxi)
    assert notes.filter(body__contains="已移交区纪委监委").exists()
    assert not notes.filter(body__contains="机密").exists()


# --- after the review ---------------------------------------------------------------------------------


def test_a_followup_and_a_screening_on_the_morning_of_the_incident_are_in_the_trace(district, office):
    """The incident at 07:30 Shanghai time (23:30 UTC the day before): the follow-up visited that day
    and the screening campaign opening that day are inside the window (local days)."""
    from anxin.assessment.tests.factories_measures import watched
    from anxin.monitoring.models import ScreeningCampaign, ScreeningTask
    from anxin.registry.tests.factories import EnterpriseFactory

    enterprise: Any = EnterpriseFactory()
    incident = at(2026, 6, 15, 7) + datetime.timedelta(minutes=30)
    entry = watched(
        enterprise, confirmed=datetime.date(2026, 6, 1), visits=(datetime.date(2026, 6, 15),), by=office
    )
    campaign = ScreeningCampaign.objects.create(
        name="年中排查", start=datetime.date(2026, 6, 15), end=datetime.date(2026, 6, 30), launched_by=office
    )
    ScreeningTask.objects.create(campaign=campaign, enterprise=enterprise, town=enterprise.town)
    case = incident_case(when=incident, enterprise=enterprise)
    data = traces.build_trace(case)
    records = {s["record"] for s in data["steps"]}
    assert f"followup:{entry.followups.get().pk}" in records
    assert any(r.startswith("screening:") for r in records)
    assert data["incident_at"] == "2026-06-15 07:30"


def test_the_steps_times_are_local_and_readable(case):
    data = traces.build_trace(case)
    late = data["missed"]["construction"][0]
    assert (late["at"], late["due"], late["done"]) == (
        "2026-05-25 10:00",
        "2026-06-01 18:00",
        "2026-06-02 18:00",
    )


def test_the_sweep_builds_each_cases_trace_once_and_skips_keys_already_proposed(district, monkeypatch):
    from anxin.cases.models import Incident

    case = incident_case()
    built: list[int] = []
    real = traces.build_trace

    def counting(c: Any) -> dict:
        built.append(c.pk)
        return real(c)

    monkeypatch.setattr(traces, "build_trace", counting)
    with time_machine.travel(NOW):
        assert vetoes.vetoes_sweep() >= 1
    assert built == [case.pk]  # one case, every assessed unit: one trace
    condition = VetoCondition.objects.get(code="mass_incident_unhandled")
    cj = unit("construction")
    incident = Incident.objects.get(case=case)
    known = vetoes.Sweep(
        year=2026, known={(condition.pk, cj.pk, f"incident:{incident.pk}")}, condition_id=condition.pk
    )
    built.clear()
    assert vetoes.check_mass_incident_unhandled(cj, 2026, {"min_workers": 50}, known) == []
    assert built == []  # already proposed: not even traced


def test_withdrawing_a_finding_rejects_its_pending_veto_with_the_reason(office):
    proposal = _proposal(office)
    findings.finding_withdraw(finding=proposal.finding, actor=office, reason="复核不属实")
    proposal.refresh_from_db()
    assert proposal.status == VetoStatus.REJECTED and "复核不属实" in proposal.reason
    assert proposal.events.filter(action="reject").exists()


def test_a_proposal_whose_finding_is_withdrawn_is_not_confirmed(office):
    s = score(unit("gov-luoxi"), total="98", actor=office)
    proposal = _proposal(office)
    Finding.objects.filter(pk=proposal.finding_id).update(status="withdrawn", withdrawn_reason="不属实")
    with pytest.raises(DomainError, match="已撤销"):
        vetoes.veto_confirm(proposal=proposal, actor=office, reason="属实")
    proposal.refresh_from_db()
    s.refresh_from_db()
    assert proposal.status == VetoStatus.PROPOSED and not s.vetoed


def _taken_first(monkeypatch, module, taken: str) -> None:  # type: ignore[no-untyped-def]
    real = module._next_number
    calls: list[int] = []

    def next_number(year: int) -> str:
        calls.append(year)
        return taken if len(calls) == 1 else real(year)

    monkeypatch.setattr(module, "_next_number", next_number)


def test_numbers_taken_meanwhile_are_retried(case, office, monkeypatch):
    with time_machine.travel(NOW):
        first = traces.save_trace(case=case, actor=office)
        f1 = _finding(office)
        r1 = referrals.referral_create(finding=f1, actor=office, letter="第一件")
        _taken_first(monkeypatch, traces, first.number)
        _taken_first(monkeypatch, findings, f1.number)
        _taken_first(monkeypatch, referrals, r1.number)
        assert traces.save_trace(case=case, actor=office).number == "ZC-2026-002"
        f2 = _finding(office)
        assert f2.number == "RD-2026-002"
        assert referrals.referral_create(finding=f2, actor=office, letter="第二件").number == "WZ-2026-002"
