"""Triage by the office: duplicates kept or merged, employers matched or registered, 督办."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.intake import services
from anxin.intake.models import DuplicateState, Signal, SignalEvent, Stage, Verification
from anxin.intake.tests.factories import signal
from anxin.notify.models import Notification
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import make_uscc

TZ = timezone.get_current_timezone()


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


# --- deduplication ------------------------------------------------------------------------------


def test_same_enterprise_and_kind_from_another_channel_within_the_window_is_flagged(world):
    first = signal(enterprise=world.luoxi_factory, received_at=at("2026-11-10T09:00"))
    second = signal(
        enterprise=world.luoxi_factory, channel_code="petition", received_at=at("2026-11-17T09:00")
    )
    second.refresh_from_db()
    assert second.duplicate_state == DuplicateState.SUSPECTED
    assert second.duplicate_of == first
    assert "signal.dedup_days=7" in second.events.get(action="duplicate").note


def test_outside_the_window_or_from_the_same_channel_is_not_a_duplicate(world):
    signal(enterprise=world.luoxi_factory, received_at=at("2026-11-01T09:00"))
    later = signal(
        enterprise=world.luoxi_factory, channel_code="petition", received_at=at("2026-11-09T09:00")
    )
    same_channel = signal(enterprise=world.luoxi_factory, received_at=at("2026-11-01T10:00"))
    other_kind = signal(enterprise=world.luoxi_factory, channel_code="tax", kind="social_insurance")
    for s in (later, same_channel, other_kind):
        s.refresh_from_db()
        assert s.duplicate_state == DuplicateState.NONE


def test_merging_keeps_both_sources_and_their_history(world, office):
    first = signal(enterprise=world.luoxi_factory, workers=3)
    second = signal(enterprise=world.luoxi_factory, channel_code="petition", workers=8)
    second.refresh_from_db()
    services.signal_merge(actor=office, signal=second, note="同一批工人")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.merged_into == first and second.duplicate_state == DuplicateState.MERGED
    assert list(first.merged_sources.all()) == [second]
    assert first.workers == 8  # the primary takes the larger figure
    assert second.events.filter(action="merge").exists() and first.events.filter(action="merge").exists()
    assert Signal.objects.count() == 2


def test_a_merged_source_follows_its_primary_through_verification(world, office):
    first = signal(enterprise=world.luoxi_factory)
    second = signal(enterprise=world.luoxi_factory, channel_code="petition")
    services.signal_merge(actor=office, signal=Signal.objects.get(pk=second.pk))
    services.signal_verify(actor=office, signal=first, result=Verification.SUBSTANTIATED, note="查实")
    second.refresh_from_db()
    assert second.stage == Stage.VERIFIED and second.verification == Verification.SUBSTANTIATED
    with pytest.raises(DomainError, match="已并入"):
        services.signal_accept(actor=office, signal=second)


def test_only_signals_of_the_same_enterprise_can_be_merged(world, office):
    a = signal(enterprise=world.luoxi_factory)
    b = signal(enterprise=world.xuejia_factory, channel_code="petition")
    with pytest.raises(DomainError, match="同一企业"):
        services.signal_merge(actor=office, signal=b, into=a)
    b.refresh_from_db()
    assert b.merged_into is None


def test_keeping_a_suspected_duplicate_clears_the_flag(world, office):
    signal(enterprise=world.luoxi_factory)
    second = Signal.objects.get(pk=signal(enterprise=world.luoxi_factory, channel_code="petition").pk)
    services.signal_keep(actor=office, signal=second, note="不同车间")
    second.refresh_from_db()
    assert second.duplicate_state == DuplicateState.KEPT
    with pytest.raises(DomainError):
        services.signal_keep(actor=office, signal=second)


def test_only_the_office_triages(world, luoxi, chengjian):
    s = signal(enterprise=world.luoxi_factory)
    for user in (luoxi, chengjian):
        with pytest.raises(PermissionDenied):
            services.signal_keep(actor=user, signal=s)


# --- triage: matching -----------------------------------------------------------------------------


def test_matching_an_unknown_employer_reroutes_and_notifies(
    world, office, chengjian, django_capture_on_commit_callbacks
):
    s = signal(employer_name="罗溪某建设", town=world.xuejia_factory.town)
    assert s.town.code == "xuejia"
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_match(actor=office, signal=s, enterprise=world.luoxi_builder)
    s.refresh_from_db()
    assert (s.enterprise, s.town.code, s.assigned_unit.code) == (world.luoxi_builder, "luoxi", "construction")
    assert Notification.objects.filter(recipient=chengjian).exists()
    with pytest.raises(DomainError, match="已关联"):
        services.signal_match(actor=office, signal=s, enterprise=world.luoxi_factory)


# --- 督办 and registering the employer from triage ----------------------------------------------


def _overdue(world):
    with time_machine.travel(at("2026-11-02T10:00"), tick=False):
        return signal(enterprise=world.luoxi_factory, received_at=at("2026-11-02T09:00"))


def test_urging_notifies_the_department_and_the_town_and_records_it_on_the_signal(
    world, office, renshe, luoxi, xuejia, django_capture_on_commit_callbacks
):
    s = _overdue(world)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.signal_urge(actor=office, signal=s, note="本周五前报结论")
    assert event.action == SignalEvent.Action.URGE and event.actor == office
    assert "人社局" in event.note and "罗溪镇" in event.note and "本周五前报结论" in event.note
    urged = set(
        Notification.objects.filter(topic="signal-urge").values_list("recipient__username", flat=True)
    )
    assert urged == {renshe.username, luoxi.username}
    notice = Notification.objects.get(recipient=luoxi)
    assert notice.subject.startswith(f"联席办督办：线索 #{s.pk}") and notice.url == f"/signals/{s.pk}/"


def test_nothing_is_sent_when_urging_is_refused(world, office, django_capture_on_commit_callbacks):
    s = _overdue(world)
    services.signal_verify(actor=office, signal=s, result=Verification.UNFOUNDED, note="不属实")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError, match="无需督办"):
        services.signal_urge(actor=office, signal=s)
    assert not Notification.objects.exists()
    assert not s.events.filter(action=SignalEvent.Action.URGE).exists()


def test_only_the_office_urges(world, luoxi, renshe):
    s = _overdue(world)
    for user in (luoxi, renshe):
        with pytest.raises(PermissionDenied):
            services.signal_urge(actor=user, signal=s)
    assert not s.events.filter(action=SignalEvent.Action.URGE).exists()


_REQUIRED = {"legal_rep": "张三", "address": "罗溪镇工业园1号", "industry": "C"}


def test_registering_the_named_employer_links_and_reroutes_the_signal(world, office):
    s = signal(employer_name="新北某建材有限公司", town=world.xuejia_factory.town)
    assert s.enterprise is None
    code = make_uscc()
    matched = services.signal_match_new_enterprise(
        actor=office,
        signal=s,
        uscc=code,
        name="新北某建材有限公司",
        town=world.luoxi_factory.town,
        **_REQUIRED,
    )
    assert matched.enterprise.uscc == code and matched.enterprise.name == "新北某建材有限公司"
    assert matched.town == world.luoxi_factory.town  # routed by the enterprise now
    assert matched.events.filter(action=SignalEvent.Action.MATCH).count() == 1


def test_registering_for_an_already_matched_signal_creates_nothing(world, office):
    s = signal(enterprise=world.luoxi_factory)
    before = Enterprise.objects.count()
    with pytest.raises(DomainError, match="已关联企业"):
        services.signal_match_new_enterprise(
            actor=office,
            signal=s,
            uscc=make_uscc(),
            name="另一家",
            town=world.luoxi_factory.town,
            **_REQUIRED,
        )
    assert Enterprise.objects.count() == before


def test_a_refused_match_rolls_the_new_enterprise_back(world, office):
    s = signal(employer_name="无名公司", town=world.luoxi_factory.town)
    stale = Signal.objects.get(pk=s.pk)
    services.signal_match(actor=office, signal=s, enterprise=world.luoxi_factory)  # someone else, meanwhile
    code = make_uscc()
    with pytest.raises(DomainError, match="已被他人处理"):
        services.signal_match_new_enterprise(
            actor=office, signal=stale, uscc=code, name="无名公司", town=world.luoxi_factory.town, **_REQUIRED
        )
    assert not Enterprise.objects.filter(uscc=code).exists()
