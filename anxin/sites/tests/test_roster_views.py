"""The project's 实名花名册 tab: what each persona gets (the forms only for whoever keeps the roster, a
404 outside the scope, the login page for a visitor), the special account card with its flag, the
roster's search, filters, counts and pages within a bounded number of queries, the add, leave and
account forms, and the logged Excel export (ID numbers masked unless the role may see them)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.core.xlsx import HEADER_ROW
from anxin.sites import services
from anxin.sites.models import RosterEntry, SpecialAccount
from anxin.sites.tests.factories_roster import add, days_ago, id_number, site

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(district):
    return site(started=60)


def _tab(s: Any) -> str:
    return reverse("project-detail", args=[s.project.pk]) + "?tab=roster"


# what each persona gets: (status, sees the forms)
PERSONAS = {
    "office": (200, True),
    "chengjian": (200, True),
    "leader": (200, False),
    "luoxi": (200, False),
    "shuili": (404, False),
    "xuejia": (404, False),
    "renshe": (404, False),
}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_what_each_persona_gets(login, request, s, persona):
    add(s, 1)
    status, forms = PERSONAS[persona]
    response = login(request.getfixturevalue(persona)).get(_tab(s))
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert "实名花名册" in html and 'data-testid="roster-table"' in html and "工人1" in html
    assert id_number(1) not in html  # masked on screen
    for marker in (
        'data-testid="worker-form"',
        'data-testid="account-form"',
        "roster-leave-",
        "roster-import-link",
    ):
        assert (marker in html) is forms, (persona, marker)


def test_anonymous_is_sent_to_log_in(login, s):
    for url in (_tab(s), reverse("roster-export", args=[s.project.pk])):
        response = login(None).get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_water_department_keeps_a_water_project(login, district, shuili):
    water = site(town="menghe", supervisor="water")
    html = login(shuili).get(_tab(water)).content.decode()
    assert 'data-testid="worker-form"' in html


def test_the_card_flags_a_missing_account_with_the_clause_and_the_value(login, s, luoxi):
    html = login(luoxi).get(_tab(s)).content.decode()
    assert 'data-testid="account-flag"' in html and "已逾期 30 日" in html
    assert "第二十六条" in html and "取值 30 日" in html


def test_the_card_shows_the_account_masked(login, s, office, luoxi):
    services.special_account_record(
        actor=office,
        project=s.project,
        bank="江南农商行",
        account="6222021102034567890",
        opened_on=days_ago(50),
    )
    html = login(luoxi).get(_tab(s)).content.decode()
    assert "6222***********7890" in html and "6222021102034567890" not in html
    assert 'data-testid="account-flag"' not in html and "江南农商行" in html


def test_the_list_searches_filters_and_counts(login, s, office):
    add(s, 1, name="张三", team="木工班")
    add(s, 2, name="李四", employer=s.sub, team="钢筋班", trade="钢筋工")
    add(s, 3, name="王五", team="泥瓦班", start_date=days_ago(9), leave_date=days_ago(2))
    client = login(office)

    def names(**query: Any) -> str:
        html = client.get(
            reverse("project-detail", args=[s.project.pk]), {"tab": "roster", **query}
        ).content.decode()
        return "".join(n for n in ("张三", "李四", "王五") if f"<td>{n}<div" in html)

    assert names() == "张三李四王五"
    assert names(q="李") == "李四"
    assert names(q=id_number(3)) == "王五"
    assert names(employer=s.sub.uscc) == "李四"
    assert names(team="木工班") == "张三"
    assert names(trade="钢筋工") == "李四"
    assert names(on_site="1") == "张三李四"
    assert names(on_site="0") == "王五"
    html = client.get(_tab(s)).content.decode()
    assert "共 3 人次，在场 2 人，已退场 1 人" in html


def test_the_list_pages_within_a_bounded_number_of_queries(login, s, office, django_assert_max_num_queries):
    services.roster_import(
        actor=office,
        project=s.project,
        rows=[
            services.WorkerInput(
                name=f"工人{n}",
                id_number=id_number(n),
                phone=f"138{n:08d}",
                employer=s.gc if n % 2 else s.sub,
                start_date=days_ago(5),
                team=f"{n % 3}班",
            )
            for n in range(1, 61)
        ],
    )
    client = login(office)
    client.get(_tab(s))  # warm the session and the caches
    with django_assert_max_num_queries(28):  # a full page of 50: no query per row
        response = client.get(_tab(s))
    assert response.status_code == 200 and "第 1/2 页" in response.content.decode()
    assert client.get(_tab(s) + "&page=2").content.decode().count('data-testid="roster-row"') == 10


def test_a_worker_is_added_on_the_screen(login, s, chengjian):
    data = {
        "name": "赵六",
        "id_number": id_number(6),
        "phone": "13800000006",
        "employer": s.sub.uscc,
        "team": "",
        "trade": "",
        "start_date": days_ago(3).isoformat(),
    }
    response = login(chengjian).post(reverse("roster-add", args=[s.project.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("?tab=roster")
    assert RosterEntry.objects.get(project=s.project).employer == s.sub


def test_a_refused_worker_comes_back_with_what_was_typed(login, s, chengjian):
    add(s, 6)
    data = {
        "name": "赵六",
        "id_number": id_number(6),
        "phone": "13800000006",
        "employer": s.gc.uscc,
        "start_date": days_ago(3).isoformat(),
    }
    response = login(chengjian).post(reverse("roster-add", args=[s.project.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400 and "尚未退场" in html and 'value="赵六"' in html
    assert RosterEntry.objects.count() == 1


def test_a_town_cannot_post_to_the_roster(login, s, luoxi, xuejia):
    entry = add(s, 1)
    client = login(luoxi)
    assert client.post(reverse("roster-add", args=[s.project.pk]), {}).status_code == 403
    assert (
        client.post(reverse("roster-leave", args=[entry.pk]), {"leave_date": days_ago(0)}).status_code == 403
    )
    assert client.post(reverse("special-account-record", args=[s.project.pk]), {}).status_code == 403
    entry.refresh_from_db()
    assert entry.leave_date is None


def test_a_department_outside_the_line_gets_404_on_posts(login, s, shuili):
    entry = add(s, 1)
    client = login(shuili)
    assert client.post(reverse("roster-add", args=[s.project.pk]), {}).status_code == 404
    assert (
        client.post(reverse("roster-leave", args=[entry.pk]), {"leave_date": days_ago(0)}).status_code == 404
    )


def test_a_worker_leaves_on_the_screen_and_a_refusal_is_said(login, s, chengjian):
    entry = add(s, 1, start_date=days_ago(10))
    client = login(chengjian)
    response = client.post(
        reverse("roster-leave", args=[entry.pk]), {"leave_date": days_ago(11).isoformat()}, follow=True
    )
    assert "早于进场日期" in response.content.decode()
    client.post(reverse("roster-leave", args=[entry.pk]), {"leave_date": days_ago(1).isoformat()})
    entry.refresh_from_db()
    assert entry.leave_date == days_ago(1)


def test_the_account_is_recorded_then_changed_with_a_reason_on_the_screen(login, s, chengjian):
    client = login(chengjian)
    url = reverse("special-account-record", args=[s.project.pk])
    data = {
        "bank": "工行",
        "account": "6222021102034567890",
        "opened_on": days_ago(5).isoformat(),
        "note": "",
    }
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {**data, "bank": "农行"})
    assert refused.status_code == 400 and "须说明理由" in refused.content.decode()
    assert client.post(url, {**data, "bank": "农行", "note": "换银行"}).status_code == 302
    assert SpecialAccount.objects.get(project=s.project).bank == "农行"
    html = client.get(_tab(s)).content.decode()
    assert "换银行" in html and 'data-testid="account-events"' in html


def _export(client: Any, s: Any, **query: Any) -> Any:
    return client.get(reverse("roster-export", args=[s.project.pk]), query)


def _cells(response: Any) -> list[list]:
    sheet: Any = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]


def test_the_export_masks_id_numbers_for_a_town_and_is_logged(login, s, luoxi):
    add(s, 1)
    response = _export(login(luoxi), s)
    assert response.status_code == 200
    rows = _cells(response)
    assert rows[0][:3] == ["姓名", "身份证号", "手机号"] and rows[1][0] == "工人1"
    assert rows[1][1] != id_number(1) and "*" in rows[1][1]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, user=luoxi).exists()


def test_the_export_shows_full_id_numbers_to_a_role_that_may_see_them_with_the_filters(login, s, office):
    add(s, 1, name="张三")
    add(s, 2, name="李四", employer=s.sub)
    response = _export(login(office), s, employer=s.sub.uscc)
    rows = _cells(response)
    assert [r[0] for r in rows[1:]] == ["李四"] and rows[1][1] == id_number(2)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT, user=office)
    assert "含完整身份证号" in event.detail["filters"]


def test_an_auditor_reads_but_may_not_export(login, s, auditor):
    response = _export(login(auditor), s)
    assert response.status_code == 302
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT).exists()


def test_the_export_is_404_outside_the_scope(login, s, xuejia):
    assert _export(login(xuejia), s).status_code == 404
