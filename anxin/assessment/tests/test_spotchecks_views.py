"""Screens and API of spot checks: persona access, the unit's own view, Excel, Word, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.assessment.models import Rectification, SpotCheck
from anxin.assessment.services import spotchecks as services
from anxin.assessment.tests.factories_spotchecks import drawn, rectification, with_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(office, renshe, world):
    """罗溪 drawn (with a problem and a rectification item), 薛家 not drawn."""
    rect = rectification(office, renshe)
    return rect.item.check_unit.spot_check


@pytest.mark.parametrize("who", ["office", "leader", "auditor", "luoxi"])
def test_who_sees_the_round(request, login, round_, who):
    client = login(request.getfixturevalue(who))
    page = client.get(reverse("assessment-spotcheck", args=[round_.pk]))
    assert page.status_code == 200
    assert "罗溪纺织有限公司" in page.content.decode() or "罗溪建设工程有限公司" in page.content.decode()
    listing = client.get(reverse("assessment-spotchecks"))
    assert round_.number in listing.content.decode()


@pytest.mark.parametrize("who", ["xuejia", "chengjian"])
def test_a_unit_not_drawn_sees_nothing(request, login, round_, who):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("assessment-spotcheck", args=[round_.pk])).status_code == 404
    assert round_.number not in client.get(reverse("assessment-spotchecks")).content.decode()


def test_a_drawn_town_sees_only_its_own_items_in_a_round_of_several(login, office, renshe, luoxi, world):
    spot_check = drawn(office, codes=("gov-luoxi", "gov-xuejia"))
    body = login(luoxi).get(reverse("assessment-spotcheck", args=[spot_check.pk])).content.decode()
    assert "罗溪" in body and "薛家机械有限公司" not in body
    assert "抽查记录" not in body  # the office's history is not shown to a unit


def test_an_inspector_department_sees_the_round(login, round_, renshe):
    assert login(renshe).get(reverse("assessment-spotcheck", args=[round_.pk])).status_code == 200


def test_draw_form_is_the_offices(login, office, luoxi, leader, world):
    assert login(luoxi).get(reverse("assessment-spotcheck-new")).status_code == 403
    assert login(leader).get(reverse("assessment-spotcheck-new")).status_code == 403
    client = login(office)
    page = client.get(reverse("assessment-spotcheck-new"))
    assert page.status_code == 200 and 'name="seed"' in page.content.decode()
    response = client.post(
        reverse("assessment-spotcheck-new"), {"title": "抽查", "seed": "777", "units": 2, "items_per_unit": 1}
    )
    spot_check = SpotCheck.objects.get()
    assert response.status_code == 302
    assert spot_check.seed == "777" and len(spot_check.drawn) == 2
    before = SpotCheck.objects.count()
    refused = client.post(
        reverse("assessment-spotcheck-new"),
        {"title": "抽查", "seed": "777", "units": 999, "items_per_unit": 1},
    )
    assert refused.status_code == 400 and SpotCheck.objects.count() == before


def test_verify_shows_the_same_draw(login, round_, luoxi):
    page = login(luoxi).get(reverse("assessment-spotcheck-verify", args=[round_.pk]))
    assert "得到相同的单位和检查对象" in page.content.decode()


def test_the_unit_answers_from_its_todo(login, round_, luoxi, xuejia, office):
    rect = Rectification.objects.get()
    client = login(luoxi)
    todo = client.get(reverse("case-todo"))
    assert "本单位抽查整改事项" in todo.content.decode()
    url = reverse("assessment-rectification-act", args=[rect.pk, "answer"])
    assert client.post(url, {"answer": "已整改"}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == "answered"
    assert login(xuejia).get(reverse("assessment-rectification", args=[rect.pk])).status_code == 404
    office_page = login(office).get(reverse("assessment-rectification", args=[rect.pk]))
    assert "验收通过" in office_page.content.decode()


def test_circular_word_and_exports(login, office, leader, luoxi, renshe, world):
    spot_check, _ = with_problem(office, renshe)
    client = login(office)
    assert client.get(reverse("assessment-spotcheck-circular", args=[spot_check.pk])).status_code == 404
    response = client.post(
        reverse("assessment-spotcheck-act", args=[spot_check.pk, "circulate"]),
        {
            "reference": "新欠薪联办通〔2026〕9号",
            "body": services.circular_draft(spot_check),
            "copy_to": "中共常州市新北区委组织部",
        },
    )
    assert response.status_code == 302
    word = login(luoxi).get(reverse("assessment-spotcheck-circular", args=[spot_check.pk]))
    assert word.status_code == 200 and word["Content-Type"].startswith("application/vnd.openxmlformats")
    excel = login(leader).get(reverse("assessment-spotchecks") + "?export=xlsx")
    assert excel.status_code == 200 and "spreadsheet" in excel["Content-Type"]
    refused = login(luoxi).get(reverse("assessment-spotchecks") + "?export=xlsx")
    assert refused.status_code == 302
    assert login(office).get(reverse("assessment-rectifications") + "?export=xlsx").status_code == 200


def test_list_query_count_is_bounded(login, office, renshe, world, django_assert_max_num_queries):
    for seed in ("a", "b", "c"):
        with_problem(office, renshe, seed=seed)
    client = login(office)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessment-spotchecks")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessment-rectifications")).status_code == 200


# --- API ------------------------------------------------------------------------------------------------


def test_api_draw_and_detail(api_client, office, luoxi, xuejia, world):
    api_client.force_authenticate(office)
    response = api_client.post(
        "/api/v1/assessment/spot-checks", {"title": "接口抽查", "seed": "2026", "units": 3}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    spot_check = SpotCheck.objects.get(pk=data["id"])
    assert data["units"] == spot_check.drawn and data["number"] == spot_check.number
    assert len(data["checked_units"]) == 3
    detail = api_client.get(f"/api/v1/assessment/spot-checks/{spot_check.pk}")
    assert detail.status_code == 200 and detail.json()["seed"] == "2026"
    bad = api_client.post(
        "/api/v1/assessment/spot-checks/", {"title": "x", "seed": "1", "units": 0}, format="json"
    )
    assert bad.status_code == 400 and SpotCheck.objects.count() == 1
    api_client.force_authenticate(luoxi)
    assert (
        api_client.post(
            "/api/v1/assessment/spot-checks/", {"title": "x", "seed": "1", "units": 1}, format="json"
        ).status_code
        == 403
    )
    own = services.draw(title="罗溪", seed="1", units=1, population=["gov-luoxi"], actor=office)
    assert api_client.get(f"/api/v1/assessment/spot-checks/{own.pk}/").status_code == 200
    api_client.force_authenticate(xuejia)
    assert api_client.get(f"/api/v1/assessment/spot-checks/{own.pk}/").status_code == 404


def test_the_office_runs_a_round_through_the_page(login, office, renshe, world):
    spot_check = drawn(office)
    check_unit = spot_check.units.get()
    client = login(office)
    act = lambda do: reverse("assessment-spotcheck-act", args=[spot_check.pk, do])  # noqa: E731
    page = client.get(reverse("assessment-spotcheck", args=[spot_check.pk]))
    assert "指定检查人员" in page.content.decode()
    prefix = f"u{check_unit.pk}"
    response = client.post(
        act("assign"),
        {
            "unit_pk": check_unit.pk,
            f"{prefix}-check_unit": check_unit.pk,
            f"{prefix}-inspectors": [renshe.pk],
        },
    )
    assert response.status_code == 302
    assert list(check_unit.inspectors.all()) == [renshe]
    assert client.post(act("start")).status_code == 302
    items = list(check_unit.items.order_by("pk"))
    inspector = login(renshe)
    today = timezone.localdate().isoformat()
    for n, item in enumerate(items):
        data = {
            "item": item.pk,
            "result": "problem" if n == 0 else "ok",
            "observations": "台账缺失" if n == 0 else "",
            "checked_on": today,
        }
        assert inspector.post(act("record"), data).status_code == 302
    assert (
        inspector.post(act("conclude"), {"check_unit": check_unit.pk, "conclusion": "基本规范"}).status_code
        == 302
    )
    client = login(office)
    assert (
        client.post(act("rectify"), {"item": items[0].pk, "requirement": "补齐台账", "due": ""}).status_code
        == 302
    )
    assert Rectification.objects.get().due == timezone.localdate() + datetime.timedelta(days=30)
    page = client.get(reverse("assessment-spotcheck", args=[spot_check.pk])).content.decode()
    assert "印发抽查情况通报" in page and "台账缺失" in page and "新欠薪联办通" in page


def _circulate(office, spot_check):
    services.circulate(
        actor=office,
        spot_check=spot_check,
        reference="新欠薪联办通〔2026〕9号",
        body=services.circular_draft(spot_check),
    )


@pytest.mark.parametrize("who", ["xuejia", "chengjian"])
def test_a_recipient_not_drawn_reads_the_circular_once_issued(
    request, login, office, round_, who, django_capture_on_commit_callbacks
):
    from anxin.notify.models import Notification

    user = request.getfixturevalue(who)
    client = login(user)
    with django_capture_on_commit_callbacks(execute=True):
        _circulate(office, round_)
    page_url = reverse("assessment-spotcheck", args=[round_.pk])
    notice = Notification.objects.get(recipient=user, subject__contains="新欠薪联办通〔2026〕9号")
    assert notice.url == page_url
    page = client.get(page_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="spotcheck-circular-body"' in body and "新欠薪联办通〔2026〕9号" in body
    assert 'data-testid="spotcheck-recipients"' in body and "中共常州市新北区委组织部" in body
    assert 'data-testid="spotcheck-unit-gov-luoxi"' not in body and "本单位未被抽中" in body  # items scoped
    assert "抽查记录" not in body
    word = client.get(reverse("assessment-spotcheck-circular", args=[round_.pk]))
    assert word.status_code == 200
    assert round_.number in client.get(reverse("assessment-spotchecks")).content.decode()
    rect = Rectification.objects.get()
    assert client.get(reverse("assessment-rectification", args=[rect.pk])).status_code == 404
    api = client.get(f"/api/v1/assessment/spot-checks/{round_.pk}/")
    assert api.status_code == 200
    assert api.json()["checked_units"] == [] and any(r["copy"] for r in api.json()["recipients"])


def test_the_draw_record_shows_unit_names(login, office, world):
    spot_check = drawn(office, codes=("gov-luoxi", "gov-xuejia"))
    client = login(office)
    body = client.get(reverse("assessment-spotcheck", args=[spot_check.pk])).content.decode()
    drawn_part = body.split('data-testid="spotcheck-drawn">')[1].split("</div>")[0]
    assert "罗溪镇" in drawn_part and "gov-" not in drawn_part
    events = body.split('data-testid="spotcheck-events"')[1]
    assert "罗溪镇" in events and "gov-luoxi" not in events
    verify = client.get(reverse("assessment-spotcheck-verify", args=[spot_check.pk])).content.decode()
    result = verify.split('data-testid="spotcheck-verify-result"')[1].split("spotcheck-unit-")[0]
    assert "罗溪镇" in result and "薛家镇" in result and "gov-" not in result
    listing = client.get(reverse("assessment-spotchecks")).content.decode()
    assert "罗溪镇" in listing
    api = client.get(f"/api/v1/assessment/spot-checks/{spot_check.pk}/").json()
    assert set(api["units"]) == {"gov-luoxi", "gov-xuejia"}  # the API keeps the codes
