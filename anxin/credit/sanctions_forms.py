"""Forms of joint sanctions: the tasks ledger's filters, and recording a task as done."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.credit.models import SanctionMeasure, TaskKind, TaskStatus
from anxin.org.models import Unit


def _unit_choices() -> list[tuple[str, Any]]:
    ids = SanctionMeasure.objects.values_list("unit_id", flat=True)
    return [("", _("全部实施单位")), *[(str(u.pk), u.name) for u in Unit.objects.filter(pk__in=ids)]]


class TaskFilter(FilterForm):
    """The 联合惩戒任务台账: search (名单编号、企业、信用代码、措施), unit, kind, status, overdue only."""

    q = forms.CharField(label=_("搜索"), required=False)
    unit = forms.ChoiceField(label=_("实施单位"), required=False)
    kind = forms.ChoiceField(
        label=_("事项"), required=False, choices=[("", _("全部事项")), *TaskKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *TaskStatus.choices]
    )
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    listing = forms.CharField(label=_("名单编号"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices()  # type: ignore[attr-defined]


class TaskDoneForm(forms.Form):
    """登记实施（解除）: the day and the note (措施文号或办理情况)."""

    done_on = forms.DateField(
        label=_("实施（解除）日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不能晚于今天，也不能早于任务下达日"),
    )
    note = forms.CharField(
        label=_("措施文号或办理情况"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：已在政府采购平台限制其参与投标（采购办〔2026〕3号）"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
