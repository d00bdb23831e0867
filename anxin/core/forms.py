"""Forms of the shared kernel's screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.models import ParameterType, SecurityEventKind
from anxin.core.money import YuanFormField as YuanFormField  # the one money field; importable from here too


class ParameterValueForm(forms.Form):
    """A new value of a parameter from a date, or (``correct``) the correction of the value of a
    date that is today or later. The bounds come from the parameter's definition; the service
    checks them again (``policy_parameter_set``)."""

    value = forms.CharField(label=_("新取值"), max_length=200)
    effective_from = forms.DateField(
        label=_("生效日期"),
        # ISO: a date input shows nothing for a value in any other format (the default is today)
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    citation = forms.CharField(
        label=_("依据"), max_length=200, required=False, help_text=_("留空则沿用原依据")
    )
    note = forms.CharField(
        label=_("调整理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("更正时可留空，沿用原理由"),
    )
    correct = forms.BooleanField(
        label=_("更正当日取值"),
        required=False,
        help_text=_("生效日期已有取值（今天或以后）且填错时勾选：原取值被替换，更正记入审计日志"),
    )
    correction_reason = forms.CharField(
        label=_("更正理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
        help_text=_("勾选“更正当日取值”时必填，如“误将30分钟填为0”"),
    )

    def __init__(self, *args: Any, bounds: Any = None, value_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.money = value_type == ParameterType.MONEY
        if self.money:
            # Money parameters are stored in 分 and typed in 元, like every amount of the product.
            self.fields["value"] = YuanFormField(
                label=_("新取值（元）"), help_text=_("以“元”填写，可写 80000、80,000.00 或 8万")
            )
        if bounds is not None and bounds.describe():
            allowed = _("允许范围：%(range)s") % {"range": bounds.describe()}
            help_text = self.fields["value"].help_text
            self.fields["value"].help_text = f"{help_text}；{allowed}" if help_text else allowed

    def clean_value(self) -> str:
        """The value as the service takes it: a money parameter's yuan become 分 (as text)."""
        value = self.cleaned_data["value"]
        return str(value) if self.money else value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("correct"):
            if not (data.get("correction_reason") or "").strip() and "correction_reason" not in self.errors:
                self.add_error("correction_reason", _("更正当日取值须说明更正理由"))
        elif not (data.get("note") or "").strip() and "note" not in self.errors:
            self.add_error("note", _("请说明调整理由（如文件依据）"))
        return data


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("类型"),
        choices=[("1", _("工作日")), ("0", _("休息日"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(label=_("说明"), max_length=50, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)


class FilterForm(forms.Form):
    """A list screen's filters (GET): cleaned values and a readable description for exports.

    ``user``: who is looking (a form whose choices depend on it reads it; the others ignore it),
    so that every ledger builds its form the same way."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def filters(self) -> dict:
        """The valid filters. An invalid one (a town code that does not exist, a bad date) is left
        out rather than emptying every filter: the list and its export keep the others, and
        ``describe`` says which one was ignored."""
        self.is_valid()  # an unbound form (no query string) has no filters
        return {
            k: (v or "").strip() if isinstance(v, str) or v is None else v
            for k, v in getattr(self, "cleaned_data", {}).items()
            if k not in self.errors
        }

    def describe(self) -> str:
        parts = []
        for name, value in self.filters().items():
            if value:
                field = self.fields[name]
                label = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
                parts.append(f"{field.label}={label}")
        if self.is_bound and self.errors:
            parts.append(
                "已忽略无效筛选："
                + "、".join(str(self.fields[n].label) for n in self.errors if n in self.fields)
            )
        return "；".join(parts)


class SecurityEventFilter(FilterForm):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *SecurityEventKind.choices]
    )
    q = forms.CharField(label=_("用户名"), required=False)
    date_from = forms.DateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
