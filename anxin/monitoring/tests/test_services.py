"""The scan (assessments, alerts, re-fires), the alert workflow and its escalation, observations."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.services import policy_parameter_set
from anxin.intake.services import signal_verify
from anxin.intake.tests.factories import signal
from anxin.monitoring import alerts, scan
from anxin.monitoring.importing import observation_import
from anxin.monitoring.models import (
    Alert,
    AlertStatus,
    Indicator,
    Observation,
    RiskAssessment,
    RiskChange,
    ScanRun,
)
from anxin.monitoring.tests.factories import at, observe
from anxin.notify.models import Notification, SmsMessage
from anxin.org.models import Duty, Town, Unit
from anxin.registry.models import Enterprise
from anxin.registry.services import enterprise_update
from anxin.registry.tests.factories import enterprise as make_enterprise

TZ = timezone.get_current_timezone()
D = datetime.date


def test_indicators_are_loaded_with_their_channels(district):
    wage = Indicator.objects.get(code="wage_arrears_months")
    assert wage.channel.code == "labour-inspection" and Indicator.objects.count() == 11


def test_a_red_enterprise_gets_its_level_findings_and_alerts(
    world, luoxi, renshe, django_capture_on_commit_callbacks
):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    with django_capture_on_commit_callbacks(execute=True):
        result = scan.scan(as_of=D(2026, 11, 25))
    assessment = RiskAssessment.objects.get(enterprise=world.luoxi_factory)
    assert assessment.level == "red"
    texts = [f["text"] for f in assessment.findings]
    assert any("拖欠工资 3 个月" in t and "§五(二)" in t for t in texts)
    alert = Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")
    assert (alert.level, alert.status, alert.town.code, alert.unit.code) == ("red", "open", "luoxi", "hrss")
    assert alert.evidence["params"][0]["code"] == "immediate.arrears_months"
    assert result["opened"] >= 2
    assert Notification.objects.filter(recipient=luoxi, topic="alert").exists()
    assert RiskChange.objects.get(enterprise=world.luoxi_factory).to_level == "red"


def test_a_quiet_enterprise_is_assessed_with_no_level(world):
    scan.scan(as_of=D(2026, 11, 25))
    assert RiskAssessment.objects.get(enterprise=world.xuejia_factory).level == "none"
    assert not Alert.objects.filter(enterprise=world.xuejia_factory).exists()


def test_a_refire_updates_the_one_open_alert(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-10", 2)
    scan.scan(as_of=D(2026, 11, 25))
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 4)
    scan.scan(as_of=D(2026, 11, 25))
    alerts = Alert.objects.filter(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")
    assert alerts.count() == 1
    assert "4 个月" in alerts.get().explanation
    assert alerts.get().events.filter(action="refire").count() == 1


def test_scanning_twice_changes_nothing(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    again = scan.scan(as_of=D(2026, 11, 25))
    assert (again["opened"], again["updated"], again["changed"], again["cleared"]) == (0, 0, 0, 0)


def test_an_alert_whose_rule_stops_firing_is_marked_not_closed(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 0)
    scan.scan(as_of=D(2026, 11, 25))
    alert = Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")
    assert alert.status == "open" and alert.cleared_at is not None
    assert RiskAssessment.objects.get(enterprise=world.luoxi_factory).level == "none"


def _finding(enterprise, rule: str) -> dict | None:
    findings = RiskAssessment.objects.get(enterprise=enterprise).findings
    return next((f for f in findings if f["rule"] == rule), None)


def test_a_parameter_changed_on_a_date_applies_from_that_date(world, office):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 2)
    policy_parameter_set(
        actor=office, code="immediate.arrears_months", value="3", effective_from=D(2026, 12, 1), note="测试"
    )
    scan.scan(as_of=D(2026, 11, 30))  # the day before: 2 months fire at the old value 2
    before = _finding(world.luoxi_factory, "IMMEDIATE_ARREARS_2M")
    assert before is not None and "≥2" in before["text"]
    assert [(p["code"], p["value"]) for p in before["params"]] == [("immediate.arrears_months", 2)]
    scan.scan(as_of=D(2026, 12, 1))  # from the effective date: 2 months are under the new 3
    assert _finding(world.luoxi_factory, "IMMEDIATE_ARREARS_2M") is None
    alert = Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")
    assert alert.cleared_at is not None  # the open alert is marked: its rule no longer fires
    observe(world.luoxi_factory, "wage_arrears_months", "2026-12", 3)
    scan.scan(as_of=D(2026, 12, 1))  # and the new value is the one that fires and is shown
    after = _finding(world.luoxi_factory, "IMMEDIATE_ARREARS_2M")
    assert after is not None and "≥3" in after["text"]
    assert [(p["code"], p["value"]) for p in after["params"]] == [("immediate.arrears_months", 3)]


def test_screening_points_are_the_parameter_values_in_force_and_are_shown(world, office):
    observe(world.luoxi_factory, "si_arrears_months", "2026-11", 1)
    policy_parameter_set(
        actor=office, code="screen.points_si_arrears", value="25", effective_from=D(2026, 12, 1), note="测试"
    )
    scan.scan(as_of=D(2026, 11, 30))
    before = _finding(world.luoxi_factory, "SCREENING_RISK")
    assert "社保欠缴 1 个月（20分）" in before["text"]
    scan.scan(as_of=D(2026, 12, 1))
    after = _finding(world.luoxi_factory, "SCREENING_RISK")
    assert after["points"] == before["points"] + 5 and "社保欠缴 1 个月（25分）" in after["text"]
    used = {p["code"]: (p["value"], p["effective_from"]) for p in after["params"]}
    assert used["screen.points_si_arrears"] == (25, "2026-12-01")


def test_verified_complaints_reassess_the_enterprise_after_commit(
    world, office, django_capture_on_commit_callbacks
):
    for day in (2, 9, 16):
        with django_capture_on_commit_callbacks(execute=True):
            s = signal(
                enterprise=world.xuejia_factory,
                received_at=at(f"2026-11-{day:02d}T10:00"),
                channel_code="hotline-12333",
            )
            signal_verify(actor=office, signal=s, result="substantiated", note="属实")
    alert = Alert.objects.get(enterprise=world.xuejia_factory, rule="IMMEDIATE_COMPLAINTS_3")
    assert "3 次" in alert.explanation


def test_a_recorded_observation_reassesses_its_enterprise_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    assert callbacks and not RiskAssessment.objects.filter(enterprise=world.luoxi_factory).exists()
    for callback in callbacks:
        callback()
    assert RiskAssessment.objects.get(enterprise=world.luoxi_factory).level == "red"
    assert Alert.objects.filter(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M").exists()
    assert not RiskAssessment.objects.filter(enterprise=world.xuejia_factory).exists()  # only its own


def test_an_imported_observation_reassesses_its_enterprise_after_commit(
    world, office, django_capture_on_commit_callbacks
):
    content = f"统一社会信用代码,月份,数值,指标\n{world.xuejia_factory.uscc},2026-11,2,si_arrears_months\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = observation_import(actor=office, content=content.encode(), filename="x.csv", dry_run=False)
    assert result.created == 1
    assessment = RiskAssessment.objects.get(enterprise=world.xuejia_factory)
    assert assessment.level == "red" and any("社保连续欠缴 2 个月" in f["text"] for f in assessment.findings)


def test_a_dry_run_import_reassesses_nothing(world, office, django_capture_on_commit_callbacks):
    content = f"统一社会信用代码,月份,数值,指标\n{world.xuejia_factory.uscc},2026-11,2,si_arrears_months\n"
    with django_capture_on_commit_callbacks(execute=True):
        result = observation_import(actor=office, content=content.encode(), filename="x.csv", dry_run=True)
    assert result.ok and not Observation.objects.exists() and not RiskAssessment.objects.exists()


def test_a_red_alert_texts_the_town_and_line_department_and_reaches_their_inboxes(
    world, luoxi, renshe, chengjian, django_capture_on_commit_callbacks
):
    for user, phone in ((luoxi, "13800000001"), (renshe, "13800000002"), (chengjian, "13800000003")):
        user.phone = phone
        user.save(update_fields=["phone"])
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.xuejia_factory, "wage_arrears_amount", "2026-11", 100)  # yellow: inbox only
    log = settings.SMS_LOG_FILE
    before = log.stat().st_size if log.exists() else 0
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan(as_of=D(2026, 11, 25))
    texts = SmsMessage.objects.filter(topic="alert")
    assert sorted(m.phone_masked for m in texts) == ["138****0001", "138****0002"]  # not 城建局
    # The immediate-report draft the red alert made is in the same text: one per unit, not two.
    assert SmsMessage.objects.count() == 2 and all("即时报告待报送" in m.text for m in texts)
    assert all("含红色" in m.text and m.status == "sent" and m.backend for m in texts)
    for user in (luoxi, renshe):  # the town and the line department (人社局, labour inspection)
        assert Notification.objects.filter(recipient=user, topic="alert").exists()
    assert not Notification.objects.filter(recipient=chengjian, topic="alert").exists()
    with open(log, encoding="utf-8") as handle:  # the log-file gateway got them (masked)
        handle.seek(before)
        written = handle.read()
    assert all(f'"phone": "{m.phone_masked}", "text": "{m.text}"' in written for m in texts)


def test_observations_are_idempotent_by_enterprise_indicator_and_month(world):
    assert observe(world.luoxi_factory, "electricity_kwh", "2026-10", 1000)["created"] == 1
    assert observe(world.luoxi_factory, "electricity_kwh", "2026-10", 1000)["unchanged"] == 1
    assert observe(world.luoxi_factory, "electricity_kwh", "2026-10", 900)["updated"] == 1
    assert Observation.objects.count() == 1


def test_a_negative_observation_is_refused(world):
    with pytest.raises(DomainError):
        observe(world.luoxi_factory, "electricity_kwh", "2026-10", -1)
    assert not Observation.objects.exists()


# --- the alert workflow ---------------------------------------------------------------------------


@pytest.fixture
def red_alert(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    return Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")


def test_the_town_acknowledges_and_handles(red_alert, luoxi):
    alerts.alert_acknowledge(actor=luoxi, alert=red_alert)
    alerts.alert_handle(actor=luoxi, alert=red_alert, note="约谈企业负责人，责令月底前支付")
    red_alert.refresh_from_db()
    assert (red_alert.status, red_alert.closed_by, red_alert.outcome) == (
        "handled",
        luoxi,
        "约谈企业负责人，责令月底前支付",
    )
    assert [e.action for e in red_alert.events.all()] == ["open", "acknowledge", "handle"]


def test_handling_needs_the_measures(red_alert, luoxi):
    with pytest.raises(DomainError, match="处置措施"):
        alerts.alert_handle(actor=luoxi, alert=red_alert, note=" ")


def test_another_town_cannot_touch_it(red_alert, xuejia, chengjian):
    for user in (xuejia, chengjian):
        with pytest.raises(PermissionDenied):
            alerts.alert_acknowledge(actor=user, alert=red_alert)


def test_only_the_office_dismisses_and_with_a_reason(red_alert, luoxi, office):
    with pytest.raises(PermissionDenied):
        alerts.alert_dismiss(actor=luoxi, alert=red_alert, note="数据有误")
    with pytest.raises(DomainError, match="理由"):
        alerts.alert_dismiss(actor=office, alert=red_alert, note="")
    alerts.alert_dismiss(actor=office, alert=red_alert, note="数据报送错误，已更正")
    assert Alert.objects.get(pk=red_alert.pk).status == AlertStatus.DISMISSED


def test_a_closed_alert_cannot_move_again(red_alert, office):
    alerts.alert_handle(actor=office, alert=red_alert, note="已处置")
    with pytest.raises(DomainError):
        alerts.alert_acknowledge(actor=office, alert=Alert.objects.get(pk=red_alert.pk))


def test_a_closed_alert_stays_closed_until_the_facts_change(red_alert, office):
    alerts.alert_dismiss(actor=office, alert=red_alert, note="数据报送错误")
    scan.scan(as_of=D(2026, 11, 25))
    assert Alert.objects.filter(enterprise=red_alert.enterprise, rule=red_alert.rule).count() == 1
    observe(red_alert.enterprise, "wage_arrears_months", "2026-11", 4)
    scan.scan(as_of=D(2026, 11, 25))
    assert Alert.objects.filter(enterprise=red_alert.enterprise, rule=red_alert.rule).count() == 2


def test_a_closed_alert_stays_closed_when_another_rule_changes_the_findings(red_alert, office):
    """The enterprise's findings change (a lawsuit adds to another rule's finding), so its firing
    rules are compared with its alerts: the dismissed one's finding is still the one it was closed
    on (``_opening``), and it is not re-opened."""
    alerts.alert_dismiss(actor=office, alert=red_alert, note="数据报送错误")
    scan.scan(as_of=D(2026, 11, 25))
    enterprise = red_alert.enterprise
    digest = RiskAssessment.objects.get(enterprise=enterprise).digest
    observe(enterprise, "lawsuits", "2026-11", 1)
    scan.scan(as_of=D(2026, 11, 25))
    assert RiskAssessment.objects.get(enterprise=enterprise).digest != digest  # not the shortcut
    assert Alert.objects.filter(enterprise=enterprise, rule=red_alert.rule).count() == 1


def test_an_alert_follows_the_enterprise_to_its_new_town(red_alert, luoxi, xuejia):
    enterprise_update(
        actor=system_actor(), enterprise=red_alert.enterprise, town=Town.objects.get(code="xuejia")
    )
    scan.scan(as_of=D(2026, 11, 25))
    red_alert.refresh_from_db()
    assert red_alert.town.code == "xuejia"
    assert Alert.objects.for_user(xuejia).filter(pk=red_alert.pk).exists()
    assert not Alert.objects.for_user(luoxi).filter(pk=red_alert.pk).exists()


def test_overdue_alerts_escalate_once(red_alert, office, luoxi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_escalate(now=red_alert.due_at - datetime.timedelta(minutes=1)) == 0
        assert alerts.alerts_escalate(now=red_alert.due_at + datetime.timedelta(minutes=1)) >= 1
        assert alerts.alerts_escalate(now=red_alert.due_at + datetime.timedelta(days=1)) == 0
    assert Notification.objects.filter(recipient=office, topic="alert-overdue").count() == 1
    assert Alert.objects.get(pk=red_alert.pk).events.filter(action="escalate").count() == 1


def test_the_due_date_is_in_working_days(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    with time_machine.travel(at("2026-11-20T10:00"), tick=False):  # a Friday
        scan.scan(as_of=D(2026, 11, 20))
    alert = Alert.objects.get(rule="IMMEDIATE_ARREARS_2M")
    assert timezone.localtime(alert.due_at).date() == D(2026, 11, 25)
    assert "alert.handle_working_days=3" in alert.due_basis


def test_the_scan_command_takes_a_day(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    out = StringIO()
    call_command("scan", "--as-of", "2026-11-25", stdout=out)
    assert "新预警" in out.getvalue()
    assert RiskAssessment.objects.get(enterprise=world.luoxi_factory).as_of == D(2026, 11, 25)
    with pytest.raises(CommandError):
        call_command("scan", "--as-of", "2026-13-01", stdout=out)
    with pytest.raises(CommandError):
        call_command("scan", "--enterprise", "91320411MA1XXXXXX0", stdout=out)


# --- the district scan: everything on new parameters, on a new day what is due, otherwise what changed -


@pytest.fixture
def later(world):
    """The world was built just now; the scans run an hour later, so its own writes are old news."""
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=True):
        yield world


def test_the_first_district_scan_is_full_and_a_repeat_reassesses_nothing(later):
    first = scan.scan_district(as_of=D(2026, 11, 25))
    assert (first.mode, first.reason) == ("full", "首次扫描")
    assert first.assessed == Enterprise.objects.count() > 0
    again = scan.scan_district(as_of=D(2026, 11, 25))
    assert (again.mode, again.assessed) == ("changed", 0)
    assert again.finished_at is not None and again.seconds is not None


def test_a_changed_scan_reassesses_exactly_the_enterprises_whose_data_changed(later):
    scan.scan_district(as_of=D(2026, 11, 25))
    observe(later.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    run = scan.scan_district(as_of=D(2026, 11, 25))
    assert (run.mode, run.assessed, run.opened) == ("changed", 1, 2)
    assert RiskAssessment.objects.get(enterprise=later.luoxi_factory).level == "red"


def test_a_verification_an_edit_and_a_new_enterprise_are_changes(later, renshe, office):
    complaint = signal(enterprise=later.xuejia_factory, kind="wage_complaint")
    scan.scan_district(as_of=D(2026, 11, 25))
    signal_verify(actor=renshe, signal=complaint, result="substantiated", note="查实")
    enterprise_update(actor=office, enterprise=later.sanjing_restaurant, status="suspended")
    newcomer = make_enterprise(town="luoxi")
    ids = scan.changed_since(ScanRun.objects.get().started_at - scan.CHANGED_MARGIN)
    assert ids == {later.xuejia_factory.pk, later.sanjing_restaurant.pk, newcomer.pk}
    run = scan.scan_district(as_of=D(2026, 11, 25))
    assert run.assessed == 3
    assert RiskAssessment.objects.get(enterprise=later.sanjing_restaurant).points == 15  # 停产停业


def test_an_audit_log_entry_alone_marks_its_enterprise_changed(later):
    """A change recorded only in the audit log (the kinds, a many-to-many edit that saves no row of
    the enterprise) is found by the log's integer key, in the same one statement as the rest."""
    scan.scan_district(as_of=D(2026, 11, 25))
    since = ScanRun.objects.get().started_at - scan.CHANGED_MARGIN
    LogEntry.objects.log_create(
        later.sanjing_restaurant,
        action=LogEntry.Action.UPDATE,
        changes={"kinds": [["餐饮"], ["餐饮", "建筑施工"]]},
    )
    assert scan.changed_since(since) == {later.sanjing_restaurant.pk}
    run = scan.scan_district(as_of=D(2026, 11, 25))
    assert (run.mode, run.assessed) == ("changed", 1)


def test_a_write_committed_just_after_a_scan_began_is_not_lost(later):
    scan.scan_district(as_of=D(2026, 11, 25))
    last = ScanRun.objects.get()
    observe(later.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    # Its transaction began (and stamped the row) before the scan started, and committed after it.
    Observation.objects.update(recorded_at=last.started_at - datetime.timedelta(minutes=5))
    assert scan.scan_district(as_of=D(2026, 11, 25)).assessed == 1
    # Beyond the margin a row is taken as seen by that scan.
    Observation.objects.update(recorded_at=last.started_at - datetime.timedelta(hours=1))
    assert scan.changed_since(last.started_at - scan.CHANGED_MARGIN) == set()


def test_a_parameter_change_or_a_request_reassesses_everyone_and_a_new_day_what_is_due(later, office):
    first = scan.scan_district(as_of=D(2026, 11, 25))
    next_day = scan.scan_district(as_of=D(2026, 11, 26))  # nothing in the world ages by a day
    assert next_day.mode == "day" and "11-25 → 11-26" in next_day.reason
    assert next_day.assessed == 0
    policy_parameter_set(
        actor=office, code="immediate.complaints", value="4", effective_from=D(2026, 11, 1), note="测试"
    )
    changed = scan.scan_district(as_of=D(2026, 11, 26))
    assert (changed.mode, changed.reason) == ("full", "参数、规则或分派表已变更")
    asked = scan.scan_district(as_of=D(2026, 11, 26), full=True, reason="联席办手动全面重评")
    assert (asked.mode, asked.reason, asked.assessed) == ("full", "联席办手动全面重评", first.assessed)
    assert scan.scan_district(as_of=D(2026, 11, 26)).assessed == 0


def test_tick_runs_the_district_scan(later):
    assert scan.scan_sweep(now=at("2026-11-25T10:00")) > 0
    assert scan.scan_sweep(now=at("2026-11-25T10:10")) == 0
    observe(later.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    assert scan.scan_sweep(now=at("2026-11-25T10:20")) == 1


def test_a_duty_moved_to_another_unit_reassesses_and_reroutes_everyone(later):
    scan.scan_district(as_of=D(2026, 11, 25))
    Duty.objects.filter(code="construction-line").update(unit=Unit.objects.get(code="hrss"))
    run = scan.scan_district(as_of=D(2026, 11, 25))
    assert (run.mode, run.reason) == ("full", "参数、规则或分派表已变更")
