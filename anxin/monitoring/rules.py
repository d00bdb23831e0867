"""The early-warning rules: pure functions from an enterprise's facts to findings.

Nothing here touches the database. ``assess(facts, params, as_of)`` runs every rule; each finding
names its rule, level, the evidence it used (observation, signal and self-report ids), the
parameter values it read (with their citations) and a sentence a civil servant can read:
"社保连续欠缴 3 个月（≥2，依据 §五(二)）".

Conventions
- An indicator's *current* value is its latest observation in the three months up to ``as_of``
  (older data says nothing about now).
- A *verified* complaint is a signal of kind 欠薪投诉举报, 集体讨薪苗头 or 工资未足额发放（总包代发）
  (the sites' payroll check found workers unpaid), verified 属实 or 部分属实, and not merged into
  another (a merged one is the same complaint from a second channel). 工资发放表未按时报送 is not: a
  payroll not reported says nothing yet about wages; the town verifies it like any signal.
- "以上" includes the number itself (§五(二)): 2 months fires at 2.

The horizon (``Assessment.stable_until``)
- Every assessment says the first day after ``as_of`` on which ``assess`` *may* give something else
  with no new data — so a day's first scan re-assesses only the enterprises past it (and those whose
  data changed). It must never be later than the true first change; it should be no earlier than
  needed, because each edge costs a re-assessment. ``horizon`` lists every date on which a condition
  of a rule comparing a fact with ``as_of`` switches, and takes the first after ``as_of``. Each such
  condition switches at most once as the day moves forward (the windows only move forward:
  ``add_months`` is monotone), so the first switch date is the first possible change.
- Only facts some rule reads give edges: an unverified wage complaint or a merged signal is read by
  no rule, a pending lawsuit by screening, a verified complaint by four rules.
- A window ``add_months(day, -k) <= x`` is left on ``add_months(x, k) + 1 day`` at the earliest:
  for every day ``d <= add_months(x, k)``, ``add_months(d, -k) <= add_months(add_months(x, k), -k)
  <= x`` (clamping only ever moves a day back: 31 Jan + 1 month = 28 Feb, and back is 28 Jan). It
  may be left up to three days later (28 Feb is within two months of 30 April): ``_left`` steps on
  to the exact day, because an edge already passed by ``as_of`` is dropped — it must be exact.
- A fact dated after ``as_of`` enters on its date (the scan never loads such data; it re-assesses
  the enterprises whose data came into view since its last run by date instead). An indicator's
  current value changes only when it leaves the recent months or a later month arrives; a month
  start is not an edge by itself.
- The integrity grade is a fact the date alone can change (a later year's grade comes into force on
  1 January): credit tells that day through the seam (``Facts.grade_changes_on``).
- A quiet enterprise, or one whose facts give no edge, is stable for ``HORIZON_DAYS`` (a year): no
  rule can change for it without new data, and a year bounds how long any assessment stands
  without being recomputed.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

RECENT_MONTHS = 3
COMPLAINT_KINDS = ("wage_complaint", "collective", "payroll_short")
VERIFIED = ("substantiated", "partly")
LEVELS = ("none", "yellow", "orange", "red")
LEVEL_NAMES = {"none": "无", "yellow": "黄色", "orange": "橙色", "red": "红色"}
OPINIONS = "《实施意见》"
# The code that derives findings — these rules and the scan that loads their facts: a change to
# either (a weight, a window, what counts as merged) makes the next scan re-assess everyone.
SOURCE_DIGEST = hashlib.sha1(  # noqa: S324 (a change detector)
    Path(__file__).read_bytes() + (Path(__file__).parent / "scan.py").read_bytes()
).hexdigest()


# Named tuples, not dataclasses: a city-scale scan builds a few hundred thousand of them.
class Obs(NamedTuple):
    id: int
    month: datetime.date
    value: int


class Sig(NamedTuple):
    id: int
    kind: str
    verification: str
    received: datetime.date
    occurred: datetime.date | None = None
    months_owed: int = 0
    workers: int = 0
    merged: bool = False


class Rep(NamedTuple):
    id: int
    arrears_since: datetime.date
    reported_on: datetime.date
    deadline: datetime.date
    on_time: bool


@dataclass(frozen=True)
class Facts:
    enterprise_id: int
    kinds: frozenset[str] = frozenset()
    status: str = "operating"
    observations: dict[str, tuple[Obs, ...]] = field(default_factory=dict)  # by indicator, by month
    signals: tuple[Sig, ...] = ()
    reports: tuple[Rep, ...] = ()
    # The enterprise's latest integrity grade (守法诚信等级, §三(七)) as credit tells it through
    # ``seam.enterprise_credit``: "A", "B", "C" or "" (never graded), and its year.
    grade: str = ""
    grade_year: int | None = None
    # The first day after the day asked on which that grade may change with no new record (a later
    # year's grade coming into force), or None: an edge of the horizon, never read by a rule.
    grade_changes_on: datetime.date | None = None

    @cached_property
    def complaints(self) -> tuple[Sig, ...]:
        """Verified complaints, oldest first (computed once; several rules read them)."""
        return tuple(
            sorted(
                (
                    s
                    for s in self.signals
                    if s.kind in COMPLAINT_KINDS and s.verification in VERIFIED and not s.merged
                ),
                key=lambda s: (s.received, s.id),
            )
        )

    @cached_property
    def quiet(self) -> bool:
        """Nothing any rule could fire on: no signals, no reports, no arrears-type observations,
        no series long enough to show a drop. Most enterprises, most of the time."""
        if self.signals or self.reports or self.status in ("unreachable", "suspended"):
            return False
        if self.grade in GRADE_POINTS:  # a B or C grade is a screening factor by itself
            return False
        if any(code in self.observations for code in LOUD_INDICATORS):
            return False
        return not any(len(self.observations.get(code, ())) >= 4 for code in DROP_INDICATORS)


LOUD_INDICATORS = (
    "wage_arrears_months",
    "wage_arrears_amount",
    "si_arrears_months",
    "overdue_loans",
    "lawsuits",
    "private_lending",
)
DROP_INDICATORS = ("electricity_kwh", "insured_headcount", "tax_paid")
# An integrity grade that is a risk factor (§三(七)), and the parameter of its points.
GRADE_POINTS = {"C": "screen.points_grade_c", "B": "screen.points_grade_b"}


@dataclass(frozen=True)
class Param:
    code: str
    value: int
    unit: str = ""
    citation: str = ""
    effective_from: str = ""

    def evidence(self) -> dict:
        """What a finding records of the parameter. Built once per parameter and scan (a scan asks it
        for every enterprise); findings only serialise it, never change it."""
        cached = self.__dict__.get("_evidence")
        if cached is None:
            cached = {
                "code": self.code,
                "value": self.value,
                "unit": self.unit,
                "citation": self.citation,
                "effective_from": self.effective_from,
            }
            object.__setattr__(self, "_evidence", cached)
        return cached


@dataclass
class Finding:
    rule: str
    level: str
    text: str
    points: int = 0
    observations: list[int] = field(default_factory=list)
    signals: list[int] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)
    params: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "level": self.level,
            "points": self.points,
            "text": self.text,
            "evidence": {"observations": self.observations, "signals": self.signals, "reports": self.reports},
            "params": self.params,
        }


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: str  # the highest level it can give
    citation: str
    params: tuple[str, ...]
    check: Callable[[Facts, dict[str, Param], datetime.date], Finding | None]
    description: str = ""


# --- helpers ------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@lru_cache(maxsize=4096)  # a scan asks the same few dates hundreds of thousands of times
def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), clamped to the month's end: 1月31日 + 1 → 2月28日."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class View:
    """What the rules can see as of a day — the scan loads only this. An observation older than the
    recent months and the three before them says nothing; a signal older than ``SIGNAL_DAYS`` is
    read by no rule except the year of collective complaints (§四(一) "近一年")."""

    oldest_month: datetime.date
    signals_since: datetime.date
    year_since: datetime.date


SIGNAL_DAYS = 100  # the longest look-back of a rule but one (三个月 of late self-reports, 90 days)
YEAR_KINDS = ("collective",)


def view(as_of: datetime.date) -> View:
    return View(
        oldest_month=add_months(month_start(as_of), -(RECENT_MONTHS - 1 + 3)),
        signals_since=as_of - datetime.timedelta(days=SIGNAL_DAYS),
        year_since=as_of - datetime.timedelta(days=366),
    )


def in_view(facts: Facts, as_of: datetime.date) -> Facts:
    """``facts`` cut to what the rules can see (what the scan loads): the same findings, always."""
    v = view(as_of)
    return Facts(
        enterprise_id=facts.enterprise_id,
        kinds=facts.kinds,
        status=facts.status,
        grade=facts.grade,
        grade_year=facts.grade_year,
        grade_changes_on=facts.grade_changes_on,
        observations={
            code: kept
            for code, series in facts.observations.items()
            if (kept := tuple(o for o in series if v.oldest_month <= o.month <= as_of))
        },
        signals=tuple(
            s
            for s in facts.signals
            if s.received <= as_of
            and s.received >= (v.year_since if s.kind in YEAR_KINDS else v.signals_since)
        ),
        reports=tuple(r for r in facts.reports if r.reported_on <= as_of),
    )


@lru_cache(maxsize=64)
def _recent_months(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    newest = month_start(as_of)
    return newest, add_months(newest, -(RECENT_MONTHS - 1))


def current(facts: Facts, code: str, as_of: datetime.date) -> Obs | None:
    """The latest observation of ``code`` within the recent months up to ``as_of``."""
    newest, oldest = _recent_months(as_of)  # asked a million times a scan for the same day
    for obs in reversed(facts.observations.get(code, ())):
        if obs.month <= newest:
            return obs if obs.month >= oldest else None
    return None


def trailing(facts: Facts, code: str, latest: Obs, months: int = 3) -> list[Obs]:
    """The ``months`` observations before ``latest`` (only if all are present)."""
    series = facts.observations.get(code, ())  # by month, one per month
    at = series.index(latest)
    before = series[max(0, at - months) : at]
    # ``months`` values before it, the first exactly ``months`` earlier: the consecutive months.
    if len(before) == months and before[0].month == add_months(latest.month, -months):
        return list(before)
    return []


def verified_complaints(facts: Facts, as_of: datetime.date) -> list[Sig]:
    return [s for s in facts.complaints if s.received <= as_of]


def recent_signals(facts: Facts, kinds: tuple[str, ...], as_of: datetime.date, days: int) -> list[Sig]:
    since = as_of - datetime.timedelta(days=days)
    return [
        s
        for s in facts.signals
        if s.kind in kinds and since <= s.received <= as_of and s.verification != "unfounded" and not s.merged
    ]


def _p(params: dict[str, Param], code: str) -> Param:
    return params[code]


def _clause(param: Param) -> str:
    """The short clause of a citation for a sentence: "§五(二)" out of "《…实施意见》 §五(二)"."""
    text = param.citation
    if "§" in text:
        return text[text.index("§") :].split("（")[0].strip()
    return text


# --- the rules ----------------------------------------------------------------------------------


def immediate_arrears(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> Finding | None:
    """§五(二): wages or social insurance owed for ``immediate.arrears_months`` months or more."""
    threshold = _p(params, "immediate.arrears_months")
    parts, observations, signals = [], [], []
    for code, label in (("wage_arrears_months", "拖欠工资"), ("si_arrears_months", "社保连续欠缴")):
        obs = current(facts, code, as_of)
        if obs and obs.value >= threshold.value:
            parts.append(f"{label} {obs.value} 个月（{obs.month:%Y年%m月}数据）")
            observations.append(obs.id)
    since = add_months(as_of, -2)
    for sig in verified_complaints(facts, as_of):
        if sig.received >= since and sig.months_owed >= threshold.value:
            parts.append(f"线索 #{sig.id} 查实拖欠工资 {sig.months_owed} 个月")
            signals.append(sig.id)
            break
    for sig in facts.signals:
        if (
            sig.kind == "social_insurance"
            and sig.verification in VERIFIED
            and not sig.merged
            and since <= sig.received <= as_of
            and sig.months_owed >= threshold.value
        ):
            parts.append(f"线索 #{sig.id} 查实欠缴社保 {sig.months_owed} 个月")
            signals.append(sig.id)
            break
    if not parts:
        return None
    return Finding(
        rule="IMMEDIATE_ARREARS_2M",
        level="red",
        text="；".join(parts) + f"（≥{threshold.value}，依据 {_clause(threshold)}，应即时报告）",
        observations=observations,
        signals=signals,
        params=[threshold.evidence()],
    )


def immediate_complaints(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> Finding | None:
    """§五(二): ``immediate.complaints`` or more verified complaints within one month — any window
    from a day to the same day of the next month — that still reaches into the last month."""
    threshold = _p(params, "immediate.complaints")
    complaints = verified_complaints(facts, as_of)
    relevant_from = add_months(as_of, -1)
    best: list[Sig] = []
    for i, first in enumerate(complaints):
        end = add_months(first.received, 1)
        if end < relevant_from:
            continue
        window = [s for s in complaints[i:] if s.received <= end]
        if len(window) >= threshold.value and len(window) > len(best):
            best = window
    if not best:
        return None
    start, end = best[0].received, add_months(best[0].received, 1)
    return Finding(
        rule="IMMEDIATE_COMPLAINTS_3",
        level="red",
        text=(
            f"{start:%Y年%m月%d日}至{end:%m月%d日}一个月内经查证属实的欠薪举报 {len(best)} 次"
            f"（≥{threshold.value}，依据 {_clause(threshold)}，应即时报告）"
        ),
        signals=[s.id for s in best],
        params=[threshold.evidence()],
    )


def late_self_report(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> Finding | None:
    """§四(一): arrears verified and no written report within the deadline, or a late report."""
    deadline = _p(params, "self_report.deadline_days")
    year_ago = add_months(as_of, -12)
    late = [
        r for r in facts.reports if not r.on_time and r.arrears_since >= year_ago and r.reported_on <= as_of
    ]
    if late:
        r = max(late, key=lambda r: r.reported_on)
        return Finding(
            rule="LATE_SELF_REPORT",
            level="yellow",
            text=(
                f"企业欠薪书面报告逾期：{r.arrears_since:%Y年%m月%d日}起拖欠，应于{r.deadline:%m月%d日}前报告，"
                f"实际{r.reported_on:%m月%d日}送达（{deadline.value}日，依据 {_clause(deadline)}）"
            ),
            reports=[r.id],
            params=[deadline.evidence()],
        )
    since = add_months(as_of, -3)
    for sig in verified_complaints(facts, as_of):
        started = sig.occurred or sig.received
        if sig.received < since or as_of <= started + datetime.timedelta(days=deadline.value):
            continue
        covered = any(  # a report not yet received on ``as_of`` covers nothing yet
            r.arrears_since >= started - datetime.timedelta(days=62) and r.reported_on <= as_of
            for r in facts.reports
        )
        if not covered:
            due = started + datetime.timedelta(days=deadline.value)
            return Finding(
                rule="LATE_SELF_REPORT",
                level="yellow",
                text=(
                    f"线索 #{sig.id} 查实欠薪（{started:%Y年%m月%d日}起），未见企业书面报告"
                    f"（应于{due:%m月%d日}前，{deadline.value}日，依据 {_clause(deadline)}）"
                ),
                signals=[sig.id],
                params=[deadline.evidence()],
            )
    return None


def arrears_duration(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> Finding | None:
    """Jiangsu county practice: arrears under a month yellow, one to two months orange, two or more red."""
    orange, red = _p(params, "level.orange_months"), _p(params, "level.red_months")
    months, observations, signals = 0, [], []
    months_obs = current(facts, "wage_arrears_months", as_of)
    amount_obs = current(facts, "wage_arrears_amount", as_of)
    owed = False
    if months_obs and months_obs.value > 0:
        months, owed = months_obs.value, True
        observations.append(months_obs.id)
    if amount_obs and amount_obs.value > 0:
        owed = True
        observations.append(amount_obs.id)
    since = add_months(as_of, -2)
    for sig in verified_complaints(facts, as_of):
        if sig.received >= since:
            owed = True
            signals.append(sig.id)
            months = max(months, sig.months_owed)
    if not owed:
        return None
    if months >= red.value:
        level, band = "red", f"≥{red.value} 个月为红色"
    elif months >= orange.value:
        level, band = "orange", f"{orange.value}–{red.value} 个月为橙色"
    else:
        level, band = "yellow", f"不足 {orange.value} 个月为黄色"
    said = f"拖欠工资 {months} 个月" if months else "存在拖欠工资（不足 1 个月）"
    return Finding(
        rule="ARREARS_DURATION",
        level=level,
        text=f"{said}（{band}，依据 {orange.citation}）",
        observations=observations,
        signals=signals[:5],
        params=[orange.evidence(), red.evidence()],
    )


# Screening factors of §四(一). Each factor's points and each kind's weight are policy parameters
# (district practice, to confirm); the rule declares them, so a finding lists the values it used.
KIND_NAMES = {
    "labour_intensive": "劳动密集型",
    "labour_dispatch": "劳务派遣",
    "construction": "建筑施工",
    "real_estate": "房地产开发",
}
KIND_WEIGHTS = {kind: f"screen.weight_{kind}" for kind in KIND_NAMES}  # kind → its weight's parameter
FACTOR_POINTS = (
    "screen.points_si_arrears",
    "screen.points_electricity_drop",
    "screen.points_headcount_drop",
    "screen.points_tax_drop",
    "screen.points_overdue_loans",
    "screen.points_litigation",
    "screen.points_private_lending",
    "screen.points_owner_unreachable",
    "screen.points_suspension",
    "screen.points_project_settlement",
    "screen.points_collective",
)
DROPS = (  # indicator, label, threshold parameter, points parameter
    ("electricity_kwh", "用电量", "screen.electricity_drop_percent", "screen.points_electricity_drop"),
    ("insured_headcount", "参保人数", "screen.headcount_drop_percent", "screen.points_headcount_drop"),
    ("tax_paid", "纳税额", "screen.tax_drop_percent", "screen.points_tax_drop"),
)
RECENT_DAYS = 90  # a factor signal counts for three months; collective complaints for a year


def _drop(facts: Facts, code: str, as_of: datetime.date, param: Param) -> tuple[int, Obs] | None:
    latest = current(facts, code, as_of)
    if latest is None:
        return None
    before = trailing(facts, code, latest)
    if not before:
        return None
    mean = sum(o.value for o in before) / len(before)
    if mean <= 0:
        return None
    drop = round((mean - latest.value) * 100 / mean)
    return (drop, latest) if drop >= param.value else None


def screening(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> Finding | None:
    """§四(一) 排查摸底: risk factors add up to points; points thresholds give the level."""
    parts: list[str] = []
    points = 0
    observations: list[int] = []
    signals: list[int] = []
    used: list[dict] = []

    def add(param_codes: tuple[str, ...], text: str, *, obs: Obs | None = None, sigs: list[Sig] = ()) -> None:
        nonlocal points
        weights = [_p(params, code) for code in param_codes]
        n = sum(w.value for w in weights)
        points += n
        parts.append(f"{text}（{n}分）")
        used.extend(w.evidence() for w in weights)
        if obs:
            observations.append(obs.id)
        signals.extend(s.id for s in sigs)

    def observed(code: str) -> Obs | None:
        obs = current(facts, code, as_of)
        return obs if obs and obs.value > 0 else None

    si = observed("si_arrears_months")
    if si:
        add(("screen.points_si_arrears",), f"社保欠缴 {si.value} 个月", obs=si)
    for code, label, threshold_code, points_code in DROPS:
        threshold = _p(params, threshold_code)
        found = _drop(facts, code, as_of, threshold)
        if found:
            drop, latest = found
            used.append(threshold.evidence())
            add((points_code,), f"{label}较前三个月均值下降 {drop}%（≥{threshold.value}%）", obs=latest)
    # One pass over the signals for the kinds read below (same filter as ``recent_signals``).
    since = as_of - datetime.timedelta(days=RECENT_DAYS)
    recent: dict[str, list[Sig]] = {}
    for s in facts.signals:
        if since <= s.received <= as_of and s.verification != "unfounded" and not s.merged:
            recent.setdefault(s.kind, []).append(s)
    for code, kind, points_code, label in (
        ("overdue_loans", "loan_overdue", "screen.points_overdue_loans", "银行贷款逾期"),
        ("lawsuits", "litigation", "screen.points_litigation", "涉诉涉执"),
        ("private_lending", "private_lending", "screen.points_private_lending", "民间借贷风险"),
    ):
        obs = observed(code)
        found = recent.get(kind, [])
        if obs or found:
            add((points_code,), label, obs=obs, sigs=found)
    absconded = recent.get("owner_absconded", [])
    if facts.status == "unreachable" or absconded:
        add(("screen.points_owner_unreachable",), "企业主失联逃匿", sigs=absconded)
    suspended = recent.get("suspension", [])
    if facts.status == "suspended" or suspended:
        add(("screen.points_suspension",), "停产停业", sigs=suspended)
    settlement = recent.get("project_settlement", [])
    if settlement:
        add(("screen.points_project_settlement",), "工程款结算、劳务分包问题", sigs=settlement)
    collective = recent_signals(facts, ("collective",), as_of, 365)
    if collective:
        add(("screen.points_collective",), f"近一年集体讨薪苗头 {len(collective)} 次", sigs=collective)
    if facts.grade in GRADE_POINTS and _p(params, GRADE_POINTS[facts.grade]).value > 0:
        year = f"（{facts.grade_year}年度）" if facts.grade_year else ""
        add((GRADE_POINTS[facts.grade],), f"守法诚信等级{facts.grade}级{year}")
    risky_kinds = sorted(k for k in facts.kinds if k in KIND_WEIGHTS)
    if points and risky_kinds:
        add(
            tuple(KIND_WEIGHTS[k] for k in risky_kinds),
            "重点排查类型：" + "、".join(KIND_NAMES[k] for k in risky_kinds),
        )
    if not points:
        return None
    yellow, orange, red = (_p(params, f"risk.points_{c}") for c in ("yellow", "orange", "red"))
    used += [yellow.evidence(), orange.evidence(), red.evidence()]
    if points >= red.value:
        level = "red"
    elif points >= orange.value:
        level = "orange"
    elif points >= yellow.value:
        level = "yellow"
    else:
        level = "none"
    thresholds = f"黄≥{yellow.value}、橙≥{orange.value}、红≥{red.value}"
    return Finding(
        rule="SCREENING_RISK",
        level=level,
        points=points,
        text="；".join(parts) + f"；合计 {points} 分（{thresholds}，依据 §四(一)）",
        observations=observations,
        signals=sorted(set(signals)),
        params=used,
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "IMMEDIATE_ARREARS_2M",
        "拖欠工资或社保费达两个月以上（即时报告）",
        "red",
        "§五(二)",
        ("immediate.arrears_months",),
        immediate_arrears,
        "拖欠工资月数或社保欠缴月数的当前值、或近两个月查实线索的拖欠月数达到参数值。",
    ),
    Rule(
        "IMMEDIATE_COMPLAINTS_3",
        "一个月内被员工举报三次以上经查证属实（即时报告）",
        "red",
        "§五(二)",
        ("immediate.complaints",),
        immediate_complaints,
        "任一自某日至次月同日的窗口内，查证属实（含部分属实）的欠薪举报达到参数值，且窗口在最近一个月内。",
    ),
    Rule(
        "LATE_SELF_REPORT",
        "未按时书面报告欠薪",
        "yellow",
        "§四(一)",
        ("self_report.deadline_days",),
        late_self_report,
        "企业欠薪报告逾期，或欠薪已查实而拖欠之日起期限届满仍无书面报告。",
    ),
    Rule(
        "ARREARS_DURATION",
        "欠薪时长分级",
        "red",
        "江苏宝应县做法",
        ("level.orange_months", "level.red_months"),
        arrears_duration,
        "存在欠薪：不足 1 个月黄色，1 至 2 个月橙色，2 个月以上红色。",
    ),
    Rule(
        "SCREENING_RISK",
        "排查摸底风险因子",
        "red",
        "§四(一)",
        (
            "screen.electricity_drop_percent",
            "screen.headcount_drop_percent",
            "screen.tax_drop_percent",
            *FACTOR_POINTS,
            *GRADE_POINTS.values(),
            *KIND_WEIGHTS.values(),
            "risk.points_yellow",
            "risk.points_orange",
            "risk.points_red",
        ),
        screening,
        "社保欠缴、用电/参保人数/纳税较前三个月均值下降、贷款逾期、涉诉涉执、民间借贷、企业主失联、停产停业、"
        "工程款结算或劳务分包问题、近一年集体讨薪苗头、守法诚信等级C级或B级各按参数计分（screen.points_*），已有风险的企业属重点类型"
        "（劳动密集型、劳务派遣、建筑、房地产）再按参数加分（screen.weight_*）；按合计分定级。",
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}
PARAMETER_CODES = tuple(sorted({code for rule in RULES for code in rule.params}))


@dataclass
class Assessment:
    level: str
    points: int
    findings: list[Finding]
    # The first day after ``as_of`` on which the findings may differ with no new data (``horizon``).
    stable_until: datetime.date


# --- the horizon: the first day the findings may change with no new data ----------------------------

HORIZON_DAYS = 366  # no edge: stable for a year (see the module's conventions)
# What the rules read of an indicator is its current value (``current``): these indicators.
CURRENT_CODES = (*LOUD_INDICATORS, *DROP_INDICATORS)
# The signal kinds screening counts for ``RECENT_DAYS`` (verified or not, unless unfounded).
FACTOR_KINDS = frozenset(
    ("loan_overdue", "litigation", "private_lending", "owner_absconded", "suspension", "project_settlement")
)
_DAY = datetime.timedelta(days=1)


def _left(day: datetime.date, months: int) -> datetime.date:
    """The first day ``d`` on which ``add_months(d, -months) <= day`` no longer holds: the day a fact
    of ``day`` leaves a window of ``months`` months. ``add_months(day, months) + 1`` at the earliest
    (see the conventions); clamping can keep it in up to three days longer (28 Feb is still within
    two months of 30 April), so step on to the exact day — an edge must be exact or after ``as_of``."""
    left = add_months(day, months) + _DAY
    while add_months(left, -months) <= day:
        left += _DAY
    return left


def _month_entered(month: datetime.date) -> datetime.date:
    """The first day on which an observation of ``month`` is within ``current``'s months."""
    return month if month.day == 1 else add_months(month_start(month), 1)


def horizon(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> datetime.date:
    """The first day after ``as_of`` on which ``assess(facts, params, day)`` may differ from
    ``assess(facts, params, as_of)`` (the conventions above say why each edge is where it is)."""
    first = as_of + datetime.timedelta(days=HORIZON_DAYS)
    if facts.grade_changes_on is not None and as_of < facts.grade_changes_on < first:
        first = facts.grade_changes_on
    if facts.quiet:  # no rule fires on any day; only a new grade can change that
        return first
    edges: list[datetime.date] = []
    add = edges.append
    newest = month_start(as_of)
    for code in CURRENT_CODES:
        series = facts.observations.get(code)
        if not series:
            continue
        latest = current(facts, code, as_of)
        if latest is not None:  # it leaves the recent months (then no value is current)
            add(add_months(month_start(latest.month), RECENT_MONTHS))
        for obs in reversed(series):  # by month: a later month arrives and becomes the current value
            if obs.month < newest:
                break
            add(_month_entered(obs.month))
    threshold = params["immediate.arrears_months"].value
    deadline = datetime.timedelta(days=params["self_report.deadline_days"].value)
    complaints = facts.complaints
    bursts = len(complaints) >= params["immediate.complaints"].value  # else IMMEDIATE_COMPLAINTS never fires
    for sig in complaints:  # verified, not merged
        received = sig.received
        add(received)
        # ARREARS_DURATION and IMMEDIATE_ARREARS_2M: the last two months.
        add(_left(received, 2))
        # LATE_SELF_REPORT: the last three months, and the day after the deadline.
        add(_left(received, 3))
        add((sig.occurred or received) + deadline + _DAY)
        if bursts:  # a one-month window from it stops reaching into the last month
            add(_left(add_months(received, 1), 1))
    for sig in facts.signals:
        if sig.merged or sig.verification == "unfounded":
            continue
        kind = sig.kind
        if kind in FACTOR_KINDS:  # screening, ninety days
            add(sig.received)
            add(sig.received + datetime.timedelta(days=RECENT_DAYS + 1))
        elif kind == "collective":  # screening, a year (a verified one is a complaint too: above)
            add(sig.received)
            add(sig.received + datetime.timedelta(days=366))
        elif kind == "social_insurance" and sig.verification in VERIFIED and sig.months_owed >= threshold:
            add(sig.received)  # IMMEDIATE_ARREARS_2M
            add(_left(sig.received, 2))
    for rep in facts.reports:  # LATE_SELF_REPORT: received on its day; a late one counts for a year
        add(rep.reported_on)
        if not rep.on_time:
            add(_left(rep.arrears_since, 12))
    for edge in edges:
        if as_of < edge < first:
            first = edge
    return first


def assess(facts: Facts, params: dict[str, Param], as_of: datetime.date) -> Assessment:
    """Run every rule. The level is the highest any finding gives; points are the screening score;
    ``stable_until`` is the horizon."""
    until = horizon(facts, params, as_of)
    if facts.quiet:
        return Assessment(level="none", points=0, findings=[], stable_until=until)
    findings = [f for f in (rule.check(facts, params, as_of) for rule in RULES) if f is not None]
    level = max((f.level for f in findings), key=LEVELS.index, default="none")
    points = sum(f.points for f in findings)
    return Assessment(level=level, points=points, findings=findings, stable_until=until)
