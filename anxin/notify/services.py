"""Sending notices: inbox rows and SMS, only after the surrounding transaction commits.

Callers inside a service call ``notify_units``/``notify_users``; if the transaction rolls back,
nothing is sent (STYLE: side effects after commit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from anxin.core.validators import mask_phone
from anxin.notify.models import Notification, SmsMessage, SmsStatus
from anxin.notify.sms import get_backend

if TYPE_CHECKING:
    # The project's user model (settings.AUTH_USER_MODEL); notify reaches users through
    # get_user_model() at run time, as every app may notify.
    from anxin.org.models import User

logger = logging.getLogger(__name__)


def _recipients(*, unit_ids: Iterable[int] = (), user_ids: Iterable[int] = ()) -> list:
    users = get_user_model().objects.filter(is_active=True).exclude(role="")
    unit_ids, user_ids = set(unit_ids), set(user_ids)
    if not unit_ids and not user_ids:
        return []
    query = users.filter(unit_id__in=unit_ids) | users.filter(pk__in=user_ids)
    return list(query.distinct())


def _deliver(
    *,
    unit_ids: Iterable[int],
    user_ids: Iterable[int],
    subject: str,
    body: str,
    url: str,
    topic: str,
    sms: bool,
) -> None:
    users = _recipients(unit_ids=unit_ids, user_ids=user_ids)
    Notification.objects.bulk_create(
        [Notification(recipient=u, subject=subject, body=body, url=url, topic=topic) for u in users]
    )
    if sms:
        text = f"【安薪】{subject}"
        for user in users:
            if user.phone:
                sms_send(phone=user.phone, text=text, topic=topic)


def notify_units(
    *,
    unit_ids: Iterable[int],
    subject: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    sms: bool = False,
) -> None:
    """Put a notice in the inbox of every active user of these units, after commit."""
    unit_ids = sorted({u for u in unit_ids if u})
    transaction.on_commit(
        lambda: _deliver(
            unit_ids=unit_ids, user_ids=(), subject=subject, body=body, url=url, topic=topic, sms=sms
        ),
        robust=True,  # the change is committed; a failed notice is logged, not a 500
    )


def notify_users(
    *,
    user_ids: Iterable[int],
    subject: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    sms: bool = False,
) -> None:
    user_ids = sorted({u for u in user_ids if u})
    transaction.on_commit(
        lambda: _deliver(
            unit_ids=(), user_ids=user_ids, subject=subject, body=body, url=url, topic=topic, sms=sms
        ),
        robust=True,
    )


def sms_send(*, phone: str, text: str, topic: str = "") -> SmsMessage:
    """Send now through the configured backend and keep a masked record; a failure is logged, not raised."""
    status, error = SmsStatus.SENT, ""
    backend_name = str(settings.SMS_BACKEND).rsplit(".", 1)[-1][:100]
    try:
        # Inside the try: a bad SMS_BACKEND (no such module or class, a constructor that fails)
        # is recorded as a failed message like a gateway error, and the other recipients still
        # get theirs.
        backend = get_backend()
        backend_name = type(backend).__name__
        backend.send(phone, text)
    except Exception as exc:  # a gateway's own errors too: the business change stands
        status, error = SmsStatus.FAILED, str(exc)[:300]
        logger.warning("SMS to %s failed: %s", mask_phone(phone), exc)
    return SmsMessage.objects.create(
        phone_masked=mask_phone(phone),
        text=text[:500],
        topic=topic,
        status=status,
        error=error,
        backend=backend_name,
    )


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notices read (all unread ones when ``ids`` is None)."""
    query = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return query.update(read_at=timezone.now())
