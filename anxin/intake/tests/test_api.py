"""The intake API: idempotent POST of signals, verification, filters, reference lists, self-reports."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anxin.intake.models import SelfReport, Signal
from anxin.intake.services import signal_verify
from anxin.intake.tests.factories import signal
from anxin.org.tests.helpers import api_token
from anxin.registry.tests.factories import make_uscc


def _auth(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api_client


def _payload(enterprise, **changes):
    body = {
        "channel": "hotline-12333",
        "enterprise_uscc": enterprise.uscc,
        "kind": "wage_complaint",
        "received_at": "2026-11-20T09:30:00+08:00",
        "workers": 4,
        "amount": "12,000.50",
        "months_owed": 2,
        "summary": "4名工人反映9、10月工资未发",
        "reference": "12333-API-1",
    }
    body.update(changes)
    return body


@pytest.fixture
def renshe_api(api_client, renshe):
    return _auth(api_client, renshe)


def test_post_creates_then_a_resend_updates(world, renshe_api):
    first = renshe_api.post("/api/v1/signals/", _payload(world.luoxi_factory), format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["outcome"] == "created" and body["amount"] == "12000.50"
    assert body["town"] == "luoxi" and body["assigned_unit"] == "hrss"
    assert body["enterprise"] == {
        "uscc": world.luoxi_factory.uscc,
        "name": "罗溪纺织有限公司",
        "matched": True,
    }
    again = renshe_api.post("/api/v1/signals/", _payload(world.luoxi_factory, workers=6), format="json")
    assert again.status_code == 200, again.json()
    assert again.json()["outcome"] == "updated"
    same = renshe_api.post("/api/v1/signals/", _payload(world.luoxi_factory, workers=6), format="json")
    assert same.json()["outcome"] == "unchanged"
    assert Signal.objects.count() == 1


def test_an_unknown_employer_by_name_waits_for_a_match(district, renshe_api):
    response = renshe_api.post(
        "/api/v1/signals/",
        {**_payload(type("E", (), {"uscc": ""})), "enterprise_uscc": "", "enterprise_name": "某无名公司"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["enterprise"]["matched"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "no-such"}, "channel"),
        ({"kind": "no-such"}, "kind"),
        ({"kind": "arrears_report"}, "kind"),
        ({"enterprise_uscc": "91320411MA1XXXXXX0"}, "enterprise_uscc"),
        ({"received_at": (timezone.now() + datetime.timedelta(days=2)).isoformat()}, "received_at"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"workers": -1}, "workers"),
        ({"summary": ""}, "summary"),
        ({"enterprise_uscc": "", "enterprise_name": ""}, "enterprise_uscc"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, renshe_api, changes, field):
    response = renshe_api.post("/api/v1/signals/", _payload(world.luoxi_factory, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"channel": "no-such"}, "channel", "未知的渠道代码“no-such”，可用代码见 /api/v1/channels/"),
        ({"kind": "no-such"}, "kind", "未知的线索类型代码“no-such”，可用代码见 /api/v1/signal-kinds/"),
        ({"amount": "-5.00"}, "amount", "金额不能为负数"),
        ({"workers": "abc"}, "workers", "请填写合法的整数值。"),
        ({"summary": ""}, "summary", "该字段不能为空。"),
        (
            {"enterprise_uscc": "", "enterprise_name": ""},
            "enterprise_uscc",
            "请填写 enterprise_uscc 或 enterprise_name",
        ),
    ],
)
def test_api_errors_are_worded_in_chinese(world, renshe_api, changes, field, message):
    response = renshe_api.post("/api/v1/signals/", _payload(world.luoxi_factory, **changes), format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]


def test_a_bad_verified_filter_is_explained_in_chinese(world, renshe_api):
    response = renshe_api.get("/api/v1/signals/", {"verified": "maybe"})
    assert response.status_code == 400
    assert response.json()["verified"] == [
        "取值须为 true、false 或核实结论代码（substantiated、partly、unfounded）"
    ]


def test_a_unit_cannot_post_on_another_units_channel(world, api_client, chengjian):
    response = _auth(api_client, chengjian).post(
        "/api/v1/signals/", _payload(world.luoxi_builder), format="json"
    )
    assert response.status_code == 403 and "channel" in response.json()


def test_anonymous_is_refused(world, api_client):
    assert api_client.post("/api/v1/signals/", _payload(world.luoxi_factory), format="json").status_code in (
        401,
        403,
    )
    assert api_client.get("/api/v1/signals/").status_code in (401, 403)


def test_verify_endpoint(world, api_client, luoxi):
    s = signal(enterprise=world.luoxi_factory)
    client = _auth(api_client, luoxi)
    response = client.post(
        f"/api/v1/signals/{s.pk}/verify/", {"result": "substantiated", "note": "走访核实"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["verification"] == "substantiated"
    bad = client.post(
        f"/api/v1/signals/{s.pk}/verify/", {"result": "substantiated", "note": "再次"}, format="json"
    )
    assert bad.status_code == 409  # the state no longer allows it: a conflict, not bad input


def test_verify_is_also_reachable_without_the_trailing_slash(world, api_client, office):
    s = signal(enterprise=world.luoxi_factory)
    response = _auth(api_client, office).post(
        f"/api/v1/signals/{s.pk}/verify", {"result": "partly", "note": "部分属实"}, format="json"
    )
    assert response.status_code == 200 and response.json()["verification"] == "partly"


def test_verify_outside_scope_is_404(world, api_client, xuejia):
    s = signal(enterprise=world.luoxi_factory)
    response = _auth(api_client, xuejia).post(
        f"/api/v1/signals/{s.pk}/verify/", {"result": "unfounded", "note": "x"}, format="json"
    )
    assert response.status_code == 404


def test_list_filters_by_enterprise_kind_and_verification(world, api_client, office):
    a = signal(enterprise=world.luoxi_factory)
    signal(enterprise=world.xuejia_factory, kind="suspension", channel_code="grid")

    signal_verify(actor=office, signal=a, result="substantiated", note="属实")
    client = _auth(api_client, office)
    by_enterprise = client.get("/api/v1/signals/", {"enterprise": world.luoxi_factory.uscc}).json()
    assert [r["id"] for r in by_enterprise["results"]] == [a.pk]
    assert client.get("/api/v1/signals/", {"kind": "suspension"}).json()["count"] == 1
    assert client.get("/api/v1/signals/", {"verified": "true"}).json()["count"] == 1
    assert client.get("/api/v1/signals/", {"verified": "false"}).json()["count"] == 1
    assert client.get("/api/v1/signals/", {"verified": "substantiated"}).json()["count"] == 1
    assert client.get("/api/v1/signals/", {"verified": "perhaps"}).status_code == 400


def test_a_town_lists_only_its_territory(world, api_client, luoxi):
    signal(enterprise=world.luoxi_factory)
    signal(enterprise=world.xuejia_factory)
    results = _auth(api_client, luoxi).get("/api/v1/signals/").json()["results"]
    assert [r["town"] for r in results] == ["luoxi"]


def test_channels_and_kinds_are_listed_with_codes(district, api_client, luoxi):
    client = _auth(api_client, luoxi)
    channels = {c["code"]: c for c in client.get("/api/v1/channels/").json()}
    assert channels["hotline-12333"]["name"] == "12333" and channels["hotline-12333"]["unit"] == "hrss"
    assert {"portal", "self-report", "screening", "grid"} <= set(channels)
    kinds = {k["code"]: k["name"] for k in client.get("/api/v1/signal-kinds/").json()}
    assert kinds["wage_complaint"] == "欠薪投诉举报" and kinds["private_lending"] == "民间借贷风险"


def test_self_report_api_judges_timeliness(world, renshe_api):
    body = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "arrears_since": "2026-11-01",
        "reported_on": "2026-11-07",
        "workers": 12,
        "amount": "86,000.00",
        "cause": "货款未到账",
        "plan": [
            {"due_on": "2026-11-30", "amount": "50000.00"},
            {"due_on": "2026-12-31", "amount": "36000.00"},
        ],
    }
    response = renshe_api.post("/api/v1/self-reports/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["on_time"] is False and data["deadline"] == "2026-11-06"
    assert data["parameter_evidence"]["code"] == "self_report.deadline_days"
    assert [i["amount"] for i in data["instalments"]] == ["50000.00", "36000.00"]
    assert SelfReport.objects.get().signal.channel.code == "self-report"


def test_self_report_api_refuses_a_plan_beyond_the_amount(world, renshe_api):
    body = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "arrears_since": "2026-11-01",
        "reported_on": "2026-11-03",
        "workers": 2,
        "amount": "1000.00",
        "cause": "x",
        "plan": [{"due_on": "2026-11-30", "amount": "2000.00"}],
    }
    response = renshe_api.post("/api/v1/self-reports/", body, format="json")
    assert response.status_code == 400 and "plan" in response.json()
    assert not SelfReport.objects.exists() and not Signal.objects.exists()


def test_the_api_says_who_verified_by_name_and_unit(world, api_client, luoxi, office):
    s = signal(enterprise=world.luoxi_factory)
    client = _auth(api_client, office)
    assert client.get(f"/api/v1/signals/{s.pk}/").json()["verified_by"] is None
    verified = _auth(api_client, luoxi).post(
        f"/api/v1/signals/{s.pk}/verify/", {"result": "partly", "note": "部分属实"}, format="json"
    )
    expected = f"{luoxi.full_name}（{luoxi.unit.short_name or luoxi.unit.name}）"
    assert verified.json()["verified_by"] == expected
    listed = _auth(api_client, office).get("/api/v1/signals/", {"verified": "partly"}).json()["results"]
    assert [r["verified_by"] for r in listed] == [expected]


def test_the_verified_by_column_costs_no_query_per_row(
    world, api_client, office, django_assert_max_num_queries
):
    for _ in range(15):
        signal_verify(
            actor=office, signal=signal(enterprise=world.luoxi_factory), result="unfounded", note="不属实"
        )
    client = _auth(api_client, office)
    with django_assert_max_num_queries(12):
        rows = client.get("/api/v1/signals/").json()["results"]
    assert len(rows) == 15 and all(r["verified_by"] for r in rows)


def test_the_listed_kinds_are_exactly_those_a_post_accepts(world, renshe_api):
    listed = [k["code"] for k in renshe_api.get("/api/v1/signal-kinds/").json()]
    assert len(listed) == 14 and "arrears_report" not in listed  # 12 + the sites' payroll kinds
    for n, code in enumerate(listed):
        response = renshe_api.post(
            "/api/v1/signals/", _payload(world.luoxi_factory, kind=code, reference=f"K-{n}"), format="json"
        )
        assert response.status_code == 201, (code, response.json())
    refused = renshe_api.post(
        "/api/v1/signals/",
        _payload(world.luoxi_factory, kind="arrears_report", reference="K-x"),
        format="json",
    )
    assert refused.status_code == 400 and "kind" in refused.json()


def test_the_enterprise_filter_also_finds_unmatched_signals_carrying_its_code(world, renshe_api, office):
    code = make_uscc()
    waiting = renshe_api.post(
        "/api/v1/signals/",
        _payload(world.luoxi_factory, enterprise_uscc=code, enterprise_name="未登记公司", reference="U-1"),
        format="json",
    ).json()
    assert waiting["enterprise"] == {"uscc": code, "name": "未登记公司", "matched": False}
    signal(enterprise=world.luoxi_factory)  # another enterprise's signal
    found = renshe_api.get("/api/v1/signals/", {"enterprise": code.lower()}).json()["results"]
    assert [r["id"] for r in found] == [waiting["id"]]
    registered = renshe_api.get("/api/v1/signals/", {"enterprise": world.luoxi_factory.uscc}).json()
    assert waiting["id"] not in [r["id"] for r in registered["results"]]


@pytest.mark.parametrize("reference", [None, "", "   "])
def test_the_api_requires_a_reference_so_a_resend_updates(world, renshe_api, reference):
    body = _payload(world.luoxi_factory)
    if reference is None:
        del body["reference"]
    else:
        body["reference"] = reference
    response = renshe_api.post("/api/v1/signals/", body, format="json")
    assert response.status_code == 400
    assert response.json()["reference"] == [
        "请填写渠道编号 reference：重复提交时据此更新原记录，不会重复登记"
    ]
    assert not Signal.objects.exists()


# --- Issue #13 finding 6: a channel with no line of its own (公安分局, 法院) updates and reads back its
# own reports by their channel reference, and sees nothing else.


def _as(api_client, user):
    from anxin.core.audit import system_actor
    from anxin.org.services import token_issue

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=system_actor(), user=user)}")
    return api_client


@pytest.mark.parametrize(("persona", "channel"), [("gongan", "police"), ("fayuan", "court")])
def test_a_channel_without_a_line_updates_its_own_reference(world, api_client, request, persona, channel):
    client = _as(api_client, request.getfixturevalue(persona))
    body = _payload(world.xuejia_factory, channel=channel, reference=f"{channel}-2026-7")
    first = client.post("/api/v1/signals/", body, format="json")
    assert first.status_code == 201 and first.json()["outcome"] == "created", first.json()
    assert first.json()["channel"] == channel and first.json()["workers"] == 4
    again = client.post("/api/v1/signals/", {**body, "workers": 9}, format="json")
    assert again.status_code == 200, again.json()  # was 400 "渠道编号已被使用"
    assert (again.json()["outcome"], again.json()["id"], again.json()["workers"]) == (
        "updated",
        first.json()["id"],
        9,
    )
    same = client.post("/api/v1/signals/", {**body, "workers": 9}, format="json")
    assert (same.status_code, same.json()["outcome"]) == (200, "unchanged")
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(("persona", "channel"), [("gongan", "police"), ("fayuan", "court")])
def test_a_channel_reads_back_what_it_sent_and_nothing_else(world, api_client, request, persona, channel):
    mine = signal(enterprise=world.luoxi_factory, channel_code=channel, reference="R-1")
    signal(enterprise=world.luoxi_factory, channel_code="hotline-12333", reference="R-1")
    other = "court" if channel == "police" else "police"
    theirs = signal(enterprise=world.luoxi_factory, channel_code=other, reference="R-1")
    client = _as(api_client, request.getfixturevalue(persona))
    found = client.get("/api/v1/signals/", {"channel": channel, "reference": "R-1"}).json()["results"]
    assert [s["id"] for s in found] == [mine.pk]  # was [] (a unit with no line saw nothing)
    assert client.get(f"/api/v1/signals/{mine.pk}/").json()["reference"] == "R-1"
    assert [s["id"] for s in client.get("/api/v1/signals/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/signals/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/signals/", {"channel": other}).json()["results"] == []


def test_the_same_reference_on_another_channel_is_another_signal(world, api_client, gongan, fayuan):
    police = _as(api_client, gongan).post(
        "/api/v1/signals/", _payload(world.luoxi_factory, channel="police", reference="X-1"), format="json"
    )
    court = _as(api_client, fayuan).post(
        "/api/v1/signals/",
        _payload(world.luoxi_factory, channel="court", reference="X-1", workers=7),
        format="json",
    )
    assert (police.status_code, court.status_code) == (201, 201)
    assert Signal.objects.get(pk=police.json()["id"]).workers == 4


def test_a_reference_another_town_holds_on_a_shared_channel_is_still_refused(
    world, api_client, luoxi, xuejia
):
    """Two towns feed 排查摸底: 薛家 cannot update (or learn about) 罗溪's signal by reusing its number."""
    first = _as(api_client, luoxi).post(
        "/api/v1/signals/",
        _payload(world.luoxi_factory, channel="screening", reference="PC-1"),
        format="json",
    )
    assert first.status_code == 201
    refused = _as(api_client, xuejia).post(
        "/api/v1/signals/",
        _payload(world.xuejia_factory, channel="screening", reference="PC-1"),
        format="json",
    )
    assert refused.status_code == 400 and refused.json() == {
        "reference": ["渠道编号“PC-1”已被使用，请核对编号"]
    }
    assert Signal.objects.get().enterprise == world.luoxi_factory


def test_a_channel_of_another_unit_is_refused_as_forbidden(world, api_client, gongan):
    response = _as(api_client, gongan).post(
        "/api/v1/signals/", _payload(world.luoxi_factory, channel="court", reference="C-1"), format="json"
    )
    assert response.status_code == 403 and "channel" in response.json()
