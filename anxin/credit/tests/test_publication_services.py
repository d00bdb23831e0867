"""The publication of major violations (人社部令第29号): gathering each class at the period's edges, no
duplicates, the review and its refusals, publishing and its refusals, the last day on the public page,
withdrawal and expiry."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter
from anxin.credit.models import BatchStatus, EntryStatus, PublicationBatch, PublicationEvent, ViolationClass
from anxin.credit.publication_selectors import public_entries
from anxin.credit.services import publication as services
from anxin.credit.tests.factories_publication import (
    accepted_referral,
    at,
    gathered,
    published,
    serious_incident,
    wage_case,
)

D = datetime.date
Q3 = D(2026, 7, 1)
Q3_END = D(2026, 9, 30)
AFTER = D(2026, 10, 10)

pytestmark = pytest.mark.django_db


# --- periods ---------------------------------------------------------------------------------------


def test_periods_are_aligned_to_the_first_of_january():
    p = services.period_containing(D(2026, 5, 20), 3)
    assert (p.start, p.end, p.n, p.number, p.label) == (
        D(2026, 4, 1),
        D(2026, 6, 30),
        2,
        "XB-GB-2026-Q2",
        "2026年第2季度",
    )
    five = services.period_containing(D(2026, 12, 31), 5)
    assert (five.start, five.end, five.number) == (D(2026, 11, 1), D(2026, 12, 31), "XB-GB-2026-P3")
    assert services.period_containing(D(2026, 1, 1), 12).end == D(2026, 12, 31)


def test_the_last_ended_period_turns_over_on_the_first_day_of_the_next(district):
    assert services.last_ended_period(D(2026, 9, 30)).start == D(2026, 4, 1)
    assert services.last_ended_period(D(2026, 10, 1)).start == Q3
    assert services.last_ended_period(D(2026, 1, 1)).start == D(2025, 10, 1)


# --- gathering -------------------------------------------------------------------------------------


def test_an_order_on_a_large_case_is_gathered_on_the_periods_first_and_last_day_only(renshe):
    before = wage_case(D(2026, 6, 30), renshe)
    first = wage_case(Q3, renshe)
    last = wage_case(Q3_END, renshe)
    batch = gathered(renshe, Q3, on=AFTER)
    assert batch.number == "XB-GB-2026-Q3" and batch.status == BatchStatus.DRAFT
    cases = {e.case_id for e in batch.entries.all()}
    assert cases == {first.case_id, last.case_id}
    assert before.case_id not in cases
    assert {e.violation_class for e in batch.entries.all()} == {ViolationClass.WAGES}


def test_large_arrears_at_the_threshold_is_gathered_one_fen_below_is_not(renshe):
    at_threshold = wage_case(D(2026, 8, 3), renshe, amount=6_000_000)
    below = wage_case(D(2026, 8, 3), renshe, amount=5_999_999)
    batch = gathered(renshe, Q3, on=AFTER)
    cases = {e.case_id for e in batch.entries.all()}
    assert at_threshold.case_id in cases and below.case_id not in cases
    entry = batch.entries.get()
    assert entry.source["amount"] == 6_000_000
    assert entry.source["amount_source"] == "case.amount_claimed"
    assert entry.source["params"][0]["code"] == "publication.large_arrears_amount"
    assert entry.source["params"][0]["value"] == "6000000"
    assert {p["code"] for p in batch.params} == {
        "publication.interval_months",
        "publication.large_arrears_amount",
    }


def test_the_threshold_is_the_parameter_in_force(renshe, office):
    PolicyParameter.objects.create(
        code="publication.large_arrears_amount",
        name="数额较大",
        value="20000000",
        value_type="money",
        unit="分",
        effective_from=D(2026, 10, 1),
        citation="测试",
    )
    wage_case(D(2026, 8, 3), renshe)  # ¥120,000 < ¥200,000
    batch = gathered(renshe, Q3, on=AFTER)
    assert batch.entries.count() == 0
    assert batch.params[1]["value"] == "20000000"


def test_a_referral_is_gathered_by_the_day_the_police_accepted_it(renshe, gongan):
    first = accepted_referral(Q3, renshe, gongan)
    last = accepted_referral(Q3_END, renshe, gongan)
    after = accepted_referral(D(2026, 10, 1), renshe, gongan)
    batch = gathered(renshe, Q3, on=AFTER)
    refusals = {e.case_id for e in batch.entries.filter(violation_class=ViolationClass.REFUSAL)}
    assert refusals == {first.case_id, last.case_id}
    assert after.case_id not in refusals
    entry = batch.entries.get(violation_class=ViolationClass.REFUSAL, case=first.case)
    assert entry.source["referral"] == first.pk and entry.source["accepted_on"] == "2026-07-01"
    assert "2026年7月1日公安机关受理立案" in entry.handling
    assert "12名劳动者" in entry.facts and "12万元" in entry.facts


def test_a_serious_incident_is_gathered_by_its_local_day_and_a_plain_one_is_not(renshe):
    first = serious_incident(Q3, hour=0)
    last = serious_incident(Q3_END, hour=23)
    plain = serious_incident(D(2026, 8, 1), serious=False)
    before = serious_incident(D(2026, 6, 30), hour=23)
    batch = gathered(renshe, Q3, on=AFTER)
    impacts = {e.case_id for e in batch.entries.filter(violation_class=ViolationClass.IMPACT)}
    assert impacts == {first.case_id, last.case_id}
    assert plain.case_id not in impacts and before.case_id not in impacts
    entry = batch.entries.get(case=first.case)
    assert "聚集30人" in entry.facts and "罗溪镇某工地门口" in entry.facts
    assert entry.source["incidents"] == [first.pk]


def test_an_entry_is_copied_from_the_records(renshe):
    order = wage_case(D(2026, 8, 3), renshe)
    batch = gathered(renshe, Q3, on=AFTER)
    entry = batch.entries.get()
    case, e = order.case, order.case.enterprise
    assert (entry.name, entry.uscc, entry.address, entry.legal_rep) == (e.name, e.uscc, e.address, "王五")
    assert "拖欠12名劳动者劳动报酬共计12万元（120,000.00 元）" in entry.facts
    assert case.number in entry.facts and "2026年8月3日立案" in entry.facts
    assert "新人社监〔2026〕7号" in entry.handling and "2026年8月3日" in entry.handling
    assert "该案正在办理中" in entry.handling
    assert entry.source["case"] == case.pk and entry.source["orders"] == [order.pk]
    assert entry.source["citation"].endswith("第五条第（一）项")
    event = PublicationEvent.objects.get(batch=batch, action="gather")
    assert "新增 1 条" in event.note and "publication.large_arrears_amount" in event.note


def test_gathering_again_adds_new_entries_never_twice_and_never_brings_back_a_removed_one(renshe):
    first = wage_case(D(2026, 7, 10), renshe)
    second = wage_case(D(2026, 7, 11), renshe)
    batch = gathered(renshe, Q3, on=AFTER)
    removed = batch.entries.get(case=second.case)
    with time_machine.travel(at(AFTER), tick=False):
        services.entry_discard(actor=renshe, entry=removed, reason="已全额支付并经核实")
    third = wage_case(D(2026, 9, 1), renshe)  # recorded late, e.g. a transferred case
    with time_machine.travel(at(D(2026, 10, 12)), tick=False):
        again, added = services.batch_gather(actor=renshe, period_start=Q3)
    assert again.pk == batch.pk and added == 1
    assert {e.case_id: e.status for e in batch.entries.all()} == {
        first.case_id: EntryStatus.PENDING,
        second.case_id: EntryStatus.REMOVED,
        third.case_id: EntryStatus.PENDING,
    }
    assert any(p.get("regathered_on") == "2026-10-12" for p in again.params)


def test_gathering_is_refused_before_the_period_ends_off_its_start_or_once_published(renshe):
    with time_machine.travel(at(Q3_END), tick=False), pytest.raises(DomainError, match="尚未结束"):
        services.batch_gather(actor=renshe, period_start=Q3)
    with time_machine.travel(at(AFTER), tick=False), pytest.raises(DomainError, match="周期的首日"):
        services.batch_gather(actor=renshe, period_start=D(2026, 8, 1))
    wage_case(D(2026, 8, 3), renshe)
    batch = published(renshe, gathered(renshe, Q3, on=AFTER), on=AFTER)
    with time_machine.travel(at(AFTER), tick=False), pytest.raises(DomainError, match="已于 2026-10-10 公布"):
        services.batch_gather(actor=renshe, period_start=Q3)
    assert batch.entries.count() == 1


def test_tick_drafts_the_ended_periods_list_once(renshe):
    wage_case(D(2026, 8, 3), renshe)
    assert services.batches_sweep(now=at(Q3_END)) in (0, 1)  # Q2's list (nothing of ours)
    assert not PublicationBatch.objects.filter(period_start=Q3).exists()
    assert services.batches_sweep(now=at(D(2026, 10, 1), 0)) == 1
    batch = PublicationBatch.objects.get(period_start=Q3)
    assert batch.entries.count() == 1 and batch.drafted_by.username == "system"
    assert services.batches_sweep(now=at(D(2026, 10, 2))) == 0
    assert PublicationBatch.objects.filter(period_start=Q3).count() == 1


# --- review ----------------------------------------------------------------------------------------


@pytest.fixture
def batch(renshe):
    wage_case(D(2026, 7, 10), renshe)
    wage_case(D(2026, 7, 11), renshe)
    return gathered(renshe, Q3, on=AFTER)


@pytest.mark.parametrize("persona", ["chengjian", "luoxi", "xuejia", "caizheng", "leader"])
def test_only_renshe_and_the_office_review_and_publish(request, batch, persona):
    user = request.getfixturevalue(persona)
    entry = batch.entries.first()
    for call in (
        lambda: services.entry_keep(actor=user, entry=entry),
        lambda: services.entry_discard(actor=user, entry=entry, reason="x"),
        lambda: services.entry_edit(actor=user, entry=entry, facts="改"),
        lambda: services.batch_publish(actor=user, batch=batch),
        lambda: services.batch_gather(actor=user, period_start=Q3),
    ):
        with pytest.raises(PermissionDenied, match="人社局"):
            call()
    assert batch.entries.filter(status=EntryStatus.PENDING).count() == 2


def test_the_office_reviews_too(office, batch):
    entry = batch.entries.first()
    services.entry_keep(actor=office, entry=entry, note="属实")
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by, entry.review_note) == (EntryStatus.KEPT, office, "属实")


def test_removing_needs_a_reason_and_keeps_it(renshe, batch):
    entry = batch.entries.first()
    with pytest.raises(DomainError, match="删除须写明理由"):
        services.entry_discard(actor=renshe, entry=entry, reason="  ")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    services.entry_discard(actor=renshe, entry=entry, reason="经复核不属于数额较大")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED and entry.review_note == "经复核不属于数额较大"
    event = PublicationEvent.objects.get(entry=entry, batch=batch, action="discard")
    assert (
        "经复核不属于数额较大" in event.note
        and event.from_status == "pending"
        and event.to_status == "removed"
    )
    services.entry_keep(actor=renshe, entry=entry)  # a removed entry may be kept again before publication
    entry.refresh_from_db()
    assert entry.status == EntryStatus.KEPT


def test_editing_records_what_changed_and_refuses_an_id_number(renshe, batch):
    entry = batch.entries.first()
    old = entry.address
    services.entry_edit(actor=renshe, entry=entry, address="新北区罗溪镇工业路9号", reason="以营业执照为准")
    entry.refresh_from_db()
    assert entry.address == "新北区罗溪镇工业路9号"
    event = PublicationEvent.objects.get(batch=batch, action="edit", entry=entry)
    assert f"“{old}” → “新北区罗溪镇工业路9号”" in event.note and "以营业执照为准" in event.note
    with pytest.raises(DomainError, match="身份证号码"):
        services.entry_edit(actor=renshe, entry=entry, legal_rep="王五 32041119800101001X")
    with pytest.raises(DomainError, match="不能为空"):
        services.entry_edit(actor=renshe, entry=entry, facts=" ")
    with pytest.raises(DomainError, match="没有变化"):
        services.entry_edit(actor=renshe, entry=entry, address="新北区罗溪镇工业路9号")


def test_nothing_is_reviewed_or_edited_once_published(renshe, batch):
    published(renshe, batch, on=AFTER)
    entry = batch.entries.first()
    with pytest.raises(DomainError, match="已于 2026-10-10 公布"):
        services.entry_discard(actor=renshe, entry=entry, reason="x")
    with pytest.raises(DomainError, match="已于 2026-10-10 公布"):
        services.entry_edit(actor=renshe, entry=entry, facts="改")


# --- publishing ------------------------------------------------------------------------------------


def test_publishing_is_refused_while_an_entry_is_unreviewed(renshe, batch):
    services.entry_keep(actor=renshe, entry=batch.entries.first())
    with pytest.raises(DomainError, match=r"尚有 1 条未经审核.*人社部令第29号"):
        services.batch_publish(actor=renshe, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT and batch.published_on is None


def test_publishing_is_refused_with_no_kept_entry(renshe, batch):
    for entry in batch.entries.all():
        services.entry_discard(actor=renshe, entry=entry, reason="已清偿")
    with pytest.raises(DomainError, match="没有审核保留的信息"):
        services.batch_publish(actor=renshe, batch=batch)


def test_publishing_dates_the_kept_entries_with_the_parameter(renshe, batch):
    kept, removed = list(batch.entries.order_by("pk"))
    with time_machine.travel(at(D(2026, 10, 15)), tick=False):
        services.entry_keep(actor=renshe, entry=kept)
        services.entry_discard(actor=renshe, entry=removed, reason="重复")
        services.batch_publish(actor=renshe, batch=batch)
    batch.refresh_from_db()
    kept.refresh_from_db()
    removed.refresh_from_db()
    assert batch.status == BatchStatus.PUBLISHED and batch.published_on == D(2026, 10, 15)
    assert batch.published_by == renshe
    assert (kept.status, kept.published_on, kept.visible_until) == (
        EntryStatus.PUBLISHED,
        D(2026, 10, 15),
        D(2027, 10, 14),
    )
    assert removed.status == EntryStatus.REMOVED and removed.visible_until is None
    keep = [p for p in batch.params if p["code"] == "publication.keep_months"]
    assert keep and keep[0]["value"] == "12" and keep[0]["published_on"] == "2026-10-15"
    event = PublicationEvent.objects.get(
        batch=batch, action="publish", entry=None, to_status="published", from_status="draft"
    )
    assert "publication.keep_months=12" in event.note and "2027-10-14" in event.note


def test_an_entry_shows_on_its_last_day_and_is_gone_the_next(renshe, batch):
    published(renshe, batch, on=D(2026, 10, 15))
    last = D(2027, 10, 14)
    assert public_entries(on=last).count() == 2
    assert public_entries(on=D(2026, 10, 14)).count() == 0  # not before its publication
    assert public_entries(on=last + datetime.timedelta(days=1)).count() == 0
    assert services.entries_lapse(now=at(last)) == 0
    assert services.entries_lapse(now=at(last + datetime.timedelta(days=1), 0)) == 2
    assert services.entries_lapse(now=at(last + datetime.timedelta(days=2))) == 0
    entry = batch.entries.first()
    assert entry.status == EntryStatus.EXPIRED and entry.ended_on == last + datetime.timedelta(days=1)
    assert PublicationEvent.objects.filter(batch=batch, action="lapse").count() == 2


def test_withdrawing_needs_a_reason_and_takes_the_entry_off_at_once(renshe, batch):
    published(renshe, batch, on=AFTER)
    entry = batch.entries.first()
    with time_machine.travel(at(D(2026, 11, 2)), tick=False):
        with pytest.raises(DomainError, match="撤下须写明理由"):
            services.entry_withdraw(actor=renshe, entry=entry, reason="")
        services.entry_withdraw(actor=renshe, entry=entry, reason="行政复议撤销原处理决定")
        assert public_entries().count() == 1
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN and entry.ended_on == D(2026, 11, 2)
    with pytest.raises(DomainError, match="不能“撤下”"):
        services.entry_withdraw(actor=renshe, entry=entry, reason="再次")


def test_tick_runs_both_sweeps(renshe):
    from io import StringIO

    from django.core.management import call_command

    wage_case(D(2026, 8, 3), renshe)
    out = StringIO()
    call_command("tick", now="2026-10-01T08:00", stdout=out)
    assert "重大劳动保障违法行为：期满生成待公布名单：1" in out.getvalue()
    batch = published(renshe, PublicationBatch.objects.get(period_start=Q3), on=D(2026, 10, 2))
    out = StringIO()
    call_command("tick", now="2027-10-02T00:05", stdout=out)
    assert "重大劳动保障违法行为：公布期满撤下：1" in out.getvalue()
    assert batch.entries.get().status == EntryStatus.EXPIRED


def test_a_new_list_and_a_publication_are_told_to_renshe_and_the_office(
    renshe, office, django_capture_on_commit_callbacks
):
    from anxin.notify.models import Notification

    wage_case(D(2026, 8, 3), renshe)
    with django_capture_on_commit_callbacks(execute=True):
        batch = gathered(renshe, Q3, on=AFTER)
    told = Notification.objects.filter(topic="credit-publication")
    assert told.filter(recipient=renshe, subject__contains="新增 1 条").exists()
    assert told.filter(recipient=office, subject__contains="新增 1 条").exists()
    assert told.filter(url=f"/credit/publication/{batch.pk}/").exists()


def test_a_period_overlapping_an_earlier_list_is_refused(renshe, office):
    gathered(renshe, Q3, on=AFTER)
    PolicyParameter.objects.create(
        code="publication.interval_months",
        name="公布周期",
        value="2",
        value_type="int",
        unit="个月",
        effective_from=D(2026, 11, 1),
        citation="测试",
    )
    with time_machine.travel(at(D(2026, 11, 2)), tick=False), pytest.raises(DomainError, match="重叠"):
        services.batch_gather(actor=renshe, period_start=D(2026, 9, 1))
    assert services.batches_sweep(now=at(D(2026, 11, 2))) == 0  # Sep–Oct overlaps Q3: not drafted
    assert PublicationBatch.objects.count() == 1
