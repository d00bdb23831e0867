"""insert_rows: what reaches the database is what the ORM would have written."""

from __future__ import annotations

import datetime
import gc

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from anxin.core.bulk import gc_paused, insert_rows
from anxin.core.models import CalendarDay, SecurityEvent


@pytest.mark.django_db
def test_times_and_json_round_trip_as_the_orm_writes_them():
    at = timezone.now().replace(microsecond=123456)
    sent = insert_rows(
        SecurityEvent,
        ["kind", "at", "username", "summary", "detail"],
        [("login", at, "张三", "登录", {"区": "新北", "n": [1, 2]}), ("logout", at, "李四", "", {})],
        batch_size=1,
    )
    assert sent == 2
    first = SecurityEvent.objects.get(username="张三")
    assert (first.kind, first.at, first.detail) == ("login", at, {"区": "新北", "n": [1, 2]})
    assert SecurityEvent.objects.filter(at=at).count() == 2  # the stored form compares like the ORM's


@pytest.mark.django_db
def test_upsert_updates_the_existing_row_and_a_plain_insert_refuses_a_duplicate():
    day = datetime.date(2031, 1, 2)
    insert_rows(CalendarDay, ["date", "is_workday", "name", "source"], [(day, True, "", "office")])
    insert_rows(
        CalendarDay,
        ["date", "is_workday", "name", "source"],
        [(day, False, "元旦", "office")],
        upsert_on=["date"],
    )
    assert CalendarDay.objects.filter(date=day).values_list("is_workday", "name").get() == (False, "元旦")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(CalendarDay, ["date", "is_workday", "name", "source"], [(day, True, "", "office")])


@pytest.mark.django_db
def test_returning_gives_the_new_ids_in_order_across_batches():
    at = timezone.now()
    rows = [("login", at, f"用户{n}", "", {"n": n}) for n in range(7)]
    ids = insert_rows(
        SecurityEvent, ["kind", "at", "username", "summary", "detail"], rows, returning=True, batch_size=3
    )
    assert len(ids) == 7
    stored = dict(SecurityEvent.objects.filter(pk__in=ids).values_list("pk", "username"))
    assert [stored[pk] for pk in ids] == [f"用户{n}" for n in range(7)]
    assert [SecurityEvent.objects.get(pk=pk).detail for pk in ids] == [{"n": n} for n in range(7)]


@pytest.mark.django_db
def test_columns_not_given_take_the_model_defaults():
    insert_rows(SecurityEvent, ["kind", "at"], [("logout", timezone.now())])
    event = SecurityEvent.objects.get()
    assert (event.username, event.summary, event.detail) == ("", "", {})


def test_an_upsert_does_not_claim_to_return_ids():
    with pytest.raises(ValueError, match="upsert"):
        insert_rows(CalendarDay, ["date", "is_workday"], [], upsert_on=["date"], returning=True)


def test_gc_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not end the outer one
    assert gc.isenabled()


def test_gc_paused_restores_the_collector_after_an_error_and_leaves_it_off_if_it_was():
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("失败")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
