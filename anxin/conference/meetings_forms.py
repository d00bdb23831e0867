"""Forms of the meetings part: the list's filters, scheduling/editing a meeting, a proposal, and the
small forms of the meeting page (papers, cancel, hold, pack) and the posts page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.conference.models import ChairPost, MeetingKind, MeetingStatus, Topic
from anxin.conference.services.meetings import chair_candidates, member_units
from anxin.core.forms import FilterForm
from anxin.org.models import Role, Unit, User

TEXT = {"rows": 3}


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class MeetingFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(
        label=_("会议类型"), required=False, choices=[("", _("全部类型")), *MeetingKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *MeetingStatus.choices]
    )
    year = forms.ChoiceField(label=_("年度"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            ("", _("全部年度")),
            *((str(y), f"{y}年") for y in range(this + 1, this - 6, -1)),
        ]


def _units_field(label: str, *, required: bool) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        required=required,
        queryset=Unit.objects.filter(pk__in=[u.pk for u in member_units()]).order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
    )


class MeetingForm(_Form):
    """安排会议 / 修改会议安排."""

    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=_("会议名称"),
        required=False,
        max_length=100,
        help_text=_("留空：全体会议按季度命名，专题会议按议题命名"),
    )
    date = forms.DateField(label=_("会议日期"), widget=DATE)
    start_time = forms.TimeField(
        label=_("开始时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("地点"), max_length=100)
    chair = forms.ChoiceField(
        label=_("主持人"), required=False, help_text=_("§二：由联席会议召集人或联席办主任主持召开")
    )
    topics = forms.MultipleChoiceField(
        label=_("议题"), required=False, choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    agenda = forms.CharField(label=_("会议议程"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    units = forms.Field(required=False)  # replaced in __init__
    paper = forms.FileField(label=_("会议材料"), required=False, help_text=_("PDF 或图片，5MB 以内"))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"] = _units_field(str(_("参会单位")), required=False)
        self.fields["units"].help_text = _("全体会议不选则邀请全部成员单位")
        self.fields["chair"].choices = [("", _("暂不确定"))] + [  # type: ignore[attr-defined]
            (str(p.user_id), f"{p.user.display_name}（{p.get_post_display()}）") for p in chair_candidates()
        ]
        if editing:
            del self.fields["kind"]
        self.style()

    def chair_user(self) -> User | None:
        pk = self.cleaned_data.get("chair")
        return User.objects.filter(pk=pk).first() if pk else None


class ProposalForm(_Form):
    subject = forms.CharField(label=_("会议主题"), max_length=100)
    reason = forms.CharField(label=_("提议理由"), widget=forms.Textarea(attrs=TEXT))
    topics = forms.MultipleChoiceField(
        label=_("议题"), required=False, choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    suggested_date = forms.DateField(label=_("建议日期"), required=False, widget=DATE)
    units = forms.Field(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"] = _units_field(str(_("建议参会单位")), required=False)
        self.style()


class ReasonForm(_Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs=TEXT), required=False)


class HoldForm(_Form):
    held_note = forms.CharField(label=_("召开情况"), required=False, widget=forms.Textarea(attrs=TEXT))


class PaperForm(_Form):
    paper = forms.FileField(label=_("会议材料"), help_text=_("PDF 或图片，5MB 以内"))


class PostForm(_Form):
    post = forms.ChoiceField(label=_("职务"), choices=ChairPost.choices)
    user = forms.ChoiceField(label=_("人员"))
    appointed_on = forms.DateField(label=_("任职日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(
            is_active=True, role__in=(Role.LEADER, Role.OFFICE, Role.DEPARTMENT)
        ).select_related("unit")
        self.fields["user"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(u.pk), f"{u.display_name}（{u.unit.name if u.unit else ''} {u.get_role_display()}）")
            for u in people.order_by("role", "username")
        ]

    def person(self) -> User:
        return User.objects.get(pk=self.cleaned_data["user"])
