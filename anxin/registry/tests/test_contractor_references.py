"""The project form is no existence oracle (issue #13 finding 6).

A town naming a party by a code it may not see gets the same answer whether that code is registered
in another town or nowhere, and never the stored name; a contractor of another town can still be
named (and is linked to the registered enterprise), one not registered yet is linked when it is.
"""

from __future__ import annotations

import re

import pytest

from anxin.org.models import Town
from anxin.registry.models import ContractorReference, PartyRole, Project, ProjectSupervisor
from anxin.registry.tests.factories import enterprise, make_uscc


def _post(client, *, code: str, name: str = "", subs: str = "", project: str = "罗溪新建厂房项目"):
    return client.post(
        "/projects/new/",
        {
            "name": project,
            "town": Town.objects.get(code="luoxi").pk,
            "builder_name": "罗溪某建设单位",
            "general_contractor_uscc": code,
            "general_contractor_name": name,
            "subcontractor_usccs": subs,
            "supervisor": ProjectSupervisor.objects.get(code="construction").pk,
            "contract_amount": "100",
            "status": "active",
        },
    )


def _page(response, code: str) -> str:
    """The page with what must differ taken out: the code typed, CSRF and one-time form tokens,
    project ids."""
    page = response.content.decode().replace(code, "CODE")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)
    page = re.sub(r'name="anxin_once" value="[^"]+"', "ONCE", page)
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", page)
    return re.sub(r"/projects/\d+/", "/projects/N/", page)


def test_a_code_registered_in_another_town_and_one_registered_nowhere_get_byte_identical_pages(
    world, login, luoxi
):
    client = login(luoxi)
    elsewhere, nowhere = world.xuejia_factory.uscc, make_uscc()

    first = _post(client, code=elsewhere)
    second = _post(client, code=nowhere)

    assert first.status_code == second.status_code == 200
    assert _page(first, elsewhere) == _page(second, nowhere)
    assert "不在您可查看的企业台账中，请填写该单位的全称" in first.content.decode()
    assert world.xuejia_factory.name not in first.content.decode()


def test_with_the_name_typed_both_are_saved_and_shown_alike_without_the_stored_name(world, login, luoxi):
    client = login(luoxi)
    elsewhere, nowhere = world.xuejia_factory.uscc, make_uscc()

    saved, pages = [], []
    for n, code in enumerate([elsewhere, nowhere]):
        saved.append(_post(client, code=code, name="某某建筑劳务公司", project=f"项目{n}"))
        pages.append(client.get(saved[-1]["Location"]))  # with its own "已登记" message

    assert [r.status_code for r in saved] == [302, 302]
    cells = [
        re.search(r'data-testid="general-contractor">(.*?)</div>', p.content.decode(), re.S).group(1)  # type: ignore[union-attr]
        for p in pages
    ]
    assert cells == ["某某建筑劳务公司", "某某建筑劳务公司"]
    assert _page(pages[0], elsewhere).replace("项目0", "项目N") == _page(pages[1], nowhere).replace(
        "项目1", "项目N"
    )
    listing = client.get("/projects/").content.decode()
    assert world.xuejia_factory.name not in listing + pages[0].content.decode()
    # nor can the stored name be fished for through the list's search
    assert "项目0" not in client.get("/projects/", {"q": "薛家机械"}).content.decode()
    assert "项目0" in client.get("/projects/", {"q": "某某建筑"}).content.decode()


def test_a_contractor_of_another_town_is_linked_to_the_registered_enterprise(world, login, luoxi):
    response = _post(login(luoxi), code=world.xuejia_factory.uscc, name="薛家那家机械厂")

    assert response.status_code == 302
    project = Project.objects.get(name="罗溪新建厂房项目")
    assert project.general_contractor == world.xuejia_factory
    ref = ContractorReference.objects.get(project=project)
    assert (ref.role, ref.name, ref.enterprise) == (PartyRole.GENERAL, "薛家那家机械厂", world.xuejia_factory)


def test_a_code_registered_nowhere_waits_and_is_linked_when_the_enterprise_is_registered(
    world, login, luoxi, office
):
    code = make_uscc()
    assert _post(login(luoxi), code=code, name="区外某建筑公司").status_code == 302
    project = Project.objects.get(name="罗溪新建厂房项目")
    assert project.general_contractor is None

    office_page = login(office).get(f"/projects/{project.pk}/").content.decode()
    assert "待登记" in office_page  # the office sees what is waiting; the town does not
    assert "待登记" not in login(luoxi).get(f"/projects/{project.pk}/").content.decode()

    firm = enterprise(
        town="xuejia", uscc=code, name="区外某建筑有限公司", kinds=("construction",), industry="E"
    )

    project.refresh_from_db()
    assert project.general_contractor == firm
    assert ContractorReference.objects.get(project=project).enterprise == firm
    town_page = login(luoxi).get(f"/projects/{project.pk}/").content.decode()
    assert "区外某建筑公司" in town_page and "区外某建筑有限公司" not in town_page


def test_a_subcontractor_of_another_town_is_named_by_code_and_name_on_its_line(world, login, luoxi):
    response = _post(
        login(luoxi), code=world.luoxi_builder.uscc, subs=f"{world.xuejia_dispatch.uscc} 薛家派遣公司"
    )

    assert response.status_code == 302
    project = Project.objects.get(name="罗溪新建厂房项目")
    assert list(project.subcontractors.all()) == [world.xuejia_dispatch]
    page = login(luoxi).get(f"/projects/{project.pk}/").content.decode()
    assert "薛家派遣公司" in page and world.xuejia_dispatch.name not in page


def test_a_code_in_the_users_scope_still_shows_its_registered_name(world, login, luoxi):
    client = login(luoxi)

    again = _post(client, code=world.luoxi_builder.uscc, project="")  # re-rendered: project name missing
    assert again.status_code == 200
    assert "台账登记名称：罗溪建设工程有限公司" in again.content.decode()

    saved = _post(client, code=world.luoxi_builder.uscc)
    page = client.get(saved["Location"]).content.decode()
    assert f'<a href="/enterprises/{world.luoxi_builder.uscc}/">罗溪建设工程有限公司</a>' in page


@pytest.mark.parametrize("typed", ["薛家机械有限公司", ""])
def test_editing_keeps_the_typed_name_and_the_link(world, login, luoxi, office, typed):
    client = login(luoxi)
    _post(client, code=world.xuejia_factory.uscc, name="薛家那家机械厂")
    project = Project.objects.get(name="罗溪新建厂房项目")

    form = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert "薛家那家机械厂" in form and world.xuejia_factory.name not in form

    # the office edits the project (it sees the enterprise): the town's words stay the town's view
    response = login(office).post(
        f"/projects/{project.pk}/edit/",
        {
            "name": "罗溪新建厂房项目（二期）",
            "town": project.town_id,
            "builder_name": project.builder_name,
            "general_contractor_uscc": world.xuejia_factory.uscc,
            "general_contractor_name": typed,
            "supervisor": project.supervisor_id,
            "contract_amount": "100",
            "status": "active",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.general_contractor == world.xuejia_factory
    town_page = login(luoxi).get(f"/projects/{project.pk}/").content.decode()
    assert "薛家那家机械厂" in town_page and world.xuejia_factory.name not in town_page
