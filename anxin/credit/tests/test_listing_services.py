"""The joint-punishment list's procedure (暂行办法; §三(七)): each step and each refusal, with the clock
moved — the defence period's last day and the next, the term's last day and the next, the early
removal's first day and the day before — automatic proposals from cases, re-default restarts."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.cases.models import Incident, LegalAction
from anxin.cases.tests.factories import lapsed_order, open_case, referral
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter
from anxin.credit import services
from anxin.credit.models import (
    CreditFile,
    Listing,
    ListingEvent,
    ListingOrigin,
    ListingStatus,
    PersonRole,
    RemovalStatus,
)
from anxin.credit.tests.factories_listing import (
    at,
    day,
    id_number,
    listable_case,
    listed,
    new_enterprise,
    paid_in_full,  # noqa: F401  (a fixture)
    pledge,
    proposed,
    serious_incident,
    served,
)
from anxin.notify.models import Notification

pytestmark = pytest.mark.django_db


# --- proposing: the condition, checked against the records --------------------------------------------


def test_a_proposal_without_a_condition_is_refused_naming_article_five(renshe):
    case = listable_case(renshe)
    with pytest.raises(DomainError) as refused:
        services.listing_propose(actor=renshe, condition="", reasons="欠薪", case=case)
    assert "第五条" in refused.value.message and refused.value.field == "condition"
    with pytest.raises(DomainError, match="第五条"):
        services.listing_propose(actor=renshe, condition="bad_faith", reasons="欠薪", case=case)
    assert not Listing.objects.exists()


def test_a_proposal_records_the_check_with_lines_params_and_records(renshe):
    case = listable_case(renshe)
    listing = services.listing_propose(actor=renshe, condition="order_threshold", reasons="欠薪", case=case)
    check = listing.condition_check
    assert check["met"] and check["records"]["case"] == case.pk
    assert check["records"]["order"] == case.actions.get(kind="order").pk
    assert any("多人标准（达到）" in line for line in check["lines"])
    assert {p["code"] for p in check["params"]} >= {"crime.multi_workers", "crime.multi_amount"}
    assert all(p["citation"] for p in check["params"])
    assert "第五条第（一）项" in check["clause"]
    assert listing.number.startswith(f"XB-SX-{datetime.date.today().year}-")
    assert listing.origin == ListingOrigin.MANUAL and listing.status == ListingStatus.PROPOSED
    assert listing.events.filter(action="propose").exists()


def test_numbers_run_in_sequence(renshe):
    first = services.listing_propose(
        actor=renshe, condition="order_threshold", reasons="欠薪", case=listable_case(renshe)
    )
    second = services.listing_propose(
        actor=renshe, condition="order_threshold", reasons="欠薪", case=listable_case(renshe)
    )
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_without_a_lapsed_order_the_proposal_is_refused_with_the_lines(renshe):
    case = open_case(new_enterprise())
    with pytest.raises(DomainError) as refused:
        services.listing_propose(actor=renshe, condition="order_threshold", reasons="欠薪", case=case)
    assert "尚无逾期未履行的责令限期支付" in refused.value.message
    assert "第五条第（一）项" in refused.value.message


def test_below_the_threshold_the_proposal_is_refused_naming_the_figures(renshe):
    case = listable_case(renshe, workers=9, amount=5_000_000)  # 9 workers, ¥50,000: below 10 and ¥60,000
    with pytest.raises(DomainError) as refused:
        services.listing_propose(actor=renshe, condition="order_threshold", reasons="欠薪", case=case)
    message = refused.value.message
    assert "多人标准（未达到）" in message and "9 人" in message and "50,000.00" in message


def test_a_referral_checked_at_the_threshold_is_the_evidence(renshe):
    case = open_case(
        new_enterprise(), workers=3, amount_claimed=1_000_000
    )  # the case's own figures fall short
    _order, made = referral(case, renshe)  # the referral was checked with 12 workers, ¥120,000
    listing = services.listing_propose(actor=renshe, condition="order_threshold", reasons="已移送", case=case)
    assert listing.condition_check["records"]["referral"] == made.pk


def test_the_incident_condition_needs_a_serious_mass_or_extreme_incident(renshe):
    case = listable_case(renshe, workers=2, amount=100_000)
    serious_incident(case, renshe, serious=False)
    serious_incident(case, renshe, kind=Incident.Kind.CLOSURE)
    with pytest.raises(DomainError, match="未登记造成严重不良社会影响"):
        services.listing_propose(actor=renshe, condition="order_incident", reasons="群体事件", case=case)
    incident = serious_incident(case, renshe, kind=Incident.Kind.EXTREME)
    listing = services.listing_propose(
        actor=renshe, condition="order_incident", reasons="群体事件", case=case
    )
    assert listing.condition_check["records"]["incident"] == incident.pk
    assert "第五条第（二）项" in listing.condition_check["clause"]


def test_by_enterprise_the_case_that_meets_the_condition_is_found(renshe):
    enterprise = new_enterprise()
    open_case(enterprise, workers=1, amount_claimed=100)
    case = listable_case(renshe, enterprise)
    listing = services.listing_propose(
        actor=renshe, condition="order_threshold", reasons="欠薪", enterprise=enterprise
    )
    assert listing.case_id == case.pk


def test_one_open_procedure_per_enterprise(renshe):
    case = listable_case(renshe)
    first = services.listing_propose(actor=renshe, condition="order_threshold", reasons="欠薪", case=case)
    with pytest.raises(DomainError) as refused:
        services.listing_propose(actor=renshe, condition="order_threshold", reasons="欠薪", case=case)
    assert first.number in refused.value.message and refused.value.code == "conflict"


@pytest.mark.parametrize("persona", ["chengjian", "luoxi", "caizheng"])
def test_only_hrss_and_the_office_propose(request, renshe, persona):
    case = listable_case(renshe)
    with pytest.raises(PermissionDenied, match="只有区人社局和联席办"):
        services.listing_propose(
            actor=request.getfixturevalue(persona), condition="order_threshold", reasons="欠薪", case=case
        )


def test_the_office_proposes(renshe, office):
    listing = services.listing_propose(
        actor=office, condition="order_threshold", reasons="欠薪", case=listable_case(renshe)
    )
    assert listing.proposed_by == office


def test_a_proposal_tells_hrss_and_the_office(renshe, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_propose(
            actor=renshe, condition="order_threshold", reasons="欠薪", case=listable_case(renshe)
        )
    told = set(
        Notification.objects.filter(subject__contains=listing.number).values_list(
            "recipient__unit__code", flat=True
        )
    )
    assert {"hrss", "office"} <= told


# --- automatic candidates -------------------------------------------------------------------------------


def test_tick_proposes_every_case_that_meets_a_condition_once(renshe):
    by_threshold = listable_case(renshe)
    by_incident = listable_case(renshe, workers=2, amount=100_000)
    serious_incident(by_incident, renshe)
    below = listable_case(renshe, workers=2, amount=100_000)
    assert services.listings_propose_auto() == 2
    assert Listing.objects.get(case=by_threshold).condition == "order_threshold"
    auto = Listing.objects.get(case=by_incident)
    assert auto.condition == "order_incident" and auto.origin == ListingOrigin.AUTO
    assert auto.proposed_by.username == "system"
    assert not Listing.objects.filter(case=below).exists()
    assert services.listings_propose_auto() == 0  # idempotent


def test_tick_never_proposes_a_case_again_after_its_procedure_ended(renshe):
    case = listable_case(renshe)
    assert services.listings_propose_auto() == 1
    listing = Listing.objects.get(case=case)
    services.listing_drop(actor=renshe, listing=listing, reasons="已全部支付")
    assert services.listings_propose_auto() == 0


def test_tick_waits_while_the_enterprise_has_a_procedure(renshe):
    enterprise = new_enterprise()
    first = listable_case(renshe, enterprise)
    services.listing_propose(actor=renshe, condition="order_threshold", reasons="欠薪", case=first)
    listable_case(renshe, enterprise)
    assert services.listings_propose_auto() == 0


# --- serving the notice ---------------------------------------------------------------------------------


def test_serving_sets_the_defence_period_with_its_basis(renshe):
    listing = served(renshe, proposed(renshe), on="2026-03-02")  # Monday
    assert listing.status == ListingStatus.NOTICED
    assert listing.defence_due == day("2026-03-09")  # 5 working days from the next day
    assert "blacklist.defence_working_days=5" in listing.defence_basis
    assert listing.notice_reference == "新人社信告〔2026〕1号" and listing.service_method == "直接送达"


def test_serving_in_the_future_or_before_the_proposal_is_refused(renshe):
    listing = proposed(renshe, on="2026-03-02T09:00")
    with time_machine.travel(at("2026-03-05T10:00"), tick=False):
        with pytest.raises(DomainError, match="不能晚于今天"):
            services.listing_serve_notice(
                actor=renshe, listing=listing, served_on=day("2026-03-06"), reference="告1", method="直接送达"
            )
        with pytest.raises(DomainError, match="不能早于提出拟列入的日期 2026-03-02"):
            services.listing_serve_notice(
                actor=renshe, listing=listing, served_on=day("2026-03-01"), reference="告1", method="直接送达"
            )
        with pytest.raises(DomainError, match="送达方式"):
            services.listing_serve_notice(
                actor=renshe, listing=listing, served_on=day("2026-03-03"), reference="告1", method="口头"
            )


def test_a_proof_of_service_is_kept(renshe):
    listing = proposed(renshe)
    with time_machine.travel(at("2026-03-03T10:00"), tick=False):
        services.listing_serve_notice(
            actor=renshe, listing=listing, served_on=day("2026-03-03"), reference="告1", method="邮寄送达",
            proof=pledge("回证.pdf"),
        )  # fmt: skip
    listing.refresh_from_db()
    assert listing.service_proof is not None and listing.service_proof.kind == CreditFile.Kind.SERVICE


# --- the defence ----------------------------------------------------------------------------------------


def test_a_defence_on_the_last_day_is_recorded_the_next_day_refused(renshe):
    listing = served(renshe, proposed(renshe), on="2026-03-02")
    with time_machine.travel(at("2026-03-10T10:00"), tick=False):
        defence = services.defence_record(
            actor=renshe, listing=listing, received_on=day("2026-03-09"), summary="已筹措资金，请求暂缓"
        )
        assert listing.events.filter(action="defence", ref=f"defence:{defence.pk}").exists()
        with pytest.raises(DomainError) as refused:
            services.defence_record(
                actor=renshe, listing=listing, received_on=day("2026-03-10"), summary="再申辩"
            )
    assert "2026-03-09 届满" in refused.value.message and "2026-03-10" in refused.value.message


def test_a_defence_is_answered_once(renshe):
    listing = served(renshe, proposed(renshe), on="2026-03-02")
    with time_machine.travel(at("2026-03-04T10:00"), tick=False):
        defence = services.defence_record(
            actor=renshe, listing=listing, received_on=day("2026-03-04"), summary="申辩"
        )
        services.defence_answer(actor=renshe, defence=defence, adopted=False, answer="理由不成立")
        defence.refresh_from_db()
        assert defence.adopted is False and defence.answered_on == day("2026-03-04")
        with pytest.raises(DomainError, match="已复核"):
            services.defence_answer(actor=renshe, defence=defence, adopted=True, answer="再答")
    assert listing.events.filter(action="answer").count() == 1


# --- the persons ----------------------------------------------------------------------------------------


def test_a_person_is_kept_encrypted_and_shown_masked(renshe):
    listing = proposed(renshe)
    number = id_number()
    person = services.listed_person_add(
        actor=renshe, listing=listing, role=PersonRole.PRINCIPAL, name="李四", id_number=number
    )
    assert person.id_masked == number[:4] + "*" * 10 + number[-4:]
    assert number not in listing.events.latest("pk").note
    with pytest.raises(DomainError, match="已在该名单中"):
        services.listed_person_add(
            actor=renshe, listing=listing, role=PersonRole.RESPONSIBLE, name="李四", id_number=number
        )
    with pytest.raises(DomainError) as refused:
        wrong = id_number()
        wrong = wrong[:-1] + ("1" if wrong[-1] != "1" else "2")  # a wrong check digit
        services.listed_person_add(
            actor=renshe, listing=listing, role=PersonRole.RESPONSIBLE, name="王五", id_number=wrong
        )
    assert refused.value.field == "id_number"
    services.listed_person_remove(actor=renshe, person=person, reason="登记错误")
    assert not listing.persons.filter(name="李四").exists()


# --- the decision ---------------------------------------------------------------------------------------


def test_deciding_before_the_notice_is_served_is_refused(renshe):
    listing = proposed(renshe)
    with (
        time_machine.travel(at("2026-03-20T10:00"), tick=False),
        pytest.raises(DomainError, match="拟列入告知书尚未送达"),
    ):
        services.listing_decide(actor=renshe, listing=listing, decision="list", reasons="符合")


def test_deciding_on_the_defence_periods_last_day_is_refused_the_next_day_allowed(renshe):
    listing = served(renshe, proposed(renshe), on="2026-03-02")
    with time_machine.travel(at("2026-03-09T16:00"), tick=False), pytest.raises(DomainError) as refused:
        services.listing_decide(actor=renshe, listing=listing, decision="list", reasons="符合")
    assert (
        "2026-03-09（含当日）尚未届满" in refused.value.message and "2026-03-10 起" in refused.value.message
    )
    with time_machine.travel(at("2026-03-10T09:00"), tick=False):
        services.listing_decide(actor=renshe, listing=listing, decision="list", reasons="符合")
    assert listing.status == ListingStatus.LISTED and listing.term_start == day("2026-03-10")


def test_a_back_dated_decision_inside_the_period_is_refused(renshe):
    listing = served(renshe, proposed(renshe), on="2026-03-02")
    with (
        time_machine.travel(at("2026-03-20T09:00"), tick=False),
        pytest.raises(DomainError, match="尚未届满"),
    ):
        services.listing_decide(
            actor=renshe, listing=listing, decision="list", reasons="符合", decided_on=day("2026-03-06")
        )


def test_deciding_with_a_defence_unanswered_is_refused(renshe):
    listing = served(renshe, proposed(renshe), on="2026-03-02")
    with time_machine.travel(at("2026-03-05T10:00"), tick=False):
        defence = services.defence_record(
            actor=renshe, listing=listing, received_on=day("2026-03-05"), summary="申辩"
        )
    with time_machine.travel(at("2026-03-20T10:00"), tick=False):
        with pytest.raises(DomainError, match="尚未复核答复"):
            services.listing_decide(actor=renshe, listing=listing, decision="list", reasons="符合")
        services.defence_answer(actor=renshe, defence=defence, adopted=False, answer="不成立")
        services.listing_decide(actor=renshe, listing=listing, decision="list", reasons="符合")
    assert listing.status == ListingStatus.LISTED


def test_listing_without_a_legal_representative_or_principal_is_refused(renshe):
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        listing = services.listing_propose(
            actor=renshe, condition="order_threshold", reasons="欠薪", case=listable_case(renshe)
        )
        services.listed_person_add(
            actor=renshe, listing=listing, role=PersonRole.RESPONSIBLE, name="赵六", id_number=id_number()
        )
    served(renshe, listing, on="2026-03-02")
    with time_machine.travel(at("2026-03-20T10:00"), tick=False):
        with pytest.raises(DomainError, match="法定代表人或主要负责人"):
            services.listing_decide(actor=renshe, listing=listing, decision="list", reasons="符合")
        # 不予列入 needs no person
        services.listing_decide(actor=renshe, listing=listing, decision="not_list", reasons="已全部支付")
    assert listing.status == ListingStatus.NOT_LISTED and listing.term_start is None


def test_listing_sets_the_term_and_tells_the_world(renshe, django_capture_on_commit_callbacks):
    received = []
    seam.register(
        seam.EVENT_RECEIVERS, lambda topic, payload: received.append((topic, payload)), app="credit-test"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            listing = listed(renshe, decided="2026-03-20")
    finally:
        store = seam._store(seam.EVENT_RECEIVERS)
        store.entries[:] = [e for e in store.entries if e[0] != "credit-test"]
    assert (listing.term_start, listing.term_end) == (day("2026-03-20"), day("2029-03-19"))
    assert "blacklist.years=3" in listing.term_basis
    assert ("credit.changed", {"enterprise_ids": [listing.enterprise_id]}) in received
    assert seam.enterprise_credit([listing.enterprise_id], on=day("2026-03-20"))[
        listing.enterprise_id
    ].blacklisted


def test_a_leap_day_term_ends_on_the_last_day_of_february(renshe):
    listing = listed(renshe, on="2028-02-14", decided="2028-02-29")
    assert listing.term_end == day("2031-02-28")


def test_drop_only_before_the_notice(renshe):
    listing = served(renshe, proposed(renshe))
    with pytest.raises(DomainError, match="不能“撤销拟列入”"):
        services.listing_drop(actor=renshe, listing=listing, reasons="误报")


# --- the term's end -------------------------------------------------------------------------------------


def test_a_listing_is_in_force_through_its_last_day_and_ends_the_next(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2029-03-19T23:00"), tick=False):
        assert services.listings_expire() == 0
        assert Listing.objects.in_force().filter(pk=listing.pk).exists()
    with time_machine.travel(at("2029-03-20T00:30"), tick=False):
        assert services.listings_expire() == 1
        assert services.listings_expire() == 0
        assert not Listing.objects.in_force().filter(pk=listing.pk).exists()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.EXPIRED and listing.ended_on == day("2029-03-19")
    assert listing.events.filter(action="expire", to_status="expired").exists()


# --- re-default -----------------------------------------------------------------------------------------


def test_a_second_lapsed_order_restarts_the_term_once(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2027-06-01T10:00"), tick=False):
        second = open_case(listing.enterprise, separate=True)
        order = lapsed_order(second, renshe)  # pay_by: yesterday, 2027-05-31
        assert services.listings_restart() == 1
        assert services.listings_restart() == 0
    listing.refresh_from_db()
    assert listing.term_start == day("2027-06-01") and listing.term_end == day("2030-05-31")
    assert listing.restarts == 1
    assert (
        ListingEvent.objects.filter(listing=listing, action="restart", ref=f"action:{order.pk}").count() == 1
    )


def test_no_restart_when_the_parameter_is_off(renshe):
    listing = listed(renshe, decided="2026-03-20")
    PolicyParameter.objects.filter(code="blacklist.restart_on_redefault").update(value="false")
    with time_machine.travel(at("2027-06-01T10:00"), tick=False):
        lapsed_order(open_case(listing.enterprise, separate=True), renshe)
        assert services.listings_restart() == 0


def test_the_order_the_listing_rests_on_does_not_restart_it(renshe):
    listing = listed(renshe, decided="2026-03-20")
    LegalAction.objects.filter(pk=listing.condition_check["records"]["order"]).update(
        pay_by=day("2026-03-25")
    )
    assert services.listings_restart() == 0


# --- early removal --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("paid_in_full")
def test_early_removal_on_the_first_allowed_day_not_the_day_before(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-09-19T10:00"), tick=False), pytest.raises(DomainError) as refused:
        services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-09-19"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="已清偿",
        )  # fmt: skip
    assert (
        "最早 2026-09-20 可以申请" in refused.value.message
        and "blacklist.early_removal_months=6" in refused.value.message
    )
    with time_machine.travel(at("2026-09-20T10:00"), tick=False):
        application = services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-09-20"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="已清偿",
        )  # fmt: skip
    assert application.pledge.kind == CreditFile.Kind.PLEDGE
    assert application.paid_check["outstanding"] == 0
    assert "blacklist.removal_decision_working_days=15" in application.due_basis


@pytest.mark.usefixtures("paid_in_full")
def test_early_removal_counts_the_minimum_from_the_correction_too(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False), pytest.raises(DomainError) as refused:
        services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-05-01"),
            pledge_file=pledge(), reasons="已清偿",
        )  # fmt: skip
    assert "改正（清偿）之日（2026-05-01）起满 6 个月" in refused.value.message
    assert "最早 2026-11-01 可以申请" in refused.value.message
    assert not listing.removals.exists()


def test_early_removal_with_arrears_outstanding_is_refused_naming_the_amount(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False), pytest.raises(DomainError) as refused:
        services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="",
        )  # fmt: skip
    assert (
        "尚欠 ¥120,000.00" in refused.value.message and "案件登记的欠薪金额减已支付" in refused.value.message
    )


@pytest.mark.usefixtures("paid_in_full")
def test_early_removal_without_the_pledge_is_refused(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        with pytest.raises(DomainError, match="信用承诺书"):
            services.removal_apply(
                actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
                pledge_file=None, reasons="",
            )  # fmt: skip
        with pytest.raises(DomainError):  # not a PDF or an image
            services.removal_apply(
                actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
                pledge_file=services.Paper("承诺.txt", b"I promise"), reasons="",
            )  # fmt: skip
    assert not listing.removals.exists()


@pytest.mark.usefixtures("paid_in_full")
def test_early_removal_granted_ends_the_listing(renshe, django_capture_on_commit_callbacks):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        application = services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="已清偿",
        )  # fmt: skip
        with pytest.raises(DomainError, match="已有待决定"):
            services.removal_apply(
                actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
                pledge_file=pledge(), reasons="已清偿",
            )  # fmt: skip
        services.removal_decide(actor=renshe, application=application, grant=True, reasons="符合提前移出条件")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.REMOVED and listing.ended_on == day("2026-10-08")
    assert application.status == RemovalStatus.GRANTED
    assert not seam.enterprise_credit([listing.enterprise_id], on=day("2026-10-08"))


@pytest.mark.usefixtures("paid_in_full")
def test_early_removal_refused_keeps_the_listing(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        application = services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="",
        )  # fmt: skip
        services.removal_decide(actor=renshe, application=application, grant=False, reasons="承诺书未签章")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LISTED


@pytest.mark.usefixtures("paid_in_full")
def test_a_pending_application_is_reminded_then_escalated_once_each(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        application = services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="",
        )  # fmt: skip
    due = application.due_on
    with time_machine.travel(
        datetime.datetime.combine(
            due - datetime.timedelta(days=4), datetime.time(9), tzinfo=at("2026-01-01T00:00").tzinfo
        ),
        tick=False,
    ):
        assert services.removals_remind() == 0
    with time_machine.travel(
        datetime.datetime.combine(
            due - datetime.timedelta(days=2), datetime.time(9), tzinfo=at("2026-01-01T00:00").tzinfo
        ),
        tick=False,
    ):
        assert services.removals_remind() == 1
        assert services.removals_remind() == 0
    with time_machine.travel(
        datetime.datetime.combine(due, datetime.time(9), tzinfo=at("2026-01-01T00:00").tzinfo), tick=False
    ):
        assert services.removals_remind() == 0
    with time_machine.travel(
        datetime.datetime.combine(
            due + datetime.timedelta(days=1), datetime.time(9), tzinfo=at("2026-01-01T00:00").tzinfo
        ),
        tick=False,
    ):
        assert services.removals_remind() == 1
        assert services.removals_remind() == 0
    application.refresh_from_db()
    assert application.reminded_at and application.escalated_at


def test_a_failed_service_leaves_nothing_behind(renshe):
    listing = listed(renshe, decided="2026-03-20")
    events = listing.events.count()
    files = CreditFile.objects.count()
    with time_machine.travel(at("2026-10-08T10:00"), tick=False), pytest.raises(DomainError):
        services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-10-08"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="",
        )  # fmt: skip
    assert listing.events.count() == events and CreditFile.objects.count() == files


@pytest.mark.usefixtures("paid_in_full")
def test_a_listing_that_expires_closes_its_pending_removal_application(renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-09-21T10:00"), tick=False):
        application = services.removal_apply(
            actor=renshe, listing=listing, applied_on=day("2026-09-21"), corrected_on=day("2026-03-01"),
            pledge_file=pledge(), reasons="已清偿",
        )  # fmt: skip
    with time_machine.travel(at("2029-03-20T10:00"), tick=False):
        assert services.listings_expire() == 1
    application.refresh_from_db()
    assert application.status == "refused" and "期满" in application.decision_reasons
