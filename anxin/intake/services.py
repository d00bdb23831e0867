"""Writes of the intake: recording signals from every channel, routing, verification, dedup,
triage, the worker portal's answers, and enterprise self-reports (§三(一), §四(一)).

Every function here is a service (DESIGN rule 2): keyword-only, takes ``actor``, one transaction,
an append-only ``SignalEvent`` for every change, notifications only after commit.
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import events as domain_events
from anxin.core.access import is_system, require_perm, scope_of
from anxin.core.audit import acting, system_actor
from anxin.core.calendar import add_working_days
from anxin.core.crypto import blind_index
from anxin.core.deadlines import due_after
from anxin.core.errors import CalendarMissing, DomainError, ScopeViolation
from anxin.core.files import atomic_with_files, file_store
from anxin.core.money import format_yuan
from anxin.core.policy import param, param_record
from anxin.core.uploads import DOCUMENTS, sniff
from anxin.core.validators import normalize_phone, validate_id_number, validate_phone, validate_uscc
from anxin.intake.models import (
    Channel,
    DuplicateState,
    PortalAttempt,
    PortalBucket,
    RepaymentInstalment,
    Satisfaction,
    SelfReport,
    Signal,
    SignalAttachment,
    SignalEvent,
    SignalKind,
    Stage,
    Verification,
)
from anxin.notify.services import notify_units, sms_send
from anxin.org.access import acts_for
from anxin.org.models import Role, Town, Unit
from anxin.org.routing import Router
from anxin.registry.models import Enterprise
from anxin.registry.selectors import enterprise_kind_codes
from anxin.registry.services import enterprise_create

Action = SignalEvent.Action
CLOCK_SKEW = datetime.timedelta(minutes=5)
PORTAL_PHOTOS = ("image/jpeg", "image/png")
MAX_AMOUNT_FEN = 10**13  # 一千亿元: beyond any plausible wage claim; guards typos
FACT_FIELDS = (
    "kind",
    "occurred_at",
    "received_at",
    "workers",
    "amount",
    "months_owed",
    "period",
    "summary",
    "employer_name",
    "employer_uscc",
    "project_name",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
)


def _nolog(_message: str) -> None:
    return None


# --- reference data -------------------------------------------------------------------------


@transaction.atomic
def district_load_channels(*, data: dict, actor, log=_nolog) -> None:
    """Channels from the district file (idempotent; a channel's code is its identity)."""
    units = {u.code: u for u in Unit.objects.all()}
    count = 0
    with acting(actor):
        for order, item in enumerate(data.get("channels") or [], start=1):
            if item["unit"] not in units:
                raise DomainError(f"渠道 {item['code']} 的归口单位 {item['unit']} 不存在")
            values = {
                "name": str(item["name"]),
                "unit": units[item["unit"]],
                "citation": item.get("citation", ""),
                "towns_feed": bool(item.get("towns_feed", False)),
                "is_public": bool(item.get("public", False)),
                "is_self_report": bool(item.get("self_report", False)),
                "order": order,
            }
            channel = Channel.objects.filter(code=item["code"]).first()
            if channel is None:
                Channel.objects.create(code=item["code"], **values)
            elif any(getattr(channel, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(channel, key, value)
                channel.save()
            count += 1
    log(f"信息渠道：{count} 个")


def channels_for(actor) -> list[Channel]:
    """The channels an officer may record signals on (portal and self-report have their own doors)."""
    channels = Channel.objects.filter(is_public=False, is_self_report=False).select_related("unit")
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return list(channels)
    if not actor.has_perm("intake.add_signal"):
        return []
    return [c for c in channels if c.unit_id == actor.unit_id or (c.towns_feed and actor.has_role(Role.TOWN))]


def _check_channel(
    actor, channel: Channel, *, door: str = "officer", allowed: list[Channel] | None = None
) -> None:
    if door == "officer" and (channel.is_public or channel.is_self_report):
        raise DomainError(
            _("“%(c)s”渠道的线索只能通过%(d)s登记")
            % {"c": channel.name, "d": _("网上反映页面") if channel.is_public else _("企业欠薪报告")},
            field="channel",
        )
    if door == "officer" and channel not in (allowed if allowed is not None else channels_for(actor)):
        raise DomainError(
            _("您所在单位不能在“%(c)s”渠道登记线索（归口单位：%(u)s）")
            % {"c": channel.name, "u": channel.unit.name},
            field="channel",
        )


# --- deadlines --------------------------------------------------------------------------------


def verification_due(received_at: datetime.datetime) -> tuple[datetime.datetime, str]:
    """The end of the last working day allowed for verification, and the words saying why."""
    return due_after("signal.verify_working_days", received_at, since=True)


class _DueCache:
    def __init__(self):
        self.cache: dict[datetime.date, tuple[datetime.datetime, str]] = {}

    def __call__(self, received_at):
        day = timezone.localtime(received_at).date()
        if day not in self.cache:
            self.cache[day] = verification_due(received_at)
        return self.cache[day]


# --- validation -------------------------------------------------------------------------------


def clean_facts(facts: dict, *, now=None, allow_report_kind: bool = False) -> dict[str, str]:
    """Normalise ``facts`` in place; return {field: Chinese message} for every problem."""
    now = now or timezone.now()
    problems: dict[str, str] = {}
    kind = facts.get("kind")
    if kind not in SignalKind.values or (kind == SignalKind.ARREARS_REPORT and not allow_report_kind):
        problems["kind"] = _("未知的线索类型“%(v)s”") % {"v": kind or ""}
    received = facts.get("received_at")
    if not isinstance(received, datetime.datetime):
        problems["received_at"] = _("请填写接收时间")
    elif received > now + CLOCK_SKEW:
        problems["received_at"] = _("接收时间不能晚于当前时间")
    occurred = facts.get("occurred_at")
    if occurred is not None:
        if occurred > now + CLOCK_SKEW:
            problems["occurred_at"] = _("发生时间不能晚于当前时间")
        elif isinstance(received, datetime.datetime) and occurred > received + CLOCK_SKEW:
            problems["occurred_at"] = _("发生时间不能晚于接收时间")
    # Optional facts are checked and normalised only when given: a re-send that leaves one out
    # leaves the stored value as it is.
    for key, top, label in (("workers", 100000, _("涉及人数")), ("months_owed", 240, _("拖欠月数"))):
        if key not in facts:
            continue
        value = facts[key] or 0
        if not isinstance(value, int) or value < 0 or value > top:
            problems[key] = _("%(l)s须为 0 至 %(t)d 之间的整数") % {"l": label, "t": top}
        facts[key] = value
    if "amount" in facts:
        amount = facts["amount"] or 0
        if not isinstance(amount, int) or amount < 0:
            problems["amount"] = _("金额不能为负数")
        elif amount > MAX_AMOUNT_FEN:
            problems["amount"] = _("金额超出合理范围，请核对")
        facts["amount"] = amount
    summary = (facts.get("summary") or "").strip()
    if not summary:
        problems["summary"] = _("请填写情况摘要")
    elif len(summary) > 4000:
        problems["summary"] = _("情况摘要不超过 4000 字")
    facts["summary"] = summary
    for key, size in (("employer_name", 100), ("project_name", 150), ("reporter_name", 50), ("period", 60)):
        if key not in facts:
            continue
        facts[key] = (facts[key] or "").strip()
        if len(facts[key]) > size:
            problems[key] = _("不超过 %(n)d 字") % {"n": size}
    for key, check in (
        ("employer_uscc", validate_uscc),
        ("reporter_phone", validate_phone),
        ("reporter_id_number", validate_id_number),
    ):
        if key not in facts:
            continue
        value = (facts[key] or "").strip()
        if value:
            try:
                value = check(value)
            except ValidationError as exc:
                problems[key] = "；".join(exc.messages)
        facts[key] = value
    if not facts.get("enterprise") and not facts.get("employer_name") and not facts.get("employer_uscc"):
        problems["employer_name"] = _("请填写企业名称或统一社会信用代码")
    return problems


def files_problem(
    files: list[tuple[str, bytes]], *, allowed=DOCUMENTS, field: str = "attachments", most: int | None = None
) -> str | None:
    """The first problem with uploaded ``files`` (count, type by content, size), or None."""
    if most is not None and len(files) > most:
        return _("照片最多 %(n)d 张") % {"n": most}
    for name, content in files:
        try:
            sniff(content, allowed=allowed, field=field, name=name)
        except DomainError as exc:
            return exc.message
    return None


def portal_problems(*, facts: dict, photos: list[tuple[str, bytes]]) -> dict[str, str]:
    """Every problem in a worker's report, by field, without writing: the portal shows them all
    on one submit (``portal_submit`` checks the same again)."""
    problems = clean_facts({**facts, "kind": SignalKind.WAGE_COMPLAINT, "received_at": timezone.now()})
    if not (facts.get("reporter_phone") or "").strip():
        problems.setdefault("reporter_phone", _("请填写手机号，用于查询办理进度"))
    photo_problem = files_problem(
        photos, allowed=PORTAL_PHOTOS, field="photos", most=int(param("portal.max_photos"))
    )
    if photo_problem:
        problems["photos"] = photo_problem
    return problems


# --- recording --------------------------------------------------------------------------------


@dataclass
class Incoming:
    """One signal as a channel sends it (already parsed; ``reference`` may be blank)."""

    channel: Channel
    facts: dict
    reference: str = ""
    town: Town | None = None  # where the work was, when the employer is not registered
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Recorded:
    signal: Signal
    outcome: str  # "created" | "updated" | "unchanged"


class _Matcher:
    """Registered enterprises by code and by exact name, read once per batch."""

    def __init__(self, items: list[Incoming]):
        codes = {i.facts.get("employer_uscc") for i in items if i.facts.get("employer_uscc")}
        names = {i.facts.get("employer_name") for i in items if i.facts.get("employer_name")}
        self.by_code = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
        self.by_name: dict[str, list[Enterprise]] = defaultdict(list)
        for enterprise in Enterprise.objects.filter(name__in=names):
            self.by_name[enterprise.name].append(enterprise)

    def match(self, facts: dict) -> Enterprise | None:
        if facts.get("enterprise"):
            return facts["enterprise"]
        if facts.get("employer_uscc"):
            return self.by_code.get(facts["employer_uscc"])
        found = self.by_name.get(facts.get("employer_name") or "", [])
        return found[0] if len(found) == 1 else None


def _facts_differ(signal: Signal, facts: dict) -> list[str]:
    changed = []
    for key in FACT_FIELDS:
        if key in facts and getattr(signal, key) != facts[key]:
            changed.append(str(Signal._meta.get_field(key).verbose_name))
    return changed


def signals_record(
    *, actor, items: list[Incoming], door: str = "officer", ip: str | None = None
) -> list[Recorded]:
    """Record a batch of signals (one, from a form or the API; thousands, from an import).

    All or nothing: a refused item raises and nothing is written. A (channel, reference) already
    on file is updated in place — a re-send never duplicates. New signals are routed, given their
    verification deadline, checked for duplicates, and announced to their town and department.
    """
    require_perm(actor, "intake.add_signal")
    now = timezone.now()
    scope = scope_of(actor)
    problems_by_item: list[tuple[int, dict[str, str]]] = []
    allowed = channels_for(actor) if door == "officer" else None
    for index, item in enumerate(items):
        _check_channel(actor, item.channel, door=door, allowed=allowed)
        problems = clean_facts(item.facts, now=now, allow_report_kind=item.channel.is_self_report)
        if problems:
            problems_by_item.append((index, problems))
    if problems_by_item:
        index, problems = problems_by_item[0]
        raise ValidationError({k: [v] for k, v in problems.items()}, code=str(index))
    matcher = _Matcher(items)
    router = Router(kinds_of=enterprise_kind_codes)
    due_for = _DueCache()
    references = defaultdict(set)
    for item in items:
        if item.reference:
            references[item.channel.pk].add(item.reference)
    results: list[Recorded] = []
    new_signals: list[Signal] = []
    events: list[SignalEvent] = []
    seen_refs: set[tuple[int, str]] = set()
    with atomic_with_files(), acting(actor):
        # Signals already on file under these references, locked until the batch commits: a
        # verification or merge in between is neither lost nor overwritten.
        existing: dict[tuple[int, str], Signal] = {}
        visible: set[int] = set()
        for channel_id, refs in references.items():
            on_file = list(
                Signal.objects.select_for_update().filter(channel_id=channel_id, reference__in=refs)
            )
            for signal in on_file:
                existing[(channel_id, signal.reference)] = signal
            visible.update(
                Signal.objects.for_user(actor)
                .filter(pk__in=[s.pk for s in on_file])
                .values_list("pk", flat=True)
            )
        enterprises = [matcher.match(i.facts) for i in items]
        router.prime([e.pk for e in enterprises if e is not None])
        for item, enterprise in zip(items, enterprises, strict=True):
            key = (item.channel.pk, item.reference)
            if item.reference and key in seen_refs:
                raise ValidationError(
                    {"reference": [_("同一批次中渠道编号“%(r)s”重复") % {"r": item.reference}]}
                )
            seen_refs.add(key)
            facts = {k: v for k, v in item.facts.items() if k not in ("enterprise", "project")}
            project = item.facts.get("project")
            if not is_system(actor) and scope.town_ids and not scope.everything:
                towns = {item.town.pk if item.town else None}
                if enterprise is not None:
                    towns = {enterprise.town_id}
                if project is not None:
                    towns.add(project.town_id)  # a site in the town, whoever the contractor is
                if not towns & scope.town_ids:
                    raise ScopeViolation(
                        _("该企业不在本镇/街道辖区，请由属地或联席办登记"), field="employer_name"
                    )
            current = existing.get(key) if item.reference else None
            if current is not None:
                if current.pk not in visible:
                    # Someone else's signal under the same number: say no more than that.
                    raise DomainError(
                        _("渠道编号“%(r)s”已被使用，请核对编号") % {"r": item.reference}, field="reference"
                    )
                changed = _facts_differ(current, facts)
                if not changed:
                    results.append(Recorded(current, "unchanged"))
                    continue
                events.append(_resend(current, facts, changed, actor=actor, now=now, due_for=due_for))
                results.append(Recorded(current, "updated"))
                continue
            route = router.route(enterprise=enterprise, project=project, town=item.town, kind=facts["kind"])
            due_at, basis = due_for(facts["received_at"])
            signal = Signal(
                channel=item.channel,
                reference=item.reference,
                enterprise=enterprise,
                project=project,
                town_id=route.town_id,
                assigned_unit_id=route.unit_id,
                routing_note=route.note,
                due_at=due_at,
                due_basis=basis,
                created_by=actor,
                reporter_phone_index=_phone_index(facts.get("reporter_phone", "")),
                source_ip_hash=blind_index(ip, purpose="portal-ip") if ip else "",
                **facts,
            )
            new_signals.append(signal)
            results.append(Recorded(signal, "created"))
        if len(new_signals) == 1:
            new_signals[0].full_clean(exclude=["created_by", "channel"], validate_unique=False)
        try:
            with transaction.atomic():
                created = _bulk_insert(new_signals)
        except IntegrityError as exc:
            raise DomainError(_("该渠道编号已被同时登记，请刷新后重试"), field="reference") from exc
        for signal in created:
            events.append(
                SignalEvent(
                    signal=signal, action=Action.CREATE, actor=actor, at=now, note=signal.routing_note
                )
            )
        for item, record in zip(items, results, strict=True):
            if record.outcome == "created" and item.attachments:
                for name, content in item.attachments:
                    attachment_store(actor=actor, signal=record.signal, name=name, content=content)
        events.extend(_flag_duplicates(created, actor=actor, now=now))
        SignalEvent.objects.bulk_create(events, batch_size=1000)
        _announce(created)
        changed = {
            r.signal.enterprise_id for r in results if r.outcome != "unchanged" and r.signal.enterprise_id
        }
        if changed:
            domain_events.publish("signals.changed", enterprise_ids=sorted(changed))
    return results


def _resend(current: Signal, facts: dict, changed: list[str], *, actor, now, due_for) -> SignalEvent:
    """Apply a channel's re-send to the facts it carries; stage, verification and triage stay."""
    fields = [name for name, value in facts.items() if getattr(current, name) != value]
    for name in fields:
        setattr(current, name, facts[name])
    if "reporter_phone" in fields:
        current.reporter_phone_index = _phone_index(current.reporter_phone)
        fields.append("reporter_phone_index")
    if "received_at" in fields and current.is_open:
        current.due_at, current.due_basis = due_for(current.received_at)
        fields += ["due_at", "due_basis"]
    current.save(update_fields=[*fields, "updated_at"])
    note = "更新：" + "、".join(changed)
    if not current.is_open:
        note += f"（线索已{current.get_stage_display()}，请办理人留意）"
    return SignalEvent(signal=current, action=Action.RESEND, actor=actor, at=now, note=note)


def _bulk_insert(signals: list[Signal]) -> list[Signal]:
    if not signals:
        return []
    if len(signals) == 1:
        signals[0].save()
        return signals
    return Signal.objects.bulk_create(signals, batch_size=500)


def _phone_index(phone: str) -> str:
    return blind_index(phone, purpose="reporter-phone") if phone else ""


def _announce(created: list[Signal]) -> None:
    """One inbox notice per town and per department for what was routed to them."""
    by_unit: dict[int, list[Signal]] = defaultdict(list)
    by_town: dict[int, list[Signal]] = defaultdict(list)
    for signal in created:
        if signal.assigned_unit_id:
            by_unit[signal.assigned_unit_id].append(signal)
        if signal.town_id:
            by_town[signal.town_id].append(signal)
    town_units = dict(Unit.objects.filter(town_id__in=by_town).values_list("town_id", "pk"))
    for town_id, signals in by_town.items():
        if town_id in town_units:
            by_unit[town_units[town_id]].extend(signals)
    for unit_id, signals in by_unit.items():
        signals = list(dict.fromkeys(signals))
        if len(signals) == 1:
            s = signals[0]
            subject = f"新线索待核实：{s.employer_display}（{s.get_kind_display()}）"
            received, due = timezone.localtime(s.received_at), timezone.localtime(s.due_at)
            body = f"{s.channel.name} {received:%Y-%m-%d}；核实期限 {due:%Y-%m-%d}。{s.summary[:80]}"
            url = reverse("signal-detail", args=[s.pk])
        else:
            subject = f"新线索待核实 {len(signals)} 条"
            body = (
                "、".join(sorted({s.channel.name for s in signals})) + " 渠道报送，请在“我的待核实”中查看。"
            )
            url = reverse("signal-list") + "?mine=1"
        notify_units(unit_ids=[unit_id], subject=subject, body=body, url=url, topic="signal")


def _flag_duplicates(created: list[Signal], *, actor, now) -> list[SignalEvent]:
    """Same enterprise and kind from another channel within ``signal.dedup_days`` → 疑似重复."""
    candidates = [s for s in created if s.enterprise_id]
    if not candidates:
        return []
    record = param_record("signal.dedup_days", on=timezone.localdate(now))
    window = datetime.timedelta(days=int(record.typed_value))
    earliest = min(s.received_at for s in candidates) - window
    latest = max(s.received_at for s in candidates) + window
    created_ids = {s.pk for s in created}
    pool: dict[tuple[int, str], list[Signal]] = defaultdict(list)
    for other in (
        Signal.objects.filter(
            enterprise_id__in={s.enterprise_id for s in candidates},
            received_at__range=(earliest, latest),
            merged_into__isnull=True,
        )
        .exclude(pk__in=created_ids)
        .exclude(stage=Stage.CLOSED)
    ):
        pool[(other.enterprise_id, other.kind)].append(other)
    flagged: list[Signal] = []
    events = []
    for signal in sorted(candidates, key=lambda s: (s.received_at, s.pk)):
        group = pool[(signal.enterprise_id, signal.kind)]
        twins = [
            o
            for o in group
            if o.channel_id != signal.channel_id and abs(o.received_at - signal.received_at) <= window
        ]
        group.append(signal)
        if not twins:
            continue
        twin = min(twins, key=lambda o: (o.duplicate_state == DuplicateState.SUSPECTED, o.received_at, o.pk))
        signal.duplicate_state = DuplicateState.SUSPECTED
        signal.duplicate_of = twin
        flagged.append(signal)
        events.append(
            SignalEvent(
                signal=signal,
                action=Action.DUPLICATE,
                actor=actor,
                at=now,
                note=(
                    f"与 #{twin.pk}（{twin.channel.name}，{timezone.localtime(twin.received_at):%Y-%m-%d}）同一企业同一类型，"
                    f"相隔不超过 {record.typed_value} 日（参数 signal.dedup_days={record.typed_value}，{record.citation}）"
                ),
            )
        )
    if flagged:
        Signal.objects.bulk_update(flagged, ["duplicate_state", "duplicate_of"], batch_size=500)
    return events


def signal_record(
    *,
    actor,
    channel: Channel,
    reference: str = "",
    town: Town | None = None,
    attachments=(),
    door: str = "officer",
    ip: str | None = None,
    **facts,
) -> Recorded:
    """Record one signal (form, API); see ``signals_record``."""
    unknown = set(facts) - set(FACT_FIELDS) - {"enterprise", "project"}
    if unknown:
        raise TypeError(f"unknown signal fields: {sorted(unknown)}")
    item = Incoming(
        channel=channel,
        facts=facts,
        reference=(reference or "").strip(),
        town=town,
        attachments=list(attachments),
    )
    return signals_record(actor=actor, items=[item], door=door, ip=ip)[0]


# --- attachments ------------------------------------------------------------------------------


def attachment_store(
    *, actor, signal: Signal, name: str, content: bytes, allowed=DOCUMENTS, field: str = "attachments"
) -> SignalAttachment:
    """Keep a file with the signal after checking what it really is (a refusal names ``field``)."""
    return file_store(
        record=SignalAttachment(signal=signal, name=(name or "附件")[-150:]),
        actor=actor,
        name=name,
        content=content,
        field=field,
        allowed=allowed,
    )


# --- stage transitions (DESIGN rule 4) --------------------------------------------------------

HANDLER = "handler"  # the office, the assigned department, the signal's town
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (Stage.RECEIVED, Action.ACCEPT): (Stage.VERIFYING, "intake.verify_signal"),
    (Stage.RECEIVED, Action.VERIFY): (Stage.VERIFIED, "intake.verify_signal"),
    (Stage.VERIFYING, Action.VERIFY): (Stage.VERIFIED, "intake.verify_signal"),
    (Stage.VERIFIED, Action.HANDLE): (Stage.HANDLING, "intake.reply_signal"),
    (Stage.VERIFIED, Action.CLOSE): (Stage.CLOSED, "intake.reply_signal"),
    (Stage.HANDLING, Action.CLOSE): (Stage.CLOSED, "intake.reply_signal"),
}


def is_handler(actor, signal: Signal) -> bool:
    """The office, a user of the assigned department, or a user of the signal's town."""
    return acts_for(actor, town_id=signal.town_id, unit_ids=[signal.assigned_unit_id])


def allowed_actions(actor, signal: Signal) -> list[str]:
    if signal.merged_into_id or not is_handler(actor, signal):
        return []
    return [
        action
        for (stage, action), (_to, perm) in TRANSITIONS.items()
        if stage == signal.stage and (is_system(actor) or actor.has_perm(perm))
    ]


def _move(*, actor, signal: Signal, action: str, note: str, updates: dict | None = None) -> Signal:
    key = (signal.stage, action)
    if signal.merged_into_id:
        raise DomainError(
            _("该线索已并入 #%(n)d，请在主线索上办理") % {"n": signal.merged_into_id}, code="merged"
        )
    if key not in TRANSITIONS:
        raise DomainError(
            _("线索处于“%(s)s”阶段，不能“%(a)s”")
            % {"s": signal.get_stage_display(), "a": Action(action).label},
            code="transition",
        )
    to_stage, perm = TRANSITIONS[key]
    require_perm(actor, perm)
    if not is_handler(actor, signal):
        raise PermissionDenied(_("只有联席办、条线部门或属地镇/街道可以办理该线索"))
    now = timezone.now()
    values = {"stage": to_stage, "updated_at": now, **(updates or {})}
    with transaction.atomic(), acting(actor):
        touched = Signal.objects.filter(pk=signal.pk, stage=signal.stage, merged_into__isnull=True).update(
            **values
        )
        if touched != 1:
            raise DomainError(_("该线索已被他人处理，请刷新后查看"), code="conflict")
        if signal.enterprise_id:
            domain_events.publish("signals.changed", enterprise_ids=[signal.enterprise_id])
        SignalEvent.objects.create(
            signal=signal,
            action=action,
            from_stage=signal.stage,
            to_stage=to_stage,
            actor=actor,
            at=now,
            note=note,
        )
        # A merged source follows its primary (it is the same matter), from whatever stage it was at.
        for source in Signal.objects.filter(merged_into=signal).exclude(stage=to_stage):
            if Signal.objects.filter(pk=source.pk, stage=source.stage).update(**values) == 1:
                SignalEvent.objects.create(
                    signal=source,
                    action=action,
                    from_stage=source.stage,
                    to_stage=to_stage,
                    actor=actor,
                    at=now,
                    note=f"随主线索 #{signal.pk}：{note}",
                )
    signal.refresh_from_db()
    return signal


def signal_accept(*, actor, signal: Signal, note: str = "") -> Signal:
    """Start verification (the worker sees 核实中)."""
    return _move(actor=actor, signal=signal, action=Action.ACCEPT, note=note.strip())


def signal_verify(*, actor, signal: Signal, result: str, note: str) -> Signal:
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


def signal_handle(*, actor, signal: Signal, note: str) -> Signal:
    """A verified matter moves into handling (mediation, an order to pay, a case)."""
    if not (note or "").strip():
        raise DomainError(_("请说明处理方式"), field="note")
    if signal.verification == Verification.UNFOUNDED:
        raise DomainError(_("核实结论为不属实的线索不能转入处理，请直接办结"), code="transition")
    return _move(actor=actor, signal=signal, action=Action.HANDLE, note=note.strip())


def signal_close(*, actor, signal: Signal, note: str) -> Signal:
    """Close a verified matter. A worker's report needs a public reply first."""
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
    return _move(actor=actor, signal=signal, action=Action.CLOSE, note=note.strip())


@transaction.atomic
def signal_reply(*, actor, signal: Signal, text: str) -> Signal:
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
    if signal.tracking_code and signal.reporter_phone:
        phone = signal.reporter_phone
        transaction.on_commit(
            lambda: sms_send(
                phone=phone,
                text="【安薪】您反映的欠薪问题有了新的答复，请凭查询码和手机号查看。",
                topic="portal",
            ),
            robust=True,
        )
    return signal


@transaction.atomic
def signal_note(*, actor, signal: Signal, text: str) -> SignalEvent:
    """An internal note (never shown to the worker); read-only roles cannot write one."""
    require_perm(actor, "intake.verify_signal")
    if not Signal.objects.for_user(actor).filter(pk=signal.pk).exists():
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写备注内容"), field="text")
    return SignalEvent.objects.create(signal=signal, action=Action.NOTE, actor=actor, note=text[:2000])


# --- triage (the office) ----------------------------------------------------------------------


@transaction.atomic
def signal_urge(*, actor, signal: Signal, note: str = "") -> SignalEvent:
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
        url=reverse("signal-detail", args=[locked.pk]),
        topic="signal-urge",
    )
    return event


@transaction.atomic
def signal_match_new_enterprise(*, actor, signal: Signal, kinds=None, **fields) -> Signal:
    """Register the enterprise an unmatched signal names, then link the signal to it (all or nothing)."""
    require_perm(actor, "intake.triage_signal")
    if signal.enterprise_id:
        raise DomainError(_("该线索已关联企业“%(e)s”") % {"e": signal.enterprise.name}, code="matched")
    enterprise = enterprise_create(actor=actor, kinds=kinds, **fields)
    return signal_match(actor=actor, signal=signal, enterprise=enterprise)


@transaction.atomic
def signal_match(*, actor, signal: Signal, enterprise: Enterprise) -> Signal:
    """Link a signal whose employer the registry did not know to a registered enterprise; re-route."""
    require_perm(actor, "intake.triage_signal")
    if signal.enterprise_id:
        raise DomainError(_("该线索已关联企业“%(e)s”") % {"e": signal.enterprise.name}, code="matched")
    router = Router(kinds_of=enterprise_kind_codes)
    route = router.route(enterprise=enterprise, project=signal.project, kind=signal.kind)
    now = timezone.now()
    with acting(actor):
        touched = Signal.objects.filter(pk=signal.pk, enterprise__isnull=True).update(
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
        domain_events.publish("signals.changed", enterprise_ids=[enterprise.pk])
        _announce([signal])
    signal.refresh_from_db()
    return signal


@transaction.atomic
def signal_keep(*, actor, signal: Signal, note: str = "") -> Signal:
    """The office decides a suspected duplicate is a separate matter."""
    require_perm(actor, "intake.triage_signal")
    with acting(actor):
        touched = Signal.objects.filter(pk=signal.pk, duplicate_state=DuplicateState.SUSPECTED).update(
            duplicate_state=DuplicateState.KEPT, updated_at=timezone.now()
        )
        if touched != 1:
            raise DomainError(_("该线索不是待判定的疑似重复线索"), code="conflict")
        SignalEvent.objects.create(signal=signal, action=Action.KEEP, actor=actor, note=(note or "").strip())
    signal.refresh_from_db()
    return signal


def signal_merge(*, actor, signal: Signal, into: Signal | None = None, note: str = "") -> Signal:
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
        from_stage = source.stage
        follow = {"stage": into.stage, "verification": into.verification}
        if into.verified_at:
            follow.update(verified_by=into.verified_by, verified_at=into.verified_at)
        source.merged_into, source.duplicate_of, source.duplicate_state = into, into, DuplicateState.MERGED
        for name, value in follow.items():
            setattr(source, name, value)
        source.save(update_fields=["merged_into", "duplicate_of", "duplicate_state", *follow, "updated_at"])
        events = [
            SignalEvent(
                signal=source,
                action=Action.MERGE,
                actor=actor,
                at=now,
                from_stage=from_stage,
                to_stage=into.stage,
                note=f"并入 #{into.pk}（{into.channel.name}）{suffix}",
            ),
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
        domain_events.publish("signals.changed", enterprise_ids=[into.enterprise_id])
    source.refresh_from_db()
    return source


# --- the periodic sweep -----------------------------------------------------------------------


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
            still_open = Signal.objects.overdue(now).filter(pk=signal.pk, overdue_marked_at__isnull=True)
            if still_open.update(overdue_marked_at=now) == 1:
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
                url=reverse("signal-triage") + "?queue=overdue",
                topic="signal-overdue",
            )
            for unit_id, count in units.items():
                notify_units(
                    unit_ids=[unit_id],
                    subject=f"您单位有 {count} 条线索核实逾期，已报联席办",
                    url=reverse("signal-list") + "?mine=1&overdue=1",
                    topic="signal-overdue",
                )
    return len(marked)


def portal_attempts_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget portal rate-limit records older than a day."""
    now = now or timezone.now()
    deleted, _detail = PortalAttempt.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()
    PortalBucket.objects.filter(day__lt=timezone.localdate(now) - datetime.timedelta(days=1)).delete()
    return deleted


# --- the public portal ------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, no 0/O or 1/I
CODE_LENGTH = 16  # 80 bits


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalize_tracking_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def _ip_hash(ip: str | None) -> str:
    return blind_index(ip or "unknown", purpose="portal-ip")


def portal_limited(*, ip: str | None, action: str, now=None) -> bool:
    """Whether this address has used up its attempts of the last hour (a read; no lock).

    Good for refusing a flood early; the binding check is ``_portal_gate`` inside the write.
    """
    return _over_limit(ip_hash=_ip_hash(ip), action=action, now=now or timezone.now())


def _over_limit(*, ip_hash: str, action: str, now: datetime.datetime) -> bool:
    limit_code = (
        "portal.submissions_per_hour" if action == PortalAttempt.Action.SUBMIT else "portal.lookups_per_hour"
    )
    limit = int(param(limit_code, on=timezone.localdate(now)))
    recent = PortalAttempt.objects.filter(
        ip_hash=ip_hash, action=action, at__gte=now - datetime.timedelta(hours=1)
    ).count()
    return recent >= limit


def _portal_gate(*, ip: str | None, action: str) -> None:
    """Inside the transaction that records the attempt: lock the address's bucket, then count.

    Two submissions from one address at once queue on the bucket row (``SELECT … FOR UPDATE``
    on PostgreSQL; SQLite's IMMEDIATE transactions already run one writer at a time), so the
    second counts the first's attempt and the limit holds.
    """
    now = timezone.now()
    ip_hash, day = _ip_hash(ip), timezone.localdate(now)
    PortalBucket.objects.bulk_create(
        [PortalBucket(ip_hash=ip_hash, action=action, day=day)], ignore_conflicts=True
    )
    PortalBucket.objects.select_for_update().get(ip_hash=ip_hash, action=action, day=day)
    if _over_limit(ip_hash=ip_hash, action=action, now=now):
        if action == PortalAttempt.Action.SUBMIT:
            raise DomainError(_("提交过于频繁，请一小时后再试，或拨打 12333 反映"), code="rate_limited")
        raise DomainError(_("查询失败次数过多，请一小时后再试"), code="rate_limited")


def portal_submit(*, facts: dict, town: Town, photos: list[tuple[str, bytes]], ip: str | None) -> Signal:
    """A worker's report from the public portal: routed like any signal, answered by code."""
    if portal_limited(ip=ip, action=PortalAttempt.Action.SUBMIT):
        raise DomainError(_("提交过于频繁，请一小时后再试，或拨打 12333 反映"), code="rate_limited")
    photo_problem = files_problem(
        photos, allowed=PORTAL_PHOTOS, field="photos", most=int(param("portal.max_photos"))
    )
    if photo_problem:
        raise DomainError(photo_problem, field="photos")
    if not facts.get("reporter_phone"):
        raise DomainError(_("请填写手机号，用于查询办理进度"), field="reporter_phone")
    channel = Channel.objects.get(is_public=True)
    actor = system_actor()
    with atomic_with_files():
        _portal_gate(ip=ip, action=PortalAttempt.Action.SUBMIT)
        PortalAttempt.objects.create(ip_hash=_ip_hash(ip), action=PortalAttempt.Action.SUBMIT)
        facts = {**facts, "kind": SignalKind.WAGE_COMPLAINT, "received_at": timezone.now()}
        recorded = signal_record(
            actor=actor,
            channel=channel,
            town=town,
            door="portal",
            ip=ip,
            attachments=[(n, c) for n, c in photos],
            **facts,
        )
        signal = recorded.signal
        for _attempt in range(5):
            code = new_tracking_code()
            if not Signal.objects.filter(tracking_code=code).exists():
                break
        Signal.objects.filter(pk=signal.pk).update(tracking_code=code)
        signal.tracking_code = code
        phone = signal.reporter_phone
        transaction.on_commit(
            lambda: sms_send(
                phone=phone,
                text=f"【安薪】您反映的欠薪问题已受理，查询码 {code}，请凭查询码和本手机号查看办理进度。",
                topic="portal",
            ),
            robust=True,
        )
    return signal


def portal_lookup(*, code: str, phone: str, ip: str | None) -> Signal | None:
    """The report with this code and phone, or None (and the failure counts toward the limit).

    The limit is checked under the address's bucket lock, so guesses fired at once cannot all
    slip in under it.
    """
    if portal_limited(ip=ip, action=PortalAttempt.Action.LOOKUP_FAILED):
        raise DomainError(_("查询失败次数过多，请一小时后再试"), code="rate_limited")
    code = normalize_tracking_code(code)
    try:
        phone_index = _phone_index(normalize_phone(phone))
    except Exception:
        phone_index = ""
    with transaction.atomic():
        _portal_gate(ip=ip, action=PortalAttempt.Action.LOOKUP_FAILED)
        signal = None
        if len(code) == CODE_LENGTH and phone_index:
            signal = Signal.objects.filter(tracking_code=code, reporter_phone_index=phone_index).first()
        if signal is None:
            PortalAttempt.objects.create(ip_hash=_ip_hash(ip), action=PortalAttempt.Action.LOOKUP_FAILED)
    return signal


@transaction.atomic
def portal_rate(*, signal: Signal, rating: str, comment: str = "") -> Signal:
    """The worker's satisfaction with a closed report; once."""
    if rating not in Satisfaction.values:
        raise DomainError(_("请选择满意度"), field="rating")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError(_("评价意见不超过 1000 字"), field="comment")
    touched = Signal.objects.filter(pk=signal.pk, stage=Stage.CLOSED, rated_at__isnull=True).update(
        satisfaction=rating, satisfaction_comment=comment, rated_at=timezone.now()
    )
    if touched != 1:
        raise DomainError(_("办结后才能评价，且只能评价一次"), code="rate")
    SignalEvent.objects.create(
        signal=signal,
        action=Action.RATE,
        actor=None,
        note=f"{Satisfaction(rating).label}" + (f"：{comment}" if comment else ""),
    )
    signal.refresh_from_db()
    return signal


# --- enterprise self-report (§四(一)) ---------------------------------------------------------


def self_report_timeliness(*, arrears_since: datetime.date, reported_on: datetime.date) -> dict:
    """Whether a written report reached 人社局 within ``self_report.deadline_days`` calendar days.

    The day arrears began does not count (the period starts the next day): arrears from
    11月1日 with 5 days → due by 11月6日; a report on 11月6日 is on time, on 11月7日 late. A last
    day that is a holiday or a weekend moves to the next working day (民法典 第二百零三条).
    """
    record = param_record("self_report.deadline_days", on=arrears_since)
    days = int(record.typed_value)
    nominal = arrears_since + datetime.timedelta(days=days)
    evidence = record.as_evidence()
    try:
        # 民法典 第二百零三条: a period ending on a day off ends on the next working day.
        deadline = add_working_days(nominal, 0)
        if deadline != nominal:
            evidence["extended"] = (
                f"期限末日 {nominal:%Y-%m-%d} 为休息日，顺延至 {deadline:%Y-%m-%d}（民法典 第二百零三条）"
            )
    except CalendarMissing:
        deadline = nominal
        evidence["extended"] = f"{nominal.year} 年工作日历尚未维护，未按节假日顺延"
    return {
        "deadline_days": days,
        "deadline": deadline,
        "on_time": reported_on <= deadline,
        "evidence": evidence,
    }


def self_report_record(
    *,
    actor,
    enterprise: Enterprise,
    arrears_since: datetime.date,
    reported_on: datetime.date,
    workers: int,
    amount: int,
    cause: str,
    plan: list[dict],
    scan: tuple[str, bytes] | None = None,
) -> SelfReport:
    """Enter an enterprise's written arrears report; judge its timeliness; record the signal."""
    with atomic_with_files():
        return _self_report_record(
            actor=actor,
            enterprise=enterprise,
            arrears_since=arrears_since,
            reported_on=reported_on,
            workers=workers,
            amount=amount,
            cause=cause,
            plan=plan,
            scan=scan,
        )


def _self_report_record(*, actor, enterprise, arrears_since, reported_on, workers, amount, cause, plan, scan):
    require_perm(actor, "intake.add_selfreport")
    if not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ScopeViolation(_("该企业不在您的管辖范围内"), field="enterprise")
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if reported_on > today:
        errors["reported_on"] = _("报告日期不能晚于今天")
    if arrears_since > reported_on:
        errors["arrears_since"] = _("开始拖欠日期不能晚于报告日期")
    if not isinstance(workers, int) or workers < 1 or workers > 100000:
        errors["workers"] = _("涉及人数须为 1 至 100000 的整数")
    if not isinstance(amount, int) or amount <= 0 or amount > MAX_AMOUNT_FEN:
        errors["amount"] = _("拖欠金额须大于零且在合理范围内")
    cause = (cause or "").strip()
    if not cause:
        errors["cause"] = _("请填写拖欠原因")
    if not plan:
        errors["plan"] = _("请填写还款计划（至少一期）")
    total = 0
    for number, step in enumerate(plan or [], start=1):
        due_on, step_amount = step.get("due_on"), step.get("amount")
        if not isinstance(due_on, datetime.date) or due_on < arrears_since:
            errors["plan"] = _("第 %(n)d 期计划支付日期须不早于开始拖欠日期") % {"n": number}
        elif not isinstance(step_amount, int) or step_amount <= 0:
            errors["plan"] = _("第 %(n)d 期计划支付金额须大于零") % {"n": number}
        else:
            total += step_amount
    if "plan" not in errors and "amount" not in errors and total > amount:
        errors["plan"] = _("还款计划合计 %(t)s 元超过拖欠金额 %(a)s 元") % {
            "t": format_yuan(total),
            "a": format_yuan(amount),
        }
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    timeliness = self_report_timeliness(arrears_since=arrears_since, reported_on=reported_on)
    channel = Channel.objects.get(is_self_report=True)
    received = datetime.datetime.combine(
        reported_on, datetime.time(9, 0), tzinfo=timezone.get_current_timezone()
    )
    occurred = datetime.datetime.combine(
        arrears_since, datetime.time(0, 0), tzinfo=timezone.get_current_timezone()
    )
    verdict = "按时" if timeliness["on_time"] else "逾期"
    recorded = signal_record(
        actor=actor,
        channel=channel,
        door="self_report",
        enterprise=enterprise,
        kind=SignalKind.ARREARS_REPORT,
        received_at=min(received, timezone.now()),
        occurred_at=occurred,
        workers=workers,
        amount=amount,
        summary=f"企业书面报告欠薪（{verdict}报告，应于 {timeliness['deadline']:%Y年%m月%d日} 前）：{cause}",
    )
    report = SelfReport(
        enterprise=enterprise,
        arrears_since=arrears_since,
        reported_on=reported_on,
        workers=workers,
        amount=amount,
        cause=cause,
        deadline_days=timeliness["deadline_days"],
        deadline=timeliness["deadline"],
        on_time=timeliness["on_time"],
        parameter_evidence=timeliness["evidence"],
        signal=recorded.signal,
        created_by=actor,
    )
    with acting(actor):
        if scan is not None:
            report.scan = attachment_store(
                actor=actor, signal=recorded.signal, name=scan[0], content=scan[1], field="scan"
            )
        report.full_clean(exclude=["signal", "created_by", "scan"])
        report.save()
        RepaymentInstalment.objects.bulk_create(
            [
                RepaymentInstalment(
                    report=report, due_on=s["due_on"], amount=s["amount"], note=(s.get("note") or "")[:200]
                )
                for s in plan
            ]
        )
    return report
