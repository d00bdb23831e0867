"""The handbook part's writes: the notice board's contacts (kept by whoever keeps the project's site
records, ``access.may_manage``; audited), and the worker's one-time SMS code on the public portal.

The code: the worker types their ID number; if a roster lists it with a phone, a six-digit code goes
to that phone (the newest stretch's). The answer is the same whether the ID is on a roster or not.
The code is stored hashed, lives ``handbook.code_minutes``, is used once, and is void after five
wrong tries; each source address may ask for codes ``portal.submissions_per_hour`` times and fail
``portal.lookups_per_hour`` times an hour (the portal's own flood limits); one ID number gets at most
three codes an hour (no SMS flood to a worker's phone)."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import is_system
from anxin.core.audit import acting
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.policy import param
from anxin.core.validators import normalize_id_number, validate_id_number
from anxin.notify.services import sms_send
from anxin.registry.models import Project
from anxin.sites.access import may_manage
from anxin.sites.models import (
    ContactRole,
    HandbookCode,
    HandbookLimit,
    PortalHandbook,
    RosterEntry,
    SiteContact,
)

CODE_TRIES = 5  # wrong codes before a code is void
CODES_PER_ID_HOUR = 3  # codes one ID number can be sent in an hour
_PHONE = re.compile(r"^[0-9][0-9\-]{5,18}[0-9]$")


# --- the notice board's contacts ------------------------------------------------------------------


def site_contacts_set(
    *, actor: Any, project: Project, contacts: dict[str, tuple[str, str]]
) -> list[SiteContact]:
    """Set who answers for wages on the site (项目负责人, 劳资专管员): ``{role: (name, phone)}``; a
    role given with neither name nor phone is cleared. All or nothing."""
    if not (is_system(actor) or Project.objects.for_user(actor).filter(pk=project.pk).exists()):
        raise ScopeViolation(_("该工程项目不在本单位监管范围内"))
    if not may_manage(actor, project):
        raise DomainError(_("维权联系人由项目的行业主管部门或联席办维护"), code="forbidden")
    unknown = set(contacts) - set(ContactRole.values)
    if unknown:
        raise DomainError(_("未知的联系人职责：%(r)s") % {"r": "、".join(sorted(unknown))})
    cleaned: dict[str, tuple[str, str]] = {}
    for role, (name, phone) in contacts.items():
        name, phone = (name or "").strip(), re.sub(r"\s+", "", phone or "")
        if not name and not phone:
            cleaned[role] = ("", "")
            continue
        if not name:
            raise DomainError(_("请填写%(r)s的姓名") % {"r": ContactRole(role).label}, field=f"{role}_name")
        if len(name) > 50:
            raise DomainError(_("姓名不超过 50 字"), field=f"{role}_name")
        if not _PHONE.match(phone):
            raise DomainError(
                _("请填写%(r)s的联系电话（手机号或带区号的固定电话）") % {"r": ContactRole(role).label},
                field=f"{role}_phone",
            )
        cleaned[role] = (name, phone)
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        current = {c.role: c for c in SiteContact.objects.select_for_update().filter(project=project)}
        for role, (name, phone) in cleaned.items():
            contact = current.get(role)
            if not name:
                if contact is not None:
                    contact.delete()
                continue
            if contact is None:
                contact = SiteContact(project=project, role=role)
            elif (contact.name, contact.phone) == (name, phone):
                continue
            contact.name, contact.phone, contact.updated_by, contact.updated_at = name, phone, actor, now
            contact.full_clean()
            contact.save()
    return list(SiteContact.objects.filter(project=project).order_by("role"))


# --- the worker's one-time code ---------------------------------------------------------------------


def _ip_hash(ip: str | None) -> str:
    return blind_index(ip or "unknown", purpose="handbook-ip")


def handbook_id_index(id_number: str) -> str:
    """The blind index a roster keeps the ID number under (what the portal's session holds, never
    the number itself)."""
    return _id_index(id_number)


def _id_index(id_number: str) -> str:
    return blind_index(normalize_id_number(id_number), purpose="id_number")


def _code_hash(code: str, index: str) -> str:
    return blind_index(f"{code}:{index}", purpose="handbook-code")


def _window(now: datetime.datetime) -> datetime.datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _limit_row(*, ip: str | None, action: str, now: datetime.datetime) -> HandbookLimit:
    """The address's counter for this hour, locked (call inside a transaction)."""
    key = {"ip_hash": _ip_hash(ip), "action": action, "window": _window(now)}
    HandbookLimit.objects.bulk_create([HandbookLimit(**key)], ignore_conflicts=True)
    return HandbookLimit.objects.select_for_update().get(**key)


def _limit(action: str) -> int:
    code = "portal.submissions_per_hour" if action == HandbookLimit.Action.SEND else "portal.lookups_per_hour"
    return int(param(code))


def handbook_limited(*, ip: str | None, action: str, now: datetime.datetime | None = None) -> bool:
    """Whether this address has used up its ``action`` requests of this hour (a read, no lock)."""
    now = now or timezone.now()
    row = HandbookLimit.objects.filter(ip_hash=_ip_hash(ip), action=action, window=_window(now)).first()
    return row is not None and row.count >= _limit(action)


def _too_many(action: str) -> DomainError:
    if action == HandbookLimit.Action.SEND:
        return DomainError(_("获取验证码过于频繁，请一小时后再试"), code="rate_limited")
    return DomainError(_("验证失败次数过多，请一小时后再试"), code="rate_limited")


def handbook_code_request(*, id_number: str, ip: str | None) -> None:
    """Send a one-use code to the phone the roster lists for ``id_number``, if any. Says nothing
    either way (the page reads the same); limited per address and per ID number."""
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as exc:
        raise DomainError(_("请填写正确的 18 位身份证号码"), field="id_number") from exc
    action = HandbookLimit.Action.SEND
    if handbook_limited(ip=ip, action=action):
        raise _too_many(action)
    now = timezone.now()
    index = _id_index(id_number)
    with transaction.atomic():
        row = _limit_row(ip=ip, action=action, now=now)
        if row.count >= _limit(action):
            raise _too_many(action)
        HandbookLimit.objects.filter(pk=row.pk).update(count=models.F("count") + 1)
        sent = HandbookCode.objects.filter(id_index=index, created_at__gte=now - datetime.timedelta(hours=1))
        if sent.count() >= CODES_PER_ID_HOUR:
            return
        phone = _code_phone(index)
        if not phone:
            return
        code = "".join(secrets.choice("0123456789") for _i in range(6))
        minutes = int(param("handbook.code_minutes"))
        # One live code per worker: a new one voids the older.
        HandbookCode.objects.filter(id_index=index, used_at__isnull=True).update(used_at=now)
        HandbookCode.objects.create(
            id_index=index,
            code_hash=_code_hash(code, index),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )
        text = (
            f"【安薪】您正在查看本人《农民工劳动计酬手册》，验证码 {code}，{minutes} 分钟内有效。"
            "如非本人操作，请忽略。"
        )
        transaction.on_commit(lambda: sms_send(phone=phone, text=text, topic="portal"), robust=True)


def _code_phone(index: str) -> str:
    """The phone the code goes to: the newest stretch's that has one — from the rosters where the
    process reads them, else from the copy the tick writes for the internet zone."""
    if not settings.PORTAL_READS_DISTRICT_DATA:
        from anxin.intake.portal import portal_scope_id

        portal_scope_id(index)
        copy = PortalHandbook.objects.filter(id_index=index).first()
        return copy.phone if copy is not None else ""
    entry = (
        RosterEntry.objects.filter(id_number_index=index)
        .exclude(phone_index="")
        .order_by("-start_date", "-pk")
        .first()
    )
    return entry.phone if entry is not None else ""


def handbook_code_verify(*, id_index: str, code: str, ip: str | None) -> str | None:
    """``id_index`` when ``code`` is the live code sent for that ID number (used up by this call),
    else ``None`` — the failure counts toward the address's limit and the code's tries."""
    action = HandbookLimit.Action.FAIL
    if handbook_limited(ip=ip, action=action):
        raise _too_many(action)
    index = id_index or ""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = timezone.now()
    with transaction.atomic():
        row = _limit_row(ip=ip, action=action, now=now)
        if row.count >= _limit(action):
            raise _too_many(action)
        record = (
            HandbookCode.objects.select_for_update()
            .filter(id_index=index, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
            if index
            else None
        )
        good = (
            record is not None
            and record.tries < CODE_TRIES
            and len(code) == 6
            and secrets.compare_digest(record.code_hash, _code_hash(code, index))
        )
        # One use: of two requests with the same code, only the one whose update touched it passes.
        if good and HandbookCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now) == 1:  # type: ignore[union-attr]
            return index
        HandbookLimit.objects.filter(pk=row.pk).update(count=models.F("count") + 1)
        if record is not None:
            HandbookCode.objects.filter(pk=record.pk).update(tries=models.F("tries") + 1)
    return None


def handbook_sweep(*, now: datetime.datetime) -> int:
    """``tick``: forget codes a day after they expired and counters of past days. Returns how many."""
    codes, _d = HandbookCode.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
    limits, _d = HandbookLimit.objects.filter(window__lt=now - datetime.timedelta(days=1)).delete()
    return codes + limits


# --- the copy the internet zone's portal reads ----------------------------------------------------

REFRESH_BATCH = 500  # workers (ID numbers) per read of their stretches and payroll lines


def portal_handbooks_refresh(*, now: datetime.datetime | None = None) -> int:
    """The tick: write, for the internet zone's portal, each rostered worker's 计酬手册 as the
    worker's page shows it (``PortalHandbook``: name, masked ID number, the stretches' months, the
    phone the code goes to), keyed by the ID number's blind index. Only a changed copy is written;
    the copy of a worker no longer on any roster is deleted. Returns how many were written or
    deleted."""
    from anxin.sites.handbook import book_json, handbooks_of

    now = now or timezone.now()
    today = timezone.localdate(now)
    known = {c.id_index: c for c in PortalHandbook.objects.all()}
    indexes = sorted(set(RosterEntry.objects.values_list("id_number_index", flat=True)))
    creates, updates = [], []
    for start in range(0, len(indexes), REFRESH_BATCH):
        batch = indexes[start : start + REFRESH_BATCH]
        entries = list(
            RosterEntry.objects.filter(id_number_index__in=batch)
            .select_related("project", "project__town", "employer")
            .order_by("project__name", "start_date", "pk")
        )
        by_worker: dict[str, list] = {}
        for book in handbooks_of(entries, today=today):
            by_worker.setdefault(book.entry.id_number_index, []).append(book)
        for index, books in by_worker.items():
            newest = max(
                (b.entry for b in books if b.entry.phone_index),
                key=lambda e: (e.start_date, e.pk),
                default=None,
            )
            values = {
                "name": books[0].entry.name,
                "id_masked": books[0].entry.id_number_masked,
                "phone": newest.phone if newest is not None else "",
                "books": [book_json(b) for b in books],
            }
            copy = known.get(index)
            if copy is None:
                creates.append(PortalHandbook(id_index=index, refreshed_at=now, **values))
            elif any(getattr(copy, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(copy, k, v)
                copy.refreshed_at = now
                updates.append(copy)
    gone = set(known) - set(indexes)
    with transaction.atomic():
        PortalHandbook.objects.bulk_create(creates, ignore_conflicts=True, batch_size=REFRESH_BATCH)
        PortalHandbook.objects.bulk_update(
            updates, ["name", "id_masked", "phone", "books", "refreshed_at"], batch_size=REFRESH_BATCH
        )
        deleted, _d = PortalHandbook.objects.filter(id_index__in=gone).delete() if gone else (0, {})
    return len(creates) + len(updates) + deleted
