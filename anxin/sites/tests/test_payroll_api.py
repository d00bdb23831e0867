"""The payroll API: POST (dry run, the findings with names and yuan figures, refusals by row and
field, 403/404), GET of a month, the issue's spelling without the trailing slash."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from anxin.registry.models import Project
from anxin.sites.models import Payroll, PayrollMonth
from anxin.sites.tests.factories_payroll import id_number, roster_entry

D = datetime.date
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(world):
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=D(2026, 6, 5))
    project = Project.objects.get(pk=world.luoxi_project.pk)
    for n in (1, 2, 3):
        roster_entry(project, n)
    return project


def item(
    n: int, *, due: str = "6000.00", paid: str = "6000.00", paid_on: str | None = "2026-11-10", **kw: Any
) -> dict:
    return {
        "id_number": id_number(n),
        "name": f"工人{n}",
        "days": "22",
        "due": due,
        "paid": paid,
        "paid_on": paid_on,
        **kw,
    }


def body(rows=None, month="2026-10", **kw):
    return {"month": month, "rows": rows if rows is not None else [item(1), item(2), item(3)], **kw}


def url(project, slash=True):
    return f"/api/v1/projects/{project.pk}/payrolls" + ("/" if slash else "")


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_a_payroll_with_two_workers_short_answers_the_findings(api_client, chengjian, project):
    rows = [item(1, paid="5000.00"), item(2, paid="5999.00"), item(3)]
    response = as_user(api_client, chengjian).post(url(project), body(rows), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["status_label"], data["version"], data["dry_run"]) == (
        "diff",
        "有差异",
        1,
        False,
    )
    assert (data["short_workers"], data["short_amount"], data["due_total"]) == (2, "1001.00", "18000.00")
    assert data["pay_due_on"] == "2026-11-15" and data["basis"]["pay_day"]["code"] == "payroll.pay_day"
    shorts = [f for f in data["findings"] if f["kind"] == "short"]
    assert [(f["name"], f["due"], f["paid"], f["shortfall"], f["row"]) for f in shorts] == [
        ("工人1", "6000.00", "5000.00", "1000.00", 1),
        ("工人2", "6000.00", "5999.00", "1.00", 2),
    ]
    assert data["signal"] is not None
    assert PayrollMonth.objects.get().short_signal_id == data["signal"]


def test_without_the_trailing_slash_too(api_client, chengjian, project):
    response = as_user(api_client, chengjian).post(url(project, slash=False), body(), format="json")
    assert response.status_code == 201 and response.json()["status"] == "ok"


def test_a_dry_run_answers_200_and_writes_nothing(api_client, chengjian, project):
    response = as_user(api_client, chengjian).post(
        url(project) + "?dry_run=1", body([item(1)]), format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["dry_run"] and data["version"] is None and data["missing_workers"] == 2
    assert {f["kind"] for f in data["findings"]} == {"missing"}
    assert not Payroll.objects.exists() and not PayrollMonth.objects.exists()


def test_bad_rows_are_400_by_position_and_field_and_nothing_is_written(api_client, chengjian, project):
    bad_id = id_number(2)[:17] + ("1" if id_number(2)[17] != "1" else "2")
    rows = [item(1, paid="-1"), item(2, id_number=bad_id), item(3)]
    response = as_user(api_client, chengjian).post(url(project), body(rows), format="json")
    assert response.status_code == 400
    errors = response.json()["rows"]
    assert set(errors) == {"0", "1"} and "paid" in errors["0"] and "id_number" in errors["1"]
    assert not Payroll.objects.exists()


def test_the_same_worker_twice_is_400_on_its_row(api_client, chengjian, project):
    response = as_user(api_client, chengjian).post(
        url(project), body([item(1), item(2), item(1)]), format="json"
    )
    assert response.status_code == 400
    assert "与第 1 行是同一劳动者" in response.json()["rows"]["2"]["id_number"][0]
    assert not Payroll.objects.exists()


@pytest.mark.parametrize("month", ["2026-11", "2027-01", "2026-05"])
def test_a_month_not_ended_or_before_the_start_is_400(api_client, chengjian, project, month):
    response = as_user(api_client, chengjian).post(url(project), body(month=month), format="json")
    assert response.status_code == 400 and "month" in response.json()
    assert not Payroll.objects.exists()


def test_another_contractors_payroll_is_400(api_client, chengjian, project, world):
    response = as_user(api_client, chengjian).post(
        url(project), body(contractor=world.menghe_water.uscc), format="json"
    )
    assert response.status_code == 400 and "不是本项目的施工总承包单位" in response.json()["contractor"][0]
    ok = api_client.post(url(project), body(contractor=project.general_contractor.uscc), format="json")
    assert ok.status_code == 201


def test_a_town_reads_but_may_not_post_and_others_get_404(api_client, luoxi, xuejia, renshe, project):
    assert as_user(api_client, luoxi).post(url(project), body(), format="json").status_code == 403
    for user in (xuejia, renshe):
        assert as_user(api_client, user).post(url(project), body(), format="json").status_code == 404
        assert as_user(api_client, user).get(url(project) + "2026-10").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.post(url(project), body(), format="json").status_code == 401
    assert not Payroll.objects.exists()


def test_get_a_month_with_its_findings_and_masked_lines(api_client, chengjian, luoxi, project):
    as_user(api_client, chengjian).post(
        url(project), body([item(1, paid="0", paid_on=None), item(2)]), format="json"
    )
    response = as_user(api_client, luoxi).get(url(project) + "2026-10")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["version"], data["short_amount"]) == ("diff", 1, "6000.00")
    assert {(f["kind"], f["name"]) for f in data["findings"]} == {("short", "工人1"), ("missing", "工人3")}
    assert [line["id_number"] for line in data["lines"]] == [
        id_number(1)[:4] + "**********" + id_number(1)[-4:],
        id_number(2)[:4] + "**********" + id_number(2)[-4:],
    ]
    assert api_client.get(url(project) + "2026-10/").status_code == 200


def test_get_a_month_without_a_payroll_and_months_outside(api_client, office, project):
    client = as_user(api_client, office)
    data = client.get(url(project) + "2026-09").json()
    assert (data["status"], data["version"], data["findings"]) == ("missing", None, [])
    assert data["report_due_on"] == "2026-10-20"
    for month in ("2026-11", "2026-05", "2026-13", "oops"):
        assert client.get(url(project) + month).status_code == 404
