"""Forms of the office's documents: composing a period's document, editing the body's parts, the
director's return (comments required) and approval, issuing with 文号 and day, the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.reports.models import DocumentKind, DocumentStatus
from anxin.reports.services.office import PART_LIMIT, parts_of


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ComposeForm(_Form):
    kind = forms.ChoiceField(label=_("文件类型"), choices=DocumentKind.choices)
    period = forms.CharField(
        label=_("报告期（年-月）"),
        max_length=7,
        help_text=_("如 2026-11；按参数 report.frequency_months 分期"),
    )


class BodyForm(_Form):
    """One textarea per part of the kind's body."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in parts_of(kind):
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=PART_LIMIT,
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
            )


class ApproveForm(_Form):
    note = forms.CharField(
        label=_("审核意见（可选）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(_Form):
    comments = forms.CharField(label=_("退回意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class IssueForm(_Form):
    reference = forms.CharField(label=_("文号"), max_length=60, help_text=_("如 新欠薪联办〔2026〕12号"))
    issued_on = forms.DateField(label=_("印发日期"), widget=DATE)


class DocumentFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *DocumentKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *DocumentStatus.choices]
    )
    period = forms.CharField(label=_("报告期"), required=False, max_length=7)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def filters(self) -> dict:
        self.is_valid()
        return {
            k: (v or "").strip() for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
        }
