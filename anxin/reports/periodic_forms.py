"""Forms of the periodic reports: the unit's narrative and extras (built from its template), the
correction's reason, the inbox's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.core.money import YuanFormField
from anxin.reports.models import PeriodicReport
from anxin.reports.periodic_selectors import STANDING
from anxin.reports.services.periodic import MAX_EXTRA, MONEY_UNIT


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        )


class ReportForm(forms.Form):
    """The unit's part of its report: each narrative part of the template (``n_<code>``) and each
    extra figure (``x_<code>``: a whole number ≥ 0, or yuan for money — 元 beside the box)."""

    def __init__(self, *args: Any, report: PeriodicReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        template = report.template
        for part in template.narrative or []:
            self.fields[f"n_{part['code']}"] = forms.CharField(
                label=part["label"],
                required=False,
                max_length=10000,
                help_text=part.get("hint", ""),
                initial=(report.narrative or {}).get(part["code"], ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for extra in template.extras or []:
            value = (report.extras or {}).get(extra["code"])
            if extra.get("unit") == MONEY_UNIT:
                field: forms.Field = YuanFormField(label=extra["label"], required=False, initial=value)
            else:
                field = forms.IntegerField(
                    label=f"{extra['label']}（{extra.get('unit', '')}）",
                    required=False,
                    min_value=0,
                    max_value=MAX_EXTRA,
                    initial=value,
                )
            self.fields[f"x_{extra['code']}"] = field
        _styled(self)

    def narrative(self) -> dict[str, str]:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("n_")}

    def extras(self) -> dict[str, Any]:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("x_") and v is not None}

    def narrative_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("n_")]

    def extra_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("x_")]


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("更正理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": _("更正须填写理由")},
    )


class InboxFilter(FilterForm):
    kind = forms.ChoiceField(
        label=_("单位类型"),
        required=False,
        choices=[("", _("全部单位")), ("department", _("成员单位")), ("town_government", _("镇/街道"))],
    )
    status = forms.ChoiceField(
        label=_("报送情况"), required=False, choices=[("", _("全部情况")), *STANDING.items()]
    )
