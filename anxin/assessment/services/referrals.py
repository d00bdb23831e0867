"""Referral to 纪检监察 (问责线索移交, §五(三) 考核过程中发现需要问责的问题线索，移交纪检监察机关).

Only the office refers a finding: a numbered transfer (WZ-年-序号) to a body that need not use Anxin
(default 区纪委监委), with the letter and the evidence pack — the finding's saved trace (its Word is
printed from the recorded steps, which never change) and the papers the office chooses (stored as
``AssessmentFile`` kind pack). Its receipt (date, who signed) and its outcome are recorded as the
body reports them, through ``workflow.REFERRALS``. The unit concerned learns only ``unit_message``,
when the office chooses to send it: never the letter or the pack."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import access
from anxin.assessment.models import AssessmentFile, Finding, FindingStatus, Referral
from anxin.assessment.workflow import CONCLUDE, RECEIVE, REFERRALS
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.uploads import DOCUMENTS
from anxin.notify.services import notify_units
from anxin.org.models import User

CLAUSE = "§五(三) 问责线索移交纪检监察机关"
DEFAULT_BODY = "区纪委监委"
OFFICE_ONLY = "只有联席办可以移交问责线索"
MAX_FILES = 10
NUMBER_TRIES = 3
SEND, TELL = "send", "tell"


@dataclass(frozen=True)
class Paper:
    name: str
    content: bytes


def _next_number(year: int) -> str:
    prefix = f"WZ-{year}-"
    last = (
        Referral.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


def _office(actor: User) -> None:
    if not access.may_refer(actor):
        raise PermissionDenied(OFFICE_ONLY)


def _text(value: str, field: str, what: str, limit: int = 10000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


def referral_create(
    *,
    finding: Finding,
    actor: User,
    letter: str,
    to_body: str = DEFAULT_BODY,
    papers: Sequence[Paper] = (),
    sent_on: datetime.date | None = None,
) -> Referral:
    """Refer an active finding (the office): numbered, the letter, the pack."""
    _office(actor)
    if finding.status != FindingStatus.ACTIVE:
        raise DomainError("已撤销的认定问题不能移交", code="transition")
    letter = _text(letter, "letter", "移交函内容")
    to_body = _text(to_body or DEFAULT_BODY, "to_body", "接收机关", 60)
    if len(papers) > MAX_FILES:
        raise DomainError(f"证据材料一次最多 {MAX_FILES} 个文件", field="papers")
    day = sent_on or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError("移交日期不能晚于今天", field="sent_on")
    for attempt in range(NUMBER_TRIES):
        try:
            with atomic_with_files(), acting(actor):
                referral = Referral.objects.create(
                    number=_next_number(day.year),
                    finding=finding,
                    to_body=to_body,
                    letter=letter,
                    sent_on=day,
                    sent_by=actor,
                )
                for paper in papers:
                    stored = file_store(
                        record=AssessmentFile(kind=AssessmentFile.Kind.PACK),
                        actor=actor,
                        name=paper.name,
                        content=paper.content,
                        field="papers",
                        allowed=DOCUMENTS,
                    )
                    referral.files.add(stored)
                REFERRALS.record(referral, SEND, actor=actor, note=f"移交{to_body}", target=referral.status)
            return referral
        except IntegrityError:  # the number taken by another office user meanwhile (its files deleted)
            if attempt == NUMBER_TRIES - 1:
                raise DomainError("移交编号冲突，请重试", code="conflict") from None
    raise AssertionError("unreachable")


def referral_receive(
    *, referral: Referral, actor: User, received_on: datetime.date, received_by_name: str
) -> Referral:
    """Record the receiving body's receipt: the date and who signed."""
    _office(actor)
    step = REFERRALS.step(referral, RECEIVE)
    name = _text(received_by_name, "received_by_name", "签收人", 40)
    if received_on is None:
        raise DomainError("请填写签收日期", field="received_on")
    if received_on < referral.sent_on or received_on > timezone.localdate():
        raise DomainError("签收日期须在移交日期与今天之间", field="received_on")
    with acting(actor):
        REFERRALS.move(
            referral, step, actor=actor, note=f"{received_on:%Y-%m-%d} {name} 签收",
            values={"received_on": received_on, "received_by_name": name},
        )  # fmt: skip
    return referral


def referral_conclude(
    *, referral: Referral, actor: User, outcome: str, outcome_on: datetime.date
) -> Referral:
    """Record the outcome the body reported."""
    _office(actor)
    step = REFERRALS.step(referral, CONCLUDE)
    outcome = _text(outcome, "outcome", "处理结果")
    if outcome_on is None:
        raise DomainError("请填写反馈日期", field="outcome_on")
    if (referral.received_on and outcome_on < referral.received_on) or outcome_on > timezone.localdate():
        raise DomainError("反馈日期须在签收日期与今天之间", field="outcome_on")
    with acting(actor):
        REFERRALS.move(
            referral, step, actor=actor, note=outcome[:500],
            values={"outcome": outcome, "outcome_on": outcome_on},
        )  # fmt: skip
    return referral


def referral_tell_unit(*, referral: Referral, actor: User, message: str) -> Referral:
    """Send the unit concerned what the office chooses (a notice with ``message`` only)."""
    _office(actor)
    message = _text(message, "message", "告知内容", 2000)
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        referral.unit_message, referral.unit_told_at = message, now
        referral.save(update_fields=["unit_message", "unit_told_at", "updated_at"])
        REFERRALS.record(referral, TELL, actor=actor, note=message[:500], at=now)
        notify_units(
            unit_ids=[referral.finding.unit_id],
            subject="联席办告知",
            body=message,
            url=reverse("assessment-finding", args=[referral.finding_id]),
            topic="assessment-finding",
        )
    return referral
