"""Opening a case takes the enterprise's open alerts with it (issue #14 item 6, §四(二) → §四(三)):
every active alert of that enterprise the user can see is linked to the case and marked handled
through monitoring's own step, the case number in the note; the alert page names the case; the
tick no longer reports those alerts overdue."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.monitoring import alerts as alert_services
from anxin.monitoring.models import ACTIVE_ALERT, Alert, AlertEvent
from anxin.monitoring.tests.factories import red_alert
from anxin.org.models import Town


def _second_alert(first: Alert, *, town=None, unit=None) -> Alert:
    """Another active alert on the same enterprise (another rule), routed like ``first`` unless
    told otherwise."""
    return Alert.objects.create(
        enterprise=first.enterprise,
        rule="LEVEL_RED",
        level="red",
        explanation="风险等级升为红色",
        town=town or first.town,
        unit=unit if unit is not None else first.unit,
        opened_at=first.opened_at,
        opened_on=first.opened_on,
        last_fired_at=first.opened_at,
        due_at=first.due_at,
        due_basis=first.due_basis,
    )


@pytest.fixture
def two_alerts(world):
    first = red_alert(world.luoxi_factory)
    return first, _second_alert(first)


def _active(enterprise) -> set[Alert]:
    """The scan raises more than one alert on 3 months' arrears (the §五(二) trigger, the duration)."""
    return set(Alert.objects.filter(enterprise=enterprise, status__in=ACTIVE_ALERT))


def test_opening_a_case_handles_every_open_alert_of_the_enterprise_and_records_the_case(
    world, luoxi, two_alerts
):
    first, second = two_alerts
    alert_services.alert_acknowledge(actor=luoxi, alert=second)  # 已签收 is still open work
    before = _active(world.luoxi_factory)
    assert {first, second} <= before and len(before) >= 3
    case = open_case(world.luoxi_factory, actor=luoxi)  # opened by hand, from none of them
    for alert in before:
        alert.refresh_from_db()
        assert alert.status == "handled"
        assert case.number in alert.outcome
        event = AlertEvent.objects.filter(alert=alert, action="handle").get()
        assert case.number in event.note and event.actor == luoxi
    assert set(case.alerts.all()) == before
    assert not _active(world.luoxi_factory)
    assert case.events.filter(kind="note", note__contains=f"#{first.pk}").exists()


def test_opening_from_one_alert_takes_the_others_too(world, office, two_alerts):
    first, second = two_alerts
    before = _active(world.luoxi_factory)
    case = open_case(world.luoxi_factory, actor=office, alert=first)
    second.refresh_from_db()
    assert second.status == "handled" and case.number in second.outcome
    assert set(case.alerts.all()) == before


def test_alerts_the_user_cannot_see_are_left_alone(world, luoxi, district):
    first = red_alert(world.luoxi_factory)
    mine = _active(world.luoxi_factory)
    elsewhere = _second_alert(first, town=Town.objects.get(code="xuejia"))
    elsewhere.unit = None
    elsewhere.save(update_fields=["unit"])
    assert not Alert.objects.for_user(luoxi).filter(pk=elsewhere.pk).exists()
    case = open_case(world.luoxi_factory, actor=luoxi)
    elsewhere.refresh_from_db()
    assert elsewhere.status == "open" and not elsewhere.events.filter(action="handle").exists()
    assert set(case.alerts.all()) == mine


def test_an_alert_another_open_case_holds_stays_with_that_case(world, office, two_alerts):
    first, _second = two_alerts
    before = _active(world.luoxi_factory)
    earlier = open_case(world.luoxi_factory, actor=office, alert=first)
    assert set(earlier.alerts.all()) == before
    third = _second_alert(first)
    third.rule = "OTHER"
    third.save(update_fields=["rule"])
    later = open_case(world.luoxi_factory, actor=office, separate=True)
    assert list(later.alerts.all()) == [third]
    assert set(earlier.alerts.all()) == before


def test_the_tick_does_not_report_alerts_handled_by_opening_a_case(world, luoxi, two_alerts):
    before = _active(world.luoxi_factory)
    open_case(world.luoxi_factory, actor=luoxi)
    later = max(a.due_at for a in before) + datetime.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        assert alert_services.alerts_escalate(now=timezone.now()) == 0
    assert not AlertEvent.objects.filter(alert__in=before, action="escalate").exists()


def test_without_a_case_the_same_alerts_would_be_reported(world, two_alerts):
    before = _active(world.luoxi_factory)  # the control: reported when no case took them
    later = max(a.due_at for a in before) + datetime.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        assert alert_services.alerts_escalate(now=timezone.now()) == len(before)


@pytest.mark.parametrize(
    ("persona", "names_case"),
    [("office", True), ("luoxi", True), ("renshe", True), ("chengjian", None), ("xuejia", None)],
)
def test_the_alert_page_names_the_case(world, login, request, two_alerts, persona, names_case):
    _first, second = two_alerts
    case = open_case(world.luoxi_factory, actor=system_actor())
    response = login(request.getfixturevalue(persona)).get(reverse("alert-detail", args=[second.pk]))
    if names_case is None:  # 薛家 and 城建局 cannot see a 罗溪 factory's alert
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert (case.number in page) is names_case
    if names_case:
        assert 'data-testid="related-case"' in page
        assert reverse("case-detail", args=[case.pk]) in page
        assert 'data-testid="alert-open-case"' not in page  # no second "立案处置" for it


def test_an_alert_raised_after_the_case_points_to_the_open_case(world, office, login):
    first = red_alert(world.luoxi_factory)
    case = open_case(world.luoxi_factory, actor=office, alert=first)
    newer = _second_alert(first)  # fired after the case was opened: not yet linked
    page = login(office).get(reverse("alert-detail", args=[newer.pk])).content.decode()
    assert 'data-testid="related-open-case"' in page and case.number in page


def test_a_signal_an_open_case_holds_offers_no_second_case(world, office, login):
    from anxin.intake.tests.factories import signal

    held = signal(enterprise=world.luoxi_factory)
    page = login(office).get(reverse("signal-detail", args=[held.pk])).content.decode()
    assert 'data-testid="signal-open-case"' in page  # no case yet: 立案处置 is offered
    case = open_case(world.luoxi_factory, actor=office)
    case.signals.add(held)
    page = login(office).get(reverse("signal-detail", args=[held.pk])).content.decode()
    assert 'data-testid="signal-open-case"' not in page and case.number in page
