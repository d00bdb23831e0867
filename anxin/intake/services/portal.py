"""The public worker portal's writes: a report answered by tracking code, the lookup by code and
phone, the worker's rating; each limited per address (the binding check under a row lock)."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.crypto import blind_index
from anxin.core.deadlines import due_after
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files
from anxin.core.links import officer_url
from anxin.core.policy import param
from anxin.core.validators import normalize_phone
from anxin.intake.models import (
    Channel,
    MaterialRelay,
    PortalAttempt,
    PortalBucket,
    RecoveryCode,
    ReportClosure,
    Satisfaction,
    Signal,
    SignalEvent,
    SignalKind,
    Stage,
)
from anxin.intake.portal import portal_scope, portal_scope_phone
from anxin.intake.public import status_link
from anxin.intake.services.facts import PORTAL_PHOTOS, files_problem
from anxin.intake.services.recording import _phone_index, attachment_store, signal_record
from anxin.notify.services import notify_units, sms_send
from anxin.org.models import Town, Unit, UnitKind, User
from anxin.registry.models import Project

Action = SignalEvent.Action

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


def portal_submit(
    *,
    facts: dict,
    town: Town | None,
    photos: list[tuple[str, bytes]],
    ip: str | None,
    project: Project | None = None,
) -> Signal:
    """A worker's report from the public portal: routed like any signal, answered by code.

    ``project``: the report form was opened from the site's notice board (its signed link), so the
    signal is on that project, in its town (the project's name stands as the site named)."""
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
        if project is not None:
            town = project.town
            facts.update(project=project, project_name=project.name)
        defer = settings.PORTAL_DEFERS_ROUTING
        if defer:
            # The internet zone: the code is the report's from its first row (the portal's database
            # role sees a report only by its code, deploy/portal-role.sql); 80 random bits, and
            # the unique constraint refuses the impossible repeat.
            code = new_tracking_code()
            portal_scope(code)
        recorded = signal_record(
            actor=actor,
            channel=channel,
            town=town,
            door="portal",
            ip=ip,
            attachments=[(n, c) for n, c in photos],
            attachment_types=PORTAL_PHOTOS,
            defer_routing=defer,
            tracking_code=code if defer else None,
            **facts,
        )
        signal = recorded.signal
        if not defer:
            for _attempt in range(5):
                code = new_tracking_code()
                if not Signal.objects.filter(tracking_code=code).exists():
                    break
            guarded_update(Signal.objects.all(), signal.pk, tracking_code=code)
            signal.tracking_code = code
        phone, link = signal.reporter_phone, status_link(code)
        transaction.on_commit(
            lambda: sms_send(
                phone=phone,
                text=f"【安薪】您反映的欠薪问题已受理，查询码 {code}，请凭查询码和本手机号查看办理进度：{link}",
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
    portal_scope(code)
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


def portal_rate(
    *,
    signal: Signal,
    rating: str,
    comment: str = "",
    still_unpaid: bool = False,
    at: datetime.datetime | None = None,
) -> Signal:
    """The worker's satisfaction with a closed report; once per closing.

    不满意, or "仍未拿到工资" ticked with any rating, reopens the report (back to 处理中) with a
    follow-up deadline (``portal.followup_working_days``, swept by tick) and tells the office and
    the handlers; the closing's record keeps the rating against the unit that closed it.

    ``at``: when the worker rated, for a rating given on a portal host that exchanges files and
    applied here later (``intake.services.exchange``): the deadline counts from then."""
    if rating not in Satisfaction.values:
        raise DomainError(_("请选择满意度"), field="rating")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError(_("评价意见不超过 1000 字"), field="comment")
    actor = system_actor()
    now = at or timezone.now()
    label = Satisfaction(rating).label + ("，仍未拿到工资" if still_unpaid else "")
    with transaction.atomic(), acting(actor):
        touched = guarded_update(
            Signal.objects.filter(stage=Stage.CLOSED, rated_at__isnull=True),
            signal.pk,
            satisfaction=rating,
            satisfaction_comment=comment,
            rated_at=now,
        )
        if touched != 1:
            raise DomainError(_("办结后才能评价，且只能评价一次"), code="rate")
        closure = signal.closures.filter(rated_at__isnull=True).order_by("-closed_at", "-pk").first()
        if closure is not None:
            guarded_update(
                ReportClosure.objects.filter(rated_at__isnull=True),
                closure.pk,
                rating=rating,
                still_unpaid=still_unpaid,
                rated_at=now,
            )
        SignalEvent.objects.create(
            signal=signal,
            action=Action.RATE,
            actor=None,
            at=now,
            note=label + (f"：{comment}" if comment else ""),
        )
        signal.refresh_from_db()
        if rating == Satisfaction.DISSATISFIED or still_unpaid:
            _reopen(signal, why=label + (f"：{comment}" if comment else ""), now=now)
            signal.refresh_from_db()
    return signal


def _reopen(signal: Signal, *, why: str, now: datetime.datetime) -> None:
    """Back to 处理中 with a follow-up deadline; the primary too when the report was merged into it
    (the matter is handled there).

    The internet zone reads no report but the worker's own (deploy/portal-role.sql): it reopens
    that one, tells its handlers, and leaves the closed primary to the internal zone's tick
    (``merged_reopens_follow``)."""
    due, basis = due_after("portal.followup_working_days", now)
    targets = [signal]
    primary_id = signal.merged_into_id
    if primary_id and not settings.PORTAL_DEFERS_ROUTING:
        primary = Signal.objects.get(pk=primary_id)
        if primary.stage == Stage.CLOSED:
            targets.append(primary)
    for target in targets:
        _reopen_one(target, note=f"反映人评价：{why}", due=due, basis=basis, now=now)
    handled = targets[-1]
    if settings.PORTAL_EXCHANGES_FILES:
        return  # told inside, where the exchange applies the rating (intake.services.exchange)
    notify_units(
        unit_ids=_handler_unit_ids(handled),
        subject=f"反映人不满意，线索 {_named(handled)}已重新转入处理",
        body=f"{_employer(handled)}：{_sentence(why)}请于 {timezone.localtime(due):%Y-%m-%d} 前重新处理并答复反映人。",
        url=officer_url("signal-detail", handled.pk),  # a merged report's page names its main report
        topic="signal-followup",
    )


def _sentence(text: str) -> str:
    """``text`` ended as a sentence: the worker's own words often end with their ！ or ？ already."""
    return text if text.endswith(("。", "！", "？", "!", "?")) else text + "。"


def _named(signal: Signal) -> str:
    """A report as a notice's subject names it, with the report it was merged into."""
    return f"#{signal.pk}（已并入 #{signal.merged_into_id}）" if signal.merged_into_id else f"#{signal.pk} "


def _reopen_one(
    target: Signal, *, note: str, due: datetime.datetime, basis: str, now: datetime.datetime
) -> None:
    from anxin.intake.services.workflow import STAGES

    STAGES.move(
        target,
        STAGES.step(target, Action.REOPEN),
        actor=system_actor(),
        note=f"{_sentence(note)}请于 {timezone.localtime(due):%Y-%m-%d} 前重新处理并答复（{basis}）",
        values={
            "followup_due_at": due,
            "followup_basis": basis,
            "followup_escalated_at": None,
            "open_case_reason": "",  # it was the closing's; kept on its ReportClosure
            "updated_at": now,
        },
        now=now,
    )


def merged_reopens_follow(*, now: datetime.datetime | None = None) -> int:
    """Reopen the closed primaries of merged reports the internet zone reopened.

    A report merged into another follows it (``workflow._move``), so a merged report that is open,
    with a follow-up deadline, under a closed primary is one whose worker rated 不满意 on the
    internet zone's portal, which reopens only the worker's own report. Here the primary reopens
    with that deadline, and its handlers the portal did not tell are told: what ``_reopen`` does in
    one step in the internal zone. Each in its own transaction, the primary locked; run again, it
    finds nothing (the primary is open)."""
    now = now or timezone.now()
    waiting = list(
        Signal.objects.filter(merged_into__stage=Stage.CLOSED, followup_due_at__isnull=False)
        .exclude(stage=Stage.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in waiting:
        with transaction.atomic(), acting(system_actor()):
            source = Signal.objects.get(pk=pk)
            primary = Signal.objects.select_for_update().get(pk=source.merged_into_id)
            if (
                primary.stage != Stage.CLOSED
                or source.stage == Stage.CLOSED
                or source.followup_due_at is None
            ):
                continue
            rated = source.events.filter(action=Action.RATE).order_by("-at", "-pk").first()
            why = rated.note if rated else Satisfaction.DISSATISFIED.label
            _reopen_one(
                primary,
                note=f"并入本线索的 #{source.pk} 反映人评价：{why}",
                due=source.followup_due_at,
                basis=source.followup_basis,
                now=now,
            )
            told = set(_handler_unit_ids(source))
            units = [u for u in _handler_unit_ids(primary) if u not in told]
            if units:
                notify_units(
                    unit_ids=units,
                    subject=f"反映人不满意，线索 #{primary.pk} 已重新转入处理",
                    body=(
                        f"{primary.employer_display}：并入的线索 #{source.pk} 反映人评价：{_sentence(why)}"
                        f"请于 {timezone.localtime(source.followup_due_at):%Y-%m-%d} 前重新处理并答复反映人。"
                    ),
                    url=officer_url("signal-detail", primary.pk),
                    topic="signal-followup",
                )
        done += 1
    return done


def _employer(signal: Signal) -> str:
    """The employer as a notice names it: the internet zone reads no enterprise, so the name the
    worker typed (the matched enterprise's name is on the signal's page the notice links to)."""
    if settings.PORTAL_DEFERS_ROUTING:
        return signal.employer_name or signal.employer_uscc
    return signal.employer_display


def _handler_unit_ids(signal: Signal) -> list[int]:
    """The office, the assigned department and the signal's town government."""
    ids = list(Unit.objects.filter(kind=UnitKind.OFFICE).values_list("pk", flat=True))
    ids.append(signal.assigned_unit_id)
    if signal.town_id:
        ids += list(Unit.objects.filter(town_id=signal.town_id).values_list("pk", flat=True))
    return [i for i in ids if i]


# --- adding material after submitting ---------------------------------------------------------------


def portal_add_material(
    *, signal: Signal, text: str, photos: list[tuple[str, bytes]], ip: str | None
) -> SignalEvent:
    """The worker adds a note and photos to their report while it is not closed (the same upload
    checks and per-address limit as a submission); the handlers see it on the signal's record."""
    text = (text or "").strip()
    if not text and not photos:
        raise DomainError(_("请填写补充说明或上传照片"), field="text")
    if len(text) > 2000:
        raise DomainError(_("补充说明不超过 2000 字"), field="text")
    if signal.stage == Stage.CLOSED:
        raise DomainError(_("该反映已办结，不能再补充材料；如仍未拿到工资，请在本页评价"), code="closed")
    photo_problem = files_problem(
        photos, allowed=PORTAL_PHOTOS, field="photos", most=int(param("portal.max_photos"))
    )
    if photo_problem:
        raise DomainError(photo_problem, field="photos")
    if portal_limited(ip=ip, action=PortalAttempt.Action.SUBMIT):
        raise DomainError(_("提交过于频繁，请一小时后再试，或拨打 12333 反映"), code="rate_limited")
    actor = system_actor()
    now = timezone.now()
    with atomic_with_files(), acting(actor):
        _portal_gate(ip=ip, action=PortalAttempt.Action.SUBMIT)
        PortalAttempt.objects.create(ip_hash=_ip_hash(ip), action=PortalAttempt.Action.SUBMIT)
        # Re-checked under the transaction: a report closed since the page was read takes nothing.
        if guarded_update(Signal.objects.exclude(stage=Stage.CLOSED), signal.pk, updated_at=now) != 1:
            raise DomainError(_("该反映已办结，不能再补充材料；如仍未拿到工资，请在本页评价"), code="closed")
        return material_write(signal=signal, text=text, photos=photos, actor=actor, now=now)


def material_note(text: str, names: list[str]) -> str:
    """The material event's note: the worker's words and the photos' names."""
    return (text + (f"（照片 {len(names)} 张：{'、'.join(names)}）" if names else "")).strip()


def material_write(
    *, signal: Signal, text: str, photos: list[tuple[str, bytes]], actor: User, now: datetime.datetime
) -> SignalEvent:
    """The worker's material on the signal's record — the photos kept (checked by what they are),
    the event written — and the handlers told. Also what the file exchange applies inside for
    material added on a portal host of its own (``intake.services.exchange``)."""
    names = [
        attachment_store(
            actor=actor, signal=signal, name=name, content=content, allowed=PORTAL_PHOTOS, field="photos"
        ).name
        for name, content in photos
    ]
    note = material_note(text, names)
    event = SignalEvent.objects.create(signal=signal, action=Action.MATERIAL, actor=None, at=now, note=note)
    if settings.PORTAL_EXCHANGES_FILES:
        return event  # told inside, where the exchange applies it
    # The internet zone reads no report but the worker's own (deploy/portal-role.sql): the merged
    # report's own handlers are told now, and the main report's by the internal zone's tick.
    primary_id = signal.merged_into_id
    handled = (
        Signal.objects.get(pk=primary_id) if primary_id and not settings.PORTAL_DEFERS_ROUTING else signal
    )
    if handled.merged_into_id:
        MaterialRelay.objects.create(signal=signal, event=event)
    notify_units(
        unit_ids=_material_units(handled),
        subject=f"反映人为线索 {_named(handled)}补充了材料",
        body=f"{_employer(handled)}：{note[:200]}",
        url=officer_url("signal-detail", signal.pk),
        topic="signal-material",
    )
    return event


def _office_ids() -> list[int]:
    return list(Unit.objects.filter(kind=UnitKind.OFFICE).values_list("pk", flat=True))


def _material_units(signal: Signal) -> list[int]:
    """Who is told of a worker's material: the handlers but the office, or the office alone."""
    units = _handler_unit_ids(signal)
    return [i for i in units if i not in _office_ids()] or units


def material_relays_deliver(*, now: datetime.datetime | None = None) -> int:
    """Tell the main report's handlers of material added on the internet zone's portal to a report
    merged into it (``MaterialRelay``), those the portal did not tell already: what
    ``material_write`` does in one step in the internal zone. Each relay once, in its own
    transaction, deleted when told."""
    done = 0
    for pk in list(MaterialRelay.objects.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            relay = (
                MaterialRelay.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("signal__merged_into", "event")
                .filter(pk=pk)
                .first()
            )
            if relay is None:  # another tick has it
                continue
            source, primary = relay.signal, relay.signal.merged_into
            if primary is not None:
                told = set(_material_units(source))
                units = [u for u in _material_units(primary) if u not in told]
                if units:
                    notify_units(
                        unit_ids=units,
                        subject=f"反映人为线索 #{primary.pk} 补充了材料（并入的 #{source.pk}）",
                        body=f"{primary.employer_display}：{relay.event.note[:200]}",
                        url=officer_url("signal-detail", source.pk),
                        topic="signal-material",
                    )
            relay.delete()
        done += 1
    return done


# --- recovering a lost tracking code by phone number + SMS code --------------------------------------

RECOVERY_TRIES = 5  # wrong codes before a recovery code is void
CODES_PER_PHONE_HOUR = 3  # SMS codes one phone number can be sent in an hour (no SMS flood)


def _recovery_hash(code: str, phone_index: str) -> str:
    return blind_index(f"{code}:{phone_index}", purpose="portal-recovery")


def _phone_of(phone: str) -> str:
    normalized = normalize_phone(phone)
    if not (len(normalized) == 11 and normalized.isdigit()):
        raise DomainError(_("请填写提交时的 11 位手机号"), field="phone")
    return _phone_index(normalized)


def portal_recover_request(*, phone: str, ip: str | None) -> None:
    """Send a one-use code to ``phone`` if reports were filed with it. The answer on the page is the
    same either way (the SMS alone says more); limited per address and per phone number."""
    index = _phone_of(phone)
    if portal_limited(ip=ip, action=PortalAttempt.Action.RECOVER):
        raise DomainError(_("操作过于频繁，请一小时后再试"), code="rate_limited")
    now = timezone.now()
    phone_key = blind_index(index, purpose="portal-recovery-phone")
    with transaction.atomic():
        _portal_gate(ip=ip, action=PortalAttempt.Action.RECOVER)
        PortalAttempt.objects.create(ip_hash=_ip_hash(ip), action=PortalAttempt.Action.RECOVER)
        sent = PortalAttempt.objects.filter(
            ip_hash=phone_key, action=PortalAttempt.Action.RECOVER, at__gte=now - datetime.timedelta(hours=1)
        ).count()
        if sent >= CODES_PER_PHONE_HOUR:
            return
        portal_scope_phone(index)
        if not Signal.objects.filter(reporter_phone_index=index, tracking_code__isnull=False).exists():
            return
        PortalAttempt.objects.create(ip_hash=phone_key, action=PortalAttempt.Action.RECOVER)
        code = "".join(secrets.choice("0123456789") for _i in range(6))
        minutes = int(param("portal.recovery_code_minutes"))
        # One live code per phone: a new one voids the older.
        RecoveryCode.objects.filter(phone_index=index, used_at__isnull=True).update(used_at=now)
        RecoveryCode.objects.create(
            phone_index=index,
            code_hash=_recovery_hash(code, index),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )
        number = normalize_phone(phone)
        text = (
            f"【安薪】您正在找回欠薪反映查询码，验证码 {code}，{minutes} 分钟内有效。如非本人操作，请忽略。"
        )
        transaction.on_commit(lambda: sms_send(phone=number, text=text, topic="portal"), robust=True)


def portal_recover_verify(*, phone: str, code: str, ip: str | None) -> list[Signal]:
    """The reports filed with ``phone`` when ``code`` is its live recovery code (used up by this
    call), else ``[]`` — and the failure counts toward the address's lookup limit."""
    if portal_limited(ip=ip, action=PortalAttempt.Action.LOOKUP_FAILED):
        raise DomainError(_("查询失败次数过多，请一小时后再试"), code="rate_limited")
    try:
        index = _phone_of(phone)
    except DomainError:
        index = ""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = timezone.now()
    with transaction.atomic():
        _portal_gate(ip=ip, action=PortalAttempt.Action.LOOKUP_FAILED)
        record = (
            RecoveryCode.objects.filter(phone_index=index, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
            if index
            else None
        )
        good = (
            record is not None
            and record.tries < RECOVERY_TRIES
            and len(code) == 6
            and secrets.compare_digest(record.code_hash, _recovery_hash(code, index))
        )
        # One use: of two requests with the same code, only the one whose update touched it passes.
        if good and RecoveryCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now) == 1:
            portal_scope_phone(index)
            return list(
                Signal.objects.filter(reporter_phone_index=index, tracking_code__isnull=False).order_by(
                    "-received_at"
                )[:20]
            )
        PortalAttempt.objects.create(ip_hash=_ip_hash(ip), action=PortalAttempt.Action.LOOKUP_FAILED)
        if record is not None:
            RecoveryCode.objects.filter(pk=record.pk).update(tries=models.F("tries") + 1)
    return []
