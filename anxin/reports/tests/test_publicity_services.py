"""Publicity's rules (§四(九)): a unit records, corrects and withdraws its own activities only; the day
is not in the future; a withdrawal needs a reason; photos are checked by content; the counts by unit
and period leave withdrawn activities out."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.reports.models import PublicityActivity
from anxin.reports.publicity_selectors import counts_by_unit, publicity_counts, recording_units
from anxin.reports.services import publicity as services
from anxin.reports.tests.factories_office import TODAY, activity, photo

pytestmark = pytest.mark.django_db


def test_a_town_records_its_own_activity_with_photos(luoxi):
    found = activity(luoxi, photos=[photo("一.png"), photo("二.png")])
    assert found.unit_id == luoxi.unit_id and found.recorded_by == luoxi
    assert found.photos.count() == 2
    assert {p.kind for p in found.photos.all()} == {"photo"}


def test_a_future_date_is_refused_and_nothing_is_written(luoxi):
    with pytest.raises(DomainError) as refused:
        activity(luoxi, date=TODAY + datetime.timedelta(days=1))
    assert refused.value.field == "date" and "不能晚于今天" in refused.value.message
    assert not PublicityActivity.objects.exists()


def test_an_unknown_kind_is_refused(luoxi):
    with pytest.raises(DomainError) as refused:
        activity(luoxi, kind="party")
    assert refused.value.field == "kind"


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_kept(luoxi):
    with pytest.raises(DomainError) as refused:
        activity(luoxi, photos=[services.Photo(name="fake.png", content=b"%PDF-1.4 not a photo")])
    assert refused.value.field == "photos"
    assert not PublicityActivity.objects.exists()


@pytest.mark.parametrize("persona", ["office", "leader", "auditor"])
def test_who_has_no_unit_activities_cannot_record(request, persona):
    with pytest.raises(PermissionDenied):
        activity(request.getfixturevalue(persona))


def test_another_unit_cannot_correct_or_withdraw(luoxi, xuejia, office):
    mine = activity(luoxi)
    for other in (xuejia, office):
        with pytest.raises(PermissionDenied):
            services.publicity_correct(
                actor=other, activity=mine, date=mine.date, kind="park", title="改", place="某地", today=TODAY
            )
        with pytest.raises(PermissionDenied):
            services.publicity_withdraw(actor=other, activity=mine, reason="重复登记")
    mine.refresh_from_db()
    assert mine.kind == "law" and not mine.withdrawn


def test_a_correction_is_in_the_audit_log(luoxi):
    mine = activity(luoxi, audience=50)
    services.publicity_correct(
        actor=luoxi, activity=mine, date=mine.date, kind="park", title="进园区宣讲", place="工业园",
        audience=80, materials=5, today=TODAY,
    )  # fmt: skip
    mine.refresh_from_db()
    assert (mine.kind, mine.audience, mine.title) == ("park", 80, "进园区宣讲")
    entry = LogEntry.objects.get_for_object(mine).filter(action=LogEntry.Action.UPDATE).first()
    assert entry is not None and entry.actor == luoxi
    assert entry.changes_dict["audience"] == ["50", "80"]


def test_a_withdrawal_needs_a_reason(luoxi):
    mine = activity(luoxi)
    with pytest.raises(DomainError) as refused:
        services.publicity_withdraw(actor=luoxi, activity=mine, reason="  ")
    assert refused.value.field == "reason"
    mine.refresh_from_db()
    assert not mine.withdrawn


def test_a_withdrawn_activity_is_kept_and_cannot_be_corrected(luoxi):
    mine = activity(luoxi)
    services.publicity_withdraw(actor=luoxi, activity=mine, reason="重复登记")
    mine.refresh_from_db()
    assert mine.withdrawn and mine.withdraw_reason == "重复登记"
    with pytest.raises(DomainError):
        services.publicity_withdraw(actor=luoxi, activity=mine, reason="再撤")
    with pytest.raises(DomainError):
        services.publicity_correct(
            actor=luoxi, activity=mine, date=mine.date, kind="law", title="x", place="y", today=TODAY
        )


def test_counts_by_unit_and_period_leave_withdrawn_out(luoxi, xuejia, chengjian, office):
    activity(luoxi, kind="law", audience=50, materials=10)
    activity(luoxi, kind="park", audience=30, materials=0)
    gone = activity(luoxi, kind="site", audience=999, materials=999)
    services.publicity_withdraw(actor=luoxi, activity=gone, reason="误登记")
    activity(luoxi, date=datetime.date(2026, 10, 30), audience=7)  # the period before
    activity(chengjian, kind="site", audience=200, materials=300)
    start, end = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
    counts = counts_by_unit(PublicityActivity.objects.all(), start, end)
    assert counts[luoxi.unit_id] == {
        "activities": 2, "audience": 80, "materials": 10, "kinds": {"law": 1, "park": 1}
    }  # fmt: skip
    assert counts[chengjian.unit_id]["activities"] == 1
    assert xuejia.unit_id not in counts
    rows = publicity_counts(user=office, start=start, end=end, units=recording_units(office))
    total = rows[-1]
    assert total["unit"] is None and total["activities"] == 3 and total["audience"] == 280
    assert {r["unit"].code for r in rows[:-1]} >= {"gov-luoxi", "gov-xuejia", "construction", "justice"}


def test_a_unit_counts_only_itself(luoxi, chengjian):
    activity(luoxi)
    activity(chengjian)
    units = recording_units(luoxi)
    assert [u.pk for u in units] == [luoxi.unit_id]
    rows = publicity_counts(
        user=luoxi, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30), units=units
    )
    assert rows[-1]["activities"] == 1
