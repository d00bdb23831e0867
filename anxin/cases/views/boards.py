"""我的待办 and the deadlines board."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from anxin.cases import selectors
from anxin.core import seam


@login_required
@permission_required("cases.view_legalaction", raise_exception=True)
def todo(request):
    todo = selectors.todo(user=request.user, overview=request.GET.get("view") == "all")
    context = {
        "page_title": "全区待办概览" if todo["overview"] else "我的待办",
        **todo,
        "now": timezone.now(),
        # what later apps ask of the user's unit (money: fund advances to review), not on the overview
        "panels": [] if todo["overview"] else seam.collect(seam.TODO_PANELS, request),
    }
    return render(request, "cases/todo.html", context)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def deadlines(request):
    context = {"page_title": "期限看板", **selectors.deadlines(user=request.user)}
    return render(request, "cases/deadlines.html", context)
