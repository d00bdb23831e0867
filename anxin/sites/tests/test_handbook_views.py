"""The handbook part's officer screens: what each persona gets (404 outside the project's scope,
anonymous to the login), the board tab and its contacts form, the PDFs (A4 handbook pages, one per
worker; the A3 board) and the QR link."""

from __future__ import annotations

import datetime
import io

import pytest
import segno
from auditlog.models import LogEntry
from pypdf import PdfReader

from anxin.core.models import SecurityEvent
from anxin.intake.public import project_from_token
from anxin.sites.handbook import board_of
from anxin.sites.handbook_pdf import board_pdf, qr_matrix
from anxin.sites.models import SiteContact, SpecialAccount
from anxin.sites.tests.factories_handbook import payroll, rostered

pytestmark = pytest.mark.django_db

READERS = ["office", "leader", "chengjian", "luoxi", "auditor"]
OUTSIDE = ["xuejia", "shuili", "gongan"]
A4 = (595.28, 841.89)
A3 = (841.89, 1190.55)


def _size(reader: PdfReader, page: int = 0) -> tuple[float, float]:
    box = reader.pages[page].mediabox
    return (round(float(box.width), 2), round(float(box.height), 2))


@pytest.fixture
def worker(world):
    entry = rostered(world.luoxi_project, n=7, name="张三", start=datetime.date(2026, 9, 1))
    payroll(
        world.luoxi_project,
        datetime.date(2026, 9, 1),
        [(entry, "20", 600_000, 599_900, datetime.date(2026, 10, 15))],
    )
    return entry


@pytest.mark.parametrize("persona", READERS)
def test_readers_of_the_project_open_a_workers_handbook(request, login, worker, persona):
    client = login(request.getfixturevalue(persona))
    page = client.get(f"/sites/handbook/{worker.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "农民工劳动计酬手册" in html and "张三" in html and "5,999.00 元" in html and "未足额 1.00 元" in html
    )
    assert worker.id_number not in html  # masked
    assert "@page { size: A4" in html


@pytest.mark.parametrize("persona", OUTSIDE)
def test_a_handbook_outside_the_users_scope_is_not_found(request, login, worker, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(f"/sites/handbook/{worker.pk}/").status_code == 404
    assert client.get(f"/sites/handbook/{worker.pk}.pdf").status_code == 404
    assert client.get(f"/sites/projects/{worker.project_id}/handbooks.pdf").status_code == 404
    assert client.get(f"/sites/projects/{worker.project_id}/board.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, worker):
    for url in (
        f"/sites/handbook/{worker.pk}/",
        f"/sites/handbook/{worker.pk}.pdf",
        f"/sites/projects/{worker.project_id}/handbooks.pdf",
        f"/sites/projects/{worker.project_id}/board.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(f"/sites/projects/{worker.project_id}/contacts/", {}).status_code == 302


def test_a_projects_handbooks_are_one_pdf_with_a_page_per_worker_and_the_export_is_logged(
    login, chengjian, world, worker
):
    rostered(world.luoxi_project, n=8, name="李四", start=datetime.date(2026, 10, 1))
    response = login(chengjian).get(f"/sites/projects/{world.luoxi_project.pk}/handbooks.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2 and _size(reader) == A4
    event = SecurityEvent.objects.get(kind="export")
    assert event.detail["kind"] == "sites.handbook" and event.detail["rows"] == 2


def test_one_workers_handbook_pdf_is_one_a4_page(login, luoxi, worker):
    response = login(luoxi).get(f"/sites/handbook/{worker.pk}.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    assert response.status_code == 200 and len(reader.pages) == 1 and _size(reader) == A4


def test_the_board_is_one_a3_page(login, office, world, worker):
    SpecialAccount.objects.create(
        project=world.luoxi_project, bank="江苏银行新北支行", account="3201 0000 1234 5678", opened_on=datetime.date(2026, 8, 1),
        recorded_by=office,
    )  # fmt: skip
    response = login(office).get(f"/sites/projects/{world.luoxi_project.pk}/board.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1 and _size(reader) == A3


def test_the_boards_qr_code_is_the_report_link_of_this_project(world):
    board = board_of(world.luoxi_project)
    assert qr_matrix(board.link) == [
        [bool(v) for v in row] for row in segno.make(board.link, error="m").matrix
    ]
    _path, _sep, query = board.link.partition("/public/report/?p=")
    assert query and project_from_token(query.replace("%3A", ":")) == world.luoxi_project
    assert board_pdf(board).startswith(b"%PDF-")


def test_the_board_names_the_contractor_the_contacts_the_hotlines_and_the_account(world, chengjian):
    from anxin.sites.handbook_services import site_contacts_set

    site_contacts_set(
        actor=chengjian, project=world.luoxi_project,
        contacts={"manager": ("王建国", "13905190001"), "wage_clerk": ("李秀梅", "0519-85550001")},
    )  # fmt: skip
    board = board_of(world.luoxi_project)
    assert board.contractor == world.luoxi_builder.name
    assert [(c.role, c.name, c.phone) for c in board.contacts] == [
        ("项目负责人", "王建国", "13905190001"),
        ("劳资专管员", "李秀梅", "0519-85550001"),
    ]
    assert board.hotlines[0] == ("劳动保障监察举报投诉电话", "12333")
    assert board.account_bank == ""


@pytest.mark.parametrize(
    "persona,form", [("chengjian", True), ("office", True), ("luoxi", False), ("leader", False)]
)
def test_the_board_tab_shows_the_preview_downloads_and_the_form_to_who_keeps_the_project(
    request, login, world, worker, persona, form
):
    client = login(request.getfixturevalue(persona))
    html = client.get(f"/projects/{world.luoxi_project.pk}/?tab=board").content.decode()
    assert 'data-testid="board-preview"' in html and "<svg" in html
    assert f"/sites/projects/{world.luoxi_project.pk}/board.pdf" in html
    assert f"/sites/projects/{world.luoxi_project.pk}/handbooks.pdf" in html
    assert "http://127.0.0.1:8000/public/report/?p=" in html
    assert ('data-testid="contacts-form"' in html) is form


def test_the_board_link_opens_the_report_form_with_the_project_fixed(client, world):
    link = board_of(world.luoxi_project).link
    html = client.get(link.removeprefix("http://127.0.0.1:8000")).content.decode()
    assert 'data-testid="portal-project"' in html and world.luoxi_project.name in html and "罗溪镇" in html
    assert 'name="town"' not in html


def test_the_department_saves_the_contacts_with_an_audit_record(login, chengjian, world):
    client = login(chengjian)
    response = client.post(
        f"/sites/projects/{world.luoxi_project.pk}/contacts/",
        {
            "manager_name": "王建国",
            "manager_phone": "13905190001",
            "wage_clerk_name": "",
            "wage_clerk_phone": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=board")
    contact = SiteContact.objects.get()
    assert (contact.role, contact.name, contact.updated_by) == ("manager", "王建国", chengjian)
    assert LogEntry.objects.get_for_object(contact).get().actor == chengjian


def test_a_bad_phone_is_refused_beside_its_box_and_nothing_is_saved(login, chengjian, world):
    response = login(chengjian).post(
        f"/sites/projects/{world.luoxi_project.pk}/contacts/",
        {
            "manager_name": "王建国",
            "manager_phone": "abc",
            "wage_clerk_name": "李秀梅",
            "wage_clerk_phone": "13905190002",
        },
    )
    assert response.status_code == 400 and "请填写项目负责人的联系电话" in response.content.decode()
    assert not SiteContact.objects.exists()


def test_a_town_cannot_change_the_contacts(login, luoxi, world):
    response = login(luoxi).post(
        f"/sites/projects/{world.luoxi_project.pk}/contacts/",
        {"manager_name": "王建国", "manager_phone": "13905190001"},
    )
    assert response.status_code == 400 and "行业主管部门或联席办维护" in response.content.decode()
    assert not SiteContact.objects.exists()


@pytest.mark.parametrize("persona", ["xuejia", "shuili"])
def test_contacts_of_a_project_outside_the_scope_are_not_found(request, login, world, persona):
    client = login(request.getfixturevalue(persona))
    response = client.post(
        f"/sites/projects/{world.luoxi_project.pk}/contacts/",
        {"manager_name": "王建国", "manager_phone": "13905190001"},
    )
    assert response.status_code == 404 and not SiteContact.objects.exists()
