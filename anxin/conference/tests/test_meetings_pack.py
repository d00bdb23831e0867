"""The plenary pack: its period (from the day after the previous held plenary, or the interval before
the meeting, to the day before the meeting or today), its figures equal to what the ledgers' selectors
show for the same dates, the overdue items by unit, a snapshot kept (prepared again: a new row), every
section — the minutes part's too — rendered generically on the page and in the Word document."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from anxin.cases.selectors import case_list
from anxin.cases.tests.factories import open_case
from anxin.conference import meetings_pack
from anxin.conference.models import MeetingEvent, MeetingKind, MeetingPack
from anxin.conference.services import meetings as services
from anxin.conference.tests.factories_meetings import at, day, held_plenary, schedule
from anxin.core.errors import DomainError
from anxin.intake.selectors import signal_list
from anxin.intake.tests.factories import signal
from anxin.money.tests.factories_claims import confirmed, pay

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def quarter(office, convener, world):
    """A plenary held on 10 June; the next scheduled for 10 September; in between: two signals on
    7 July (one also in May, before the period), a case opened on 5 July with two confirmed claims,
    one paid in full on 20 July."""
    held_plenary(office, convener, on="2026-06-10")
    meeting = schedule(
        office, kind=MeetingKind.PLENARY, on="2026-09-10", codes=(), chair=convener, now="2026-08-20"
    )
    with time_machine.travel(at("2026-05-02"), tick=False):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-05-01"))
    with time_machine.travel(at("2026-07-07", 15), tick=False):
        signal(enterprise=world.luoxi_factory, received_at=at("2026-07-07", 9))
        signal(
            enterprise=world.xuejia_factory, received_at=at("2026-07-07", 11), channel_code="hotline-12333"
        )
    with time_machine.travel(at("2026-07-05"), tick=False):
        case = open_case(world.luoxi_builder, actor=office)
        claims = confirmed(case, actor=office, confirmer=office, amounts=(1_000_000, 2_000_000))
    with time_machine.travel(at("2026-07-20"), tick=False):
        pay(claims[0], 1_000_000, actor=office)
        pay(claims[1], 500_000, actor=office)
    return meeting


def test_the_period_runs_from_the_day_after_the_last_plenary_to_today(office, quarter):
    with time_machine.travel(at("2026-09-01"), tick=False):
        pack = services.pack_prepare(actor=office, meeting=quarter)
    assert (pack.period_start, pack.period_end) == (day("2026-06-11"), day("2026-09-01"))
    assert "上次全体会议" in pack.data["period"]["basis"]
    assert MeetingEvent.objects.filter(meeting=quarter, action="pack").count() == 1


def test_the_period_ends_the_day_before_the_meeting(office, quarter):
    with time_machine.travel(at("2026-09-20"), tick=False):
        pack = services.pack_prepare(actor=office, meeting=quarter)
    assert pack.period_end == day("2026-09-09")


def test_with_no_previous_plenary_the_period_is_the_interval_before(office, convener):
    meeting = schedule(office, kind=MeetingKind.PLENARY, on="2026-09-10", codes=(), chair=convener)
    with time_machine.travel(at("2026-09-01"), tick=False):
        pack = services.pack_prepare(actor=office, meeting=meeting)
    assert pack.period_start == day("2026-06-10")
    assert "3 个月" in pack.data["period"]["basis"]


def test_the_figures_are_what_the_ledgers_show_for_the_same_dates(office, quarter):
    start, end = day("2026-06-11"), day("2026-09-01")
    with time_machine.travel(at("2026-09-01"), tick=False):
        figures = meetings_pack.figures(meetings_pack.district_viewer(), start, end)
        ledger_signals = signal_list(user=office, date_from=start, date_to=end).count()
        ledger_cases = (
            case_list(user=office).filter(opened_at__date__gte=start, opened_at__date__lte=end).count()
        )
    assert figures["signals"]["total"] == ledger_signals == 2  # May's signal is outside the period
    assert figures["cases"]["opened"] == ledger_cases == 1
    assert figures["cases"]["open_end"] == 1 and figures["cases"]["closed"] == 0
    assert figures["money"]["paid"] == 1_500_000
    assert figures["money"]["workers_paid"] == 2
    assert figures["money"]["workers_paid_in_full"] == 1
    channel = figures["signals"]["by_channel"]
    assert sum(r["n"] for r in channel) == 2


def test_the_pack_keeps_a_snapshot_and_prepared_again_is_a_new_row(office, quarter, world):
    with time_machine.travel(at("2026-09-01"), tick=False):
        first = services.pack_prepare(actor=office, meeting=quarter)
        figures = next(s for s in first.data["sections"] if s["key"] == "figures")
        assert "收到欠薪线索 2 条" in "".join(figures["paragraphs"])
        signal(enterprise=world.luoxi_factory, received_at=at("2026-08-30"))
        first.refresh_from_db()
        assert "收到欠薪线索 2 条" in "".join(
            next(s for s in first.data["sections"] if s["key"] == "figures")["paragraphs"]
        )
        second = services.pack_prepare(actor=office, meeting=quarter)
    assert MeetingPack.objects.filter(meeting=quarter).count() == 2
    again = next(s for s in second.data["sections"] if s["key"] == "figures")
    assert "收到欠薪线索 3 条" in "".join(again["paragraphs"])
    money = next(r for r in again["tables"][0]["rows"] if r[1] == "追回（支付）金额")
    assert money[2] == "15,000.00" and money[3] == "元"


def test_overdue_items_are_listed_by_unit(office, quarter):
    with time_machine.travel(at("2026-09-01"), tick=False):
        found = meetings_pack.overdue(meetings_pack.district_viewer(), at("2026-09-01"))
        section = meetings_pack.overdue_section(quarter, day("2026-06-11"), day("2026-09-01"))
        overdue_signals = signal_list(user=office, overdue=True).count()
    assert sum(found["signals"].values()) == overdue_signals
    assert section["tables"][0]["rows"][-1][0] == "合计"
    assert section["tables"][0]["rows"][-1][1] == str(overdue_signals)


def test_only_the_office_prepares_a_pack_and_not_for_a_cancelled_meeting(office, chengjian, quarter):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.pack_prepare(actor=chengjian, meeting=quarter)
    services.meeting_cancel(actor=office, meeting=quarter, reason="改期")
    with pytest.raises(DomainError):
        services.pack_prepare(actor=office, meeting=quarter)
    assert not MeetingPack.objects.exists()


@pytest.fixture
def decisions_of_june(office, convener, quarter):
    """The June plenary's minutes issued with one decision (the minutes part's own sections list it)."""
    from anxin.conference.models import Meeting
    from anxin.conference.tests import factories_minutes as fm

    june = Meeting.objects.get(date=day("2026-06-10"))
    with time_machine.travel(at("2026-06-12"), tick=False):
        fm.issued(
            office,
            convener,
            fm.drafted(office, june, fm.item("construction", due="2026-12-31", subject="清欠专项行动")),
        )


def test_the_page_and_the_word_render_every_section_of_the_snapshot(
    login, office, quarter, decisions_of_june
):
    with time_machine.travel(at("2026-09-01"), tick=False):
        response = login(office).post(reverse("conference-meeting-act", args=[quarter.pk, "pack"]))
        assert response.status_code == 302
        page = login(office).get(reverse("conference-meeting-pack", args=[quarter.pk])).content.decode()
        word = login(office).get(reverse("conference-meeting-pack-docx", args=[quarter.pk]))
    assert [s["key"] for s in MeetingPack.objects.get().data["sections"]] == [
        "figures",
        "overdue",
        "decisions",
        "decisions-overdue",
    ]
    for text in (
        "2026-06-11 至 2026-09-01",
        "一、本期主要数据",
        "二、逾期事项（分单位）",
        "清欠专项行动",
        "落实中",
    ):
        assert text in page
    assert word.status_code == 200
    text = _text(word.content)
    for printed in (
        "2026-06-11 至 2026-09-01",
        "收到欠薪线索 2 条",
        "15,000.00",
        "三、历次会议议定事项落实情况",
        "清欠专项行动",
    ):
        assert printed in text


def test_the_word_prints_the_snapshot_not_a_fresh_count(login, office, quarter, world):
    with time_machine.travel(at("2026-09-01"), tick=False):
        services.pack_prepare(actor=office, meeting=quarter)
        signal(enterprise=world.luoxi_factory, received_at=at("2026-08-31"))
        word = login(office).get(reverse("conference-meeting-pack-docx", args=[quarter.pk]))
    text = _text(word.content)
    assert "收到欠薪线索 2 条" in text and "收到欠薪线索 3 条" not in text


def test_no_pack_yet_is_a_404(login, office, quarter):
    assert login(office).get(reverse("conference-meeting-pack", args=[quarter.pk])).status_code == 404


def test_new_watch_entries_and_full_payments_count_as_the_reports_do(office, quarter, world):
    """P3-11: 新纳入重点监控 is the watch ledger's date filter (proposed on those days), not the day of
    confirmation; 全额清偿 counts distinct workers among the claims the claims ledger shows paid in full,
    the last payment made in the period — the same selectors the periodic reports' figures call."""
    from django.db.models import Max

    from anxin.money.claims_views import claim_list
    from anxin.monitoring.models import WatchEntry
    from anxin.monitoring.selectors import watch_list

    def entry(enterprise, proposed, confirmed=None):
        return WatchEntry.objects.create(
            enterprise=enterprise,
            status="active" if confirmed else "proposed",
            level="red",
            proposed_at=at(proposed),
            confirmed_at=at(confirmed) if confirmed else None,
            proposal="连续两月断缴社保",
        )

    entry(world.luoxi_factory, "2026-06-05", confirmed="2026-06-20")  # proposed before the period
    entry(world.xuejia_factory, "2026-08-30")  # proposed in the period, not yet confirmed
    entry(world.luoxi_builder, "2026-07-01")  # likewise
    with time_machine.travel(at("2026-07-25"), tick=False):  # worker 1 again, on another case, paid in full
        other = open_case(world.xuejia_factory, actor=office)
        (again,) = confirmed(other, actor=office, confirmer=office, amounts=(500_000,), start=1)
        pay(again, 500_000, actor=office)
    start, end = day("2026-06-11"), day("2026-09-01")
    with time_machine.travel(at("2026-09-01"), tick=False):
        figures = meetings_pack.figures(meetings_pack.district_viewer(), start, end)
        ledger_watch = watch_list(user=office, status="", date_from=start, date_to=end).count()
        full_claims = (
            claim_list(user=office, paid="full")
            .annotate(last_paid=Max("payments__paid_on"))
            .filter(last_paid__gte=start, last_paid__lte=end)
        )
        workers = full_claims.values("id_number_index").distinct().count()
    assert figures["watch"]["entered"] == ledger_watch == 2
    assert full_claims.count() == 2 and workers == 1  # two claims, one worker
    assert figures["money"]["workers_paid_in_full"] == workers
