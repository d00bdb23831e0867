"""The portal's public page and the public API: only published entries within their dates, never an
unreviewed, removed, withdrawn or expired one, never an ID number; search, pages, a phone's layout,
the throttle, and the portal home's links."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from anxin.credit.models import PublicationEntry
from anxin.credit.services import publication as services
from anxin.credit.tests.factories_publication import at, gathered, wage_case
from anxin.registry.tests.factories import EnterpriseFactory

D = datetime.date
Q3 = D(2026, 7, 1)
PUBLISHED_ON = D(2026, 10, 10)
LAST_DAY = D(2027, 10, 9)
API = "/api/v1/public/violations/"
ID = "32041119800101001X"

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(renshe):
    """Published: 甲 and 乙 (乙's legal representative typed with an ID number by mistake, before the
    edit check existed); removed: 丙; withdrawn: 戊; pending in another period: 丁."""
    made: dict[str, Any] = {}
    for key, name in (
        ("a", "甲建筑有限公司"),
        ("b", "乙劳务有限公司"),
        ("c", "丙装饰有限公司"),
        ("e", "戊钢构有限公司"),
    ):
        made[key] = wage_case(D(2026, 8, 3), renshe, enterprise=EnterpriseFactory(name=name)).case
    made["d"] = wage_case(D(2026, 5, 3), renshe, enterprise=EnterpriseFactory(name="丁机械有限公司")).case
    batch = gathered(renshe, Q3, on=PUBLISHED_ON)
    PublicationEntry.objects.filter(case=made["b"]).update(
        legal_rep=f"李四 {ID}", facts=f"李四（{ID}）拖欠工资"
    )
    with time_machine.travel(at(PUBLISHED_ON), tick=False):
        for key in ("a", "b", "e"):
            services.entry_keep(actor=renshe, entry=batch.entries.get(case=made[key]))
        services.entry_discard(actor=renshe, entry=batch.entries.get(case=made["c"]), reason="重复")
        services.batch_publish(actor=renshe, batch=batch)
        services.entry_withdraw(actor=renshe, entry=batch.entries.get(case=made["e"]), reason="信用修复")
    gathered(renshe, D(2026, 4, 1), on=PUBLISHED_ON)
    made["batch"] = batch
    return made


def page(client: Any, day: datetime.date, query: str = "") -> str:
    with time_machine.travel(at(day), tick=False):
        answer = client.get(reverse("portal-violations") + query)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_public_page_shows_only_published_entries_within_their_dates(client, entries):
    html = page(client, D(2026, 11, 1))
    assert "甲建筑有限公司" in html and "乙劳务有限公司" in html
    for hidden in ("丙装饰有限公司", "丁机械有限公司", "戊钢构有限公司"):
        assert hidden not in html
    assert entries["a"].enterprise.uscc in html and "新人社监〔2026〕7号" in html
    assert "甲建筑有限公司" in page(client, LAST_DAY)
    assert "甲建筑有限公司" not in page(client, LAST_DAY + datetime.timedelta(days=1))
    assert "甲建筑有限公司" not in page(client, PUBLISHED_ON - datetime.timedelta(days=1))


def test_the_public_page_never_shows_an_id_number(client, entries):
    html = page(client, D(2026, 11, 1))
    assert ID not in html and "3204**********001X" in html


def test_the_public_page_searches_by_name_or_credit_code(client, entries):
    assert "甲建筑有限公司" in page(client, D(2026, 11, 1), "?q=甲建筑")
    assert "乙劳务有限公司" not in page(client, D(2026, 11, 1), "?q=甲建筑")
    uscc = entries["b"].enterprise.uscc
    by_code = page(client, D(2026, 11, 1), f"?q={uscc}")
    assert "乙劳务有限公司" in by_code and "甲建筑有限公司" not in by_code
    assert "没有查到“丙装饰”的公布信息" in page(client, D(2026, 11, 1), "?q=丙装饰")


def test_the_public_page_pages_and_reads_few_queries(client, renshe, django_assert_max_num_queries):
    for n in range(12):
        wage_case(D(2026, 8, 3), renshe, enterprise=EnterpriseFactory(name=f"分页企业{n:02d}有限公司"))
    batch = gathered(renshe, Q3, on=PUBLISHED_ON)
    with time_machine.travel(at(PUBLISHED_ON), tick=False):
        for entry in batch.entries.all():
            services.entry_keep(actor=renshe, entry=entry)
        services.batch_publish(actor=renshe, batch=batch)
    with django_assert_max_num_queries(8):
        first = page(client, D(2026, 11, 1))
    assert first.count('data-testid="violation"') == 10 and "共 <strong>12</strong> 条" in first
    assert page(client, D(2026, 11, 1), "?page=2").count('data-testid="violation"') == 2


def test_the_public_page_fits_a_phone(client, entries):
    html = page(client, D(2026, 11, 1))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "container-narrow" in html and "text-break" in html
    assert "<table" not in html  # cards, not a wide table


def test_the_portal_home_links_the_public_pages(client, district):
    html = client.get(reverse("portal-home")).content.decode()
    assert 'data-testid="portal-link-portal-violations"' in html
    assert reverse("portal-violations") in html and reverse("portal-handbook") in html


# --- the API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(api_client):
    cache.clear()  # the throttle's counts
    yield api_client
    cache.clear()


def get(api_client: Any, day: datetime.date, query: str = "") -> Any:
    with time_machine.travel(at(day), tick=False):
        return api_client.get(API + query)


def test_the_api_answers_without_login_with_published_entries_only(api, entries):
    answer = get(api, D(2026, 11, 1))
    assert answer.status_code == 200
    names = {row["name"] for row in answer.json()["results"]}
    assert names == {"甲建筑有限公司", "乙劳务有限公司"}
    row = next(r for r in answer.json()["results"] if r["name"] == "甲建筑有限公司")
    assert set(row) == {
        "batch",
        "name",
        "uscc",
        "address",
        "legal_rep",
        "violation_class",
        "violation_class_label",
        "facts",
        "handling",
        "published_on",
        "visible_until",
    }
    assert row["batch"] == "XB-GB-2026-Q3" and row["visible_until"] == "2027-10-09"
    assert ID not in answer.content.decode()
    assert get(api, LAST_DAY + datetime.timedelta(days=1)).json()["results"] == []


def test_the_api_searches(api, entries):
    rows = get(api, D(2026, 11, 1), "?q=乙劳务").json()["results"]
    assert [r["name"] for r in rows] == ["乙劳务有限公司"]
    code = entries["a"].enterprise.uscc
    assert [r["name"] for r in get(api, D(2026, 11, 1), f"?q={code}").json()["results"]] == ["甲建筑有限公司"]


def test_the_api_is_throttled(api, entries, settings):
    settings.PUBLIC_API_RATE = "3/minute"
    statuses = [get(api, D(2026, 11, 1)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
