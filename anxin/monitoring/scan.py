"""The risk scan (§四(二), §五(二)): the facts the rules read, loaded for many enterprises in a
handful of queries; the assessments (with the day until which each stands), level changes and
alerts written in bulk; the immediate-report drafts and watch-list proposals they lead to; one
notice per unit once committed. What the tick, ``manage.py scan``, the office's 全面重评 and every
change of an enterprise's data run.

``rules.SOURCE_DIGEST`` covers this module: a change here makes the next scan re-assess everyone."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from typing import NamedTuple

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField, FilteredRelation, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from anxin.core import seam
from anxin.core.audit import acting, system_actor
from anxin.core.bulk import gc_paused, insert_rows, update_rows
from anxin.core.deadlines import due_after
from anxin.core.models import PolicyParameter
from anxin.core.policy import param_record
from anxin.intake.models import SelfReport, Signal, SignalEvent
from anxin.monitoring import immediate, rules, watch
from anxin.monitoring.models import (
    ACTIVE_ALERT,
    LEVEL_RANK,
    Alert,
    AlertEvent,
    AlertStatus,
    Indicator,
    Level,
    Observation,
    RiskAssessment,
    RiskChange,
    ScanRun,
)
from anxin.notify.services import UnitNotice, notify_units_each
from anxin.org.models import Unit, User
from anxin.org.routing import Route, Router
from anxin.registry.models import Enterprise

Action = AlertEvent.Action
CHUNK = 5000  # enterprises per batch of a full scan: bounded memory at city scale
# A changed-only scan looks back to the previous scan's start less this margin: a write whose
# transaction began before that scan and committed after it is still picked up.
CHANGED_MARGIN = datetime.timedelta(minutes=15)
MANY_MOVED = 20  # assessments whose horizon moves to the same day: one UPDATE … IN for them (_move_horizons)


def params_on(as_of: datetime.date) -> dict[str, rules.Param]:
    """The parameter values in force on ``as_of`` that the rules read, with their citations — in
    one query (a scan reads them once; so does each re-assessment after a new signal)."""
    records: dict[str, PolicyParameter] = {}
    for record in PolicyParameter.objects.filter(
        code__in=rules.PARAMETER_CODES, effective_from__lte=as_of
    ).order_by("code", "-effective_from"):
        records.setdefault(record.code, record)
    found = {}
    for code in rules.PARAMETER_CODES:
        record = records.get(code) or param_record(code, on=as_of)  # none in force: its clear error
        found[code] = rules.Param(
            code=code,
            value=int(record.typed_value),
            unit=record.unit,
            citation=record.citation,
            effective_from=record.effective_from.isoformat(),
        )
    return found


def among(field: str, ids: list[int], *, whole: bool = False) -> Q:
    """``field`` is one of ``ids`` (sorted). When the ids are every enterprise in their range (a
    chunk of a full scan) a range is asked for: an index range read instead of a 2,000-item list."""
    if whole and ids:
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


# The columns the rules' facts are read from (``load_facts``; the benchmark fetches the same).
OBSERVATION_FACTS = ("pk", "enterprise_id", "indicator_id", "month", "value")
SIGNAL_FACTS = (
    "pk",
    "enterprise_id",
    "kind",
    "verification",
    "received_at",
    "occurred_at",
    "months_owed",
    "workers",
    "merged_into_id",
    "duplicate_state",
)


def _fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list`` query, fetched with the driver's cursor: the ORM's own SQL
    and parameters, without its per-row converters (a generator step and a function call per
    value; at city scale a third of reading the facts). Only for columns whose driver values are
    already what the ORM would give — integers, texts, booleans and dates on SQLite (its
    declared-type converters) and PostgreSQL alike; date-times are converted by the caller
    (``_local_day``)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _local_day(stored_tz: datetime.tzinfo, local: datetime.tzinfo) -> Callable:
    """A date-time column's value as the local date, as the ORM would convert it: SQLite returns
    the stored (connection time zone, UTC) wall time without a zone, PostgreSQL an aware value."""

    def day(value: datetime.datetime | None) -> datetime.date | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=stored_tz)
        return value.astimezone(local).date()

    return day


def load_facts(
    enterprise_ids: list[int],
    as_of: datetime.date,
    *,
    whole: bool = False,
    statuses: dict[int, str] | None = None,
) -> dict[int, rules.Facts]:
    """Everything the rules read about these enterprises, in a handful of queries (read with
    ``_fetch``: the same values the ORM gives, without its per-row converters). ``statuses``:
    the enterprises' statuses when the caller has just read them (the scan's locked read)."""
    local = timezone.get_current_timezone()
    day = _local_day(connection.timezone or datetime.UTC, local)
    view = rules.view(as_of)  # only what a rule can see (rules.in_view is the same cut)
    indicator_codes = dict(Indicator.objects.values_list("pk", "code"))
    if statuses is None:
        statuses = dict(
            _fetch(
                Enterprise.objects.filter(among("pk", enterprise_ids, whole=whole)).values_list(
                    "pk", "status"
                )
            )
        )
    kinds: dict[int, set[str]] = {pk: set() for pk in statuses}
    for enterprise_id, code in _fetch(
        Enterprise.kinds.through.objects.filter(
            among("enterprise_id", enterprise_ids, whole=whole)
        ).values_list("enterprise_id", "enterprisekind__code")
    ):
        if enterprise_id in kinds:  # an enterprise committed between these reads: next scan
            kinds[enterprise_id].add(code)
    # Ordered by enterprise, indicator and month: each series is one run of rows.
    observations: dict[int, dict[str, list[rules.Obs]]] = {}
    series: list[rules.Obs] = []
    key = None
    obs, new = rules.Obs, tuple.__new__
    for oid, enterprise_id, indicator_id, month, value in _fetch(
        Observation.objects.filter(
            among("enterprise_id", enterprise_ids, whole=whole),
            month__gte=view.oldest_month,
            month__lte=as_of,
        )
        .order_by("enterprise_id", "indicator_id", "month")
        .values_list(*OBSERVATION_FACTS)
    ):
        if (enterprise_id, indicator_id) != key:
            key = (enterprise_id, indicator_id)
            series = []
            observations.setdefault(enterprise_id, {})[indicator_codes[indicator_id]] = series
        series.append(new(obs, (oid, month, value)))  # Obs(oid, month, value), without its __new__

    def start(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=local)

    until = start(as_of + datetime.timedelta(days=1))
    in_view = Q(received_at__gte=start(view.signals_since)) | Q(
        kind__in=rules.YEAR_KINDS, received_at__gte=start(view.year_since)
    )
    signals: dict[int, list[rules.Sig]] = {}
    sig = rules.Sig
    for (
        sid,
        enterprise_id,
        kind,
        verification,
        received,
        occurred,
        months,
        workers,
        merged,
        duplicate,
    ) in _fetch(
        Signal.objects.filter(
            in_view, among("enterprise_id", enterprise_ids, whole=whole), received_at__lt=until
        ).values_list(*SIGNAL_FACTS)
    ):
        # (id, kind, verification, received, occurred, months_owed, workers, merged) — positional:
        # a named tuple's keyword call costs twice as much, three hundred thousand times.
        signals.setdefault(enterprise_id, []).append(
            sig(
                sid,
                kind,
                verification,
                day(received),
                day(occurred),
                months,
                workers,
                # A suspected duplicate is the same complaint from a second channel until the
                # office keeps it: it is not counted twice.
                merged is not None or duplicate == "suspected",
            )
        )
    reports: dict[int, list[rules.Rep]] = {}
    for rid, enterprise_id, since_day, reported, deadline, on_time in _fetch(
        SelfReport.objects.filter(
            among("enterprise_id", enterprise_ids, whole=whole), reported_on__lte=as_of
        ).values_list("pk", "enterprise_id", "arrears_since", "reported_on", "deadline", "on_time")
    ):
        reports.setdefault(enterprise_id, []).append(
            rules.Rep(rid, since_day, reported, deadline, bool(on_time))
        )
    # The integrity grade, from the app that keeps it (credit), one ask for the whole chunk.
    standings = seam.enterprise_credit(list(statuses), on=as_of)
    none: dict = {}
    facts = {}
    for pk, status in statuses.items():
        standing = standings.get(pk)
        facts[pk] = rules.Facts(
            enterprise_id=pk,
            kinds=frozenset(kinds[pk]),
            status=status,
            grade=standing.grade if standing else "",
            grade_year=standing.grade_year if standing else None,
            grade_changes_on=standing.grade_changes_on if standing else None,
            observations={code: tuple(found) for code, found in observations.get(pk, none).items()},
            signals=tuple(signals.get(pk, ())),
            reports=tuple(reports.get(pk, ())),
        )
    return facts


def _alert_due(now: datetime.datetime) -> tuple[datetime.datetime, str]:
    return due_after("alert.handle_working_days", now)


def scan(
    *,
    as_of: datetime.date | None = None,
    enterprise_ids: Iterable[int] | None = None,
    id_range: tuple[int, int] | None = None,
    now=None,
    params: dict[str, rules.Param] | None = None,
    router: Router | None = None,
) -> dict:
    """Re-assess enterprises (all, those given, or every one with an id in ``id_range`` — both
    ends included: a shard of a full scan) as of a day: store levels, open or update alerts.
    ``params`` and ``router``: the parameters in force on ``as_of`` and the routing tables when the
    caller has just read them for the scan's basis (``scan_district``)."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    params = params if params is not None else params_on(as_of)
    whole = enterprise_ids is None  # every enterprise (of the range): each chunk is all the ids in its range
    if enterprise_ids is not None:
        ids = sorted(set(enterprise_ids))
    else:
        everyone = Enterprise.objects.order_by("pk")
        if id_range is not None:
            everyone = everyone.filter(pk__gte=id_range[0], pk__lte=id_range[1])
        ids = [pk for (pk,) in _fetch(everyone.values_list("pk"))]
    totals = {"assessed": 0, "changed": 0, "opened": 0, "updated": 0, "cleared": 0, "proposed": 0}
    router = router if router is not None else Router()
    due = cache(partial(_alert_due, now))  # read (parameter, calendar) only if an alert opens
    actor = system_actor()
    for start in range(0, len(ids), CHUNK):
        # The collector stays paused until the chunk's facts and results are freed (on return):
        # objects made while it was paused are all in its youngest generation, and the first
        # collection after a pause that ends while they are alive walks every one of them
        # (30 collections, 5 % of an unchanged full scan).
        with gc_paused():
            counts = _scan_chunk(
                ids[start : start + CHUNK],
                as_of,
                now,
                params=params,
                router=router,
                due=due,
                actor=actor,
                whole=whole,
            )
        for key, value in counts.items():
            totals[key] += value
    return totals


def _scan_chunk(
    chunk: list[int],
    as_of: datetime.date,
    now: datetime.datetime,
    *,
    params: dict[str, rules.Param],
    router: Router,
    due: Callable[[], tuple[datetime.datetime, str]],
    actor: User,
    whole: bool,
) -> dict:
    """One chunk of ``scan``, in its own transaction: its counts."""
    with transaction.atomic(), acting(actor):
        # Lock the chunk's enterprises, then read: a concurrent re-assessment of the same
        # enterprise (tick vs. a request's on-commit) waits instead of interleaving. The
        # locked read is also what routing needs of them (their territory).
        # The locked read is also all the scan needs of them and of their stored assessment:
        # territory (routing), status (a fact) and the stored level, digest and horizon — one read.
        # The stored assessments are joined with the chunk's range (or ids) in the join's own
        # condition: given only "enterprise = its id", PostgreSQL hashed every assessment of
        # the district for each chunk (68 ms a chunk at 100,000, against 12 ms).
        locked = (
            Enterprise.objects.select_for_update(of=("self",))
            .filter(among("pk", chunk, whole=whole))
            .annotate(
                stored=FilteredRelation("risk", condition=among("risk__enterprise_id", chunk, whole=whole))
            )
        )
        towns, statuses, stored = {}, {}, {}
        for pk, town_id, status, level, digest, until in _fetch(
            locked.order_by("pk").values_list(
                "pk", "town_id", "status", "stored__level", "stored__digest", "stored__stable_until"
            )
        ):
            towns[pk], statuses[pk] = town_id, status
            if level is not None:
                stored[pk] = (level, digest, until)
        facts = load_facts(chunk, as_of, whole=whole, statuses=statuses)
        counts, notices, drafts = _store(
            facts,
            params,
            as_of,
            now,
            router=router,
            due=due,
            actor=actor,
            whole=whole,
            towns=towns,
            stored=stored,
        )
        transaction.on_commit(partial(_announce, notices, drafts), robust=True)  # per chunk, once committed
    return counts


class Placed(NamedTuple):
    """An enterprise as routing sees it (built only for those routed: orange, red or alerted)."""

    pk: int
    town_id: int | None


class _Texts:
    """The texts the scan compares findings by, built without building the findings' dicts: the
    digest's ``repr`` and the JSON an alert's evidence is stored as. The parameters' part — the
    longest, and the same few dicts (``Param.evidence``, never changed once built) in every
    finding of a scan — is written once per list of them, remembered by the dicts' ids: the
    dicts are kept here, so no other object can take one of those ids while it is remembered.
    One per chunk."""

    def __init__(self, vendor: str):
        self.vendor = vendor
        self._reprs: dict[tuple[int, ...], tuple[tuple[dict, ...], str]] = {}
        self._json: dict[tuple[int, ...], tuple[tuple[dict, ...], str]] = {}

    def _params_repr(self, params: list[dict]) -> str:
        key = tuple(map(id, params))
        known = self._reprs.get(key)
        if known is None:
            known = self._reprs[key] = (tuple(params), repr(params))
        return known[1]

    def digest(self, result: rules.Assessment) -> str:
        """sha1 of ``repr((level, points, [f.as_dict() for f in findings]))`` — the same text, so a
        stored digest stays valid (``test_scan_texts`` checks it against the dicts' own repr)."""
        findings = ", ".join(
            f"{{'rule': {f.rule!r}, 'level': {f.level!r}, 'points': {f.points!r}, 'text': {f.text!r}, "
            f"'evidence': {{'observations': {f.observations!r}, 'signals': {f.signals!r}, "
            f"'reports': {f.reports!r}}}, 'params': {self._params_repr(f.params)}}}"
            for f in result.findings
        )
        text = f"({result.level!r}, {result.points!r}, [{findings}])"
        return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (a change detector, not a security hash)

    def _params_json(self, params: list[dict]) -> str:
        key = tuple(map(id, params))
        known = self._json.get(key)
        if known is None:
            known = self._json[key] = (tuple(params), _json_text(params, self.vendor))
        return known[1]

    def evidence(self, finding: rules.Finding) -> str:
        """The text an alert's evidence (``_evidence``) is stored as: ``json.dumps`` on SQLite
        (Django's JSONField), jsonb's own output on PostgreSQL (keys by length, then bytes). Only a
        fast path: a stored text that differs is decoded and compared as values (``_same_evidence``)."""
        params = self._params_json(finding.params)
        obs, sigs, reps = finding.observations, finding.signals, finding.reports
        if self.vendor == "postgresql":
            return (
                f'{{"params": {params}, "points": {finding.points}, "evidence": {{"reports": {reps}, '
                f'"signals": {sigs}, "observations": {obs}}}}}'
            )
        return (
            f'{{"evidence": {{"observations": {obs}, "signals": {sigs}, "reports": {reps}}}, '
            f'"params": {params}, "points": {finding.points}}}'
        )


def _json_text(value, vendor: str) -> str:
    """``value`` as the database gives its stored JSON back as text (see ``_Texts.evidence``)."""
    if vendor != "postgresql":
        return json.dumps(value)
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{_json_text(k, vendor)}: {_json_text(value[k], vendor)}" for k in keys) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json_text(v, vendor) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _evidence(finding: rules.Finding) -> dict:
    """What an alert records of its finding (the ``evidence`` column). It must stay inside what the
    assessment's digest covers (``Finding.as_dict``; ``test_scan_texts`` checks it): an enterprise
    whose digest is unchanged has its alerts' texts neither read nor compared (``_store``), so a
    change here that the digest does not see would leave the stored alerts as they are."""
    return {
        "evidence": {
            "observations": finding.observations,
            "signals": finding.signals,
            "reports": finding.reports,
        },
        "params": finding.params,
        "points": finding.points,
    }


_decode = json.loads  # the one place the scan decodes stored evidence


def _same_evidence(stored: str | dict, text: str, finding: rules.Finding) -> bool:
    """Whether an alert's stored evidence is the finding's: the texts are equal (the usual case,
    no decoding), or else the decoded values are."""
    if isinstance(stored, dict):  # already decoded (a driver that decodes JSON itself)
        return stored == _evidence(finding)
    return stored == text or _decode(stored) == _evidence(finding)


def _store(
    facts: dict[int, rules.Facts],
    params,
    as_of,
    now,
    *,
    router: Router,
    due,
    actor: User,
    whole=False,
    towns: dict[int, int | None],
    stored: dict[int, tuple[str, str, datetime.date | None]],
):
    """Assess the chunk and write what changed. ``towns``: each enterprise's territory;
    ``stored``: its stored assessment's (level, digest, stable_until) — both from the scan's locked read."""
    ids = sorted(facts)
    mine = partial(among, ids=ids, whole=whole)
    texts = _Texts(connection.vendor)
    previous = {pk: level for pk, (level, _digest, _until) in stored.items()}
    digests = {pk: digest for pk, (_level, digest, _until) in stored.items()}
    horizons = {pk: until for pk, (_level, _digest, until) in stored.items()}
    moved: list[tuple[datetime.date, int]] = []  # same findings, a new horizon: (day, enterprise)
    # What routing reads (the territory; the kinds come from the facts) — not 5,000 model instances.
    for enterprise_id, enterprise_facts in facts.items():  # the kinds are loaded already
        router.enterprise_kinds.setdefault(enterprise_id, sorted(enterprise_facts.kinds))
    router.prime(ids)
    # The chunk's alerts in one read by enterprise (locked: a closed alert never changes again):
    # - the open ones as plain rows, without their texts: those are read after the loop, and only
    #   for the enterprises whose findings changed (``_read_texts``);
    # - the one each (enterprise, rule) was last closed as: the same finding does not re-open a
    #   closed alert (the office's dismissal or the town's handling stands until the facts change).
    #   Ids only: the evidence of the few a firing rule could re-open is read after the loop.
    # Not two reads filtered by status: SQLite, without statistics, reads "status IN (open,
    # acknowledged)" through the status index — every active alert of the district, each time.
    active: dict[tuple[int, str], ActiveAlert] = {}
    last_closed: dict[tuple[int, str], int] = {}
    active_rules: dict[int, list[str]] = defaultdict(list)  # per enterprise, not a scan of all per enterprise
    for pk, enterprise_id, rule, level, town_id, unit_id, cleared_at, status in _fetch(
        Alert.objects.select_for_update()
        .filter(mine("enterprise_id"))
        .order_by("enterprise_id", "rule", "closed_at", "pk")
        .values_list(*ACTIVE_COLUMNS, "status")
    ):
        key = (enterprise_id, rule)
        if status in ACTIVE_ALERT:
            active[key] = ActiveAlert(pk, enterprise_id, rule, level, town_id, unit_id, cleared_at)
            active_rules[enterprise_id].append(rule)
        else:
            last_closed[key] = pk
    notices: list[ActiveAlert | NewAlert] = []
    assessments, changes, refired, cleared, events, rerouted = [], [], [], [], [], []
    candidates: list[tuple[int, rules.Finding, int | None]] = []  # firing, no open alert: (…, closed one)
    changed: list[tuple[int, rules.Assessment, Route | None]] = []  # findings changed: (…, route if known)
    counts = {"assessed": 0, "changed": 0, "opened": 0, "updated": 0, "cleared": 0}
    levels: dict[int, tuple[str, str]] = {}
    routes: dict[int, tuple] = {}
    none, proposed = Level.NONE, (Level.ORANGE, Level.RED)
    for enterprise_id, enterprise_facts in facts.items():
        result = rules.assess(enterprise_facts, params, as_of)
        route = None
        # The reason is read only for a proposal to the watch list (orange and red).
        reason = (
            "；".join(f.text for f in result.findings if f.level != none) if result.level in proposed else ""
        )
        levels[enterprise_id] = (result.level, reason)
        if result.level in proposed:
            route = router.route(enterprise=Placed(enterprise_id, towns[enterprise_id]))
            routes[enterprise_id] = (route.town_id, route.unit_id)
        digest = texts.digest(result) if result.findings else _QUIET_DIGEST
        if digests.get(enterprise_id) != digest:  # an unchanged result is not rewritten
            findings = [f.as_dict() for f in result.findings]
            assessments.append(
                (
                    enterprise_id,
                    result.level,
                    result.points,
                    findings,
                    as_of,
                    now,
                    digest,
                    result.stable_until,
                )
            )
        elif (until := horizons.get(enterprise_id)) is None or until <= as_of or result.stable_until < until:
            # Its horizon is reached or came closer (new data dated later): the new one is kept. One
            # that moved later stays until reached — re-assessing early is harmless, a write per
            # enterprise and day is not.
            moved.append((result.stable_until, enterprise_id))
        counts["assessed"] += 1
        before = previous.get(enterprise_id, none)
        if before != result.level:
            rules_fired = [f.rule for f in result.findings if f.level != none]
            changes.append((enterprise_id, before, result.level, result.points, rules_fired, as_of, now))
        if digests.get(enterprise_id) != digest:
            changed.append((enterprise_id, result, route))  # its alerts compared after the loop
            continue
        # Findings unchanged (the digest covers each finding's level, text and evidence): its open
        # alerts are as the write of this digest left them — only a scan writes an alert's level,
        # text, evidence and cleared mark, and a person only its status — and no firing rule lacks
        # an open alert that the comparison would open (one closed since was closed on this same
        # finding). Only the routing may differ: the enterprise's town, or the tables (a new basis).
        if enterprise_id in active_rules:
            firing = {f.rule for f in result.findings if f.level != none}  # (a cleared one is not re-routed)
            for rule_code in active_rules[enterprise_id]:
                if rule_code in firing:
                    route = route or router.route(enterprise=Placed(enterprise_id, towns[enterprise_id]))
                    _reroute(active[(enterprise_id, rule_code)], route, rerouted, events, now)
    _read_texts([active[(e, rule)] for e, _r, _route in changed for rule in active_rules.get(e, ())])
    for enterprise_id, result, route in changed:
        firing = set()
        for finding in result.findings:
            if finding.level == none:
                continue
            firing.add(finding.rule)
            alert = active.get((enterprise_id, finding.rule))
            if alert is None:
                candidates.append((enterprise_id, finding, last_closed.get((enterprise_id, finding.rule))))
                continue
            if (
                alert.level != finding.level
                or alert.explanation != finding.text
                or alert.cleared_at is not None
                or not _same_evidence(alert.evidence, texts.evidence(finding), finding)
            ):
                if LEVEL_RANK[finding.level] > LEVEL_RANK[alert.level]:
                    notices.append(alert)  # a rise (yellow → red) is news for the town and line
                alert.evidence, alert.level, alert.explanation = (
                    _evidence(finding),
                    finding.level,
                    finding.text,
                )
                alert.last_fired_at, alert.cleared_at = now, None
                refired.append(alert)
                events.append((alert, Action.REFIRE, "", now, finding.text))
            # The enterprise may have moved town or line since the alert opened.
            route = route or router.route(enterprise=Placed(enterprise_id, towns[enterprise_id]))
            _reroute(alert, route, rerouted, events, now)
        for rule_code in active_rules.get(enterprise_id, ()):
            alert = active[(enterprise_id, rule_code)]
            if rule_code not in firing and alert.cleared_at is None:
                alert.cleared_at = now
                cleared.append(alert)
                events.append((alert, Action.CLEAR, "", now, "数据更新后规则不再触发，请核实后处置或排除"))
    new_alerts = _opening(candidates, texts, towns, router, now=now, due=due)
    insert_rows(
        RiskAssessment,
        ["enterprise_id", "level", "points", "findings", "as_of", "assessed_at", "digest", "stable_until"],
        assessments,
        upsert_on=["enterprise_id"],
    )
    _move_horizons(moved)
    insert_rows(
        RiskChange, ["enterprise_id", "from_level", "to_level", "points", "rules", "as_of", "at"], changes
    )
    _insert_alerts(new_alerts)
    events += [(alert, Action.OPEN, AlertStatus.OPEN, now, alert.explanation) for alert in new_alerts]
    _update_alerts(refired, ["evidence", "level", "explanation", "last_fired_at", "cleared_at"])
    _update_alerts(cleared, ["cleared_at"])
    _update_alerts(rerouted, ["town_id", "unit_id"])
    insert_rows(
        AlertEvent,
        ["alert_id", "action", "from_status", "to_status", "actor_id", "at", "note"],
        (
            (alert.pk, action, "", to_status, actor.pk, at, note)
            for alert, action, to_status, at, note in events
        ),
    )
    drafts = immediate.reports_draft(alerts=new_alerts, now=now, actor=actor)
    counts["proposed"] = watch.watch_sync(levels=levels, routes=routes, now=now, actor=actor)
    counts.update(changed=len(changes), opened=len(new_alerts), updated=len(refired), cleared=len(cleared))
    return counts, new_alerts + notices, drafts


# The digest of an assessment without findings (most enterprises): the text ``_Texts.digest`` hashes.
_QUIET_DIGEST = hashlib.sha1(repr((Level.NONE.value, 0, [])).encode()).hexdigest()  # noqa: S324


def _opening(
    candidates: list[tuple[int, rules.Finding, int | None]],
    texts: _Texts,
    towns: dict[int, int | None],
    router: Router,
    *,
    now: datetime.datetime,
    due: Callable[[], tuple[datetime.datetime, str]],
) -> list[NewAlert]:
    """The alerts to open for findings that fire with no open alert: each unless the alert last
    closed for the same enterprise and rule was closed on the same finding (same evidence, same
    sentence). Only those closed alerts' evidence is read — one query, not every closed alert's."""
    wanted = [pk for _e, _f, pk in candidates if pk is not None]
    closed = (
        {
            pk: (evidence, explanation)
            for pk, evidence, explanation in _fetch(
                Alert.objects.filter(pk__in=wanted).values_list("pk", "evidence", "explanation")
            )
        }
        if wanted
        else {}
    )
    opened = []
    for enterprise_id, finding, closed_pk in candidates:
        if closed_pk in closed:
            evidence, explanation = closed[closed_pk]
            if explanation == finding.text and _same_evidence(evidence, texts.evidence(finding), finding):
                continue
        route = router.route(enterprise=Placed(enterprise_id, towns[enterprise_id]))
        opened.append(
            NewAlert(
                enterprise_id=enterprise_id,
                rule=finding.rule,
                level=finding.level,
                explanation=finding.text,
                evidence=_evidence(finding),
                town_id=route.town_id,
                unit_id=route.unit_id,
                opened_at=now,
                opened_on=timezone.localdate(now),
                last_fired_at=now,
                due_at=due()[0],
                due_basis=due()[1],
            )
        )
    return opened


ALERT_COLUMNS = (
    "enterprise_id",
    "rule",
    "level",
    "status",
    "explanation",
    "evidence",
    "town_id",
    "unit_id",
    "opened_at",
    "opened_on",
    "last_fired_at",
    "due_at",
    "due_basis",
    "outcome",
)


@dataclass(slots=True)
class ActiveAlert:
    """An open or acknowledged alert as the scan compares and updates it: the columns it reads.
    (A model instance per alert was a third of a re-scan at city scale: most are unchanged.)

    Read with ``_fetch``; ``explanation`` and ``evidence`` only when its enterprise's findings
    changed (``_read_texts``): ``evidence`` is then the stored JSON text until the scan changes it
    (then the new dict). ``cleared_at`` only tells whether it is set (the driver's value is never
    written back: a refire sets it to None, a clear to now), ``last_fired_at`` is not read
    (only a refire writes it)."""

    pk: int
    enterprise_id: int
    rule: str
    level: str
    town_id: int | None
    unit_id: int | None
    cleared_at: datetime.datetime | None
    explanation: str = ""  # read only for an enterprise whose findings changed (_read_texts)
    evidence: str | dict = ""
    last_fired_at: datetime.datetime | None = None


ACTIVE_COLUMNS = ("pk", "enterprise_id", "rule", "level", "town_id", "unit_id", "cleared_at")


def _read_texts(alerts: list[ActiveAlert]) -> None:
    """Fill in the explanation and the evidence (as its stored text) of these open alerts: those of
    the enterprises whose findings changed, the only ones compared with their findings. An
    unchanged full scan reads none of them (13,000 evidence texts, 14 MB, at 20,000 enterprises)."""
    by_id = {alert.pk: alert for alert in alerts}
    ids = sorted(by_id)
    for start in range(0, len(ids), CHUNK):  # lists as long as a chunk's ids (among)
        for pk, explanation, evidence in _fetch(
            Alert.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
                "pk", "explanation", "evidence"
            )
        ):
            by_id[pk].explanation, by_id[pk].evidence = explanation, evidence


def _reroute(alert: ActiveAlert, route: Route, rerouted: list, events: list, now: datetime.datetime) -> None:
    """The enterprise may have moved town or line since the alert opened: follow it."""
    if (alert.town_id, alert.unit_id) != (route.town_id, route.unit_id):
        alert.town_id, alert.unit_id = route.town_id, route.unit_id
        rerouted.append(alert)
        events.append((alert, Action.REFIRE, "", now, "企业属地或条线已变更，重新分派：" + route.note))


def _move_horizons(moved: list[tuple[datetime.date, int]]) -> None:
    """Store the new horizon of assessments whose findings did not change. A day many move to (a
    full scan's thousands share a few days) is one UPDATE … IN; the others (a day's first scan moves
    a few, nearly each to its own day) go together (``update_rows``) — not a statement built by the
    ORM for each day."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for until, enterprise_id in moved:
        by_day[until].append(enterprise_id)
    few = []
    for until, ids in by_day.items():
        if len(ids) >= MANY_MOVED:
            RiskAssessment.objects.filter(enterprise_id__in=ids).update(stable_until=until)
        else:
            few += [(enterprise_id, until) for enterprise_id in ids]
    update_rows(RiskAssessment, ["stable_until"], few, key="enterprise")


def _update_alerts(alerts: list[ActiveAlert], fields: list[str]) -> None:
    """Write the changed columns of the alerts the scan changed, together (``update_rows``).
    ``bulk_update``'s CASE … WHEN per field and row cost several milliseconds per alert to build —
    most of a day's first scan."""
    update_rows(Alert, fields, [(a.pk, *(getattr(a, name) for name in fields)) for a in alerts])


@dataclass(slots=True)
class NewAlert:
    """An alert the scan opens: the columns it writes (a model instance each would cost more than
    the insert at city scale), then its id."""

    enterprise_id: int
    rule: str
    level: str
    explanation: str
    evidence: dict
    town_id: int | None
    unit_id: int | None
    opened_at: datetime.datetime
    opened_on: datetime.date
    last_fired_at: datetime.datetime
    due_at: datetime.datetime
    due_basis: str
    status: str = AlertStatus.OPEN
    outcome: str = ""
    pk: int | None = None


def _insert_alerts(alerts: list[NewAlert]) -> None:
    """Write the scan's new alerts in one statement per batch and give each its id."""
    ids = insert_rows(
        Alert, ALERT_COLUMNS, ([getattr(a, c) for c in ALERT_COLUMNS] for a in alerts), returning=True
    )
    for alert, pk in zip(alerts, ids, strict=True):
        alert.pk = pk


def _announce(alerts: list[ActiveAlert | NewAlert], drafts: list | None = None) -> None:
    """One notice per town and department for the alerts opened for them (SMS when red) and the
    immediate-report drafts they must complete (SMS: the clock runs) — one notice for both."""
    drafts = drafts or []
    if not alerts and not drafts:
        return
    town_units = dict(
        Unit.objects.filter(town_id__in={a.town_id for a in [*alerts, *drafts]}).values_list("town_id", "pk")
    )
    by_unit: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        for unit_id in {alert.unit_id, town_units.get(alert.town_id)}:
            if unit_id:
                by_unit[unit_id].append(alert)
    shown = {a.enterprise_id for items in by_unit.values() for a in items[:8]}  # the names a notice shows
    shown |= {r.enterprise_id for r in drafts[:50]}
    names = dict(Enterprise.objects.filter(pk__in=shown).values_list("pk", "name"))
    reports = immediate.draft_notices(drafts, names, town_units)
    notices = []
    for unit_id in by_unit.keys() | reports.keys():
        items = by_unit.get(unit_id, [])
        red = any(a.level == Level.RED for a in items)
        subject = body = url = ""
        if len(items) == 1:
            a = items[0]
            subject = f"{dict(Level.choices)[a.level]}预警：{names.get(a.enterprise_id, '')}"
            url = reverse("alert-detail", args=[a.pk])
            body = a.explanation
        elif items:
            subject = f"新预警 {len(items)} 条" + ("（含红色）" if red else "")
            url = reverse("alert-list") + "?mine=1"
            body = "；".join(f"{names.get(a.enterprise_id, '')}：{a.explanation[:40]}" for a in items[:8])
        if unit_id in reports:  # the drafts' deadline is the more pressing: their link, one text
            report_subject, report_body, url = reports[unit_id]
            subject = "；".join(filter(None, [subject, report_subject]))
            body = "；".join(filter(None, [body, report_body]))
        notices.append(
            UnitNotice(
                unit_id=unit_id,
                subject=subject,
                body=body,
                url=url,
                topic="alert",
                sms=red or unit_id in reports,
                about=names.get(items[0].enterprise_id, "")
                if len({a.enterprise_id for a in items}) == 1
                else "",
            )
        )
    notify_units_each(notices)  # one read of the units' users, one insert of the inbox rows


def scan_basis(
    as_of: datetime.date, *, params: dict[str, rules.Param] | None = None, router: Router | None = None
) -> str:
    """A digest of what every assessment depends on besides the data and the day: the parameter
    values in force on ``as_of``, the code that derives findings and the routing tables. When it
    changes, every enterprise is re-assessed (and its open alerts re-routed). The day itself is not
    in it: an assessment knows until when it stands (``RiskAssessment.stable_until``); a parameter
    taking effect on a day changes the basis on that day. ``params`` (those in force on ``as_of``) and
    ``router``: already read by the caller, which scans with them."""
    evidence = [p.evidence() for p in (params if params is not None else params_on(as_of)).values()]
    routing = repr((router if router is not None else Router()).tables())  # who an alert goes to
    text = json.dumps([evidence, rules.SOURCE_DIGEST, routing], sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 (a change detector)


# A read of enterprise ids: a queryset and the column that holds them.
Read = tuple[QuerySet, str]


def _changed_reads(since: datetime.datetime) -> list[Read]:
    """Enterprises whose facts may have changed since ``since``: an observation reported, a signal
    recorded, verified, merged or re-sent, a self-report, a new or edited enterprise (its kinds
    too, through the audit log). Indexed range reads, no facts loaded; no DISTINCT either — it would
    tempt SQLite's planner into walking the enterprise index of the whole table instead."""
    enterprise_log = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Enterprise), timestamp__gte=since
    )
    return [
        (Observation.objects.filter(recorded_at__gte=since), "enterprise_id"),
        (Signal.objects.filter(updated_at__gte=since, enterprise__isnull=False), "enterprise_id"),
        (
            SignalEvent.objects.filter(at__gte=since, signal__enterprise__isnull=False),
            "signal__enterprise_id",
        ),
        (SelfReport.objects.filter(updated_at__gte=since), "enterprise_id"),
        (enterprise_log.filter(object_id__isnull=False), "object_id"),  # the audit log's integer key
        (Enterprise.objects.filter(updated_at__gte=since), "pk"),  # new or saved
    ]


def _due_reads(as_of: datetime.date) -> list[Read]:
    """Enterprises whose assessment may change with the date by ``as_of`` (its ``stable_until`` is
    reached, or unknown), and those without one. One indexed range read; the missing ones are
    looked for only when the two counts differ (an assessment's enterprise is never deleted)."""
    reads: list[Read] = [
        (
            RiskAssessment.objects.filter(Q(stable_until__lte=as_of) | Q(stable_until__isnull=True)),
            "enterprise_id",
        )
    ]
    if Enterprise.objects.count() != RiskAssessment.objects.count():
        reads.append((Enterprise.objects.filter(risk__isnull=True), "pk"))
    return reads


def _dated_reads(after: datetime.date, as_of: datetime.date) -> list[Read]:
    """Enterprises with data dated after ``after`` up to ``as_of``: a signal received, a month's
    observation, a self-report delivered on those days. The scan loads nothing dated after its day,
    so such data, recorded before the last scan began (a figure for the coming month, or a scan of
    a past day), comes into view only now. Indexed range reads (received, month); self-reports are few."""
    local = timezone.get_current_timezone()

    def start(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=local)

    received = Signal.objects.filter(
        received_at__gte=start(after + datetime.timedelta(days=1)),
        received_at__lt=start(as_of + datetime.timedelta(days=1)),
        enterprise__isnull=False,
    )
    return [
        (received, "enterprise_id"),
        (Observation.objects.filter(month__gt=after, month__lte=as_of), "enterprise_id"),
        (SelfReport.objects.filter(reported_on__gt=after, reported_on__lte=as_of), "enterprise_id"),
    ]


def changed_since(since: datetime.datetime) -> set[int]:
    """The enterprises ``_changed_reads`` finds (the scan asks them with the other reads at once)."""
    return enterprises_found(changed=_changed_reads(since))["changed"]


def due_on(as_of: datetime.date) -> set[int]:
    """The enterprises ``_due_reads`` finds."""
    return enterprises_found(due=_due_reads(as_of))["due"]


def dated_into_view(after: datetime.date, as_of: datetime.date) -> set[int]:
    """The enterprises ``_dated_reads`` finds."""
    return enterprises_found(arrived=_dated_reads(after, as_of))["arrived"]


def enterprises_found(**groups: list[Read]) -> dict[str, set[int]]:
    """The enterprise ids each group of reads finds — all in one statement (``UNION ALL``, each row
    tagged with its group's name): a day's first scan asks ten of them, a round trip each before."""
    tagged = [
        queryset.order_by().values_list(column, Value(name, output_field=CharField()))
        for name, reads in groups.items()
        for queryset, column in reads
    ]
    found: dict[str, set[int]] = {name: set() for name in groups}
    if not tagged:
        return found
    for enterprise_id, name in tagged[0].union(*tagged[1:], all=True):
        found[name].add(int(enterprise_id))
    return found


def scan_district(
    *, as_of: datetime.date | None = None, now=None, full: bool = False, reason: str = "", shards: int = 0
) -> ScanRun:
    """The district-wide scan, in one of three modes.

    - Full (every enterprise): when asked (``full``), on the first scan, when the parameters in
      force, the rules' code or the routing tables changed since the last complete scan
      (``scan_basis``), or when asked for a day before that scan's.
    - Day (``ScanRun.Mode.DAY``, the first scan of a new day): the enterprises whose assessment may
      change with the date by today (``RiskAssessment.stable_until`` reached — see
      ``rules.horizon`` — or unknown, or no assessment yet), those whose data changed since the last
      complete scan began (``changed_since``) and those with data dated into view since its day
      (``dated_into_view``). Every other enterprise would be assessed exactly as it stands.
    - Changed (the same day, same basis): only the enterprises whose data changed since the last
      complete scan began (each change is also re-assessed right after its commit — this is the
      safety net, and it is cheap).

    Skipping an enterprise whose horizon is ahead leaves nothing undone that a full scan would do
    for it: with its findings unchanged, the full scan would write no assessment, no level change,
    open, re-fire or clear no alert (a closed alert is not re-opened on the evidence it closed on),
    draft no immediate report (drafts follow newly opened alerts only), route nothing anew (the
    routing depends on the enterprise's town and kinds — data, in ``changed_since`` — and the
    tables, in the basis) and propose no watch entry (proposals follow the level, kept on live
    entries by the scan itself). New alerts' due dates are computed when they open, from ``now``.
    A run that fails part-way is not complete (and not recorded): the next compares with the last
    complete one.

    With ``shards`` (> 0) a scan of every enterprise is not run here: it is split into that many
    shards queued for the scan workers (``shards.enqueue``), and the run returned is finished only
    when its last shard is. A day's or a changed-only scan is small and always runs here."""
    started = timezone.now()  # the real clock: it is compared with the data's write times
    now = now or started
    as_of = as_of or timezone.localdate(now)
    # Read once: the basis is what the scan runs with.
    params, router = params_on(as_of), Router()
    basis = scan_basis(as_of, params=params, router=router)
    last = ScanRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    ids: set[int] | None = None
    if full:
        mode, why = ScanRun.Mode.FULL, reason or "要求全面重评"
    elif last is None:
        mode, why = ScanRun.Mode.FULL, "首次扫描"
    elif last.basis != basis:
        mode, why = ScanRun.Mode.FULL, "参数、规则或分派表已变更"
    elif as_of < last.as_of:
        mode, why = ScanRun.Mode.FULL, f"评估基准日提前（{last.as_of:%Y-%m-%d} → {as_of:%Y-%m-%d}）"
    else:
        changed_reads = _changed_reads(min(last.started_at, started) - CHANGED_MARGIN)
        if as_of > last.as_of:
            found = enterprises_found(
                due=_due_reads(as_of), changed=changed_reads, arrived=_dated_reads(last.as_of, as_of)
            )
            due, changed, arrived = found["due"], found["changed"], found["arrived"]
            ids = due | changed | arrived
            mode, why = (
                ScanRun.Mode.DAY,
                f"日切（{last.as_of:%m-%d} → {as_of:%m-%d}）：到期 {len(due)} 家、数据有变化 {len(changed)} 家、"
                f"新入期数据 {len(arrived)} 家",
            )
        else:
            ids = enterprises_found(changed=changed_reads)["changed"]
            mode, why = (
                ScanRun.Mode.CHANGED,
                f"自 {timezone.localtime(last.started_at):%m-%d %H:%M} 以来数据有变化的企业",
            )
    run = ScanRun(started_at=started, as_of=as_of, basis=basis, mode=mode, reason=why[:100])
    if shards > 0 and ids is None:
        from anxin.monitoring import shards as sharding  # it imports this module

        run.save()  # the shards' parent, visible while they run
        return sharding.enqueue(run, shards=shards, now=now)
    totals = scan(as_of=as_of, enterprise_ids=ids, now=now, params=params, router=router)
    # Recorded once it is complete (one write, not a row made first and finished after): a run that
    # fails part-way leaves no row, and the next compares with the last complete one.
    run.assessed, run.changed, run.opened = totals["assessed"], totals["changed"], totals["opened"]
    run.finished_at = timezone.now()
    run.seconds = round((run.finished_at - started).total_seconds(), 2)
    run.save()
    return run


def on_enterprises_changed(enterprise_ids: list[int]) -> None:
    """A new or changed signal or observation: re-assess those enterprises now."""
    scan(enterprise_ids=enterprise_ids)


def scan_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: re-assess as of today — everything after a parameter or rules change; on a new
    day those whose findings may change with the date (ageing data, deadlines) and those whose data
    changed; otherwise those whose data changed (``scan_district``). With
    ``settings.SCAN_SHARDS`` a scan of everyone is queued as that many shards for the scan
    workers instead (and counts 0 here: the workers assess); while such a run is under way the
    tick leaves it to finish — a change meanwhile is re-assessed on its commit, and the next
    tick after the run catches anything since its start."""
    from anxin.monitoring import shards

    if settings.SCAN_SHARDS and shards.in_flight():
        return 0
    as_of = timezone.localdate(now) if now else None
    run = scan_district(now=now, as_of=as_of, shards=settings.SCAN_SHARDS)
    return run.assessed
