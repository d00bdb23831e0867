"""Tests for anxin.core.validators, with python-stdnum as an independent oracle.

Where our rules and stdnum's differ on purpose, a test below pins the difference and says why:

- USCC positions 1–2 (登记管理部门/机构类别): GB 32100 allows capital letters there (``Y`` is in the
  standard itself); stdnum demands digits. We accept letters, stdnum refuses them.
- USCC blanks: we drop blanks anywhere; stdnum also drops hyphens. Hyphens are refused here.
- ID address code: stdnum looks the six-digit county code up in its own table and requires the
  county to have existed in the birth year; we only check the province. A person born in 1970 in
  today's 常州市新北区 holds ``320411…`` (the code is given at issue, not at birth), which stdnum
  refuses. Province codes 83 and 91 (residence permits, foreigners' permanent residence) are not in
  stdnum's table at all.
- ID birth date: we refuse dates before 1900 or after today; stdnum only asks for a calendar date.
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from anxin.core.validators import (
    ID_PROVINCE_CODES,
    USCC_ALPHABET,
    id_check_digit,
    id_number_validator,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    normalize_uscc,
    org_code_check_char,
    phone_validator,
    uscc_check_char,
    uscc_validator,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

# Real codes published online (from python-stdnum's own test list): an 事业单位 (12…), companies
# (91…), a 个体工商户 (92…), new "MA" organisation codes and an "L" one.
REAL_USCCS = [
    "121200004013590816",
    "91110000600037341L",
    "91320214745555318W",
    "9144030071526726XG",
    "91310115MA1K3BTP2B",
    "91620105L015101280",
    "92340602MA2PBMEM24",
]
VALID_USCC = "91110000600037341L"
# The example in GB 11643-1999 itself: 北京市朝阳区, born 1949-12-31, check digit X.
VALID_ID = "11010519491231002X"
TODAY = datetime.date(2026, 1, 15)

DIGITS = "0123456789"
# Address codes stdnum knows without a year restriction, so its county look-up never interferes.
ORACLE_ADDRESS_CODES = [
    "110101", "110102", "110105", "110108", "120101", "310101",
    "310104", "320100", "320400", "330100", "440100", "510100",
]  # fmt: skip


def _uscc_error(value: str | None, **kwargs: bool) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(value, **kwargs)
    return excinfo.value


def _id_error(value: str | None, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value, **kwargs)
    return excinfo.value


def _phone_error(value: str | None) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(value)
    return excinfo.value


def _with_uscc_check(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _with_id_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def _id_for(*, address: str = "320411", birth: str = "19900101", sequence: str = "123") -> str:
    return _with_id_check(address + birth + sequence)


# --- hypothesis strategies ------------------------------------------------------------------

uscc_chars = st.sampled_from(USCC_ALPHABET)
digit_chars = st.sampled_from(DIGITS)


@st.composite
def uscc_prefixes(draw: st.DrawFn, *, head: st.SearchStrategy[str] = digit_chars) -> str:
    """17 characters shaped like a USCC: 2 head characters, a 6-digit region, a 9-char body."""
    head_part = "".join(draw(st.lists(head, min_size=2, max_size=2)))
    region = "".join(draw(st.lists(digit_chars, min_size=6, max_size=6)))
    body = "".join(draw(st.lists(uscc_chars, min_size=9, max_size=9)))
    return head_part + region + body


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    address = draw(st.sampled_from(ORACLE_ADDRESS_CODES))
    birth = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return _with_id_check(f"{address}{birth:%Y%m%d}{sequence:03d}")


# =============================================================================================
# 统一社会信用代码
# =============================================================================================


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_uscc_codes_are_accepted(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    "raw",
    [
        "91110000600037341l",
        "  91110000600037341L  ",
        "9111 0000 6000 3734 1L",
        "\u300091110000600037341L\u3000",
        "９１１１００００６０００３７３４１Ｌ",
        "９１１１００００６０００３７３４１ｌ",
    ],
)
def test_uscc_lower_case_blanks_and_full_width_are_normalised_not_refused(raw):
    assert validate_uscc(raw) == VALID_USCC


def test_normalize_uscc_tolerates_none():
    assert normalize_uscc(None) == ""


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_blank_uscc_is_refused_as_required(value):
    error = _uscc_error(value)
    assert error.code == "required"
    assert error.messages == ["请填写统一社会信用代码"]


@pytest.mark.parametrize(
    ("value", "length"), [("9111000060003734", 16), ("91110000600037341LL", 19), ("1", 1)]
)
def test_uscc_of_wrong_length_is_refused_with_the_actual_length(value, length):
    error = _uscc_error(value)
    assert error.code == "invalid_length"
    assert error.messages == [f"统一社会信用代码应为18位，实际为{length}位"]


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_uscc_with_an_excluded_letter_is_refused_naming_letter_and_position(letter):
    code = VALID_USCC[:9] + letter + VALID_USCC[10:]
    error = _uscc_error(code)
    assert error.code == "invalid_char"
    assert error.messages == [f"统一社会信用代码第10位“{letter}”无效：代码中不使用字母 I、O、Z、S、V"]


@pytest.mark.parametrize("char", ["-", "*", "#", "公", "."])
def test_uscc_with_punctuation_or_chinese_is_refused_naming_the_character(char):
    error = _uscc_error(VALID_USCC[:4] + char + VALID_USCC[5:])
    assert error.code == "invalid_char"
    assert error.messages == [f"统一社会信用代码第5位“{char}”无效：只能是数字或大写字母"]


def test_uscc_with_a_letter_in_the_region_code_is_refused():
    code = _with_uscc_check("9132A411" + "600037341")
    error = _uscc_error(code)
    assert error.code == "invalid_region"
    assert "第5位“A”" in error.messages[0]


def test_uscc_with_wrong_check_character_names_expected_and_actual():
    error = _uscc_error("91110000600037341N")
    assert error.code == "invalid_checksum"
    assert error.messages == ["统一社会信用代码校验位错误：应为L，实际为N，请核对是否输错"]


def test_uscc_with_two_characters_swapped_is_refused():
    swapped = VALID_USCC[:8] + VALID_USCC[9] + VALID_USCC[8] + VALID_USCC[10:]
    assert swapped != VALID_USCC
    assert _uscc_error(swapped).code == "invalid_checksum"


def test_uscc_check_char_of_known_code():
    assert uscc_check_char("91110000600037341") == "L"


@pytest.mark.parametrize("first17", ["9111000060003734", "911100006000373411", "9111000060003734I"])
def test_uscc_check_char_rejects_bad_input_as_programming_error(first17):
    with pytest.raises(ValueError):
        uscc_check_char(first17)


def test_uscc_with_letter_registration_authority_is_accepted_though_stdnum_refuses_it():
    # GB 32100 allows letters in positions 1-2 ("Y" = 其他 is in the standard); stdnum wants digits.
    code = _with_uscc_check("Y1320411" + "600037341")
    assert validate_uscc(code) == code
    assert not uscc.is_valid(code)


def test_uscc_with_hyphens_is_refused_though_stdnum_strips_them():
    assert uscc.is_valid("91110000-600037341L")
    assert _uscc_error("91110000-600037341L").code == "invalid_length"


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_uscc_codes_also_pass_the_organisation_code_check(code):
    assert validate_uscc(code, check_org_code=True) == code


def test_org_code_check_char_of_known_code():
    assert org_code_check_char("60003734") == "1"


@pytest.mark.parametrize(
    ("body", "check"), [("MA1K3BTP", "2"), ("07837941", "X"), ("L0151012", "8"), ("MA2PBMN5", "0")]
)
def test_org_code_check_char_handles_letters_and_the_x_and_0_results(body, check):
    assert org_code_check_char(body) == check


def test_uscc_with_broken_organisation_code_check_is_refused_only_when_asked():
    code = _with_uscc_check("91110000" + "600037342")  # org code check should be 1
    assert validate_uscc(code) == code
    error = _uscc_error(code, check_org_code=True)
    assert error.code == "invalid_org_checksum"
    assert error.messages == ["统一社会信用代码中的组织机构代码（第9至17位）校验位错误：应为1，实际为2"]


def test_uscc_validator_passes_a_valid_code_silently():
    uscc_validator(" 91110000600037341l ")  # raises nothing


def test_uscc_validator_raises_validation_error_for_a_bad_code():
    with pytest.raises(ValidationError):
        uscc_validator("91110000600037341N")


# --- USCC against stdnum --------------------------------------------------------------------


@given(first17=st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_char_agrees_with_stdnum_for_any_prefix(first17):
    assert uscc_check_char(first17) == uscc.calc_check_digit(first17)


@given(first17=uscc_prefixes())
def test_generated_uscc_is_accepted_by_us_and_by_stdnum(first17):
    code = _with_uscc_check(first17)
    assert validate_uscc(code) == code
    assert uscc.is_valid(code)


@given(
    first17=uscc_prefixes(),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(USCC_ALPHABET + "IOZSV"),
)
def test_uscc_with_one_character_changed_is_refused_by_us_and_by_stdnum(first17, position, replacement):
    code = _with_uscc_check(first17)
    assume(code[position] != replacement)
    mutated = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_uscc(mutated)
    assert not uscc.is_valid(mutated)


@given(first17=uscc_prefixes(head=uscc_chars))
def test_uscc_verdicts_differ_from_stdnum_only_on_letters_in_the_first_two_positions(first17):
    code = _with_uscc_check(first17)
    assert validate_uscc(code) == code
    assert uscc.is_valid(code) == code[:2].isdigit()


@given(code=st.text(alphabet=USCC_ALPHABET + "IOZSV-", min_size=18, max_size=18))
def test_uscc_verdict_matches_stdnum_on_random_strings_with_digit_heads(code):
    try:
        validate_uscc(code)
    except ValidationError:
        ours = False
    else:
        ours = True
    if code[:2].isdigit() and "-" not in code:
        assert ours == uscc.is_valid(code)


# =============================================================================================
# 居民身份证号码
# =============================================================================================


def test_the_gb_11643_example_id_number_is_accepted():
    assert validate_id_number(VALID_ID, today=TODAY) == VALID_ID


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002X",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_id_number_lower_case_x_blanks_and_full_width_are_normalised_not_refused(raw):
    assert validate_id_number(raw, today=TODAY) == VALID_ID


def test_normalize_id_number_upper_cases_x_and_tolerates_none():
    assert normalize_id_number("11010519491231002x") == VALID_ID
    assert normalize_id_number(None) == ""


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_blank_id_number_is_refused_as_required(value):
    error = _id_error(value)
    assert error.code == "required"
    assert error.messages == ["请填写身份证号码"]


def test_fifteen_digit_old_id_number_is_refused_with_its_own_message():
    error = _id_error("110105491231002")
    assert error.code == "old_format"
    assert error.messages == ["不支持15位旧身份证号码，请填写18位号码"]


@pytest.mark.parametrize(("value", "length"), [("1101051949123100", 16), ("11010519491231002X1", 19)])
def test_id_number_of_wrong_length_is_refused_with_the_actual_length(value, length):
    error = _id_error(value)
    assert error.code == "invalid_length"
    assert error.messages == [f"身份证号码应为18位，实际为{length}位"]


def test_id_number_with_a_letter_in_the_first_17_is_refused_naming_the_position():
    error = _id_error("1101051949123100XX")
    assert error.code == "invalid_char"
    assert error.messages == ["身份证号码第17位“X”无效：前17位只能是数字"]


def test_id_number_ending_in_a_letter_other_than_x_is_refused():
    error = _id_error("11010519491231002A")
    assert error.code == "invalid_char"
    assert error.messages == ["身份证号码第18位“A”无效：只能是数字或 X"]


@pytest.mark.parametrize(
    "province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60", "66", "72", "84", "99"]
)
def test_id_number_with_an_unknown_province_is_refused(province):
    error = _id_error(_id_for(address=province + "0101"), today=TODAY)
    assert error.code == "invalid_region"
    assert error.messages == [f"身份证号码前两位“{province}”不是有效的省级行政区划代码"]


@pytest.mark.parametrize("province", sorted(ID_PROVINCE_CODES))
def test_id_number_with_each_listed_province_is_accepted(province):
    number = _id_for(address=province + "0000")
    assert validate_id_number(number, today=TODAY) == number


@pytest.mark.parametrize("birth", ["19900230", "19900431", "19901301", "19900001", "19900100", "19000229"])
def test_id_number_with_an_impossible_birth_date_is_refused(birth):
    error = _id_error(_id_for(birth=birth), today=TODAY)
    assert error.code == "invalid_birth_date"


def test_feb_30_birth_date_message_quotes_the_date():
    error = _id_error(_id_for(birth="19900230"), today=TODAY)
    assert error.messages == ["身份证号码中的出生日期“1990-02-30”不是有效日期"]


def test_id_number_born_on_a_leap_day_is_accepted():
    number = _id_for(birth="20000229")
    assert validate_id_number(number, today=TODAY) == number


def test_id_number_born_in_the_future_is_refused():
    error = _id_error(_id_for(birth="20260116"), today=TODAY)
    assert error.code == "birth_date_in_future"
    assert error.messages == ["身份证号码中的出生日期2026-01-16晚于今天"]


def test_id_number_born_today_is_accepted():
    number = _id_for(birth="20260115")
    assert validate_id_number(number, today=TODAY) == number


def test_id_number_born_tomorrow_in_china_is_refused_by_default():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert _id_error(_id_for(birth=f"{tomorrow:%Y%m%d}")).code == "birth_date_in_future"


def test_id_number_born_before_1900_is_refused():
    # GB 11643's own second example (born 1880) is refused on purpose: not a plausible worker.
    error = _id_error("440524188001010014", today=TODAY)
    assert error.code == "birth_date_too_early"


def test_id_number_born_on_1900_01_01_is_accepted():
    number = _id_for(birth="19000101")
    assert validate_id_number(number, today=TODAY) == number


def test_id_number_with_wrong_check_digit_names_expected_and_actual():
    error = _id_error("110105194912310021", today=TODAY)
    assert error.code == "invalid_checksum"
    assert error.messages == ["身份证号码校验位错误：应为X，实际为1，请核对是否输错"]


def test_id_check_digit_of_the_standard_example():
    assert id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    "first17",
    ["1101051949123100", "110105194912310021", "1101051949123100A", "１１０１０５１９４９１２３１００２"],
)
def test_id_check_digit_rejects_bad_input_as_programming_error(first17):
    with pytest.raises(ValueError):
        id_check_digit(first17)


def test_id_number_validator_passes_a_valid_number_silently():
    id_number_validator(VALID_ID)  # raises nothing


def test_id_number_validator_raises_validation_error_for_a_bad_number():
    with pytest.raises(ValidationError):
        id_number_validator("110105194912310021")


def test_id_number_keeps_a_county_code_newer_than_the_birth_year_though_stdnum_refuses_it():
    # 320411 (常州市新北区) dates from 1983/2002; a person born 1970 there holds it all the same.
    number = _id_for(address="320411", birth="19700101")
    assert validate_id_number(number, today=TODAY) == number
    assert not ric.is_valid(number)


def test_id_number_county_is_not_looked_up_though_stdnum_does():
    number = _id_for(address="329999")
    assert validate_id_number(number, today=TODAY) == number
    # stdnum 2.2 does not even return False here: a known province with an unknown county makes
    # ric.is_valid() raise KeyError('county') from get_birth_place().
    try:
        stdnum_verdict = ric.is_valid(number)
    except KeyError:
        stdnum_verdict = False
    assert not stdnum_verdict


@pytest.mark.parametrize("province", ["83", "91"])
def test_id_number_with_residence_permit_provinces_is_accepted_though_stdnum_refuses_it(province):
    number = _id_for(address=province + "0000")
    assert validate_id_number(number, today=TODAY) == number
    assert not ric.is_valid(number)


def test_id_number_born_in_the_future_is_refused_though_stdnum_accepts_it():
    number = _id_for(address="110101", birth="20260116")
    assert ric.is_valid(number)
    assert _id_error(number, today=TODAY).code == "birth_date_in_future"


# --- ID numbers against stdnum --------------------------------------------------------------


@given(first17=st.text(alphabet=DIGITS, min_size=17, max_size=17))
def test_id_check_digit_agrees_with_stdnum_for_any_17_digits(first17):
    assert id_check_digit(first17) == ric.calc_check_digit(first17 + "0")


@given(number=valid_ids())
def test_generated_id_number_is_accepted_by_us_and_by_stdnum(number):
    assert validate_id_number(number, today=TODAY) == number
    assert ric.is_valid(number)


@given(number=valid_ids(), replacement=st.sampled_from(DIGITS + "X"))
def test_id_number_with_check_digit_changed_is_refused_by_us_and_by_stdnum(number, replacement):
    assume(number[17] != replacement)
    mutated = number[:17] + replacement
    assert _id_error(mutated, today=TODAY).code == "invalid_checksum"
    assert not ric.is_valid(mutated)


@given(number=valid_ids(), position=st.integers(min_value=0, max_value=16), replacement=digit_chars)
def test_id_number_with_one_digit_changed_is_refused_by_us_and_by_stdnum(number, position, replacement):
    assume(number[position] != replacement)
    mutated = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(mutated, today=TODAY)
    assert not ric.is_valid(mutated)


# =============================================================================================
# Phone numbers
# =============================================================================================


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "008613812345678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_numbers_are_normalised_to_11_digits(raw):
    assert validate_phone(raw) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_mobile_numbers_with_each_second_digit_3_to_9_are_accepted(prefix):
    assert validate_phone(prefix + "912345678") == prefix + "912345678"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0519-85123456", "0519-85123456"),
        ("0519 85123456", "0519-85123456"),
        ("051985123456", "0519-85123456"),
        ("(0519)85123456", "0519-85123456"),
        ("（0519）85123456", "0519-85123456"),
        ("010-62345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("0517-8123456", "0517-8123456"),
        ("0519-85123456-801", "0519-85123456-801"),
        ("0519-85123456转801", "0519-85123456-801"),
        ("０５１９－８５１２３４５６", "0519-85123456"),
    ],
)
def test_landlines_with_area_code_are_normalised_to_area_hyphen_number(raw, normalised):
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize("value", [None, "", "  "])
def test_blank_phone_is_refused_as_required(value):
    error = _phone_error(value)
    assert error.code == "required"
    assert error.messages == ["请填写电话号码"]


@pytest.mark.parametrize(("raw", "length"), [("1381234567", 10), ("138123456789", 12)])
def test_mobile_of_wrong_length_is_refused_with_the_actual_length(raw, length):
    error = _phone_error(raw)
    assert error.code == "invalid_length"
    assert error.messages == [f"手机号码应为11位，实际为{length}位"]


@pytest.mark.parametrize(
    "raw",
    [
        "12812345678",
        "85123456",
        "400-123-4567",
        "010-12345678",
        "0519-05123456",
        "0519-851234",
        "电话",
        "13812345678a",
    ],
)
def test_numbers_that_are_neither_mobile_nor_landline_with_area_code_are_refused(raw):
    error = _phone_error(raw)
    assert error.code == "invalid"
    assert "请填写11位手机号码" in error.messages[0]


def test_normalize_phone_returns_unparseable_text_trimmed():
    assert normalize_phone("  电话  ") == "电话"
    assert normalize_phone(None) == ""


def test_phone_validator_passes_silently_and_raises_for_garbage():
    phone_validator("13812345678")  # raises nothing
    with pytest.raises(ValidationError):
        phone_validator("12345")


# =============================================================================================
# Masking
# =============================================================================================


def test_mask_id_number_keeps_first_four_and_last_four():
    assert mask_id_number("320411199001011234") == "3204**********1234"


@pytest.mark.parametrize("value", [None, ""])
def test_masks_return_empty_for_none_or_empty(value):
    assert mask_id_number(value) == mask_phone(value) == mask_name(value) == ""


def test_mask_id_number_hides_everything_when_too_short_to_keep_eight():
    assert mask_id_number("12345678") == "********"


def test_mask_phone_hides_the_middle_four_of_a_mobile():
    assert mask_phone("13812345678") == "138****5678"


def test_mask_phone_keeps_area_code_and_last_four_of_a_landline():
    assert mask_phone("0519-85123456") == "0519-****3456"


def test_mask_phone_keeps_the_extension():
    assert mask_phone("0519-85123456-801") == "0519-****3456-801"


def test_mask_phone_never_shows_a_short_value_in_full():
    assert mask_phone("1234") == "****"


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张**"), ("张三", "张*"), ("欧阳娜娜", "欧***"), ("张", "*")]
)
def test_mask_name_keeps_only_the_first_character(name, masked):
    assert mask_name(name) == masked


# =============================================================================================
# Any input at all
# =============================================================================================

any_text = st.text(
    alphabet=st.sampled_from("0123456789XxAIOZSV-+() 转\u3000１ｘ") | st.characters(), max_size=24
)


@pytest.mark.parametrize("validate", [validate_uscc, validate_id_number, validate_phone])
@given(text=any_text)
def test_validators_on_any_text_return_a_string_or_raise_validation_error(validate, text):
    try:
        result = validate(text)
    except ValidationError:
        return
    assert isinstance(result, str)
    assert validate(result) == result  # the normalised form is itself valid and stable
