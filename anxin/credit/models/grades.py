"""Enterprise labour-law integrity grades (企业劳动保障守法诚信等级评价办法, 人社部规〔2016〕1号; §三(七)):
each year's A/B/C per enterprise computed from what Anxin holds, with the rule and the records behind
each B and C; 人社局 confirms the year; every change of a grade is recorded with its reasons."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.registry.models import Enterprise, in_line

GRADE_RULES = "企业劳动保障守法诚信等级评价办法（人社部规〔2016〕1号）"


class Grade(models.TextChoices):
    A = "A", _("A级（劳动保障守法诚信）")
    B = "B", _("B级（基本守法诚信）")
    C = "C", _("C级（不守法诚信）")


class GradeYearStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("测算中")
    CONFIRMED = "confirmed", _("已确认")


class GradeYear(models.Model):
    """A year of grading: computed (again and again) while provisional, then confirmed by 人社局 — the
    confirmed grades are the year's. ``params`` keeps the parameter values the last computation used."""

    year = models.PositiveSmallIntegerField(_("评价年度"), unique=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=GradeYearStatus.choices, default=GradeYearStatus.PROVISIONAL
    )
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    params = models.JSONField(_("所用参数"), default=list, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("守法诚信等级评价年度")
        verbose_name_plural = _("守法诚信等级评价年度")
        ordering = ["-year"]
        permissions = [("grade_enterprises", _("可测算、确认和调整守法诚信等级"))]

    def __str__(self) -> str:
        return f"{self.year} 年度守法诚信等级评价"


class GradeQuerySet(ScopedQuerySet):
    """A grade is seen by whoever sees its enterprise: its town, its line (a department with every
    enterprise in its line — 人社局, 市场监管局 — sees every grade)."""

    def sees_all(self, scope: Scope) -> bool:
        return scope.everything or scope.all_enterprises

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(enterprise__town_id__in=scope.town_ids)
        return q | in_line(scope)


class EnterpriseGrade(models.Model):
    """One enterprise's grade for one year. ``computed`` is what the rules give (with ``evidence``:
    each rule met, its parameter values and the records — cases, actions, incidents, listings — behind
    it); ``grade`` is the grade in force, which differs only by a recorded ``GradeChange`` (an upheld
    objection, 人社局's adjustment)."""

    year = models.ForeignKey(
        GradeYear, verbose_name=_("评价年度"), on_delete=models.PROTECT, related_name="grades"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="credit_grades"
    )
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    computed = models.CharField(_("测算等级"), max_length=1, choices=Grade.choices)
    evidence = models.JSONField(_("依据"), default=list, blank=True)
    computed_at = models.DateTimeField(_("测算时间"), default=timezone.now)
    adjusted = models.BooleanField(_("已人工调整"), default=False)

    objects = GradeQuerySet.as_manager()

    class Meta:
        verbose_name = _("守法诚信等级")
        verbose_name_plural = _("守法诚信等级")
        ordering = ["year", "enterprise"]
        constraints = [
            models.UniqueConstraint(fields=["year", "enterprise"], name="credit_grade_once"),
        ]
        indexes = [models.Index(fields=["year", "grade"], name="credit_grade_year_grade")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year.year} {self.grade}"


class GradeChange(models.Model):
    """A change of an enterprise's grade in force — by a new computation, by 人社局's adjustment with
    reasons, by an upheld objection — append-only."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("测算")
        ADJUSTED = "adjusted", _("人工调整")
        OBJECTION = "objection", _("异议成立")

    grade = models.ForeignKey(EnterpriseGrade, on_delete=models.PROTECT, related_name="changes")
    from_grade = models.CharField(_("原等级"), max_length=1, blank=True)
    to_grade = models.CharField(_("新等级"), max_length=1, choices=Grade.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    reasons = models.TextField(_("理由"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("等级变更记录")
        verbose_name_plural = _("等级变更记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.grade} {self.from_grade}→{self.to_grade}"
