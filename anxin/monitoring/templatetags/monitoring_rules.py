"""``{% load monitoring_rules %}``: a rule code shown as its Chinese name (screens are in Chinese; the code
stays in a ``title`` for whoever needs it)."""

from __future__ import annotations

from django import template

from anxin.monitoring.rules import RULES_BY_CODE

register = template.Library()


@register.filter
def rule_name(code: str) -> str:
    """``IMMEDIATE_ARREARS_2M`` → its name; an unknown (retired) code is shown as it is."""
    rule = RULES_BY_CODE.get(code)
    return rule.name if rule else code


@register.filter
def rule_names(codes) -> str:
    """A list of rule codes as their names, joined with 、."""
    return "、".join(rule_name(code) for code in codes or [])
