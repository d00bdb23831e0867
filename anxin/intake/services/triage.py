"""The office's triage of signals: urging the units to verify (督办), matching an unregistered
employer to an enterprise, and deciding suspected duplicates (keep apart or merge).

The office's decision on a duplicate is a status change of ``duplicate_state`` and goes through
``DUPLICATES`` (a ``core.transitions.Workflow``); matching is a guarded update with its audit diff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import events as domain_events
from anxin.core import seam
from anxin.core.access import require_perm
from anxin.core.audit import acting, guarded_update
from anxin.core.errors import DomainError
from anxin.core.links import officer_url
from anxin.core.money import format_yuan
from anxin.core.transitions import Transition, Workflow
from anxin.intake.models import DuplicateState, Signal, SignalEvent, Stage
from anxin.intake.services.facts import names_a_site
from anxin.intake.services.recording import _announce, _flag_duplicates
from anxin.notify.services import notify_units
from anxin.org.models import Unit, User
from anxin.org.routing import Router
from anxin.registry.models import Enterprise
from anxin.registry.selectors import enterprise_kind_codes
from anxin.registry.services import enterprise_create

Action = SignalEvent.Action

# The office's decisions on a signal's duplicate flag (the flag itself, "" → 疑似重复, is set when
# the signal is recorded or matched: recording._flag_duplicates). Merging records the source's
# stage move (it takes the primary's stage) in its event's from/to columns.
DUPLICATES = Workflow(
    model=Signal,
    field="duplicate_state",
    rows=[
        Transition(DuplicateState.SUSPECTED, Action.KEEP, DuplicateState.KEPT, "intake.triage_signal"),
        Transition(DuplicateState.NONE, Action.MERGE, DuplicateState.MERGED, "intake.triage_signal"),
        Transition(DuplicateState.SUSPECTED, Action.MERGE, DuplicateState.MERGED, "intake.triage_signal"),
        Transition(DuplicateState.KEPT, Action.MERGE, DuplicateState.MERGED, "intake.triage_signal"),
    ],
    event_model=SignalEvent,
    event_object="signal",
    noun=gettext_lazy("线索"),
    status_word=gettext_lazy("重复判定"),
    action_labels=dict(Action.choices),
)


@transaction.atomic
def signal_urge(*, actor: User, signal: Signal, note: str = "") -> SignalEvent:
    """The office presses (督办) the assigned department and the signal's town to verify it.

    Both units get an inbox notice after commit; the signal records who urged, whom and why.
    Only an open signal (not verified, not merged) can be urged.
    """
    require_perm(actor, "intake.triage_signal")
    if not Signal.objects.for_user(actor).filter(pk=signal.pk).exists():
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(_("督办意见不超过 2000 字"), field="note")
    locked = Signal.objects.select_for_update().select_related("channel").get(pk=signal.pk)
    if not locked.is_open:
        raise DomainError(
            _("线索处于“%(s)s”阶段或已并入其他线索，无需督办") % {"s": locked.get_stage_display()},
            code="transition",
        )
    units = list(
        Unit.objects.filter(pk=locked.assigned_unit_id)
        | (Unit.objects.filter(town_id=locked.town_id) if locked.town_id else Unit.objects.none())
    )
    if not units:
        raise DomainError(_("该线索尚未分派到镇/街道或条线部门，请先关联企业"), code="unrouted")
    names = "、".join(u.short_name or u.name for u in units)
    due = f"核实期限 {timezone.localtime(locked.due_at):%Y-%m-%d}" if locked.due_at else ""
    with acting(actor):
        event = SignalEvent.objects.create(
            signal=locked,
            action=Action.URGE,
            actor=actor,
            note=f"督办{names}" + (f"（{due}）" if due else "") + f"：{note or '请尽快核实并录入结论'}",
        )
    notify_units(
        unit_ids=[u.pk for u in units],
        subject=f"联席办督办：线索 #{locked.pk}（{locked.employer_display}）请尽快核实",
        body="；".join(filter(None, [f"{locked.channel.name} · {locked.get_kind_display()}", due, note])),
        url=officer_url("signal-detail", locked.pk),
        topic="signal-urge",
        about=locked.employer_display,
    )
    return event


@transaction.atomic
def signal_match_new_enterprise(*, actor: User, signal: Signal, kinds=None, **fields) -> Signal:
    """Register the enterprise an unmatched signal names, then link the signal to it (all or nothing)."""
    require_perm(actor, "intake.triage_signal")
    if signal.enterprise_id:
        raise DomainError(_("该线索已关联企业“%(e)s”") % {"e": signal.enterprise.name}, code="matched")
    enterprise = enterprise_create(actor=actor, kinds=kinds, **fields)
    return signal_match(actor=actor, signal=signal, enterprise=enterprise)


@transaction.atomic
def signal_match(*, actor: User, signal: Signal, enterprise: Enterprise) -> Signal:
    """Link a signal whose employer the registry did not know to a registered enterprise; re-route."""
    require_perm(actor, "intake.triage_signal")
    if signal.enterprise_id:
        raise DomainError(_("该线索已关联企业“%(e)s”") % {"e": signal.enterprise.name}, code="matched")
    router = Router(kinds_of=enterprise_kind_codes)
    route = router.route(
        enterprise=enterprise,
        project=signal.project,
        kind=signal.kind,
        site_named=names_a_site({"project_name": signal.project_name, "kind": signal.kind}),
    )
    now = timezone.now()
    with acting(actor):
        touched = guarded_update(
            Signal.objects.filter(enterprise__isnull=True),
            signal.pk,
            enterprise=enterprise,
            town_id=route.town_id,
            assigned_unit_id=route.unit_id,
            routing_note=route.note,
            updated_at=now,
        )
        if touched != 1:
            raise DomainError(_("该线索已被他人处理，请刷新后查看"), code="conflict")
        signal.refresh_from_db()
        events = [
            SignalEvent(
                signal=signal,
                action=Action.MATCH,
                actor=actor,
                at=now,
                note=f"关联企业：{enterprise.name}（{enterprise.uscc}）；{route.note}",
            )
        ]
        events.extend(_flag_duplicates([signal], actor=actor, now=now))
        SignalEvent.objects.bulk_create(events)
        domain_events.publish(seam.SIGNALS_CHANGED, enterprise_ids=[enterprise.pk])
        _announce([signal])
    signal.refresh_from_db()
    return signal


@transaction.atomic
def signal_keep(*, actor: User, signal: Signal, note: str = "") -> Signal:
    """The office decides a suspected duplicate is a separate matter."""
    require_perm(actor, "intake.triage_signal")
    step = DUPLICATES.find(DuplicateState.SUSPECTED, Action.KEEP)
    now = timezone.now()
    return DUPLICATES.move(
        signal,
        step,
        actor=actor,
        note=(note or "").strip(),
        values={"updated_at": now},
        now=now,
        conflict=_("该线索不是待判定的疑似重复线索"),
    )


def signal_merge(*, actor: User, signal: Signal, into: Signal | None = None, note: str = "") -> Signal:
    """Fold a duplicate into the primary signal; both rows, their sources and histories remain.

    The source takes the primary's stage and verification from now on (it is the same matter);
    the primary takes the larger of the figures both report, with an event saying so.
    """
    require_perm(actor, "intake.triage_signal")
    into_id = (into.pk if into else None) or signal.duplicate_of_id
    if into_id is None:
        raise DomainError(_("请选择要并入的主线索"), field="into")
    if into_id == signal.pk:
        raise DomainError(_("不能并入自身"), field="into")
    now = timezone.now()
    note = (note or "").strip()
    suffix = f"：{note}" if note else ""
    with transaction.atomic(), acting(actor):
        # Lock both rows (in id order) and decide on what is committed, not on what was read.
        rows = Signal.objects.select_for_update().filter(pk__in=sorted({signal.pk, into_id})).order_by("pk")
        locked = {row.pk: row for row in rows}
        source, into = locked.get(signal.pk), locked.get(into_id)
        if source is None or into is None:
            raise DomainError(_("线索不存在"), field="into")
        if into.merged_into_id:
            into = Signal.objects.select_for_update().get(pk=into.merged_into_id)
        if source.merged_into_id:
            raise DomainError(_("该线索已被合并"), code="conflict")
        if source.enterprise_id is None or source.enterprise_id != into.enterprise_id:
            raise DomainError(_("只能合并同一企业的线索"), field="into")
        if into.stage == Stage.CLOSED:
            raise DomainError(
                _("主线索 #%(n)d 已办结，新线索请单独办理（确认不重复）") % {"n": into.pk}, field="into"
            )
        if Signal.objects.filter(merged_into=source).exists():
            raise DomainError(_("该线索已有其他线索并入，请将其作为主线索"), field="into")
        step = DUPLICATES.find(source.duplicate_state, Action.MERGE)
        if step is None:
            raise DomainError(_("该线索已被合并"), code="conflict")
        follow = {"stage": into.stage, "verification": into.verification}
        if into.verified_at:
            follow.update(verified_by=into.verified_by, verified_at=into.verified_at)
        DUPLICATES.move(
            source,
            step,
            actor=actor,
            note=f"并入 #{into.pk}（{into.channel.name}）{suffix}",
            values={"merged_into": into, "duplicate_of": into, **follow, "updated_at": now},
            scope=Signal.objects.filter(merged_into__isnull=True),
            event={"from_stage": source.stage, "to_stage": into.stage},
            now=now,
            conflict=_("该线索已被合并"),
        )
        events = [
            SignalEvent(
                signal=into,
                action=Action.MERGE,
                actor=actor,
                at=now,
                note=f"#{source.pk}（{source.channel.name}）并入本线索{suffix}",
            ),
        ]
        raised = []
        for key in ("workers", "amount", "months_owed"):
            old, new = getattr(into, key), getattr(source, key)
            if new > old:
                setattr(into, key, new)
                shown = (format_yuan(old), format_yuan(new)) if key == "amount" else (old, new)
                raised.append(f"{Signal._meta.get_field(key).verbose_name} {shown[0]} → {shown[1]}")
        if raised:
            into.save(update_fields=["workers", "amount", "months_owed", "updated_at"])
            events.append(
                SignalEvent(
                    signal=into,
                    action=Action.MERGE,
                    actor=actor,
                    at=now,
                    note="按并入来源取较大值：" + "；".join(raised),
                )
            )
        SignalEvent.objects.bulk_create(events)
        domain_events.publish(seam.SIGNALS_CHANGED, enterprise_ids=[into.enterprise_id])
    source.refresh_from_db()
    return source
