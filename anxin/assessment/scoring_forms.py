"""Forms of the scoring part: the scheme list's filters and the new-scheme form, the scheme editor
(the scheme's figures and a formset of its indicators), a hand score, the scoreboard's filters. The
rules are the services'; a form only shapes what was typed."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.assessment import measures
from anxin.assessment.models import IndicatorKind, SchemeStatus, UnitGroup
from anxin.assessment.services.schemes import FROM_DISTRICT, FROM_LAST_YEAR
from anxin.cases.forms import Styled
from anxin.core.forms import FilterForm
from anxin.intake.forms import MultipleFileField

TEXT = {"rows": 3}
GROUPS = [("", _("全部考核对象")), *UnitGroup.choices]


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class SchemeFilter(FilterForm):
    year = forms.IntegerField(label=_("考核年度"), required=False, min_value=2000, max_value=2100)
    group = forms.ChoiceField(label=_("考核对象"), required=False, choices=GROUPS)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SchemeStatus.choices]
    )


class SchemeCreateForm(_Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    group = forms.ChoiceField(label=_("考核对象"), choices=UnitGroup.choices)
    source = forms.ChoiceField(
        label=_("方案来源"),
        choices=[(FROM_DISTRICT, _("区配置默认方案")), (FROM_LAST_YEAR, _("复制上一年度方案"))],
    )


class SchemeForm(_Form):
    title = forms.CharField(label=_("方案名称"), max_length=100)
    deduction_cap = forms.DecimalField(
        label=_("扣分上限（分）"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("各扣分项合计最多扣的分数"),
    )
    bonus_cap = forms.DecimalField(
        label=_("加分上限（分）"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("各加分项合计最多加的分数"),
    )
    grade_bands = forms.CharField(
        label=_("等次划分"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个等次，从高到低：等次名称 最低分，如“优秀 90”；最后一个等次的最低分为 0"),
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )


class IndicatorForm(_Form):
    code = forms.SlugField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("指标"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=IndicatorKind.choices)
    measure = forms.CharField(
        label=_("计算口径"),
        required=False,
        max_length=40,
        help_text=_("自动计算的指标必填；扣分项、加分项可填（按口径计次或计分），留空为联席办人工认定"),
    )
    points = forms.DecimalField(
        label=_("分值"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("满分；扣分项、加分项为每次的分值"),
    )
    cap = forms.DecimalField(
        label=_("本项上限"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("扣分项、加分项必填"),
    )
    settings = forms.CharField(
        label=_("计分参数"),
        required=False,
        max_length=500,
        help_text=_(
            'JSON：比例类 {"full_at": 0.95, "zero_at": 0.6}（达到 95% 满分、60% 及以下 0 分）；计数类 {"target": 4}'
        ),
    )
    criteria = forms.CharField(
        label=_("评分标准"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    citation = forms.CharField(label=_("依据"), required=False, max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].widget.attrs["list"] = "assessment-measures"

    def clean_settings(self) -> Any:
        raw = (self.cleaned_data.get("settings") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(
                _('计分参数应为 JSON，如 {"full_at": 0.95, "zero_at": 0.6}')
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("计分参数应为键值对"))
        return value


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, extra=1, can_delete=True, max_num=80, absolute_max=100
)


def indicator_initial(scheme: Any) -> list[dict]:
    return [
        {
            "code": i.code,
            "name": i.name,
            "kind": i.kind,
            "measure": i.measure,
            "points": i.points,
            "cap": i.cap,
            "settings": json.dumps(i.settings, ensure_ascii=False) if i.settings else "",
            "criteria": i.criteria,
            "citation": i.citation,
        }
        for i in scheme.indicators.all()
    ]


def measure_options() -> list[tuple[str, str]]:
    return measures.choices()


class HandScoreForm(_Form):
    points = forms.DecimalField(label=_("分数"), min_value=0, max_digits=6, decimal_places=2)
    note = forms.CharField(
        label=_("评分说明"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("对照评分标准写明依据和理由"),
    )
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("PDF 或图片，可选多个（每次最多 10 个）")
    )


class BoardFilter(FilterForm):
    year = forms.IntegerField(label=_("考核年度"), required=False, min_value=2000, max_value=2100)
    group = forms.ChoiceField(label=_("考核对象"), required=False, choices=UnitGroup.choices)
    q = forms.CharField(label=_("搜索单位"), required=False, max_length=50)
    grade = forms.CharField(label=_("等次"), required=False, max_length=10)
