"""Objections (异议) to a listing or to a year's integrity grade (§三(七); 暂行办法; 人社部规〔2016〕1号):
人社局 (or the office) records what the enterprise submits, answers within
``objection.answer_working_days`` working days, and the outcome is kept. An upheld objection revokes
the listing (its sanctions lifted) or changes the grade in force; a rejected one leaves them. A sweep
reminds 人社局 before the answer is due and tells the office of an overdue one, once each."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from anxin.cases.services.common import office_unit_ids
from anxin.core import events, seam
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import due_after
from anxin.core.errors import DomainError
from anxin.core.files import file_store
from anxin.credit import access
from anxin.credit.models import (
    LIST_RULES,
    CreditFile,
    EnterpriseGrade,
    Grade,
    GradeChange,
    Listing,
    ListingStatus,
    Objection,
    ObjectionStatus,
)
from anxin.credit.services.grades import grade_change
from anxin.credit.services.listing import close_pending_removals, remind_until
from anxin.credit.services.sanctions import sanction_tasks_open
from anxin.credit.workflow import LISTING, OBJECT, OBJECTIONS, REJECT, REVOKE, UPHOLD
from anxin.notify.services import notify_units
from anxin.org.models import User
from anxin.registry.models import Enterprise

ANSWER_DAYS = "objection.answer_working_days"
REFUSE_DECIDE = "只有人社局（黑名单职责）或联席办可以登记和答复信用异议（§三(七)）"


def objection_url(objection: Objection) -> str:
    return reverse("credit-objection", args=[objection.pk])


def listing_url(listing: Listing) -> str:
    """The listing's page (the listing part's ``credit-listing``)."""
    try:
        return reverse("credit-listing", args=[listing.pk])
    except NoReverseMatch:
        return ""


def _subject(objection: Objection) -> str:
    if objection.listing_id:
        return f"失信联合惩戒名单 {objection.listing.number}"  # type: ignore[union-attr]
    return f"{objection.grade.year.year} 年度守法诚信等级"  # type: ignore[union-attr]


def objection_record(
    *,
    actor: User,
    enterprise: Enterprise,
    listing: Listing | None = None,
    grade: EnterpriseGrade | None = None,
    received_on: datetime.date,
    reasons: str,
    evidence: tuple[str, bytes] | None = None,
    now: datetime.datetime | None = None,
) -> Objection:
    """Record the enterprise's objection to ``listing`` or ``grade`` (one of them), received on
    ``received_on``; it is due ``objection.answer_working_days`` working days later. ``evidence``:
    the enterprise's papers (file name, content), checked by content."""
    if not access.may_decide(actor):
        raise PermissionDenied(REFUSE_DECIDE)
    now = now or timezone.now()
    today = timezone.localdate(now)
    reasons = (reasons or "").strip()
    if (listing is None) == (grade is None):
        raise DomainError("异议须针对一份名单或一项等级评价（二者选一）", field="listing")
    if not reasons:
        raise DomainError("请填写企业提出异议的理由", field="reasons")
    if received_on > today:
        raise DomainError("收到日期不能晚于今天", field="received_on")
    subject_enterprise = listing.enterprise_id if listing is not None else grade.enterprise_id  # type: ignore[union-attr]
    if subject_enterprise != enterprise.pk:
        raise DomainError("异议须由被列入名单或被评价的企业本身提出", field="enterprise")
    if listing is not None and listing.status != ListingStatus.LISTED:
        raise DomainError(
            f"名单 {listing.number} 处于“{listing.get_status_display()}”，不能对其提出异议："
            f"异议针对已作出的列入决定（{LIST_RULES}）；拟列入期间请登记陈述申辩",
            field="listing",
        )
    start = datetime.datetime.combine(received_on, datetime.time(12), tzinfo=timezone.get_current_timezone())
    due_at, basis = due_after(ANSWER_DAYS, start)
    with transaction.atomic(), acting(actor):
        # The subject's row is locked first: two clerks recording the same objection at once wait
        # for each other, and the second finds the first's.
        if listing is not None:
            list(Listing.objects.select_for_update().filter(pk=listing.pk).values_list("pk"))
            subject: dict = {"listing": listing}
        else:
            list(EnterpriseGrade.objects.select_for_update().filter(pk=grade.pk).values_list("pk"))  # type: ignore[union-attr]
            subject = {"grade": grade}
        if Objection.objects.filter(status=ObjectionStatus.OPEN, **subject).exists():
            raise DomainError("该事项已有待答复的异议，请先答复后再登记新的异议", field="reasons")
        paper = None
        if evidence is not None:
            name, content = evidence
            paper = file_store(
                record=CreditFile(kind=CreditFile.Kind.EVIDENCE),
                actor=actor,
                name=name,
                content=content,
                field="evidence",
            )
        objection = Objection.objects.create(
            enterprise=enterprise,
            listing=listing,
            grade=grade,
            received_on=received_on,
            reasons=reasons,
            evidence=paper,
            due_on=timezone.localdate(due_at),
            due_basis=basis[:300],
            recorded_by=actor,
            recorded_at=now,
        )
        OBJECTIONS.record(
            objection,
            OBJECT,
            actor=actor,
            at=now,
            note=f"{_subject(objection)}：{reasons}（答复期限 {objection.due_on:%Y-%m-%d}）",
            target=ObjectionStatus.OPEN,
        )
        notify_units(
            unit_ids=[u.pk for u in access.authority_units()],
            subject=f"{enterprise.name} 对{_subject(objection)}提出异议",
            body=f"请于 {objection.due_on:%Y-%m-%d} 前答复（{basis}）。",
            url=objection_url(objection),
            topic="credit-objection",
            about=enterprise.name,
        )
    return objection


def objection_answer(
    *,
    actor: User,
    objection: Objection,
    upheld: bool,
    answer: str,
    new_grade: str | None = None,
    now: datetime.datetime | None = None,
) -> Objection:
    """Answer an objection. Upheld on a grade: the grade in force becomes ``new_grade`` (a
    ``GradeChange``, source 异议成立). Upheld on a listing: the listing is revoked (撤销), its sanctions
    lifted, earlier apps told. Rejected: the listing or grade stands. The answer is kept."""
    if not access.may_decide(actor):
        raise PermissionDenied(REFUSE_DECIDE)
    now = now or timezone.now()
    today = timezone.localdate(now)
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("请填写答复意见（异议成立或不成立的理由）", field="answer")
    with transaction.atomic(), acting(actor):
        locked = (
            Objection.objects.select_for_update(of=("self",))
            .select_related("grade__year", "listing")
            .get(pk=objection.pk)
        )
        step = OBJECTIONS.step(locked, UPHOLD if upheld else REJECT)
        note = answer
        if upheld and locked.grade_id:
            grade = (
                EnterpriseGrade.objects.select_for_update(of=("self",))
                .select_related("year")
                .get(pk=locked.grade_id)
            )
            if new_grade not in Grade.values:
                raise DomainError("异议成立的，请选择变更后的等级", field="new_grade")
            if new_grade == grade.grade:
                raise DomainError(
                    f"异议成立应变更等级：该企业 {grade.year.year} 年度现为 {grade.grade} 级",
                    field="new_grade",
                )
            note = f"{answer}（等级由 {grade.grade} 级变更为 {new_grade} 级）"
            grade_change(
                actor=actor,
                grade=grade,
                to=new_grade,
                source=GradeChange.Source.OBJECTION,
                reasons=f"异议成立：{answer}",
                now=now,
            )
        elif upheld and locked.listing_id:
            listing = Listing.objects.select_for_update().get(pk=locked.listing_id)
            if listing.status == ListingStatus.LISTED:
                LISTING.move(
                    listing,
                    LISTING.step(listing, REVOKE),
                    actor=actor,
                    now=now,
                    note=f"异议成立：{answer}",
                    values={"ended_on": today, "end_reasons": f"异议成立，撤销列入：{answer}"},
                )
                close_pending_removals(listing, actor=actor, now=now, why="异议成立，已撤销列入")
                sanction_tasks_open(actor=actor, listing=listing, kind="lift", now=now)
                events.publish(seam.CREDIT_CHANGED, enterprise_ids=[listing.enterprise_id])
                note = f"{answer}（撤销列入 {listing.number}）"
            else:
                note = f"{answer}（名单已{listing.get_status_display()}，无需撤销）"
        OBJECTIONS.move(
            locked,
            step,
            actor=actor,
            now=now,
            note=note,
            values={"answer": answer, "answered_on": today, "answered_by": actor},
        )
    objection.refresh_from_db()
    return objection


def objections_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: remind 人社局 of an objection due within ``case.remind_working_days`` working days, and
    tell the office of
    one past its due day — each once (``reminded_at``, ``escalated_at``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    authority = [u.pk for u in access.authority_units()]
    offices = office_unit_ids()
    with transaction.atomic(), acting(system_actor()):
        open_ = (
            Objection.objects.select_for_update(of=("self",))
            .select_related("enterprise")
            .filter(status=ObjectionStatus.OPEN)
        )
        for objection in open_.filter(
            reminded_at__isnull=True,
            due_on__gte=today,
            due_on__lte=remind_until(today),
        ):
            guarded_update(Objection.objects.filter(reminded_at__isnull=True), objection.pk, reminded_at=now)
            notify_units(
                unit_ids=authority,
                subject=f"信用异议将于 {objection.due_on:%Y-%m-%d} 到期：{objection.enterprise.name}",
                body=f"请在期限内答复（{objection.due_basis}）。",
                url=objection_url(objection),
                topic="credit-objection",
                about=objection.enterprise.name,
            )
            done += 1
        for objection in open_.filter(escalated_at__isnull=True, due_on__lt=today):
            guarded_update(
                Objection.objects.filter(escalated_at__isnull=True), objection.pk, escalated_at=now
            )
            notify_units(
                unit_ids=offices + authority,
                subject=f"信用异议逾期未答复：{objection.enterprise.name}（期限 {objection.due_on:%Y-%m-%d}）",
                body=f"答复期限已过（{objection.due_basis}），请督促人社局答复。",
                url=objection_url(objection),
                topic="credit-objection",
                about=objection.enterprise.name,
            )
            done += 1
    return done
