"""Money helpers: amounts are integer fen (分) everywhere inside Anxin.

Yuan strings exist only at the edges — what a person types into a form, what the API sends and
receives, what a page shows. Everything in between (models, services, sums) is an ``int`` of fen
stored in a ``BigIntegerField``. Nothing here touches ``float``.

- ``parse_yuan`` turns typed or posted text into fen, refusing anything ambiguous.
- ``format_yuan`` and ``yuan_str`` turn fen back into text for pages and the API.
- ``yuan_words`` and ``yuan_echo`` say an amount as people say it ("8万元（80,000.00 元）"), for
  confirmations that repeat what was typed.
- ``YuanFormField`` and ``YuanField`` wire the two into Django forms and DRF serializers; the form
  field's widget (``YuanInput``) shows 元 beside the box.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from anxin.core.validators import to_halfwidth

FEN_PER_YUAN = 100

#: The largest absolute amount accepted, in fen (10 trillion yuan). Wage arrears never come near it;
#: it keeps absurd input (and Python's huge-int parsing) away from the database.
MAX_ABS_FEN = 10**15

#: Canonical API form: optional minus, yuan digits, exactly two decimals.
API_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"

# How much of a bad input to quote back in an error message.
_QUOTE_LIMIT = 30

# The number itself once sign, yen sign and 元 are peeled off: integer part (commas checked
# separately, for a precise message) and an optional fraction. Unambiguous, so matching is linear.
_NUMBER_RE = re.compile(r"(?P<integer>,*[0-9][0-9,]*)(?:\.(?P<fraction>[0-9]+))?", re.ASCII)
_GROUPED_RE = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+$", re.ASCII)


def _quote(text: str) -> str:
    """Shorten a bad input so an error message can quote it."""
    return text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "…"


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        _("金额格式不正确：“%(value)s”，请填写如 12345.67 的数字"),
        code="invalid",
        params={"value": _quote(text)},
    )


# Amounts as people say them: "3万2" (32,000), "3.2万", "3万2千", "3万零500", "3万2000", "5千", "5千5".
_WAN_RE = re.compile(
    r"(?:(?P<wan>[0-9]+(?:\.[0-9]{1,6})?)万)?"
    r"(?:(?P<qian>[0-9](?:\.[0-9]{1,5})?)千(?P<qian_tail>[0-9]?))?"
    r"(?P<tail>[0-9]*)(?:\.(?P<fraction>[0-9]+))?",
    re.ASCII,
)
_WAN_ERROR = _(
    "金额“%(value)s”无法识别。可以写 32000、32,000.50、3.2万 或 3万2（即 32000 元）；"
    "“万”后面只跟一位数字表示千位，如 3万2 = 32000，3万零500 = 30500"
)


def _parse_wan(text: str, rest: str) -> int:
    """Yuan written with 万/千 as a person would say it; refused when it could mean two things."""
    rest = rest.replace(",", "")
    zero_after_wan = "万零" in rest
    match = _WAN_RE.fullmatch(rest.replace("万零", "万"))
    if match is None or not (match["wan"] or match["qian"]):
        raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
    yuan = Decimal(0)
    if match["wan"]:
        yuan += Decimal(match["wan"]) * 10000
    tail = match["tail"] or ""
    if match["qian"]:
        if match["wan"] and "." in match["wan"]:
            raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
        yuan += Decimal(match["qian"]) * 1000
        if match["qian_tail"]:
            if tail:
                raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
            yuan += int(match["qian_tail"]) * 100  # "5千5" = 5,500
    elif tail and match["wan"]:
        if "." in match["wan"]:
            raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
        if zero_after_wan:
            if len(tail) > 3:
                raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
            yuan += int(tail)  # "3万零500" = 30,500
            tail = ""
        elif len(tail) == 1:
            yuan += int(tail) * 1000  # "3万2" = 32,000
            tail = ""
        elif len(tail) == 4:
            yuan += int(tail)  # "3万2000" = 32,000
            tail = ""
        else:
            raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
    if tail or (match["fraction"] and not tail and not match["qian"] and not match["wan"]):
        raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
    if match["fraction"]:
        raise ValidationError(_WAN_ERROR, code="invalid", params={"value": _quote(text)})
    if yuan > MAX_ABS_FEN // FEN_PER_YUAN:
        raise ValidationError(_("金额超出范围"), code="out_of_range")
    fen = yuan * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValidationError(_("金额最多两位小数"), code="max_decimal_places")
    return int(fen)


def _parse_text(text: str, *, spoken: bool = False) -> int:
    """Parse a yuan string into fen; sign rules and the range are checked by the caller."""
    cleaned = to_halfwidth(text).strip()
    if not cleaned:
        raise ValidationError(_("请填写金额"), code="required")
    # Peel off "元" at the end, then at most one "-" and one "¥" at the start, in either order.
    rest = cleaned[:-1].rstrip() if cleaned.endswith("元") else cleaned
    if spoken and ("万" in rest or "千" in rest):
        negative = rest.startswith("-")
        fen = _parse_wan(text, rest.lstrip("-¥").strip())
        return -fen if negative else fen
    negative = has_symbol = False
    for _round in range(2):
        if rest.startswith("-") and not negative:
            negative, rest = True, rest[1:].lstrip()
        elif rest.startswith("¥") and not has_symbol:
            has_symbol, rest = True, rest[1:].lstrip()
    match = _NUMBER_RE.fullmatch(rest)
    if match is None:
        raise _invalid(text)
    integer = match["integer"]
    if "," in integer:
        if not _GROUPED_RE.match(integer):
            raise ValidationError(
                _("金额中的千分位逗号位置不正确：“%(value)s”，每组应为3位数字，如 12,345.67"),
                code="invalid_grouping",
                params={"value": _quote(text)},
            )
        integer = integer.replace(",", "")
    fraction = match["fraction"] or ""
    if len(fraction) > 2:
        raise ValidationError(_("金额最多两位小数"), code="max_decimal_places")
    # Checked on the digit count before int(): a thousand-digit string must not reach int().
    if len(integer.lstrip("0")) > len(str(MAX_ABS_FEN // FEN_PER_YUAN)):
        raise ValidationError(_("金额超出范围"), code="out_of_range")
    fen = int(integer.lstrip("0") or "0") * FEN_PER_YUAN + int(fraction.ljust(2, "0"))
    return -fen if negative else fen


def _parse_decimal(value: Decimal) -> int:
    """Convert a ``Decimal`` number of yuan into fen, exactly.

    Works on the digits and exponent rather than on Decimal arithmetic, which rounds to the
    context precision (28 digits) and would silently drop a sub-fen tail.
    """
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN, sNaN, Infinity
        raise _invalid(str(value))
    if abs(value) > Decimal(MAX_ABS_FEN // FEN_PER_YUAN):
        raise ValidationError(_("金额超出范围"), code="out_of_range")
    coefficient = int("".join(map(str, digits)))
    if coefficient == 0:
        return 0
    shift = exponent + 2  # fen = coefficient * 10**shift
    if shift >= 0:
        fen = coefficient * 10**shift  # bounded: abs(value) is within range here
    else:
        dropped = -shift
        if dropped > len(digits) or coefficient % 10**dropped:
            raise ValidationError(_("金额最多两位小数"), code="max_decimal_places")
        fen = coefficient // 10**dropped
    return -fen if sign else fen


def parse_yuan(
    text: str | int | Decimal | None,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    spoken: bool = False,
) -> int:
    """Return the amount in fen for a yuan amount typed by a person or sent by a client.

    Accepts ``12345.67``, ``12,345.67``, ``￥12,345.67``, ``¥12345``, ``12345.6``, ``12345元``,
    full-width digits and punctuation (``１２，３４５．６７``) and surrounding blanks. With ``spoken``
    (forms people type into; the API stays strict), also amounts as people say them: ``3万2``
    (32,000), ``3.2万``, ``3万2千``, ``3万零500``, ``3万2000``, ``5千5``. An ``int`` means
    whole yuan; a ``Decimal`` is taken at its value. Raises ``ValidationError`` (with a ``code``) for
    blanks, garbage, exponent notation, NaN/Infinity, more than two decimals, misplaced thousands
    commas, negatives (unless ``allow_negative``), zero (if not ``allow_zero``) and anything beyond
    ``MAX_ABS_FEN``. A ``float`` (or ``bool``) raises ``TypeError``: it cannot hold fen exactly, so a
    caller passing one has a bug to fix, not a user error to show.
    """
    if isinstance(text, bool | float):
        raise TypeError(f"parse_yuan() refuses {type(text).__name__}; pass the amount as str, int or Decimal")
    if text is None:
        raise ValidationError(_("请填写金额"), code="required")
    if isinstance(text, int):
        if abs(text) > MAX_ABS_FEN // FEN_PER_YUAN:
            raise ValidationError(_("金额超出范围"), code="out_of_range")
        fen = text * FEN_PER_YUAN
    elif isinstance(text, Decimal):
        fen = _parse_decimal(text)
    elif isinstance(text, str):
        fen = _parse_text(text, spoken=spoken)
    else:
        raise TypeError(f"parse_yuan() cannot parse {type(text).__name__}")

    if abs(fen) > MAX_ABS_FEN:
        raise ValidationError(_("金额超出范围"), code="out_of_range")
    if fen < 0 and not allow_negative:
        raise ValidationError(_("金额不能为负数"), code="negative")
    if fen == 0 and not allow_zero:
        raise ValidationError(_("金额必须大于零") if not allow_negative else _("金额不能为零"), code="zero")
    return fen


def _check_fen(fen: object) -> int:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"amounts are int fen, got {type(fen).__name__}")
    return fen


def format_yuan(fen: int, *, grouping: bool = True, symbol: bool = False) -> str:
    """Show an amount of fen as yuan for people: ``1234567`` → ``"12,345.67"``.

    Negatives read ``"-12,345.67"`` (``"-¥12,345.67"`` with ``symbol``); ``grouping=False`` drops
    the thousands commas. ``parse_yuan`` reads every form this returns.
    """
    fen = _check_fen(fen)
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    digits = f"{yuan:,}" if grouping else str(yuan)
    return f"{'-' if fen < 0 else ''}{'¥' if symbol else ''}{digits}.{cents:02d}"


def yuan_str(fen: int | None) -> str | None:
    """Return the API form of an amount: two decimals, no grouping (``"12345.67"``).

    ``None`` (an amount not known yet) stays ``None``.
    """
    if fen is None:
        return None
    return format_yuan(fen, grouping=False)


_WAN = 10000 * FEN_PER_YUAN  # fen in 1万元
_YI = 10**8 * FEN_PER_YUAN  # fen in 1亿元


def _trim(fen: int, per: int) -> str:
    """``fen / per`` exactly, without trailing zeros: 3200000 / 1000000 → "3.2"."""
    whole, rest = divmod(fen, per)
    if per == FEN_PER_YUAN:  # yuan: whole, or with both decimals as money is written
        return f"{whole:,}" if not rest else f"{whole:,}.{rest:02d}"
    if not rest:
        return str(whole)
    fraction = str(rest).rjust(len(str(per)) - 1, "0").rstrip("0")
    return f"{whole}.{fraction}"


def yuan_words(fen: int) -> str:
    """An amount as people say it: ``8000000`` → ``"8万元"``, ``3200000`` → ``"3.2万元"``,
    ``125000`` → ``"1,250元"``, ``12345678900`` → ``"1.23456789亿元"``.

    From 1万 up the figure is in 万 (from 1亿 up, in 亿), exactly: no rounding, so the words never
    say a different amount from the figures beside them. Negatives read ``"-8万元"``."""
    fen = _check_fen(fen)
    sign, size = ("-" if fen < 0 else ""), abs(fen)
    if size >= _YI:
        return f"{sign}{_trim(size, _YI)}亿元"
    if size >= _WAN:
        return f"{sign}{_trim(size, _WAN)}万元"
    return f"{sign}{_trim(size, FEN_PER_YUAN)}元"


def yuan_echo(fen: int) -> str:
    """Words and figures, for a confirmation: ``8000000`` → ``"8万元（80,000.00 元）"``."""
    return f"{yuan_words(fen)}（{format_yuan(fen)} 元）"


class YuanInput(forms.TextInput):
    """The box of a money field: yuan typed in, the unit 元 shown beside it (Tabler input group)."""

    template_name = "core/widgets/yuan_input.html"


class YuanFormField(forms.CharField):
    """A form field where people type yuan and ``cleaned_data`` holds fen (``int``), or ``None`` if empty.

    Its box shows 元 beside it (``YuanInput``); every money input of the product is one of these
    (``anxin/core/tests/test_money_inputs.py`` walks every form to keep it so)."""

    widget = YuanInput
    default_error_messages = {"required": _("请填写金额")}

    def __init__(self, *, allow_negative: bool = False, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal")
        attrs.setdefault("autocomplete", "off")
        return attrs

    # A money field cleans the yuan text typed into a CharField to fen: int, not str, by design.
    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        if isinstance(value, int) and not isinstance(value, bool):
            # Already fen: a disabled field is cleaned from its initial value, which is fen.
            return value
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        return parse_yuan(text, allow_negative=self.allow_negative, allow_zero=self.allow_zero, spoken=True)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_yuan(value)
        return value


class YuanField(serializers.Field):
    """An API amount: a yuan string such as ``"12345.67"`` on the wire, ``int`` fen in Python.

    Input goes through ``parse_yuan`` (a JSON integer means whole yuan); a JSON float is refused
    rather than guessed at. Errors come back as 400 with the Chinese message.
    """

    default_error_messages = {
        "float": _('金额请以字符串提交，如 "12345.67"，不接受浮点数'),
        "invalid": _("金额格式不正确，请填写如 12345.67 的数字"),
    }

    def __init__(
        self,
        *,
        allow_negative: bool = False,
        allow_zero: bool = True,
        max_fen: int = MAX_ABS_FEN,
        **kwargs: Any,
    ) -> None:
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        self.max_fen = max_fen  # a power of ten, so the schema can say it in digits
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        try:
            fen = parse_yuan(data, allow_negative=self.allow_negative, allow_zero=self.allow_zero)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        if abs(fen) > self.max_fen:
            raise serializers.ValidationError(_("金额超出范围"), code="out_of_range")
        return fen

    def to_representation(self, value: int) -> str | None:
        return yuan_str(value)


# What parse_yuan reads, as a regular expression for the API's schema (ECMA-262 and Python ``re``
# alike): half- or full-width digits, thousands commas in groups of three, one or two decimals,
# an optional ¥ (and minus, only for zero unless negatives are allowed), 元 at the end, blanks
# around. Up to 13 integer digits (MAX_ABS_FEN is 10 trillion yuan).
_W = (
    "[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000]*"
)
_DIGIT, _ZERO, _NONZERO = "[0-9\\uff10-\\uff19]", "[0\\uff10]", "[1-9\\uff11-\\uff19]"
_COMMA, _POINT = "[,\\uff0c]", "[.\\uff0e]"
_MINUS, _YEN = "[\\-\\uff0d\\u2212]", "[\\u00a5\\uffe5]"


def _number(digit: str, most: int) -> str:
    """At most ``most`` integer digits (leading zeros aside), plain or grouped by three."""
    plain = f"{_ZERO}*{digit}{{1,{most}}}"
    grouped = [
        f"{digit}{{1,{min(3, most - 3 * groups)}}}(?:{_COMMA}{digit}{{3}}){{{groups}}}"
        for groups in range(1, (most - 1) // 3 + 1)
    ]
    return f"(?:{'|'.join([plain, *grouped])})(?:{_POINT}{digit}{{1,2}})?"


def _nonzero(most: int) -> str:
    """As ``_number`` with a digit other than 0 somewhere (in the yuan or in the fen)."""
    d, z, nz = _DIGIT, _ZERO, _NONZERO

    def first(size: int) -> str:  # 1..size digits, one of them not 0
        return "|".join(f"{z}{{{p}}}{nz}{d}{{{n - p - 1}}}" for n in range(1, size + 1) for p in range(n))

    later = f"{_COMMA}(?:{nz}{d}{{2}}|{z}{nz}{d}|{z}{{2}}{nz})"
    plain = f"{z}*{nz}{d}{{0,{most - 1}}}"
    grouped, zeros = [], [f"{z}+"]
    for groups in range(1, (most - 1) // 3 + 1):
        size = min(3, most - 3 * groups)
        any_group, zero_group = f"{_COMMA}{d}{{3}}", f"{_COMMA}{z}{{3}}"
        grouped.append(f"(?:{first(size)})(?:{any_group}){{{groups}}}")
        for before in range(groups):
            grouped.append(
                f"{z}{{1,{size}}}(?:{zero_group}){{{before}}}{later}(?:{any_group}){{{groups - 1 - before}}}"
            )
        zeros.append(f"{z}{{1,{size}}}(?:{zero_group}){{{groups}}}")
    whole = f"(?:{'|'.join([plain, *grouped])})(?:{_POINT}{d}{{1,2}})?"
    cents = f"(?:{'|'.join(zeros)}){_POINT}(?:{nz}{d}?|{z}{nz})"
    return f"(?:{whole}|{cents})"


def amount_pattern(*, allow_negative: bool, allow_zero: bool = True, max_fen: int = MAX_ABS_FEN) -> str:
    """The pattern of the amounts an API field accepts: below ``max_fen`` (a power of ten; the
    bound itself is left out)."""
    most = len(str(max_fen // FEN_PER_YUAN)) - 1
    number = _number(_DIGIT, most) if allow_zero else _nonzero(most)
    positive = f"(?:{_YEN}{_W})?{number}"
    signed = f"(?:{_MINUS}{_W}(?:{_YEN}{_W})?|{_YEN}{_W}{_MINUS}{_W})"
    if allow_negative:
        forms = [positive, f"{signed}{number}"]
    elif allow_zero:
        forms = [positive, f"{signed}{_number(_ZERO, most)}"]  # "-0" is zero, not a negative
    else:
        forms = [positive]
    return f"^{_W}(?:{'|'.join(forms)})(?:{_W}元)?{_W}$"


class YuanFieldExtension(OpenApiSerializerFieldExtension):
    """The schema of a ``YuanField``: answers carry the canonical ``"12345.67"``; requests may send
    that, the other spellings ``parse_yuan`` reads (``"12,345.67"``, ``"¥12345"``, ``"12345元"``,
    full-width digits) or a JSON integer of whole yuan — never a float."""

    target_class = YuanField

    def map_serializer_field(self, auto_schema, direction):
        canonical = {"type": "string", "pattern": API_PATTERN, "example": "12345.67"}
        if direction == "response":
            return {**canonical, "description": "金额（元），两位小数的字符串"}
        field = self.target
        limit = field.max_fen // FEN_PER_YUAN
        whole = {
            "type": "integer",
            "minimum": -limit if field.allow_negative else (0 if field.allow_zero else 1),
            "maximum": limit,
            "description": "整数元",
        }
        if field.allow_negative and not field.allow_zero:
            whole["not"] = {"enum": [0]}
        lenient = {
            "type": "string",
            "pattern": amount_pattern(
                allow_negative=field.allow_negative, allow_zero=field.allow_zero, max_fen=field.max_fen
            ),
            "description": "两位小数的字符串；也接受千分位逗号、¥、末尾“元”、全角数字和前后空格",
        }
        return {
            "anyOf": [lenient, whole],
            "example": "12345.67",
            "description": "金额（元）：两位小数的字符串，如 12345.67；不接受浮点数",
        }
