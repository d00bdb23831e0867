"""insert_rows and update_rows: what reaches the database is what the ORM would have written —
on PostgreSQL by either way (a few rows: one statement with an array per column; more: COPY)."""

from __future__ import annotations

import datetime
import gc

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from anxin.core import bulk
from anxin.core.bulk import gc_paused, insert_rows, update_rows
from anxin.core.models import CalendarDay, SecurityEvent
from anxin.org.models import User


@pytest.fixture(autouse=True, params=["few rows", "many rows"])
def way(request, monkeypatch):
    """Each test twice: as a few rows are written and as many are (PostgreSQL: COPY, here from the
    first row). SQLite has one way; it runs twice alike."""
    if request.param == "many rows":
        monkeypatch.setattr(bulk, "SMALL_BATCH", 0)
    return request.param


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


@pytest.mark.django_db
def test_nothing_to_write_sends_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(SecurityEvent, ["kind", "at"], iter([]), returning=True) == []
        assert insert_rows(CalendarDay, ["date", "is_workday"], [], upsert_on=["date"]) == 0
        assert update_rows(SecurityEvent, ["summary"], []) == 0


@pytest.mark.django_db
def test_a_text_too_long_for_its_column_is_never_cut():
    """PostgreSQL refuses it (an explicit cast to varchar(30) would have cut it silently); SQLite
    does not enforce lengths and keeps it whole."""
    too_long = "长" * 31  # kind: max_length=30
    try:
        with transaction.atomic():
            insert_rows(SecurityEvent, ["kind", "at"], [(too_long, timezone.now())])
    except DatabaseError:
        assert connection.vendor == "postgresql"
        assert not SecurityEvent.objects.exists()
    else:
        assert connection.vendor == "sqlite"
        assert SecurityEvent.objects.get().kind == too_long


@pytest.mark.django_db
def test_update_rows_writes_each_rows_values_as_the_orm_would():
    at = timezone.now().replace(microsecond=0)
    user = User.objects.create(username="bulk_user")
    ids = insert_rows(
        SecurityEvent,
        ["kind", "at", "username", "detail"],
        [("login", at, "甲", {}), ("login", at, "乙", {}), ("login", at, "丙", {})],
        returning=True,
    )
    later = at + datetime.timedelta(hours=1, microseconds=654321)
    sent = update_rows(
        SecurityEvent,
        ["at", "summary", "detail", "user_id", "ip"],
        [(ids[0], later, "改过", {"n": [1, "二"]}, user.pk, "10.0.0.1"), (ids[2], at, "", {}, None, None)],
    )
    assert sent == 2
    stored = {e.pk: e for e in SecurityEvent.objects.all()}
    first, second, third = (stored[pk] for pk in ids)
    assert (first.at, first.summary, first.detail, first.user_id, first.ip) == (
        later,
        "改过",
        {"n": [1, "二"]},
        user.pk,
        "10.0.0.1",
    )
    assert SecurityEvent.objects.filter(at=later).count() == 1  # stored as the ORM compares it
    assert (second.summary, second.at) == ("", at)  # not named: untouched
    assert (third.summary, third.user_id, third.ip) == ("", None, None)


@pytest.mark.django_db
def test_update_rows_by_another_unique_key():
    day = datetime.date(2031, 5, 1)
    insert_rows(CalendarDay, ["date", "is_workday", "name", "source"], [(day, True, "", "office")])
    assert update_rows(CalendarDay, ["is_workday", "name"], [(day, False, "劳动节")], key="date") == 1
    assert CalendarDay.objects.values_list("is_workday", "name").get(date=day) == (False, "劳动节")


@pytest.mark.django_db
def test_a_refused_update_changes_no_row():
    at = timezone.now()
    ids = insert_rows(
        SecurityEvent, ["kind", "at", "summary"], [("login", at, "原"), ("login", at, "原")], returning=True
    )
    rows = [(ids[0], "新"), (ids[1], "长" * 301)]  # summary: max_length=300
    try:
        with transaction.atomic():
            update_rows(SecurityEvent, ["summary"], rows)
    except DatabaseError:
        assert connection.vendor == "postgresql"
        assert set(SecurityEvent.objects.values_list("summary", flat=True)) == {"原"}
    else:
        assert connection.vendor == "sqlite"  # lengths are not enforced there: both written whole
        assert set(SecurityEvent.objects.values_list("summary", flat=True)) == {"新", "长" * 301}


@pytest.mark.django_db
def test_a_column_of_mixed_python_types_and_one_of_nulls_are_written_as_the_orm_would():
    first, second = datetime.date(2031, 6, 1), datetime.date(2031, 6, 2)
    insert_rows(
        CalendarDay,
        ["date", "is_workday", "name", "source"],
        [(first, True, "", "office"), (second, 0, "", "office")],
    )
    stored = CalendarDay.objects.filter(date__in=[first, second]).values_list("date", "is_workday")
    assert dict(stored) == {first: True, second: False}
    at = timezone.now()
    insert_rows(
        SecurityEvent,
        ["kind", "at", "ip", "user_id"],
        [("login", at, None, None), ("logout", at, None, None)],
    )
    nulls: list[tuple] = list(SecurityEvent.objects.values_list("ip", "user_id"))
    assert nulls == [(None, None), (None, None)]


@pytest.mark.django_db
def test_update_rows_refuses_a_key_given_twice_and_changes_nothing():
    at = timezone.now()
    ids = insert_rows(SecurityEvent, ["kind", "at", "summary"], [("login", at, "原")], returning=True)
    with pytest.raises(ValueError, match="twice"):
        update_rows(SecurityEvent, ["summary"], [(ids[0], "甲"), (ids[0], "乙")])
    assert SecurityEvent.objects.get().summary == "原"


def test_an_array_column_is_refused_rather_than_flattened():
    class ArrayColumn:
        def db_type(self, connection):
            return "varchar(10)[]"

    with pytest.raises(ValueError, match="array column"):
        bulk._typed_arrays(connection, [ArrayColumn()])
