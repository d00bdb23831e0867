"""The notice board's contacts (``site_contacts_set``): kept by the office and the project's
supervising line, audited, all or nothing; the demo's contacts load once."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from anxin.core.errors import DomainError, ScopeViolation
from anxin.sites import demo_handbook
from anxin.sites.handbook_services import site_contacts_set
from anxin.sites.models import SiteContact

pytestmark = pytest.mark.django_db

BOTH: dict[str, tuple[str, str]] = {
    "manager": ("王建国", "13905190001"),
    "wage_clerk": ("李秀梅", "0519-85550001"),
}


def test_the_supervising_line_sets_both_contacts_with_an_audit_record(world, chengjian):
    contacts = site_contacts_set(actor=chengjian, project=world.luoxi_project, contacts=BOTH)
    assert [(c.role, c.name, c.phone) for c in contacts] == [
        ("manager", "王建国", "13905190001"),
        ("wage_clerk", "李秀梅", "0519-85550001"),
    ]
    assert LogEntry.objects.filter(actor=chengjian, content_type__model="sitecontact").count() == 2


def test_a_change_updates_and_an_empty_role_clears(world, shuili):
    site_contacts_set(actor=shuili, project=world.menghe_river, contacts=BOTH)
    site_contacts_set(
        actor=shuili, project=world.menghe_river,
        contacts={"manager": ("陈立新", "139 0519 0002"), "wage_clerk": ("", "")},
    )  # fmt: skip
    assert list(SiteContact.objects.values_list("role", "name", "phone")) == [
        ("manager", "陈立新", "13905190002")
    ]


def test_unchanged_contacts_write_nothing(world, chengjian):
    site_contacts_set(actor=chengjian, project=world.luoxi_project, contacts=BOTH)
    before = LogEntry.objects.count()
    site_contacts_set(actor=chengjian, project=world.luoxi_project, contacts=BOTH)
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    "contacts,field",
    [
        ({"manager": ("", "13905190001")}, "manager_name"),
        ({"manager": ("王建国", "")}, "manager_phone"),
        ({"wage_clerk": ("李秀梅", "电话")}, "wage_clerk_phone"),
    ],
)
def test_a_name_without_a_phone_or_the_reverse_is_refused_and_nothing_written(
    world, chengjian, contacts, field
):
    with pytest.raises(DomainError) as refused:
        site_contacts_set(actor=chengjian, project=world.luoxi_project, contacts={**BOTH, **contacts})
    assert refused.value.field == field
    assert not SiteContact.objects.exists()


def test_a_town_reads_but_does_not_keep_the_contacts(world, luoxi):
    with pytest.raises(DomainError) as refused:
        site_contacts_set(actor=luoxi, project=world.luoxi_project, contacts=BOTH)
    assert refused.value.code == "forbidden" and not SiteContact.objects.exists()


@pytest.mark.parametrize("persona", ["shuili", "xuejia"])
def test_a_project_outside_the_scope_is_refused_as_out_of_scope(request, world, persona):
    with pytest.raises(ScopeViolation):
        site_contacts_set(actor=request.getfixturevalue(persona), project=world.luoxi_project, contacts=BOTH)
    assert not SiteContact.objects.exists()


def test_the_demo_sets_contacts_of_demo_projects_once(world):
    from anxin.core.audit import system_actor
    from anxin.registry.models import Project

    Project.objects.filter(pk=world.luoxi_project.pk).update(is_demo=True)
    said: list[str] = []
    demo_handbook.load(actor=system_actor(), log=said.append)
    demo_handbook.load(actor=system_actor(), log=said.append)
    assert SiteContact.objects.filter(project=world.luoxi_project).count() == 2
    assert not SiteContact.objects.filter(project=world.menghe_river).exists()
    assert "已存在" in said[-1]
