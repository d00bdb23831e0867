"""Every change of a signal's status goes one way (DESIGN rule 4): the table refuses what it does
not hold, the conditional update refuses a stale stage, and each change — a stage move, keep,
merge, match, a duplicate flag, a rating — leaves its audit diff and its event row, or nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from anxin.core import events as domain_events
from anxin.core import seam
from anxin.core.audit import history_for
from anxin.core.errors import DomainError
from anxin.intake import services
from anxin.intake.models import DuplicateState, Satisfaction, Signal, SignalEvent, Stage, Verification
from anxin.intake.services.triage import DUPLICATES
from anxin.intake.tests.factories import portal_report
from anxin.intake.tests.factories import signal as make_signal

Action = SignalEvent.Action

# The service that makes each action of the table, with what it needs.
DO = {
    Action.ACCEPT: lambda actor, s: services.signal_accept(actor=actor, signal=s, note="开始"),
    Action.VERIFY: lambda actor, s: services.signal_verify(
        actor=actor, signal=s, result=Verification.SUBSTANTIATED, note="属实"
    ),
    Action.HANDLE: lambda actor, s: services.signal_handle(actor=actor, signal=s, note="责令支付"),
    Action.CLOSE: lambda actor, s: services.signal_close(actor=actor, signal=s, note="已支付"),
}


def _updates(obj) -> list[dict]:
    """The field diffs of ``obj``'s audit-log updates, newest first."""
    return [entry.changes_dict for entry in history_for(obj).filter(action=LogEntry.Action.UPDATE)]


def _at(s: Signal, stage: str) -> Signal:
    """``s`` put at ``stage`` (setting up; a verified matter has a founded verification)."""
    verification = Verification.PENDING if stage in (Stage.RECEIVED, Stage.VERIFYING) else Verification.PARTLY
    verified_at = None if verification == Verification.PENDING else timezone.now()
    Signal.objects.filter(pk=s.pk).update(stage=stage, verification=verification, verified_at=verified_at)
    return Signal.objects.get(pk=s.pk)


def _footprint(s: Signal) -> tuple[int, int, str]:
    return (SignalEvent.objects.filter(signal=s).count(), len(_updates(s)), Signal.objects.get(pk=s.pk).stage)


@pytest.fixture
def fresh(world):
    return Signal.objects.get(pk=make_signal(enterprise=world.luoxi_factory).pk)


# --- the stages: the table ------------------------------------------------------------------------


def test_the_table_is_the_one_of_the_stages():
    assert {(t.source, t.action, t.target, t.perm) for t in services.TRANSITIONS} == {
        (Stage.RECEIVED, Action.ACCEPT, Stage.VERIFYING, "intake.verify_signal"),
        (Stage.RECEIVED, Action.VERIFY, Stage.VERIFIED, "intake.verify_signal"),
        (Stage.VERIFYING, Action.VERIFY, Stage.VERIFIED, "intake.verify_signal"),
        (Stage.VERIFIED, Action.HANDLE, Stage.HANDLING, "intake.reply_signal"),
        (Stage.VERIFIED, Action.CLOSE, Stage.CLOSED, "intake.reply_signal"),
        (Stage.HANDLING, Action.CLOSE, Stage.CLOSED, "intake.reply_signal"),
        # The worker's 不满意 / 仍未拿到工资 on the portal (portal_rate, by the system): test_report_closing.
        (Stage.CLOSED, Action.REOPEN, Stage.HANDLING, "intake.reply_signal"),
    }
    assert services.STAGES.rows == services.TRANSITIONS
    assert {t.action for t in services.TRANSITIONS if t.who != services.HANDLER} == {Action.REOPEN}


HANDLER_ROWS = [t for t in services.TRANSITIONS if t.who == services.HANDLER]


@pytest.mark.parametrize("row", HANDLER_ROWS, ids=lambda t: f"{t.source}-{t.action}")
def test_every_row_of_the_table_moves_with_its_audit_diff_and_its_event(fresh, office, row, monkeypatch):
    published = []
    monkeypatch.setattr(domain_events, "publish", lambda topic, **payload: published.append((topic, payload)))
    s = _at(fresh, row.source)
    moved = DO[row.action](office, s)
    assert moved.stage == row.target == Signal.objects.get(pk=s.pk).stage
    assert _updates(s)[0]["stage"] == [row.source, row.target]
    event = SignalEvent.objects.filter(signal=s).latest("pk")
    assert (event.action, event.from_stage, event.to_stage, event.actor) == (
        row.action,
        row.source,
        row.target,
        office,
    )
    assert history_for(s).filter(action=LogEntry.Action.UPDATE).first().actor == office
    assert published == [(seam.SIGNALS_CHANGED, {"enterprise_ids": [s.enterprise_id]})]


@pytest.mark.parametrize(
    ("stage", "action", "message"),
    [
        (Stage.RECEIVED, Action.HANDLE, "线索处于“已受理登记”阶段，不能“转入处理”"),
        (Stage.RECEIVED, Action.CLOSE, "线索处于“已受理登记”阶段，不能“办结”"),
        (Stage.VERIFYING, Action.ACCEPT, "线索处于“核实中”阶段，不能“开始核实”"),
        (Stage.VERIFIED, Action.VERIFY, "线索处于“已核实”阶段，不能“核实”"),
        (Stage.HANDLING, Action.HANDLE, "线索处于“处理中”阶段，不能“转入处理”"),
        (Stage.CLOSED, Action.CLOSE, "线索处于“已办结”阶段，不能“办结”"),
    ],
)
def test_an_action_not_in_the_table_is_refused_and_writes_nothing(fresh, office, stage, action, message):
    s = _at(fresh, stage)
    before = _footprint(s)
    with pytest.raises(DomainError) as caught:
        DO[action](office, s)
    assert (caught.value.message, caught.value.code) == (message, "transition")
    assert _footprint(s) == before


@pytest.mark.parametrize("stage", Stage.values)
def test_the_actions_offered_are_the_rows_from_the_stage(fresh, office, luoxi, xuejia, stage):
    s = _at(fresh, stage)
    rows = [t.action for t in HANDLER_ROWS if t.source == stage]
    assert services.allowed_actions(office, s) == rows
    assert services.allowed_actions(luoxi, s) == rows  # the signal's town
    assert services.allowed_actions(xuejia, s) == []  # not a handler of it


def test_a_stale_stage_is_a_conflict_and_writes_nothing(fresh, office, luoxi):
    stale = Signal.objects.get(pk=fresh.pk)
    services.signal_accept(actor=luoxi, signal=fresh)
    before = _footprint(fresh)
    with pytest.raises(DomainError) as caught:  # the office's page still showed 已受理登记
        services.signal_accept(actor=office, signal=stale)
    assert (caught.value.message, caught.value.code) == ("该线索已被他人处理，请刷新后查看", "conflict")
    assert _footprint(fresh) == before


def test_a_signal_merged_since_it_was_read_is_refused_and_not_moved(world, office):
    primary = make_signal(enterprise=world.luoxi_factory)
    source = Signal.objects.get(pk=make_signal(enterprise=world.luoxi_factory, channel_code="petition").pk)
    stale = Signal.objects.get(pk=source.pk)
    services.signal_merge(actor=office, signal=source)
    with pytest.raises(DomainError) as caught:  # the in-memory copy knows nothing of the merge
        services.signal_accept(actor=office, signal=stale)
    assert (caught.value.message, caught.value.code) == ("该线索已被他人处理，请刷新后查看", "conflict")
    assert not SignalEvent.objects.filter(signal=source, action=Action.ACCEPT).exists()
    with pytest.raises(DomainError) as caught:
        services.signal_accept(actor=office, signal=Signal.objects.get(pk=source.pk))
    assert (caught.value.message, caught.value.code) == (
        f"该线索已并入 #{primary.pk}，请在主线索上办理",
        "merged",
    )


def test_a_merged_source_follows_its_primary_with_its_own_audit_diff_and_event(world, office):
    primary = make_signal(enterprise=world.luoxi_factory)
    source = make_signal(enterprise=world.luoxi_factory, channel_code="petition")
    services.signal_merge(actor=office, signal=Signal.objects.get(pk=source.pk))
    services.signal_verify(actor=office, signal=primary, result=Verification.PARTLY, note="部分属实")
    diff = _updates(source)[0]
    assert diff["stage"] == [Stage.RECEIVED, Stage.VERIFIED]
    assert diff["verification"] == [Verification.PENDING, Verification.PARTLY]
    event = SignalEvent.objects.filter(signal=source).latest("pk")
    assert (event.action, event.from_stage, event.to_stage, event.note) == (
        Action.VERIFY,
        Stage.RECEIVED,
        Stage.VERIFIED,
        f"随主线索 #{primary.pk}：部分属实：部分属实",
    )


# --- duplicates: flag, keep, merge ----------------------------------------------------------------


def _twins(world) -> tuple[Signal, Signal]:
    first = make_signal(enterprise=world.luoxi_factory)
    second = Signal.objects.get(pk=make_signal(enterprise=world.luoxi_factory, channel_code="petition").pk)
    assert second.duplicate_state == DuplicateState.SUSPECTED
    return first, second


def test_a_duplicate_flag_leaves_its_audit_diff_and_its_event_after_the_signals_own(world):
    first, second = _twins(world)
    diff = _updates(second)[0]
    assert diff["duplicate_state"] == ["", DuplicateState.SUSPECTED]
    assert diff["duplicate_of"][1] == str(first.pk)
    assert [e.action for e in second.events.all()] == [Action.CREATE, Action.DUPLICATE]


def test_keeping_leaves_its_audit_diff_and_its_event(world, office):
    _first, second = _twins(world)
    services.signal_keep(actor=office, signal=second, note="不同车间")
    assert _updates(second)[0]["duplicate_state"] == [DuplicateState.SUSPECTED, DuplicateState.KEPT]
    event = SignalEvent.objects.filter(signal=second).latest("pk")
    assert (event.action, event.actor, event.note) == (Action.KEEP, office, "不同车间")


def test_keeping_what_is_no_longer_suspected_is_refused_and_writes_nothing(world, office):
    _first, second = _twins(world)
    stale = Signal.objects.get(pk=second.pk)
    services.signal_keep(actor=office, signal=second)
    before = _footprint(second)
    for again in (stale, second):  # the page still showed 疑似重复; or it is already kept
        with pytest.raises(DomainError) as caught:
            services.signal_keep(actor=office, signal=again)
        assert (caught.value.message, caught.value.code) == ("该线索不是待判定的疑似重复线索", "conflict")
    assert _footprint(second) == before


def test_merging_leaves_its_audit_diff_and_its_events(world, office):
    first, second = _twins(world)
    services.signal_verify(actor=office, signal=first, result=Verification.SUBSTANTIATED, note="属实")
    services.signal_merge(actor=office, signal=second, note="同一批工人")
    diff = _updates(second)[0]
    assert diff["duplicate_state"] == [DuplicateState.SUSPECTED, DuplicateState.MERGED]
    assert diff["merged_into"][1] == str(first.pk)
    assert diff["stage"] == [Stage.RECEIVED, Stage.VERIFIED]
    assert diff["verification"] == [Verification.PENDING, Verification.SUBSTANTIATED]
    event = SignalEvent.objects.filter(signal=second, action=Action.MERGE).get()
    assert (event.from_stage, event.to_stage, event.actor) == (Stage.RECEIVED, Stage.VERIFIED, office)
    assert event.note.startswith(f"并入 #{first.pk}") and event.note.endswith("：同一批工人")
    assert SignalEvent.objects.filter(signal=first, action=Action.MERGE).exists()


def test_the_duplicate_decisions_are_a_table():
    assert {(t.source, t.action, t.target) for t in DUPLICATES.rows} == {
        (DuplicateState.SUSPECTED, Action.KEEP, DuplicateState.KEPT),
        (DuplicateState.NONE, Action.MERGE, DuplicateState.MERGED),
        (DuplicateState.SUSPECTED, Action.MERGE, DuplicateState.MERGED),
        (DuplicateState.KEPT, Action.MERGE, DuplicateState.MERGED),
    }


# --- matching, rating, the sweep's marker ---------------------------------------------------------


def test_matching_leaves_its_audit_diff_and_its_event(world, office):
    s = make_signal(employer_name="罗溪某建设", town=world.xuejia_factory.town)
    services.signal_match(actor=office, signal=s, enterprise=world.luoxi_builder)
    diff = _updates(s)[0]
    assert diff["enterprise"] == ["None", str(world.luoxi_builder.pk)]
    assert "town" in diff and "assigned_unit" in diff
    event = SignalEvent.objects.filter(signal=s, action=Action.MATCH).get()
    assert event.actor == office and world.luoxi_builder.name in event.note


def test_a_signal_matched_by_someone_else_meanwhile_is_refused_and_writes_nothing(world, office):
    s = make_signal(employer_name="罗溪某建设", town=world.xuejia_factory.town)
    stale = Signal.objects.get(pk=s.pk)
    services.signal_match(actor=office, signal=s, enterprise=world.luoxi_builder)
    before = _footprint(s)
    with pytest.raises(DomainError) as caught:
        services.signal_match(actor=office, signal=stale, enterprise=world.luoxi_factory)
    assert (caught.value.message, caught.value.code) == ("该线索已被他人处理，请刷新后查看", "conflict")
    assert _footprint(s) == before


def test_rating_leaves_its_audit_diff_and_its_event(world):
    s = _at(portal_report(world.luoxi_factory.town, ip="10.0.0.9"), Stage.CLOSED)
    services.portal_rate(signal=s, rating=Satisfaction.BASIC, comment="慢了点")
    diff = _updates(s)[0]
    assert diff["satisfaction"] == ["", Satisfaction.BASIC]
    assert diff["satisfaction_comment"] == ["", "慢了点"]
    event = SignalEvent.objects.filter(signal=s, action=Action.RATE).get()
    assert event.note == "基本满意：慢了点"
    before = _footprint(s)
    with pytest.raises(DomainError, match="只能评价一次"):
        services.portal_rate(signal=s, rating=Satisfaction.SATISFIED)
    assert _footprint(s) == before


def test_the_tracking_code_never_reaches_the_audit_log(world):
    s = portal_report(world.luoxi_factory.town, ip="10.0.0.9")
    assert s.tracking_code
    assert not any(s.tracking_code in str(entry.changes) for entry in history_for(s))


def test_the_overdue_marker_leaves_its_audit_diff_and_its_event(world):
    s = make_signal(enterprise=world.luoxi_factory)
    later = s.due_at + datetime.timedelta(hours=1)
    assert services.signals_mark_overdue(now=later) == 1
    assert _updates(s)[0]["overdue_marked_at"][0] == "None"
    assert SignalEvent.objects.filter(signal=s, action=Action.OVERDUE).count() == 1
    assert timezone.is_aware(Signal.objects.get(pk=s.pk).overdue_marked_at)
