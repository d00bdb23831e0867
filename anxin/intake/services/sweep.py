"""The intake's periodic sweeps (``manage.py tick``): overdue verification, and forgetting the
portal's rate-limit records."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.links import officer_url
from anxin.intake.models import PortalAttempt, PortalBucket, Signal, SignalEvent
from anxin.notify.services import notify_units
from anxin.org.models import Unit

Action = SignalEvent.Action


def signals_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Mark open signals past their verification deadline (once each) and tell the office."""
    now = now or timezone.now()
    actor = system_actor()
    office_ids = list(Unit.objects.filter(kind="office").values_list("pk", flat=True))
    marked: list[Signal] = []
    with transaction.atomic(), acting(actor):
        for signal in (
            Signal.objects.overdue(now).filter(overdue_marked_at__isnull=True).select_related("channel")
        ):
            # Re-checked in the update: a signal verified since the select is not marked.
            still_open = Signal.objects.overdue(now).filter(overdue_marked_at__isnull=True)
            if guarded_update(still_open, signal.pk, overdue_marked_at=now) == 1:
                marked.append(signal)
        SignalEvent.objects.bulk_create(
            [
                SignalEvent(
                    signal=s,
                    action=Action.OVERDUE,
                    actor=actor,
                    at=now,
                    note=f"核实期限 {timezone.localtime(s.due_at):%Y-%m-%d %H:%M} 已过（{s.due_basis}）",
                )
                for s in marked
            ]
        )
        if marked:
            units = defaultdict(int)
            town_units = dict(
                Unit.objects.filter(town_id__in={s.town_id for s in marked}).values_list("town_id", "pk")
            )
            for s in marked:
                units[s.assigned_unit_id] += 1
                if s.town_id in town_units:
                    units[town_units[s.town_id]] += 1
            notify_units(
                unit_ids=office_ids,
                subject=f"线索核实逾期 {len(marked)} 条",
                body="；".join(
                    f"{s.employer_display}（{s.get_kind_display()}，期限 {timezone.localtime(s.due_at):%m-%d}）"
                    for s in marked[:10]
                ),
                url=officer_url("signal-triage") + "?queue=overdue",
                topic="signal-overdue",
            )
            for unit_id, count in units.items():
                notify_units(
                    unit_ids=[unit_id],
                    subject=f"您单位有 {count} 条线索核实逾期，已报联席办",
                    url=officer_url("signal-list") + "?mine=1&overdue=1",
                    topic="signal-overdue",
                )
    return len(marked)


def portal_attempts_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget portal rate-limit records older than a day."""
    now = now or timezone.now()
    deleted, _detail = PortalAttempt.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()
    PortalBucket.objects.filter(day__lt=timezone.localdate(now) - datetime.timedelta(days=1)).delete()
    return deleted


def followups_escalate(*, now: datetime.datetime | None = None) -> int:
    """A report the worker rated 不满意 (or 仍未拿到工资) and not closed again by its follow-up
    deadline: marked once, on the signal's record, and reported to the office and the handlers."""
    from anxin.intake.services.portal import _handler_unit_ids

    now = now or timezone.now()
    actor = system_actor()
    due = Signal.objects.filter(followup_due_at__lt=now, followup_escalated_at__isnull=True).exclude(
        stage="closed"
    )
    marked: list[Signal] = []
    with transaction.atomic(), acting(actor):
        for signal in due.select_related("enterprise"):
            if guarded_update(due, signal.pk, followup_escalated_at=now) != 1:
                continue  # closed since the select
            marked.append(signal)
            SignalEvent.objects.create(
                signal=signal,
                action=Action.FOLLOWUP_OVERDUE,
                actor=actor,
                at=now,
                note=f"回访处理期限 {timezone.localtime(signal.followup_due_at):%Y-%m-%d} 已过"
                f"（{signal.followup_basis}），已报联席办",
            )
            notify_units(
                unit_ids=_handler_unit_ids(signal),
                subject=f"反映人不满意的线索 #{signal.pk} 逾期未重新办结",
                body=f"{signal.employer_display}：回访处理期限 {timezone.localtime(signal.followup_due_at):%Y-%m-%d} 已过。",
                url=officer_url("signal-detail", signal.pk),
                topic="signal-followup",
            )
    return len(marked)


def recovery_codes_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget the portal's recovery codes a day after they expired."""
    from anxin.intake.models import RecoveryCode

    now = now or timezone.now()
    deleted, _detail = RecoveryCode.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
    return deleted


PROGRESS_BATCH = 500


def portal_progress_refresh(*, now: datetime.datetime | None = None) -> int:
    """Write, for the internet zone's status page, each worker's report's case progress and own
    claim (``PublicProgress``) as the internal zone reads them: for every report with a tracking
    code that is still open, or whose case was still open when last written, or that has no record
    yet. Only a changed record is written; returns how many were."""
    from dataclasses import asdict

    from anxin.core import seam
    from anxin.intake.models import PublicProgress, Stage
    from anxin.intake.public import portal_cases

    now = now or timezone.now()
    known = {p.signal_id: p for p in PublicProgress.objects.all()}
    candidates = [
        pk
        for pk, stage in Signal.objects.filter(tracking_code__isnull=False).values_list("pk", "stage")
        if stage != Stage.CLOSED
        or pk not in known
        or (known[pk].case or {}).get("is_open")
        or known[pk].money is not None
    ]
    written = 0
    for start in range(0, len(candidates), PROGRESS_BATCH):
        ids = candidates[start : start + PROGRESS_BATCH]
        signals = list(Signal.objects.filter(pk__in=ids).only("pk", "merged_into_id"))
        money = seam.signal_money(ids)
        cases = portal_cases(signals)
        creates, updates = [], []
        for signal in signals:
            case = cases[signal.pk]
            case_data = None
            if case is not None:
                case_data = {**asdict(case), "url": "", "public_steps": list(case.public_steps)}
            money_data = asdict(money[signal.pk]) if signal.pk in money else None
            record = known.get(signal.pk)
            if record is None:
                creates.append(
                    PublicProgress(signal_id=signal.pk, case=case_data, money=money_data, refreshed_at=now)
                )
            elif (record.case, record.money) != (case_data, money_data):
                record.case, record.money, record.refreshed_at = case_data, money_data, now
                updates.append(record)
        with transaction.atomic():
            PublicProgress.objects.bulk_create(creates, ignore_conflicts=True)
            PublicProgress.objects.bulk_update(updates, ["case", "money", "refreshed_at"])
        written += len(creates) + len(updates)
    return written


def portal_projects_refresh(*, now: datetime.datetime | None = None) -> int:
    """Write, for the internet zone's report form opened from a site's notice board, each project's
    name, town and general contractor's name (``PortalProject``); only what changed. Returns how
    many records were written or removed."""
    from anxin.intake.models import PortalProject
    from anxin.registry.models import Project

    now = now or timezone.now()
    known = {b.project_id: b for b in PortalProject.objects.all()}
    creates, updates = [], []
    rows = Project.objects.values_list("pk", "name", "town_id", "general_contractor__name")
    seen = set()
    for pk, name, town_id, contractor in rows.iterator(chunk_size=2000):
        seen.add(pk)
        contractor = contractor or ""
        board = known.get(pk)
        if board is None:
            creates.append(
                PortalProject(
                    project_id=pk, name=name, town_id=town_id, contractor_name=contractor, refreshed_at=now
                )
            )
        elif (board.name, board.town_id, board.contractor_name) != (name, town_id, contractor):
            board.name, board.town_id, board.contractor_name, board.refreshed_at = (
                name,
                town_id,
                contractor,
                now,
            )
            updates.append(board)
    gone = [pk for pk in known if pk not in seen]
    with transaction.atomic():
        PortalProject.objects.bulk_create(creates, batch_size=1000, ignore_conflicts=True)
        PortalProject.objects.bulk_update(
            updates, ["name", "town", "contractor_name", "refreshed_at"], batch_size=1000
        )
        PortalProject.objects.filter(project_id__in=gone).delete()
    return len(creates) + len(updates) + len(gone)
