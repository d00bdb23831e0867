"""Sending notices: inbox rows and SMS, only after the surrounding transaction commits.

Callers inside a service call ``notify_units``/``notify_users``; if the transaction rolls back,
nothing is sent (STYLE: side effects after commit). An SMS is a row of the outbox (待发送) and a
task on the queue (django-tasks, database backend): the worker talks to the gateway, tries again
after a failure (``MAX_ATTEMPTS``, ``RETRY_AFTER``) and records 已发送 or 发送失败; the request
that caused it never waits for the gateway.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import require_perm
from anxin.core.audit import guarded_update
from anxin.core.errors import DomainError
from anxin.core.validators import mask_phone
from anxin.notify.models import Notification, PendingNotice, SmsMessage, SmsStatus
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
    about: str = "",
) -> None:
    users = _recipients(unit_ids=unit_ids, user_ids=user_ids)
    about = about[:100]
    Notification.objects.bulk_create(
        [
            Notification(recipient=u, subject=subject, body=body, url=url, topic=topic, about=about)
            for u in users
        ]
    )
    if sms:
        _text(users, subject=subject, topic=topic)


def _text(users: Iterable, *, subject: str, topic: str) -> None:
    """A notice's text message to each of ``users`` who has a phone."""
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
    about: str = "",
) -> None:
    """Put a notice in the inbox of every active user of these units, after commit. ``about``: the
    enterprise (or matter) it concerns, by name — the inbox groups notices by topic and ``about``."""
    unit_ids = sorted({u for u in unit_ids if u})
    if settings.NOTICES_DEFERRED:
        # The internet zone reads no account: the notice waits, in this transaction, for the tick.
        PendingNotice.objects.create(
            unit_ids=unit_ids, subject=subject, body=body, url=url, topic=topic, sms=sms, about=about[:100]
        )
        return
    transaction.on_commit(
        lambda: _deliver(
            unit_ids=unit_ids,
            user_ids=(),
            subject=subject,
            body=body,
            url=url,
            topic=topic,
            sms=sms,
            about=about,
        ),
        robust=True,  # the change is committed; a failed notice is logged, not a 500
    )


class UnitNotice(NamedTuple):
    """One notice for one unit's active users (``notify_units_each``)."""

    unit_id: int
    subject: str
    body: str = ""
    url: str = ""
    topic: str = ""
    sms: bool = False
    about: str = ""


def notify_units_each(notices: Iterable[UnitNotice]) -> None:
    """Many notices, each to one unit, after commit: what ``notify_units`` does for each of them,
    with one read of the units' users and one insert of all the inbox rows (a scan announces to a
    dozen units at once; a query and an insert per unit were most of its time after commit). The
    rows and text messages are the same, in the same order, as one ``notify_units`` call per notice."""
    notices = [n for n in notices if n.unit_id]
    if notices and settings.NOTICES_DEFERRED:
        # As notify_units in the internet zone: each notice waits, in this transaction, for the tick.
        PendingNotice.objects.bulk_create(
            [
                PendingNotice(
                    unit_ids=[n.unit_id],
                    subject=n.subject,
                    body=n.body,
                    url=n.url,
                    topic=n.topic,
                    sms=n.sms,
                    about=n.about[:100],
                )
                for n in notices
            ]
        )
    elif notices:
        transaction.on_commit(lambda: _deliver_each(notices), robust=True)


def _deliver_each(notices: list[UnitNotice]) -> None:
    by_unit: dict[int, list] = {}
    for user in _recipients(unit_ids={n.unit_id for n in notices}):
        by_unit.setdefault(user.unit_id, []).append(user)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=u, subject=n.subject, body=n.body, url=n.url, topic=n.topic, about=n.about[:100]
            )
            for n in notices
            for u in by_unit.get(n.unit_id, ())
        ]
    )
    for n in notices:
        if not n.sms:
            continue
        # Each notice's text messages stand alone, as they did with one after-commit call per
        # notice: one that cannot be queued is logged and the others still go out.
        try:
            _text(by_unit.get(n.unit_id, ()), subject=n.subject, topic=n.topic)
        except Exception:
            logger.exception("notice %r: its text messages could not be queued", n.subject)


def pending_notices_deliver(*, now: datetime.datetime | None = None) -> int:
    """Fan out the notices the internet zone wrote (``PendingNotice``) to the inboxes, each once:
    the row is deleted in the transaction that writes the inbox rows (a failure keeps it for the
    next tick)."""
    done = 0
    for pk in PendingNotice.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            notice = PendingNotice.objects.select_for_update().filter(pk=pk).first()
            if notice is None:
                continue
            notice.delete()
            _deliver(  # the inbox rows commit with the deletion, or neither
                unit_ids=notice.unit_ids,
                user_ids=notice.user_ids,
                subject=notice.subject,
                body=notice.body,
                url=notice.url,
                topic=notice.topic,
                sms=notice.sms,
                about=notice.about,
            )
        done += 1
    return done


def notify_users(
    *,
    user_ids: Iterable[int],
    subject: str,
    body: str = "",
    url: str = "",
    topic: str = "",
    sms: bool = False,
    about: str = "",
) -> None:
    user_ids = sorted({u for u in user_ids if u})
    if settings.NOTICES_DEFERRED:
        PendingNotice.objects.create(
            user_ids=user_ids, subject=subject, body=body, url=url, topic=topic, sms=sms, about=about[:100]
        )
        return
    transaction.on_commit(
        lambda: _deliver(
            unit_ids=(),
            user_ids=user_ids,
            subject=subject,
            body=body,
            url=url,
            topic=topic,
            sms=sms,
            about=about,
        ),
        robust=True,
    )


# --- SMS: queued in the caller's transaction, sent by the task worker, tried again --------------------

MAX_ATTEMPTS = 3
# The wait after the 1st and the 2nd failed attempt; the 3rd failure is final (发送失败).
RETRY_AFTER = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=10))
# A message taken by a worker that neither sent it nor recorded a failure by then (the worker was
# killed mid-call) is due again: at-least-once, so a gateway that took it may see it twice.
LEASE = datetime.timedelta(minutes=10)
# The tick sweep leaves a due message this long to the worker before sending it itself.
SWEEP_GRACE = datetime.timedelta(minutes=2)
SWEEP_BATCH = 100


def _backend_label() -> str:
    return str(settings.SMS_BACKEND).rsplit(".", 1)[-1][:100]


def _enqueue(message_id: int, *, at: datetime.datetime | None = None) -> None:
    """Put the sending on the task queue (after the caller's commit). A retry is deferred to
    ``at`` where the backend can defer; elsewhere (the inline test backend) the tick sweep sends
    it when it is due."""
    from anxin.notify.tasks import sms_deliver

    task = sms_deliver
    if at is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    task.enqueue(message_id)


def sms_send(*, phone: str, text: str, topic: str = "") -> SmsMessage:
    """Queue a text message: the row (待发送) in the caller's transaction, the sending on the task
    queue once it commits. Never calls the gateway, so a slow or failing gateway never slows or
    fails the request; ``sms_attempt`` (the task) sends it."""
    message = SmsMessage.objects.create(
        phone=phone,
        phone_masked=mask_phone(phone),
        text=text[:500],
        topic=topic,
        status=SmsStatus.QUEUED,
        next_try_at=timezone.now(),
        backend=_backend_label(),
    )
    # robust: the business change is committed; a queue that cannot take the task leaves the
    # message 待发送 for the tick sweep.
    transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    return message


def sms_attempt(*, message_id: int, now: datetime.datetime | None = None) -> str:
    """One attempt at one queued message (the worker's task, and the tick sweep): take it with a
    conditional update (another worker that got there first wins), call the gateway outside any
    transaction, record the outcome. Returns the message's status afterwards, or "skipped"."""
    now = now or timezone.now()
    due = SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_try_at__lte=now)
    if not guarded_update(due, message_id, next_try_at=now + LEASE, attempts=F("attempts") + 1):
        return "skipped"  # sent, failed, not due yet, or taken by another worker
    # The number is read inside the try: one that no longer decrypts (the key was changed) is a
    # failed attempt, not a task that dies and comes back after every lease.
    message = SmsMessage.objects.defer("phone").get(pk=message_id)
    label, error = _backend_label(), ""
    try:
        # A bad SMS_BACKEND (no such module or class, a constructor that fails) is a failed
        # attempt like a gateway error.
        backend = get_backend()
        label = type(backend).__name__[:100]
        backend.send(message.phone, message.text)
    except Exception as exc:  # a gateway's own errors too
        error = str(exc)[:300] or type(exc).__name__
        logger.warning(
            "SMS #%s to %s failed (attempt %s): %s", message.pk, message.phone_masked, message.attempts, exc
        )
    queued = SmsMessage.objects.filter(status=SmsStatus.QUEUED)
    if not error:
        # Sent: the full number is no longer needed.
        guarded_update(
            queued,
            message.pk,
            status=SmsStatus.SENT,
            sent_at=timezone.now(),
            next_try_at=None,
            error="",
            phone="",
            backend=label,
        )
        return SmsStatus.SENT
    if message.attempts >= MAX_ATTEMPTS:
        guarded_update(
            queued, message.pk, status=SmsStatus.FAILED, next_try_at=None, error=error, backend=label
        )
        return SmsStatus.FAILED
    retry_at = now + RETRY_AFTER[min(message.attempts, len(RETRY_AFTER)) - 1]
    guarded_update(queued, message.pk, next_try_at=retry_at, error=error, backend=label)
    _enqueue(message.pk, at=retry_at)
    return SmsStatus.QUEUED


def sms_send_due(*, now: datetime.datetime) -> int:
    """The tick sweep: send the queued messages the worker has not taken although they are due
    (worker stopped, task lost, a backend that cannot defer a retry). Returns how many it tried."""
    due = SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_try_at__lte=now - SWEEP_GRACE)
    tried = 0
    for message_id in due.order_by("next_try_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH]:
        if sms_attempt(message_id=message_id, now=now) != "skipped":
            tried += 1
    return tried


@transaction.atomic
def sms_resend(*, actor: User, message: SmsMessage) -> SmsMessage:
    """Queue a message that finally failed once more, with a fresh set of attempts (联席办)."""
    require_perm(actor, "notify.resend_smsmessage")
    if message.status != SmsStatus.FAILED:
        raise DomainError(_("只有“发送失败”的短信可以重新发送"), code="transition")
    if not message.phone:
        raise DomainError(_("该短信未保存完整手机号（排队发送功能上线前的记录），不能重新发送"))
    now = timezone.now()
    failed = SmsMessage.objects.filter(status=SmsStatus.FAILED)
    values = {
        "status": SmsStatus.QUEUED,
        "attempts": 0,
        "next_try_at": now,
        "resent_by": actor,
        "resent_at": now,
    }
    if not guarded_update(failed, message.pk, **values):
        raise DomainError(_("该短信已被他人重新发送"), code="conflict")
    transaction.on_commit(lambda: _enqueue(message.pk), robust=True)
    message.refresh_from_db()
    return message


def task_results_purge(*, now: datetime.datetime) -> int:
    """The tick sweep: delete the queue's finished task rows after a week (the outbox keeps what
    each message became; the task rows only say which worker ran what)."""
    from django_tasks_db.models import DBTaskResult

    deleted, _by_model = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - datetime.timedelta(days=7)).delete()
    )
    return deleted


def notification_mark_read(
    *,
    user: User,
    ids: Iterable[int] | None = None,
    topic: str | None = None,
    about: str | None = None,
) -> int:
    """Mark the user's own notices read: those of ``ids``, or of one group (``topic`` and
    ``about``), or every unread one when none is given."""
    query = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    if topic is not None:
        query = query.filter(topic=topic)
    if about is not None:
        query = query.filter(about=about)
    return query.update(read_at=timezone.now())
