"""Reads of the intake, already scoped to the user (DESIGN rule 3)."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from anxin.core.access import get_scoped_or_404, scope_of
from anxin.core.deadlines import start_of
from anxin.intake.models import OPEN_STAGES, DuplicateState, SelfReport, Signal, SignalEvent, Stage
from anxin.org.access import waiting_on
from anxin.org.models import Role
from anxin.registry.selectors import enterprise_matches

_RELATED = ("channel", "enterprise", "town", "assigned_unit")


def _mine(user) -> Q:
    """What waits on the user's unit: assigned to the department, or in the town's territory."""
    return waiting_on(user, unit_field="assigned_unit_id")


def signal_list(
    *,
    user,
    q: str = "",
    channel: str = "",
    kind: str = "",
    stage: str = "",
    verification: str = "",
    town: str = "",
    overdue: bool = False,
    mine: bool = False,
    followup: bool = False,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    responsible: str = "",
) -> QuerySet[Signal]:
    """The signal ledger, scoped and filtered; ``responsible``: a unit's code, the signals that unit
    must act on (assigned to it as 条线部门, or unassigned in the town it governs)."""
    signals = Signal.objects.for_user(user).select_related(*_RELATED)
    if responsible:
        signals = signals.filter(
            Q(assigned_unit__code=responsible) | Q(assigned_unit__isnull=True, town__unit__code=responsible)
        )
    if q:
        signals = signals.filter(
            enterprise_matches(q) | Q(employer_name__icontains=q) | Q(summary__icontains=q) | Q(reference=q)
        )
    if channel:
        signals = signals.filter(channel__code=channel)
    if kind:
        signals = signals.filter(kind=kind)
    if stage:
        signals = signals.filter(stage=stage)
    if verification:
        signals = signals.filter(verification=verification)
    if town:
        signals = signals.filter(town__code=town)
    if overdue:
        signals = signals.filter(stage__in=OPEN_STAGES, merged_into__isnull=True, due_at__lt=timezone.now())
    if mine:
        signals = signals.filter(_mine(user), stage__in=OPEN_STAGES, merged_into__isnull=True).order_by(
            "due_at", "pk"
        )
    if followup:  # the worker said 不满意 / 仍未拿到工资: reopened, due again
        signals = (
            signals.filter(followup_due_at__isnull=False)
            .exclude(stage=Stage.CLOSED)
            .order_by("followup_due_at", "pk")
        )
    if date_from:
        signals = signals.filter(received_at__gte=start_of(date_from))
    if date_to:
        signals = signals.filter(received_at__lt=start_of(date_to + datetime.timedelta(days=1)))
    return signals


def signal_get(*, user, pk: int) -> Signal:
    return get_scoped_or_404(
        Signal.objects.select_related(*_RELATED, "project", "merged_into", "duplicate_of"), user, pk=pk
    )


def triage_queue(*, user, queue: str) -> QuerySet[Signal]:
    """The office's queues: unmatched employers, suspected duplicates, overdue verifications."""
    signals = Signal.objects.for_user(user).select_related(
        *_RELATED, "duplicate_of__channel", "duplicate_of__enterprise", "duplicate_of__town"
    )
    if queue == "unmatched":
        return signals.filter(enterprise__isnull=True).exclude(stage="closed").order_by("received_at", "pk")
    if queue == "duplicates":
        return signals.filter(duplicate_state=DuplicateState.SUSPECTED).order_by("received_at", "pk")
    urges = SignalEvent.objects.filter(signal=OuterRef("pk"), action=SignalEvent.Action.URGE)
    return (
        signals.filter(stage__in=OPEN_STAGES, merged_into__isnull=True, due_at__lt=timezone.now())
        .annotate(
            urge_count=Coalesce(Subquery(urges.values("signal").annotate(n=Count("pk")).values("n")[:1]), 0),
            last_urged_at=Subquery(urges.order_by("-at").values("at")[:1]),
        )
        .order_by("due_at", "pk")
    )


def visible_originals(*, user, signals) -> set[int]:
    """The pks of the signals these suspected duplicates repeat that the user may see (one query):
    triage shows the two side by side only where both are in the user's scope."""
    ids = {s.duplicate_of_id for s in signals if s.duplicate_of_id}
    if not ids:
        return set()
    return set(Signal.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


def triage_counts(*, user) -> dict[str, int]:
    return {key: triage_queue(user=user, queue=key).count() for key in ("unmatched", "duplicates", "overdue")}


def enterprise_signals(*, user, enterprise) -> QuerySet[Signal]:
    return Signal.objects.for_user(user).filter(enterprise=enterprise).select_related(*_RELATED)


def _whose(user) -> str:
    """Whose counts the home page shows: the district's (office, leaders) or the user's unit's."""
    if scope_of(user).everything:
        return "district"
    return "town" if user.has_role(Role.TOWN) else "unit"


def signal_summary(*, user) -> dict:
    """Counts for the home page: what waits on me, overdue, received in the last 30 days by channel.

    ``whose`` says whose work the counts are: for the office and the leaders "waiting" is every
    unit's pending verification in the district (labelled 全区, never as their own work); for a
    town or a department, what is routed to it.
    """
    visible = Signal.objects.for_user(user)
    now = timezone.now()
    live = visible.filter(merged_into__isnull=True)
    # 近30天: today and the 29 days before, whole local days — what the list's 接收起 filter gives.
    # Compared with the local midnight (start_of) so the received_at index serves it; the same
    # rows as received_at__date >= since_day.
    since_day = timezone.localdate(now) - datetime.timedelta(days=29)
    by_channel = list(
        visible.filter(received_at__gte=start_of(since_day))
        .values("channel__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "channel__name")
    )
    # One pass over the live signals for every count on the card (it was five COUNT queries, each
    # reading the whole scope again — seconds at city scale, issue #20).
    pending = Q(stage__in=OPEN_STAGES)
    mine = pending & _mine(user)
    following = Q(followup_due_at__isnull=False) & ~Q(stage=Stage.CLOSED)
    # Every count is of signals not yet closed: the aggregate reads only those (an IN list of the
    # other stages, which the stage indexes serve), not the year's closed ones — most of them.
    counts = live.filter(stage__in=[s for s in Stage.values if s != Stage.CLOSED]).aggregate(
        mine=Count("pk", filter=mine),
        mine_overdue=Count("pk", filter=mine & Q(due_at__lt=now)),
        unclosed=Count("pk", filter=~Q(stage=Stage.CLOSED)),
        followups=Count("pk", filter=following),
        followups_overdue=Count("pk", filter=following & Q(followup_due_at__lt=now)),
    )
    return {
        "whose": _whose(user),
        "mine": counts["mine"],
        "mine_overdue": counts["mine_overdue"],
        "unclosed": counts["unclosed"],
        "last30": sum(row["n"] for row in by_channel),
        "since": since_day,
        "by_channel": [(row["channel__name"], row["n"]) for row in by_channel[:8]],
        "triage": triage_counts(user=user) if user.has_perm("intake.triage_signal") else None,
        "followups": counts["followups"],
        "followups_overdue": counts["followups_overdue"],
    }


def selfreport_list(*, user, q: str = "", timeliness: str = "") -> QuerySet[SelfReport]:
    reports = SelfReport.objects.for_user(user).select_related("enterprise", "enterprise__town", "signal")
    if q:
        reports = reports.filter(enterprise_matches(q))
    if timeliness == "late":
        reports = reports.filter(on_time=False)
    elif timeliness == "on_time":
        reports = reports.filter(on_time=True)
    return reports


def selfreport_get(*, user, pk: int) -> SelfReport:
    return get_scoped_or_404(
        SelfReport.objects.select_related("enterprise", "signal", "scan").prefetch_related("instalments"),
        user,
        pk=pk,
    )


def closures_by_unit(
    *, user, since: datetime.date | None = None, until: datetime.date | None = None
) -> list[dict]:
    """For the assessment (§五(三)): per unit, the worker's reports it closed and how many of those
    closings the worker rated 不满意 or said they were still unpaid — each closing counted once,
    a report reopened and closed again counting again. Scoped: a unit's own closings for a town."""
    from anxin.intake.models import ReportClosure, Satisfaction
    from anxin.org.models import Unit

    rows = ReportClosure.objects.for_user(user).filter(unit__isnull=False)
    if since:
        rows = rows.filter(closed_at__date__gte=since)
    if until:
        rows = rows.filter(closed_at__date__lte=until)
    counted = (
        rows.values("unit")
        .annotate(
            closed=Count("pk"),
            dissatisfied=Count("pk", filter=Q(rating=Satisfaction.DISSATISFIED) | Q(still_unpaid=True)),
            with_case_open=Count("pk", filter=Q(case_open=True)),
        )
        .order_by("unit")
    )
    units = Unit.objects.in_bulk([r["unit"] for r in counted])
    return [{**r, "unit": units[r["unit"]]} for r in counted]
