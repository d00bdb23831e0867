"""Case services: opening, every allowed and refused stage move, the plan, closing, incidents and
assets — each rule and each refusal."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.cases import services, workflow
from anxin.cases.models import AssetItem, Case, CaseEvent, Custody, Incident, Plan, Stage
from anxin.cases.tests.factories import open_case
from anxin.core import seam
from anxin.core.errors import DomainError, ScopeViolation
from anxin.monitoring.tests.factories import complaints_alert, red_alert
from anxin.notify.models import Notification

D = datetime.date


# --- opening ----------------------------------------------------------------------------------------


def test_a_case_opened_from_a_red_alert_is_led_by_the_town_and_handles_the_alert(
    world, office, luoxi, django_capture_on_commit_callbacks
):
    alert = red_alert(world.luoxi_factory)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world.luoxi_factory, actor=office, alert=alert)
    assert (case.stage, case.level, case.origin) == ("facts", "red", "alert")
    assert case.lead_unit.code == "gov-luoxi" and case.town.code == "luoxi"
    assert case.number.startswith(f"{timezone.localdate().year}-")
    # the alert, and the enterprise's other open alert (the arrears' duration) with it (#14 item 6)
    assert {a.rule for a in case.alerts.all()} == {"IMMEDIATE_ARREARS_2M", "ARREARS_DURATION"}
    alert.refresh_from_db()
    assert alert.status == "handled" and case.number in alert.outcome
    assert "60 个工作日" in case.deadline_basis and "case.facts_working_days=10" in case.stage_due_basis
    assert Notification.objects.filter(recipient=luoxi, subject__contains="新立案件").exists()
    assert [e.kind for e in case.events.order_by("pk")] == ["open", "note"]


def test_the_same_alert_cannot_open_two_cases(world, office):
    alert = red_alert(world.luoxi_factory)
    first = open_case(world.luoxi_factory, actor=office, alert=alert)
    with pytest.raises(DomainError, match=first.number):
        open_case(world.luoxi_factory, actor=office, alert=alert)


def test_opening_is_refused_outside_the_territory_blank_or_for_another_enterprises_alert(
    world, xuejia, office
):
    with pytest.raises(ScopeViolation):
        open_case(world.luoxi_factory, actor=xuejia)
    with pytest.raises(DomainError, match="基本案情"):
        open_case(world.xuejia_factory, actor=xuejia, summary="  ")
    alert = red_alert(world.luoxi_factory)
    with pytest.raises(DomainError, match="预警不属于"):
        open_case(world.xuejia_factory, actor=office, alert=alert)
    with pytest.raises(DomainError, match="不能为负数"):
        open_case(world.xuejia_factory, actor=office, workers=-1)
    assert not Case.objects.exists()


def test_a_project_case_is_led_by_the_project_town(world, office):
    case = open_case(world.luoxi_builder, actor=office, project=world.luoxi_project)
    assert case.town_id == world.luoxi_project.town_id
    with pytest.raises(DomainError, match="工程项目"):
        open_case(world.xuejia_factory, actor=office, project=world.luoxi_project)


def test_the_leader_and_the_auditor_cannot_open_a_case(world, leader, auditor):
    for who in (leader, auditor):
        with pytest.raises(PermissionDenied):
            open_case(world.luoxi_factory, actor=who)


# --- stages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("transition", [t for t in workflow.TRANSITIONS if t.action == workflow.ADVANCE])
def test_every_advance_is_allowed_to_the_lead_town(world, luoxi, transition):
    case = open_case(world.luoxi_factory)
    Case.objects.filter(pk=case.pk).update(stage=transition.source)
    case.refresh_from_db()
    moved = services.case_move(actor=luoxi, case=case, action="advance")
    assert moved.stage == transition.target
    event = moved.events.filter(kind="move").get()
    assert (event.from_stage, event.to_stage, event.actor) == (
        transition.source,
        transition.target,
        luoxi,
    )
    assert moved.stage_due_at is not None and moved.reminded_at is None


@pytest.mark.parametrize("transition", [t for t in workflow.TRANSITIONS if t.action == workflow.SKIP])
def test_every_skip_needs_a_reason(world, luoxi, transition):
    case = open_case(world.luoxi_factory)
    Case.objects.filter(pk=case.pk).update(stage=transition.source)
    case.refresh_from_db()
    with pytest.raises(DomainError, match="须说明理由"):
        services.case_move(actor=luoxi, case=case, action="skip")
    moved = services.case_move(actor=luoxi, case=case, action="skip", reason="企业已停产，无现场需控制")
    assert moved.stage == transition.target
    assert moved.events.get(kind="skip").note == "企业已停产，无现场需控制"


def test_moves_that_do_not_exist_are_refused_with_the_stage(world, luoxi):
    case = open_case(world.luoxi_factory)
    Case.objects.filter(pk=case.pk).update(stage=Stage.ENFORCEMENT)
    case.refresh_from_db()
    with pytest.raises(DomainError, match="“执行”阶段，不能“进入下一阶段”"):
        services.case_move(actor=luoxi, case=case, action="advance")
    with pytest.raises(DomainError, match="不能“跳过下一阶段”"):
        services.case_move(actor=luoxi, case=case, action="skip", reason="x")
    with pytest.raises(DomainError):
        services.case_move(actor=luoxi, case=case, action="close")
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, outcome="unfounded", closed_at=timezone.now())
    case.refresh_from_db()
    with pytest.raises(DomainError):
        services.case_move(actor=luoxi, case=case, action="advance")


def test_only_the_lead_unit_or_the_office_moves_a_case(world, office, xuejia, renshe, chengjian, leader):
    case = open_case(world.luoxi_factory)
    for who in (xuejia, renshe, chengjian):
        with pytest.raises(PermissionDenied):
            services.case_move(actor=who, case=case, action="advance")
    with pytest.raises(PermissionDenied):
        services.case_move(actor=leader, case=case, action="advance")
    assert services.case_move(actor=office, case=case, action="advance").stage == "control"


def test_a_stale_move_is_told_someone_else_did_it(world, luoxi, office):
    case = open_case(world.luoxi_factory)
    stale = Case.objects.get(pk=case.pk)
    services.case_move(actor=office, case=case, action="advance")
    with pytest.raises(DomainError, match="已被他人处理") as caught:
        services.case_move(actor=luoxi, case=stale, action="advance")
    assert caught.value.code == "conflict"
    assert Case.objects.get(pk=case.pk).stage == "control"
    assert CaseEvent.objects.filter(case=case, kind="move").count() == 1


def test_a_red_case_needs_an_approved_plan_before_mediation(world, luoxi, office, xuejia):
    case = open_case(world.luoxi_factory, actor=office, alert=red_alert(world.luoxi_factory))
    case = services.case_move(actor=luoxi, case=case, action="advance")
    with pytest.raises(DomainError, match="未编制"):
        services.case_move(actor=luoxi, case=case, action="advance")
    with pytest.raises(DomainError, match="工作措施"):
        services.plan_save(actor=luoxi, case=case, measures="", responsible="镇长", timeline="一周")
    with pytest.raises(PermissionDenied):
        services.plan_save(actor=xuejia, case=case, measures="约谈", responsible="镇长", timeline="一周")
    services.plan_save(
        actor=luoxi, case=case, measures="约谈企业主，清点资产", responsible="分管镇长", timeline="一周内"
    )
    with pytest.raises(DomainError, match="草拟中"):
        services.case_move(actor=luoxi, case=case, action="advance")
    services.plan_submit(actor=luoxi, case=case)
    with pytest.raises(PermissionDenied):
        services.plan_review(actor=luoxi, case=case, approve=True)
    with pytest.raises(DomainError, match="修改意见"):
        services.plan_review(actor=office, case=case, approve=False)
    services.plan_review(actor=office, case=case, approve=False, note="补充资产变现安排")
    services.plan_save(
        actor=luoxi,
        case=case,
        measures="约谈企业主，清点资产，变现设备",
        responsible="分管镇长",
        timeline="一周内",
    )
    services.plan_submit(actor=luoxi, case=case)
    services.plan_review(actor=office, case=case, approve=True, note="同意")
    assert services.case_move(actor=luoxi, case=case, action="advance").stage == "mediation"
    # An approved plan revised is a new draft: it must be approved again.
    plan = services.plan_save(
        actor=luoxi, case=case, measures="改", responsible="分管镇长", timeline="一周内"
    )
    assert plan.status == "draft"


def test_a_case_that_is_not_red_needs_no_plan_approval(world, luoxi):
    case = open_case(world.luoxi_factory)
    case = services.case_move(actor=luoxi, case=case, action="skip", reason="无现场")
    assert case.stage == "mediation"


# --- closing ----------------------------------------------------------------------------------------


def test_closing_needs_an_outcome_that_fits_the_amounts_and_actions(world, luoxi):
    case = open_case(world.luoxi_factory, amount_claimed=12_000_000)
    with pytest.raises(DomainError, match="少于登记欠薪金额"):
        services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=11_999_999)
    with pytest.raises(DomainError, match="已办结的调解措施"):
        services.case_close(actor=luoxi, case=case, outcome="mediated", amount_paid=12_000_000)
    with pytest.raises(DomainError, match="仲裁、法院或移送公安"):
        services.case_close(actor=luoxi, case=case, outcome="partly", amount_paid=5_000_000)
    with pytest.raises(DomainError, match="核查情况"):
        services.case_close(actor=luoxi, case=case, outcome="unfounded", amount_paid=0)
    with pytest.raises(DomainError, match="结案方式"):
        services.case_close(actor=luoxi, case=case, outcome="whatever", amount_paid=0)
    assert Case.objects.get(pk=case.pk).stage == "facts"
    closed = services.case_close(
        actor=luoxi, case=case, outcome="paid", amount_paid=12_000_000, note="企业已全额支付"
    )
    assert (closed.stage, closed.outcome, seam.paid_so_far([closed.pk])[closed.pk], closed.closed_by) == (
        "closed",
        "paid",
        12_000_000,
        luoxi,
    )
    assert closed.events.get(kind="close").note.startswith("全额清偿，已支付 ¥120,000.00")
    with pytest.raises(DomainError, match="已结案"):
        services.case_close(actor=luoxi, case=closed, outcome="paid", amount_paid=12_000_000)


def test_an_unfinished_action_blocks_closing_except_into_the_courts(world, luoxi, renshe):
    from anxin.cases.actions import action_request

    case = open_case(world.luoxi_factory, amount_claimed=12_000_000)
    action_request(
        actor=renshe,
        case=case,
        kind="order",
        amount=12_000_000,
        pay_by=timezone.localdate() + datetime.timedelta(days=7),
    )
    with pytest.raises(DomainError, match="尚有未办结的措施：责令限期支付"):
        services.case_close(actor=luoxi, case=case, outcome="paid", amount_paid=12_000_000)
    action_request(actor=luoxi, case=case, kind="court")
    closed = services.case_close(actor=luoxi, case=case, outcome="partly", amount_paid=4_000_000)
    assert closed.outcome == "partly"


def test_the_deadline_extends_once_by_hrss_or_the_office(world, luoxi, renshe, office):
    case = open_case(world.luoxi_factory)
    with pytest.raises(PermissionDenied):
        services.case_extend(actor=luoxi, case=case, reason="复杂")
    with pytest.raises(DomainError, match="理由"):
        services.case_extend(actor=renshe, case=case, reason="")
    before = case.deadline_at
    extended = services.case_extend(actor=renshe, case=case, reason="涉及人数多，需逐人核对")
    assert extended.extended and extended.deadline_at > before + datetime.timedelta(days=30)
    assert "inspection.extension_working_days=30" in extended.deadline_basis
    with pytest.raises(DomainError, match="只能延长一次"):
        services.case_extend(actor=office, case=extended, reason="再延")


def test_case_update_records_each_change(world, luoxi, xuejia, renshe):
    from anxin.org.models import Unit

    case = open_case(world.luoxi_factory)
    with pytest.raises(PermissionDenied):
        services.case_update(actor=xuejia, case=case, workers=20)
    services.case_update(
        actor=luoxi, case=case, workers=20, amount_claimed=15_000_000, owner_absconded=True,
        co_units=[Unit.objects.get(code="hrss")],
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.workers, case.amount_claimed, case.owner_absconded) == (20, 15_000_000, True)
    note = case.events.get(kind="update").note
    assert "涉及人数：12 → 20" in note and "120,000.00 → 150,000.00" in note and "企业主逃匿：是" in note
    assert "增加协办单位：区人社局" in note
    with pytest.raises(DomainError, match="不能为负数"):
        services.case_update(actor=luoxi, case=case, workers=-3)


# --- incidents and site control -------------------------------------------------------------------


def test_a_mass_incident_flags_the_case_and_reaches_the_office_and_the_police(
    world, luoxi, office, gongan, django_capture_on_commit_callbacks
):
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="聚集人数"):
        services.incident_record(
            actor=luoxi, case=case, kind="mass", occurred_at=timezone.now(), place="厂门口", people=0,
            command_post="镇长", measures="劝离",
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_record(
            actor=luoxi, case=case, kind="mass", occurred_at=timezone.now(), place="厂门口", people=45,
            command_post="现场指挥部：分管镇长、派出所所长、人社局监察大队", measures="登记工人诉求，劝离堵路人员",
        )  # fmt: skip
    case.refresh_from_db()
    assert case.mass_incident and Incident.objects.get(case=case).people == 45
    assert Notification.objects.filter(recipient=office, topic="case-incident").exists()
    assert Notification.objects.filter(recipient=gongan, topic="case-incident").exists()


def test_an_extreme_incident_with_serious_impact_is_recorded_and_a_closure_cannot_claim_one(world, luoxi):
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="只用于群体性事件或极端事件"):
        services.incident_record(
            actor=luoxi, case=case, kind="closure", occurred_at=timezone.now(), place="厂区", people=0,
            command_post="镇长", measures="封存设备", serious=True,
        )  # fmt: skip
    assert not Incident.objects.filter(case=case).exists()
    services.incident_record(
        actor=luoxi, case=case, kind="extreme", occurred_at=timezone.now(), place="塔吊", people=1,
        command_post="镇长、派出所", measures="劝导下塔", serious=True,
    )  # fmt: skip
    case.refresh_from_db()
    incident = Incident.objects.get(case=case)
    assert incident.serious and incident.kind == "extreme" and case.mass_incident


def test_asset_custody_needs_its_paperwork_and_a_looted_item_is_recovered(world, luoxi, xuejia):
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="委托保管手续"):
        services.asset_record(
            actor=luoxi, case=case, item="seal", custody=Custody.ENTRUSTED, custodian="村委会"
        )
    with pytest.raises(DomainError, match="文号"):
        services.asset_record(
            actor=luoxi, case=case, item="equipment", custody=Custody.PRESERVATION, custodian="法院"
        )
    with pytest.raises(DomainError, match="只有委托基层组织保管才有保管费"):
        services.asset_record(
            actor=luoxi, case=case, item="books", custody=Custody.SELF, custodian="企业财务", fee=100
        )
    with pytest.raises(PermissionDenied):
        services.asset_record(
            actor=xuejia, case=case, item="books", custody=Custody.SELF, custodian="企业财务"
        )
    seal = services.asset_record(
        actor=luoxi, case=case, item="seal", custody=Custody.ENTRUSTED, custodian="罗溪镇某村委会",
        agreement="罗委保〔2026〕3号", fee=50_000,
    )  # fmt: skip
    assert seal.fee == 50_000 and "优先受偿" in case.events.get(kind="asset").note
    stock = services.asset_record(
        actor=luoxi, case=case, item="stock", custody=Custody.SELF, custodian="企业", looted=True
    )
    with pytest.raises(DomainError, match="未登记为被哄抢"):
        services.asset_recover(actor=luoxi, asset=seal, recovered_on=timezone.localdate())
    with pytest.raises(DomainError, match="晚于今天"):
        services.asset_recover(
            actor=luoxi, asset=stock, recovered_on=timezone.localdate() + datetime.timedelta(days=1)
        )
    recovered = services.asset_recover(
        actor=luoxi, asset=stock, recovered_on=timezone.localdate(), note="派出所追回"
    )
    assert recovered.recovered_on == timezone.localdate()
    assert AssetItem.objects.count() == 2


def test_the_plan_is_one_per_case(world, luoxi):
    case = open_case(world.luoxi_factory)
    services.plan_save(actor=luoxi, case=case, measures="a", responsible="b", timeline="c")
    services.plan_save(actor=luoxi, case=case, measures="a2", responsible="b", timeline="c")
    assert Plan.objects.filter(case=case).count() == 1


def test_only_the_office_changes_the_level_that_decides_plan_approval(world, luoxi, office):
    case = open_case(world.luoxi_factory, actor=office, alert=red_alert(world.luoxi_factory))
    with pytest.raises(PermissionDenied, match="联席办"):
        services.case_update(actor=luoxi, case=case, level="yellow")
    services.case_update(actor=office, case=case, level="orange")
    assert Case.objects.get(pk=case.pk).level == "orange"


def test_a_line_department_opens_a_case_from_an_alert_it_cannot_handle(world, office, chengjian):
    alert = red_alert(world.luoxi_builder)  # a construction firm: in 城建局's line, routed to 人社局
    case = open_case(world.luoxi_builder, actor=chengjian, alert=alert)
    alert.refresh_from_db()
    assert alert.status == "handled" and "城建局测试" in alert.outcome
    assert case.opened_by == chengjian


def test_the_case_deadline_is_reminded_and_reported_once(
    world, office, luoxi, django_capture_on_commit_callbacks
):
    from anxin.cases.deadlines import deadlines_sweep
    from anxin.core.tests.helpers import at

    case = open_case(world.luoxi_factory, actor=office)
    Case.objects.filter(pk=case.pk).update(stage_due_at=None, deadline_at=at("2026-12-31T23:59:59"))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep(now=at("2026-12-29T09:00"))
    assert Notification.objects.filter(recipient=luoxi, subject__contains="办结期限将于 2026-12-31").exists()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep(now=at("2027-01-04T09:00"))
        deadlines_sweep(now=at("2027-01-05T09:00"))
    assert Notification.objects.filter(recipient=office, subject__contains="超过办结期限").count() == 1


def test_a_case_from_an_alert_takes_workers_and_amount_from_the_alerts_evidence(
    world, office, django_capture_on_commit_callbacks
):
    alert = complaints_alert(world.xuejia_factory, office, django_capture_on_commit_callbacks)
    case = services.case_open(actor=office, enterprise=world.xuejia_factory, alert=alert, summary="三次投诉")
    assert (case.workers, case.amount_claimed) == (12, 7_000_000)


def test_an_open_case_the_user_cannot_see_is_not_named_to_them(world, office, luoxi):
    """The same contractor's open case at another town's site is that town's dispute: the 罗溪 user
    opening one for a 罗溪 dispute is neither refused nor told the other case's number."""
    from anxin.org.models import Town

    elsewhere = open_case(world.luoxi_factory, actor=office)
    xuejia = Town.objects.get(code="xuejia")
    Case.objects.filter(pk=elsewhere.pk).update(town=xuejia, lead_unit=services.town_unit(xuejia.pk))
    assert services.open_case_of(world.luoxi_factory, user=luoxi) is None
    mine = open_case(world.luoxi_factory, actor=luoxi)
    assert mine.pk != elsewhere.pk and mine.town.code == "luoxi"
    # The office sees both: a third is refused and names the earliest.
    with pytest.raises(DomainError, match=elsewhere.number):
        open_case(world.luoxi_factory, actor=office)


def test_a_second_case_for_an_enterprise_with_an_open_case_is_refused_unless_it_is_another_dispute(
    world, office
):
    first = open_case(world.luoxi_factory, actor=office)
    alert = red_alert(world.luoxi_factory)
    with pytest.raises(DomainError, match=first.number) as refused:
        open_case(world.luoxi_factory, actor=office, alert=alert)
    assert (refused.value.code, refused.value.field) == ("duplicate", "separate")
    assert Case.objects.count() == 1
    second = open_case(world.luoxi_factory, actor=office, alert=alert, separate=True)
    assert second.pk != first.pk and Case.objects.count() == 2
    opened = second.events.get(kind="open")  # the override is on the record
    assert f"已有办理中的案件 {first.number}，经确认另立新案" in opened.note
