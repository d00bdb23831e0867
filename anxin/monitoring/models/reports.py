"""Immediate reports (即时报告, §五(二)) and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event
from anxin.monitoring.models.risk import Alert, AlertQuerySet
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("待报送")
    SUBMITTED = "submitted", _("已报送联席办")
    SPECIAL = "special", _("已专题报告区领导")
    CLOSED = "closed", _("已关闭（无群体性风险）")


class ImmediateReportQuerySet(ScopedQuerySet):
    """Routed like its alert; a unit a leader's 批示 names sees the report too (even a unit with no
    line, such as 公安分局), so its users can read the 批示 where it was written."""

    def sees_none(self, scope: Scope) -> bool:
        return scope.nothing and not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        q = AlertQuerySet.scope_filter(self, scope)
        if scope.unit_id:
            q |= Q(instructions__units=scope.unit_id)
        return q


class ImmediateReport(models.Model):
    """即时报告 (§五(二)): drafted when an IMMEDIATE_* rule fires; the responsible unit records the
    judgement a rule cannot make ("并有可能引发集体上访或群体性事件") and submits it by the deadline;
    the office turns it into a special report (专题报告) to the district leaders."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    alert = models.OneToOneField(
        Alert, verbose_name=_("预警"), on_delete=models.PROTECT, related_name="immediate_report"
    )
    rule = models.CharField(_("规则"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    facts = models.TextField(_("基本情况"))
    workers = models.PositiveIntegerField(_("涉及人数"), default=0)
    amount = models.BigIntegerField(_("涉及金额（分）"), default=0)
    mass_incident_risk = models.BooleanField(_("有可能引发集体上访或群体性事件"), null=True, blank=True)
    risk_judgement = models.TextField(_("研判意见"), blank=True)
    measures = models.TextField(_("已采取的措施"), blank=True)
    town = models.ForeignKey(
        Town, verbose_name=_("属地"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("条线部门"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("生成时间"))
    due_at = models.DateTimeField(_("报送期限"), db_index=True)
    due_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    special_title = models.CharField(_("专题报告标题"), max_length=200, blank=True)
    special_body = models.TextField(_("专题报告正文"), blank=True)
    special_at = models.DateTimeField(_("专题报告时间"), null=True, blank=True)
    closed_reason = models.TextField(_("关闭理由"), blank=True)

    objects = ImmediateReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("即时报告")
        verbose_name_plural = _("即时报告")
        ordering = ["-drafted_at", "-pk"]
        permissions = [
            ("submit_immediatereport", _("可填报即时报告")),
            ("review_immediatereport", _("可审核即时报告、形成专题报告")),
            ("instruct_immediatereport", _("可阅示专题报告（批示、已阅）")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="closed") | Q(mass_incident_risk__isnull=False),
                name="immediate_report_judged_before_submission",
                violation_error_message=_("报送前须研判是否有可能引发集体上访或群体性事件"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} 即时报告"

    @property
    def is_overdue(self) -> bool:
        return self.status == ReportStatus.DRAFT and self.due_at < timezone.now()


class ImmediateReportEvent(Event):
    """Append-only history of an immediate report."""

    class Action(models.TextChoices):
        DRAFT = "draft", _("生成草稿")
        SAVE = "save", _("填写")
        SUBMIT = "submit", _("报送")
        SPECIAL = "special", _("专题报告区领导")
        CLOSE = "close", _("关闭（无群体性风险）")
        ESCALATE = "escalate", _("逾期上报")
        READ = "read", _("区领导已阅")
        INSTRUCT = "instruct", _("区领导批示")

    report = models.ForeignKey(ImmediateReport, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ReportStatus.choices, blank=True)

    class Meta:
        verbose_name = _("即时报告记录")
        verbose_name_plural = _("即时报告记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class LeaderInstruction(models.Model):
    """领导批示 on a special report (§五(二)): what a district leader wrote and the units it goes to.
    Each named unit is told in its inbox; its users read the 批示 on the report. Written once."""

    report = models.ForeignKey(
        ImmediateReport, verbose_name=_("专题报告"), on_delete=models.PROTECT, related_name="instructions"
    )
    text = models.TextField(_("批示内容"))
    units = models.ManyToManyField(Unit, verbose_name=_("批示送达单位"), related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批示人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("批示时间"))

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} 批示 {self.at:%Y-%m-%d %H:%M}"


class ReportReading(models.Model):
    """已阅: a district leader has read a special report — who and when, once per leader."""

    report = models.ForeignKey(
        ImmediateReport, verbose_name=_("专题报告"), on_delete=models.PROTECT, related_name="readings"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("阅读人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("已阅时间"))

    class Meta:
        verbose_name = _("专题报告已阅")
        verbose_name_plural = _("专题报告已阅")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "reader"],
                name="report_read_once_per_reader",
                violation_error_message=_("已阅只记录一次"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reader} 已阅 {self.at:%Y-%m-%d %H:%M}"
