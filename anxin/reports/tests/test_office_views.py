"""The office's documents on screen, per persona: the office composes, edits, refreshes, submits and
issues; the office director approves or returns (comments required) and has a home panel of what
waits; the leaders read everything; a member unit sees only the circulars issued to it (an analysis
or a draft is a 404); the public is sent to log in."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from anxin.reports.models import DocumentStatus, OfficeDocument
from anxin.reports.services import office as services
from anxin.reports.tests.factories_office import AFTER, PERIOD, approved, composed, issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AFTER, tick=False):
        yield


def test_the_office_composes_from_the_list(login, office):
    client = login(office)
    page = client.get(reverse("reports-office")).content.decode()
    assert 'data-testid="office-compose"' in page and "2026-11" in page  # the last closed period offered
    response = client.post(reverse("reports-office"), {"kind": "analysis", "period": PERIOD})
    document = OfficeDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports-office-document", args=[document.pk]
    )
    page = client.get(response["Location"]).content.decode()
    for section in ("office-district", "office-charts", "office-towns", "office-lines", "office-industries",
                    "office-risks", "office-immediate", "office-submissions", "office-body"):  # fmt: skip
        assert f'data-testid="{section}"' in page, section
    assert "data-chart=" in page and "echarts.min.js" in page


def test_the_analysis_charts_the_headline_figures_and_links_the_submitted_reports(
    world, login, office, luoxi
):
    import datetime

    from anxin.intake.tests.factories import signal
    from anxin.reports.tests.factories_office import submitted

    signal(
        enterprise=world.luoxi_factory, received_at=datetime.datetime(2026, 11, 3, 1, 0, tzinfo=datetime.UTC)
    )
    report = submitted(
        "gov-luoxi",
        PERIOD,
        at=datetime.datetime(2026, 12, 2, 1, 0, tzinfo=datetime.UTC),
        by=office,
        due=datetime.date(2026, 12, 5),
    )
    document = composed(office)
    response = login(office).get(reverse("reports-office-document", args=[document.pk]))
    titles = [c["title"] for c in response.context["charts"]]
    # signals had a value: their trend is drawn; the channel figures are not charted one by one,
    # nor a headline figure empty for six periods
    assert "收到欠薪线索（近6期，条）" in titles
    assert not any("其中" in t for t in titles)
    assert not any(t.startswith("结案（近") for t in titles)
    assert titles[-1] == "收到欠薪线索（分镇街）"
    page = response.content.decode()
    assert f'href="/reports/periodic/{report.pk}/"' in page  # the office opens the unit's report


def test_a_refused_compose_comes_back_with_the_reason(login, office):
    composed(office)
    response = login(office).post(reverse("reports-office"), {"kind": "analysis", "period": PERIOD})
    assert response.status_code == 400 and "已有" in response.content.decode()


@pytest.mark.parametrize("persona", ["leader", "luoxi", "chengjian"])
def test_who_is_not_the_office_cannot_compose(request, login, persona):
    client = login(request.getfixturevalue(persona))
    assert 'data-testid="office-compose"' not in client.get(reverse("reports-office")).content.decode()
    assert client.post(reverse("reports-office"), {"kind": "analysis", "period": PERIOD}).status_code == 403
    assert not OfficeDocument.objects.exists()


def test_the_office_edits_and_refreshes_a_draft(login, office):
    document = composed(office)
    client = login(office)
    body = {**document.body, "overall": "改写后的总体情况"}
    assert client.post(reverse("reports-office-act", args=[document.pk, "save"]), body).status_code == 302
    document.refresh_from_db()
    assert document.body["overall"] == "改写后的总体情况"
    assert client.post(reverse("reports-office-act", args=[document.pk, "refresh"])).status_code == 302
    page = client.get(reverse("reports-office-document", args=[document.pk])).content.decode()
    assert "重新汇总数据" in page and "修改正文" in page  # the history's lines
    history = page[page.index('data-testid="office-body-history"') :]
    assert "总体情况：" in history and "<ins>改写后的总体情况</ins>" in history


def test_the_director_approves_from_the_home_panel(login, office, office_director):
    document = composed(office)
    services.document_submit(actor=office, document=document)
    client = login(office_director)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="office-approval-panel"' in home and document.title in home
    page = client.get(reverse("reports-office-document", args=[document.pk])).content.decode()
    assert 'data-testid="office-approve"' in page
    assert (
        client.post(reverse("reports-office-act", args=[document.pk, "approve"]), {"note": ""}).status_code
        == 302
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.APPROVED


def test_the_home_panel_is_the_directors_only(login, office, leader):
    for user in (office, leader):
        assert 'data-testid="office-approval-panel"' not in login(user).get(reverse("home")).content.decode()


def test_returning_without_comments_comes_back(login, office, office_director):
    document = composed(office)
    services.document_submit(actor=office, document=document)
    client = login(office_director)
    response = client.post(reverse("reports-office-act", args=[document.pk, "return"]), {"comments": ""})
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    client.post(reverse("reports-office-act", args=[document.pk, "return"]), {"comments": "数据口径需说明"})
    page = login(office).get(reverse("reports-office-document", args=[document.pk])).content.decode()
    assert (
        'data-testid="office-returned"' in page
        and "数据口径需说明" in page
        and 'data-testid="office-save"' in page
    )


@pytest.mark.parametrize("persona", ["office", "leader"])
def test_approval_by_anyone_but_the_director_is_refused(request, login, office, persona):
    document = composed(office)
    services.document_submit(actor=office, document=document)
    client = login(request.getfixturevalue(persona))
    page = client.get(reverse("reports-office-document", args=[document.pk])).content.decode()
    assert 'data-testid="office-approve"' not in page
    assert client.post(reverse("reports-office-act", args=[document.pk, "approve"]), {}).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED


def test_issuing_an_unapproved_document_comes_back_with_the_reason(login, office):
    document = composed(office)
    response = login(office).post(
        reverse("reports-office-act", args=[document.pk, "issue"]),
        {"reference": "新欠薪联办〔2026〕1号", "issued_on": "2026-12-08"},
    )
    assert response.status_code == 400 and "不能“印发”" in response.content.decode()


def test_editing_after_approval_is_refused(login, office, office_director):
    document = approved(office, office_director)
    client = login(office)
    page = client.get(reverse("reports-office-document", args=[document.pk])).content.decode()
    assert 'data-testid="office-save"' not in page and 'data-testid="office-issue"' in page
    response = client.post(
        reverse("reports-office-act", args=[document.pk, "save"]), {**document.body, "overall": "改"}
    )
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.body["overall"] != "改"


def test_the_office_issues_from_the_page(login, office, office_director):
    document = approved(office, office_director, "circular")
    response = login(office).post(
        reverse("reports-office-act", args=[document.pk, "issue"]),
        {"reference": "新欠薪联办〔2026〕8号", "issued_on": "2026-12-08"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.reference == "新欠薪联办〔2026〕8号"


# --- who sees what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("office", 200), ("leader", 200), ("luoxi", 404), ("chengjian", 404)]
)
def test_a_draft_and_the_analysis_are_not_the_units(request, login, office, office_director, persona, status):  # fmt: skip
    draft = composed(office, "circular")
    analysis = issued(office, office_director, "analysis")
    client = login(request.getfixturevalue(persona))
    for document in (draft, analysis):
        assert client.get(reverse("reports-office-document", args=[document.pk])).status_code == status
        assert client.get(reverse("reports-office-word", args=[document.pk])).status_code == status
    listed = client.get(reverse("reports-office")).content.decode()
    assert (analysis.title in listed) is (status == 200)


@pytest.mark.parametrize("persona", ["luoxi", "xuejia", "chengjian", "sifa"])
def test_member_units_see_the_issued_circular(request, login, office, office_director, persona):
    circular = issued(office, office_director, "circular")
    client = login(request.getfixturevalue(persona))
    page = client.get(reverse("reports-office")).content.decode()
    assert circular.title in page and 'data-testid="office-compose"' not in page
    detail = client.get(reverse("reports-office-document", args=[circular.pk]))
    assert detail.status_code == 200 and 'data-testid="office-save"' not in detail.content.decode()
    word = client.get(reverse("reports-office-word", args=[circular.pk]))
    assert word.status_code == 200 and word["Content-Type"].startswith("application/vnd.openxml")


def test_the_review_trail_of_an_issued_circular_is_not_shown_to_member_units(
    login, office, office_director, luoxi, leader
):
    circular = composed(office, "circular")
    services.document_submit(actor=office, document=circular)
    services.document_return(actor=office_director, document=circular, comments="措辞过软，请重写问题部分")
    services.document_save(
        actor=office, document=circular, body={**circular.body, "problems": "改后的问题段落"}
    )
    services.document_submit(actor=office, document=circular)
    services.document_approve(actor=office_director, document=circular)
    services.document_issue(actor=office, document=circular, reference="新欠薪联办〔2026〕12号")
    unit_page = login(luoxi).get(reverse("reports-office-document", args=[circular.pk])).content.decode()
    assert "改后的问题段落" in unit_page  # the document itself
    assert "措辞过软" not in unit_page
    assert 'data-testid="office-events"' not in unit_page
    assert 'data-testid="office-body-history"' not in unit_page
    for insider in (office, leader):
        page = login(insider).get(reverse("reports-office-document", args=[circular.pk])).content.decode()
        assert "措辞过软" in page and 'data-testid="office-body-history"' in page


def test_a_unit_cannot_act_on_a_circular(login, office, office_director, luoxi):
    circular = issued(office, office_director, "circular")
    response = login(luoxi).post(reverse("reports-office-act", args=[circular.pk, "refresh"]))
    assert response.status_code in (400, 403)
    circular.refresh_from_db()
    assert circular.status == DocumentStatus.ISSUED


def test_the_public_is_sent_to_log_in(login, office):
    document = composed(office)
    for url in (reverse("reports-office"), reverse("reports-office-document", args=[document.pk])):
        response = login(None).get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_is_bounded_in_queries(login, office, django_assert_max_num_queries):
    for period in ("2026-06", "2026-07", "2026-08", "2026-09"):
        composed(office, "analysis", period)
        composed(office, "circular", period)
    client = login(office)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports-office"))
    assert response.status_code == 200 and response.content.decode().count("reports/office/") >= 8


def test_the_document_page_is_bounded_in_queries(login, office, django_assert_max_num_queries):
    document = composed(office)
    services.document_save(actor=office, document=document, body={**document.body, "overall": "一"})
    client = login(office)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("reports-office-document", args=[document.pk]))
    assert response.status_code == 200


# --- GET /api/v1/circulars/ ----------------------------------------------------------------------------------


def test_the_circulars_api_lists_what_was_issued_to_the_unit(
    api_client, office, office_director, luoxi, leader
):
    circular = issued(office, office_director, "circular")
    issued(office, office_director, "analysis")
    composed(office, "circular", "2026-10")  # a draft: never listed
    api_client.force_authenticate(luoxi)
    body = api_client.get(reverse("api:circulars")).json()
    assert [r["id"] for r in body["results"]] == [circular.pk]
    assert body["results"][0]["reference"] == circular.reference
    assert body["results"][0]["word"] == reverse("reports-office-word", args=[circular.pk])
    api_client.force_authenticate(leader)
    assert api_client.get(reverse("api:circulars")).json()["count"] == 1
    assert api_client.get(reverse("api:circulars"), {"period": "2026-10"}).json()["count"] == 0


def test_the_circulars_api_needs_a_login(api_client):
    assert api_client.get(reverse("api:circulars")).status_code == 401
