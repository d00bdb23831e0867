"""Identifiers Anxin checks at the door: 统一社会信用代码, 居民身份证号码 and phone numbers.

Each ``normalize_*`` function is forgiving (blanks, full-width characters, lower case) and each
``validate_*`` function returns the normalised value or raises ``ValidationError`` with a Chinese
message precise enough for a clerk to fix the typo. Store what ``validate_*`` returns.

The ``*_validator`` callables are for model and form fields; they accept any spelling that
normalises to a valid value, so services must still save the normalised form.

Also here: masking helpers for showing personal data to people who should not see all of it.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------------------------

# Full-width ASCII block (！ to ～) maps onto ASCII by a fixed offset; a few look-alikes on their
# own. Explicit on purpose: NFKC would also turn superscripts and circled digits into digits.
_HALFWIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH_TABLE.update(
    {
        0x3000: ord(" "),  # ideographic (full-width) space
        0x00A0: ord(" "),  # no-break space
        0xFFE5: ord("¥"),  # ￥ full-width yen sign
        0x2212: ord("-"),  # − minus sign
    }
)
_BLANKS_RE = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Map full-width digits, letters, punctuation and blanks onto their ASCII forms."""
    return text.translate(_HALFWIDTH_TABLE)


def _compact(value: str | None) -> str:
    """Half-width, upper-case, and without any blank anywhere (people paste codes in groups)."""
    if value is None:
        return ""
    return _BLANKS_RE.sub("", to_halfwidth(str(value))).upper()


# ---------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------------------------

#: The 31 characters a USCC may use: digits and capitals without I, O, Z, S, V. A character's
#: index is its value in the check-character sum.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_EXCLUDED_LETTERS = "IOZSV"
_USCC_VALUES = {char: index for index, char in enumerate(USCC_ALPHABET)}
# GB/T 17710 MOD 31-3 as used by GB 32100: weight of position i is 3**i mod 31.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# GB 11714 organisation code (positions 9–17 of a USCC): 8 body characters and a check character.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_uscc(value: str | None) -> str:
    """Return ``value`` without blanks (including full-width spaces), half-width and upper-case."""
    return _compact(value)


def uscc_check_char(first17: str) -> str:
    """Return the check character (position 18) for the first 17 characters of a USCC.

    ``first17`` must be 17 characters of ``USCC_ALPHABET``; anything else is a programming error
    and raises ``ValueError``.
    """
    if len(first17) != 17 or any(char not in _USCC_VALUES for char in first17):
        raise ValueError(f"need 17 characters of {USCC_ALPHABET!r}, got {first17!r}")
    total = sum(_USCC_VALUES[char] * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_value(char: str) -> int:
    # GB 11714: digits are themselves, letters A–Z count 10–35.
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def org_code_check_char(body8: str) -> str:
    """Return the GB 11714 check character for the 8-character body of an organisation code.

    A USCC carries the organisation code at positions 9–17 (body at 9–16, this check character at
    17). Exposed so the demo-data generator can build codes that pass both checks.
    """
    if len(body8) != 8 or not re.fullmatch(r"[0-9A-Z]{8}", body8, flags=re.ASCII):
        raise ValueError(f"need 8 digits or capital letters, got {body8!r}")
    total = sum(_org_code_value(char) * weight for char, weight in zip(body8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(value: str | None, *, check_org_code: bool = False) -> str:
    """Return the normalised 统一社会信用代码 or raise ``ValidationError``.

    Checks, in order: length, the alphabet (naming the bad character and its position), that
    positions 3–8 (登记管理机关行政区划码, GB/T 2260) are digits, and the check character.

    Not checked: the 登记管理部门/机构类别 pair in positions 1–2. GB 32100-2015 names 1/5/9/Y, but
    codes from other registration departments are in use (as we understand it, e.g. law firms and
    trade unions) and we hold no authoritative list; a partial list would refuse real codes.

    ``check_org_code`` also checks the GB 11714 check character of the organisation code at
    positions 9–17. Off by default because python-stdnum, our reference, does not check it; every
    real code we have tried passes it.
    """
    code = normalize_uscc(value)
    if not code:
        raise ValidationError(_("请填写统一社会信用代码"), code="required")
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(length)d位"),
            code="invalid_length",
            params={"length": len(code)},
        )
    for position, char in enumerate(code, start=1):
        if char in USCC_EXCLUDED_LETTERS:
            raise ValidationError(
                _("统一社会信用代码第%(position)d位“%(char)s”无效：代码中不使用字母 I、O、Z、S、V"),
                code="invalid_char",
                params={"position": position, "char": char},
            )
        if char not in _USCC_VALUES:
            raise ValidationError(
                _("统一社会信用代码第%(position)d位“%(char)s”无效：只能是数字或大写字母"),
                code="invalid_char",
                params={"position": position, "char": char},
            )
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            raise ValidationError(
                _("统一社会信用代码第%(position)d位“%(char)s”无效：第3至8位是行政区划码，只能是数字"),
                code="invalid_region",
                params={"position": position, "char": code[position - 1]},
            )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：应为%(expected)s，实际为%(actual)s，请核对是否输错"),
            code="invalid_checksum",
            params={"expected": expected, "actual": code[17]},
        )
    if check_org_code:
        expected = org_code_check_char(code[8:16])
        if code[16] != expected:
            raise ValidationError(
                _(
                    "统一社会信用代码中的组织机构代码（第9至17位）校验位错误：应为%(expected)s，实际为%(actual)s"
                ),
                code="invalid_org_checksum",
                params={"expected": expected, "actual": code[16]},
            )
    return code


def uscc_validator(value: str | None) -> None:
    """Django field validator for a 统一社会信用代码 (any spelling that normalises to a valid code)."""
    validate_uscc(value)


# ---------------------------------------------------------------------------------------------
# 居民身份证号码 (GB 11643-1999)
# ---------------------------------------------------------------------------------------------

#: Valid first two digits of the address code: provinces, autonomous regions and municipalities,
#: 71 台湾, 81 香港, 82 澳门, 83 台湾居民居住证, 91 外国人永久居留身份证.
ID_PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82", "83", "91"}
)
# ISO 7064 MOD 11-2: weight of position i (from the left) is 2**(17 - i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def normalize_id_number(value: str | None) -> str:
    """Return ``value`` without blanks, half-width, with a lower-case ``x`` made ``X``."""
    return _compact(value)


def id_check_digit(first17: str) -> str:
    """Return the check digit (``0``–``9`` or ``X``) for the first 17 digits of an ID number.

    ``first17`` must be exactly 17 ASCII digits; anything else raises ``ValueError``.
    """
    if not re.fullmatch(r"[0-9]{17}", first17, flags=re.ASCII):
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _today() -> datetime.date:
    return timezone.localdate() if settings.USE_TZ else datetime.date.today()


def validate_id_number(value: str | None, *, today: datetime.date | None = None) -> str:
    """Return the normalised 18-digit 居民身份证号码 or raise ``ValidationError``.

    Checks: 18 characters (15-digit old numbers are refused with their own message), 17 digits and a
    final digit or ``X``, a known province code, a real birth date between 1900-01-01 and ``today``
    (default: today in the project time zone), and the ISO 7064 MOD 11-2 check digit. The county
    part of the address code is not looked up: codes change over the years and an ID keeps the code
    it was issued with.
    """
    number = normalize_id_number(value)
    if not number:
        raise ValidationError(_("请填写身份证号码"), code="required")
    if len(number) == 15 and number.isdigit():
        raise ValidationError(_("不支持15位旧身份证号码，请填写18位号码"), code="old_format")
    if len(number) != 18:
        raise ValidationError(
            _("身份证号码应为18位，实际为%(length)d位"), code="invalid_length", params={"length": len(number)}
        )
    for position, char in enumerate(number[:17], start=1):
        if char not in "0123456789":
            raise ValidationError(
                _("身份证号码第%(position)d位“%(char)s”无效：前17位只能是数字"),
                code="invalid_char",
                params={"position": position, "char": char},
            )
    if number[17] not in "0123456789X":
        raise ValidationError(
            _("身份证号码第18位“%(char)s”无效：只能是数字或 X"),
            code="invalid_char",
            params={"char": number[17]},
        )
    if number[:2] not in ID_PROVINCE_CODES:
        raise ValidationError(
            _("身份证号码前两位“%(code)s”不是有效的省级行政区划代码"),
            code="invalid_region",
            params={"code": number[:2]},
        )
    birth_text = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期“%(date)s”不是有效日期"),
            code="invalid_birth_date",
            params={"date": birth_text},
        ) from None
    if birth_date < _ID_EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("身份证号码中的出生日期%(date)s早于1900年"),
            code="birth_date_too_early",
            params={"date": birth_text},
        )
    if birth_date > (today or _today()):
        raise ValidationError(
            _("身份证号码中的出生日期%(date)s晚于今天"),
            code="birth_date_in_future",
            params={"date": birth_text},
        )
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("身份证号码校验位错误：应为%(expected)s，实际为%(actual)s，请核对是否输错"),
            code="invalid_checksum",
            params={"expected": expected, "actual": number[17]},
        )
    return number


def id_number_validator(value: str | None) -> None:
    """Django field validator for a 居民身份证号码 (any spelling that normalises to a valid number)."""
    validate_id_number(value)


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"(?:\+?86|0086)?(?P<number>1[3-9][0-9]{9})", re.ASCII)
# Area codes: 010 and 02X have three digits, all others (03XX–09XX) four. Local numbers have
# 7 or 8 digits and never start with 0 or 1. An extension may follow after "-", "转" or "ext".
_LANDLINE_RE = re.compile(
    r"""
    \(?(?P<area>010|02[0-9]|0[3-9][0-9]{2})\)?
    -?
    (?P<local>[2-9][0-9]{6,7})
    (?:(?:-|转|EXT\.?)(?P<extension>[0-9]{1,6}))?
    """,
    re.VERBOSE | re.ASCII,
)


def _parse_phone(text: str) -> str | None:
    """Return the stored form of a phone number written in ``text`` (already half-width), or ``None``."""
    text = _BLANKS_RE.sub("", text).upper()
    mobile = _MOBILE_RE.fullmatch(text.replace("-", ""))
    if mobile:
        return mobile["number"]
    landline = _LANDLINE_RE.fullmatch(text)
    if landline:
        number = f"{landline['area']}-{landline['local']}"
        return f"{number}-{landline['extension']}" if landline["extension"] else number
    return None


def normalize_phone(value: str | None) -> str:
    """Return a phone number in its stored form, or the trimmed text if it is not one.

    Mobiles become 11 digits (``13812345678``; a ``+86``/``0086`` prefix, blanks and hyphens are
    dropped); landlines become ``区号-号码`` (``0519-85123456``), with ``-分机`` if one was given.
    """
    if value is None:
        return ""
    text = to_halfwidth(str(value)).strip()
    return _parse_phone(text) or text


def validate_phone(value: str | None) -> str:
    """Return the normalised mainland mobile or landline number, or raise ``ValidationError``."""
    text = "" if value is None else to_halfwidth(str(value)).strip()
    if not text:
        raise ValidationError(_("请填写电话号码"), code="required")
    number = _parse_phone(text)
    if number is not None:
        return number
    digits = re.sub(r"[\s\-]", "", text)
    if digits.isascii() and digits.isdigit() and digits.startswith("1") and len(digits) != 11:
        raise ValidationError(
            _("手机号码应为11位，实际为%(length)d位"), code="invalid_length", params={"length": len(digits)}
        )
    raise ValidationError(
        _(
            "电话号码格式不正确：“%(value)s”，"
            "请填写11位手机号码（如 13812345678）或带区号的固定电话（如 0519-85123456）"
        ),
        code="invalid",
        params={"value": text[:30]},
    )


def phone_validator(value: str | None) -> None:
    """Django field validator for a mainland mobile or landline number."""
    validate_phone(value)


# ---------------------------------------------------------------------------------------------
# Masking for display
# ---------------------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """Show the first 4 and last 4 characters of an ID number: ``3204**********1234``."""
    if not value:
        return ""
    text = str(value).strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_phone(value: str | None) -> str:
    """Hide the middle of a phone number: ``138****5678``, ``0519-****3456``."""
    if not value:
        return ""
    text = str(value).strip()
    if "-" in text:  # landline: keep the area code, the last 4 digits and any extension
        area, _sep, rest = text.partition("-")
        local, sep, extension = rest.partition("-")
        return f"{area}-{_mask_keep_last4(local)}{sep}{extension}"
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return _mask_keep_last4(text)


def _mask_keep_last4(text: str) -> str:
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def mask_name(value: str | None) -> str:
    """Keep the first character of a name and star the rest: ``张三丰`` → ``张**``, ``张三`` → ``张*``."""
    if not value:
        return ""
    text = str(value).strip()
    if len(text) <= 1:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 1)


def mask_sensitive(value: object) -> str:
    """Mask for audit-log diffs of personal data: ID numbers and phones as on screen."""
    text = "" if value is None else str(value)
    if len(text) == 18 and text[:17].isdigit():
        return mask_id_number(text)
    if text and (text.isdigit() or "-" in text):
        return mask_phone(text)
    return "*" * len(text)
