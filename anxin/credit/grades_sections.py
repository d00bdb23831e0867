"""What the grades part adds to credit's composed pages: the enterprise's 信用 tab (its grades by year
with their reasons, changes and objections), the overview's cards (years to confirm, objections due),
the listing page's objection block, the menu, the sweeps and the clause items."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from anxin.core import seam
from anxin.credit import access
from anxin.credit import grades_forms as f
from anxin.credit import grades_selectors as selectors
from anxin.credit.models import ListingStatus

VIEW_GRADE = "credit.view_enterprisegrade"
VIEW_OBJECTION = "credit.view_objection"


def enterprise_section(request: Any, enterprise: Any) -> dict | None:
    """The tab's 守法诚信等级 block: every year's grade, its reasons, its changes and objections."""
    user = request.user
    if not user.has_perm(VIEW_GRADE):
        return None
    grades = selectors.enterprise_grades(user=user, enterprise=enterprise)
    if not grades:
        return None
    return {"template": "credit/_grades_tab.html", "grades": grades, "today": timezone.localdate()}


def overview_confirm(request: Any) -> dict | None:
    """人社局 and the office: ended years whose grades are not confirmed yet."""
    if not access.may_grade(request.user):
        return None
    years = selectors.years_to_confirm()
    if not years:
        return None
    return {"template": "credit/_card_grades_confirm.html", "years": years}


def overview_objections(request: Any) -> dict | None:
    """Open objections within the user's scope, by due day."""
    if not request.user.has_perm(VIEW_OBJECTION):
        return None
    due = selectors.objections_due(user=request.user)
    if not due:
        return None
    return {"template": "credit/_card_objections_due.html", "objections": due, "today": timezone.localdate()}


def listing_section(request: Any, listing: Any) -> dict | None:
    """The listing page's 异议 block: its objections and, for 人社局 and the office while the
    listing is in force, the form to record one."""
    user = request.user
    if not user.has_perm(VIEW_OBJECTION):
        return None
    objections = list(selectors.objections_of_listing(listing))
    may = access.may_decide(user) and listing.status == ListingStatus.LISTED
    if not objections and not may:
        return None
    return {
        "template": "credit/_listing_objections.html",
        "listing": listing,
        "objections": objections,
        "objection_form": f.ObjectionForm(initial={"received_on": timezone.localdate()}) if may else None,
        "today": timezone.localdate(),
    }


def menu(user: Any) -> list[seam.MenuItem]:
    items: list[seam.MenuItem] = []
    if user.has_perm(VIEW_GRADE):
        items.append(
            {
                "label": "守法诚信等级",
                "url_name": "credit-grades",
                "icon": "certificate",
                "order": 40,
                "group": "credit",
            }
        )
    if user.has_perm(VIEW_OBJECTION):
        items.append(
            {
                "label": "信用异议",
                "url_name": "credit-objections",
                "icon": "message-report",
                "order": 41,
                "group": "credit",
            }
        )
    return items


def sweeps() -> list[seam.Sweep]:
    from anxin.credit.services import grades, objections

    return [
        seam.Sweep("守法诚信等级每日测算", grades.grades_sweep),
        seam.Sweep("信用异议到期提醒与逾期上报", objections.objections_sweep),
    ]


def clause_items() -> list[tuple[str, dict]]:
    from anxin.credit import grade_rules

    items = [
        ("§三(七)", {"kind": "守法诚信等级", "text": f"{rule}：{grade_rules.RULE_NAMES[rule]}（{citation}）"})
        for rule, citation in grade_rules.CITATIONS.items()
    ]
    items.append(
        (
            "§三(七)",
            {"kind": "信用异议", "text": "企业对等级评价或列入名单提出异议，按参数期限答复并保留结果"},
        )
    )
    return items
