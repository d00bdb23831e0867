"""How much wage deposit a project's general contractor must hold (人社部发〔2021〕65号 第十条、第十一条)
— a pure function: the contract sum, the contractor's arrears history and the parameters in, the
amount and every step of its computation out (each step with its clause and value), so the screen,
the API and the stored record say the same thing.

The rules, in the order they are applied:

1. **Ratio tier** by the contract sum: below ``deposit.tier1_upper`` the first rate, from it (inclusive)
   below ``deposit.tier2_upper`` the second, from ``tier2_upper`` (inclusive) the third.
2. **Raised after arrears**: arrears within ``deposit.arrears_years_raise`` years before the contract
   date raise the rate to ``deposit.raise_percent`` % of the tier's, still at most 3 % (65号文 第十条) —
   and no exemption applies. A contractor whose latest integrity grade (守法诚信等级, §三(七)) is C is
   raised the same way, the step naming the grade and its year.
3. **Exempt, small contract**: a contract sum below ``deposit.exempt_below`` with no arrears within the
   past year is exempt (the amount exactly at the line is not).
4. **Exempt, clean record**: ``deposit.clean_years_exempt`` clean years → exempt.
5. **Reduced, clean record**: ``deposit.clean_years_reduce`` clean years → ``deposit.reduce_percent`` %
   of the tier's rate.
6. A rate is never below ``deposit.rate_floor`` (except exempt) and the amount never above
   ``deposit.cap``; the amount is rounded to the fen (half up).

Years are calendar years back from the contract date: "within N years" means on or after the same
day N years earlier (29 February → 28 February). "N clean years" means the record covers the whole of
those N years (it began on or before that day) and no counted arrears fall inside them. What counts
as arrears, and from when the record runs, is the caller's (``services.deposits.arrears_history``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from anxin.core.money import format_yuan

CODES = (
    "deposit.tier1_upper",
    "deposit.tier2_upper",
    "deposit.rate_tier1",
    "deposit.rate_tier2",
    "deposit.rate_tier3",
    "deposit.rate_floor",
    "deposit.cap",
    "deposit.exempt_below",
    "deposit.clean_years_reduce",
    "deposit.reduce_percent",
    "deposit.clean_years_exempt",
    "deposit.arrears_years_raise",
    "deposit.raise_percent",
)
# 65号文 第十条: the ratio is at most 3 % of the contract sum (also the bound of every rate parameter).
MAX_RATE = Decimal("3.00")
MAX_RATE_CLAUSE = "工程建设领域农民工工资保证金规定（人社部发〔2021〕65号） 第十条：存储比例不超过合同额的3%"


@dataclass(frozen=True)
class Param:
    """A parameter's value as a decision uses it: code, name, value (typed), unit, clause."""

    code: str
    name: str
    value: int | Decimal
    unit: str
    citation: str

    def shown(self) -> str:
        if self.unit == "分":
            return f"{format_yuan(int(self.value))} 元"
        return f"{self.value}{self.unit}" if self.unit == "%" else f"{self.value} {self.unit}"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "value": str(self.value),
            "unit": self.unit,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class History:
    """The contractor's arrears as counted (dates of the arrears, the case numbers) and the day its
    record begins (before it, clean years cannot be attested)."""

    arrears: Sequence[tuple[datetime.date, str]] = ()
    record_since: datetime.date | None = None
    rule: str = ""
    grade: str = ""  # the latest integrity grade (A/B/C, "" never graded), as credit tells it
    grade_year: int | None = None


@dataclass
class Step:
    label: str
    value: str
    clause: str = ""
    codes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"label": self.label, "value": self.value, "clause": self.clause, "codes": list(self.codes)}


@dataclass
class Computation:
    contract_amount: int
    on: datetime.date
    required: int = 0
    rate: Decimal = Decimal(0)
    exempt: bool = False
    steps: list[Step] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    history: History = field(default_factory=History)

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "contract_amount": self.contract_amount,
            "required": self.required,
            "rate": format(self.rate, "f"),
            "exempt": self.exempt,
            "steps": [s.as_dict() for s in self.steps],
            "params": [p.as_dict() for p in self.params],
            "arrears": [{"on": d.isoformat(), "case": n} for d, n in self.history.arrears],
            "record_since": self.history.record_since.isoformat() if self.history.record_since else None,
            "arrears_rule": self.history.rule,
            "grade": self.history.grade,
            "grade_year": self.history.grade_year,
        }


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def arrears_within(history: History, on: datetime.date, years: int) -> list[tuple[datetime.date, str]]:
    """Counted arrears on or after the same day ``years`` before ``on`` (and not after ``on``)."""
    start = years_before(on, years)
    return [(d, n) for d, n in history.arrears if start <= d <= on]


def clean_for(history: History, on: datetime.date, years: int) -> bool:
    """The record covers the ``years`` before ``on`` and holds no counted arrears within them."""
    start = years_before(on, years)
    covered = history.record_since is not None and history.record_since <= start
    return covered and not arrears_within(history, on, years)


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001')).normalize():f}%"


def required_deposit(
    *, contract_amount: int, on: datetime.date, history: History, params: Mapping[str, Param]
) -> Computation:
    """The required deposit for a contract of ``contract_amount`` fen signed on ``on``."""
    if contract_amount < 0:
        raise ValueError("contract_amount must not be negative")
    p = params
    out = Computation(contract_amount=contract_amount, on=on, history=history)
    out.params = [p[c] for c in CODES]
    steps = out.steps
    steps.append(Step("合同金额", f"{format_yuan(contract_amount)} 元"))

    # 1. the tier
    t1, t2 = int(p["deposit.tier1_upper"].value), int(p["deposit.tier2_upper"].value)
    if contract_amount < t1:
        tier, rate_code, where = 1, "deposit.rate_tier1", f"低于 {p['deposit.tier1_upper'].shown()}"
    elif contract_amount < t2:
        tier, rate_code = 2, "deposit.rate_tier2"
        where = f"{p['deposit.tier1_upper'].shown()}（含）至 {p['deposit.tier2_upper'].shown()}"
    else:
        tier, rate_code, where = 3, "deposit.rate_tier3", f"{p['deposit.tier2_upper'].shown()}（含）以上"
    base = Decimal(p[rate_code].value)
    steps.append(
        Step(
            f"比例档位：第{tier}档（合同额{where}）",
            _pct(base),
            p[rate_code].citation,
            ("deposit.tier1_upper", "deposit.tier2_upper", rate_code),
        )
    )

    # the history, as counted
    raise_years = int(p["deposit.arrears_years_raise"].value)
    recent = arrears_within(history, on, raise_years)
    past_year = arrears_within(history, on, 1)
    listed = "、".join(f"{n}（{d:%Y-%m-%d}）" for d, n in history.arrears) or "无"
    steps.append(Step("施工总承包单位欠薪记录", listed, history.rule))

    floor = Decimal(p["deposit.rate_floor"].value)
    rate = base
    graded_c = history.grade == "C"
    if recent or graded_c:
        raised = base * Decimal(int(p["deposit.raise_percent"].value)) / 100
        rate = min(raised, MAX_RATE)
        reasons = []
        if recent:
            reasons.append(f"近{raise_years}年内发生拖欠（{len(recent)} 起）")
        if graded_c:
            year = f"（{history.grade_year}年度）" if history.grade_year else ""
            reasons.append(f"守法诚信等级为C级{year}")
        steps.append(
            Step(
                f"{'，且'.join(reasons)}：比例提高至原比例的 "
                f"{p['deposit.raise_percent'].value}%，不超过 3%，且不适用免存",
                _pct(rate),
                p["deposit.raise_percent"].citation,
                ("deposit.arrears_years_raise", "deposit.raise_percent"),
            )
        )
        if raised > MAX_RATE:
            steps.append(Step("提高后超过 3%，按 3% 计", _pct(MAX_RATE), MAX_RATE_CLAUSE))
    else:
        exempt_below = int(p["deposit.exempt_below"].value)
        if contract_amount < exempt_below and not past_year:
            steps.append(
                Step(
                    f"合同额低于 {p['deposit.exempt_below'].shown()} 且近一年无拖欠：免存",
                    "免存",
                    p["deposit.exempt_below"].citation,
                    ("deposit.exempt_below",),
                )
            )
            return _exempt(out)
        exempt_years = int(p["deposit.clean_years_exempt"].value)
        if clean_for(history, on, exempt_years):
            steps.append(
                Step(
                    f"连续{exempt_years}年无拖欠：免存",
                    "免存",
                    p["deposit.clean_years_exempt"].citation,
                    ("deposit.clean_years_exempt",),
                )
            )
            return _exempt(out)
        reduce_years = int(p["deposit.clean_years_reduce"].value)
        if clean_for(history, on, reduce_years):
            rate = base * Decimal(int(p["deposit.reduce_percent"].value)) / 100
            steps.append(
                Step(
                    f"连续{reduce_years}年无拖欠：比例下调至原比例的 {p['deposit.reduce_percent'].value}%",
                    _pct(rate),
                    p["deposit.reduce_percent"].citation,
                    ("deposit.clean_years_reduce", "deposit.reduce_percent"),
                )
            )
        else:
            steps.append(
                Step(
                    f"无拖欠年数不足{reduce_years}年（或记录不足），不下调",
                    _pct(rate),
                    p["deposit.clean_years_reduce"].citation,
                    ("deposit.clean_years_reduce",),
                )
            )
    if rate < floor:
        rate = floor
        steps.append(
            Step(
                "低于存储比例下限，按下限计",
                _pct(floor),
                p["deposit.rate_floor"].citation,
                ("deposit.rate_floor",),
            )
        )
    out.rate = rate
    amount = int((Decimal(contract_amount) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    steps.append(Step(f"合同金额 × {_pct(rate)}", f"{format_yuan(amount)} 元"))
    cap = int(p["deposit.cap"].value)
    if amount > cap:
        amount = cap
        steps.append(
            Step(
                "超过单个项目存储上限，按上限计",
                f"{format_yuan(cap)} 元",
                p["deposit.cap"].citation,
                ("deposit.cap",),
            )
        )
    out.required = amount
    steps.append(Step("应存金额", f"{format_yuan(amount)} 元"))
    return out


def _exempt(out: Computation) -> Computation:
    out.exempt = True
    out.required = 0
    out.rate = Decimal(0)
    out.steps.append(Step("应存金额", "0.00 元（免存）"))
    return out
