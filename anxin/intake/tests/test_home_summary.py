"""The home page's signal card (``selectors.signal_summary``): what each count includes. Closed
signals count in none of the card's figures but 近30天 — the aggregate reads only the others."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anxin.intake import selectors
from anxin.intake.models import Signal, Stage
from anxin.intake.tests.factories import signal


@pytest.mark.django_db
def test_the_card_counts_open_work_and_leaves_closed_signals_out(world, luoxi):
    now = timezone.now()
    waiting = signal(enterprise=world.luoxi_factory)  # received: the town verifies it
    overdue = signal(enterprise=world.luoxi_factory)
    handling = signal(enterprise=world.luoxi_factory)
    closed = signal(enterprise=world.luoxi_factory)
    reopened = signal(enterprise=world.luoxi_factory)  # a 不满意 rating: back to handling, a follow-up due
    closed_followup = signal(enterprise=world.luoxi_factory)
    Signal.objects.filter(pk=overdue.pk).update(due_at=now - datetime.timedelta(days=1))
    Signal.objects.filter(pk=handling.pk).update(stage=Stage.HANDLING)
    Signal.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED, due_at=now - datetime.timedelta(days=1))
    Signal.objects.filter(pk=reopened.pk).update(
        stage=Stage.HANDLING, followup_due_at=now - datetime.timedelta(hours=1)
    )
    Signal.objects.filter(pk=closed_followup.pk).update(
        stage=Stage.CLOSED, followup_due_at=now + datetime.timedelta(days=3)
    )

    card = selectors.signal_summary(user=luoxi)

    assert card["whose"] == "town"
    assert (card["mine"], card["mine_overdue"]) == (2, 1)  # waiting and overdue; not the closed one
    assert card["unclosed"] == 4  # waiting, overdue, handling, reopened
    assert (card["followups"], card["followups_overdue"]) == (1, 1)  # the closed one's is over
    assert card["last30"] == 6  # received in the last 30 days, closed or not
    assert waiting.stage == Stage.RECEIVED
