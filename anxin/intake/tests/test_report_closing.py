"""Issue #14 item 1: a worker's report is not closed while its case is open (unless with a reason
the worker reads), closing sends an SMS with the link, and 不满意 / 仍未拿到工资 reopens it with a
follow-up deadline that tick escalates and that counts against the unit that closed it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from anxin.cases import services as case_services
from anxin.cases.tests.factories import lapsed_order, open_case
from anxin.core.errors import DomainError
from anxin.intake import selectors, services
from anxin.intake.models import ReportClosure, Signal, SignalEvent, Stage
from anxin.notify.models import Notification, SmsMessage
from anxin.org.models import Unit

PHONE = "13912345678"


def _portal_report(town, *, phone=PHONE, ip="10.1.1.1", employer="罗溪纺织有限公司") -> Signal:
    return services.portal_submit(
        facts={
            "employer_name": employer,
            "summary": "老板说月底发，一直没发",
            "reporter_phone": phone,
            "amount": 860000,
            "workers": 3,
        },
        town=town,
        photos=[],
        ip=ip,
    )


@pytest.fixture
def report(world, office):
    signal = _portal_report(world.luoxi_factory.town)
    services.signal_verify(actor=office, signal=signal, result="substantiated", note="属实")
    services.signal_reply(actor=office, signal=signal, text="已立案处理")
    signal.refresh_from_db()
    return signal


@pytest.fixture
def case(report, world, luoxi):
    return open_case(world.luoxi_factory, actor=luoxi, signals=[report])


def test_a_report_linked_to_an_open_case_cannot_be_closed(report, case, luoxi):
    with pytest.raises(DomainError) as refused:
        services.signal_close(actor=luoxi, signal=report, note="已处理")
    assert refused.value.code == "case_open" and refused.value.field == "open_case_reason"
    assert case.number in refused.value.message and "查明事实" in refused.value.message
    assert Signal.objects.get(pk=report.pk).stage == Stage.VERIFIED
    assert not ReportClosure.objects.exists()


def test_a_report_whose_case_is_in_mediation_with_a_lapsed_order_is_refused(report, case, luoxi, renshe):
    lapsed_order(case, renshe)
    case = case_services.case_move(actor=luoxi, case=case, action="skip", reason="现场已稳定")
    assert case.stage == "mediation"
    with pytest.raises(DomainError, match="协调调解"):
        services.signal_close(actor=luoxi, signal=report, note="已办结")


def test_closing_with_a_reason_while_the_case_is_open_records_the_reason_the_worker_reads(
    report, case, luoxi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_close(
            actor=luoxi,
            signal=report,
            note="已转案件办理",
            open_case_reason="已立案，由案件继续追讨，进度见下方",
        )
    report.refresh_from_db()
    assert report.stage == Stage.CLOSED
    assert report.open_case_reason == "已立案，由案件继续追讨，进度见下方"
    closure = ReportClosure.objects.get()
    assert (closure.unit, closure.closed_by, closure.case_open) == (luoxi.unit, luoxi, True)


def test_closing_a_report_without_an_open_case_needs_no_reason(report, luoxi):
    services.signal_close(actor=luoxi, signal=report, note="已支付", open_case_reason="用不上的说明")
    report.refresh_from_db()
    assert report.stage == Stage.CLOSED and report.open_case_reason == ""
    assert ReportClosure.objects.get().case_open is False


def test_a_report_closes_once_its_case_is_closed(
    report, case, luoxi, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_close(actor=office, case=case, outcome="paid", amount_paid=case.amount_claimed)
    # The handlers of the linked open report are told to reply and close it.
    notice = Notification.objects.filter(topic="signal-case-closed", recipient=luoxi).get()
    assert case.number in notice.subject and f"/signals/{report.pk}/" == notice.url
    services.signal_close(actor=luoxi, signal=report, note="已全额支付")
    assert Signal.objects.get(pk=report.pk).stage == Stage.CLOSED


def test_closing_a_portal_report_sends_the_worker_an_sms_with_the_status_link(
    report, luoxi, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_URL = "https://anxin.example.gov.cn/"
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_close(actor=luoxi, signal=report, note="已支付")
    sms = SmsMessage.objects.filter(topic="portal", text__contains="已办结").get()
    assert f"https://anxin.example.gov.cn/public/track/{report.tracking_code}/" in sms.text
    assert "评价" in sms.text and sms.phone_masked == "139****5678"


def test_every_sms_to_the_worker_carries_the_status_link(world, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signal = _portal_report(world.luoxi_factory.town)
        services.signal_reply(actor=office, signal=signal, text="已受理")
    texts = list(SmsMessage.objects.filter(topic="portal").values_list("text", flat=True))
    assert len(texts) == 2
    assert all(f"/public/track/{signal.tracking_code}/" in t for t in texts)


@pytest.mark.parametrize(("rating", "unpaid"), [("dissatisfied", False), ("satisfied", True)])
def test_dissatisfied_or_still_unpaid_reopens_the_report_with_a_followup_deadline(
    report, luoxi, office, rating, unpaid, django_capture_on_commit_callbacks
):
    services.signal_close(actor=luoxi, signal=report, note="已办结")
    with django_capture_on_commit_callbacks(execute=True):
        services.portal_rate(signal=report, rating=rating, comment="工资一分钱都没拿到", still_unpaid=unpaid)
    report.refresh_from_db()
    assert report.stage == Stage.HANDLING
    assert report.followup_due_at > timezone.now()
    assert "portal.followup_working_days=5" in report.followup_basis and "§五(二)" in report.followup_basis
    assert SignalEvent.objects.filter(signal=report, action="reopen").exists()
    assert Notification.objects.filter(topic="signal-followup", recipient=office).exists()
    assert Notification.objects.filter(topic="signal-followup", recipient=luoxi).exists()
    closure = ReportClosure.objects.get()
    assert closure.dissatisfied and closure.unit == luoxi.unit and closure.still_unpaid is unpaid


def test_a_satisfied_rating_leaves_the_report_closed(report, luoxi):
    services.signal_close(actor=luoxi, signal=report, note="已办结")
    services.portal_rate(signal=report, rating="satisfied")
    report.refresh_from_db()
    assert report.stage == Stage.CLOSED and report.followup_due_at is None
    assert not ReportClosure.objects.get().dissatisfied


def test_a_reopened_report_closed_again_is_rated_again_and_both_closures_are_kept(report, luoxi):
    services.signal_close(actor=luoxi, signal=report, note="已办结")
    services.portal_rate(signal=report, rating="dissatisfied")
    report.refresh_from_db()
    services.signal_reply(actor=luoxi, signal=report, text="已督促企业于本周五支付")
    services.signal_close(actor=luoxi, signal=Signal.objects.get(pk=report.pk), note="已支付")
    report.refresh_from_db()
    assert report.followup_due_at is None and report.rated_at is None
    services.portal_rate(signal=report, rating="satisfied")
    assert [c.rating for c in ReportClosure.objects.order_by("pk")] == ["dissatisfied", "satisfied"]


def test_an_overdue_followup_is_escalated_once_by_tick(
    report, luoxi, office, django_capture_on_commit_callbacks
):
    services.signal_close(actor=luoxi, signal=report, note="已办结")
    services.portal_rate(signal=report, rating="dissatisfied")
    report.refresh_from_db()
    later = report.followup_due_at + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.followups_escalate(now=later) == 1
    assert services.followups_escalate(now=later) == 0
    report.refresh_from_db()
    assert report.followup_escalated_at == later
    assert SignalEvent.objects.filter(signal=report, action="fu_overdue").count() == 1
    assert Notification.objects.filter(
        topic="signal-followup", recipient=office, subject__contains="逾期"
    ).exists()


def test_a_followup_closed_in_time_is_not_escalated(report, luoxi):
    services.signal_close(actor=luoxi, signal=report, note="已办结")
    services.portal_rate(signal=report, rating="dissatisfied")
    services.signal_close(actor=luoxi, signal=Signal.objects.get(pk=report.pk), note="已支付")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        assert services.followups_escalate() == 0


def test_dissatisfied_closures_are_counted_per_unit(world, office, luoxi, xuejia):
    units = {}
    for i, (actor, rating) in enumerate(
        [(luoxi, "dissatisfied"), (luoxi, "satisfied"), (luoxi, "basic"), (xuejia, "satisfied")]
    ):
        town = actor.unit.town
        signal = _portal_report(town, phone=f"1391234560{i}", ip=f"10.0.0.{i}", employer=f"某某劳务{i}")
        services.signal_verify(actor=actor, signal=signal, result="substantiated", note="属实")
        services.signal_reply(actor=actor, signal=signal, text="已处理")
        services.signal_close(actor=actor, signal=Signal.objects.get(pk=signal.pk), note="已办结")
        services.portal_rate(signal=signal, rating=rating, still_unpaid=(i == 2))
        units[actor.unit_id] = actor.unit
    rows = {r["unit"]: r for r in selectors.closures_by_unit(user=office)}
    assert (rows[luoxi.unit]["closed"], rows[luoxi.unit]["dissatisfied"]) == (3, 2)
    assert (rows[xuejia.unit]["closed"], rows[xuejia.unit]["dissatisfied"]) == (1, 0)
    # A town sees its own closures only.
    assert {r["unit"] for r in selectors.closures_by_unit(user=xuejia)} == {xuejia.unit}
    assert Unit.objects.filter(pk=luoxi.unit_id).exists()


def _merged(world, office) -> tuple[Signal, Signal]:
    """Two workers' reports on one employer, the first merged into the second."""
    town = world.luoxi_factory.town
    mine = _portal_report(town, phone="13911112222", ip="10.6.6.1")
    primary = _portal_report(town, phone="13933334444", ip="10.6.6.2")
    services.signal_merge(actor=office, signal=mine, into=primary)
    return mine, primary


def _merged_and_closed(world, office, luoxi) -> tuple[Signal, Signal]:
    """``_merged``, then the main report verified, both answered and the main one closed."""
    mine, primary = _merged(world, office)
    services.signal_verify(
        actor=luoxi, signal=Signal.objects.get(pk=primary.pk), result="substantiated", note="属实"
    )
    for s in (mine, primary):
        services.signal_reply(actor=luoxi, signal=Signal.objects.get(pk=s.pk), text="已处理")
    services.signal_close(actor=luoxi, signal=Signal.objects.get(pk=primary.pk), note="已支付")
    return Signal.objects.get(pk=mine.pk), Signal.objects.get(pk=primary.pk)


def test_a_worker_report_merged_into_another_is_closed_rated_and_reopened_with_it(
    world, office, luoxi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mine, primary = _merged_and_closed(world, office, luoxi)
    assert ReportClosure.objects.filter(signal=mine, unit=luoxi.unit).exists()
    assert SmsMessage.objects.filter(phone_masked="139****2222", text__contains="已办结").exists()
    services.portal_rate(signal=Signal.objects.get(pk=mine.pk), rating="dissatisfied")
    assert Signal.objects.get(pk=mine.pk).stage == Stage.HANDLING
    assert Signal.objects.get(pk=primary.pk).stage == Stage.HANDLING  # the matter is handled there


def test_in_the_internet_zone_a_merged_reports_rating_touches_only_its_own_row_and_the_tick_reopens_the_primary(
    world, office, luoxi, settings
):
    """#21: the internet zone's database role reads no report but the worker's own, so a 不满意
    on a merged report cannot read or reopen the report it was merged into; the internal zone's
    tick does that, with the same deadline, once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anxin.notify.models import PendingNotice

    mine, primary = _merged_and_closed(world, office, luoxi)
    settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = True
    settings.PORTAL_READS_DISTRICT_DATA = False
    with CaptureQueriesContext(connection) as seen:
        services.portal_rate(signal=mine, rating="dissatisfied", comment="一分没拿到")
    # No statement names the primary's id (the role's policies would refuse it; deploy/portal-role.sql).
    signal_reads = [q["sql"] for q in seen.captured_queries if "intake_signal" in q["sql"]]
    assert signal_reads and not any(
        f"= {primary.pk}" in sql or f"({primary.pk})" in sql for sql in signal_reads
    )
    mine.refresh_from_db()
    assert mine.stage == Stage.HANDLING and mine.followup_due_at is not None
    assert Signal.objects.get(pk=primary.pk).stage == Stage.CLOSED
    notice = PendingNotice.objects.get(topic="signal-followup")
    assert f"#{mine.pk}（已并入 #{primary.pk}）已重新转入处理" in notice.subject
    assert notice.url == f"/signals/{mine.pk}/"  # its page names the main report
    assert luoxi.unit_id in notice.unit_ids

    settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = False
    settings.PORTAL_READS_DISTRICT_DATA = True
    assert services.merged_reopens_follow() == 1
    primary.refresh_from_db()
    assert primary.stage == Stage.HANDLING
    assert (primary.followup_due_at, primary.followup_basis) == (mine.followup_due_at, mine.followup_basis)
    event = primary.events.filter(action=SignalEvent.Action.REOPEN).get()
    assert f"并入本线索的 #{mine.pk} 反映人评价：不满意：一分没拿到" in event.note
    assert services.merged_reopens_follow() == 0  # once
    # Closed again: both close, and the worker's report is rated afresh.
    services.signal_close(actor=luoxi, signal=primary, note="已全额支付")
    assert Signal.objects.get(pk=mine.pk).stage == Stage.CLOSED
    assert services.merged_reopens_follow() == 0


def test_inside_a_merged_reports_rating_reopens_both_at_once_and_leaves_the_tick_nothing(
    world, office, luoxi
):
    mine, primary = _merged_and_closed(world, office, luoxi)
    services.portal_rate(signal=mine, rating="satisfied", still_unpaid=True)
    assert Signal.objects.get(pk=primary.pk).stage == Stage.HANDLING
    assert services.merged_reopens_follow() == 0


def test_the_tick_leaves_a_merged_report_open_under_its_open_primary_alone(world, office, luoxi):
    _mine, primary = _merged(world, office)
    assert services.merged_reopens_follow() == 0
    assert Signal.objects.get(pk=primary.pk).stage == Stage.RECEIVED


def test_material_on_a_merged_report_in_the_internet_zone_reaches_the_main_reports_other_handlers_by_the_tick(
    world, office, luoxi, chengjian, settings, django_capture_on_commit_callbacks
):
    """The internet zone tells the merged report's own handlers; the tick tells the main report's
    others (here its department, 城建局), once."""
    from anxin.notify.models import PendingNotice
    from anxin.notify.services import pending_notices_deliver

    mine, primary = _merged(world, office)
    building = chengjian.unit
    Signal.objects.filter(pk=primary.pk).update(assigned_unit=building)
    settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = True
    settings.PORTAL_READS_DISTRICT_DATA = False
    services.portal_add_material(
        signal=Signal.objects.get(pk=mine.pk), text="补充：考勤表", photos=[], ip="10.6.6.9"
    )
    notice = PendingNotice.objects.get(topic="signal-material")
    assert f"#{mine.pk}（已并入 #{primary.pk}）补充了材料" in notice.subject
    assert building.pk not in notice.unit_ids and luoxi.unit_id in notice.unit_ids
    assert pending_notices_deliver() == 1

    settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = False
    settings.PORTAL_READS_DISTRICT_DATA = True
    with django_capture_on_commit_callbacks(execute=True):
        assert services.material_relays_deliver() == 1
    told = Notification.objects.filter(topic="signal-material", subject__contains=f"#{primary.pk} 补充了材料")
    assert told.exists() and {n.recipient.unit_id for n in told} == {building.pk}
    assert "补充：考勤表" in told.first().body and told.first().url == f"/signals/{mine.pk}/"
    assert services.material_relays_deliver() == 0  # once


def test_inside_material_on_a_merged_report_tells_the_main_reports_handlers_at_once_and_leaves_no_relay(
    world, office, luoxi, chengjian, django_capture_on_commit_callbacks
):
    from anxin.intake.models import MaterialRelay

    mine, primary = _merged(world, office)
    building = chengjian.unit
    Signal.objects.filter(pk=primary.pk).update(assigned_unit=building)
    with django_capture_on_commit_callbacks(execute=True):
        services.portal_add_material(
            signal=Signal.objects.get(pk=mine.pk), text="补充：考勤表", photos=[], ip="10.6.6.9"
        )
    assert not MaterialRelay.objects.exists()
    told = Notification.objects.filter(topic="signal-material")
    assert {n.recipient.unit_id for n in told} >= {building.pk, luoxi.unit_id}
    assert all(f"#{primary.pk} 补充了材料" in n.subject for n in told)


def test_a_reopening_note_ends_the_workers_exclamation_without_a_second_stop(world, office, luoxi):
    mine, _primary = _merged_and_closed(world, office, luoxi)
    services.portal_rate(signal=mine, rating="dissatisfied", comment="一分钱都没拿到！")
    note = mine.events.filter(action=SignalEvent.Action.REOPEN).get().note
    assert "一分钱都没拿到！请于" in note and "！。" not in note
