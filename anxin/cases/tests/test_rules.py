"""The referral threshold and the compensation bounds at their edges — pure, no database."""

from __future__ import annotations

import pytest

from anxin.cases.rules import Figure, compensation_bounds, referral_threshold

JIANGSU = {
    "single_worker_months": Figure("crime.single_worker_months", 3, "江苏高院"),
    "single_worker_amount": Figure("crime.single_worker_amount", 1_000_000, "江苏高院"),
    "multi_workers": Figure("crime.multi_workers", 10, "江苏高院"),
    "multi_amount": Figure("crime.multi_amount", 6_000_000, "江苏高院"),
}


def check(workers=1, total=0, months=0, single=0):
    return referral_threshold(
        workers=workers, total=total, single_months=months, single_amount=single, **JIANGSU
    )


def test_one_worker_three_months_and_ten_thousand_yuan_is_the_edge():
    assert check(months=3, single=1_000_000, total=1_000_000).met
    short = check(months=3, single=999_999, total=999_999)
    assert not short.met
    assert "¥9,999.99（须≥¥10,000.00，未达到）" in short.lines[0]
    assert not check(months=2, single=5_000_000, total=5_000_000).met
    assert "2 个月（须≥3 个月，未达到）" in check(months=2, single=5_000_000).lines[0]


def test_ten_workers_and_sixty_thousand_yuan_is_the_other_edge():
    assert check(workers=10, total=6_000_000).met
    assert not check(workers=9, total=9_000_000).met
    below = check(workers=10, total=5_999_999)
    assert not below.met and "¥59,999.99（须≥¥60,000.00，未达到）" in below.lines[1]


def test_either_branch_suffices_and_every_parameter_is_reported():
    result = check(workers=2, total=1_200_000, months=4, single=1_100_000)
    assert result.met
    assert [p["code"] for p in result.params] == [
        "crime.single_worker_months",
        "crime.single_worker_amount",
        "crime.multi_workers",
        "crime.multi_amount",
    ]


@pytest.mark.parametrize(("percent", "ok"), [(49, False), (50, True), (75, True), (100, True), (101, False)])
def test_compensation_is_fifty_to_a_hundred_percent(percent, ok):
    low, high = (
        Figure("compensation.min_percent", 50, "第二十六条"),
        Figure("compensation.max_percent", 100, "第二十六条"),
    )
    assert compensation_bounds(percent, low=low, high=high).met is ok
