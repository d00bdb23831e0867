"""A signal's stages (DESIGN rule 4): the transitions table, who may act on a signal, and the
services that move it — accept, verify, handle, close — plus the public reply and internal notes.

Every stage change goes through ``STAGES`` (a ``core.transitions.Workflow``): the conditional
update (``WHERE stage = old`` and not merged), the audit diff and the ``SignalEvent`` row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import events as domain_events
from anxin.core import seam
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.transitions import Transition, Workflow
from anxin.intake.models import ReportClosure, Signal, SignalEvent, Stage, Verification
from anxin.intake.public import status_link
from anxin.notify.services import sms_send
from anxin.org.access import acts_for
from anxin.org.models import User

Action = SignalEvent.Action

HANDLER = "handler"  # the office, the assigned department, the signal's town
WORKER = "worker"  # the worker, on the portal: 不满意 / 仍未拿到工资 reopens their report
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Stage.RECEIVED, Action.ACCEPT, Stage.VERIFYING, "intake.verify_signal", who=HANDLER),
    Transition(Stage.RECEIVED, Action.VERIFY, Stage.VERIFIED, "intake.verify_signal", who=HANDLER),
    Transition(Stage.VERIFYING, Action.VERIFY, Stage.VERIFIED, "intake.verify_signal", who=HANDLER),
    Transition(Stage.VERIFIED, Action.HANDLE, Stage.HANDLING, "intake.reply_signal", who=HANDLER),
    Transition(Stage.VERIFIED, Action.CLOSE, Stage.CLOSED, "intake.reply_signal", who=HANDLER),
    Transition(Stage.HANDLING, Action.CLOSE, Stage.CLOSED, "intake.reply_signal", who=HANDLER),
    Transition(Stage.CLOSED, Action.REOPEN, Stage.HANDLING, "intake.reply_signal", who=WORKER),
)
STAGES = Workflow(
    model=Signal,
    field="stage",
    rows=TRANSITIONS,
    event_model=SignalEvent,
    event_object="signal",
    event_from="from_stage",
    event_to="to_stage",
    noun=gettext_lazy("线索"),
    status_word=gettext_lazy("阶段"),
    action_labels=dict(Action.choices),
)


def is_handler(actor: User, signal: Signal) -> bool:
    """The office, a user of the assigned department, or a user of the signal's town."""
    return acts_for(actor, town_id=signal.town_id, unit_ids=[signal.assigned_unit_id])


def allowed_actions(actor: User, signal: Signal) -> list[str]:
    if signal.merged_into_id or not is_handler(actor, signal):
        return []
    return STAGES.actions(
        signal, may=lambda row: row.who == HANDLER and (is_system(actor) or actor.has_perm(row.perm))
    )


def _move(*, actor: User, signal: Signal, action: str, note: str, updates: dict | None = None) -> Signal:
    if signal.merged_into_id:
        raise DomainError(
            _("该线索已并入 #%(n)d，请在主线索上办理") % {"n": signal.merged_into_id}, code="merged"
        )
    step = STAGES.step(signal, action)
    require_perm(actor, step.perm)
    if step.who == HANDLER and not is_handler(actor, signal):
        raise PermissionDenied(_("只有联席办、条线部门或属地镇/街道可以办理该线索"))
    now = timezone.now()
    values = {"updated_at": now, **(updates or {})}
    with transaction.atomic(), acting(actor):
        # The guard "not merged" is part of the conditional update: a signal merged since the page
        # was read is not moved (the merge made it follow its primary).
        STAGES.move(
            signal,
            step,
            actor=actor,
            note=note,
            values=values,
            scope=Signal.objects.filter(merged_into__isnull=True),
            now=now,
        )
        if signal.enterprise_id:
            domain_events.publish(seam.SIGNALS_CHANGED, enterprise_ids=[signal.enterprise_id])
        # A merged source follows its primary (it is the same matter), from whatever stage it was at:
        # the same move (guarded update, audit diff, event row) along the primary's step.
        for source in Signal.objects.filter(merged_into=signal).exclude(stage=step.target):
            follow = Transition(source.stage, step.action, step.target, step.perm, who=step.who)
            try:
                STAGES.move(
                    source, follow, actor=actor, note=f"随主线索 #{signal.pk}：{note}", values=values, now=now
                )
            except DomainError as exc:
                if exc.code != "conflict":
                    raise
                # Moved by someone else since it was read: it stays where that left it.
    return signal


def signal_accept(*, actor: User, signal: Signal, note: str = "") -> Signal:
    """Start verification (the worker sees 核实中)."""
    return _move(actor=actor, signal=signal, action=Action.ACCEPT, note=note.strip())


def signal_verify(*, actor: User, signal: Signal, result: str, note: str) -> Signal:
    """Record what verification found: 属实 / 部分属实 / 不属实, with the facts found."""
    if result not in (Verification.SUBSTANTIATED, Verification.PARTLY, Verification.UNFOUNDED):
        raise DomainError(_("核实结论须为 属实、部分属实 或 不属实"), field="result")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写核实情况"), field="note")
    now = timezone.now()
    label = Verification(result).label
    return _move(
        actor=actor,
        signal=signal,
        action=Action.VERIFY,
        note=f"{label}：{note}",
        updates={"verification": result, "verified_by": actor, "verified_at": now, "verification_note": note},
    )


def signal_handle(*, actor: User, signal: Signal, note: str) -> Signal:
    """A verified matter moves into handling (mediation, an order to pay, a case)."""
    if not (note or "").strip():
        raise DomainError(_("请说明处理方式"), field="note")
    if signal.verification == Verification.UNFOUNDED:
        raise DomainError(_("核实结论为不属实的线索不能转入处理，请直接办结"), code="transition")
    return _move(actor=actor, signal=signal, action=Action.HANDLE, note=note.strip())


def open_cases(signal: Signal) -> list[seam.CaseRef]:
    """The still-open cases this signal (or a report merged into it) is linked to (through the seam:
    cases owns the link)."""
    ids = [signal.pk, *signal.merged_sources.values_list("pk", flat=True)]
    if signal.merged_into_id:
        ids.append(signal.merged_into_id)
    seen: dict[str, seam.CaseRef] = {}
    for refs in seam.signal_cases(ids).values():
        for ref in refs:
            if ref.is_open:
                seen.setdefault(ref.number, ref)
    return list(seen.values())


def signal_close(*, actor: User, signal: Signal, note: str, open_case_reason: str = "") -> Signal:
    """Close a verified matter. A worker's report needs a public reply first.

    A signal linked to a case still open is closed when the case closes; closing it before that
    takes a reason the worker reads on their status page (``open_case_reason``). Closing a worker's
    report records which unit closed it (``ReportClosure``, for the assessment) and sends the
    worker an SMS with the link to rate it."""
    if not (note or "").strip():
        raise DomainError(_("请填写办结情况"), field="note")
    if signal.tracking_code and not signal.public_reply:
        raise DomainError(_("群众网上反映的线索须先答复反映人，才能办结"), field="note")
    waiting = signal.merged_sources.filter(tracking_code__isnull=False, public_reply="").values_list(
        "pk", flat=True
    )
    if waiting:
        numbers = "、".join(f"#{pk}" for pk in waiting)
        raise DomainError(
            _("并入的群众网上反映 %(n)s 尚未答复反映人，请先逐条答复再办结") % {"n": numbers}, field="note"
        )
    reason = (open_case_reason or "").strip()
    cases = open_cases(signal)
    if cases and not reason:
        raise DomainError(
            _(
                "关联案件 %(cases)s 尚未结案，工人可能仍未拿到工资，线索应在案件结案后办结；"
                "确需现在办结的，请填写“案件未结即办结的说明”（反映人可以看到）"
            )
            % {"cases": "、".join(f"{c.number}（{c.stage_label}）" for c in cases)},
            field="open_case_reason",
            code="case_open",
        )
    if len(reason) > 1000:
        raise DomainError(_("说明不超过 1000 字"), field="open_case_reason")
    reason = reason if cases else ""
    text = note.strip() + (f"（案件 {cases[0].number} 未结即办结：{reason}）" if cases else "")
    with transaction.atomic():
        _move(
            actor=actor,
            signal=signal,
            action=Action.CLOSE,
            note=text,
            updates={
                "open_case_reason": reason,
                "followup_due_at": None,
                "followup_basis": "",
                "followup_escalated_at": None,
                # A report closed again after the worker's 不满意 is rated again.
                "satisfaction": "",
                "satisfaction_comment": "",
                "rated_at": None,
            },
        )
        # The worker reports merged into it closed with it now (not those closed before).
        followed = Signal.objects.filter(merged_into=signal, stage=Stage.CLOSED, updated_at=signal.updated_at)
        closed = [signal, *followed]
        for report in closed:
            if not report.tracking_code:
                continue
            ReportClosure.objects.create(
                signal=report,
                unit_id=actor.unit_id,
                closed_by=actor,
                closed_at=report.updated_at,
                case_open=bool(reason),
                case_open_reason=reason,
            )
            _sms_worker(
                report,
                "【安薪】您反映的欠薪问题已办结。如仍未拿到工资或对处理不满意，请在进度页评价，"
                "我们将重新处理：{link}",
            )
    return signal


def _sms_worker(signal: Signal, text: str) -> None:
    """An SMS to the worker who filed ``signal`` on the portal, with the link to their status page
    (``{link}`` in ``text``), after commit."""
    if not (signal.tracking_code and signal.reporter_phone):
        return
    phone, body = signal.reporter_phone, text.format(link=status_link(signal.tracking_code))
    transaction.on_commit(lambda: sms_send(phone=phone, text=body, topic="portal"), robust=True)


@transaction.atomic
def signal_reply(*, actor: User, signal: Signal, text: str) -> Signal:
    """The public reply a worker reads on their status page; an SMS tells them it is there."""
    require_perm(actor, "intake.reply_signal")
    if not is_handler(actor, signal):
        raise PermissionDenied(_("只有联席办、条线部门或属地镇/街道可以答复"))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写答复内容"), field="text")
    if len(text) > 2000:
        raise DomainError(_("答复不超过 2000 字"), field="text")
    now = timezone.now()
    with acting(actor):
        signal.public_reply, signal.replied_at = text, now
        signal.save(update_fields=["public_reply", "replied_at", "updated_at"])
        SignalEvent.objects.create(signal=signal, action=Action.REPLY, actor=actor, at=now, note=text)
    _sms_worker(signal, "【安薪】您反映的欠薪问题有了新的答复，请凭查询码和手机号查看：{link}")
    return signal


@transaction.atomic
def signal_note(*, actor: User, signal: Signal, text: str) -> SignalEvent:
    """An internal note (never shown to the worker); read-only roles cannot write one."""
    require_perm(actor, "intake.verify_signal")
    if not Signal.objects.for_user(actor).filter(pk=signal.pk).exists():
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写备注内容"), field="text")
    return SignalEvent.objects.create(signal=signal, action=Action.NOTE, actor=actor, note=text[:2000])
