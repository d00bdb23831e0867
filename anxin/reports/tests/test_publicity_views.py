"""Publicity's screens per persona: a unit records, corrects and withdraws its own activities; another
unit's activity is a 404; the office sees every unit's and the counts; the leaders read; the public
is sent to log in. The ledger's filters, pages and export; the counts' export."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from anxin.reports.models import PublicityActivity
from anxin.reports.services import publicity as services
from anxin.reports.tests.factories_office import NOW, activity, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("office", True), ("leader", True), ("luoxi", True), ("xuejia", False), ("chengjian", False)],
)
def test_the_ledger_shows_what_each_persona_sees(request, login, luoxi, persona, sees):
    mine = activity(luoxi, title="罗溪镇普法宣传日")
    response = login(request.getfixturevalue(persona)).get(reverse("reports-publicity-list"))
    assert response.status_code == 200
    assert (mine.title in response.content.decode()) is sees


@pytest.mark.parametrize(
    ("persona", "status"),
    [("office", 200), ("leader", 200), ("luoxi", 200), ("xuejia", 404), ("chengjian", 404)],
)
def test_the_activity_page_per_persona(request, login, luoxi, persona, status):  # fmt: skip
    mine = activity(luoxi, photos=[services.Photo(name="a.png", content=png())])
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("reports-publicity", args=[mine.pk]))
    assert response.status_code == status
    photo = mine.photos.get()
    assert client.get(reverse("reports-publicity-photo", args=[mine.pk, photo.pk])).status_code == status


def test_the_public_is_sent_to_log_in(login, luoxi):
    mine = activity(luoxi)
    for url in (reverse("reports-publicity-list"), reverse("reports-publicity", args=[mine.pk])):
        response = login(None).get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_a_town_records_an_activity_with_photos(login, luoxi):
    client = login(luoxi)
    assert client.get(reverse("reports-publicity-new")).status_code == 200
    first, second = (
        __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(n, png(), "image/png")
        for n in ("1.png", "2.png")
    )
    response = client.post(
        reverse("reports-publicity-new"),
        {"date": "2026-11-18", "kind": "enterprise", "title": "进企业宣讲", "place": "某企业",
         "audience": "30", "materials": "20", "description": "", "photos": [first, second]},
    )  # fmt: skip
    assert response.status_code == 302
    found = PublicityActivity.objects.get()
    assert found.unit_id == luoxi.unit_id and found.photos.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "进企业宣讲" in page and 'data-testid="publicity-withdraw"' in page


def test_a_future_date_comes_back_with_the_reason(login, luoxi):
    response = login(luoxi).post(
        reverse("reports-publicity-new"),
        {"date": "2026-11-21", "kind": "law", "title": "明天的活动", "place": "某地", "audience": "1"},
    )
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert not PublicityActivity.objects.exists()


@pytest.mark.parametrize("persona", ["office", "leader"])
def test_who_has_no_activities_of_its_own_cannot_record(request, login, persona):
    assert login(request.getfixturevalue(persona)).get(reverse("reports-publicity-new")).status_code == 403


def test_another_unit_cannot_edit_or_withdraw(login, luoxi, xuejia, office):
    mine = activity(luoxi)
    assert login(xuejia).get(reverse("reports-publicity-edit", args=[mine.pk])).status_code == 404
    assert (
        login(xuejia).post(reverse("reports-publicity-withdraw", args=[mine.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert (
        login(office).post(reverse("reports-publicity-withdraw", args=[mine.pk]), {"reason": "x"}).status_code
        == 403
    )
    mine.refresh_from_db()
    assert not mine.withdrawn


def test_correcting_shows_in_the_history(login, luoxi):
    mine = activity(luoxi, audience=50)
    client = login(luoxi)
    response = client.post(
        reverse("reports-publicity-edit", args=[mine.pk]),
        {"date": "2026-11-17", "kind": "law", "title": mine.title, "place": mine.place, "audience": "75"},
    )
    assert response.status_code == 302
    page = client.get(reverse("reports-publicity", args=[mine.pk])).content.decode()
    assert "<del>50</del>" in page and "75" in page


def test_withdrawing_needs_a_reason_and_keeps_the_record(login, luoxi):
    mine = activity(luoxi)
    client = login(luoxi)
    url = reverse("reports-publicity-withdraw", args=[mine.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    page = client.get(reverse("reports-publicity", args=[mine.pk])).content.decode()
    assert "data-confirm=" in page
    assert client.post(url, {"reason": "重复登记"}).status_code == 302
    mine.refresh_from_db()
    assert mine.withdrawn
    page = client.get(reverse("reports-publicity", args=[mine.pk])).content.decode()
    assert "重复登记" in page and 'data-testid="publicity-withdraw"' not in page


def test_the_ledger_filters(login, luoxi, chengjian, office):
    a = activity(luoxi, kind="law", title="甲活动", date=datetime.date(2026, 11, 2))
    b = activity(chengjian, kind="site", title="乙活动", date=datetime.date(2026, 11, 15))
    client = login(office)
    url = reverse("reports-publicity-list")
    page = client.get(url, {"unit": "construction"}).content.decode()
    assert b.title in page and a.title not in page
    page = client.get(url, {"kind": "law"}).content.decode()
    assert a.title in page and b.title not in page
    page = client.get(url, {"date_from": "2026-11-10"}).content.decode()
    assert b.title in page and a.title not in page
    page = client.get(url, {"q": "甲"}).content.decode()
    assert a.title in page and b.title not in page


def test_the_ledger_exports_the_current_view(login, luoxi, office):
    activity(luoxi)
    response = login(office).get(reverse("reports-publicity-list"), {"unit": "gov-luoxi", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_ledger_is_bounded_in_queries(login, luoxi, office, django_assert_max_num_queries):
    for n in range(6):
        activity(luoxi, title=f"活动{n}")
    client = login(office)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports-publicity-list"))
    assert response.status_code == 200 and response.content.decode().count("活动") >= 6


def test_the_counts_per_unit_and_their_export(login, luoxi, chengjian, office, django_assert_max_num_queries):
    activity(luoxi, audience=40)
    activity(chengjian, audience=60)
    gone = activity(chengjian, audience=500)
    services.publicity_withdraw(actor=chengjian, activity=gone, reason="重复")
    client = login(office)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports-publicity-counts"), {"period": "2026-11"})
    page = response.content.decode()
    assert response.status_code == 200 and "罗溪镇" in page and "区城建局" in page
    assert '<td class="text-end">100</td>' in page  # 40 + 60, the withdrawn 500 left out
    export = client.get(reverse("reports-publicity-counts"), {"period": "2026-11", "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_bad_period_falls_back_with_a_message(login, office):
    page = login(office).get(reverse("reports-publicity-counts"), {"period": "2026-13"}).content.decode()
    assert "已显示最近一期" in page and "2026-10" in page


def test_the_ledgers_dates_and_counts_say_what_they_are(login, office):
    page = login(office).get("/reports/publicity/?withdrawn=no&date_from=2026-11-01&date_to=2026-11-30")
    body = page.content.decode()
    dates = body[body.index('data-testid="publicity-dates"') :]
    dates = dates[: dates.index("</div>")]
    assert "活动日期" in dates and "至" in dates
    assert 'value="2026-11-01"' in dates and 'value="2026-11-30"' in dates
    assert "受众（人）" in body and "宣传品（份）" in body
    assert "有效（计入统计）" in body
