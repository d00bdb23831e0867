"""The cockpit (监测驾驶舱): the district's risk figures and the panels later parts of the flow add."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from anxin.core import seam
from anxin.monitoring import immediate, selectors


@login_required
@permission_required("monitoring.view_riskassessment", raise_exception=True)
def cockpit(request):
    # Later parts of the flow add their figures (cases: the 三个确保) at ``seam.COCKPIT_PANELS``.
    panels = seam.collect(seam.COCKPIT_PANELS, request)
    panels.sort(key=lambda panel: panel.get("order", 50))
    context = {"page_title": "监测驾驶舱", "panels": panels, **selectors.cockpit(user=request.user)}
    if request.user.has_perm(immediate.INSTRUCT_PERM):  # a leader: the special reports to read
        context["to_read"] = selectors.special_unread(user=request.user)
    return render(request, "monitoring/cockpit.html", context)
