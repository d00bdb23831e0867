"""The portal's public page shows the joint-punishment list in force: the enterprise, its code, the
condition, the persons by name and role (never an ID number), the decision and the term; a listing
that ended (removed, revoked, expired) is gone the same day, one not yet decided never shows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from anxin.core.audit import system_actor
from anxin.core.crypto import blind_index
from anxin.credit.models import ListedPerson, ListingStatus, PersonRole
from anxin.credit.tests.factories_sanctions import listing_in_force
from anxin.credit.workflow import LISTING, REMOVE
from anxin.registry.tests.factories import enterprise as make_enterprise

pytestmark = pytest.mark.django_db

ID = "32041119800101001X"
START = datetime.date(2026, 12, 1)
LAST = datetime.date(2029, 11, 30)


@pytest.fixture
def listed(district):
    listing = listing_in_force(
        make_enterprise(name="失信演示建筑有限公司"),
        term_start=START,
        term_end=LAST,
        decision_reference="新人社惩决〔2026〕1号",
    )
    ListedPerson.objects.create(
        listing=listing,
        role=PersonRole.LEGAL_REP,
        name="张列入",
        id_number=ID,
        id_number_index=blind_index(ID, purpose="credit-person"),
        added_by=system_actor(),
    )
    return listing


def _page(client: Any, q: str = "") -> str:
    return client.get(reverse("portal-violations"), {"q": q} if q else {}).content.decode()


@time_machine.travel("2029-11-30 10:00 +0800")
def test_a_listing_in_force_shows_its_enterprise_persons_and_term_but_no_id_number(client, listed):
    page = _page(client)
    assert "失信演示建筑有限公司" in page
    assert listed.enterprise.uscc in page
    assert "张列入" in page and "法定代表人" in page
    assert "新人社惩决〔2026〕1号" in page
    assert "2029年11月30日" in page
    assert ID not in page and ID[:6] + "********" not in page
    assert "失信演示建筑有限公司" in _page(client, listed.enterprise.uscc)
    assert "失信演示建筑有限公司" not in _page(client, "没有这家")


@time_machine.travel("2029-12-01 00:05 +0800")
def test_a_listing_is_gone_the_day_after_its_last_day(client, listed):
    assert "失信演示建筑有限公司" not in _page(client)


@time_machine.travel("2027-01-05 10:00 +0800")
def test_a_removed_listing_is_gone_at_once(client, listed):
    assert "失信演示建筑有限公司" in _page(client)
    LISTING.move(listed, LISTING.step(listed, REMOVE), actor=system_actor(), note="提前移出")
    assert listed.status == ListingStatus.REMOVED
    assert "失信演示建筑有限公司" not in _page(client)


@time_machine.travel("2026-12-05 10:00 +0800")
def test_a_listing_not_yet_decided_never_shows(client, listed):
    listed.status = ListingStatus.NOTICED
    listed.save(update_fields=["status"])
    assert "失信演示建筑有限公司" not in _page(client)


@time_machine.travel("2027-01-05 10:00 +0800")
def test_the_public_list_of_listings_is_paged(client, district):
    for n in range(11):
        listing_in_force(
            make_enterprise(name=f"分页演示{n:02d}建筑有限公司"), term_start=START, term_end=LAST
        )
    first = _page(client)
    assert first.count('data-testid="public-listing"') == 10 and "共 11 家" in first
    second = client.get(reverse("portal-violations"), {"lpage": 2}).content.decode()
    assert second.count('data-testid="public-listing"') == 1
