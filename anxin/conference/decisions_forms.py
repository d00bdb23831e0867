"""Forms of decisions: the ledger's filters, the owner's progress and completion (with evidence), the
office's acceptance and sending back, the 督办通知."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.conference.minutes_forms import owner_queryset
from anxin.conference.models import DecisionStatus, Meeting
from anxin.core.forms import FilterForm
from anxin.intake.forms import MultipleFileField

TEXT = {"rows": 3}
ISSUED = [(v, label) for v, label in DecisionStatus.choices if v != DecisionStatus.DRAFT]


class DecisionFilter(FilterForm):
    """The 议定事项台账: search, owner, status, overdue only, meeting."""

    q = forms.CharField(label=_("搜索"), required=False)
    owner = forms.ModelChoiceField(
        label=_("牵头单位"), queryset=owner_queryset(), required=False, empty_label=_("全部牵头单位")
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *ISSUED])
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    meeting = forms.ModelChoiceField(
        label=_("会议"), queryset=Meeting.objects.none(), required=False, empty_label=_("全部会议")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_queryset()  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
            pk__in=self._meetings()
        ).order_by("-date")

    def _meetings(self) -> Any:
        from anxin.conference.models import Decision

        return Decision.objects.for_user(self.user).exclude(status=DecisionStatus.DRAFT).values("meeting_id")


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ProgressForm(_Form):
    text = forms.CharField(label=_("进展情况"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("PDF 或图片，可选多个（每次最多 10 个）")
    )


class CompleteForm(_Form):
    result = forms.CharField(
        label=_("完成情况"),
        max_length=5000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("对照工作要求写明达成的结果"),
    )
    evidence = MultipleFileField(label=_("佐证材料"), required=False, help_text=_("PDF 或图片，可选多个"))


class AcceptForm(_Form):
    opinion = forms.CharField(
        label=_("验收意见"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )


class SendBackForm(_Form):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs=TEXT))


class SuperviseForm(_Form):
    reference = forms.CharField(label=_("督办文号"), max_length=60)
    requirements = forms.CharField(label=_("督办要求"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    reply_by = forms.DateField(label=_("回复时限"), widget=DATE)
