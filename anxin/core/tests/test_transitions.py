"""The one way a status changes: the table refuses what it does not hold, the conditional update
refuses a stale status, and a move leaves its audit diff and its event row — or nothing at all."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from anxin.core.errors import DomainError
from anxin.core.transitions import Transition, Workflow
from anxin.intake.models import Signal, SignalEvent, Stage
from anxin.intake.tests.factories import signal as make_signal
from anxin.registry.tests.factories import enterprise

ACCEPT, VERIFY = "accept", "verify"
FLOW = Workflow(
    model=Signal,
    field="stage",
    event_model=SignalEvent,
    event_object="signal",
    event_from="from_stage",
    event_to="to_stage",
    noun="线索",
    status_word="阶段",
    action_labels={ACCEPT: "开始核实", VERIFY: "记录核实结论"},
    rows=[
        Transition(Stage.RECEIVED, ACCEPT, Stage.VERIFYING, "intake.verify_signal"),
        Transition(Stage.VERIFYING, VERIFY, Stage.VERIFIED, "intake.verify_signal", who="handler"),
    ],
)


@pytest.fixture
def signal(district):
    return make_signal(enterprise=enterprise(town="luoxi"))


def _diffs(obj: Signal) -> list[dict]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk),
        action=LogEntry.Action.UPDATE,
    )
    return [entry.changes_dict for entry in entries]


def test_a_move_updates_the_status_and_leaves_the_audit_diff_and_the_event(signal, office):
    FLOW.move(signal, FLOW.step(signal, ACCEPT), actor=office, note="开始核实")
    assert signal.stage == Stage.VERIFYING
    assert {"stage": ["received", "verifying"]}.items() <= _diffs(signal)[-1].items()
    event = SignalEvent.objects.filter(signal=signal, action=ACCEPT).get()
    assert (event.from_stage, event.to_stage, event.actor, event.note) == (
        Stage.RECEIVED,
        Stage.VERIFYING,
        office,
        "开始核实",
    )


def test_an_action_not_in_the_table_is_refused_in_chinese(signal):
    with pytest.raises(DomainError, match="线索处于“已受理登记”阶段，不能“记录核实结论”") as caught:
        FLOW.step(signal, VERIFY)
    assert caught.value.code == "transition"


def test_a_stale_status_changes_nothing(signal, office):
    stale = Signal.objects.get(pk=signal.pk)
    FLOW.move(signal, FLOW.step(signal, ACCEPT), actor=office)
    events = SignalEvent.objects.count()
    diffs = len(_diffs(signal))
    with pytest.raises(DomainError) as caught:  # the page still showed 已接收
        FLOW.move(stale, FLOW.step(stale, ACCEPT), actor=office)
    assert caught.value.code == "conflict"
    assert "已被他人处理" in caught.value.message
    assert SignalEvent.objects.count() == events
    assert len(_diffs(signal)) == diffs


def test_an_object_no_longer_at_the_rows_status_is_a_conflict_before_any_write(signal, office):
    step = FLOW.find(Stage.VERIFYING, VERIFY)
    assert step is not None
    with pytest.raises(DomainError) as caught:
        FLOW.move(signal, step, actor=office)
    assert caught.value.code == "conflict"
    assert not SignalEvent.objects.filter(signal=signal, action=VERIFY).exists()


def test_actions_lists_what_the_table_and_the_check_allow(signal):
    assert FLOW.actions(signal, may=lambda row: True) == [ACCEPT]
    assert FLOW.actions(signal, may=lambda row: row.who == "handler") == []


def test_a_table_naming_an_unknown_status_or_a_pair_twice_is_refused_at_import():
    with pytest.raises(ValueError, match="unknown status"):
        Workflow(
            model=Signal,
            field="stage",
            event_model=SignalEvent,
            event_object="signal",
            noun="线索",
            rows=[Transition(Stage.RECEIVED, ACCEPT, "lost", "intake.verify_signal")],
        )
    row = Transition(Stage.RECEIVED, ACCEPT, Stage.VERIFYING, "intake.verify_signal")
    with pytest.raises(ValueError, match="appears twice"):
        Workflow(
            model=Signal,
            field="stage",
            event_model=SignalEvent,
            event_object="signal",
            noun="线索",
            rows=[row, row],
        )
