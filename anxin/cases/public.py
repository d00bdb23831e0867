"""What a worker may read about the case opened on their report (through ``seam.SIGNAL_CASES``):
the stage in plain words, the measures taken (never internal notes), the handling unit and its
public phone — and, when the case closes, a notice to those who still have its reports open."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anxin.cases.models import ActionKind, ActionStatus, Case, LegalAction, Outcome, Stage
from anxin.core import seam
from anxin.intake.models import Signal
from anxin.intake.models import Stage as SignalStage
from anxin.intake.public import unit_public_phone
from anxin.notify.services import notify_units
from anxin.org.models import Unit

#: Each stage as the worker reads it (§四(三): 查明事实 → 控制现场 → 协调调解 → 仲裁/诉讼 → 执行).
STAGE_WORDS = {
    Stage.FACTS: _("已立案，正在调查核实欠薪事实"),
    Stage.CONTROL: _("已立案，正在控制现场、防止企业转移财产"),
    Stage.MEDIATION: _("正在调解"),
    Stage.LITIGATION: _("正在引导仲裁或诉讼（可申请法律援助）"),
    Stage.ENFORCEMENT: _("正在申请法院强制执行"),
    Stage.CLOSED: _("已结案"),
}

#: A measure taken, as the worker reads it; an order to pay that lapsed says so.
ACTION_WORDS = {
    ActionKind.ORDER: _("已责令企业限期支付"),
    ActionKind.COMPENSATION: _("已责令企业加付赔偿金"),
    ActionKind.PENALTY: _("已对企业作出行政处罚"),
    ActionKind.REFERRAL: _("已移送公安机关（涉嫌拒不支付劳动报酬罪）"),
    ActionKind.MEDIATION: _("已组织调解"),
    ActionKind.ARBITRATION: _("已提供仲裁法律援助"),
    ActionKind.COURT: _("已开通法院绿色通道"),
    ActionKind.DEPOSIT: _("已申请动用工资保证金"),
    ActionKind.FUND: _("已申请应急周转金"),
}
HIDDEN = (ActionStatus.CANCELLED, ActionStatus.REFUSED)


def _action_words(action: LegalAction) -> str:
    words = str(ACTION_WORDS.get(action.kind, action.get_kind_display()))
    if action.kind == ActionKind.ORDER and action.pay_by:
        words += f"（{action.pay_by:%Y年%-m月%-d日}前）"
    if action.status == ActionStatus.LAPSED:
        words += "，企业逾期未支付，正在依法追究"
    return words


def case_public_words(case: Case) -> str:
    if case.stage == Stage.CLOSED:
        return f"已结案（{Outcome(case.outcome).label}）" if case.outcome else str(STAGE_WORDS[Stage.CLOSED])
    return str(STAGE_WORDS[case.stage])


def signal_cases(signal_ids: list[int]) -> dict[int, list[seam.CaseRef]]:
    """``seam.SIGNAL_CASES``: the cases each signal is linked to, in the words a worker reads."""
    links = list(
        Case.signals.through.objects.filter(signal_id__in=signal_ids).values_list("signal_id", "case_id")
    )
    if not links:
        return {}
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in={case_id for _s, case_id in links}).select_related(
            "lead_unit", "lead_unit__town"
        )
    }
    steps: dict[int, list[str]] = defaultdict(list)
    for action in (
        LegalAction.objects.filter(case_id__in=cases)
        .exclude(status__in=HIDDEN)
        .order_by("requested_at", "pk")
    ):
        steps[action.case_id].append(_action_words(action))
    found: dict[int, list[seam.CaseRef]] = defaultdict(list)
    for signal_id, case_id in links:
        case = cases[case_id]
        found[signal_id].append(
            seam.CaseRef(
                number=case.number,
                stage_label=case.get_stage_display(),
                public_words=case_public_words(case),
                public_steps=tuple(steps[case_id]),
                unit_name=case.lead_unit.name,
                unit_phone=unit_public_phone(case.lead_unit),
                is_open=case.is_open,
                url=reverse("case-detail", args=[case.pk]),
            )
        )
    return dict(found)


def case_closed_tell_reports(case: Case, *, actor, outcome: str, amount_paid: int, now) -> None:
    """``seam.CASE_CLOSED``: the case's signals still open are now the handlers' to close with a
    reply — a notice to the town and the department each is routed to (they write the reply the
    worker reads; the case's outcome is not sent to the worker as if it were one)."""
    waiting = list(case.signals.exclude(stage=SignalStage.CLOSED).filter(merged_into__isnull=True))
    if not waiting:
        return
    town_units = dict(
        Unit.objects.filter(town_id__in={s.town_id for s in waiting if s.town_id}).values_list(
            "town_id", "pk"
        )
    )
    by_unit: dict[int, list[Signal]] = defaultdict(list)
    for signal in waiting:
        for unit_id in {signal.assigned_unit_id, town_units.get(signal.town_id)} - {None}:
            by_unit[unit_id].append(signal)
    for unit_id, signals in by_unit.items():
        first = signals[0]
        notify_units(
            unit_ids=[unit_id],
            subject=f"案件 {case.number} 已结案（{Outcome(outcome).label}），请答复反映人并办结关联线索",
            body="；".join(
                f"#{s.pk} {s.employer_display}" + ("（群众网上反映）" if s.tracking_code else "")
                for s in signals
            ),
            url=reverse("signal-detail", args=[first.pk]),
            topic="signal-case-closed",
        )
