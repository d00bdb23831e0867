"""The joint conference's meetings (§二 联席会议制度): plenary meetings (全体会议, in principle once a
quarter — parameter ``meeting.plenary_interval_months``) and topic meetings (专题会议) called when
work needs them or a member unit asks (``MeetingProposal``). A meeting has its invited units and who
of each attended, its topics (the kinds of business §二 names), its papers, and — once prepared — the
plenary pack (``MeetingPack``: a snapshot of the quarter's figures and the decisions' status)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.conference.models.files import ConferenceFile
from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("全体会议")
    TOPIC = "topic", _("专题会议")


class Topic(models.TextChoices):
    """The business of a meeting, as §二 lists it (传达部署, 形势研判, 督查议定事项, 审议制度, 研究重大问题,
    听取汇报, 专项整治, 会商协调)."""

    BRIEFING = "briefing", _("传达部署上级工作要求")
    SITUATION = "situation", _("研判欠薪形势")
    DECISIONS = "decisions", _("督查议定事项落实")
    RULES = "rules", _("审议工作制度")
    MAJOR = "major", _("研究解决重大问题")
    REPORTS = "reports", _("听取成员单位工作汇报")
    CAMPAIGN = "campaign", _("部署专项整治")
    COORDINATION = "coordination", _("会商协调重大欠薪案件")


class ChairPost(models.TextChoices):
    CONVENER = "convener", _("联席会议召集人")
    DEPUTY = "deputy", _("副召集人")
    DIRECTOR = "director", _("联席办主任")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class ConferencePost(TimeStampedModel):
    """Who holds a post of the joint conference (召集人, 副召集人, 联席办主任): the convener signs minutes
    (审签), the office director approves the office's analysis and circulars. Designated by the 安全管理员
    (secadmin); one active convener and one active director at a time (deputies may be several); a
    post is ended (``active=False``), never deleted."""

    post = models.CharField(_("职务"), max_length=10, choices=ChairPost.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="conference_posts",
    )
    active = models.BooleanField(_("在任"), default=True)
    appointed_on = models.DateField(_("任职日期"), default=timezone.localdate)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("联席会议职务")
        verbose_name_plural = _("联席会议职务")
        ordering = ["post", "pk"]
        permissions = [("manage_posts", _("可维护联席会议职务"))]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"],
                condition=Q(active=True),
                name="conference_post_once",
                violation_error_message=_("该人员已担任此职务"),
            ),
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(active=True, post__in=["convener", "director"]),
                name="conference_post_one_holder",
                violation_error_message=_("召集人、联席办主任各只能有一名在任"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.user}"


class MeetingQuerySet(ScopedQuerySet):
    """The office and the leaders see every meeting; a unit sees the meetings it is invited to and
    those whose issued minutes were sent to it (印发单位)."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        from anxin.conference.models.minutes import MinutesStatus

        return Q(units__unit_id=scope.unit_id) | Q(
            minutes__status=MinutesStatus.ISSUED, minutes__issued_to__id=scope.unit_id
        )


class Meeting(TimeStampedModel):
    """One meeting of the joint conference: kind, when and where, who chairs it (in which post), the
    units invited and attending (``MeetingUnit``), the topics, the agenda and the papers. Its minutes
    and decisions hang on it (``Minutes``)."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    kind = models.CharField(_("会议类型"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=100)
    date = models.DateField(_("会议日期"), db_index=True)
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chair_post = models.CharField(_("主持人职务"), max_length=10, choices=ChairPost.choices, blank=True)
    topics = models.JSONField(_("议题类型"), default=list, blank=True)
    agenda = models.TextField(_("会议议程"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    held_note = models.TextField(_("召开情况"), blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    papers = models.ManyToManyField(ConferenceFile, verbose_name=_("会议材料"), blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-date", "-pk"]
        permissions = [
            ("manage_meetings", _("可安排、登记联席会议，起草纪要，督办议定事项")),
            ("sign_minutes", _("可审签会议纪要（召集人）")),
            ("propose_meeting", _("可提议召开专题会议")),
            ("export_conference", _("可导出联席会议台账")),
        ]
        indexes = [models.Index(fields=["kind", "status", "date"], name="conference_meeting_kind_date")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(code, code)) for code in self.topics or []]


class MeetingUnit(models.Model):
    """A unit invited to a meeting, and whether it attended and who came (``attendees``: names and
    posts as given), or why it did not."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="units"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(_("是否出席"), null=True, blank=True)
    attendees = models.CharField(_("出席人员"), max_length=200, blank=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        ordering = ["unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                name="conference_unit_once",
                violation_error_message=_("该单位已在邀请名单中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting.number} {self.unit}"


class MeetingEvent(Event):
    """A line of a meeting's history: scheduled, changed, held, attendance recorded, pack prepared,
    minutes drafted/submitted/signed/returned/issued (from → to of the meeting or its minutes)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("会议办理记录")
        verbose_name_plural = _("会议办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting.number} {self.action}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待联席办处理")
    SCHEDULED = "scheduled", _("已安排会议")
    DECLINED = "declined", _("不予召开")


class ProposalQuerySet(ScopedQuerySet):
    """The office and the leaders see every proposal; a unit sees its own."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class MeetingProposal(TimeStampedModel):
    """A member unit's request for a topic meeting (§二: 根据工作需要或成员单位提议召开专题会议): its
    reason and topics; the office schedules a meeting for it or declines it with a reason."""

    unit = models.ForeignKey(Unit, verbose_name=_("提议单位"), on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提议人"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("会议主题"), max_length=100)
    reason = models.TextField(_("提议理由"))
    topics = models.JSONField(_("议题类型"), default=list, blank=True)
    suggested_date = models.DateField(_("建议日期"), null=True, blank=True)
    units_suggested = models.ManyToManyField(
        Unit, verbose_name=_("建议参会单位"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("安排的会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    answer = models.TextField(_("处理意见"), blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("专题会议提议")
        verbose_name_plural = _("专题会议提议")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(meeting__isnull=False),
                name="conference_proposal_scheduled_has_meeting",
                violation_error_message=_("已安排的提议须关联会议"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} 提议：{self.subject}"


class MeetingPack(models.Model):
    """The plenary pack (全体会议材料包) as prepared on a day: the period's figures (signals, alerts,
    cases, money recovered), every open decision with its status, overdue items by unit — a snapshot
    (``data``), so the pack prints what was prepared, whatever changes later. Prepared again, a new
    row; the latest is the meeting's pack."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="packs"
    )
    period_start = models.DateField(_("统计起始日"))
    period_end = models.DateField(_("统计截止日"))
    data: Any = models.JSONField(_("材料内容"), default=dict)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会议材料包")
        verbose_name_plural = _("会议材料包")
        ordering = ["-prepared_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.meeting.number} 材料包 {self.prepared_at:%Y-%m-%d}"


class PlenaryLapse(models.Model):
    """A lapse of the plenary interval (§二: 全体会议原则上每季度召开一次; parameter
    ``meeting.plenary_interval_months``), flagged once to the office and the convener: ``since`` is
    the day counted from (the last held plenary's date, or — with none ever held — the day the
    conference was first used), ``due`` the last day within the interval. One row per ``since``: a
    new plenary moves ``since`` on, so the next lapse is flagged afresh."""

    since = models.DateField(_("起算日"), unique=True)
    basis = models.CharField(_("起算依据"), max_length=100)
    due = models.DateField(_("应召开截止日"))
    interval_months = models.PositiveSmallIntegerField(_("间隔（月）"))
    citation = models.CharField(_("依据"), max_length=100)
    flagged_at = models.DateTimeField(_("提示时间"))
    days = models.PositiveIntegerField(_("提示时已间隔天数"))

    class Meta:
        verbose_name = _("全体会议超期提示")
        verbose_name_plural = _("全体会议超期提示")
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"全体会议超期：自 {self.since:%Y-%m-%d} 起"
