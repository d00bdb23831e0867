"""Labels of the sites' stored codes for templates that read annotated rows."""

from django import template

from anxin.sites.models import MonthStatus

register = template.Library()


@register.filter
def month_status_label(value: str) -> str:
    """``diff`` → 有差异 (an annotated row carries the code, not the model's display method)."""
    try:
        return str(MonthStatus(value).label)
    except ValueError:
        return ""
