"""The integrity-grade rules (企业劳动保障守法诚信等级评价办法, 人社部规〔2016〕1号; §三(七)): a pure function
from one enterprise's records of one year to its grade (A/B/C) and the lines behind it.

Nothing here touches the database. ``grade_of(facts, params)`` reads what the loader
(``services.grades.load_facts``) gathered for the evaluation year (1 January to 31 December):

- **violations found** — orders to pay (责令限期支付) and administrative penalties (行政处罚) issued in the
  year (an action withdrawn or refused is not a finding);
- **incidents** — mass or extreme incidents (群体性、极端事件) that occurred in the year; a sudden closure
  (企业突然关停) is not one; a case flagged 群体性事件 without an incident record counts by its case;
- **orders or penalties ignored** — status 逾期未履行 (lapsed) in the year;
- **criminal referrals** — 移送公安（涉嫌拒不支付劳动报酬罪） made in the year and not withdrawn or refused;
- **listings** — on the joint-punishment list for at least one day of the year (a revoked listing was
  never rightly made: it does not count).

C if any of: violations ≥ ``grade.c_violations`` (第七条第（一）项, "三次以上（含三次）"), an incident
(第七条第（二）项), an ignored order or penalty (第七条第（四）项), a criminal referral (第七条第（六）项), on
the joint-punishment list; B if any violation (第六条); else A (第五条). Each B/C line names its rule,
its citation, the parameter values and the record ids."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

RULES_NAME = "企业劳动保障守法诚信等级评价办法（人社部规〔2016〕1号）"
LIST_RULES_NAME = "拖欠农民工工资失信联合惩戒对象名单管理暂行办法"
PARAMETER_CODES = ("grade.c_violations",)


class Act(NamedTuple):
    """A legal action on one of the enterprise's cases: id, its case, kind (order/penalty/referral),
    the day it counts on (issued, lapsed or made), the document number."""

    id: int
    case_id: int
    kind: str
    on: datetime.date
    reference: str = ""
    case_number: str = ""


class Inc(NamedTuple):
    """A mass or extreme incident (or a case flagged 群体性事件 with no incident record: ``id`` 0)."""

    id: int
    case_id: int
    kind: str  # mass / extreme / flag
    on: datetime.date
    case_number: str = ""


class Lst(NamedTuple):
    """A listing on the joint-punishment list and the days it was in force."""

    id: int
    number: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class Param:
    code: str
    value: int
    unit: str = ""
    citation: str = ""
    effective_from: str = ""

    def evidence(self) -> dict:
        return {
            "code": self.code,
            "value": self.value,
            "unit": self.unit,
            "citation": self.citation,
            "effective_from": self.effective_from,
        }


@dataclass(frozen=True)
class GradeFacts:
    enterprise_id: int
    year: int
    violations: tuple[Act, ...] = ()
    ignored: tuple[Act, ...] = ()
    incidents: tuple[Inc, ...] = ()
    referrals: tuple[Act, ...] = ()
    listings: tuple[Lst, ...] = ()


@dataclass
class Line:
    """One rule met: the grade it gives, what it says, its clause, the parameters and the records."""

    rule: str
    grade: str
    text: str
    citation: str
    params: list[dict] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    listings: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "grade": self.grade,
            "text": self.text,
            "citation": self.citation,
            "params": self.params,
            "records": {
                "actions": self.actions,
                "incidents": self.incidents,
                "cases": self.cases,
                "listings": self.listings,
            },
        }


@dataclass
class GradeResult:
    grade: str
    lines: list[Line]

    def evidence(self) -> list[dict]:
        return [line.as_dict() for line in self.lines]


RULE_NAMES = {
    "C_VIOLATIONS": "年度内因劳动保障违法行为被查处达到次数",
    "C_INCIDENT": "引发群体性事件、极端事件",
    "C_IGNORED": "拒不履行责令支付或行政处罚决定",
    "C_REFERRAL": "涉嫌拒不支付劳动报酬罪移送公安",
    "C_LISTED": "列入拖欠农民工工资失信联合惩戒对象名单",
    "B_VIOLATION": "因劳动保障违法行为被查处",
    "A_CLEAN": "未因劳动保障违法行为被查处",
}
CITATIONS = {
    "C_VIOLATIONS": f"{RULES_NAME} 第七条第（一）项",
    "C_INCIDENT": f"{RULES_NAME} 第七条第（二）项",
    "C_IGNORED": f"{RULES_NAME} 第七条第（四）项",
    "C_REFERRAL": f"{RULES_NAME} 第七条第（六）项",
    "C_LISTED": f"{LIST_RULES_NAME}；{RULES_NAME} 第七条",
    "B_VIOLATION": f"{RULES_NAME} 第六条",
    "A_CLEAN": f"{RULES_NAME} 第五条",
}
KIND_WORDS = {"order": "责令限期支付", "penalty": "行政处罚", "referral": "移送公安"}
INCIDENT_WORDS = {"mass": "群体性事件", "extreme": "极端事件", "flag": "群体性事件（案件标记）"}


def _cases(items: tuple) -> list[int]:
    return sorted({item.case_id for item in items})


def _names(acts: tuple[Act, ...]) -> str:
    return "、".join(
        f"{a.case_number or '案件'} {KIND_WORDS.get(a.kind, a.kind)}（{a.on:%Y-%m-%d}"
        + (f"，{a.reference}" if a.reference else "")
        + "）"
        for a in acts
    )


def in_year(day: datetime.date, year: int) -> bool:
    return day.year == year


def grade_of(facts: GradeFacts, params: dict[str, Param]) -> GradeResult:
    """The grade of one enterprise for ``facts.year`` and every rule met (C lines first)."""
    year = facts.year
    c_violations = params["grade.c_violations"]
    violations = tuple(
        sorted((a for a in facts.violations if in_year(a.on, year)), key=lambda a: (a.on, a.id))
    )
    ignored = tuple(sorted((a for a in facts.ignored if in_year(a.on, year)), key=lambda a: (a.on, a.id)))
    referrals = tuple(sorted((a for a in facts.referrals if in_year(a.on, year)), key=lambda a: (a.on, a.id)))
    incidents = tuple(
        sorted(
            (i for i in facts.incidents if i.kind in INCIDENT_WORDS and in_year(i.on, year)),
            key=lambda i: (i.on, i.id),
        )
    )
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    listings = tuple(lst for lst in facts.listings if lst.start <= last and lst.end >= first)
    lines: list[Line] = []
    if len(violations) >= c_violations.value:
        lines.append(
            Line(
                rule="C_VIOLATIONS",
                grade="C",
                text=f"{year}年度因劳动保障违法行为被查处 {len(violations)} 次"
                f"（≥{c_violations.value} 次为C级）：{_names(violations)}",
                citation=CITATIONS["C_VIOLATIONS"],
                params=[c_violations.evidence()],
                actions=[a.id for a in violations],
                cases=_cases(violations),
            )
        )
    if incidents:
        lines.append(
            Line(
                rule="C_INCIDENT",
                grade="C",
                text=f"{year}年度引发"
                + "、".join(
                    f"{INCIDENT_WORDS[i.kind]}（{i.case_number or '案件'}，{i.on:%Y-%m-%d}）"
                    for i in incidents
                ),
                citation=CITATIONS["C_INCIDENT"],
                incidents=[i.id for i in incidents if i.id],
                cases=_cases(incidents),
            )
        )
    if ignored:
        lines.append(
            Line(
                rule="C_IGNORED",
                grade="C",
                text=f"{year}年度拒不履行（逾期未履行）：{_names(ignored)}",
                citation=CITATIONS["C_IGNORED"],
                actions=[a.id for a in ignored],
                cases=_cases(ignored),
            )
        )
    if referrals:
        lines.append(
            Line(
                rule="C_REFERRAL",
                grade="C",
                text=f"{year}年度涉嫌拒不支付劳动报酬罪移送公安：{_names(referrals)}",
                citation=CITATIONS["C_REFERRAL"],
                actions=[a.id for a in referrals],
                cases=_cases(referrals),
            )
        )
    if listings:
        lines.append(
            Line(
                rule="C_LISTED",
                grade="C",
                text=f"{year}年度在失信联合惩戒对象名单内："
                + "、".join(
                    f"{lst.number}（{lst.start:%Y-%m-%d} 至 {lst.end:%Y-%m-%d}）" for lst in listings
                ),
                citation=CITATIONS["C_LISTED"],
                listings=[lst.id for lst in listings],
            )
        )
    if lines:
        return GradeResult(grade="C", lines=lines)
    if violations:
        return GradeResult(
            grade="B",
            lines=[
                Line(
                    rule="B_VIOLATION",
                    grade="B",
                    text=f"{year}年度因劳动保障违法行为被查处 {len(violations)} 次"
                    f"（不足 {c_violations.value} 次，且无C级情形）：{_names(violations)}",
                    citation=CITATIONS["B_VIOLATION"],
                    params=[c_violations.evidence()],
                    actions=[a.id for a in violations],
                    cases=_cases(violations),
                )
            ],
        )
    return GradeResult(grade="A", lines=[])


def summary(evidence: list[dict]) -> str:
    """The lines' words, joined: what a list or an API row shows of a grade's evidence."""
    return "；".join(line.get("text", "") for line in evidence) or "未因劳动保障违法行为被查处"
