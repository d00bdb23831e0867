"""The horizon (issue #20): each assessment knows the first day its findings may change with no new
data (``rules.horizon`` → ``RiskAssessment.stable_until``), and a new day's first scan re-assesses
only the enterprises past it plus those whose data changed — with exactly the findings a full
re-assessment gives."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anxin.core.audit import system_actor
from anxin.core.seam import CreditStanding
from anxin.core.services import policy_parameter_set
from anxin.intake.models import Channel, SelfReport, Signal
from anxin.monitoring import rules, scan
from anxin.monitoring.models import Alert, Indicator, Observation, RiskAssessment
from anxin.monitoring.rules import Facts, Obs, Rep, Sig, add_months, assess, month_start
from anxin.monitoring.tests.factories import observe
from anxin.monitoring.tests.test_rules import params
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import enterprise as make_enterprise

D = datetime.date
DAY = datetime.timedelta(days=1)
SIGNAL_KINDS = (
    *rules.COMPLAINT_KINDS,
    *sorted(rules.FACTOR_KINDS),
    "social_insurance",
    "payroll_missing",
    "other",
)
INDICATORS = (*rules.CURRENT_CODES, "si_arrears_amount")


def same(a: rules.Assessment, b: rules.Assessment) -> bool:
    return (a.level, a.points, [f.as_dict() for f in a.findings]) == (
        b.level,
        b.points,
        [f.as_dict() for f in b.findings],
    )


# --- the pure rules: nothing changes before the horizon --------------------------------------------


def days(as_of: D, draw, low: int, high: int) -> D:
    return as_of + datetime.timedelta(days=draw(st.integers(low, high)))


@st.composite
def lives(draw):
    """An enterprise's facts around a day — some dated after it — and the parameters in force.
    Days near month ends (the clamping of ``add_months``) and bursts of complaints are likely."""
    as_of = draw(
        st.one_of(
            st.dates(D(2025, 1, 1), D(2027, 12, 31)),
            st.builds(
                lambda d, back: add_months(d, 1).replace(day=1) - datetime.timedelta(days=back),
                st.dates(D(2025, 1, 1), D(2027, 12, 1)),
                st.integers(1, 4),
            ),
        )
    )
    burst = draw(st.integers(-120, 40))  # complaints cluster around here
    signals = []
    for n in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(SIGNAL_KINDS))
        clustered = kind in rules.COMPLAINT_KINDS and draw(st.booleans())
        received = days(as_of, draw, burst - 20, burst + 20) if clustered else days(as_of, draw, -420, 120)
        if draw(st.integers(0, 3)) == 0:  # a month's last days: what clamping moves
            received = add_months(month_start(received), 1) - draw(st.integers(1, 3)) * DAY
        signals.append(
            Sig(
                id=n + 1,
                kind=kind,
                verification=draw(st.sampled_from(("pending", "substantiated", "partly", "unfounded"))),
                received=received,
                occurred=draw(
                    st.one_of(st.none(), st.integers(0, 40).map(lambda k, r=received: r - k * DAY))
                ),
                months_owed=draw(st.integers(0, 4)),
                workers=draw(st.integers(0, 20)),
                merged=draw(st.integers(0, 5)) == 0,
            )
        )
    observations = {}
    for code in draw(st.lists(st.sampled_from(INDICATORS), unique=True, max_size=4)):
        months = sorted(set(draw(st.lists(st.integers(-4, 9), max_size=10))), reverse=True)
        series = tuple(
            Obs(
                id=100 * (INDICATORS.index(code) + 1) + k,
                month=add_months(month_start(as_of), -k),
                value=draw(st.integers(0, 5) if "months" in code else st.integers(0, 2000)),
            )
            for k in months
        )
        if series:
            observations[code] = series
    reports = []
    for n in range(draw(st.integers(0, 3))):
        since = days(as_of, draw, -420, 60)
        late = draw(st.integers(0, 15))
        deadline = since + 5 * DAY
        reports.append(Rep(900 + n, since, since + late * DAY, deadline, late <= 5))
    grade = draw(st.sampled_from(("", "A", "B", "C")))
    facts = Facts(
        enterprise_id=1,
        kinds=frozenset(draw(st.sets(st.sampled_from(("labour_intensive", "construction", "industrial"))))),
        status=draw(st.sampled_from(("operating", "operating", "suspended", "unreachable"))),
        observations=observations,
        signals=tuple(sorted(signals, key=lambda s: (s.received, s.id))),
        reports=tuple(reports),
        grade=grade,
        grade_year=as_of.year if grade else None,
    )
    p = params(
        immediate__complaints=draw(st.integers(2, 4)),
        immediate__arrears_months=draw(st.integers(1, 3)),
        self_report__deadline_days=draw(st.integers(3, 10)),
    )
    return facts, p, as_of


LOOK_AHEAD = 120  # days checked after ``as_of`` (every one of them)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lives())
def test_nothing_changes_before_the_horizon(life):
    facts, p, as_of = life
    then = assess(facts, p, as_of)
    assert then.stable_until > as_of
    day = as_of + DAY
    while day < min(then.stable_until, as_of + datetime.timedelta(days=LOOK_AHEAD)):
        assert same(assess(facts, p, day), then), (as_of, day, then.stable_until)
        day += DAY


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lives())
def test_the_horizon_holds_for_what_the_scan_loads(life):
    # The scan assesses ``in_view`` facts and stores their horizon: it must hold for all the facts
    # up to their first later-dated one (which the scan picks up by date: ``dated_into_view``).
    facts, p, as_of = life
    loaded = assess(rules.in_view(facts, as_of), p, as_of)
    arrivals = [s.received for s in facts.signals if s.received > as_of]
    arrivals += [r.reported_on for r in facts.reports if r.reported_on > as_of]
    arrivals += [o.month for series in facts.observations.values() for o in series if o.month > as_of]
    until = min([loaded.stable_until, as_of + datetime.timedelta(days=LOOK_AHEAD), *arrivals])
    day = as_of
    while day < until:
        assert same(assess(facts, p, day), loaded), (as_of, day, loaded.stable_until)
        day += DAY


# --- the edges, one by one ------------------------------------------------------------------------


def complaint(n, day, **extra):
    return Sig(id=n, kind="wage_complaint", verification="substantiated", received=day, **extra)


def test_a_quiet_enterprise_stands_for_a_year():
    assert assess(Facts(1), params(), D(2026, 11, 25)).stable_until == D(2026, 11, 25) + 366 * DAY


def test_a_later_grade_coming_into_force_is_the_horizon():
    facts = Facts(1, grade="A", grade_year=2026, grade_changes_on=D(2027, 1, 1))
    assert assess(facts, params(), D(2026, 11, 25)).stable_until == D(2027, 1, 1)


def test_an_indicator_stands_until_it_leaves_the_recent_months_not_at_each_month_start():
    series = tuple(Obs(n, D(2026, m, 1), 1000 if m < 11 else 500) for n, m in enumerate(range(7, 12)))
    facts = Facts(1, observations={"electricity_kwh": series}, kinds=frozenset({"labour_intensive"}))
    then = assess(facts, params(), D(2026, 11, 25))
    assert then.points > 0 and then.stable_until == D(2027, 2, 1)
    assert not same(assess(facts, params(), D(2027, 2, 1)), then)  # the edge is exact


def test_a_verified_complaint_leaves_the_two_month_window_the_day_after_the_clamped_date():
    facts = Facts(1, signals=(complaint(1, D(2026, 12, 31), months_owed=1),))
    # Its deadline passed (5 Jan) and LATE_SELF_REPORT fired; two months on: 28 Feb 2027 is the last
    # day of ARREARS_DURATION (add_months(1 Mar, -2) = 1 Jan > 31 Dec).
    then = assess(facts, params(), D(2027, 2, 10))
    assert {f.rule for f in then.findings} == {"ARREARS_DURATION", "LATE_SELF_REPORT"}
    assert then.stable_until == D(2027, 3, 1)
    assert not same(assess(facts, params(), D(2027, 3, 1)), then)


def test_clamping_keeps_a_fact_in_its_window_past_the_naive_edge():
    # Found by the scan's property on PostgreSQL: 28 Feb is still within two months of 29 and 30
    # April (add_months(30 Apr, -2) = 28 Feb); the window is left on 1 May, not on 29 April.
    facts = Facts(1, signals=(complaint(1, D(2026, 2, 28)),))
    then = assess(facts, params(), D(2026, 4, 30))
    assert "ARREARS_DURATION" in {f.rule for f in then.findings}
    assert then.stable_until == D(2026, 5, 1)
    assert not same(assess(facts, params(), D(2026, 5, 1)), then)


def test_an_unverified_complaint_or_a_merged_one_gives_no_edge():
    as_of = D(2026, 11, 25)
    pending = Sig(1, "wage_complaint", "pending", as_of - 10 * DAY)
    merged = complaint(2, as_of - 10 * DAY, merged=True)
    facts = Facts(1, signals=(pending, merged))
    assert assess(facts, params(), as_of).stable_until == as_of + 366 * DAY


def test_the_self_report_deadline_is_an_edge():
    facts = Facts(1, signals=(complaint(1, D(2026, 11, 20), occurred=D(2026, 11, 18)),))
    then = assess(facts, params(), D(2026, 11, 21))  # due by 23 Nov: fires on the 24th
    assert then.stable_until == D(2026, 11, 24)
    assert "LATE_SELF_REPORT" in {f.rule for f in assess(facts, params(), D(2026, 11, 24)).findings}


def test_a_screening_signal_counts_ninety_days():
    facts = Facts(1, signals=(Sig(1, "litigation", "pending", D(2026, 11, 1)),))
    then = assess(facts, params(), D(2026, 11, 25))
    assert then.stable_until == D(2026, 11, 1) + 91 * DAY
    assert assess(facts, params(), then.stable_until).findings == []


def test_a_wrong_horizon_would_be_caught():
    """The property above can fail: a horizon a year off shows a change before it on these facts."""
    facts = Facts(1, signals=(complaint(1, D(2026, 11, 20)),))
    then = assess(facts, params(), D(2026, 11, 21))
    wrong = then.stable_until + 365 * DAY
    changed = [
        d
        for d in (D(2026, 11, 21) + k * DAY for k in range(LOOK_AHEAD))
        if d < wrong and not same(assess(facts, params(), d), then)
    ]
    assert changed and changed[0] == then.stable_until


# --- the district scan's modes ---------------------------------------------------------------------


TZ = datetime.timezone(datetime.timedelta(hours=8))
_refs = itertools.count()


def morning(day: D, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def add_signal(firm, kind: str, verification: str, received: D, months: int = 0) -> Signal:
    """A signal as the scan reads it, written directly (received at 10:00 on ``received``)."""
    return Signal.objects.create(
        channel=Channel.objects.filter(is_public=False, is_self_report=False).order_by("pk").first(),
        reference=f"P{next(_refs)}",
        kind=kind,
        enterprise=firm,
        received_at=morning(received, 10),
        summary="测试",
        verification=verification,
        stage="received" if verification == "pending" else "verified",
        verified_at=None if verification == "pending" else morning(received, 10),
        months_owed=months,
        created_by=system_actor(),
    )


def add_report(firm, since: D, late: int) -> SelfReport:
    """An arrears self-report delivered ``late`` days after the arrears began (5 days allowed)."""
    return SelfReport.objects.create(
        enterprise=firm,
        arrears_since=since,
        reported_on=since + late * DAY,
        workers=3,
        amount=100_000,
        cause="测试",
        deadline_days=5,
        deadline=since + 5 * DAY,
        on_time=late <= 5,
        signal=add_signal(firm, "arrears_report", "pending", since + late * DAY),
        created_by=system_actor(),
    )


@pytest.fixture
def later(world):
    """The world was built just now; the scans run an hour later, so its own writes are old news."""
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=True):
        yield world


def aged() -> None:
    """The data recorded so far is old news: written two hours before the scans."""
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    Observation.objects.update(recorded_at=long_ago)
    Signal.objects.update(updated_at=long_ago)
    SelfReport.objects.update(updated_at=long_ago)


@pytest.mark.django_db
def test_the_first_scan_is_full_and_the_next_day_only_what_is_due(later):
    observe(later.luoxi_factory, "wage_arrears_months", "2026-09", 3)  # current until 1 Dec
    aged()
    first = scan.scan_district(as_of=D(2026, 11, 25))
    assert (first.mode, first.reason) == ("full", "首次扫描")
    stored = RiskAssessment.objects.get(enterprise=later.luoxi_factory)
    assert stored.level == "red" and stored.stable_until == D(2026, 12, 1)
    quiet = RiskAssessment.objects.get(enterprise=later.xuejia_factory)
    assert quiet.stable_until == D(2026, 11, 25) + 366 * DAY
    next_day = scan.scan_district(as_of=D(2026, 11, 26))
    assert (next_day.mode, next_day.assessed) == ("day", 0)
    assert "到期 0 家" in next_day.reason
    december = scan.scan_district(as_of=D(2026, 12, 1))
    assert (december.mode, december.assessed) == ("day", 1)
    stored.refresh_from_db()
    assert stored.level == "none" and stored.stable_until == D(2026, 12, 1) + 366 * DAY
    assert Alert.objects.get(enterprise=later.luoxi_factory, rule="IMMEDIATE_ARREARS_2M").cleared_at


@pytest.mark.django_db
def test_a_due_enterprise_is_reassessed_and_one_not_due_is_untouched(later):
    observe(later.luoxi_factory, "wage_arrears_months", "2026-09", 3)
    observe(later.xuejia_factory, "wage_arrears_months", "2026-11", 3)  # current until 1 Feb
    aged()
    scan.scan_district(as_of=D(2026, 11, 25))
    before = dict(RiskAssessment.objects.values_list("enterprise_id", "assessed_at"))
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=True):
        run = scan.scan_district(as_of=D(2026, 12, 1))
    assert run.assessed == 1
    after = dict(RiskAssessment.objects.values_list("enterprise_id", "assessed_at"))
    assert after[later.luoxi_factory.pk] > before[later.luoxi_factory.pk]  # re-assessed: level fell
    assert {pk for pk in before if after[pk] != before[pk]} == {later.luoxi_factory.pk}
    assert RiskAssessment.objects.get(enterprise=later.xuejia_factory).stable_until == D(2027, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("many", [scan.MANY_MOVED, 1])  # by enterprise in a batch; one UPDATE … IN per day
def test_a_horizon_reached_with_the_same_findings_is_moved_on(later, many, monkeypatch):
    monkeypatch.setattr(scan, "MANY_MOVED", many)
    # Verified arrears from 20 Nov, reported on time: the report's deadline (25 Nov) passing is an
    # edge, but the report covers the arrears — the findings stay, the next edge is in January.
    add_signal(later.luoxi_factory, "wage_complaint", "substantiated", D(2026, 11, 20))
    add_report(later.luoxi_factory, D(2026, 11, 19), late=2)
    aged()
    scan.scan_district(as_of=D(2026, 11, 25))
    stored = RiskAssessment.objects.get(enterprise=later.luoxi_factory)
    assert stored.level == "yellow" and stored.stable_until == D(2026, 11, 26)
    findings, assessed_at = stored.findings, stored.assessed_at
    run = scan.scan_district(as_of=D(2026, 12, 1))
    assert run.assessed == 1
    stored.refresh_from_db()
    assert (stored.findings, stored.assessed_at) == (findings, assessed_at)  # not rewritten
    assert stored.stable_until == add_months(D(2026, 11, 20), 2) + DAY  # 21 Jan


@pytest.mark.django_db
def test_a_parameter_taking_effect_today_makes_a_full_scan(later, office):
    scan.scan_district(as_of=D(2026, 11, 25))
    policy_parameter_set(
        actor=office, code="immediate.complaints", value="4", effective_from=D(2026, 11, 27), note="测试"
    )
    assert scan.scan_district(as_of=D(2026, 11, 26)).mode == "day"  # not in force yet
    run = scan.scan_district(as_of=D(2026, 11, 27))
    assert (run.mode, run.reason) == ("full", "参数、规则或分派表已变更")
    assert run.assessed == Enterprise.objects.count()


@pytest.mark.django_db
def test_a_change_of_the_rules_code_makes_a_full_scan(later, monkeypatch):
    scan.scan_district(as_of=D(2026, 11, 25))
    monkeypatch.setattr(rules, "SOURCE_DIGEST", "0" * 40)
    run = scan.scan_district(as_of=D(2026, 11, 26))
    assert (run.mode, run.reason) == ("full", "参数、规则或分派表已变更")


@pytest.mark.django_db
def test_an_earlier_day_makes_a_full_scan_and_the_same_day_only_what_changed(later):
    scan.scan_district(as_of=D(2026, 11, 25))
    assert scan.scan_district(as_of=D(2026, 11, 25)).mode == "changed"
    run = scan.scan_district(as_of=D(2026, 11, 20))
    assert run.mode == "full" and "2026-11-25 → 2026-11-20" in run.reason


@pytest.mark.django_db
def test_an_enterprise_without_an_assessment_is_due(later):
    scan.scan_district(as_of=D(2026, 11, 25))
    newcomer = make_enterprise(town="luoxi")
    Enterprise.objects.filter(pk=newcomer.pk).update(updated_at=timezone.now() - datetime.timedelta(days=2))
    assert newcomer.pk in scan.due_on(D(2026, 11, 26))
    assert scan.scan_district(as_of=D(2026, 11, 26)).assessed == 1
    assert RiskAssessment.objects.filter(enterprise=newcomer).exists()


@pytest.mark.django_db
def test_data_dated_after_the_last_scan_comes_into_view_by_date(later):
    # A figure for December recorded in November: not current before 1 December.
    observe(later.luoxi_factory, "wage_arrears_months", "2026-12", 3)
    aged()
    scan.scan_district(as_of=D(2026, 11, 25))
    assert RiskAssessment.objects.get(enterprise=later.luoxi_factory).level == "none"
    assert scan.dated_into_view(D(2026, 11, 25), D(2026, 11, 30)) == set()
    run = scan.scan_district(as_of=D(2026, 12, 1))
    assert run.assessed == 1 and "新入期数据 1 家" in run.reason
    assert RiskAssessment.objects.get(enterprise=later.luoxi_factory).level == "red"


# --- the property: the day's partial scan gives exactly what a full one gives ---------------


def snapshot() -> tuple[dict, set]:
    """Every enterprise's stored level, points and findings; the active alerts."""
    assessments = {
        pk: (level, points, findings)
        for pk, level, points, findings in RiskAssessment.objects.values_list(
            "enterprise_id", "level", "points", "findings"
        )
    }
    active = {
        (enterprise_id, rule, level, cleared is None)
        for enterprise_id, rule, level, cleared in Alert.objects.filter(
            status__in=("open", "acknowledged")
        ).values_list("enterprise_id", "rule", "level", "cleared_at")
    }
    return assessments, active


def full_reassessment(as_of: D, now: datetime.datetime) -> tuple[dict, set]:
    """What a full re-assessment leaves, then undone."""
    with transaction.atomic():
        scan.scan(as_of=as_of, now=now)
        found = snapshot()
        transaction.set_rollback(True)
    return found


@st.composite
def district_histories(draw):
    start = draw(st.dates(D(2026, 1, 1), D(2027, 10, 31)))
    n = 4
    signals = [
        (
            draw(st.integers(0, n - 1)),
            draw(st.sampled_from(SIGNAL_KINDS)),
            draw(st.sampled_from(("pending", "substantiated", "partly", "unfounded"))),
            draw(st.integers(-200, 260)),  # received, days from the start (later ones arrive by date)
            draw(st.integers(0, 3)),
        )
        for _ in range(draw(st.integers(0, 14)))
    ]
    observations = {
        (draw(st.integers(0, n - 1)), code, draw(st.integers(-5, 8))): draw(st.integers(0, 3))
        for code in draw(st.lists(st.sampled_from(("wage_arrears_months", "si_arrears_months")), max_size=2))
        for _ in range(draw(st.integers(0, 4)))
    }
    reports = [
        (draw(st.integers(0, n - 1)), draw(st.integers(-200, 200)), draw(st.integers(0, 12)))
        for _ in range(draw(st.integers(0, 2)))
    ]
    grades = {
        draw(st.integers(0, n - 1)): draw(st.sampled_from(("B", "C"))) for _ in range(draw(st.integers(0, 2)))
    }
    steps = draw(
        st.lists(
            st.one_of(
                st.integers(1, 70).map(lambda k: ("days", k)),
                st.just(("month_start", 0)),
                st.just(("month_end", 0)),
            ),
            min_size=2,
            max_size=5,
        )
    )
    news = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 2)), max_size=len(steps)))
    return start, signals, observations, reports, grades, steps, news


def next_day(day: D, step: tuple[str, int]) -> D:
    kind, k = step
    if kind == "days":
        return day + k * DAY
    first = add_months(month_start(day), 1)
    return first if kind == "month_start" else (first if first - DAY == day else first - DAY)


@pytest.mark.django_db
@settings(
    max_examples=18,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=district_histories())
def test_the_days_partial_scan_gives_exactly_what_a_full_one_gives(history, district, monkeypatch):
    start, signals, observations, reports, grades, steps, news = history
    with transaction.atomic():  # each example from the same empty district
        _run_history(start, signals, observations, reports, grades, steps, news, monkeypatch)
        transaction.set_rollback(True)


def _run_history(start, signals, observations, reports, grades, steps, news, monkeypatch):
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    with time_machine.travel(morning(start) - datetime.timedelta(days=3), tick=False):  # old news
        firms = [make_enterprise(town="luoxi") for _ in range(4)]
        for i, kind, verification, offset, months in signals:
            add_signal(firms[i], kind, verification, start + offset * DAY, months)
        for (i, code, back), value in observations.items():
            Observation.objects.create(
                enterprise=firms[i],
                indicator_id=indicators[code],
                month=add_months(month_start(start), -back),
                value=value,
                recorded_by=system_actor(),
            )
        for i, offset, late in reports:
            add_report(firms[i], start + offset * DAY, late)

    # Credit as the seam tells it: a grade from the start's next year on (monitoring never imports
    # credit; this is its contract — the grade in force on a day, and when it changes).
    graded = {firms[i].pk: grade for i, grade in grades.items()}
    changes_on = D(start.year + 1, 1, 1)

    def standing(ids, on=None):
        return {
            pk: CreditStanding(
                grade=grade if on >= changes_on else "",
                grade_year=changes_on.year if on >= changes_on else None,
                grade_changes_on=changes_on if on < changes_on else None,
            )
            for pk, grade in graded.items()
            if pk in ids
        }

    monkeypatch.setattr(scan.seam, "enterprise_credit", standing)

    day = start
    with time_machine.travel(morning(day), tick=False):
        assert scan.scan_district(now=morning(day)).mode == "full"
    for n, step in enumerate(steps):
        day = next_day(day, step)
        with time_machine.travel(morning(day), tick=False):
            if n < len(news):  # news of the day: a complaint received and verified today
                i, months = news[n]
                add_signal(firms[i], "wage_complaint", "substantiated", day, months)
            run = scan.scan_district(now=morning(day))
            assert run.mode == "day", run.reason
            assert snapshot() == full_reassessment(day, morning(day)), (start, day, run.reason)
