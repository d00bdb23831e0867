"""The public worker portal's writes: a report answered by tracking code, the lookup by code and
phone, the worker's rating; each limited per address (the binding check under a row lock)."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.audit import guarded_update, system_actor
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files
from anxin.core.policy import param
from anxin.core.validators import normalize_phone
from anxin.intake.models import (
    Channel,
    PortalAttempt,
    PortalBucket,
    Satisfaction,
    Signal,
    SignalEvent,
    SignalKind,
    Stage,
)
from anxin.intake.services.facts import PORTAL_PHOTOS, files_problem
from anxin.intake.services.recording import _phone_index, signal_record
from anxin.notify.services import sms_send
from anxin.org.models import Town

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
            attachment_types=PORTAL_PHOTOS,
            **facts,
        )
        signal = recorded.signal
        for _attempt in range(5):
            code = new_tracking_code()
            if not Signal.objects.filter(tracking_code=code).exists():
                break
        guarded_update(Signal.objects.all(), signal.pk, tracking_code=code)
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
    touched = guarded_update(
        Signal.objects.filter(stage=Stage.CLOSED, rated_at__isnull=True),
        signal.pk,
        satisfaction=rating,
        satisfaction_comment=comment,
        rated_at=timezone.now(),
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
