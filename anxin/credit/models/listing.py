"""The joint-punishment list for wage arrears (拖欠农民工工资失信联合惩戒对象名单, 人社部 2022-01-01;
§三(七) 黑名单): who may be listed and on which condition, the notice and the defence before the
decision, the term, the early removal, and the objections an enterprise raises. Every status change
goes through ``credit.workflow.LISTING`` and leaves a ``ListingEvent``."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.models import Case
from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import Event, TimeStampedModel
from anxin.core.validators import mask_id_number
from anxin.credit.models.files import CreditFile
from anxin.registry.models import Enterprise

LIST_RULES = "拖欠农民工工资失信联合惩戒对象名单管理暂行办法"


class Condition(models.TextChoices):
    """The listing conditions (暂行办法 第五条): an order to pay ignored, and either the amount at the
    criminal threshold or a mass or extreme incident with serious impact. No other ground lists."""

    ORDER_THRESHOLD = "order_threshold", _("拒不履行责令支付，且拖欠数额达到拒不支付劳动报酬罪数额标准")
    ORDER_INCIDENT = "order_incident", _("拒不履行责令支付，且引发群体性、极端事件造成严重不良社会影响")


CONDITION_CITATIONS: dict[str, str] = {
    Condition.ORDER_THRESHOLD: f"{LIST_RULES} 第五条第（一）项",
    Condition.ORDER_INCIDENT: f"{LIST_RULES} 第五条第（二）项",
}


class ListingStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟列入（待告知）")
    NOTICED = "noticed", _("已告知（陈述申辩期）")
    LISTED = "listed", _("已列入")
    NOT_LISTED = "not_listed", _("不予列入")
    DROPPED = "dropped", _("撤销拟列入")
    REMOVED = "removed", _("已提前移出")
    EXPIRED = "expired", _("期满移出")
    REVOKED = "revoked", _("已撤销列入")


# A procedure under way (one per enterprise at a time) and a listing in force.
OPEN_LISTING = (ListingStatus.PROPOSED, ListingStatus.NOTICED, ListingStatus.LISTED)
IN_FORCE = (ListingStatus.LISTED,)
ENDED = (ListingStatus.REMOVED, ListingStatus.EXPIRED, ListingStatus.REVOKED)


class ListingOrigin(models.TextChoices):
    AUTO = "auto", _("依案件自动提出")
    MANUAL = "manual", _("人社局提出")


class ListingQuerySet(ScopedQuerySet):
    """A listing is seen by whoever sees its enterprise (its town, its line), and by a unit that holds
    a sanction task on it (财政局 restricts procurement for every listed enterprise, whatever its
    line)."""

    def sees_all(self, scope: Scope) -> bool:
        return scope.everything or scope.all_enterprises  # as for the enterprises themselves (人社局)

    def sees_none(self, scope: Scope) -> bool:
        return scope.nothing and not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        enterprises = Enterprise.objects.all()
        if enterprises.sees_all(scope):  # 市场监管局: every enterprise
            q = Q(pk__isnull=False)
        else:  # the enterprise's own scope rule (a Q over Enterprise), as a subquery of ids
            q = Q(
                enterprise__in=Enterprise._base_manager.filter(enterprises.scope_filter(scope)).values("pk")
            )
        if scope.unit_id:
            q |= Q(sanction_tasks__unit_id=scope.unit_id)
        return q

    def for_user(self, user: Any) -> ListingQuerySet:
        return super().for_user(user).distinct()

    def in_force(self, on: datetime.date | None = None) -> ListingQuerySet:
        """Listings in force on ``on`` (today): decided 列入 and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(status__in=IN_FORCE, term_start__lte=on, term_end__gte=on)


class Listing(TimeStampedModel):
    """One procedure of listing one enterprise (拟列入 → 告知 → 陈述申辩 → 决定), and, once decided
    列入, the listing itself with its term (``term_start`` … ``term_end``, both inclusive), its end
    (期满 by ``tick``, 提前移出 on application, 撤销 on an upheld objection) and the persons listed with
    the enterprise. ``condition_check`` keeps what the condition was judged on: the lines, the
    parameters with their values and citations, and the records (the lapsed order, the incident)."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="credit_listings"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("所涉案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    condition = models.CharField(_("列入条件"), max_length=20, choices=Condition.choices)
    condition_check = models.JSONField(_("条件核查"), default=dict, blank=True)
    origin = models.CharField(_("提出方式"), max_length=8, choices=ListingOrigin.choices)
    reasons = models.TextField(_("提出理由"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    # 拟列入告知书
    notice_reference = models.CharField(_("告知书文号"), max_length=60, blank=True)
    notice_issued_on = models.DateField(_("告知书作出日期"), null=True, blank=True)
    notice_served_on = models.DateField(_("告知书送达日期"), null=True, blank=True)
    service_method = models.CharField(_("送达方式"), max_length=20, blank=True)
    service_proof = models.ForeignKey(
        CreditFile,
        verbose_name=_("送达回证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    defence_due = models.DateField(_("陈述申辩期限"), null=True, blank=True)
    defence_basis = models.CharField(_("申辩期限依据"), max_length=300, blank=True)
    # 决定
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    decision_reference = models.CharField(_("决定书文号"), max_length=60, blank=True)
    # 期限
    term_start = models.DateField(_("列入起始日"), null=True, blank=True)
    term_end = models.DateField(_("列入截止日"), null=True, blank=True, db_index=True)
    term_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    restarts = models.PositiveSmallIntegerField(_("重新计算期限次数"), default=0)
    # 移出
    ended_on = models.DateField(_("移出日期"), null=True, blank=True)
    end_reasons = models.TextField(_("移出理由"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("失信联合惩戒名单")
        verbose_name_plural = _("失信联合惩戒名单")
        ordering = ["-proposed_at", "-pk"]
        permissions = [
            ("decide_listing", _("可提出、告知、决定和移出失信联合惩戒名单")),
            ("export_credit", _("可导出信用台账")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["proposed", "noticed", "listed"]),
                name="credit_one_open_listing",
                violation_error_message=_("该企业已有进行中的列入程序或在列名单"),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__lte=models.F("term_end")),
                name="credit_term_in_order",
                violation_error_message=_("列入截止日不能早于起始日"),
            ),
            models.CheckConstraint(
                condition=~Q(status="listed") | (Q(term_start__isnull=False) & Q(term_end__isnull=False)),
                name="credit_listed_has_term",
                violation_error_message=_("已列入的名单须有起止日期"),
            ),
        ]
        indexes = [models.Index(fields=["status", "term_end"], name="credit_listing_status_end")]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise.name}"

    @property
    def condition_citation(self) -> str:
        return CONDITION_CITATIONS.get(self.condition, LIST_RULES)

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return (
            self.status in IN_FORCE
            and self.term_start is not None
            and self.term_end is not None
            and self.term_start <= today <= self.term_end
        )


class ListingEvent(Event):
    """A line of a listing's history: a move of its status (from → to), a defence recorded or
    answered, a term restarted, a sanction task applied or lifted, a document printed."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    ref = models.CharField(_("关联记录"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("名单办理记录")
        verbose_name_plural = _("名单办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.listing.number} {self.action}"


class PersonRole(models.TextChoices):
    LEGAL_REP = "legal_rep", _("法定代表人")
    PRINCIPAL = "principal", _("主要负责人")
    RESPONSIBLE = "responsible", _("直接负责的主管人员和其他直接责任人员")


class ListedPerson(models.Model):
    """A person listed with the enterprise (暂行办法 第五条: 法定代表人或者主要负责人、直接负责的主管
    人员和其他直接责任人员): name and ID number (encrypted, blind index, shown masked)."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="persons")
    role = models.CharField(_("身份"), max_length=12, choices=PersonRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("列入人员")
        verbose_name_plural = _("列入人员")
        ordering = ["listing", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "id_number_index"],
                name="credit_person_once",
                violation_error_message=_("同一人员已在该名单中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)


class Defence(models.Model):
    """A 陈述申辩 received within the defence period, and the answer it must have before the decision:
    whether it is adopted (采纳) and why."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="defences")
    received_on = models.DateField(_("收到日期"))
    summary = models.TextField(_("陈述申辩内容"))
    paper = models.ForeignKey(
        CreditFile,
        verbose_name=_("书面材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    answer = models.TextField(_("复核意见"), blank=True)
    adopted = models.BooleanField(_("是否采纳"), null=True, blank=True)
    answered_on = models.DateField(_("复核日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("陈述申辩")
        verbose_name_plural = _("陈述申辩")
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.listing.number} 陈述申辩 {self.received_on}"

    @property
    def answered(self) -> bool:
        return self.answered_on is not None


class RemovalStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    GRANTED = "granted", _("准予提前移出")
    REFUSED = "refused", _("不予提前移出")


class RemovalApplication(models.Model):
    """An application for early removal (提前移出, 暂行办法): after the minimum time, the arrears paid
    (the money ledger's figures for the case, kept in ``paid_check``), a written credit pledge; decided
    within the parameterised working days (``due_on``)."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="removals")
    applied_on = models.DateField(_("申请日期"))
    corrected_on = models.DateField(_("改正（清偿）日期"))
    pledge = models.ForeignKey(
        CreditFile, verbose_name=_("信用承诺书"), on_delete=models.PROTECT, related_name="+"
    )
    paid_check = models.JSONField(_("清偿核查"), default=dict, blank=True)
    reasons = models.TextField(_("申请理由"), blank=True)
    due_on = models.DateField(_("决定期限"))
    due_basis = models.CharField(_("期限依据"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=8, choices=RemovalStatus.choices, default=RemovalStatus.PENDING
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期报联席办时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("提前移出申请")
        verbose_name_plural = _("提前移出申请")
        ordering = ["applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=Q(status="pending"),
                name="credit_one_pending_removal",
                violation_error_message=_("该名单已有待决定的提前移出申请"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing.number} 提前移出申请 {self.applied_on}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("异议不成立")


class Objection(models.Model):
    """An enterprise's objection (异议) to its listing or to a year's integrity grade, answered within
    the parameterised working days; an upheld objection revokes the listing or changes the grade
    (recorded with its reasons)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    listing = models.ForeignKey(
        Listing,
        verbose_name=_("名单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    grade = models.ForeignKey(
        "credit.EnterpriseGrade",
        verbose_name=_("等级评价"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    received_on = models.DateField(_("收到日期"))
    reasons = models.TextField(_("异议理由"))
    evidence = models.ForeignKey(
        CreditFile,
        verbose_name=_("证明材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("答复期限"))
    due_basis = models.CharField(_("期限依据"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=8, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("答复意见"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期报联席办时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信用异议")
        verbose_name_plural = _("信用异议")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(listing__isnull=False, grade__isnull=True)
                | Q(listing__isnull=True, grade__isnull=False),
                name="credit_objection_one_subject",
                violation_error_message=_("异议须针对一份名单或一项等级评价"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} 异议 {self.received_on}"


class ObjectionEvent(Event):
    """A line of an objection's history (recorded, answered)."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=8, blank=True)
    to_status = models.CharField(_("新状态"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("异议办理记录")
        verbose_name_plural = _("异议办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.objection_id} {self.action}"


class PublicListing(models.Model):
    """A listing as the public page (重大违法行为公布 and 失信名单, on the portal) shows it: the
    enterprise's name and code, the condition, the persons by role and name (never an ID number),
    the decision and the term — the internet zone's copy, which reads no listing and no enterprise
    (its database role may not). Written by the tick (``public_listings_refresh``) for every listing
    in force or about to be; the page shows those whose term holds on the day."""

    # No foreign key in the database: a portal host on its own database (the file exchange,
    # anxin/credit/exchange.py) holds these copies without the listings; inside, deleting a
    # listing still deletes its copy (Django's CASCADE).
    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    name = models.CharField(max_length=100)
    uscc = models.CharField(max_length=18)
    condition = models.CharField(max_length=20, choices=Condition.choices)
    persons = models.JSONField(default=list)  # [[role label, name], …]
    decision_reference = models.CharField(max_length=60, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    term_start = models.DateField()
    term_end = models.DateField()
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("失信名单（公开部分）")
        verbose_name_plural = _("失信名单（公开部分）")

    def __str__(self) -> str:
        return self.name
