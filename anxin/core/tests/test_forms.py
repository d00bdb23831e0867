"""List filters: an invalid filter is left out and named, the valid ones still apply."""

from __future__ import annotations

from django import forms

from anxin.core.forms import FilterForm


class Filter(FilterForm):
    town = forms.ChoiceField(label="镇/街道", required=False, choices=[("", "全部"), ("luoxi", "罗溪镇")])
    q = forms.CharField(label="搜索", required=False)
    since = forms.DateField(label="起", required=False)


def test_valid_filters_apply_and_are_described():
    form = Filter({"town": "luoxi", "q": " 纺织 "})
    assert form.filters() == {"town": "luoxi", "q": "纺织", "since": ""}
    assert form.describe() == "镇/街道=罗溪镇；搜索=纺织"


def test_an_invalid_filter_is_left_out_and_named_but_the_others_still_apply():
    form = Filter({"town": "typo", "q": "纺织", "since": "2026-13-40"})
    assert form.filters() == {"q": "纺织"}
    assert form.describe() == "搜索=纺织；已忽略无效筛选：镇/街道、起"


def test_an_unbound_form_has_no_filters():
    assert Filter().filters() == {} and Filter().describe() == ""
