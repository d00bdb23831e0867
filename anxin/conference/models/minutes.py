"""A meeting's minutes (会议纪要) and the decisions in them (议定事项, §二).

Minutes are drafted by the office (text and decisions), submitted to the convener, signed off (审签)
or returned with comments, and only once signed issued (印发) — as a Word 纪要 in 公文 layout — to the
units named. A decision has an owner unit, co-units, a due date and the result required; once the
minutes are issued it is in the owner's 我的待办: the owner reports progress, then completion with its
result and evidence; the office accepts or sends it back. ``tick`` reminds before the due date and
escalates an overdue decision to the office, which may issue a 督办通知 (``SupervisionNotice``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.conference.models.files import ConferenceFile
from anxin.conference.models.meetings import Meeting
from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    SUBMITTED = "submitted", _("待召集人审签")
    RETURNED = "returned", _("退回修改")
    SIGNED = "signed", _("已审签")
    ISSUED = "issued", _("已印发")


class MinutesQuerySet(ScopedQuerySet):
    """The office and the leaders see minutes at every stage; a unit sees issued minutes sent to it."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(status=MinutesStatus.ISSUED, issued_to__id=scope.unit_id)


class Minutes(TimeStampedModel):
    """The minutes of one meeting: the text the office drafted, the decisions (``Decision``), the
    convener's sign-off or return comments, the issue (文号, day, units sent to)."""

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="minutes"
    )
    text = models.TextField(_("纪要正文"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审签人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("审签时间"), null=True, blank=True)
    sign_opinion = models.TextField(_("审签意见"), blank=True)
    return_comments = models.TextField(_("退回意见"), blank=True)
    reference = models.CharField(_("纪要文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_to = models.ManyToManyField(Unit, verbose_name=_("印发单位"), blank=True, related_name="+")

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["-meeting__date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="issued") | (Q(signed_at__isnull=False) & Q(issued_on__isnull=False)),
                name="conference_issued_minutes_signed",
                violation_error_message=_("未经召集人审签的纪要不得印发"),
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="conference_minutes_reference_once",
                violation_error_message=_("纪要文号已使用"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.number} 会议纪要"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("纪要未印发")
    OPEN = "open", _("落实中")
    REPORTED = "reported", _("已报完成待验收")
    DONE = "done", _("已验收办结")


# Decisions a unit still has to act on (the owner's 我的待办) and those still followed by the office.
ACTIVE = (DecisionStatus.OPEN,)
FOLLOWED = (DecisionStatus.OPEN, DecisionStatus.REPORTED)


class DecisionQuerySet(ScopedQuerySet):
    """The office and the leaders see every decision; a unit sees those it owns or co-handles once the
    minutes are issued."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return ~Q(status=DecisionStatus.DRAFT) & (Q(owner_id=scope.unit_id) | Q(co_units__id=scope.unit_id))

    def overdue(self, today: datetime.date | None = None) -> DecisionQuerySet:
        """Decisions still to be done whose due date has passed (status shown is derived from today)."""
        today = today or timezone.localdate()
        return self.filter(status=DecisionStatus.OPEN, due_on__lt=today)


class Decision(TimeStampedModel):
    """One 议定事项 of a meeting: what was decided, the result required, the owner unit (牵头单位) and
    co-units (配合单位), the due date (stored, indexed, swept by ``tick``). The owner's reports and the
    office's answers are ``DecisionReport`` rows; status changes leave ``DecisionEvent`` rows."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("会议纪要"), on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="decisions"
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    number = models.CharField(_("编号"), max_length=30, unique=True)
    subject = models.TextField(_("议定事项"))
    result_required = models.TextField(_("工作要求（须达成的结果）"))
    owner = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+")
    co_units = models.ManyToManyField(Unit, verbose_name=_("配合单位"), blank=True, related_name="+")
    due_on = models.DateField(_("完成时限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    result = models.TextField(_("完成情况"), blank=True)
    completed_on = models.DateField(_("报完成日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["due_on", "pk"]
        permissions = [("handle_decision", _("可报告议定事项进展和完成情况"))]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "seq"],
                name="conference_decision_seq",
                violation_error_message=_("纪要中议定事项序号重复"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["reported", "done"]) | ~Q(result=""),
                name="conference_decision_result_when_reported",
                violation_error_message=_("报完成须填写完成情况"),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="conference_decision_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject[:20]}"

    @property
    def is_overdue(self) -> bool:
        return self.status == DecisionStatus.OPEN and self.due_on < timezone.localdate()


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("进展情况")
    COMPLETION = "completion", _("完成情况")


class DecisionReport(models.Model):
    """What the owner unit reported on a decision (progress, or completion with its result), with
    evidence; for a completion, the office's answer (accepted, or sent back with the reason)."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("议定事项"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=ReportKind.choices)
    text = models.TextField(_("内容"))
    evidence = models.ManyToManyField(
        ConferenceFile, verbose_name=_("佐证材料"), blank=True, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("报告单位"), on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)
    answer = models.TextField(_("联席办意见"), blank=True)
    accepted = models.BooleanField(_("是否通过验收"), null=True, blank=True)

    class Meta:
        verbose_name = _("议定事项落实报告")
        verbose_name_plural = _("议定事项落实报告")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision.number} {self.get_kind_display()}"


class DecisionEvent(Event):
    """A line of a decision's history: issued with the minutes, progress reported, completion reported,
    accepted or sent back, reminded, escalated, 督办通知 issued."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("议定事项"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("议定事项办理记录")
        verbose_name_plural = _("议定事项办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision.number} {self.action}"


class SupervisionNotice(models.Model):
    """A 督办通知 the office issued on a decision: its number, the day, what it requires and by when,
    the decision's status and whether it was overdue that day; the Word notice prints this record."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("议定事项"), on_delete=models.PROTECT, related_name="notices"
    )
    reference = models.CharField(_("督办文号"), max_length=60, unique=True)
    issued_on = models.DateField(_("督办日期"))
    requirements = models.TextField(_("督办要求"))
    reply_by = models.DateField(_("回复时限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督办人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # the decision as it stood on the issue day — the Word prints these, never today's status
    decision_status = models.CharField(
        _("督办时落实状态"), max_length=10, choices=DecisionStatus.choices, blank=True
    )
    was_overdue = models.BooleanField(_("督办时已逾期"), default=False)

    class Meta:
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.decision.number}"
