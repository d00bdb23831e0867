"""Intake services: routing, deadlines, idempotent re-sends, dedup, triage, verification,
self-report timeliness, and the refusals that leave the database as it was."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from anxin.core.calendar import add_working_days
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.services import policy_parameter_set
from anxin.intake import services
from anxin.intake.models import Channel, DuplicateState, Signal, SignalEvent, Stage, Verification
from anxin.intake.tests.factories import channel, portal_report, signal
from anxin.notify.models import Notification

TZ = timezone.get_current_timezone()


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


# --- routing ------------------------------------------------------------------------------------


def test_a_signal_goes_to_the_enterprise_town_and_labour_inspection_by_default(world):
    s = signal(enterprise=world.luoxi_factory)
    assert s.town.code == "luoxi"
    assert s.assigned_unit.code == "hrss"
    assert "§二 属地管理" in s.routing_note


def test_a_construction_enterprise_goes_to_the_construction_bureau(world):
    s = signal(enterprise=world.luoxi_builder)
    assert s.assigned_unit.code == "construction"
    assert "§三(九)" in s.routing_note


def test_a_real_estate_developer_goes_to_the_construction_bureau_in_its_own_town(world):
    s = signal(enterprise=world.sanjing_developer)
    assert (s.town.code, s.assigned_unit.code) == ("sanjing", "construction")


def test_a_signal_on_a_water_project_goes_to_the_water_bureau(world):
    s = signal(enterprise=world.menghe_water, project=world.menghe_river)
    assert (s.town.code, s.assigned_unit.code) == ("menghe", "agriculture-water")


def test_social_insurance_arrears_go_to_the_tax_bureau(world):
    s = signal(enterprise=world.xuejia_factory, kind="social_insurance", channel_code="tax")
    assert s.assigned_unit.code == "tax"


def test_an_unknown_employer_waits_for_a_match_in_the_town_given(world):
    s = signal(employer_name="从未登记的公司", town=world.luoxi_factory.town)
    assert s.enterprise is None and s.needs_match
    assert s.town.code == "luoxi"


def test_a_registered_employer_named_exactly_is_matched_by_name(world):
    s = signal(employer_name="薛家机械有限公司")
    assert s.enterprise == world.xuejia_factory


def test_town_and_department_get_an_inbox_notice_after_commit(
    world, luoxi, renshe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        s = signal(enterprise=world.luoxi_factory)
    assert Notification.objects.filter(recipient=luoxi, url__endswith=f"/signals/{s.pk}/").exists()
    assert Notification.objects.filter(recipient=renshe, url__endswith=f"/signals/{s.pk}/").exists()


def test_a_refused_signal_sends_nothing(world, luoxi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        signal(enterprise=world.luoxi_factory, amount=-1)
    assert not Notification.objects.filter(recipient=luoxi).exists()
    assert not Signal.objects.exists()


# --- deadlines ----------------------------------------------------------------------------------


def test_verification_is_due_in_five_working_days(district):
    due, basis = services.verification_due(at("2026-11-20T10:00"))  # a Friday
    assert timezone.localtime(due).date() == datetime.date(2026, 11, 27)
    assert "关于实施《劳动保障监察条例》若干规定" in basis and "signal.verify_working_days=5" in basis


def test_the_deadline_skips_public_holidays(district):
    due, _basis = services.verification_due(at("2026-09-30T10:00"))
    # 2026 National Day: 10月1日–7日 off (chinesecalendar); 5 working days run past the holiday.
    assert timezone.localtime(due).date() > datetime.date(2026, 10, 7)


def test_a_deadline_in_a_year_without_calendar_falls_back_to_weekdays_and_says_so(district):
    due, basis = services.verification_due(at("2026-12-29T10:00"))
    assert timezone.localtime(due).date() == datetime.date(2027, 1, 5)
    assert "2027 年工作日历尚未维护" in basis


def test_the_office_can_change_the_verification_period(world, office):
    with time_machine.travel(at("2026-11-30T09:00"), tick=False):  # a Monday
        policy_parameter_set(
            actor=office,
            code="signal.verify_working_days",
            value="3",
            effective_from=timezone.localdate(),
            note="提速",
        )
        s = signal(enterprise=world.luoxi_factory, received_at=at("2026-11-30T08:00"))
        earlier = signal(enterprise=world.luoxi_factory, received_at=at("2026-11-27T08:00"))
    assert timezone.localtime(s.due_at).date() == datetime.date(2026, 12, 3)
    assert "signal.verify_working_days=3" in s.due_basis
    # A signal received before the change keeps the period in force on its day.
    assert "signal.verify_working_days=5" in earlier.due_basis


def test_tick_marks_overdue_signals_once_and_tells_the_office(
    world, office, renshe, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-11-20T10:00"), tick=False):
        s = signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20T09:00"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signals_mark_overdue(now=at("2026-11-27T23:00")) == 0  # still on the last day
        assert services.signals_mark_overdue(now=at("2026-11-28T00:30")) == 1
        assert services.signals_mark_overdue(now=at("2026-11-29T00:30")) == 0  # idempotent
    s.refresh_from_db()
    assert s.overdue_marked_at is not None
    assert s.events.filter(action=SignalEvent.Action.OVERDUE).count() == 1
    assert Notification.objects.filter(recipient=office, topic="signal-overdue").count() == 1
    assert Notification.objects.filter(recipient=renshe, topic="signal-overdue").count() == 1


def test_tick_tells_the_town_and_the_department_their_own_overdue_count(
    world, office, renshe, chengjian, luoxi, xuejia, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-11-20T10:00"), tick=False):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20T09:00"))
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20T09:00"), channel_code="petition")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signals_mark_overdue(now=at("2026-11-28T00:30")) == 2
    expected = "您单位有 2 条线索核实逾期，已报联席办"
    assert Notification.objects.get(recipient=luoxi, topic="signal-overdue").subject == expected
    assert Notification.objects.get(recipient=renshe, topic="signal-overdue").subject == expected
    assert not Notification.objects.filter(recipient__in=[xuejia, chengjian]).exists()


def test_a_verified_signal_is_never_overdue(world, office):
    with time_machine.travel(at("2026-11-20T10:00"), tick=False):
        s = signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20T09:00"))
        services.signal_verify(actor=office, signal=s, result=Verification.SUBSTANTIATED, note="属实")
    assert services.signals_mark_overdue(now=at("2026-12-10T00:00")) == 0


def test_the_tick_command_runs_the_sweep_with_a_given_clock(world):
    with time_machine.travel(at("2026-11-20T10:00"), tick=False):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20T09:00"))

    out = StringIO()
    call_command("tick", "--now", "2026-12-01T09:00", stdout=out)
    assert "线索核实逾期：1" in out.getvalue()
    call_command("tick", "--now", "2026-12-01T09:10", stdout=out)
    assert "线索核实逾期：0" in out.getvalue()


# --- idempotent re-sends ------------------------------------------------------------------------


def test_resending_the_same_reference_updates_and_never_duplicates(world, office):
    first = signal(enterprise=world.luoxi_factory, reference="12333-001", workers=3)
    again = services.signal_record(
        actor=office,
        channel=channel("hotline-12333"),
        reference="12333-001",
        kind="wage_complaint",
        received_at=first.received_at,
        summary=first.summary,
        employer_uscc=world.luoxi_factory.uscc,
        workers=5,
    )
    assert again.outcome == "updated" and again.signal.pk == first.pk
    assert Signal.objects.count() == 1
    assert Signal.objects.get().workers == 5
    assert first.events.filter(action=SignalEvent.Action.RESEND).count() == 1


def test_resending_identical_content_changes_nothing(world, office):
    first = signal(enterprise=world.luoxi_factory, reference="12333-002")
    again = services.signal_record(
        actor=office,
        channel=channel("hotline-12333"),
        reference="12333-002",
        kind="wage_complaint",
        received_at=first.received_at,
        summary=first.summary,
        employer_uscc=world.luoxi_factory.uscc,
    )
    assert again.outcome == "unchanged"
    assert first.events.count() == 1


def test_the_same_reference_on_another_channel_is_another_signal(world):
    signal(enterprise=world.luoxi_factory, reference="A-1")
    signal(enterprise=world.luoxi_factory, reference="A-1", channel_code="petition")
    assert Signal.objects.count() == 2


# --- verification and stages --------------------------------------------------------------------


def test_the_town_verifies_a_signal_in_its_territory(world, luoxi):
    s = signal(enterprise=world.luoxi_factory)
    services.signal_accept(actor=luoxi, signal=s)
    services.signal_verify(actor=luoxi, signal=s, result=Verification.PARTLY, note="部分工人已领")
    s.refresh_from_db()
    assert (s.stage, s.verification, s.verified_by) == (Stage.VERIFIED, Verification.PARTLY, luoxi)
    assert [e.action for e in s.events.all()] == ["create", "accept", "verify"]


def test_another_town_or_an_unassigned_department_cannot_verify(world, xuejia, chengjian):
    s = signal(enterprise=world.luoxi_factory)
    for user in (xuejia, chengjian):
        with pytest.raises(PermissionDenied):
            services.signal_verify(actor=user, signal=s, result=Verification.SUBSTANTIATED, note="x")
    s.refresh_from_db()
    assert s.verification == Verification.PENDING


def test_the_assigned_department_verifies(world, chengjian):
    s = signal(enterprise=world.luoxi_builder)
    services.signal_verify(actor=chengjian, signal=s, result=Verification.UNFOUNDED, note="工资已发放")
    assert Signal.objects.get(pk=s.pk).verification == Verification.UNFOUNDED


@pytest.mark.parametrize(
    ("result", "note", "message"),
    [("maybe", "x", "核实结论"), ("substantiated", "  ", "核实情况"), ("pending", "x", "核实结论")],
)
def test_verification_needs_a_result_and_the_facts_found(world, office, result, note, message):
    s = signal(enterprise=world.luoxi_factory)
    with pytest.raises(DomainError, match=message):
        services.signal_verify(actor=office, signal=s, result=result, note=note)


def test_a_stale_stage_is_refused(world, office, luoxi):
    s = signal(enterprise=world.luoxi_factory)
    stale = Signal.objects.get(pk=s.pk)
    services.signal_verify(actor=luoxi, signal=s, result=Verification.SUBSTANTIATED, note="属实")
    with pytest.raises(DomainError):
        services.signal_verify(actor=office, signal=stale, result=Verification.UNFOUNDED, note="不属实")
    assert Signal.objects.get(pk=s.pk).verified_by == luoxi


def test_closing_needs_verification_first(world, office):
    s = signal(enterprise=world.luoxi_factory)
    with pytest.raises(DomainError, match="不能"):
        services.signal_close(actor=office, signal=s, note="结")


def test_a_worker_report_cannot_close_without_a_public_reply(world, office):
    s = portal_report(world.luoxi_factory.town, ip="10.0.0.1")
    services.signal_verify(actor=office, signal=s, result=Verification.SUBSTANTIATED, note="属实")
    with pytest.raises(DomainError, match="答复"):
        services.signal_close(actor=office, signal=Signal.objects.get(pk=s.pk), note="结")
    services.signal_reply(actor=office, signal=s, text="已责令企业支付")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=s.pk), note="已支付")
    assert Signal.objects.get(pk=s.pk).stage == Stage.CLOSED


# --- who may record what --------------------------------------------------------------------------


def test_a_town_records_on_the_grid_channel_but_not_on_12333(world, luoxi):
    signal(enterprise=world.luoxi_factory, channel_code="grid", actor=luoxi)
    with pytest.raises(DomainError, match="12333"):
        signal(enterprise=world.luoxi_factory, actor=luoxi)


def test_a_town_cannot_record_a_signal_about_another_town(world, luoxi):
    with pytest.raises(ScopeViolation):
        signal(enterprise=world.xuejia_factory, channel_code="grid", actor=luoxi)
    assert not Signal.objects.exists()


def test_a_department_records_on_its_own_channel_about_any_enterprise(world, chengjian):
    s = signal(enterprise=world.xuejia_factory, channel_code="construction", actor=chengjian)
    assert s.created_by == chengjian


def test_officers_cannot_use_the_portal_or_self_report_channels(world, office):
    for code in ("portal", "self-report"):
        with pytest.raises(DomainError, match="只能通过"):
            signal(enterprise=world.luoxi_factory, channel_code=code, actor=office)


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"kind": "arrears_report"}, "kind"),
        ({"received_at": timezone.now() + datetime.timedelta(days=1)}, "received_at"),
        ({"occurred_at": timezone.now() + datetime.timedelta(days=1)}, "occurred_at"),
        ({"amount": -100}, "amount"),
        ({"workers": -1}, "workers"),
        ({"employer_uscc": "91320411MA1XXXXXX0"}, "employer_uscc"),
        ({"summary": "  "}, "summary"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(world, facts, field):
    base = {"kind": "wage_complaint", "enterprise": world.luoxi_factory}
    base.update(facts)
    kind = base.pop("kind")
    with pytest.raises(ValidationError) as caught:
        signal(kind=kind, **base)
    assert field in caught.value.message_dict
    assert not Signal.objects.exists()


def test_a_signal_without_any_employer_is_refused(district):
    with pytest.raises(ValidationError) as caught:
        signal()
    assert "employer_name" in caught.value.message_dict


# --- review findings: scope of re-sends, stale writes, merges, holidays -------------------------


def test_a_town_cannot_overwrite_another_towns_signal_through_a_shared_reference(world, luoxi, xuejia):
    theirs = signal(
        enterprise=world.xuejia_factory, channel_code="grid", actor=xuejia, reference="WG-001", workers=4
    )
    with pytest.raises(DomainError, match="已被使用"):
        signal(
            enterprise=world.luoxi_factory, channel_code="grid", actor=luoxi, reference="WG-001", workers=9
        )
    theirs.refresh_from_db()
    assert (theirs.enterprise, theirs.workers) == (world.xuejia_factory, 4)


def test_a_resend_without_the_reporter_keeps_the_reporter(world, office):
    first = signal(
        enterprise=world.luoxi_factory, reference="K-1", reporter_phone="13912345678", period="9月"
    )
    services.signal_record(
        actor=office,
        channel=channel("hotline-12333"),
        reference="K-1",
        kind="wage_complaint",
        received_at=first.received_at,
        summary="补充：又有两人",
        employer_uscc=world.luoxi_factory.uscc,
    )
    first.refresh_from_db()
    assert (first.reporter_phone, first.period, first.summary) == ("13912345678", "9月", "补充：又有两人")


def test_a_resend_does_not_undo_a_verification(world, office):
    first = signal(enterprise=world.luoxi_factory, reference="K-2")
    services.signal_verify(
        actor=office, signal=Signal.objects.get(pk=first.pk), result="substantiated", note="属实"
    )
    recorded = services.signal_record(
        actor=office,
        channel=channel("hotline-12333"),
        reference="K-2",
        kind="wage_complaint",
        received_at=first.received_at,
        summary="更新的摘要",
        employer_uscc=world.luoxi_factory.uscc,
    )
    first.refresh_from_db()
    assert recorded.outcome == "updated"
    assert (first.stage, first.verification, first.summary) == (Stage.VERIFIED, "substantiated", "更新的摘要")
    assert "请办理人留意" in first.events.get(action="resend").note


def test_a_merged_source_takes_the_primarys_stage_and_follows_it(world, office):
    first = signal(enterprise=world.luoxi_factory)
    services.signal_accept(actor=office, signal=first)
    second = signal(enterprise=world.luoxi_factory, channel_code="petition")
    services.signal_merge(actor=office, signal=Signal.objects.get(pk=second.pk))
    assert Signal.objects.get(pk=second.pk).stage == Stage.VERIFYING
    services.signal_verify(actor=office, signal=Signal.objects.get(pk=first.pk), result="partly", note="部分")
    assert Signal.objects.get(pk=second.pk).stage == Stage.VERIFIED


def test_the_merge_records_the_figures_it_raised(world, office):
    first = signal(enterprise=world.luoxi_factory, amount=100000)
    second = signal(enterprise=world.luoxi_factory, channel_code="petition", amount=250000)
    services.signal_merge(actor=office, signal=Signal.objects.get(pk=second.pk))
    note = first.events.filter(action="merge").order_by("pk").last().note
    assert "1,000.00 → 2,500.00" in note


def test_nothing_merges_into_a_closed_matter_and_closed_ones_are_not_twins(world, office):
    first = signal(enterprise=world.luoxi_factory)
    services.signal_verify(actor=office, signal=first, result="unfounded", note="不属实")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=first.pk), note="结")
    later = signal(enterprise=world.luoxi_factory, channel_code="petition")
    later.refresh_from_db()
    assert later.duplicate_state == DuplicateState.NONE
    with pytest.raises(DomainError, match="已办结"):
        services.signal_merge(actor=office, signal=later, into=Signal.objects.get(pk=first.pk))


def test_an_unfounded_signal_cannot_go_into_handling(world, office):
    s = signal(enterprise=world.luoxi_factory)
    services.signal_verify(actor=office, signal=s, result="unfounded", note="工资已发")
    with pytest.raises(DomainError, match="不属实"):
        services.signal_handle(actor=office, signal=Signal.objects.get(pk=s.pk), note="约谈")


def test_a_primary_cannot_close_while_a_merged_worker_report_has_no_reply(world, office):
    primary = signal(enterprise=world.luoxi_factory)
    report = portal_report(world.luoxi_factory.town, ip="10.0.0.2")
    services.signal_merge(actor=office, signal=report, into=primary)
    services.signal_verify(
        actor=office, signal=Signal.objects.get(pk=primary.pk), result="substantiated", note="属实"
    )
    with pytest.raises(DomainError, match="尚未答复"):
        services.signal_close(actor=office, signal=Signal.objects.get(pk=primary.pk), note="结")
    services.signal_reply(actor=office, signal=Signal.objects.get(pk=report.pk), text="已督促企业支付")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=primary.pk), note="结")
    assert Signal.objects.get(pk=report.pk).stage == Stage.CLOSED


def test_a_site_signal_goes_to_the_projects_town(world, office):
    builder_elsewhere = world.sanjing_developer
    s = signal(enterprise=builder_elsewhere, project=world.luoxi_project)
    assert s.town.code == "luoxi"


def test_tick_tells_the_town_too(world, luoxi, django_capture_on_commit_callbacks):
    with time_machine.travel(at("2026-11-20T10:00"), tick=False):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-11-20T09:00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.signals_mark_overdue(now=at("2026-12-01T00:00"))
    assert Notification.objects.filter(recipient=luoxi, topic="signal-overdue").exists()


def test_a_self_report_deadline_on_a_holiday_runs_to_the_next_working_day(district):
    since = datetime.date(2026, 9, 28)
    nominal = since + datetime.timedelta(days=5)  # 10月3日, inside the National Day holiday
    next_working_day = add_working_days(nominal, 0)
    assert next_working_day > nominal
    verdict = services.self_report_timeliness(arrears_since=since, reported_on=next_working_day)
    assert verdict["on_time"] and verdict["deadline"] == next_working_day
    assert "民法典 第二百零三条" in verdict["evidence"]["extended"]
    late = services.self_report_timeliness(
        arrears_since=since, reported_on=next_working_day + datetime.timedelta(days=1)
    )
    assert not late["on_time"]


# --- channels (issue #3 §1) -------------------------------------------------------------------

ISSUE_CHANNELS = {  # the 19 channels issue #3 names, each with the unit that owns it
    "劳动保障监察": "hrss",
    "劳动人事争议仲裁": "hrss",
    "社保": "hrss",
    "维权中心": "hrss",
    "12333": "hrss",
    "信访": "petition",
    "法院": "court",
    "检察院": "procuratorate",
    "公安": "police",
    "司法行政": "justice",
    "总工会": "union",
    "城建": "construction",
    "农业/水利": "agriculture-water",
    "市场监管": "market",
    "税务": "tax",
    "镇街网格": "comprehensive",
    "群众网上反映": "office",
    "企业欠薪报告": "hrss",
    "排查摸底": "office",
}


def test_load_district_seeds_all_19_channels_of_the_issue_with_their_owning_unit(district):
    call_command("load_district", stdout=open("/dev/null", "w"))  # noqa: SIM115 (again: idempotent)
    seeded = {c.name: c.unit.code for c in Channel.objects.select_related("unit")}
    assert len(ISSUE_CHANNELS) == 19
    # and the sites' channel: the monthly payroll checked against the roster (§三(九)(十), 城建局)
    assert seeded == {**ISSUE_CHANNELS, "实名制工资监管": "construction"}
    special = Channel.objects
    assert special.get(is_public=True).name == "群众网上反映"
    assert special.get(is_self_report=True).name == "企业欠薪报告"
    assert set(special.filter(towns_feed=True).values_list("name", flat=True)) == {"镇街网格", "排查摸底"}
