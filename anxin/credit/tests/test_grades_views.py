"""The grades and objections screens per persona (200/403/404, what each sees and may do), their
filters and exports, the forms with their refusals, the sections on the enterprise's 信用 tab, the
overview's cards and the listing page's objection form — with a bound on every list's queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from anxin.credit.models import EnterpriseGrade, GradeChange, Objection
from anxin.credit.services import grades as grade_services
from anxin.credit.services import objections as objection_services
from anxin.credit.tests import factories_grades as f
from anxin.registry.tests.factories import enterprise as make_enterprise

pytestmark = [pytest.mark.django_db]
D = datetime.date
LEDGER = "/credit/grades/"


@pytest.fixture
def computed(world, renshe):
    """2026 computed mid-year: 罗溪纺织 C (three orders), 罗溪建设 B (one order), the rest A."""
    with time_machine.travel(f.at(D(2026, 6, 15)), tick=False):
        case = f.case_for(world.luoxi_factory)
        for day in (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
            f.action(case, "order", day)
        f.action(f.case_for(world.luoxi_builder), "order", D(2026, 5, 5))
        grade_services.grades_compute(actor=renshe, year=2026)
    return world


def grade_of(enterprise: Any) -> EnterpriseGrade:
    return EnterpriseGrade.objects.get(enterprise=enterprise, year__year=2026)


# --- the ledger ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees", "hidden"),
    [
        ("office", ["罗溪纺织有限公司", "薛家机械有限公司"], []),
        ("renshe", ["罗溪纺织有限公司", "薛家机械有限公司"], []),
        ("luoxi", ["罗溪纺织有限公司", "罗溪建设工程有限公司"], ["薛家机械有限公司"]),
        ("xuejia", ["薛家机械有限公司"], ["罗溪纺织有限公司"]),
        ("chengjian", ["罗溪建设工程有限公司"], ["罗溪纺织有限公司"]),
    ],
)
def test_the_ledger_shows_each_persona_its_scope(persona, sees, hidden, request, computed, login):
    page = login(request.getfixturevalue(persona)).get(LEDGER)
    assert page.status_code == 200
    text = page.content.decode()
    for name in sees:
        assert name in text
    for name in hidden:
        assert name not in text


def test_the_public_is_sent_to_log_in(computed, login):
    assert login(None).get(LEDGER).status_code == 302


def test_only_deciders_see_compute_and_confirm(computed, login, renshe, luoxi, chengjian):
    assert 'data-testid="grades-actions"' in login(renshe).get(LEDGER).content.decode()
    for user in (luoxi, chengjian):
        assert 'data-testid="grades-actions"' not in login(user).get(LEDGER).content.decode()


def test_filters_year_grade_town_search_and_adjusted(computed, login, office, renshe):
    client = login(office)
    text = client.get(LEDGER, {"year": "2026", "grade": "C"}).content.decode()
    assert "罗溪纺织有限公司" in text and "罗溪建设工程有限公司" not in text
    text = client.get(LEDGER, {"town": "xuejia"}).content.decode()
    assert "薛家机械有限公司" in text and "罗溪纺织有限公司" not in text
    text = client.get(LEDGER, {"q": computed.luoxi_builder.uscc}).content.decode()
    assert "罗溪建设工程有限公司" in text and "罗溪纺织有限公司" not in text
    grade_services.grade_adjust(actor=renshe, grade=grade_of(computed.luoxi_builder), to="A", reasons="复核")
    text = client.get(LEDGER, {"adjusted": "on"}).content.decode()
    assert "罗溪建设工程有限公司" in text and "罗溪纺织有限公司" not in text


def test_the_ledger_pages_in_bounded_queries(computed, login, office, renshe, django_assert_max_num_queries):
    for n in range(30):
        make_enterprise(town="luoxi", name=f"罗溪补充企业{n}有限公司")
    with time_machine.travel(f.at(D(2026, 6, 16)), tick=False):
        grade_services.grades_compute(actor=renshe, year=2026)
    client = login(office)
    client.get(LEDGER)  # warm the session and the menu's caches
    with django_assert_max_num_queries(30):
        assert client.get(LEDGER).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(LEDGER, {"page": 2}).status_code == 200


def test_the_export_is_a_workbook_for_those_who_may(computed, login, office, auditor):
    answer = login(office).get(LEDGER, {"export": "xlsx", "year": "2026"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    refused = login(auditor).get(LEDGER, {"export": "xlsx"})
    assert refused.status_code == 302


def test_compute_by_post_for_renshe_and_403_for_others(computed, login, renshe, luoxi, chengjian):
    with time_machine.travel(f.at(D(2026, 12, 6)), tick=False):
        answer = login(renshe).post("/credit/grades/compute/", {"year": "2026"})
        assert answer.status_code == 302 and answer["Location"].endswith("?year=2026")
        for user in (luoxi, chengjian):
            assert login(user).post("/credit/grades/compute/", {"year": "2026"}).status_code == 403


def test_confirm_refused_before_the_year_ends_says_why(computed, login, renshe):
    with time_machine.travel(f.at(D(2026, 12, 6)), tick=False):
        answer = login(renshe).post("/credit/grades/confirm/", {"year": "2026"}, follow=True)
    assert "2026年度尚未结束，不能确认" in answer.content.decode()
    assert answer.redirect_chain[-1][1] == 302


# --- one grade's evidence page --------------------------------------------------------------------------


def test_the_evidence_page_links_every_record(computed, login, luoxi):
    grade = grade_of(computed.luoxi_factory)
    page = login(luoxi).get(f"/credit/grades/{grade.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "第七条第（一）项" in text and "grade.c_violations" in text
    for action_id in grade.evidence[0]["records"]["actions"]:
        assert reverse("case-action", args=[action_id]) in text
    assert 'data-testid="grade-adjust"' not in text  # a town reads only


@pytest.mark.parametrize(
    ("persona", "status"), [("office", 200), ("renshe", 200), ("luoxi", 200), ("xuejia", 404)]
)
def test_the_evidence_page_per_persona(persona, status, request, computed, login):
    grade = grade_of(computed.luoxi_factory)
    assert login(request.getfixturevalue(persona)).get(f"/credit/grades/{grade.pk}/").status_code == status


def test_adjust_from_the_page_with_and_without_reasons(computed, login, renshe, luoxi):
    grade = grade_of(computed.luoxi_factory)
    client = login(renshe)
    refused = client.post(f"/credit/grades/{grade.pk}/adjust/", {"to": "B", "reasons": " "})
    assert refused.status_code == 400
    done = client.post(f"/credit/grades/{grade.pk}/adjust/", {"to": "B", "reasons": "一份指令书已撤销"})
    assert done.status_code == 302
    grade.refresh_from_db()
    assert grade.grade == "B" and GradeChange.objects.filter(grade=grade, source="adjusted").exists()
    page = client.get(f"/credit/grades/{grade.pk}/").content.decode()
    assert "一份指令书已撤销" in page and "人工调整" in page
    assert (
        login(luoxi).post(f"/credit/grades/{grade.pk}/adjust/", {"to": "A", "reasons": "x"}).status_code
        == 403
    )


# --- objections -------------------------------------------------------------------------------------------


def test_an_objection_recorded_on_the_grade_page_and_answered(computed, login, renshe):
    grade = grade_of(computed.luoxi_factory)
    client = login(renshe)
    answer = client.post(
        f"/credit/grades/{grade.pk}/objection/", {"received_on": "2026-06-15", "reasons": "处罚已撤销"}
    )
    objection = Objection.objects.get(grade=grade)
    assert answer.status_code == 302 and answer["Location"] == f"/credit/objections/{objection.pk}/"
    page = client.get(f"/credit/objections/{objection.pk}/").content.decode()
    assert "处罚已撤销" in page and 'data-testid="objection-answer-form"' in page
    refused = client.post(f"/credit/objections/{objection.pk}/", {"upheld": "1", "answer": "成立"})
    assert refused.status_code == 400 and "请选择变更后的等级" in refused.content.decode()
    done = client.post(
        f"/credit/objections/{objection.pk}/", {"upheld": "1", "answer": "成立", "new_grade": "B"}
    )
    assert done.status_code == 302
    grade.refresh_from_db()
    assert grade.grade == "B"


def test_an_objection_from_the_future_is_refused_on_the_page(computed, login, renshe):
    grade = grade_of(computed.luoxi_factory)
    answer = login(renshe).post(
        f"/credit/grades/{grade.pk}/objection/", {"received_on": "2099-01-01", "reasons": "x"}
    )
    assert answer.status_code == 400 and "收到日期不能晚于今天" in answer.content.decode()


@pytest.fixture
def objections(computed, renshe):
    with time_machine.travel(f.at(D(2026, 6, 15)), tick=False):
        for enterprise in (computed.luoxi_factory, computed.luoxi_builder):
            objection_services.objection_record(
                actor=renshe, enterprise=enterprise, grade=grade_of(enterprise), received_on=D(2026, 6, 15),
                reasons="异议理由",
            )  # fmt: skip
    return computed


@pytest.mark.parametrize(
    ("persona", "count"), [("office", 2), ("renshe", 2), ("luoxi", 2), ("xuejia", 0), ("chengjian", 1)]
)
def test_the_objections_ledger_per_persona(persona, count, request, objections, login):
    page = login(request.getfixturevalue(persona)).get("/credit/objections/")
    assert page.status_code == 200
    assert page.content.decode().count("/credit/objections/") - 1 >= count  # the rows' links (and the form)
    assert page.context["paginator"].count == count


def test_objection_page_is_404_outside_the_scope_and_answer_403_for_a_town(objections, login, xuejia, luoxi):
    objection = Objection.objects.order_by("pk")[0]
    assert login(xuejia).get(f"/credit/objections/{objection.pk}/").status_code == 404
    page = login(luoxi).get(f"/credit/objections/{objection.pk}/")
    assert page.status_code == 200 and 'data-testid="objection-answer-form"' not in page.content.decode()
    assert (
        login(luoxi).post(f"/credit/objections/{objection.pk}/", {"upheld": "0", "answer": "x"}).status_code
        == 403
    )


def test_the_objections_ledger_filters_exports_and_bounds_queries(
    objections, login, office, django_assert_max_num_queries
):
    client = login(office)
    client.get("/credit/objections/")
    with django_assert_max_num_queries(25):
        assert client.get("/credit/objections/").status_code == 200
    assert client.get("/credit/objections/", {"status": "upheld"}).context["paginator"].count == 0
    assert client.get("/credit/objections/", {"subject": "listing"}).context["paginator"].count == 0
    assert client.get("/credit/objections/", {"q": "罗溪纺织"}).context["paginator"].count == 1
    export = client.get("/credit/objections/", {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/credit/objections/", {"overdue": "on"}).context["paginator"].count == 2  # due July


def test_a_listing_objection_is_recorded_from_the_listing_page_form(world, login, renshe, luoxi):
    listing = f.listed(world.luoxi_builder, start=D(2026, 3, 1))
    answer = login(renshe).post(
        f"/credit/listings/{listing.pk}/objection/", {"received_on": "2026-06-15", "reasons": "已足额支付"}
    )
    objection = Objection.objects.get(listing=listing)
    assert answer.status_code == 302 and answer["Location"] == f"/credit/objections/{objection.pk}/"
    refused = login(luoxi).post(
        f"/credit/listings/{listing.pk}/objection/", {"received_on": "2026-06-15", "reasons": "x"}
    )
    assert refused.status_code == 403


def test_the_listing_section_offers_the_form_to_deciders_only(world, rf, renshe, luoxi):
    from anxin.credit.grades_sections import listing_section

    listing = f.listed(world.luoxi_builder, start=D(2026, 3, 1))
    request = rf.get("/")
    request.user = renshe
    section = listing_section(request, listing)
    assert section is not None and section["objection_form"] is not None
    request.user = luoxi
    assert listing_section(request, listing) is None  # nothing to show and nothing to do


# --- the enterprise's 信用 tab and the overview ------------------------------------------------------------


def test_the_credit_tab_shows_the_grades_with_reasons(objections, login, luoxi):
    enterprise = objections.luoxi_factory
    page = login(luoxi).get(reverse("enterprise-detail", args=[enterprise.uscc]), {"tab": "credit"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="credit-grades-section"' in text
    assert "2026年度" in text and "第七条第（一）项" in text and "异议 2026-06-15" in text


def test_the_overview_shows_years_to_confirm_and_objections_due(objections, login, renshe, luoxi):
    with time_machine.travel(f.at(D(2027, 1, 10)), tick=False):
        text = login(renshe).get("/credit/").content.decode()
        assert 'data-testid="credit-card-grades-confirm"' in text and "2026 年度" in text
        assert 'data-testid="credit-card-objections"' in text
        town = login(luoxi).get("/credit/").content.decode()
        assert 'data-testid="credit-card-grades-confirm"' not in town
        assert 'data-testid="credit-card-objections"' in town


def test_the_enterprise_s_papers_are_kept_and_shown_within_scope(
    computed, login, renshe, xuejia, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    grade = grade_of(computed.luoxi_factory)
    paper = SimpleUploadedFile(
        "异议材料.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )
    login(renshe).post(
        f"/credit/grades/{grade.pk}/objection/",
        {"received_on": "2026-06-15", "reasons": "附支付凭证", "evidence": paper},
    )
    objection = Objection.objects.get(grade=grade)
    assert objection.evidence is not None and objection.evidence.content_type == "application/pdf"
    shown = login(renshe).get(f"/credit/objections/{objection.pk}/evidence/")
    assert shown.status_code == 200 and b"".join(shown.streaming_content).startswith(b"%PDF")
    assert login(xuejia).get(f"/credit/objections/{objection.pk}/evidence/").status_code == 404


def test_a_file_that_is_not_a_document_is_refused(computed, login, renshe, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    grade = grade_of(computed.luoxi_factory)
    fake = SimpleUploadedFile("材料.pdf", b"MZ not a pdf", "application/pdf")
    answer = login(renshe).post(
        f"/credit/grades/{grade.pk}/objection/",
        {"received_on": "2026-06-15", "reasons": "x", "evidence": fake},
    )
    assert answer.status_code == 400 and not Objection.objects.exists()
