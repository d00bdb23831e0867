"""Tests for anxin.core.money: fen inside, yuan strings only at the edges."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import generics, serializers

from anxin.core.money import (
    API_PATTERN,
    MAX_ABS_FEN,
    YuanField,
    YuanFormField,
    amount_pattern,
    format_yuan,
    parse_yuan,
    yuan_echo,
    yuan_str,
    yuan_words,
)

fen_amounts = st.integers(min_value=-MAX_ABS_FEN, max_value=MAX_ABS_FEN)


def _error_code(value: Any, **kwargs: bool) -> str | None:
    with pytest.raises(ValidationError) as excinfo:
        parse_yuan(value, **kwargs)
    return excinfo.value.code


def _error_message(value: Any, **kwargs: bool) -> str:
    with pytest.raises(ValidationError) as excinfo:
        parse_yuan(value, **kwargs)
    return excinfo.value.messages[0]


# --- parse_yuan: accepted forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12345.67", 1234567),
        ("12,345.67", 1234567),
        ("￥12,345.67", 1234567),
        ("¥12345", 1234500),
        ("¥ 12345", 1234500),
        ("12345.6", 1234560),
        ("12345元", 1234500),
        ("12,345.67元", 1234567),
        ("１２，３４５．６７", 1234567),
        ("￥１２３４５", 1234500),
        ("  12345.67\t", 1234567),
        ("\u300012345.67\u3000", 1234567),
        ("0.01", 1),
        ("0", 0),
        ("007", 700),
        ("1,234,567.89", 123456789),
    ],
)
def test_parse_yuan_accepts_the_usual_ways_of_writing_an_amount(text, fen):
    assert parse_yuan(text) == fen


def test_parse_yuan_returns_an_int():
    assert type(parse_yuan("12.30")) is int


def test_parse_yuan_reads_an_int_as_whole_yuan():
    assert parse_yuan(12345) == 1234500


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (Decimal("12345.67"), 1234567),
        (Decimal("1.5"), 150),
        (Decimal("1E+3"), 100000),
        (Decimal("2.500"), 250),
    ],
)
def test_parse_yuan_reads_a_decimal_at_its_value(value, fen):
    assert parse_yuan(value) == fen


@pytest.mark.parametrize(("text", "fen"), [("-12.50", -1250), ("-¥12.50", -1250), ("¥-12.50", -1250)])
def test_parse_yuan_accepts_negatives_when_allowed(text, fen):
    assert parse_yuan(text, allow_negative=True) == fen


def test_parse_yuan_accepts_full_width_minus_when_negatives_allowed():
    assert parse_yuan("－１２．５０", allow_negative=True) == -1250


def test_parse_yuan_treats_minus_zero_as_zero_not_as_a_negative():
    assert parse_yuan("-0.00") == 0


def test_parse_yuan_accepts_the_cap_itself():
    assert parse_yuan(format_yuan(MAX_ABS_FEN)) == MAX_ABS_FEN


# --- parse_yuan: refused forms --------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\t\n"])
def test_parse_yuan_refuses_blank_with_please_fill_in(value):
    assert _error_code(value) == "required"
    assert _error_message(value) == "请填写金额"


@pytest.mark.parametrize(
    "text",
    ["abc", "十二元", "12 345", "12.34.56", "¥", "元", "12.", ".5", "+12", "--12", "-¥-12", "12-", "0x1F"],
)
def test_parse_yuan_refuses_words_and_garbage(text):
    assert _error_code(text) == "invalid"


def test_parse_yuan_quotes_the_bad_input_in_its_message():
    assert _error_message("十二元") == "金额格式不正确：“十二元”，请填写如 12345.67 的数字"


def test_parse_yuan_shortens_a_long_bad_input_in_its_message():
    message = _error_message("x" * 500)
    assert "x" * 30 + "…" in message
    assert "x" * 31 not in message


@pytest.mark.parametrize("text", ["1e5", "1E5", "1.5e3", "1e-2"])
def test_parse_yuan_refuses_exponent_notation(text):
    assert _error_code(text) == "invalid"


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "inf", "-Infinity"])
def test_parse_yuan_refuses_nan_and_infinity_text(text):
    assert _error_code(text, allow_negative=True) == "invalid"


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")]
)
def test_parse_yuan_refuses_nan_and_infinity_decimals(value):
    assert _error_code(value, allow_negative=True) == "invalid"


@pytest.mark.parametrize("text", ["12.345", "0.001", "12.300", "1,234.567"])
def test_parse_yuan_refuses_more_than_two_decimals(text):
    assert _error_code(text) == "max_decimal_places"
    assert _error_message(text) == "金额最多两位小数"


@pytest.mark.parametrize(
    "value", [Decimal("0.001"), Decimal("1E-5"), Decimal("12.3400000000000000000000000000000001")]
)
def test_parse_yuan_refuses_decimals_with_a_sub_fen_part(value):
    assert _error_code(value) == "max_decimal_places"


@pytest.mark.parametrize("value", ["-1", "-0.01", "-¥12.00", "¥-12.00", -5, Decimal("-0.50")])
def test_parse_yuan_refuses_negatives_by_default(value):
    assert _error_code(value) == "negative"
    assert _error_message(value) == "金额不能为负数"


@pytest.mark.parametrize("value", ["0", "0.00", "¥0", 0, Decimal("0.00")])
def test_parse_yuan_refuses_zero_when_not_allowed(value):
    assert _error_code(value, allow_zero=False) == "zero"


def test_parse_yuan_zero_message_says_greater_than_zero_when_negatives_are_refused_too():
    assert _error_message("0", allow_zero=False) == "金额必须大于零"


def test_parse_yuan_accepts_a_positive_amount_when_zero_is_not_allowed():
    assert parse_yuan("0.01", allow_zero=False) == 1


@pytest.mark.parametrize("text", ["1,23,4.00", "1234,567", "12,34", ",123", "123,", "1,,234", "12,3456.00"])
def test_parse_yuan_refuses_misplaced_thousands_commas(text):
    assert _error_code(text) == "invalid_grouping"


@pytest.mark.parametrize(
    "value",
    [
        "10000000000000.01",
        "99999999999999999",
        "9" * 5000,
        10**13 + 1,
        Decimal("1E+14"),
        Decimal("1E+999999"),
    ],
)
def test_parse_yuan_refuses_amounts_above_the_cap(value):
    assert _error_code(value) == "out_of_range"
    assert _error_message(value) == "金额超出范围"


def test_parse_yuan_refuses_negative_amounts_below_the_cap():
    assert _error_code("-10000000000000.01", allow_negative=True) == "out_of_range"


@pytest.mark.parametrize("value", [12.5, 0.1, float("nan"), float("inf")])
def test_parse_yuan_never_accepts_a_float(value):
    with pytest.raises(TypeError):
        parse_yuan(value)


@pytest.mark.parametrize("value", [True, False])
def test_parse_yuan_refuses_a_bool(value):
    with pytest.raises(TypeError):
        parse_yuan(value)


@pytest.mark.parametrize("text", ["１２³", "①②", "١٢٣"])
def test_parse_yuan_refuses_digits_that_are_not_plain_or_full_width(text):
    assert _error_code(text) == "invalid"


# --- format_yuan and yuan_str ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [(1234567, "12,345.67"), (0, "0.00"), (5, "0.05"), (100, "1.00"), (123456789012, "1,234,567,890.12")],
)
def test_format_yuan_groups_thousands_with_two_decimals(fen, text):
    assert format_yuan(fen) == text


def test_format_yuan_puts_the_minus_first():
    assert format_yuan(-1234567) == "-12,345.67"


def test_format_yuan_with_symbol_prefixes_yen():
    assert format_yuan(1234567, symbol=True) == "¥12,345.67"


def test_format_yuan_with_symbol_puts_minus_before_yen():
    assert format_yuan(-1234567, symbol=True) == "-¥12,345.67"


def test_format_yuan_without_grouping_has_no_commas():
    assert format_yuan(1234567, grouping=False) == "12345.67"


@pytest.mark.parametrize("value", [12.5, Decimal("12.50"), "1250", True, None])
def test_format_yuan_refuses_anything_but_int_fen(value):
    with pytest.raises(TypeError):
        format_yuan(value)


def test_yuan_str_is_two_decimals_without_grouping():
    assert yuan_str(1234567) == "12345.67"


def test_yuan_str_of_negative_amount():
    assert yuan_str(-5) == "-0.05"


def test_yuan_str_keeps_none_as_none():
    assert yuan_str(None) is None


def test_yuan_str_matches_the_documented_api_pattern():
    import re

    assert re.fullmatch(API_PATTERN, yuan_str(-1234567) or "")
    assert re.fullmatch(API_PATTERN, yuan_str(0) or "")


# --- round trips ----------------------------------------------------------------------------


@given(fen=fen_amounts)
def test_parse_yuan_reads_back_every_format_yuan_output(fen):
    assert parse_yuan(format_yuan(fen), allow_negative=True) == fen


@given(fen=fen_amounts)
def test_parse_yuan_reads_back_format_yuan_with_symbol_and_without_grouping(fen):
    assert parse_yuan(format_yuan(fen, symbol=True, grouping=False), allow_negative=True) == fen


@given(fen=fen_amounts)
def test_parse_yuan_reads_back_every_yuan_str_output(fen):
    assert parse_yuan(yuan_str(fen), allow_negative=True) == fen


@given(fen=st.integers(min_value=0, max_value=MAX_ABS_FEN))
def test_parse_yuan_reads_back_non_negative_amounts_with_the_defaults(fen):
    assert parse_yuan(yuan_str(fen)) == fen


@given(fen=fen_amounts)
def test_parse_yuan_of_a_decimal_agrees_with_parse_yuan_of_its_text(fen):
    value = Decimal(fen).scaleb(-2)
    assert parse_yuan(value, allow_negative=True) == parse_yuan(str(value), allow_negative=True) == fen


@given(fen=st.integers(min_value=MAX_ABS_FEN + 1, max_value=MAX_ABS_FEN * 1000))
def test_parse_yuan_refuses_every_amount_beyond_the_cap(fen):
    with pytest.raises(ValidationError):
        parse_yuan(yuan_str(fen))


@given(text=st.text(alphabet=st.sampled_from("0123456789,.-¥￥元 ，．１e") | st.characters(), max_size=40))
def test_parse_yuan_on_any_text_returns_fen_in_range_or_raises_validation_error(text):
    try:
        fen = parse_yuan(text, allow_negative=True)
    except ValidationError:
        return
    assert type(fen) is int
    assert abs(fen) <= MAX_ABS_FEN


# --- YuanFormField --------------------------------------------------------------------------


class _AmountForm(forms.Form):
    amount = YuanFormField()
    refund = YuanFormField(allow_negative=True, allow_zero=False, required=False)


def test_form_field_cleans_yuan_text_to_fen():
    form = _AmountForm(data={"amount": "12,345.67"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 1234567


def test_form_field_leaves_an_empty_optional_amount_as_none():
    form = _AmountForm(data={"amount": "1", "refund": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["refund"] is None


def test_form_field_asks_for_a_missing_required_amount_in_chinese():
    form = _AmountForm(data={"amount": "  "})
    assert form.errors["amount"] == ["请填写金额"]


def test_form_field_shows_the_parse_error():
    form = _AmountForm(data={"amount": "12.345"})
    assert form.errors["amount"] == ["金额最多两位小数"]


def test_form_field_passes_its_sign_rules_to_parse_yuan():
    form = _AmountForm(data={"amount": "1", "refund": "-5.00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["refund"] == -500


def test_form_field_refuses_zero_when_configured_so():
    form = _AmountForm(data={"amount": "1", "refund": "0"})
    assert form.errors["refund"] == ["金额不能为零"]


def test_form_field_shows_an_int_fen_initial_as_grouped_yuan():
    form = _AmountForm(initial={"amount": 1234567})
    assert 'value="12,345.67"' in str(form["amount"])


def test_form_field_redisplays_what_the_person_typed():
    form = _AmountForm(data={"amount": "12,34"})
    assert 'value="12,34"' in str(form["amount"])


def test_form_field_sees_no_change_when_the_same_amount_is_typed_differently():
    form = _AmountForm(initial={"amount": 1234567}, data={"amount": "12345.67"})
    assert "amount" not in form.changed_data


def test_form_field_cleans_a_disabled_field_from_its_fen_initial_unchanged():
    class _LockedForm(forms.Form):
        amount = YuanFormField(disabled=True)

    form = _LockedForm(initial={"amount": 1234567}, data={"amount": "999"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 1234567


def test_form_field_asks_for_a_decimal_keyboard():
    assert 'inputmode="decimal"' in str(_AmountForm()["amount"])


# --- YuanField (DRF) ------------------------------------------------------------------------


class _AmountSerializer(serializers.Serializer):
    amount = YuanField()
    balance = YuanField(allow_negative=True, required=False, allow_null=True)


def test_api_field_reads_a_yuan_string_as_fen():
    serializer = _AmountSerializer(data={"amount": "12345.67"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["amount"] == 1234567


def test_api_field_reads_a_json_integer_as_whole_yuan():
    serializer = _AmountSerializer(data={"amount": 12})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["amount"] == 1200


def test_api_field_refuses_a_json_float_with_a_chinese_message():
    serializer = _AmountSerializer(data={"amount": 12.5})
    assert not serializer.is_valid()
    assert serializer.errors["amount"][0].code == "float"
    assert "不接受浮点数" in str(serializer.errors["amount"][0])


@pytest.mark.parametrize("data", [True, [], {}, ["12.00"]])
def test_api_field_refuses_non_scalar_or_bool_input(data):
    serializer = _AmountSerializer(data={"amount": data})
    assert not serializer.is_valid()
    assert serializer.errors["amount"][0].code == "invalid"


def test_api_field_reports_parse_errors_as_validation_errors_with_code():
    serializer = _AmountSerializer(data={"amount": "1.234"})
    assert not serializer.is_valid()
    assert serializer.errors["amount"] == ["金额最多两位小数"]
    assert serializer.errors["amount"][0].code == "max_decimal_places"


def test_api_field_refuses_a_blank_string():
    serializer = _AmountSerializer(data={"amount": ""})
    assert not serializer.is_valid()
    assert serializer.errors["amount"] == ["请填写金额"]


def test_api_field_refuses_negatives_by_default():
    serializer = _AmountSerializer(data={"amount": "-1.00"})
    assert not serializer.is_valid()
    assert serializer.errors["amount"] == ["金额不能为负数"]


def test_api_field_accepts_negatives_when_allowed():
    serializer = _AmountSerializer(data={"amount": "1", "balance": "-3.50"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["balance"] == -350


def test_api_field_accepts_null_when_allowed():
    serializer = _AmountSerializer(data={"amount": "1", "balance": None})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["balance"] is None


def test_api_field_writes_fen_as_a_two_decimal_string():
    assert _AmountSerializer({"amount": 1234567, "balance": None}).data == {
        "amount": "12345.67",
        "balance": None,
    }


class _AmountView(generics.CreateAPIView):
    serializer_class = _AmountSerializer


def test_api_field_is_documented_as_a_string_with_pattern_and_example():
    schema = SchemaGenerator(patterns=[path("amounts/", _AmountView.as_view())]).get_schema(
        request=None, public=True
    )
    components = schema["components"]["schemas"]
    answer = next(
        c["properties"]
        for n, c in components.items()
        if "amount" in c.get("properties", {}) and not n.endswith("Request")
    )
    assert answer["amount"]["type"] == "string"
    assert answer["amount"]["pattern"] == API_PATTERN
    assert answer["amount"]["example"] == "12345.67"


def test_api_field_documents_every_spelling_a_request_may_use():
    """The request schema is what parse_yuan reads: the canonical string, the other spellings
    (pattern) and whole yuan as an integer; negatives only where the field allows them."""
    schema = SchemaGenerator(patterns=[path("amounts/", _AmountView.as_view())]).get_schema(
        request=None, public=True
    )
    request = next(
        c["properties"] for n, c in schema["components"]["schemas"].items() if n.endswith("Request")
    )
    lenient, whole = request["amount"]["anyOf"]
    assert whole == {"type": "integer", "minimum": 0, "maximum": 10**13, "description": "整数元"}
    pattern = re.compile(lenient["pattern"])
    for text in ("12345.67", "12,345.67", "¥12345", "12345元", "１２，３４５．６７", " 12.5 ", "-0"):
        assert pattern.match(text) and parse_yuan(text) >= 0, text
    for text in ("-1", "1e3", "12.345", "1,23", "", "10000000000000000"):
        assert not pattern.match(text), text
    assert request["balance"]["anyOf"][1]["minimum"] == -(10**13)
    assert re.match(request["balance"]["anyOf"][0]["pattern"], "-3.50")


@pytest.mark.parametrize(
    ("allow_negative", "allow_zero", "max_fen"),
    [(False, True, 10**15), (False, False, 10**13), (True, False, 10**15)],
)
@given(
    text=st.one_of(
        st.text(st.sampled_from(list("0123456789,.-¥元 ０１９，．－−￥\u3000\t\x1f\ufeff")), max_size=18),
        st.text(st.sampled_from(list("0001,.")), max_size=16),
    )
)
def test_the_documented_pattern_is_exactly_what_the_field_reads(allow_negative, allow_zero, max_fen, text):
    """Whatever a client sends, the schema's pattern and the field agree (below the bound)."""
    field = YuanField(allow_negative=allow_negative, allow_zero=allow_zero, max_fen=max_fen)
    try:
        accepted = abs(field.to_internal_value(text)) < max_fen
    except serializers.ValidationError:
        accepted = False
    assert accepted == bool(
        re.match(amount_pattern(allow_negative=allow_negative, allow_zero=allow_zero, max_fen=max_fen), text)
    ), text


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("3万2", 32000),
        ("3.2万", 32000),
        ("3万2千", 32000),
        ("3万零500", 30500),
        ("3万2000", 32000),
        ("5千", 5000),
        ("5千5", 5500),
        ("8万元", 80000),
        ("¥1.5万", 15000),
        ("３万２", 32000),
    ],
)
def test_forms_read_amounts_as_people_say_them(text, yuan):
    assert parse_yuan(text, spoken=True) == yuan * 100


@pytest.mark.parametrize("text", ["3万25", "3万2.5", "3.5万2", "万", "3万2千5百", "1.23456789万"])
def test_an_ambiguous_spoken_amount_is_refused_with_how_to_write_it(text):
    with pytest.raises(ValidationError) as exc:
        parse_yuan(text, spoken=True)
    assert "3万2" in exc.value.messages[0] or "小数" in exc.value.messages[0]


def test_the_api_reads_no_spoken_amounts():
    with pytest.raises(ValidationError):
        parse_yuan("3万2")


# --- yuan_words / yuan_echo: the amount said back in a confirmation ----------------------------


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (8_000_000, "8万元"),
        (3_200_000, "3.2万元"),
        (3_250_050, "3.25005万元"),  # exact: never rounded away from the figures beside it
        (1_000_000, "1万元"),
        (125_000, "1,250元"),
        (125_050, "1,250.50元"),
        (999_999, "9,999.99元"),
        (1, "0.01元"),
        (0, "0元"),
        (30_000_000_000, "3亿元"),
        (12_345_678_900, "1.23456789亿元"),
        (-8_000_000, "-8万元"),
    ],
)
def test_yuan_words_says_the_amount_as_people_say_it(fen, words):
    assert yuan_words(fen) == words


def test_yuan_echo_gives_words_and_figures():
    assert yuan_echo(8_000_000) == "8万元（80,000.00 元）"
    assert yuan_echo(125_000) == "1,250元（1,250.00 元）"


@given(fen_amounts)
def test_yuan_words_read_back_as_spoken_input_give_the_same_amount(fen):
    words = yuan_words(fen)
    if "亿" in words:  # 亿 is said, not typed: checked through its 万 equivalent
        return
    assert parse_yuan(words, allow_negative=True, spoken=True) == fen


def test_yuan_words_refuses_what_is_not_fen():
    with pytest.raises(TypeError):
        yuan_words(12.5)  # type: ignore[arg-type]


def test_the_money_field_shows_yuan_beside_its_box():
    class Form(forms.Form):
        amount = YuanFormField(label="金额（元）")

    html = str(Form()["amount"])
    assert 'class="input-group has-validation yuan-input"' in html
    assert '<span class="input-group-text">元</span>' in html
    assert 'inputmode="decimal"' in html
