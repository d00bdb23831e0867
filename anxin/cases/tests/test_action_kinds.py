"""Each kind of legal action from request to its last step, in the hands of the unit whose duty it
is (§三, §四(五)–(八)): the penalty with its legal basis, arbitration through legal aid, every step
of the court's green channel, the wage deposit and the emergency fund; each unit's 我的待办; the
papers filed with a case or an action; the payment schedule and its reminders; linking what comes
in after the case was opened."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.cases import actions, selectors, services
from anxin.cases.deadlines import deadlines_sweep
from anxin.cases.models import CaseDocument, CaseEvent
from anxin.cases.tests.factories import open_case
from anxin.cases.tests.factories import referral as referral_to_police
from anxin.core.errors import DomainError
from anxin.intake.models import Signal
from anxin.money import services as money
from anxin.money.deadlines import instalments_sweep
from anxin.money.models import Instalment
from anxin.notify.models import Notification

TZ = timezone.get_current_timezone()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


# --- penalty -----------------------------------------------------------------------------------------


def test_a_penalty_needs_an_amount_and_its_legal_basis_and_is_hrss_s_to_issue(world, renshe, luoxi):
    case = open_case(world.luoxi_factory)
    with pytest.raises(PermissionDenied, match="人社局"):
        actions.action_request(actor=luoxi, case=case, kind="penalty", amount=2_000_000, basis="条例")
    with pytest.raises(DomainError, match="罚款金额"):
        actions.action_request(actor=renshe, case=case, kind="penalty", basis="劳动保障监察条例")
    with pytest.raises(DomainError, match="法律依据") as caught:
        actions.action_request(actor=renshe, case=case, kind="penalty", amount=2_000_000)
    assert caught.value.field == "basis" and not case.actions.exists()
    penalty = actions.action_request(
        actor=renshe, case=case, kind="penalty", amount=2_000_000, basis="劳动保障监察条例 第三十条",
        reference="新人社罚〔2026〕3号",
    )  # fmt: skip
    assert (penalty.unit.code, penalty.basis, penalty.amount) == (
        "hrss",
        "劳动保障监察条例 第三十条",
        2_000_000,
    )
    actions.action_step(actor=renshe, action=penalty, step="issued", on=TODAY(), note="已送达")
    actions.action_step(actor=renshe, action=penalty, step="payment", on=TODAY(), amount=2_000_000)
    done = actions.action_complete(actor=renshe, action=penalty, result="罚款已缴纳")
    assert done.status == "done"
    assert "行政处罚 → 区人社局，金额 ¥20,000.00" in case.events.filter(kind="action").first().note


# --- arbitration through legal aid ---------------------------------------------------------------------


def test_arbitration_goes_to_legal_aid_and_records_filing_award_and_payment(world, luoxi, sifa, fayuan):
    case = open_case(world.luoxi_factory)
    arbitration = actions.action_request(actor=luoxi, case=case, kind="arbitration", details="12 人申请仲裁")
    assert arbitration.unit.code == "justice"
    assert arbitration.route_basis == "职责：人民调解与法律援助（§三(五)、§四(五)）"
    with pytest.raises(PermissionDenied):
        actions.action_step(actor=fayuan, action=arbitration, step="filing", on=TODAY())
    with pytest.raises(DomainError, match="不能登记“判决/裁定”"):
        actions.action_step(actor=sifa, action=arbitration, step="judgment", on=TODAY())
    actions.action_step(actor=sifa, action=arbitration, step="filing", on=TODAY(), note="法律援助代为申请")
    arbitration.refresh_from_db()
    assert arbitration.status == "accepted"
    actions.action_step(actor=sifa, action=arbitration, step="award", on=TODAY(), note="裁决支付 ¥120,000")
    money.instalments_set(
        actor=sifa, action=arbitration, rows=[(TODAY() + datetime.timedelta(days=30), 12_000_000)]
    )
    actions.action_step(actor=sifa, action=arbitration, step="payment", on=TODAY(), amount=12_000_000)
    assert [s.step for s in arbitration.steps.all()] == ["filing", "award", "payment"]
    assert actions.action_complete(actor=sifa, action=arbitration, result="裁决已履行").status == "done"


# --- the court's green channel --------------------------------------------------------------------------


def test_every_step_of_the_court_green_channel_is_dated_by_the_court(world, luoxi, fayuan, login):
    case = open_case(world.luoxi_factory)
    court = actions.action_request(actor=luoxi, case=case, kind="court")
    steps = [
        "filing",
        "preservation",
        "fee_relief",
        "trial",
        "judgment",
        "enforcement",
        "exit_ban",
        "payment",
    ]
    for n, step in enumerate(steps):
        day = TODAY() - datetime.timedelta(days=len(steps) - n)
        actions.action_step(
            actor=fayuan,
            action=court,
            step=step,
            on=day,
            note=f"第{n + 1}步",
            amount=100 if step == "payment" else 0,
        )
    assert [(s.step, s.on) for s in court.steps.all()] == [
        (step, TODAY() - datetime.timedelta(days=len(steps) - n)) for n, step in enumerate(steps)
    ]
    with pytest.raises(DomainError, match="日期不能晚于今天"):
        actions.action_step(actor=fayuan, action=court, step="note", on=TODAY() + datetime.timedelta(days=1))
    page = login(fayuan).get(f"/cases/actions/{court.pk}/").content.decode()
    for label in (
        "立案",
        "诉前（诉讼）财产保全",
        "诉讼费用减免缓",
        "审理",
        "判决/裁定",
        "强制执行",
        "限制出境",
    ):
        assert label in page
    timeline = [e.note for e in case.events.filter(kind="action")]
    assert any("限制出境" in t for t in timeline)


# --- deposit and fund -------------------------------------------------------------------------------------


def test_the_fund_request_goes_to_finance_and_the_deposit_draw_to_construction(
    world, office, renshe, caizheng, chengjian, luoxi, login, django_capture_on_commit_callbacks
):
    project_case = open_case(world.luoxi_builder, actor=office, project=world.luoxi_project)
    fund = actions.action_request(
        actor=luoxi, case=project_case, kind="fund", amount=5_000_000, details="先行垫付"
    )
    deposit = actions.action_request(actor=renshe, case=project_case, kind="deposit", amount=3_000_000)
    assert (fund.unit.code, deposit.unit.code) == ("finance", "construction")
    with pytest.raises(DomainError, match="申请金额"):
        actions.action_request(actor=luoxi, case=project_case, kind="fund")
    finance = login(caizheng)
    assert [a.pk for a in finance.get("/cases/todo/").context["actions"]] == [fund.pk]
    assert [a.pk for a in login(chengjian).get("/cases/todo/").context["actions"]] == [deposit.pk]
    with pytest.raises(PermissionDenied):
        actions.action_step(actor=chengjian, action=fund, step="accepted", on=TODAY())
    with django_capture_on_commit_callbacks(execute=True):
        actions.action_step(actor=caizheng, action=fund, step="accepted", on=TODAY(), note="提交联席会议审核")
    actions.action_step(actor=caizheng, action=fund, step="payment", on=TODAY(), amount=5_000_000)
    fund.refresh_from_db()
    assert fund.status == "accepted" and [s.step for s in fund.steps.all()] == ["accepted", "payment"]
    # the lead town hears that finance accepted its request
    assert Notification.objects.filter(
        recipient=luoxi, subject__contains="申请应急周转金：受理/立案"
    ).exists()


@pytest.mark.parametrize(
    ("persona", "kind", "unit"),
    [("fayuan", "court", "court"), ("sifa", "mediation", "justice"), ("sifa", "arbitration", "justice")],
)
def test_each_unit_finds_its_action_in_its_todo_and_not_another_units(
    world, luoxi, login, request, persona, kind, unit
):
    case = open_case(world.luoxi_factory)
    mine = actions.action_request(actor=luoxi, case=case, kind=kind)
    other = actions.action_request(actor=luoxi, case=case, kind="court" if kind != "court" else "mediation")
    assert mine.unit.code == unit
    listed = [a.pk for a in login(request.getfixturevalue(persona)).get("/cases/todo/").context["actions"]]
    assert mine.pk in listed and other.pk not in listed


# --- papers -------------------------------------------------------------------------------------------


def test_the_handling_unit_files_the_award_with_its_action_and_the_timeline_records_it(
    world, luoxi, sifa, xuejia
):
    case = open_case(world.luoxi_factory)
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    paper = actions.document_attach(
        actor=sifa,
        case=case,
        action=mediation,
        kind="agreement",
        title="调解协议书",
        name="协议.pdf",
        content=PDF,
    )
    assert (paper.content_type, paper.extension, paper.size) == ("application/pdf", ".pdf", len(PDF))
    assert paper.file.read() == PDF
    assert "上传调解协议书（调解）：调解协议书" in case.events.get(kind="document").note
    with pytest.raises(DomainError, match="不能上传“判决书/裁定书”"):
        actions.document_attach(
            actor=sifa, case=case, action=mediation, kind="ruling", title="", name="x.pdf", content=PDF
        )
    with pytest.raises(DomainError, match="不是可接受的文件类型"):
        actions.document_attach(
            actor=luoxi, case=case, kind="custody", title="", name="a.exe", content=b"MZ\x90\x00"
        )
    with pytest.raises(DomainError, match="超过 5 MB"):
        actions.document_attach(
            actor=luoxi,
            case=case,
            kind="custody",
            title="",
            name="big.pdf",
            content=PDF + b"0" * (5 * 1024 * 1024),
        )
    with pytest.raises(PermissionDenied):
        actions.document_attach(actor=xuejia, case=case, kind="custody", title="", name="a.pdf", content=PDF)
    assert CaseDocument.objects.count() == 1 and case.events.filter(kind="document").count() == 1


def test_papers_are_uploaded_and_read_within_scope(world, office, renshe, gongan, luoxi, xuejia, login):
    case = open_case(world.luoxi_factory, actor=office)
    client = login(luoxi)
    response = client.post(
        f"/cases/{case.pk}/documents/new/",
        {"kind": "custody", "title": "印章委托保管协议", "file": SimpleUploadedFile("协议.pdf", PDF)},
        follow=True,
    )
    assert "已上传委托保管协议：印章委托保管协议" in response.content.decode()
    paper = CaseDocument.objects.get()
    response = client.post(
        f"/cases/{case.pk}/documents/new/",
        {"kind": "custody", "file": SimpleUploadedFile("note.txt", b"just text")},
        follow=True,
    )
    assert "不是可接受的文件类型" in response.content.decode() and CaseDocument.objects.count() == 1
    assert "印章委托保管协议" in client.get(f"/cases/{case.pk}/").content.decode()
    download = client.get(f"/cases/documents/{paper.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert login(xuejia).get(f"/cases/documents/{paper.pk}/").status_code == 404
    # The police see the papers of the referral sent to them, not the rest of the case.
    _order, referral = referral_to_police(case, renshe)
    police = login(gongan)
    response = police.post(
        f"/cases/actions/{referral.pk}/documents/new/",
        {"kind": "referral", "title": "立案决定书", "file": SimpleUploadedFile("立案.pdf", PDF)},
        follow=True,
    )
    assert "已上传" in response.content.decode()
    theirs = CaseDocument.objects.get(action=referral)
    assert police.get(f"/cases/documents/{theirs.pk}/").status_code == 200
    assert police.get(f"/cases/documents/{paper.pk}/").status_code == 404
    assert (
        login(xuejia)
        .post(f"/cases/{case.pk}/documents/new/", {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF)})
        .status_code
        == 404
    )


# --- the payment schedule -------------------------------------------------------------------------------


def test_an_instalment_is_reminded_before_its_date_and_reported_once_when_missed(
    world, luoxi, sifa, xuejia, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):  # a Tuesday
        case = open_case(world.luoxi_factory)
        mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
        first, second = money.instalments_set(
            actor=sifa,
            action=mediation,
            rows=[(datetime.date(2026, 12, 10), 3_000_000), (datetime.date(2027, 1, 11), 6_000_000)],
        )

    def sweep(when: str) -> list[str]:
        before = set(CaseEvent.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            deadlines_sweep(now=at(when))
            instalments_sweep(now=at(when))  # money's sweep (tick runs both)
        return [e.note for e in CaseEvent.objects.exclude(pk__in=before) if "约定" in e.note]

    assert sweep("2026-12-02T09:00") == []
    assert sweep("2026-12-08T09:00") == ["调解约定 2026-12-10 应付 ¥30,000.00，即将到期，请督促履行"]
    assert sweep("2026-12-08T10:00") == []
    with time_machine.travel(at("2026-12-10T15:00"), tick=False):
        with pytest.raises(PermissionDenied):
            money.instalment_paid(actor=xuejia, instalment=first, paid_on=datetime.date(2026, 12, 10))
        with pytest.raises(DomainError, match="不能晚于今天"):
            money.instalment_paid(actor=sifa, instalment=first, paid_on=datetime.date(2026, 12, 11))
        money.instalment_paid(
            actor=sifa, instalment=first, paid_on=datetime.date(2026, 12, 10), note="银行转账"
        )
        with pytest.raises(DomainError, match="已登记履行"):
            money.instalment_paid(actor=luoxi, instalment=first, paid_on=datetime.date(2026, 12, 10))
    first.refresh_from_db()
    assert (first.paid_on, first.paid_note) == (datetime.date(2026, 12, 10), "银行转账")
    assert sweep("2026-12-11T09:00") == []  # paid: nothing to say
    missed = sweep("2027-01-12T09:00")
    assert missed == ["调解约定 2027-01-11 应付 ¥60,000.00，逾期未履行（可申请强制执行或依法采取其他措施）"]
    assert sweep("2027-01-13T09:00") == []
    assert Notification.objects.filter(recipient=luoxi, topic="case-instalment-missed").count() == 1
    assert Notification.objects.filter(recipient=sifa, topic="case-instalment-missed").count() == 1
    second.refresh_from_db()
    assert second.missed_at is not None and second.paid_on is None


def test_the_handling_unit_records_a_payment_on_the_page(world, luoxi, sifa, login):
    case = open_case(world.luoxi_factory)
    mediation = actions.action_request(actor=luoxi, case=case, kind="mediation")
    (item,) = money.instalments_set(actor=sifa, action=mediation, rows=[(TODAY(), 3_000_000)])
    client = login(sifa)
    assert 'data-testid="instalments"' in client.get(f"/cases/actions/{mediation.pk}/").content.decode()
    response = client.post(f"/cases/instalments/{item.pk}/paid/", {"paid_on": "", "note": ""}, follow=True)
    assert "实付日期" in response.content.decode()
    client.post(f"/cases/instalments/{item.pk}/paid/", {"paid_on": TODAY().isoformat(), "note": "现金"})
    assert Instalment.objects.get(pk=item.pk).paid_on == TODAY()


# --- linking later signals and alerts ----------------------------------------------------------------------


def _complaint(enterprise, reference: str) -> Signal:
    from anxin.intake.tests.factories import signal

    return signal(enterprise=enterprise, reference=reference, summary="又有工人投诉欠薪", workers=3)


def test_signals_and_alerts_that_come_later_are_linked_to_the_case(world, office, luoxi, xuejia, login):
    from anxin.monitoring.tests.factories import red_alert

    case = open_case(world.luoxi_factory, actor=office)
    assert case.level != "red"
    later = _complaint(world.luoxi_factory, "LATE-1")
    elsewhere = _complaint(world.xuejia_factory, "LATE-2")
    alert = red_alert(world.luoxi_factory)
    with pytest.raises(DomainError, match="须都属于该企业"):
        services.case_link(actor=luoxi, case=case, signals=[elsewhere])
    with pytest.raises(PermissionDenied):
        services.case_link(actor=xuejia, case=case, signals=[later])
    with pytest.raises(DomainError, match="请选择"):
        services.case_link(actor=luoxi, case=case)
    page = login(luoxi).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="link-form"' in page and f'value="{later.pk}"' in page
    login(luoxi).post(f"/cases/{case.pk}/link/", {"signal": [later.pk], "alert": [alert.pk]})
    case.refresh_from_db()
    assert set(case.signals.all()) == {later} and set(case.alerts.all()) == {alert}
    assert case.level == "red"
    alert.refresh_from_db()
    assert alert.status == "handled" and case.number in alert.outcome
    event = case.events.filter(kind="update").last()
    assert "关联线索 1 条、预警 1 条（IMMEDIATE_ARREARS_2M）" in event.note and "→ 红色" in event.note
    with pytest.raises(DomainError, match="已关联本案件"):
        services.case_link(actor=luoxi, case=case, signals=[later])
    timeline = [i["text"] for i in selectors.timeline(user=luoxi, case=case) if i["source"] == "signal"]
    assert any("又有工人投诉欠薪" in t for t in timeline)
