"""Reading policy parameters: the value in force on a given day, with its source; and the bounds
each parameter's value must keep (from its definition in ``policy_defaults``)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.models import ParameterType, PolicyParameter, parse_parameter_value
from anxin.core.money import format_yuan, yuan_echo
from anxin.core.policy_defaults import DEFAULTS
from anxin.core.validators import to_halfwidth


class UnknownParameter(DomainError):
    """No value of this parameter is in force on that day."""


def _today() -> datetime.date:
    return timezone.localdate()


def param_record(code: str, *, on: datetime.date | None = None) -> PolicyParameter:
    """The parameter row in force on ``on`` (today by default): the latest ``effective_from`` <= on."""
    day = on or _today()
    record = (
        PolicyParameter.objects.filter(code=code, effective_from__lte=day).order_by("-effective_from").first()
    )
    if record is None:
        raise UnknownParameter(
            f"政策参数“{code}”在 {day:%Y-%m-%d} 没有生效的取值，请联系联席办维护参数", code="param"
        )
    return record


def param(code: str, *, on: datetime.date | None = None) -> int | Decimal | bool | str:
    """The typed value of a policy parameter on a day: ``param("immediate.complaints")`` → 3."""
    return param_record(code, on=on).typed_value


def current_parameters(*, on: datetime.date | None = None) -> list[PolicyParameter]:
    """Every parameter's row in force on ``on``, ordered by code."""
    day = on or _today()
    rows = PolicyParameter.objects.filter(effective_from__lte=day).order_by("code", "-effective_from")
    seen: dict[str, PolicyParameter] = {}
    for row in rows:
        seen.setdefault(row.code, row)
    return list(seen.values())


# --- bounds of a parameter's value --------------------------------------------------------------

# Longer than this many digits is refused before any arithmetic: no bound of any parameter needs
# more, and a 10⁴⁰ (or a 5,000-digit string) never reaches int(), Decimal() or timedelta().
MAX_DIGITS = 18
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
TEXT_MAX_LENGTH = 200  # PolicyParameter.value's column
_NUMERIC = (ParameterType.INT, ParameterType.MONEY, ParameterType.DECIMAL)


@dataclass(frozen=True)
class ParameterBounds:
    """What values a parameter may take, from its definition in ``policy_defaults``, and why."""

    code: str
    name: str
    value_type: str
    unit: str
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    reason: str = ""
    places: int | None = None  # decimal: at most this many digits after the point
    max_length: int = TEXT_MAX_LENGTH  # text
    choices: tuple[str, ...] = ()  # text: one of these

    def describe(self) -> str:
        """``3～10 次``; money in yuan, as the office types it: ``5,000.00～20,000.00 元``; '' when
        unbounded."""
        if self.value_type == ParameterType.MONEY and self.minimum is not None and self.maximum is not None:
            return f"{format_yuan(int(self.minimum))}～{format_yuan(int(self.maximum))} 元"
        if self.value_type in _NUMERIC and self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}～{self.maximum} {self.unit}".strip()
        if self.choices:
            return "、".join(self.choices)
        if self.value_type == ParameterType.TEXT:
            return f"不超过 {self.max_length} 个字符"
        return ""

    def contains(self, number: int | Decimal) -> bool:
        return (self.minimum is None or number >= self.minimum) and (
            self.maximum is None or number <= self.maximum
        )

    def clamp(self, number: int | Decimal) -> int | Decimal:
        if self.minimum is not None and number < self.minimum:
            return self.minimum
        if self.maximum is not None and number > self.maximum:
            return self.maximum
        return number

    def refusal(self, prefix: str = "") -> str:
        """The message for a value outside the bounds: the range, then the reason."""
        text = f"{prefix}“{self.name}”的取值须在 {self.describe()}之间"
        return f"{text}：{self.reason}" if self.reason else f"{text}。"


def parameter_definition(code: str) -> dict | None:
    """The shipped definition of a parameter (``policy_defaults.DEFAULTS``), None for an unknown code."""
    return _DEFINITIONS.get(code)


def parameter_bounds(code: str) -> ParameterBounds | None:
    """The bounds of a parameter, from its definition; None for a code with no definition."""
    item = parameter_definition(code)
    if item is None:
        return None
    kind = item["type"]
    number: Callable[[object], int | Decimal] = Decimal if kind == ParameterType.DECIMAL else int  # type: ignore[assignment]
    return ParameterBounds(
        code=code,
        name=item["name"],
        value_type=kind,
        unit=item.get("unit", ""),
        minimum=number(item["min"]) if item.get("min") is not None else None,
        maximum=number(item["max"]) if item.get("max") is not None else None,
        reason=item.get("bounds_reason", ""),
        places=item.get("places"),
        max_length=item.get("max_length", TEXT_MAX_LENGTH),
        choices=tuple(item.get("choices", ())),
    )


def _invalid(text: str, value_type: str) -> DomainError:
    shown = text if len(text) <= 20 else text[:20] + "…"
    return DomainError(
        f"取值“{shown}”不是有效的{ParameterType(value_type).label}",
        field="value",
    )


def clean_parameter_value(code: str, value_type: str, raw: object) -> str:
    """The value as it will be stored (``" 007 "`` → ``"7"``, ``"-0"`` → ``"0"``), or a DomainError
    (``field="value"``) saying in Chinese what is wrong: not a number of the kind, too many digits,
    outside the parameter's bounds (with the reason). Never lets an overflow through."""
    text = to_halfwidth(str(raw if raw is not None else "")).strip()
    if not text:
        raise DomainError("请填写参数取值", field="value")
    bounds = parameter_bounds(code)
    if value_type in (ParameterType.INT, ParameterType.MONEY):
        if not _INT.fullmatch(text):
            raise _invalid(text, value_type)
        if len(text.lstrip("+-").lstrip("0")) > MAX_DIGITS:
            raise _too_large(bounds)
        typed: int | Decimal = int(text)
        clean = str(typed)
    elif value_type == ParameterType.DECIMAL:
        if not _DECIMAL.fullmatch(text):  # also refuses NaN, Infinity and 1e309
            raise _invalid(text, value_type)
        if len(text.lstrip("+-").replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise _too_large(bounds)
        typed = Decimal(text)
        if typed == 0:
            typed = abs(typed)  # no negative zero
        if bounds is not None and bounds.places is not None:
            exponent = typed.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > bounds.places:
                raise DomainError(f"“{bounds.name}”最多保留 {bounds.places} 位小数", field="value")
        clean = format(typed, "f")
    elif value_type == ParameterType.BOOL:
        try:
            parse_parameter_value(value_type, text)
        except ValueError:
            raise _invalid(text, value_type) from None
        return text
    else:
        limit = bounds.max_length if bounds is not None else TEXT_MAX_LENGTH
        if len(text) > limit:
            raise DomainError(f"参数取值不能超过 {limit} 个字符", field="value")
        if bounds is not None and bounds.choices and text not in bounds.choices:
            raise DomainError(f"“{bounds.name}”的取值须为：{bounds.describe()}", field="value")
        return text
    if bounds is None or (bounds.minimum is None and bounds.maximum is None):
        if typed < 0:
            raise DomainError("参数取值不能为负数", field="value")
        return clean
    if not bounds.contains(typed):
        negative = typed < 0 and (bounds.minimum is None or bounds.minimum >= 0)
        raise DomainError(bounds.refusal("参数取值不能为负数；" if negative else ""), field="value")
    return clean


def _too_large(bounds: ParameterBounds | None) -> DomainError:
    if bounds is None:
        return DomainError(f"取值过大：最多 {MAX_DIGITS} 位数字", field="value")
    return DomainError(bounds.refusal("取值过大，超出允许范围。"), field="value")


def show_parameter_value(value_type: str, raw: object, unit: str = "") -> str:
    """A value as the office reads it: money in words and figures (``8万元（80,000.00 元）``, the
    stored 分 never shown), anything else with its unit (``3 次``); a value that is not a number
    of its kind as it is."""
    text = str(raw if raw is not None else "")
    if value_type == ParameterType.MONEY and _INT.fullmatch(text) and len(text) <= MAX_DIGITS:
        return yuan_echo(int(text))
    return f"{text} {unit}".strip()


#: A change to more than this many times the current value, or to less than its this-many-th,
#: asks the office to confirm again (a value typed in the wrong unit: 分 for 元, hours for days).
LARGE_CHANGE_FACTOR = 10


def change_factor(value_type: str, old: object, new: object) -> Decimal | None:
    """How many times larger (or smaller) ``new`` is than ``old``: ``80000`` → ``800`` is 100; None
    when the kind is not a number or either value is not one. From or to zero is an infinite
    factor (``Decimal("Infinity")``), unless both are zero."""
    if value_type not in _NUMERIC:
        return None
    try:
        a, b = abs(Decimal(str(old))), abs(Decimal(str(new)))
    except (ArithmeticError, ValueError):
        return None
    if not (a.is_finite() and b.is_finite()):
        return None
    if a == b:
        return Decimal(1)
    if not a or not b:
        return Decimal("Infinity")
    return max(a, b) / min(a, b)


def parameter_value_problem(code: str, value_type: str, raw: object) -> str | None:
    """Why a stored value would be refused today (out of bounds, not a number…), or None."""
    try:
        clean_parameter_value(code, value_type, raw)
    except DomainError as exc:
        return exc.message
    return None


_DEFINITIONS: dict[str, dict] = {item["code"]: item for item in DEFAULTS}
