"""Template helpers: form widgets in Tabler style, money in yuan, masked personal data, dates."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms, template
from django.utils import timezone

from anxin.core.money import format_yuan
from anxin.core.money import yuan_words as _yuan_words
from anxin.core.policy import show_parameter_value
from anxin.core.validators import mask_id_number, mask_phone

register = template.Library()


@register.filter
def widget_class(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple: form-check per option
        return ""
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


def first_invalid(form: forms.BaseForm) -> str | None:
    """The name of the form's first field (in its order) that has an error."""
    return next((name for name in form.fields if name in form.errors), None)


@register.filter
def is_single_checkbox(field: forms.BoundField) -> bool:
    """One check box (label after the box), as opposed to a list of them or of radio buttons."""
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_list(field: forms.BoundField) -> bool:
    """Radio buttons or a list of check boxes: each box has its own label; the field's name is a
    heading over them (a ``<label for>`` would point at no input)."""
    return isinstance(field.field.widget, forms.RadioSelect)


@register.simple_tag
def render_widget(field):
    css = widget_class(field)
    attrs: dict[str, Any] = {}
    if field.errors:
        css += " is-invalid"
        attrs["aria-invalid"] = "true"
        if first_invalid(field.form) == field.name:
            # A refused form comes back with its first wrong field focused and in sight:
            # autofocus without JavaScript, data-error-focus for anxin.js.
            attrs.update({"autofocus": True, "data-error-focus": ""})
    if css:
        attrs["class"] = css.strip()
    return field.as_widget(attrs=attrs)


@register.filter
def is_money(field: forms.BoundField) -> bool:
    """A yuan field (the unit 元 is shown beside its box)."""
    from anxin.core.forms import YuanFormField as ScreenYuan
    from anxin.core.money import YuanFormField

    return isinstance(field.field, YuanFormField | ScreenYuan)


@register.filter
def focus_form_error(form: forms.BaseForm) -> bool:
    """Only errors about the form as a whole: its error block takes the focus."""
    return bool(form.non_field_errors()) and first_invalid(form) is None


@register.filter
def yuan(fen: int | str | None) -> str:
    if fen is None or fen == "":
        return "—"
    return format_yuan(int(fen))


@register.filter
def yuan_words(fen: int | str | None) -> str:
    """``8000000`` → ``8万元``: an amount as people say it (``core.money.yuan_words``)."""
    if fen is None or fen == "":
        return "—"
    return _yuan_words(int(fen))


@register.filter
def param_value(row: Any) -> str:
    """A policy parameter's value (a row or a checked change) as the office reads it: money in
    words and figures (``8万元（80,000.00 元）``), anything else with its unit."""
    return show_parameter_value(row.value_type, row.value, row.unit)


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value) or "—"


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value) or "—"


@register.filter
def cn_date(value: datetime.date | None) -> str:
    """2026-11-25 (dates) or 2026-11-25 14:30 (datetimes, Asia/Shanghai)."""
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


@register.filter
def verbose_model(entry: Any) -> str:
    """The Chinese name of the model an audit-log entry is about."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    return str(model._meta.verbose_name) if model else ""


@register.filter
def action_label(entry: Any) -> str:
    return {0: "新建", 1: "修改", 2: "删除", 3: "访问"}.get(entry.action, "")


@register.inclusion_tag("core/_credit_mark.html")
def credit_mark(standings: dict | None, enterprise_id: Any) -> dict:
    """The 失信 mark for one enterprise of a page, from the page's ``standings`` (read once through
    ``core.credit_mark``): nothing unless the enterprise is on the joint-punishment list today."""
    standing = (standings or {}).get(enterprise_id) if enterprise_id else None
    return {"standing": standing}
