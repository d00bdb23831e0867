"""The watch list (重点监控, §四(二)) and each watched enterprise's risk prevention plan (§四(三)).

Orange and red enterprises are proposed by the scan; the office or the enterprise's town confirms
(or declines, with a reason); an owner unit follows up at a frequency set by the level
(``watch.followup_days_red/orange/yellow``); each follow-up records wages, debts, measures and the
next step (连续跟踪、滚动更新, §五(二)); overdue follow-ups are flagged by tick; an entry exits with
a reason when the risk has fallen.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, system_actor
from anxin.core.bulk import insert_rows, update_rows
from anxin.core.errors import DomainError
from anxin.core.policy import param_record
from anxin.core.transitions import Transition, Workflow
from anxin.monitoring.audit import guarded_update
from anxin.monitoring.models import (
    LEVEL_RANK,
    LIVE_WATCH,
    FollowUp,
    Level,
    RiskChange,
    WatchEntry,
    WatchEvent,
    WatchStatus,
)
from anxin.monitoring.periods import active_period
from anxin.notify.services import notify_units
from anxin.org.access import acts_for
from anxin.org.models import Duty, Role, Unit, UnitKind, User

Action = WatchEvent.Action
PROPOSE_LEVELS = (Level.ORANGE, Level.RED)

MANAGE_PERM = "monitoring.manage_watchentry"
# Who may make a step: "office_or_town" — the office or the enterprise's town (``_guard`` with
# ``confirm``). The guard "risk_fallen": the town may take an entry off the list only when the
# risk has fallen below the level it was confirmed at, the office always (``may_exit``).
OFFICE_OR_TOWN, RISK_FALLEN = "office_or_town", "risk_fallen"

# The scan proposes an entry (it opens at 待确认, with a WatchEvent "propose"); people move it here.
FLOW = Workflow(
    model=WatchEntry,
    field="status",
    event_model=WatchEvent,
    event_object="entry",
    event_from="from_status",
    event_to="to_status",
    noun=gettext_lazy("条目"),
    action_labels=dict(Action.choices),
    rows=[
        Transition(WatchStatus.PROPOSED, Action.CONFIRM, WatchStatus.ACTIVE, MANAGE_PERM, OFFICE_OR_TOWN),
        Transition(WatchStatus.PROPOSED, Action.DECLINE, WatchStatus.DECLINED, MANAGE_PERM, OFFICE_OR_TOWN, reason_required=True),
        Transition(
            WatchStatus.ACTIVE, Action.EXIT, WatchStatus.EXITED, MANAGE_PERM, OFFICE_OR_TOWN, RISK_FALLEN,
            reason_required=True,
        ),
    ],
)  # fmt: skip


def frequency(level: str, on: datetime.date) -> tuple[int, str]:
    code = f"watch.followup_days_{level if level in ('red', 'orange') else 'yellow'}"
    record = param_record(code, on=on)
    days = int(record.typed_value)
    basis = f"{record.citation}：{days} 日（参数 {code}={days}）"
    period = active_period(on)
    if period is not None:
        percent = int(param_record("watch.sensitive_percent", on=on).typed_value)
        tightened = max(1, -(-days * percent // 100))
        basis += f"；敏感时期“{period.name}”按 {percent}% 缩短为 {tightened} 日（参数 watch.sensitive_percent={percent}）"
        days = tightened
    return days, basis


def watch_sync(*, levels: dict[int, tuple[str, str]], routes: dict[int, tuple], now, actor: User) -> int:
    """Called by the scan: propose orange/red enterprises not yet on the list; keep live entries'
    levels current (a tighter frequency applies from the next follow-up). ``levels``: id → (level,
    reason); ``routes``: id → (town_id, unit_id)."""
    if not levels:
        return 0
    # The chunk's enterprises by id range (as the scan reads them), not a 5,000-item IN list —
    # unless they are a few scattered over the district (a day's first scan): then by id.
    low, high = min(levels), max(levels)
    span: dict = (
        {"enterprise_id__gte": low, "enterprise_id__lte": high}
        if len(levels) * 4 >= high - low + 1
        else {"enterprise_id__in": sorted(levels)}
    )
    # The enterprises' entries in one read, as rows (thousands of instances per chunk were most of
    # this function):
    # - the live ones as (id, level): only an entry whose level changes is updated;
    # - the level of the last declined or exited one: proposed again only when the level rises
    #   above it.
    live: dict[int, tuple[int, str]] = {}
    closed_level: dict[int, str] = {}
    for pk, enterprise_id, level, status in (
        WatchEntry.objects.filter(**span)
        .order_by("enterprise_id", "closed_at")
        .values_list("pk", "enterprise_id", "level", "status")
    ):
        if enterprise_id not in levels:
            continue
        if status in LIVE_WATCH:
            live[enterprise_id] = (pk, level)
        elif status in (WatchStatus.DECLINED, WatchStatus.EXITED):
            closed_level[enterprise_id] = level
    rank = {Level.NONE: 0, Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}
    names = dict(Level.choices)
    proposals, events = [], []  # proposals: the columns below, no model instance each
    changed: list[tuple[int, str]] = []  # (live entry, its new level)
    for enterprise_id, (level, reason) in levels.items():
        entry = live.get(enterprise_id)
        if entry is None:
            if enterprise_id in closed_level and rank[level] <= rank[closed_level[enterprise_id]]:
                continue
            if level in PROPOSE_LEVELS:
                town_id, unit_id = routes.get(enterprise_id, (None, None))
                proposals.append((enterprise_id, level, WatchStatus.PROPOSED, now, reason, town_id, unit_id))
        elif entry[1] != level:
            pk, was = entry
            events.append((pk, Action.LEVEL, "", "", actor.pk, now, f"{names[was]} → {names[level]}"))
            changed.append((pk, level))
    columns = ("enterprise_id", "level", "status", "proposed_at", "proposal", "town_id", "unit_id")
    ids = insert_rows(WatchEntry, columns, proposals, returning=True)
    update_rows(WatchEntry, ["level"], changed)  # together, not bulk_update's CASE per entry
    rows = events + [
        (pk, Action.PROPOSE, "", WatchStatus.PROPOSED, actor.pk, now, p[4])
        for p, pk in zip(proposals, ids, strict=True)
    ]
    insert_rows(
        WatchEvent, ("entry_id", "action", "from_status", "to_status", "actor_id", "at", "note"), rows
    )
    return len(proposals)


def can_manage(actor: User, entry: WatchEntry) -> bool:
    return acts_for(actor, town_id=entry.town_id, unit_ids=[entry.owner_unit_id, entry.unit_id])


def _guard(actor: User, entry: WatchEntry, *, confirm: bool = False) -> None:
    require_perm(actor, MANAGE_PERM)
    if confirm:
        town = actor.has_role(Role.TOWN) and entry.town_id in actor.scope.town_ids
        if not (is_system(actor) or actor.has_role(Role.OFFICE) or town):
            raise PermissionDenied(_("只有联席办或属地镇/街道可以确认、退出重点监控"))
    elif not can_manage(actor, entry):
        raise PermissionDenied(_("只有联席办、属地镇/街道或负责单位可以办理"))


def _step(entry: WatchEntry, action: str, refused: str) -> Transition:
    """The table's row for ``action`` from the entry's status, else ``refused``."""
    step = FLOW.find(entry.status, action)
    if step is None:
        raise DomainError(refused, code="transition")
    return step


def _update_while(entry: WatchEntry, status: str, **values) -> None:
    """Fields of an entry still at ``status`` that change no status (a follow-up's dates): the
    guarded update and its audit diff. A change of status goes through ``FLOW.move``."""
    if guarded_update(WatchEntry.objects.filter(status=status), entry.pk, **values) != 1:
        raise DomainError(_("该条目已被他人处理，请刷新后查看"), code="conflict")


def owner_choices(entry: WatchEntry) -> list[Unit]:
    """Who may own the follow-ups: the town government of the enterprise's town (the default,
    §二 属地管理), or a member unit one of whose duties covers the enterprise — all enterprises, or
    one of its kinds (§三) — and the line department the alerts go to."""
    kinds = set(entry.enterprise.kinds.values_list("code", flat=True))
    covering = {entry.unit_id} if entry.unit_id else set()
    for unit_id, everything, line_kinds in Duty.objects.values_list(
        "unit_id", "line_all_enterprises", "line_enterprise_kinds"
    ):
        if everything or kinds & set(line_kinds or []):
            covering.add(unit_id)
    town = list(Unit.objects.filter(kind=UnitKind.TOWN_GOVERNMENT, town_id=entry.town_id))
    others = Unit.objects.filter(pk__in=covering).exclude(kind=UnitKind.TOWN_GOVERNMENT)
    return town + list(others.order_by("order", "code"))


def entry_level(entry: WatchEntry) -> str:
    """The level the enterprise had when the entry was confirmed (its last level change up to
    then, from the append-only history), or the entry's level when there is none."""
    if entry.confirmed_at is None:
        return entry.level
    change = (
        RiskChange.objects.filter(enterprise_id=entry.enterprise_id, at__lte=entry.confirmed_at)
        .order_by("-at", "-pk")
        .values_list("to_level", flat=True)
        .first()
    )
    return change or entry.level


def risk_fallen(entry: WatchEntry) -> bool:
    """The current level (kept by the scan) is below the level the entry was confirmed at."""
    return LEVEL_RANK[entry.level] < LEVEL_RANK[entry_level(entry)]


def may_exit(actor: User, entry: WatchEntry) -> bool:
    """The office always (its decision); the town when the risk has fallen."""
    if entry.status != WatchStatus.ACTIVE:
        return False
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    return bool(actor.has_role(Role.TOWN) and entry.town_id in actor.scope.town_ids and risk_fallen(entry))


@transaction.atomic
def watch_confirm(*, actor: User, entry: WatchEntry, owner_unit: Unit | None = None) -> WatchEntry:
    _guard(actor, entry, confirm=True)
    step = _step(entry, Action.CONFIRM, _("只有待确认的条目可以确认"))
    choices = owner_choices(entry)
    if owner_unit is not None and owner_unit.pk not in {u.pk for u in choices}:
        raise DomainError(
            _("负责单位须为属地镇（街道）政府，或职责覆盖该企业的成员单位（§三）"), field="owner_unit"
        )
    now = timezone.now()
    owner = owner_unit or (choices[0] if choices else None) or (actor.unit if actor.unit_id else None)
    days, basis = frequency(entry.level, timezone.localdate(now))
    with acting(actor):
        FLOW.move(
            entry,
            step,
            actor=actor,
            note=f"负责单位：{owner}；{basis}",
            values={
                "confirmed_at": now,
                "confirmed_by": actor,
                "owner_unit": owner,
                "followup_days": days,
                "followup_basis": basis,
                "next_followup_due": now + datetime.timedelta(days=days),
            },
            now=now,
        )
        if owner:
            notify_units(
                unit_ids=[owner.pk],
                subject=f"纳入重点监控：{entry.enterprise.name}，每 {days} 日回访",
                url=reverse("watch-detail", args=[entry.pk]),
                topic="watch",
                about=entry.enterprise.name,
            )
    entry.refresh_from_db()
    return entry


@transaction.atomic
def watch_decline(*, actor: User, entry: WatchEntry, reason: str) -> WatchEntry:
    _guard(actor, entry, confirm=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("不纳入须说明理由"), field="reason")
    step = _step(entry, Action.DECLINE, _("只有待确认的条目可以不纳入"))
    now = timezone.now()
    with acting(actor):
        FLOW.move(
            entry, step, actor=actor, note=reason, values={"closed_at": now, "closed_reason": reason}, now=now
        )
    entry.refresh_from_db()
    return entry


@transaction.atomic
def followup_record(
    *,
    actor: User,
    entry: WatchEntry,
    visited_on: datetime.date,
    wage_status: str,
    debts: str = "",
    measures: str = "",
    next_step: str = "",
) -> FollowUp:
    _guard(actor, entry)
    if entry.status != WatchStatus.ACTIVE:
        raise DomainError(_("只有重点监控中的企业可以记录回访"), code="transition")
    wage_status = (wage_status or "").strip()
    if not wage_status:
        raise DomainError(_("请填写工资支付情况"), field="wage_status")
    today = timezone.localdate()
    if visited_on > today:
        raise DomainError(_("回访日期不能晚于今天"), field="visited_on")
    now = timezone.now()
    days, basis = frequency(entry.level, today)
    with acting(actor):
        followup = FollowUp.objects.create(
            entry=entry,
            visited_on=visited_on,
            wage_status=wage_status[:2000],
            debts=(debts or "").strip()[:2000],
            measures=(measures or "").strip()[:2000],
            next_step=(next_step or "").strip()[:2000],
            level=entry.level,
            recorded_by=actor,
        )
        due = timezone.make_aware(
            datetime.datetime.combine(visited_on + datetime.timedelta(days=days), datetime.time(23, 59, 59))
        )
        _update_while(
            entry,
            WatchStatus.ACTIVE,
            last_followup_at=now,
            next_followup_due=due,
            followup_days=days,
            followup_basis=basis,
        )
        FLOW.record(
            entry, Action.FOLLOWUP, actor=actor, at=now, note=f"{visited_on:%Y-%m-%d}：{wage_status[:200]}"
        )
    entry.refresh_from_db()
    return followup


@transaction.atomic
def plan_save(*, actor: User, entry: WatchEntry, subject: str, team: str, measures: str) -> WatchEntry:
    """The risk prevention plan (§四(三)): responsible subject, team, measures — all three."""
    _guard(actor, entry)
    if entry.status not in LIVE_WATCH:
        raise DomainError(_("已退出的条目不能修改预案"), code="transition")
    subject, team, measures = (subject or "").strip(), (team or "").strip(), (measures or "").strip()
    missing = [
        (field, label)
        for field, label, value in (
            ("subject", _("责任主体"), subject),
            ("team", _("工作班子"), team),
            ("measures", _("工作措施"), measures),
        )
        if not value
    ]
    if missing:
        raise DomainError(
            _("风险防范预案须明确责任主体、工作班子和工作措施（§四(三)），请填写：%(m)s")
            % {"m": "、".join(str(label) for _f, label in missing)},
            field=missing[0][0],
        )
    now = timezone.now()
    with acting(actor):
        touched = guarded_update(
            WatchEntry.objects.filter(status__in=LIVE_WATCH),
            entry.pk,
            plan_subject=subject[:200],
            plan_team=team[:2000],
            plan_measures=measures[:4000],
            plan_updated_at=now,
        )
        if touched != 1:
            raise DomainError(_("该条目已退出，不能修改预案"), code="conflict")
        FLOW.record(entry, Action.PLAN, actor=actor, at=now, note=f"责任主体：{subject}")
    entry.refresh_from_db()
    return entry


@transaction.atomic
def watch_exit(*, actor: User, entry: WatchEntry, reason: str) -> WatchEntry:
    """Leave the list, with a reason: when the risk has fallen below the level the entry was
    confirmed at (the office or the town), otherwise only by the office's decision."""
    _guard(actor, entry, confirm=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("退出重点监控须说明理由"), field="reason")
    office = is_system(actor) or actor.has_role(Role.OFFICE)
    now = timezone.now()
    with acting(actor):
        # Re-read under a lock: the scan may have just raised the level.
        current = WatchEntry.objects.select_for_update().get(pk=entry.pk)
        step = _step(current, Action.EXIT, _("只有重点监控中的企业可以退出"))
        confirmed_at = entry_level(current)
        fallen = LEVEL_RANK[current.level] < LEVEL_RANK[confirmed_at]
        names = dict(Level.choices)
        if not fallen and not office:
            raise DomainError(
                _("风险尚未下降（当前%(now)s，纳入时%(then)s），只有联席办可以决定退出")
                % {"now": names[current.level], "then": names[confirmed_at]},
                field="reason",
            )
        basis = (
            f"风险已下降（纳入时{names[confirmed_at]}，当前{names[current.level]}）"
            if fallen
            else f"联席办决定退出（风险未下降：纳入时{names[confirmed_at]}，当前{names[current.level]}）"
        )
        FLOW.move(
            current,
            step,
            actor=actor,
            note=f"{basis}：{reason}",
            values={"closed_at": now, "closed_reason": f"{basis}：{reason}", "next_followup_due": None},
            now=now,
        )
    entry.refresh_from_db()
    return entry


def _due(entry: WatchEntry, days: int, last_visit: datetime.date | None) -> datetime.datetime:
    """The next follow-up date as confirm and followup_record set it: the end of the day
    ``days`` after the last visit, or ``days`` after the confirmation when there was none."""
    if last_visit is not None:
        return timezone.make_aware(
            datetime.datetime.combine(last_visit + datetime.timedelta(days=days), datetime.time(23, 59, 59))
        )
    return entry.confirmed_at + datetime.timedelta(days=days)


def _period_tag(basis: str) -> str:
    """The sensitive period a frequency basis was tightened for ("" when none)."""
    marker = "敏感时期“"
    if marker not in basis:
        return ""
    return basis.split(marker, 1)[1].split("”", 1)[0]


def followups_reschedule(*, now: datetime.datetime | None = None, actor: User | None = None) -> int:
    """Sensitive periods (§三(一)) act on the watch list at once, not only from the next follow-up:
    when a period begins (declared for today, or reached by tick) every active entry's frequency
    tightens by ``watch.sensitive_percent`` and its next follow-up comes forward (never into the
    past: at the latest the end of today, and never later than it was); when the period ends the
    usual frequency applies again from the last visit. Idempotent; returns the entries moved."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = actor or system_actor()
    period = active_period(today)
    wanted = period.name if period is not None else ""
    end_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59, 59)))
    entries = [
        e
        for e in WatchEntry.objects.filter(status=WatchStatus.ACTIVE).select_related("enterprise")
        if _period_tag(e.followup_basis) != wanted
    ]
    if not entries:
        return 0
    last_visits = dict(
        FollowUp.objects.filter(entry__in=entries)
        .order_by("entry_id", "visited_on", "pk")
        .values_list("entry_id", "visited_on")
    )
    moved: dict[int, list[str]] = {}
    count = 0
    with transaction.atomic(), acting(actor):
        for entry in entries:
            days, basis = frequency(entry.level, today)
            due = _due(entry, days, last_visits.get(entry.pk))
            if days < entry.followup_days and entry.next_followup_due is not None:
                due = min(entry.next_followup_due, max(due, end_of_today))
            touched = guarded_update(
                WatchEntry.objects.filter(status=WatchStatus.ACTIVE, followup_basis=entry.followup_basis),
                entry.pk,
                followup_days=days,
                followup_basis=basis,
                next_followup_due=due,
            )
            count += touched
            if touched != 1:
                continue
            verb = f"敏感时期“{wanted}”回访加密" if wanted else "敏感时期结束，回访周期恢复"
            FLOW.record(
                entry,
                Action.RESCHEDULE,
                actor=actor,
                at=now,
                note=f"{verb}：每 {days} 日，下次 {timezone.localtime(due):%Y-%m-%d}（{basis}）",
            )
            if entry.owner_unit_id:
                moved.setdefault(entry.owner_unit_id, []).append(
                    f"{entry.enterprise.name}：每 {days} 日，下次 {timezone.localtime(due):%m月%d日}（{verb}）"
                )
        for unit_id, lines in moved.items():
            notify_units(
                unit_ids=[unit_id],
                subject=(
                    f"敏感时期“{wanted}”：{len(lines)} 家重点监控企业回访周期缩短"
                    if wanted
                    else f"敏感时期结束：{len(lines)} 家重点监控企业回访周期恢复"
                ),
                body="；".join(lines[:20]),
                url=reverse("watch-list"),
                topic="watch",
            )
    return count


def followups_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Active entries past their follow-up date: flag each due date once, tell owner and office."""
    now = now or timezone.now()
    actor = system_actor()
    marked = []
    with transaction.atomic(), acting(actor):
        for entry in WatchEntry.objects.filter(
            status=WatchStatus.ACTIVE, next_followup_due__lt=now
        ).select_related("enterprise"):
            if entry.overdue_marked_for == entry.next_followup_due:
                continue
            touched = WatchEntry.objects.filter(
                pk=entry.pk, status=WatchStatus.ACTIVE, next_followup_due=entry.next_followup_due
            ).update(overdue_marked_for=entry.next_followup_due)
            if touched == 1:
                marked.append(entry)
                FLOW.record(
                    entry,
                    Action.OVERDUE,
                    actor=actor,
                    at=now,
                    note=f"应于 {timezone.localtime(entry.next_followup_due):%Y-%m-%d} 前回访",
                )
        for entry in marked:
            notify_units(
                unit_ids=[entry.owner_unit_id],
                subject=f"重点监控回访逾期：{entry.enterprise.name}",
                url=reverse("watch-detail", args=[entry.pk]),
                topic="watch-overdue",
                about=entry.enterprise.name,
            )
        if marked:
            notify_units(
                unit_ids=Unit.objects.filter(kind="office").values_list("pk", flat=True),
                subject=f"重点监控回访逾期 {len(marked)} 家",
                body="、".join(e.enterprise.name for e in marked[:10]),
                url=reverse("watch-list") + "?overdue=1",
                topic="watch-overdue",
            )
    return len(marked)
