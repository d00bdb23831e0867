"""Pure checks of case handling: the referral threshold of 拒不支付劳动报酬罪 and the bounds of the
extra compensation. Data in, a verdict and its reasons out — every figure with its parameter."""

from __future__ import annotations

from dataclasses import dataclass

from anxin.core.money import format_yuan


@dataclass(frozen=True)
class Figure:
    code: str
    value: int
    citation: str
    unit: str = ""

    def evidence(self) -> dict:
        shown = f"{format_yuan(self.value)} 元" if self.unit == "分" else f"{self.value} {self.unit}".strip()
        return {
            "code": self.code,
            "value": self.value,
            "unit": self.unit,
            "shown": shown,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class Check:
    met: bool
    lines: list[str]
    params: list[dict]

    def as_dict(self) -> dict:
        return {"met": self.met, "lines": self.lines, "params": self.params}


def referral_threshold(
    *,
    workers: int,
    total: int,
    single_months: int,
    single_amount: int,
    single_worker_months: Figure,
    single_worker_amount: Figure,
    multi_workers: Figure,
    multi_amount: Figure,
) -> Check:
    """刑法 第276条之一 "数额较大" as Jiangsu fixes it: one worker owed ≥ 3 months' wages and ≥ ¥10,000,
    or ≥ 10 workers owed ≥ ¥60,000 in all. Amounts in fen; "以上" includes the figure itself.
    Either branch suffices; the reasons name the numbers that fall short."""
    months_ok = single_months >= single_worker_months.value
    single_amount_ok = single_amount >= single_worker_amount.value
    workers_ok = workers >= multi_workers.value
    total_ok = total >= multi_amount.value
    single = months_ok and single_amount_ok
    multi = workers_ok and total_ok

    def mark(ok: bool) -> str:
        return "达到" if ok else "未达到"

    lines = [
        (
            f"单人标准（{mark(single)}）：拖欠最多的一名劳动者 {single_months} 个月"
            f"（须≥{single_worker_months.value} 个月，{mark(months_ok)}），金额 ¥{format_yuan(single_amount)}"
            f"（须≥¥{format_yuan(single_worker_amount.value)}，{mark(single_amount_ok)}）"
        ),
        (
            f"多人标准（{mark(multi)}）：{workers} 人（须≥{multi_workers.value} 人，{mark(workers_ok)}），"
            f"累计 ¥{format_yuan(total)}（须≥¥{format_yuan(multi_amount.value)}，{mark(total_ok)}）"
        ),
    ]
    params = [f.evidence() for f in (single_worker_months, single_worker_amount, multi_workers, multi_amount)]
    return Check(met=single or multi, lines=lines, params=params)


def compensation_bounds(percent: int, *, low: Figure, high: Figure) -> Check:
    """劳动保障监察条例 第26条: 加付赔偿金 of 50%–100% of the amount owed."""
    ok = low.value <= percent <= high.value
    return Check(
        met=ok,
        lines=[f"加付比例 {percent}%（须在 {low.value}%–{high.value}% 之间，依据 {low.citation}）"],
        params=[low.evidence(), high.evidence()],
    )
