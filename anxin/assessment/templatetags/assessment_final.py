"""``{% objection_box item as box %}``: what ``assessment/_objection_box.html`` shows on a score line —
the line's objections, the form when the user may object today, else why not."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def objection_box(context: template.Context, item: Any) -> dict[str, Any]:
    from anxin.assessment.final_forms import ObjectionForm
    from anxin.assessment.services.final import objection_refusal

    request = context.get("request")
    user = getattr(request, "user", None)
    refusal = objection_refusal(item=item, actor=user, today=timezone.localdate()) if user else "请先登录"
    form = context.get("form") if isinstance(context.get("form"), ObjectionForm) else None
    return {
        "objections": list(item.objections.select_related("filed_by", "answered_by")),
        "refusal": refusal,
        "form": None if refusal else (form or ObjectionForm()),
    }
