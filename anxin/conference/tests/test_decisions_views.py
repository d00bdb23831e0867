"""Decisions' screens per persona: the ledger (office and leaders all; a unit its own and co-handled;
filters, pages, Excel, a query bound), the decision's page (the owner reports, the office accepts or
sends back and issues 督办通知; a co-unit reads; anyone else 404; the public logs in), 我的待办 and the
home panels, the 督办通知 in Word printing the record."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from anxin.conference.models import DecisionStatus, SupervisionNotice
from anxin.conference.services import decisions as services
from anxin.conference.tests.factories_minutes import PDF, at, item, open_decision
from anxin.core.models import SecurityEvent

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


@pytest.fixture
def decision(office, convener):
    return open_decision(
        office, convener, item("construction", due="2026-04-30", co=("hrss",), result="专户排查到位")
    )


# --- the ledger ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", True),
        ("leader", True),
        ("chengjian", True),  # owner
        ("renshe", True),  # co-unit
        ("caizheng", False),
        ("luoxi", False),
    ],
)
def test_the_ledger_shows_what_each_persona_sees(request, login, decision, persona, sees):
    response = login(request.getfixturevalue(persona)).get(reverse("conference-decisions"))
    assert response.status_code == 200
    assert (decision.number in response.content.decode()) is sees


def test_the_ledger_needs_a_login(login, decision):
    response = login(None).get(reverse("conference-decisions"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_ledger_filters(login, office, convener, decision):
    other = open_decision(office, convener, item("gov-luoxi", due="2026-06-30"))
    client = login(office)
    url = reverse("conference-decisions")
    page = client.get(url, {"owner": decision.owner_id}).content.decode()
    assert decision.number in page and other.number not in page
    with time_machine.travel(at("2026-05-10T10:00"), tick=False):
        page = client.get(url, {"overdue": "on"}).content.decode()
    assert decision.number in page and other.number not in page
    client = login(office)  # the idle session timed out across the moved clock
    page = client.get(url, {"meeting": other.meeting_id}).content.decode()
    assert other.number in page and decision.number not in page
    page = client.get(url, {"q": "专户排查"}).content.decode()
    assert decision.number in page and other.number not in page
    services.decision_complete(actor=office, decision=other, result="完成")
    page = client.get(url, {"status": "reported"}).content.decode()
    assert other.number in page and decision.number not in page


def test_the_ledger_is_bounded_in_queries(login, office, convener, django_assert_max_num_queries):
    """The ledger costs the same number of queries for 4 decisions as for 20 (a full page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        for n in range(count):
            decision = open_decision(
                office, convener, item("construction", co=("hrss", "gov-luoxi")), item("finance")
            )
            services.decision_progress(actor=office, decision=decision, text=f"进展 {n}")

    add(2)
    client = login(office)
    client.get(reverse("conference-decisions"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("conference-decisions")).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("conference-decisions"))
    assert response.status_code == 200 and response.content.decode().count("HY-2026-") >= 20


def test_the_ledger_exports_the_current_view(login, office, auditor, decision):
    response = login(office).get(
        reverse("conference-decisions"), {"export": "xlsx", "owner": decision.owner_id}
    )
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert SecurityEvent.objects.filter(summary__contains="议定事项台账").exists()
    response = login(auditor).get(reverse("conference-decisions"), {"export": "xlsx"})
    assert response.status_code == 302


# --- the decision's page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "owner_forms", "office_forms"),
    [
        ("office", 200, True, True),
        ("leader", 200, False, False),
        ("chengjian", 200, True, False),
        ("renshe", 200, False, False),
        ("caizheng", 404, False, False),
        ("luoxi", 404, False, False),
    ],
)
def test_the_decision_page_per_persona(request, login, decision, persona, status, owner_forms, office_forms):
    response = login(request.getfixturevalue(persona)).get(reverse("conference-decision", args=[decision.pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ('data-testid="decision-complete-form"' in page) is owner_forms
        assert ('data-testid="decision-supervise-form"' in page) is office_forms


def test_the_public_is_sent_to_log_in(login, decision):
    response = login(None).get(reverse("conference-decision", args=[decision.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_owner_reports_and_the_office_accepts_on_the_page(login, office, chengjian, decision):
    client = login(chengjian)
    url = reverse("conference-decision-act", args=[decision.pk, "complete"])
    response = client.post(url, {"result": ""})
    assert response.status_code == 400
    evidence = io.BytesIO(PDF)
    evidence.name = "台账.pdf"
    response = client.post(url, {"result": "全部开户", "evidence": [evidence]})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.REPORTED
    report = decision.reports.get()
    paper = report.evidence.get()
    assert client.get(reverse("conference-decision-file", args=[decision.pk, paper.pk])).status_code == 200
    response = login(chengjian).post(reverse("conference-decision-act", args=[decision.pk, "accept"]), {})
    assert response.status_code == 403
    response = login(office).post(
        reverse("conference-decision-act", args=[decision.pk, "send-back"]), {"reason": ""}
    )
    assert response.status_code == 400
    response = login(office).post(
        reverse("conference-decision-act", args=[decision.pk, "accept"]), {"opinion": "好"}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE


@pytest.mark.parametrize("persona", ["renshe", "luoxi"])
def test_a_unit_that_is_not_the_owner_cannot_report_on_the_page(request, login, decision, persona):
    response = login(request.getfixturevalue(persona)).post(
        reverse("conference-decision-act", args=[decision.pk, "progress"]), {"text": "我来报"}
    )
    assert response.status_code in (403, 404)
    assert not decision.reports.exists()


def test_a_supervision_notice_is_recorded_and_printed(login, office, decision):
    with time_machine.travel(at("2026-05-06T09:00"), tick=False):
        response = login(office).post(
            reverse("conference-decision-act", args=[decision.pk, "supervise"]),
            {
                "reference": "新欠薪联办督〔2026〕1号",
                "requirements": "一周内完成剩余开户",
                "reply_by": "2026-05-13",
            },
        )
    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    content = login(office).get(reverse("conference-notice-word", args=[decision.pk, notice.pk])).content
    text = _text(content)
    assert "新欠薪联办督〔2026〕1号" in text and "一周内完成剩余开户" in text
    assert "2026年5月13日" in text and "区城建局" in text and "专户排查到位" in text
    assert "已逾期" in text  # as of the day: due 2026-04-30
    page = login(office).get(reverse("conference-decision", args=[decision.pk])).content.decode()
    assert "新欠薪联办督〔2026〕1号" in page


# --- 我的待办 and home ---------------------------------------------------------------------------------------


def test_the_owner_sees_its_decisions_in_my_todo(
    login, office, convener, chengjian, renshe, django_assert_max_num_queries
):
    for _ in range(4):
        open_decision(office, convener, item("construction", co=("hrss",)))
    client = login(chengjian)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("case-todo")).content.decode()
    assert 'data-testid="todo-decisions"' in page and "报告进展/完成" in page
    page = login(renshe).get(reverse("case-todo")).content.decode()
    assert "本单位配合（只读）" in page and "报告进展/完成" not in page


def test_the_home_panels(login, office, convener, leader, chengjian, decision):
    from anxin.conference.services import minutes as minutes_services
    from anxin.conference.tests.factories_minutes import drafted, meeting

    pending = drafted(office, meeting(office, title="专题会议"))
    minutes_services.minutes_submit(actor=office, minutes=pending)
    page = login(convener).get(reverse("home")).content.decode()
    assert 'data-testid="home-minutes-sign"' in page and "专题会议" in page
    services.decision_complete(actor=chengjian, decision=decision, result="完成")
    page = login(office).get(reverse("home")).content.decode()
    assert 'data-testid="home-decisions-office"' in page and decision.number in page
    assert "已报完成待验收" in page
    late = open_decision(office, convener, item("gov-luoxi", due="2026-03-31"))
    with time_machine.travel(at("2026-04-01T09:00"), tick=False):
        page = login(office).get(reverse("home")).content.decode()
    assert late.number in page and "逾期未完成" in page
