"""Intake's parts of the file exchange across the zone boundary (anxin/core/exchange.py,
docs/operations.md §15.4): for a district whose portal host runs on its own database.

Portal host → inside (``reports`` bundles):

- ``intake.reports``: the reports written on the portal since the last bundle, with their photos.
  Inside they are written as the shared-database portal writes them — unrouted
  (``awaiting_routing``) — so the tick's ``portal_reports_route`` routes, checks and announces them.
- ``intake.actions``: what workers did on the portal to older reports — material (with its photos)
  and ratings. Inside they go through the same services as on a shared database
  (``material_write``, ``portal_rate``), so a 不满意 reopens the report there (and the report it
  was merged into) and the handlers are told there, with the internal zone's ids.

Inside → portal host (``status`` bundles, whole snapshots):

- ``intake.status``: each report that came through the exchange as the status page reads it (stage
  and its dates, the reply, the rating, the follow-up deadline, the handling town and unit) and its
  progress record (``PublicProgress``). Internal notes never leave: the stage moves go without
  their notes or actors.
- ``intake.projects``: the notice-board projects (``PortalProject``) and, for the portal's own
  database, a bare ``registry.Project`` row for each (id, name, town, supervising line): the
  report form from a board names its project, and the portal's database checks that reference.

Ids differ between the two databases: a report is known by its tracking code, towns, units and
channels by their codes (both sides load the same district file); projects keep the internal id
(the portal's database holds no project of its own).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.db import models
from django.db.models import Max
from django.utils import timezone

from anxin.core import seam
from anxin.core.audit import guarded_update
from anxin.core.crypto import decrypt
from anxin.core.errors import DomainError
from anxin.core.exchange import (
    LoadContext,
    RowError,
    as_stored,
    code_of,
    flag,
    hold,
    iso,
    items,
    moment,
    number,
    stored_text,
    text,
)
from anxin.intake.models import (
    Channel,
    PortalProject,
    PublicProgress,
    Satisfaction,
    Signal,
    SignalAttachment,
    SignalEvent,
    SignalKind,
    Stage,
)
from anxin.intake.services.portal import material_note, material_write, portal_rate
from anxin.intake.services.recording import AWAITING_NOTE
from anxin.org.models import Town, Unit, User
from anxin.registry.models import Project, ProjectSupervisor

Action = SignalEvent.Action
logger = logging.getLogger(__name__)

# The CREATE event of a report that came through the exchange starts with this: the reports whose
# state goes back to the portal host are these (the internal zone's own portal pages take reports too).
EXCHANGED_NOTE = "互联网区受理，经文件摆渡导入"
# What the portal does itself: its own record of these is kept there, never replaced from inside.
PORTAL_OWN = (Action.CREATE, Action.MATERIAL, Action.RATE)

# The report's facts as the portal wrote them (the worker's words), copied as they are.
TEXTS = {
    "employer_name": 100,
    "employer_uscc": 18,
    "project_name": 150,
    "work_address": 200,
    "contractor_name": 100,
    "period": 60,
    "summary": None,
    "reporter_name": 50,
    "reporter_phone_index": 64,
    "source_ip_hash": 64,
    "due_basis": 300,
}
COUNTS = ("workers", "amount", "months_owed")
ENCRYPTED = ("reporter_phone", "reporter_id_number")

# One part's share of one bundle, well under what an import accepts (anxin.core.exchange.MAX_*: a
# backlog in one bundle would be refused inside for ever). A part stops at the row that reaches
# one of these, marks that row as its last, and says there is more: ``portal_exchange
# export-reports`` exports again until nothing is left.
EXPORT_MAX_ROWS = 5_000
EXPORT_MAX_FILES = 5_000
EXPORT_MAX_FILE_BYTES = 500 * 1024 * 1024


# Where the reports part of the bundle being made stopped (``upto``: the last report included,
# None when it took everything), for the actions part that runs after it in the same export.
_reports_cut: dict = {"now": None, "upto": None}


class _Share:
    """What a part has put into the bundle so far, against its share (``EXPORT_MAX_*``)."""

    def __init__(self) -> None:
        self.rows = self.files = self.bytes = 0

    def full(self) -> bool:
        return (
            self.rows >= EXPORT_MAX_ROWS
            or self.files >= EXPORT_MAX_FILES
            or self.bytes >= EXPORT_MAX_FILE_BYTES
        )

    def add(self, photos: list[dict], files: dict[str, bytes]) -> None:
        self.rows += 1
        self.files += len(photos)
        self.bytes += sum(len(files[p["file"]]) for p in photos)


# --- portal host → inside: the reports ----------------------------------------------------------------


def _top(model: type[models.Model]) -> int:
    return model._default_manager.aggregate(top=Max("pk"))["top"] or 0


def reports_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    """The reports written on the portal after the last bundle's, with their submission photos."""
    hold(Signal, SignalEvent, SignalAttachment)
    after_signal, after_photo = since.get("signal", 0), since.get("attachment", 0)
    top_signal, top_photo = _top(Signal), _top(SignalAttachment)
    signals = list(
        Signal.objects.filter(pk__gt=after_signal, pk__lte=top_signal, tracking_code__isnull=False)
        .select_related("channel", "town")
        .annotate(**{f"stored_{name}": stored_text(name) for name in ENCRYPTED})
        .order_by("pk")
    )
    firsts = _first_material(signals)
    photos: dict[int, list[SignalAttachment]] = defaultdict(list)
    for photo in SignalAttachment.objects.filter(
        signal__in=signals, pk__gt=after_photo, pk__lte=top_photo
    ).order_by("pk"):
        first = firsts.get(photo.signal_id)
        if first is None or photo.uploaded_at < first:  # not a later material's
            photos[photo.signal_id].append(photo)
    rows: list[dict] = []
    files: dict[str, bytes] = {}
    share, last = _Share(), after_signal
    _reports_cut.update(now=now, upto=None)
    for signal in signals:
        if share.full():
            # The photos of the reports left are above the old photo mark: it stays. The actions
            # part of this bundle stops at the first action on a report left for the next one.
            _reports_cut.update(upto=last)
            return seam.ExportedPart(rows, files, {"signal": last, "attachment": after_photo}, more=True)
        listed = _photos(photos[signal.pk], files)
        row = {
            "tracking_code": signal.tracking_code,
            "channel": signal.channel.code,
            "kind": signal.kind,
            "town": signal.town.code if signal.town else None,
            "project": signal.project_id,
            "occurred_at": iso(signal.occurred_at),
            "received_at": iso(signal.received_at),
            "due_at": iso(signal.due_at),
            **{name: getattr(signal, name) for name in TEXTS},
            **{name: getattr(signal, name) for name in COUNTS},
            **{name: getattr(signal, f"stored_{name}") or "" for name in ENCRYPTED},
            "photos": listed,
        }
        rows.append(row)
        share.add(listed, files)
        last = signal.pk
    return seam.ExportedPart(rows, files, {"signal": top_signal, "attachment": top_photo})


def _first_material(signals: list[Signal]) -> dict[int, datetime.datetime]:
    found: dict[int, datetime.datetime] = {}
    for signal_id, at in (
        SignalEvent.objects.filter(signal__in=signals, action=Action.MATERIAL)
        .order_by("at")
        .values_list("signal_id", "at")
    ):
        found.setdefault(signal_id, at)
    return found


def _photos(photos: list[SignalAttachment], files: dict[str, bytes]) -> list[dict]:
    listed = []
    for photo in photos:
        member = f"files/intake/{photo.token}{photo.extension}"
        with photo.file.open("rb") as stored:
            files[member] = stored.read()
        listed.append({"name": photo.name, "file": member})
    return listed


def reports_load(rows: list[dict], *, context: LoadContext) -> int:
    """Write the portal's new reports unrouted, with their photos (checked again by what they are:
    they came from the internet). A tracking code already on file is not written twice."""
    channels = dict(Channel.objects.values_list("code", "pk"))
    towns = dict(Town.objects.values_list("code", "pk"))
    codes = [r.get("tracking_code") for r in rows]
    on_file = set(
        Signal.objects.filter(tracking_code__in=[c for c in codes if isinstance(c, str)]).values_list(
            "tracking_code", flat=True
        )
    )
    written = 0
    for index, row in enumerate(rows):
        code = text(row, "tracking_code", record=f"第 {index + 1} 条反映", blank=False, most=16)
        record = f"反映（查询码 {code}）"
        if code in on_file:
            continue
        channel_id = code_of(channels, row, "channel", record=record)
        if channel_id is None:
            raise RowError(record, "channel", "不能为空")
        kind = text(row, "kind", record=record, blank=False)
        if kind not in SignalKind.values:
            raise RowError(record, "kind", f"不是线索类型：{kind}")
        project_id = number(row, "project", record=record, optional=True)
        if project_id is not None and not Project.objects.filter(pk=project_id).exists():
            project_id = None  # the project is gone inside: the name the worker saw stays
        facts = {name: text(row, name, record=record, most=most) for name, most in TEXTS.items()}
        if not facts["summary"].strip():
            raise RowError(record, "summary", "不能为空")
        if not (facts["employer_name"] or facts["employer_uscc"]):
            raise RowError(record, "employer_name", "须有用人单位名称或统一社会信用代码")
        counts = {name: number(row, name, record=record) for name in COUNTS}
        ciphertexts = {name: text(row, name, record=record) for name in ENCRYPTED}
        for name, value in ciphertexts.items():
            if value:
                try:
                    decrypt(value, context=f"intake.signal.{name}")
                except Exception:
                    raise RowError(record, name, "无法解密：两边的 FIELD_ENCRYPTION_KEY 是否相同？") from None
        signal = Signal(
            channel_id=channel_id,
            kind=kind,
            town_id=code_of(towns, row, "town", record=record),
            project_id=project_id,
            occurred_at=moment(row, "occurred_at", record=record, optional=True),
            received_at=moment(row, "received_at", record=record),
            due_at=moment(row, "due_at", record=record, optional=True),
            routing_note=AWAITING_NOTE,
            awaiting_routing=True,
            tracking_code=code,
            created_by=context.actor,
            **facts,
            **counts,
            **{name: as_stored(value) for name, value in ciphertexts.items()},
        )
        signal.save()
        SignalEvent.objects.create(
            signal=signal,
            action=Action.CREATE,
            actor=context.actor,
            at=signal.received_at,
            note=f"{EXCHANGED_NOTE}（第 {context.sequence} 包）",
        )
        for photo in _photo_rows(row, record=record, context=context):
            _store(signal, photo, record=record, actor=context.actor)
        on_file.add(code)
        written += 1
    return written


def _photo_rows(row: dict, *, record: str, context: LoadContext) -> list[tuple[str, bytes]]:
    found = []
    for photo in items(row, "photos", record=record):
        if not isinstance(photo, dict):
            raise RowError(record, "photos", "应为照片记录的列表")
        name = text(photo, "name", record=record, most=150)
        member = text(photo, "file", record=record, blank=False)
        try:
            content = context.files(member)
        except KeyError:
            raise RowError(record, "photos", f"文件包中没有 {member}") from None
        found.append((name, content))
    return found


def _store(signal: Signal, photo: tuple[str, bytes], *, record: str, actor: User) -> None:
    from anxin.intake.services.facts import PORTAL_PHOTOS
    from anxin.intake.services.recording import attachment_store

    try:
        attachment_store(actor=actor, signal=signal, name=photo[0], content=photo[1], allowed=PORTAL_PHOTOS)
    except DomainError as exc:
        raise RowError(record, "photos", f"{photo[0]}：{exc.message}") from None


# --- portal host → inside: the workers' actions on older reports ---------------------------------------


def actions_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    """Material and ratings given on the portal after the last bundle's, in the order given."""
    hold(Signal, SignalEvent, SignalAttachment)
    after_event, after_photo = since.get("event", 0), since.get("attachment", 0)
    top_event, top_photo = _top(SignalEvent), _top(SignalAttachment)
    events = list(
        SignalEvent.objects.filter(
            pk__gt=after_event, pk__lte=top_event, action__in=[Action.MATERIAL, Action.RATE]
        )
        .select_related("signal")
        .order_by("pk")
    )
    photos: dict[int, list[SignalAttachment]] = defaultdict(list)  # by event
    material = defaultdict(list)
    for event in events:
        if event.action == Action.MATERIAL:
            material[event.signal_id].append(event)
    for photo in SignalAttachment.objects.filter(
        signal_id__in=list(material), pk__gt=after_photo, pk__lte=top_photo
    ).order_by("pk"):
        # A material's photos are stored right after its event is timed: the latest before them.
        owner = [e for e in material[photo.signal_id] if e.at <= photo.uploaded_at]
        if owner:
            photos[owner[-1].pk].append(photo)
    reopened = set(
        SignalEvent.objects.filter(
            signal_id__in={e.signal_id for e in events if e.action == Action.RATE}, action=Action.REOPEN
        ).values_list("signal_id", "at")
    )
    rows: list[dict] = []
    files: dict[str, bytes] = {}
    share, last = _Share(), after_event
    # Where this bundle's reports part stopped, if it did (it runs first, with the same ``now``).
    upto = _reports_cut["upto"] if _reports_cut["now"] == now else None
    for event in events:
        if share.full() or (upto is not None and event.signal_id > upto):
            # A later material's photos are above the old photo mark: it stays. An action on a
            # report not in this bundle waits for the bundle that carries the report.
            return seam.ExportedPart(rows, files, {"event": last, "attachment": after_photo}, more=True)
        signal = event.signal
        row: dict = {"tracking_code": signal.tracking_code, "action": event.action, "at": iso(event.at)}
        listed = []
        if event.action == Action.MATERIAL:
            listed = _photos(photos[event.pk], files)
            suffix = material_note("", [p["name"] for p in listed])
            words = event.note[: -len(suffix)] if suffix and event.note.endswith(suffix) else event.note
            row.update(text=words, photos=listed)
        else:
            # portal_rate reopens, at the rating's own time, exactly when the rating is 不满意 or
            # the worker ticked 仍未拿到工资: the second is read back from that.
            row.update(
                rating=signal.satisfaction,
                comment=signal.satisfaction_comment,
                still_unpaid=signal.satisfaction != Satisfaction.DISSATISFIED
                and (signal.pk, event.at) in reopened,
            )
        rows.append(row)
        share.add(listed, files)
        last = event.pk
    return seam.ExportedPart(rows, files, {"event": top_event, "attachment": top_photo})


def actions_load(rows: list[dict], *, context: LoadContext) -> int:
    """Apply the workers' material and ratings to the reports with the same tracking codes, through
    the services a shared-database portal calls (the units are told here). An action the report no
    longer takes (rated twice, or no longer closed) is kept on its record as a note, never lost.
    Only reports that came through the exchange take them (any other refuses the bundle), and the
    action's time is clamped between the report's arrival and the bundle's making."""
    applied = 0
    for index, row in enumerate(rows):
        code = text(row, "tracking_code", record=f"第 {index + 1} 条操作", blank=False, most=16)
        record = f"反映（查询码 {code}）的操作"
        action = text(row, "action", record=record)
        at = moment(row, "at", record=record)
        signal = Signal.objects.filter(tracking_code=code).first()
        if signal is None and context.skipped:
            # The report was in a bundle let go with --allow-gap: its actions cannot land either
            # (the import's record shows fewer written than sent; operations §15.4.1 says what to do).
            logger.warning("exchange: %s on report %s… skipped, the report never arrived", action, code[:4])
            continue
        if signal is None:
            raise RowError(record, "tracking_code", "内网没有该查询码的反映（是否漏导了之前的包？）")
        if not _exchanged(signal):
            # The portal host only ever learns the reports that came through the exchange: an
            # action on any other is not the portal's to give (a host taken over, guessing codes).
            raise RowError(record, "tracking_code", "该反映不是经文件摆渡从门户进来的，门户无权对它操作")
        # A worker acts between the report's arrival and the bundle's making: a time outside that
        # (the portal host's clock, or a forged row) is brought to the nearer end, not refused.
        at = max(at, signal.received_at)
        if context.created_at is not None:
            at = min(at, context.created_at)
        if action == Action.MATERIAL:
            words = text(row, "text", record=record, most=2000)
            photos = _photo_rows(row, record=record, context=context)
            try:
                material_write(signal=signal, text=words, photos=photos, actor=context.actor, now=at)
            except DomainError as exc:
                raise RowError(record, "photos", exc.message) from None
        elif action == Action.RATE:
            rating = text(row, "rating", record=record)
            if rating not in Satisfaction.values:
                raise RowError(record, "rating", f"不是满意度：{rating}")
            comment = text(row, "comment", record=record, most=1000)
            still_unpaid = flag(row, "still_unpaid", record=record)
            try:
                portal_rate(signal=signal, rating=rating, comment=comment, still_unpaid=still_unpaid, at=at)
            except DomainError as exc:
                SignalEvent.objects.create(
                    signal=signal,
                    action=Action.NOTE,
                    actor=context.actor,
                    at=context.now,
                    note=f"门户上 {timezone.localtime(at):%Y-%m-%d %H:%M} 的评价（{Satisfaction(rating).label}"
                    f"{'，仍未拿到工资' if still_unpaid else ''}{'：' + comment if comment else ''}）未能记入：{exc.message}",
                )
        else:
            raise RowError(record, "action", f"不是门户上的操作：{action}")
        applied += 1
    return applied


def _exchanged(signal: Signal) -> bool:
    """Whether the report was written by an import of a reports bundle (its creation says so)."""
    return SignalEvent.objects.filter(
        signal=signal, action=Action.CREATE, note__startswith=EXCHANGED_NOTE
    ).exists()


# --- inside → portal host: the reports' state -------------------------------------------------------

STATE_TIMES = ("replied_at", "rated_at", "followup_due_at")
STATE_TEXTS = {
    "public_reply": None,
    "satisfaction_comment": None,
    "followup_basis": 300,
    "open_case_reason": None,
}


def status_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    """Every report that came through the exchange, as its status page reads it (a snapshot)."""
    exchanged = SignalEvent.objects.filter(action=Action.CREATE, note__startswith=EXCHANGED_NOTE)
    signals = list(
        Signal.objects.filter(pk__in=exchanged.values("signal_id"), tracking_code__isnull=False)
        .select_related("town", "assigned_unit")
        .order_by("pk")
    )
    ids = [s.pk for s in signals]
    moves: dict[int, list] = defaultdict(list)
    for signal_id, action, source, target, at in (
        SignalEvent.objects.filter(signal_id__in=ids)
        .exclude(to_stage="")
        .exclude(action__in=PORTAL_OWN)
        .order_by("at", "pk")
        .values_list("signal_id", "action", "from_stage", "to_stage", "at")
    ):
        moves[signal_id].append([action, source, target, iso(at)])
    progress = {p.signal_id: p for p in PublicProgress.objects.filter(signal_id__in=ids)}
    rows = []
    for signal in signals:
        record = progress.get(signal.pk)
        rows.append(
            {
                "tracking_code": signal.tracking_code,
                "stage": signal.stage,
                "town": signal.town.code if signal.town else None,
                "assigned_unit": signal.assigned_unit.code if signal.assigned_unit else None,
                "satisfaction": signal.satisfaction,
                **{name: iso(getattr(signal, name)) for name in STATE_TIMES},
                **{name: getattr(signal, name) for name in STATE_TEXTS},
                "moves": moves[signal.pk],
                "progress": {"case": record.case, "money": record.money} if record else None,
            }
        )
    return seam.ExportedPart(rows)


def status_load(rows: list[dict], *, context: LoadContext) -> int:
    """Bring each report on the portal to its state inside. A report with material or a rating
    given here that the internal zone had not yet imported when it made the bundle keeps its state
    here until a later bundle (else the rating would vanish, and could be given twice)."""
    towns = dict(Town.objects.values_list("code", "pk"))
    units = dict(Unit.objects.values_list("code", "pk"))
    seen = (context.acknowledged.get("intake.actions") or {}).get("event", 0)
    waiting = set(
        SignalEvent.objects.filter(action__in=[Action.MATERIAL, Action.RATE], pk__gt=seen).values_list(
            "signal_id", flat=True
        )
    )
    by_code = {s.tracking_code: s for s in Signal.objects.filter(tracking_code__isnull=False)}
    mirrored: dict[int, list] = defaultdict(list)
    for signal_id, action, source, target, at in (
        _mirrored(SignalEvent.objects.all())
        .order_by("at", "pk")
        .values_list("signal_id", "action", "from_stage", "to_stage", "at")
    ):
        mirrored[signal_id].append((action, source, target, at))
    progress = {p.signal_id: p for p in PublicProgress.objects.all()}
    changed = 0
    for index, row in enumerate(rows):
        code = text(row, "tracking_code", record=f"第 {index + 1} 条状态", blank=False, most=16)
        record = f"反映（查询码 {code}）的状态"
        state = _state(row, record=record, towns=towns, units=units)
        moves = _moves(row, record=record)
        case_money = _progress(row, record=record)
        signal = by_code.get(code)
        if signal is None or signal.pk in waiting:
            continue  # not a report of this portal; or its newest action not yet seen inside
        current = {name: getattr(signal, name) for name in state}
        touched = False
        if current != state:
            # Guarded on what a worker's rating changes, as read: a rating in between (which may
            # leave the stage as it was) is kept, and the report waits for the next bundle.
            scope = Signal.objects.filter(
                stage=signal.stage, satisfaction=signal.satisfaction, rated_at=signal.rated_at
            )
            if guarded_update(scope, signal.pk, **state, updated_at=context.now) != 1:
                continue
            touched = True
        if mirrored.get(signal.pk, []) != moves:
            _mirrored(SignalEvent.objects.filter(signal=signal)).delete()
            SignalEvent.objects.bulk_create(
                [
                    SignalEvent(signal=signal, action=a, from_stage=s, to_stage=t, at=at, actor=None)
                    for a, s, t, at in moves
                ]
            )
            touched = True
        touched |= _progress_write(signal, case_money, progress.get(signal.pk), now=context.now)
        changed += touched
    return changed


def _mirrored(events):
    """The portal's copy of the stage moves made inside (what the status bundle replaces)."""
    return events.exclude(action__in=PORTAL_OWN).exclude(to_stage="")


def _state(row: dict, *, record: str, towns: dict, units: dict) -> dict:
    stage = text(row, "stage", record=record)
    if stage not in Stage.values:
        raise RowError(record, "stage", f"不是办理阶段：{stage}")
    satisfaction = text(row, "satisfaction", record=record)
    if satisfaction and satisfaction not in Satisfaction.values:
        raise RowError(record, "satisfaction", f"不是满意度：{satisfaction}")
    return {
        "stage": stage,
        "satisfaction": satisfaction,
        "town_id": code_of(towns, row, "town", record=record),
        "assigned_unit_id": code_of(units, row, "assigned_unit", record=record),
        **{name: moment(row, name, record=record, optional=True) for name in STATE_TIMES},
        **{name: text(row, name, record=record, most=most) for name, most in STATE_TEXTS.items()},
    }


def _moves(row: dict, *, record: str) -> list[tuple[str, str, str, datetime.datetime]]:
    found = []
    for move in items(row, "moves", record=record):
        if not (isinstance(move, list) and len(move) == 4 and all(isinstance(v, str) for v in move)):
            raise RowError(record, "moves", "每一项应为 [动作, 原阶段, 新阶段, 时间]")
        action, source, target, _at = move
        if action not in Action.values or action in PORTAL_OWN:
            raise RowError(record, "moves", f"不是内网的办理动作：{action}")
        if source not in ["", *Stage.values] or target not in Stage.values:
            raise RowError(record, "moves", f"阶段不正确：{source} → {target}")
        found.append((action, source, target, moment({"at": move[3]}, "at", record=record)))
    return found


def _progress(row: dict, *, record: str) -> tuple[dict | None, dict | None] | None:
    value = row.get("progress")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RowError(record, "progress", "应为 {case, money} 或空")
    case, money = value.get("case"), value.get("money")
    if case is not None:
        fields = set(seam.CaseRef.__dataclass_fields__)
        if not isinstance(case, dict) or set(case) - fields or "number" not in case:
            raise RowError(record, "progress.case", "案件进展的字段不正确")
    if money is not None:
        fields = set(seam.WorkerMoney.__dataclass_fields__)
        if not isinstance(money, dict) or set(money) != fields:
            raise RowError(record, "progress.money", "本人金额的字段不正确")
    return case, money


def _progress_write(
    signal: Signal,
    value: tuple[dict | None, dict | None] | None,
    record: PublicProgress | None,
    *,
    now: datetime.datetime,
) -> bool:
    if value is None:
        if record is None:
            return False
        record.delete()
        return True
    case, money = value
    if record is None:
        PublicProgress.objects.create(signal=signal, case=case, money=money, refreshed_at=now)
        return True
    if (record.case, record.money) == (case, money):
        return False
    PublicProgress.objects.filter(pk=record.pk).update(case=case, money=money, refreshed_at=now)
    return True


# --- inside → portal host: the notice-board projects ---------------------------------------------------


def projects_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    rows = [
        {
            "project": pk,
            "name": name,
            "town": town,
            "contractor_name": contractor,
            "supervisor": supervisor,
            "refreshed_at": iso(at),
        }
        for pk, name, town, contractor, supervisor, at in PortalProject.objects.order_by(
            "project_id"
        ).values_list(
            "project_id", "name", "town__code", "contractor_name", "project__supervisor__code", "refreshed_at"
        )
    ]
    return seam.ExportedPart(rows)


def projects_load(rows: list[dict], *, context: LoadContext) -> int:
    """Replace the board projects with the bundle's; keep a bare project row under each (and drop
    the bare rows of projects no longer sent, unless a report here names them)."""
    towns = dict(Town.objects.values_list("code", "pk"))
    supervisors = dict(ProjectSupervisor.objects.values_list("code", "pk"))
    boards, bare = [], {}
    for index, row in enumerate(rows):
        pk = number(row, "project", record=f"第 {index + 1} 个告示牌项目")
        record = f"告示牌项目 #{pk}"
        name = text(row, "name", record=record, blank=False, most=150)
        town_id = code_of(towns, row, "town", record=record)
        if town_id is None:
            raise RowError(record, "town", "不能为空")
        supervisor_id = code_of(supervisors, row, "supervisor", record=record)
        if supervisor_id is None:
            raise RowError(record, "supervisor", "不能为空")
        at = moment(row, "refreshed_at", record=record)
        contractor = text(row, "contractor_name", record=record, most=100)
        boards.append(
            PortalProject(
                project_id=pk, name=name, town_id=town_id, contractor_name=contractor, refreshed_at=at
            )
        )
        bare[pk] = Project(pk=pk, name=name, town_id=town_id, builder_name="", supervisor_id=supervisor_id)
    PortalProject.objects.all().delete()
    # Only the bare rows this part writes (no builder named: a registered project has one).
    stubs = Project.objects.filter(builder_name="")
    known = set(stubs.values_list("pk", flat=True))
    Project.objects.bulk_create([p for pk, p in bare.items() if pk not in known], batch_size=500)
    Project.objects.bulk_update(
        [p for pk, p in bare.items() if pk in known], ["name", "town", "supervisor"], batch_size=500
    )
    PortalProject.objects.bulk_create(boards, batch_size=500)
    named = Signal.objects.filter(project__isnull=False).values("project_id")
    stubs.exclude(pk__in=list(bare)).exclude(pk__in=named).delete()
    return len(boards)


PARTS = (
    seam.ExchangePart("intake.reports", "reports", reports_export, reports_load),
    seam.ExchangePart("intake.actions", "reports", actions_export, actions_load),
    seam.ExchangePart("intake.status", "status", status_export, status_load),
    seam.ExchangePart("intake.projects", "status", projects_export, projects_load),
)
