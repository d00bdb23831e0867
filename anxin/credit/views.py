"""The 信用监管 overview: what each part asks of the user today (defence periods ending, decisions due,
terms ending this month, sanction tasks open, a period's list to review, grades to confirm)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from anxin.credit import sections


@login_required
@permission_required("credit.view_listing", raise_exception=True)
def overview(request):
    context = {"page_title": "信用监管", "cards": sections.gather(sections.OVERVIEW_CARDS, request)}
    return render(request, "credit/overview.html", context)
