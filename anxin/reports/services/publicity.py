"""Publicity activities (§四(九) 加大舆论宣传引导): each town and department records its own unit's
activities (day, kind, place, audience, materials handed out, photos), corrects them (the change is in
the audit log) and withdraws them with a reason (kept, marked withdrawn, no longer counted).

Each write: who may (``reports.access.may_record_publicity``: a user of the activity's unit), one
transaction (with the photos stored inside it), the audit row through ``acting``. A refusal is a
``DomainError`` in Chinese and nothing is changed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.uploads import PHOTOS
from anxin.org.models import User
from anxin.reports import access
from anxin.reports.models import PublicityActivity, PublicityKind, ReportsFile

CITATION = "§四(九)"
OWN_UNIT_ONLY = "只能登记、更正本单位的宣传活动"
MAX_PHOTOS = 12


@dataclass(frozen=True)
class Photo:
    """An uploaded photo as the services take it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def _guard(actor: User, unit_id: int | None) -> None:
    if not access.may_record_publicity(actor, unit_id):
        raise PermissionDenied(OWN_UNIT_ONLY)


def _text(value: Any, field: str, what: str, *, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


def _count(value: Any, field: str, what: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise DomainError(f"{what}须为整数", field=field) from None
    if number < 0 or number > 10_000_000:
        raise DomainError(f"{what}须为 0 至 10,000,000 之间的整数", field=field)
    return number


def _clean(
    *,
    date: datetime.date,
    kind: str,
    title: str,
    place: str,
    audience: Any,
    materials: Any,
    description: str,
    today: datetime.date,
) -> dict:
    if not isinstance(date, datetime.date):
        raise DomainError("请填写活动日期", field="date")
    if date > today:
        raise DomainError(f"活动日期不能晚于今天（{today:%Y-%m-%d}）：只登记已开展的活动", field="date")
    if kind not in PublicityKind.values:
        names = "、".join(str(label) for label in PublicityKind.labels)
        raise DomainError(f"活动形式须为：{names}", field="kind")
    return {
        "date": date,
        "kind": kind,
        "title": _text(title, "title", "活动名称", limit=100),
        "place": _text(place, "place", "地点", limit=100),
        "audience": _count(audience, "audience", "受众人数"),
        "materials": _count(materials, "materials", "发放宣传品份数"),
        "description": _text(description, "description", "活动内容", limit=5000, required=False),
    }


def _store_photos(activity: PublicityActivity, photos: Iterable[Photo], actor: User) -> None:
    photos = list(photos)
    if activity.photos.count() + len(photos) > MAX_PHOTOS:
        raise DomainError(f"每项活动最多上传 {MAX_PHOTOS} 张照片", field="photos")
    for photo in photos:
        stored = file_store(
            record=ReportsFile(kind=ReportsFile.Kind.PHOTO),
            actor=actor,
            name=photo.name,
            content=photo.content,
            field="photos",
            allowed=PHOTOS,
        )
        activity.photos.add(stored)


def publicity_record(
    *,
    actor: User,
    date: datetime.date,
    kind: str,
    title: str,
    place: str,
    audience: Any = 0,
    materials: Any = 0,
    description: str = "",
    photos: Iterable[Photo] = (),
    today: datetime.date | None = None,
) -> PublicityActivity:
    """Record an activity of the actor's own unit (a date not in the future, a kind of §四(九))."""
    _guard(actor, getattr(actor, "unit_id", None))
    values = _clean(
        date=date,
        kind=kind,
        title=title,
        place=place,
        audience=audience,
        materials=materials,
        description=description,
        today=today or timezone.localdate(),
    )
    with atomic_with_files(), acting(actor):
        activity = PublicityActivity(unit=actor.unit, recorded_by=actor, **values)
        activity.full_clean()
        activity.save()
        _store_photos(activity, photos, actor)
    return activity


def publicity_correct(
    *,
    actor: User,
    activity: PublicityActivity,
    date: datetime.date,
    kind: str,
    title: str,
    place: str,
    audience: Any = 0,
    materials: Any = 0,
    description: str = "",
    photos: Iterable[Photo] = (),
    today: datetime.date | None = None,
) -> PublicityActivity:
    """Correct one's own unit's activity (the old values stay in the audit log); more photos may be
    added. A withdrawn activity is not corrected."""
    _guard(actor, activity.unit_id)
    if activity.withdrawn:
        raise DomainError("该宣传活动已撤销，不能更正")
    values = _clean(
        date=date,
        kind=kind,
        title=title,
        place=place,
        audience=audience,
        materials=materials,
        description=description,
        today=today or timezone.localdate(),
    )
    with atomic_with_files(), acting(actor):
        fresh = PublicityActivity.objects.select_for_update().get(pk=activity.pk)
        if fresh.withdrawn:
            raise DomainError("该宣传活动已撤销，不能更正")
        for name, value in values.items():
            setattr(fresh, name, value)
        fresh.full_clean()
        fresh.save()
        _store_photos(fresh, photos, actor)
    activity.refresh_from_db()
    return activity


def publicity_withdraw(*, actor: User, activity: PublicityActivity, reason: str) -> PublicityActivity:
    """Withdraw one's own unit's activity with a reason: kept and shown as withdrawn, never counted."""
    _guard(actor, activity.unit_id)
    text = _text(reason, "reason", "撤销理由", limit=500)
    with atomic_with_files(), acting(actor):
        fresh = PublicityActivity.objects.select_for_update().get(pk=activity.pk)
        if fresh.withdrawn:
            raise DomainError("该宣传活动已撤销")
        fresh.withdrawn = True
        fresh.withdraw_reason = text
        fresh.save(update_fields=["withdrawn", "withdraw_reason", "updated_at"])
    activity.refresh_from_db()
    return activity
