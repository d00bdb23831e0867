"""The public report form's widgets: Tabler classes (``anxin.render_widget``) plus the links a
screen reader follows from a box to its hint and its error (``aria-describedby``)."""

from __future__ import annotations

from django import forms, template

from anxin.core.templatetags.anxin import widget_class

register = template.Library()


def help_id(field: forms.BoundField) -> str:
    return f"{field.auto_id}_help"


def error_id(field: forms.BoundField) -> str:
    return f"{field.auto_id}_error"


@register.simple_tag
def portal_widget(field: forms.BoundField):
    """The field's widget with its class, ``aria-describedby`` naming the hint and the error shown
    under it (ids ``<id>_help``, ``<id>_error``) and ``aria-invalid`` when refused."""
    css = widget_class(field)
    described = []
    if field.errors:
        css += " is-invalid"
        described.append(error_id(field))
    if field.help_text:
        described.append(help_id(field))
    attrs = {"class": css.strip()} if css else {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
