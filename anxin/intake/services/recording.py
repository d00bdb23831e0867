"""Recording signals from every channel (§三(一)): one or thousands at once, all or nothing; a
re-send updates in place; new signals are routed, given their verification deadline, checked for
duplicates and announced; their files are kept with them."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import events as domain_events
from anxin.core import seam
from anxin.core.access import is_system, require_perm, scope_of
from anxin.core.audit import acting, guarded_update
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.files import atomic_with_files, file_store
from anxin.core.links import officer_url
from anxin.core.policy import param_record
from anxin.core.uploads import DOCUMENTS
from anxin.intake.models import Channel, DuplicateState, Signal, SignalAttachment, SignalEvent, Stage
from anxin.intake.services.facts import FACT_FIELDS, _DueCache, clean_facts, names_a_site
from anxin.intake.services.reference import _check_channel, channels_for
from anxin.notify.services import notify_units
from anxin.org.models import Town, Unit, User
from anxin.org.routing import Route, Router
from anxin.registry.models import Enterprise, Project
from anxin.registry.selectors import enterprise_kind_codes

Action = SignalEvent.Action
AWAITING_NOTE = "互联网区受理，待内网分派（下次定时任务）"


@dataclass
class Incoming:
    """One signal as a channel sends it (already parsed; ``reference`` may be blank)."""

    channel: Channel
    facts: dict
    reference: str = ""
    town: Town | None = None  # where the work was, when the employer is not registered
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    attachment_types: tuple[str, ...] = DOCUMENTS  # the portal's photos also take HEIC/HEIF
    tracking_code: str | None = None  # the portal's, when written with the report (deferred routing)


@dataclass
class Recorded:
    signal: Signal
    outcome: str  # "created" | "updated" | "unchanged"


class _Matcher:
    """Registered enterprises by code and by exact name, read once per batch.

    With ``actor``, a town user matches only the enterprises it may see (its towns', and the
    contractors of the projects in its towns): an employer registered in another town is then
    treated exactly like one registered nowhere — recorded unmatched where the work was, for the
    office to match — so a typed credit code or name never tells a town whether, or under what
    name, it is registered elsewhere in the district (issue #13 finding 6).
    """

    def __init__(self, items: list[Incoming], actor: User | None = None):
        codes = {i.facts.get("employer_uscc") for i in items if i.facts.get("employer_uscc")}
        names = {i.facts.get("employer_name") for i in items if i.facts.get("employer_name")}
        candidates = Enterprise.objects.all()
        if actor is not None and not is_system(actor):
            scope = scope_of(actor)
            if scope.town_ids and not scope.everything:
                candidates = candidates.filter(
                    Q(town_id__in=scope.town_ids)
                    | Q(contracted_projects__town_id__in=scope.town_ids)
                    | Q(subcontracted_projects__town_id__in=scope.town_ids)
                ).distinct()
        self.by_code = {e.uscc: e for e in candidates.filter(uscc__in=codes)}
        self.projects: dict[str, Project | None] = {}
        self.by_name: dict[str, list[Enterprise]] = defaultdict(list)
        for enterprise in candidates.filter(name__in=names):
            self.by_name[enterprise.name].append(enterprise)

    def match_project(self, facts: dict) -> Project | None:
        """The registered project a worker named (exact name, one only): it places the report in
        the project's town and with its supervising department, whatever town was answered."""
        name = (facts.get("project_name") or "").strip()
        if name and name not in self.projects:
            found = list(Project.objects.select_related("supervisor__unit").filter(name=name)[:2])
            self.projects[name] = found[0] if len(found) == 1 else None
        return self.projects.get(name) if name else None

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
    *,
    actor: User,
    items: list[Incoming],
    door: str = "officer",
    ip: str | None = None,
    defer_routing: bool = False,
) -> list[Recorded]:
    """Record a batch of signals (one, from a form or the API; thousands, from an import).

    All or nothing: a refused item raises and nothing is written. A (channel, reference) already
    on file is updated in place — a re-send never duplicates. New signals are routed, given their
    verification deadline, checked for duplicates, and announced to their town and department.

    ``defer_routing`` (the internet zone's portal, which may read no enterprise, project, unit or
    user): the signal is only written, where the worker said the work was and ``awaiting_routing``;
    the internal zone's tick routes, checks and announces it (``portal_reports_route``).
    """
    require_perm(actor, "intake.add_signal")
    now = timezone.now()
    scope = None if is_system(actor) else scope_of(actor)  # the jobs' and the portal's account: none to read
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
    if defer_routing and (door != "portal" or any(i.reference for i in items)):
        raise ValueError("only the portal's own reports (no channel reference) defer their routing")
    matcher = None if defer_routing else _Matcher(items, actor)
    router = None if defer_routing else Router(kinds_of=enterprise_kind_codes)
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
        enterprises = [matcher.match(i.facts) if matcher is not None else None for i in items]
        if router is not None:
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
            if project is None and door == "portal" and matcher is not None:
                project = matcher.match_project(item.facts)
            if scope is not None and scope.town_ids and not scope.everything:
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
            if router is None:
                route = Route(town_id=item.town.pk if item.town else None, unit_id=None, note=AWAITING_NOTE)
            else:
                route = router.route(
                    enterprise=enterprise,
                    project=project,
                    town=item.town,
                    kind=facts["kind"],
                    site_named=names_a_site(facts),
                )
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
                awaiting_routing=defer_routing,
                tracking_code=item.tracking_code,
                **facts,
            )
            new_signals.append(signal)
            results.append(Recorded(signal, "created"))
        if len(new_signals) == 1:
            # Deferred (the internet zone): the project is the board's (its id signed), not read here.
            exclude = ["created_by", "channel", *(["project"] if defer_routing else [])]
            new_signals[0].full_clean(exclude=exclude, validate_unique=False)
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
                    attachment_store(
                        actor=actor,
                        signal=record.signal,
                        name=name,
                        content=content,
                        allowed=item.attachment_types,
                    )
        if defer_routing:  # the internal zone checks and announces it when it routes it
            SignalEvent.objects.bulk_create(events, batch_size=1000)
            return results
        events.extend(_flag_duplicates(created, actor=actor, now=now))
        SignalEvent.objects.bulk_create(events, batch_size=1000)
        _announce(created)
        changed = {
            r.signal.enterprise_id for r in results if r.outcome != "unchanged" and r.signal.enterprise_id
        }
        if changed:
            domain_events.publish(seam.SIGNALS_CHANGED, enterprise_ids=sorted(changed))
    return results


def portal_reports_route(*, now: datetime.datetime | None = None) -> int:
    """Route the reports the internet zone's portal received (``awaiting_routing``), as
    ``signals_record`` routes a report filed here: the employer and the project matched, the town
    and the department found, duplicates flagged, the units told, monitoring re-assessing. Each
    report in its own transaction, locked so two ticks never route one twice."""
    from anxin.core.audit import system_actor

    actor = system_actor()
    now = now or timezone.now()
    done = 0
    waiting = list(Signal.objects.filter(awaiting_routing=True).order_by("pk").values_list("pk", flat=True))
    if not waiting:
        return 0
    router = Router(kinds_of=enterprise_kind_codes)  # the routing tables, read once
    for pk in waiting:
        with transaction.atomic(), acting(actor):
            signal = Signal.objects.select_for_update().filter(pk=pk, awaiting_routing=True).first()
            if signal is None:
                continue
            facts = {"employer_uscc": signal.employer_uscc, "employer_name": signal.employer_name}
            facts["project_name"] = signal.project_name
            matcher = _Matcher([Incoming(channel=signal.channel, facts=facts)])
            enterprise = matcher.match(facts)
            project = signal.project or matcher.match_project(facts)
            router.prime([enterprise.pk] if enterprise else [])
            route = router.route(
                enterprise=enterprise,
                project=project,
                town=signal.town,
                kind=signal.kind,
                site_named=names_a_site({k: getattr(signal, k) for k in FACT_FIELDS}),
            )
            guarded_update(
                Signal.objects.filter(awaiting_routing=True),
                signal.pk,
                awaiting_routing=False,
                enterprise=enterprise,
                project=project,
                town_id=route.town_id,
                assigned_unit_id=route.unit_id,
                routing_note=route.note,
            )
            signal.refresh_from_db()
            events = [
                SignalEvent(
                    signal=signal, action=Action.MATCH, actor=actor, at=now, note=f"内网分派：{route.note}"
                )
            ]
            events.extend(_flag_duplicates([signal], actor=actor, now=now))
            SignalEvent.objects.bulk_create(events)
            _announce([signal])
            if signal.enterprise_id:
                domain_events.publish(seam.SIGNALS_CHANGED, enterprise_ids=[signal.enterprise_id])
        done += 1
    return done


def _resend(current: Signal, facts: dict, changed: list[str], *, actor: User, now, due_for) -> SignalEvent:
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
        about = ""
        if len(signals) == 1:
            s = signals[0]
            about = s.employer_display
            subject = f"新线索待核实：{s.employer_display}（{s.get_kind_display()}）"
            received, due = timezone.localtime(s.received_at), timezone.localtime(s.due_at)
            body = f"{s.channel.name} {received:%Y-%m-%d}；核实期限 {due:%Y-%m-%d}。{s.summary[:80]}"
            url = officer_url("signal-detail", s.pk)
        else:
            subject = f"新线索待核实 {len(signals)} 条"
            body = (
                "、".join(sorted({s.channel.name for s in signals})) + " 渠道报送，请在“我的待核实”中查看。"
            )
            url = officer_url("signal-list") + "?mine=1"
        notify_units(unit_ids=[unit_id], subject=subject, body=body, url=url, topic="signal", about=about)


def _flag_duplicates(created: list[Signal], *, actor: User, now) -> list[SignalEvent]:
    """Same enterprise and kind from another channel within ``signal.dedup_days`` → 疑似重复.

    Each flag is a change of ``duplicate_state`` ("" → 疑似重复): a conditional update with its
    audit diff (``core.audit.guarded_update``). The events are returned for the caller to write
    with the rest of its batch, after the signals' own 登记 events."""
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
        touched = guarded_update(
            Signal.objects.filter(duplicate_state=DuplicateState.NONE),
            signal.pk,
            duplicate_state=DuplicateState.SUSPECTED,
            duplicate_of=twin,
        )
        if touched != 1:
            continue
        signal.duplicate_state = DuplicateState.SUSPECTED
        signal.duplicate_of = twin
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
    return events


def signal_record(
    *,
    actor: User,
    channel: Channel,
    reference: str = "",
    town: Town | None = None,
    attachments=(),
    attachment_types: tuple[str, ...] = DOCUMENTS,
    door: str = "officer",
    ip: str | None = None,
    defer_routing: bool = False,
    tracking_code: str | None = None,
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
        attachment_types=attachment_types,
        tracking_code=tracking_code,
    )
    return signals_record(actor=actor, items=[item], door=door, ip=ip, defer_routing=defer_routing)[0]


def attachment_store(
    *, actor: User, signal: Signal, name: str, content: bytes, allowed=DOCUMENTS, field: str = "attachments"
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
