"""Issue #14 item 12: radio buttons and check-box lists render in Tabler's form-check markup
everywhere (the widgets' templates are overridden in anxin/templates/django/forms/widgets/), so a
box sits beside its label — never a full-width ``form-control`` block above it."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class _Choices(forms.Form):
    result = forms.ChoiceField(choices=[("a", "属实"), ("b", "不属实")], widget=forms.RadioSelect)
    kinds = forms.MultipleChoiceField(
        choices=[("x", "建筑施工"), ("y", "劳务派遣")], widget=forms.CheckboxSelectMultiple, required=False
    )


def test_a_radio_list_renders_form_check_labels_with_the_box_inside():
    html = str(_Choices()["result"])
    assert html.count('<label class="form-check" for="id_result_0">') == 1
    assert 'class="form-check-input"' in html and '<span class="form-check-label">属实</span>' in html
    assert "form-control" not in html


def test_a_generic_styling_class_is_dropped_and_is_invalid_kept():
    form = _Choices()
    form.fields["result"].widget.attrs["class"] = "form-control is-invalid"
    html = str(form["result"])
    assert "form-control" not in html and 'class="form-check-input is-invalid"' in html


def test_a_single_radio_tag_carries_the_form_check_input_class():
    tag = str(next(iter(_Choices()["result"])).tag())
    assert tag.startswith("<input") and 'class="form-check-input"' in tag


def test_form_fields_renders_a_check_box_list_with_its_label_above_and_boxes_beside_their_names():
    html = render_to_string("includes/form_fields.html", {"form": _Choices()})
    assert '<div class="form-label">Kinds</div>' in html and 'for=""' not in html
    assert '<span class="form-check-label">劳务派遣</span>' in html
    assert 'mb-3 form-check"' not in html  # the list is not wrapped as a single check box
