"""Case screens: who sees what (every persona), the pages' actions, exports, documents, query bounds."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.models import Case, Plan
from anxin.cases.tests.factories import open_case
from anxin.cases.tests.factories import referral as referral_to_police
from anxin.monitoring.tests.factories import red_alert


@pytest.fixture
def luoxi_case(world, office):
    return open_case(world.luoxi_factory, actor=office)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", True),
        ("leader", True),
        ("auditor", True),
        ("luoxi", True),
        ("xuejia", False),
        ("renshe", True),  # 劳动保障监察: every enterprise is in its line
        ("chengjian", False),  # a textile factory is not in 城建's line
        ("gongan", False),
        ("fayuan", False),
        ("shuili", False),  # 水利局's line is water projects
        ("jianchayuan", False),  # 检察院 sees the referrals copied to it, not the cases
        ("sifa", False),  # 司法局 until it is a co-unit or hosts a mediation
        ("caizheng", False),
    ],
)
def test_who_sees_a_case(request, luoxi_case, login, persona, sees):
    client = login(request.getfixturevalue(persona))
    assert (client.get(f"/cases/{luoxi_case.pk}/").status_code == 200) is sees
    response = client.get("/cases/")
    assert response.status_code == 200
    assert (luoxi_case.pk in {c.pk for c in response.context["page"]}) is sees


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin"])
def test_the_admin_roles_see_no_cases(request, luoxi_case, login, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{luoxi_case.pk}/").status_code == 403


def test_a_co_unit_with_no_line_sees_the_case_it_helps_with(world, office, login, sifa):
    from anxin.org.models import Unit

    case = open_case(world.luoxi_factory, actor=office, co_units=[Unit.objects.get(code="justice")])
    response = login(sifa).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert case.number in page and "罗溪纺织有限公司" in page


def test_the_police_see_the_referral_sent_to_them_and_nothing_else(
    world, office, renshe, login, gongan, jianchayuan
):
    case = open_case(world.luoxi_factory, actor=office)
    order, referral = referral_to_police(case, renshe)
    police = login(gongan)
    assert police.get(f"/cases/actions/{referral.pk}/").status_code == 200
    # the order the referral rests on is its evidence: readable, not theirs to handle (#14 item 9)
    order_page = police.get(f"/cases/actions/{order.pk}/")
    assert order_page.status_code == 200 and 'data-testid="action-handle"' not in order_page.content.decode()
    assert police.get(f"/cases/{case.pk}/").status_code == 404
    todo = police.get("/cases/todo/")
    assert [a.pk for a in todo.context["actions"]] == [referral.pk]
    procuratorate = login(jianchayuan)
    copies = procuratorate.get("/cases/todo/").context["copies"]
    assert [a.pk for a in copies] == [referral.pk]
    page = procuratorate.get(f"/cases/actions/{referral.pk}/").content.decode()
    assert 'data-testid="action-handle"' not in page and "区检察院" in page


def test_open_a_case_from_a_red_alert_through_the_page(world, login, office, luoxi):
    alert = red_alert(world.luoxi_factory)
    client = login(office)
    page = client.get(f"/cases/new/?alert={alert.pk}")
    assert page.status_code == 200 and 'data-testid="case-from-alert"' in page.content.decode()
    response = client.post(
        "/cases/new/",
        {
            "alert": alert.pk,
            "enterprise": world.luoxi_factory.uscc,
            "summary": "拖欠工资 3 个月",
            "workers": "15",
            "amount_claimed": "180,000.00",
        },
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert (case.workers, case.amount_claimed, case.level) == (15, 18_000_000, "red")
    assert "已立案" in response.content.decode()


@pytest.mark.parametrize("alert", ["abc", str(2**70), "-1", "１２"])
def test_an_alert_that_is_not_an_id_is_not_found_not_a_server_error(world, login, office, alert):
    client = login(office)
    assert client.get("/cases/new/", {"alert": alert}).status_code == 404
    assert client.post("/cases/new/", {"alert": alert, "summary": "x"}).status_code == 404
    assert client.get("/cases/new/", {"signals": f"{2**70},abc"}).status_code == 200
    assert not Case.objects.exists()


def test_bad_input_on_the_open_form_names_the_field_and_writes_nothing(world, login, office):
    client = login(office)
    response = client.post(
        "/cases/new/", {"enterprise": world.luoxi_factory.uscc, "summary": "x", "amount_claimed": "12.345"}
    )
    assert response.status_code == 200
    assert "小数" in response.content.decode() or "两位" in response.content.decode()
    response = client.post("/cases/new/", {"enterprise": "91320411MA1XXXXXX0", "summary": "x"})
    assert "未找到该企业" in response.content.decode()
    huge = client.post(
        "/cases/new/", {"enterprise": world.luoxi_factory.uscc, "summary": "x", "workers": str(10**20)}
    )
    assert huge.status_code == 200 and "100000" in huge.content.decode()  # a field error, not a 500
    assert not Case.objects.exists()


def test_a_town_moves_and_closes_its_case_through_the_page(luoxi_case, login, luoxi):
    client = login(luoxi)
    client.post(f"/cases/{luoxi_case.pk}/move/", {"action": "advance"})
    assert Case.objects.get(pk=luoxi_case.pk).stage == "control"
    response = client.post(f"/cases/{luoxi_case.pk}/move/", {"action": "skip"}, follow=True)
    assert "须说明理由" in response.content.decode()
    response = client.post(
        f"/cases/{luoxi_case.pk}/close/",
        {"outcome": "paid", "amount_paid": "120000", "note": "已付清"},
        follow=True,
    )
    assert Case.objects.get(pk=luoxi_case.pk).stage == "closed"
    assert 'data-testid="case-outcome"' in response.content.decode()


def test_the_leader_reads_but_has_no_controls(luoxi_case, login, leader):
    client = login(leader)
    page = client.get(f"/cases/{luoxi_case.pk}/").content.decode()
    assert 'data-testid="case-moves"' not in page and 'data-testid="action-forms"' not in page
    assert client.post(f"/cases/{luoxi_case.pk}/move/", {"action": "advance"}).status_code == 403
    assert Case.objects.get(pk=luoxi_case.pk).stage == "facts"


def test_the_order_notice_and_the_summary_download_as_word(luoxi_case, login, renshe, office):
    from docx import Document

    from anxin.core.models import SecurityEvent

    order = actions.action_request(
        actor=renshe, case=luoxi_case, kind="order", amount=12_000_000, workers=12,
        pay_by=timezone.localdate() + datetime.timedelta(days=7), reference="新人社监〔2026〕8号",
    )  # fmt: skip
    response = login(renshe).get(f"/cases/actions/{order.pk}/notice.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    header = document.paragraphs[0].runs[0]
    assert str(header.font.color.rgb) == "C00000"  # the red issuing-authority header of 公文
    from docx.oxml.ns import qn

    fonts = {
        r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs for r in p.runs if r.text
    }
    assert fonts == {
        "方正小标宋简体",
        "仿宋_GB2312",
    }  # GB/T 9704 names; Noto CJK is the font table's fallback
    assert "限期支付工资通知书" in text and "120,000.00 元" in text and "新人社监〔2026〕8号" in text
    assert world_name(luoxi_case) in text
    assert SecurityEvent.objects.filter(kind="export", summary__contains="限期支付").exists()
    assert luoxi_case.events.filter(
        kind="document", note__contains="限期支付工资通知书"
    ).exists()  # on the timeline
    summary = login(office).get(f"/cases/{luoxi_case.pk}/summary.docx")
    assert summary.status_code == 200
    table = Document(io.BytesIO(summary.content)).tables[0]
    assert any("责令限期支付" in cell.text for row in table.rows for cell in row.cells)


def world_name(case) -> str:
    return case.enterprise.name


def test_the_ledger_exports_to_excel(luoxi_case, login, office, leader, auditor):
    from openpyxl import load_workbook

    response = login(office).get("/cases/", {"export": "xlsx", "state": "open"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert luoxi_case.number in values
    assert login(auditor).get("/cases/", {"export": "xlsx"}).status_code == 302  # read-only, no export


@pytest.mark.parametrize("extra", [2, 25])
def test_the_case_ledger_query_count_is_bounded(world, login, office, extra, django_assert_max_num_queries):
    for _ in range(extra):
        open_case(world.luoxi_factory, actor=office, separate=True)
    client = login(office)
    with django_assert_max_num_queries(16):
        assert client.get("/cases/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/cases/deadlines/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get("/cases/todo/").status_code == 200


def test_the_deadlines_board_lists_overdue_and_this_week(world, login, office):
    case = open_case(world.luoxi_factory, actor=office)
    Case.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - datetime.timedelta(days=1))
    soon = open_case(world.xuejia_factory, actor=office)
    Case.objects.filter(pk=soon.pk).update(stage_due_at=timezone.now() + datetime.timedelta(days=3))
    response = login(office).get("/cases/deadlines/")
    assert [r["case"].pk for r in response.context["overdue"]] == [case.pk]
    assert [r["case"].pk for r in response.context["week"]] == [soon.pk]


def test_the_plan_incident_and_asset_forms_work_through_the_page(luoxi_case, login, luoxi, office):
    client = login(luoxi)
    client.post(
        f"/cases/{luoxi_case.pk}/plan/",
        {"step": "save", "measures": "约谈", "responsible": "分管镇长", "timeline": "三日内"},
    )
    client.post(f"/cases/{luoxi_case.pk}/plan/", {"step": "submit"})
    login(office).post(f"/cases/{luoxi_case.pk}/plan/", {"step": "approve", "note": "同意"})
    assert Plan.objects.get(case=luoxi_case).status == "approved"
    client = login(luoxi)
    client.post(
        f"/cases/{luoxi_case.pk}/incident/",
        {
            "kind": "closure",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "place": "罗溪镇工业园",
            "people": "0",
            "command_post": "镇政府现场指挥部",
            "measures": "封存账册",
        },
    )
    client.post(
        f"/cases/{luoxi_case.pk}/asset/",
        {
            "item": "books",
            "custody": "entrusted",
            "custodian": "村委会",
            "agreement": "保〔2026〕1号",
            "fee": "300",
        },
    )
    case = Case.objects.get(pk=luoxi_case.pk)
    assert case.sudden_closure
    assert case.assets.get().fee == 30_000
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="incident"' in page and "保〔2026〕1号" in page


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (datetime.date(2026, 11, 26), datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 7, 15), datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    ],
)
def test_quarters(day, first, last):
    from anxin.cases.selectors import quarter_of

    assert quarter_of(day) == (first, last)


def test_the_cockpit_shows_the_three_ensures_in_scope(world, login, office, luoxi, xuejia):
    from anxin.cases import services
    from anxin.cases.selectors import three_ensures

    on_time = open_case(world.luoxi_factory, actor=office)
    services.case_close(actor=office, case=on_time, outcome="paid", amount_paid=12_000_000)
    late = open_case(world.luoxi_factory, actor=office)
    Case.objects.filter(pk=late.pk).update(deadline_at=timezone.now() - datetime.timedelta(days=1))
    late.refresh_from_db()
    services.case_close(actor=office, case=late, outcome="paid", amount_paid=12_000_000)
    elsewhere = open_case(world.xuejia_factory, actor=office)
    services.incident_record(
        actor=office, case=elsewhere, kind="mass", occurred_at=timezone.now(), place="薛家", people=30,
        command_post="镇长", measures="劝离",
    )  # fmt: skip
    office_view = three_ensures(user=office)
    assert (office_view["closed"], office_view["on_time"], office_view["on_time_rate"]) == (2, 1, 50)
    assert (office_view["mass"], office_view["open"]) == (1, 1)
    town_view = three_ensures(user=luoxi)
    assert (town_view["closed"], town_view["mass"], town_view["open"]) == (2, 0, 0)
    page = login(office).get("/cockpit/").content.decode()
    assert 'data-testid="three-ensures"' in page and 'data-testid="ensure-on-time">50%' in page


def test_the_case_summary_is_a_one_page_pdf_with_the_figures(luoxi_case, login, office):
    from pypdf import PdfReader

    response = login(office).get(f"/cases/{luoxi_case.pk}/summary.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert luoxi_case.number in text and "120,000.00" in text


def test_a_town_is_offered_only_the_actions_it_may_start_and_a_refusal_is_a_message(luoxi_case, login, luoxi):
    client = login(luoxi)
    kinds = [form.measure for form in client.get(f"/cases/{luoxi_case.pk}/").context["action_forms"]]
    assert "mediation" in kinds and "order" not in kinds and "referral" not in kinds
    response = client.post(
        f"/cases/{luoxi_case.pk}/actions/new/", {"kind": "penalty", "amount": "1000"}, follow=True
    )
    assert response.status_code == 200 and "人社局" in response.content.decode()
    response = client.post(f"/cases/{luoxi_case.pk}/extend/", {"reason": "复杂"}, follow=True)
    assert response.status_code == 200 and "延长办结期限" in response.content.decode()


def test_a_mediation_schedule_is_entered_line_by_line(luoxi_case, login, luoxi, sifa):
    action = actions.action_request(actor=luoxi, case=luoxi_case, kind="mediation")
    client = login(sifa)
    response = client.post(
        f"/cases/actions/{action.pk}/", {"do": "instalments", "schedule": "2026-12-10 x"}, follow=True
    )
    assert "第 1 行格式不正确" in response.content.decode()
    client.post(
        f"/cases/actions/{action.pk}/",
        {"do": "instalments", "schedule": "2026-12-10 30000\n2027-01-10 60,000.00"},
    )
    assert [(i.due_on.isoformat(), i.amount) for i in action.instalments.all()] == [
        ("2026-12-10", 3_000_000),
        ("2027-01-10", 6_000_000),
    ]


def test_the_order_can_be_served_as_a_rectification_directive(luoxi_case, login, renshe):
    from docx import Document

    order = actions.action_request(
        actor=renshe, case=luoxi_case, kind="order", amount=5_000_000, workers=3, document="rectification",
        pay_by=timezone.localdate() + datetime.timedelta(days=7),
    )  # fmt: skip
    response = login(renshe).get(f"/cases/actions/{order.pk}/notice.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "劳动保障监察责令改正指令书" in text and "第十八条" in text and "50,000.00 元" in text


def test_a_mediation_hosted_by_the_town_is_in_the_towns_todo_and_not_its_neighbours(
    luoxi_case, login, luoxi, xuejia
):
    from anxin.org.models import Unit

    mediation = actions.action_request(
        actor=luoxi, case=luoxi_case, kind="mediation", unit=Unit.objects.get(code="gov-luoxi")
    )
    assert [a.pk for a in login(luoxi).get("/cases/todo/").context["actions"]] == [mediation.pk]
    assert list(login(xuejia).get("/cases/todo/").context["actions"]) == []
    assert login(xuejia).get(f"/cases/actions/{mediation.pk}/").status_code == 404


def test_the_case_ledger_filters_by_stage_town_lead_flag_overdue_state_and_search(world, login, office):
    from anxin.org.models import Unit

    luoxi = open_case(world.luoxi_factory, actor=office, mass_incident=True)
    xuejia = open_case(world.xuejia_factory, actor=office, lead_unit=Unit.objects.get(code="hrss"))
    late = open_case(world.xuejia_dispatch, actor=office, malicious=True)
    Case.objects.filter(pk=late.pk).update(
        stage="control", stage_due_at=timezone.now() - datetime.timedelta(days=1)
    )
    closed = open_case(world.luoxi_builder, actor=office)
    Case.objects.filter(pk=closed.pk).update(stage="closed", outcome="unfounded", closed_at=timezone.now())
    client = login(office)

    def listed(**query) -> set[int]:
        response = client.get("/cases/", query)
        assert response.status_code == 200
        return {c.pk for c in response.context["page"]}

    assert listed() == {luoxi.pk, xuejia.pk, late.pk, closed.pk}
    assert listed(stage="control") == {late.pk}
    assert listed(town="xuejia") == {xuejia.pk, late.pk}
    assert listed(lead="hrss") == {xuejia.pk}
    assert listed(flag="mass_incident") == {luoxi.pk}
    assert listed(flag="malicious") == {late.pk}
    assert listed(overdue="on") == {late.pk}
    assert listed(state="closed") == {closed.pk}
    assert listed(state="open") == {luoxi.pk, xuejia.pk, late.pk}
    assert listed(q=world.xuejia_dispatch.name[:4]) == {late.pk}
    assert listed(q=luoxi.number) == {luoxi.pk}
    assert listed(q=world.luoxi_factory.uscc.lower()) == {luoxi.pk}  # the code as typed, lower case
    from openpyxl import load_workbook

    export = client.get("/cases/", {"export": "xlsx", "town": "xuejia"})
    values = {c.value for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row}
    assert {xuejia.number, late.number} <= values and luoxi.number not in values


@pytest.mark.parametrize(
    ("persona", "subject"),
    [
        ("fayuan", "请办理：法院绿色通道"),
        ("gongan", "请办理：移送公安"),
        ("jianchayuan", "备案抄送"),
    ],
)
def test_a_task_notice_opens_for_the_court_police_and_procuratorate_that_cannot_see_the_case(
    request, luoxi_case, login, luoxi, renshe, persona, subject, django_capture_on_commit_callbacks
):
    from anxin.notify.models import Notification

    user = request.getfixturevalue(persona)
    with django_capture_on_commit_callbacks(execute=True):
        court = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
        _order, referral = referral_to_police(luoxi_case, renshe)
    notice = Notification.objects.filter(recipient=user, subject__contains=subject).get()
    action = court if persona == "fayuan" else referral
    assert notice.url == f"/cases/actions/{action.pk}/"
    client = login(user)
    assert client.get(f"/cases/{luoxi_case.pk}/").status_code == 404  # the case file stays closed
    assert client.get(notice.url).status_code == 200


def test_an_alert_on_an_enterprise_with_an_open_case_is_linked_to_it_not_opened_twice(world, login, office):
    first = open_case(world.luoxi_factory, actor=office)
    alert = red_alert(world.luoxi_factory)
    client = login(office)
    page = client.get(f"/cases/new/?alert={alert.pk}").content.decode()
    assert 'data-testid="case-open-exists"' in page and first.number in page
    assert f'action="/cases/{first.pk}/link/"' in page
    typed = {
        "alert": alert.pk,
        "enterprise": world.luoxi_factory.uscc,
        "summary": "又拖欠 2 个月（用户输入）",
    }
    refused = client.post("/cases/new/", typed)
    assert refused.status_code == 200 and Case.objects.count() == 1
    body = refused.content.decode()
    assert 'data-testid="separate-error"' in body and "又拖欠 2 个月（用户输入）" in body
    linked = client.post(f"/cases/{first.pk}/link/", {"alert": alert.pk}, follow=True)
    assert "已关联" in linked.content.decode()
    assert list(first.alerts.all()) == [alert] and Case.objects.count() == 1


def test_the_open_form_from_an_alert_is_prefilled_with_the_workers_and_amount_of_its_evidence(
    world, login, office, django_capture_on_commit_callbacks
):
    from anxin.monitoring.tests.factories import complaints_alert

    alert = complaints_alert(world.xuejia_factory, office, django_capture_on_commit_callbacks)
    page = login(office).get(f"/cases/new/?alert={alert.pk}")
    form = page.context["form"]
    assert (form["workers"].value(), form["amount_claimed"].value()) == (
        12,
        "70,000.00",
    )  # the one money field groups thousands
    assert "至少 12 人" in page.content.decode()


def test_the_action_page_names_the_duty_in_chinese_not_by_its_code(luoxi_case, login, luoxi, fayuan):
    import importlib

    from django.apps import apps

    from anxin.cases.models import LegalAction

    court = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    page = login(fayuan).get(f"/cases/actions/{court.pk}/").content.decode()
    assert "职责：欠薪案件立案、审理、执行绿色通道" in page and "court-green-channel" not in page
    # An action routed before the fix reads the same once migrated.
    LegalAction.objects.filter(pk=court.pk).update(route_basis="职责：区法院（court-green-channel）")
    importlib.import_module("anxin.cases.migrations.0003_route_basis_duty_names").forwards(apps, None)
    court.refresh_from_db()
    assert (
        court.route_basis.startswith("职责：欠薪案件立案") and "court-green-channel" not in court.route_basis
    )


def test_a_rejected_step_keeps_the_note_and_names_the_amount(luoxi_case, login, luoxi, fayuan):
    court = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    response = login(fayuan).post(
        f"/cases/actions/{court.pk}/",
        {
            "do": "step",
            "step": "filing",
            "on": "2026-11-25",
            "amount": "12.345",
            "note": "已快立，待保全（用户输入）",
        },
    )
    assert response.status_code == 200 and not court.steps.exists()
    body = response.content.decode()
    assert "已快立，待保全（用户输入）" in body and 'data-testid="field-error-amount"' in body


def test_a_refused_close_keeps_the_note_beside_the_error(luoxi_case, login, luoxi):
    response = login(luoxi).post(
        f"/cases/{luoxi_case.pk}/close/",
        {"outcome": "paid", "amount_paid": "一万", "note": "企业已全额支付（用户输入）"},
    )
    assert response.status_code == 200 and Case.objects.get(pk=luoxi_case.pk).is_open
    body = response.content.decode()
    assert "企业已全额支付（用户输入）" in body and 'data-testid="field-error-amount_paid"' in body
    assert "<details open><summary>结案</summary>" in body


def test_a_refused_schedule_and_cancel_keep_what_was_typed(luoxi_case, login, luoxi, sifa):
    action = actions.action_request(actor=luoxi, case=luoxi_case, kind="mediation")
    response = login(sifa).post(
        f"/cases/actions/{action.pk}/", {"do": "instalments", "schedule": "2026-12-10 30000\n2027-01-10 x"}
    )
    body = response.content.decode()
    assert "第 2 行格式不正确" in body and "2026-12-10 30000\n2027-01-10 x</textarea>" in body
    response = login(sifa).post(f"/cases/actions/{action.pk}/", {"do": "complete", "result": "  "})
    assert 'data-testid="kept-error"' in response.content.decode()


def test_a_rejected_action_request_and_a_refused_upload_stay_on_the_case_page_with_the_input(
    luoxi_case, login, luoxi
):
    client = login(luoxi)
    response = client.post(
        f"/cases/{luoxi_case.pk}/actions/new/",
        {"kind": "mediation", "amount": "abc", "details": "双方同意调解（用户输入）"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "双方同意调解（用户输入）" in body
    assert 'data-testid="field-error-amount"' in body and not luoxi_case.actions.exists()
    response = client.post(
        f"/cases/{luoxi_case.pk}/documents/new/", {"kind": "agreement", "title": "调解协议（用户输入）"}
    )
    body = response.content.decode()
    assert "调解协议（用户输入）" in body and 'data-testid="field-error-file"' in body


@pytest.mark.parametrize(
    ("persona", "label", "counted"),
    [
        ("office", "全区办理中的案件", 3),
        ("leader", "全区办理中的案件", 3),
        ("luoxi", "本镇（街道）辖区办理中的案件", 1),
        ("chengjian", "本单位牵头办理中的案件", 1),
    ],
)
def test_the_home_panel_and_the_todo_say_truly_whose_cases_they_count(
    request, world, login, office, persona, label, counted
):
    from anxin.org.models import Unit

    open_case(world.luoxi_factory, actor=office)  # led by 罗溪镇
    open_case(world.xuejia_factory, actor=office)  # led by 薛家镇
    open_case(world.xuejia_dispatch, actor=office, lead_unit=Unit.objects.get(code="construction"))
    client = login(request.getfixturevalue(persona))
    home = client.get("/").content.decode()
    assert f"{label} {counted} 件" in home
    assert "由本单位牵头" not in home
    # The office's and the leader's count is the district's overview (issue #14: 我的待办 itself
    # holds only their own unit's work).
    todo = client.get("/cases/todo/", {"view": "all"} if persona in ("office", "leader") else {})
    assert todo.context["cases_label"] == label and len(todo.context["cases"]) == counted
    assert f'data-testid="todo-cases-title">{label}<' in todo.content.decode()
    assert ('data-testid="case-todo-count"' in home) == (persona != "leader")  # the leader handles nothing


def test_co_units_are_ticked_from_a_list_of_checkboxes_with_a_hint(world, login, office, luoxi_case):
    from anxin.org.models import Unit

    client = login(office)
    page = client.get("/cases/new/").content.decode()
    assert 'data-testid="checkboxes-co_units"' in page and "可多选" in page
    assert '<select name="co_units"' not in page
    justice, hrss = Unit.objects.get(code="justice"), Unit.objects.get(code="hrss")
    assert f'type="checkbox" name="co_units" value="{justice.pk}"' in page
    response = client.post(
        "/cases/new/",
        {"enterprise": world.xuejia_factory.uscc, "summary": "拖欠工资", "co_units": [justice.pk, hrss.pk]},
    )
    case = Case.objects.exclude(pk=luoxi_case.pk).get()
    assert response.status_code == 302 and set(case.co_units.all()) == {justice, hrss}
    edit = client.get(f"/cases/{case.pk}/").content.decode()
    import re

    def ticked(unit) -> bool:
        tag = re.search(rf'<input type="checkbox" name="co_units" value="{unit.pk}"[^>]*>', edit)
        assert tag, unit.code
        return re.search(r"\bchecked\b", tag.group(0)) is not None

    economy = Unit.objects.get(code="economy")
    assert ticked(justice) and ticked(hrss) and not ticked(economy)


def test_the_enterprise_button_is_shown_only_to_who_may_open_the_enterprise(world, login, office, sifa):
    from anxin.org.models import Unit

    case = open_case(world.luoxi_factory, actor=office, co_units=[Unit.objects.get(code="justice")])
    assert 'data-testid="case-enterprise-link"' in login(office).get(f"/cases/{case.pk}/").content.decode()
    page = login(sifa).get(f"/cases/{case.pk}/")
    assert page.status_code == 200  # the co-unit works on the case …
    assert 'data-testid="case-enterprise-link"' not in page.content.decode()  # … not on the firm's file
    assert login(sifa).get(f"/enterprises/{world.luoxi_factory.uscc}/").status_code == 404
