"""The demo rosters: on the registry's demo projects, deterministic, loaded once; a project left
without its special account past its deadline."""

from __future__ import annotations

import pytest

from anxin.core.audit import system_actor
from anxin.registry import demo as registry_demo
from anxin.sites import demo_roster
from anxin.sites.models import RosterEntry, SpecialAccount
from anxin.sites.roster_selectors import projects_missing_account

pytestmark = pytest.mark.django_db


def test_the_demo_rosters_load_once_across_contractors_with_one_project_flagged(district, office):
    actor = system_actor()
    lines: list[str] = []
    registry_demo.load(actor=actor, log=lines.append)
    demo_roster.load(actor=actor, log=lines.append)
    entries = RosterEntry.objects.count()
    projects = set(RosterEntry.objects.values_list("project_id", flat=True))
    assert len(projects) == 2 and 24 <= entries <= 40
    for project_id in projects:
        roster = RosterEntry.objects.filter(project_id=project_id)
        assert 10 <= roster.count() <= 20
        assert roster.values("employer").distinct().count() == 2  # the general contractor and a subcontractor
        assert roster.filter(leave_date__isnull=False).exists()
    missing = projects_missing_account(office)
    assert len(missing) == 1 and missing[0].days_overdue > 0
    accounts = SpecialAccount.objects.count()
    demo_roster.load(actor=actor, log=lines.append)
    assert RosterEntry.objects.count() == entries and SpecialAccount.objects.count() == accounts
    assert "未开专户" in lines[-1]
