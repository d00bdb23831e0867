"""The 计酬手册 copy the internal zone's tick writes for the internet zone's portal
(``PortalHandbook``): what it holds, that only what changed is written, that a worker off every
roster disappears from it; and that the portal page read from it is the page read from the rosters."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from anxin.notify.models import SmsMessage
from anxin.sites.handbook_services import portal_handbooks_refresh
from anxin.sites.models import PortalHandbook, RosterEntry
from anxin.sites.tests.factories_handbook import payroll, rostered
from anxin.sites.tests.test_handbook_portal import PHONE, _open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_hour")]

SEPT = datetime.date(2026, 9, 1)


@pytest.fixture
def worker(world):
    entry = rostered(world.luoxi_project, n=11, name="张三", phone=PHONE, start=SEPT)
    payroll(world.luoxi_project, SEPT, [(entry, "21", 630_000, 600_000, datetime.date(2026, 10, 15))])
    return entry


def test_the_copy_holds_what_the_workers_page_shows_and_no_id_number(world, worker):
    other = rostered(world.luoxi_project, n=12, name="李四", phone="", start=SEPT)
    assert portal_handbooks_refresh() == 2
    copy = PortalHandbook.objects.get(id_index=worker.id_number_index)
    assert (copy.name, copy.id_masked, copy.phone) == ("张三", worker.id_number_masked, PHONE)
    assert worker.id_number not in str(copy.books) and worker.id_number not in copy.id_masked
    [book] = copy.books
    assert (book["project"], book["town"], book["team"], book["start"], book["leave"]) == (
        "罗溪安置房项目",
        world.luoxi_project.town.name,
        "钢筋班",
        "2026-09-01",
        None,
    )
    september = book["months"][0]
    assert september == {
        "month": "2026-09-01",
        "state": "paid",
        "days": "21.0",
        "due": 630_000,
        "paid": 600_000,
        "paid_on": "2026-10-15",
    }
    assert PortalHandbook.objects.get(id_index=other.id_number_index).phone == ""  # no phone: no code


def test_only_what_changed_is_written(world, worker):
    assert portal_handbooks_refresh() == 1
    before = PortalHandbook.objects.get().refreshed_at
    assert portal_handbooks_refresh() == 0  # nothing changed
    assert PortalHandbook.objects.get().refreshed_at == before
    RosterEntry.objects.filter(pk=worker.pk).update(team="木工班")
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert portal_handbooks_refresh(now=later) == 1
    copy = PortalHandbook.objects.get()
    assert copy.books[0]["team"] == "木工班" and copy.refreshed_at == later


def test_the_newest_stretchs_phone_is_where_the_code_goes(world, worker):
    rostered(world.menghe_river, n=11, name="张三", phone="13700000011", start=datetime.date(2026, 6, 1),
             leave=datetime.date(2026, 8, 20), employer=world.menghe_water)  # fmt: skip
    assert portal_handbooks_refresh() == 1
    copy = PortalHandbook.objects.get()
    assert copy.phone == PHONE and len(copy.books) == 2  # September's stretch is the newer


def test_a_worker_removed_from_every_roster_disappears_from_the_copy(world, worker):
    """A stretch entered by mistake and deleted (no payroll lists it): the worker's copy goes with it."""
    mistaken = rostered(world.luoxi_project, n=12, name="李四", start=SEPT)
    assert portal_handbooks_refresh() == 2
    mistaken.delete()
    assert portal_handbooks_refresh() == 1
    assert list(PortalHandbook.objects.values_list("id_index", flat=True)) == [worker.id_number_index]
    assert portal_handbooks_refresh() == 0


def test_the_internet_zones_page_from_the_copy_is_the_page_from_the_rosters(
    world, worker, settings, django_capture_on_commit_callbacks
):
    inside = _open(Client(), worker, django_capture_on_commit_callbacks)
    settings.PORTAL_READS_DISTRICT_DATA = False
    # Before the tick has written the copy, the worker is unknown there: the same answer, no SMS.
    sent = SmsMessage.objects.count()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        from anxin.sites.tests.test_handbook_portal import _ask

        assert _ask(client, worker.id_number)["Location"] == "/public/handbook/verify/"
    assert SmsMessage.objects.count() == sent
    portal_handbooks_refresh()
    outside = _open(Client(), worker, django_capture_on_commit_callbacks)
    strip = lambda html: html.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert "6,300.00 元" in outside and "未足额 300.00 元" in outside
    assert strip(outside) == strip(inside)
