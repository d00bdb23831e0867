"""Forms of the minutes: the draft (text and the decisions, a row each), the convener's sign-off and
return, the issue (文号 and the units)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.conference.services.minutes import OWNER_KINDS
from anxin.org.models import Unit

TEXT = {"rows": 3}


def owner_queryset() -> Any:
    return Unit.objects.filter(is_member=True, kind__in=OWNER_KINDS).order_by("order", "code")


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class MinutesForm(_Form):
    text = forms.CharField(
        label=_("纪要正文"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("会议听取的汇报、研究的问题和议定的意见；议定事项逐项填写在下方"),
    )


class DecisionForm(_Form):
    """One 议定事项: what was decided, the result required, owner, co-units, due date."""

    subject = forms.CharField(
        label=_("议定事项"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    result = forms.CharField(
        label=_("工作要求（须达成的结果）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.ModelChoiceField(label=_("牵头单位"), queryset=Unit.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    due = forms.DateField(label=_("完成时限"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = owner_queryset()
        self.fields["owner"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]

    @property
    def blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in ("subject", "result", "owner", "co_units", "due"))


DecisionFormSet = forms.formset_factory(DecisionForm, extra=2, max_num=50, absolute_max=60)


class SignForm(_Form):
    opinion = forms.CharField(
        label=_("审签意见"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )


class ReturnForm(_Form):
    comments = forms.CharField(
        label=_("修改意见"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("退回须写明修改意见"),
    )


class IssueForm(_Form):
    reference = forms.CharField(
        label=_("纪要文号"), max_length=60, help_text=_("如：新欠薪联办纪〔2026〕1号")
    )
    units = forms.ModelMultipleChoiceField(
        label=_("印发单位"),
        queryset=Unit.objects.filter(is_member=True).order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("默认：参会单位及各议定事项的牵头、配合单位"),
    )
