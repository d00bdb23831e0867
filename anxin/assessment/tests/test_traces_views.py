"""The traces part's pages and API, persona by persona (office, leader, auditor, a department, a town,
another town)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.assessment.models import VetoCondition, VetoProposal
from anxin.assessment.services import findings, referrals, traces
from anxin.assessment.tests.factories_traces import incident_case
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(district, office):
    case = incident_case()
    trace = traces.save_trace(case=case, actor=office)
    cj = Unit.objects.get(code="construction")
    finding = findings.record_finding(
        unit=cj, year=2026, source="trace", text="核实逾期", deduction=1, actor=office, trace=trace,
        veto_condition=VetoCondition.objects.get(code="falsification"),
    )  # fmt: skip
    referral = referrals.referral_create(finding=finding, actor=office, letter="移交函")
    return {"case": case, "trace": trace, "finding": finding, "referral": referral,
            "proposal": VetoProposal.objects.get(finding=finding)}  # fmt: skip


# who gets what: 200 or 404/403 (outside scope is a 404; a role without the page's permission a 403)
PAGES = {
    "case_trace": ("assessment-case-trace", "case"),
    "traces": ("assessment-traces", None),
    "trace": ("assessment-trace", "trace"),
    "trace_word": ("assessment-trace-word", "trace"),
    "findings": ("assessment-findings", None),
    "finding": ("assessment-finding", "finding"),
    "vetoes": ("assessment-vetoes", None),
    "veto": ("assessment-veto", "proposal"),
    "referrals": ("assessment-referrals", None),
    "referral": ("assessment-referral", "referral"),
    "referral_word": ("assessment-referral-word", "referral"),
}
EXPECT = {
    "office": dict.fromkeys(PAGES, 200),
    "leader": {**dict.fromkeys(PAGES, 200), "referrals": 403, "referral": 403, "referral_word": 403},
    "auditor": {**dict.fromkeys(PAGES, 200), "referrals": 403, "referral": 403, "referral_word": 403},
    # 城建局 is named by the trace and the finding; the veto is only proposed (a unit sees confirmed ones)
    "chengjian": {
        **dict.fromkeys(PAGES, 200),
        "case_trace": 404,
        "veto": 404,
        "referrals": 403,
        "referral": 403,
        "referral_word": 403,
    },
    "xuejia": {
        **dict.fromkeys(PAGES, 200),
        "case_trace": 404,
        "trace": 404,
        "trace_word": 404,
        "finding": 404,
        "veto": 404,
        "referrals": 403,
        "referral": 403,
        "referral_word": 403,
    },
}


@pytest.mark.parametrize("persona", list(EXPECT))
def test_every_page_for_every_persona(request, login, data, persona):
    client = login(request.getfixturevalue(persona))
    for page, (name, key) in PAGES.items():
        url = reverse(name, args=[data[key].pk] if key else [])
        got = client.get(url).status_code
        assert got == EXPECT[persona][page], (persona, page, got)


def test_a_town_named_by_a_trace_sees_it_and_another_town_does_not(login, district, office, luoxi, xuejia):
    case = incident_case()
    trace = traces.save_trace(case=case, actor=office)
    assert login(luoxi).get(reverse("assessment-trace", args=[trace.pk])).status_code in (200, 404)
    assert login(xuejia).get(reverse("assessment-trace", args=[trace.pk])).status_code == 404


def test_the_case_page_has_the_trace_tab_for_the_office(login, data, office):
    page = login(office).get(reverse("case-detail", args=[data["case"].pk]) + "?tab=trace")
    assert page.status_code == 200 and "责任倒查" in page.content.decode()


def test_the_office_saves_the_trace_and_records_a_finding_from_the_page(login, data, office):
    client = login(office)
    answer = client.post(reverse("assessment-case-trace", args=[data["case"].pk]), {"note": "倒查"})
    assert answer.status_code == 302
    cj = Unit.objects.get(code="construction")
    answer = client.post(
        reverse("assessment-trace", args=[data["trace"].pk]),
        {"unit": cj.pk, "year": 2026, "text": "预警未按期处置", "deduction": "0.5"},
    )
    assert answer.status_code == 302


def test_a_veto_without_a_reason_is_refused_on_the_page(login, data, office):
    answer = login(office).post(
        reverse("assessment-veto-act", args=[data["proposal"].pk, "confirm"]), {"reason": ""}
    )
    assert answer.status_code == 400
    data["proposal"].refresh_from_db()
    assert data["proposal"].status == "proposed"


def test_the_findings_ledger_exports(login, data, office):
    answer = login(office).get(reverse("assessment-findings") + "?export=xlsx")
    assert answer.status_code == 200 and "spreadsheet" in answer["Content-Type"]


def test_the_findings_list_is_bounded_in_queries(login, data, office, django_assert_max_num_queries):
    client = login(office)
    with django_assert_max_num_queries(25):
        client.get(reverse("assessment-findings"))


@pytest.mark.parametrize("suffix", ["trace", "trace/"])
def test_api_trace_shape(api_client, data, office, suffix):
    api_client.force_authenticate(office)
    answer = api_client.get(f"/api/v1/cases/{data['case'].pk}/{suffix}")
    assert answer.status_code == 200
    body = answer.json()
    assert {"reason", "since", "steps", "missed", "units"} <= set(body)
    assert set(body["steps"][0]) == {
        "at",
        "kind",
        "label",
        "unit",
        "unit_name",
        "due",
        "done",
        "met",
        "url",
        "record",
    }
    assert "construction" in body["missed"]


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "xuejia"])
def test_api_trace_is_a_404_for_units(request, api_client, data, persona):
    api_client.force_authenticate(request.getfixturevalue(persona))
    assert api_client.get(f"/api/v1/cases/{data['case'].pk}/trace/").status_code == 404


# --- after the review ---------------------------------------------------------------------------------


def test_the_unit_sees_the_veto_on_its_finding_only_once_confirmed(login, data, office, chengjian):
    from anxin.assessment.services import vetoes

    url = reverse("assessment-finding", args=[data["finding"].pk])
    assert 'data-testid="finding-veto"' in login(office).get(url).content.decode()
    body = login(chengjian).get(url).content.decode()
    assert 'data-testid="finding-veto"' not in body and "建议一票否决" not in body
    vetoes.veto_confirm(proposal=data["proposal"], actor=office, reason="查证属实")
    body = login(chengjian).get(url).content.decode()
    assert 'data-testid="finding-veto"' in body and "已确认否决" in body


def test_the_veto_and_referral_records_print_chinese_actions_and_reject_confirms(login, data, office):
    from anxin.assessment.services import vetoes

    client = login(office)
    body = client.get(reverse("assessment-veto", args=[data["proposal"].pk])).content.decode()
    assert "提出一票否决建议" in body and ">propose<" not in body
    reject = body[body.index('data-testid="veto-reject"') - 300 : body.index('data-testid="veto-reject"')]
    assert "data-confirm=" in reject
    vetoes.veto_reject(proposal=data["proposal"], actor=office, reason="证据不足")
    body = client.get(reverse("assessment-veto", args=[data["proposal"].pk])).content.decode()
    assert ">不予否决<" in body and ">reject<" not in body
    referrals.referral_tell_unit(referral=data["referral"], actor=office, message="已移交")
    body = client.get(reverse("assessment-referral", args=[data["referral"].pk])).content.decode()
    assert '<span data-testid="event-label">移交</span>' in body
    assert '<span data-testid="event-label">告知被移交单位</span>' in body
    assert ">send<" not in body and ">tell<" not in body


def test_referrals_are_the_offices_alone(office, leader, auditor):
    from anxin.org.roles import role_permissions

    assert "assessment.view_referral" in role_permissions("office")
    assert "assessment.view_referral" not in role_permissions("leader")
    assert "assessment.view_referral" not in role_permissions("auditor")
    assert office.has_perm("assessment.view_referral")
    assert not leader.has_perm("assessment.view_referral") and not auditor.has_perm(
        "assessment.view_referral"
    )


def test_the_timeline_prints_readable_times_also_for_a_trace_saved_earlier(login, data, office):
    from anxin.assessment.models import Trace

    client = login(office)
    body = client.get(reverse("assessment-case-trace", args=[data["case"].pk])).content.decode()
    assert "2026-05-25 10:00" in body and "2026-06-01 18:00" in body
    assert "2026-05-2510:00" not in body and "2026-06-01T18:00" not in body
    trace = data["trace"]
    old = [{**s, "at": "2026-05-25T10:00+08:00", "due": "2026-06-01T18:00+08:00"} for s in trace.steps[:1]]
    Trace.objects.filter(pk=trace.pk).update(steps=old + trace.steps[1:])
    body = client.get(reverse("assessment-trace", args=[trace.pk])).content.decode()
    assert "2026-05-25 10:00" in body and "2026-06-01 18:00" in body
    assert "2026-05-2510:00" not in body and "2026-06-01T18:00" not in body


def test_a_withdrawal_refused_once_finalised_says_why_on_the_page(login, data, office):
    from anxin.assessment.models import AssessmentYear, FindingStatus, YearStatus

    AssessmentYear.objects.create(year=2026, status=YearStatus.OBJECTION)
    answer = login(office).post(
        reverse("assessment-finding-withdraw", args=[data["finding"].pk]), {"reason": "复核不属实"}
    )
    assert answer.status_code == 400
    assert "考核已开始终评，扣分不再变动；如需调整，请通过异议答复" in answer.content.decode()
    data["finding"].refresh_from_db()
    assert data["finding"].status == FindingStatus.ACTIVE
