"""The shared pieces of the API's schema say exactly what the fields read (anxin/core/api_schema.py)."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from anxin.core.api_schema import FLAG, StrictCharField, flag, trimmed_pattern, words_schema

# Text as clients send it, with the characters where Python's and ECMA's ideas of blank differ.
texts = st.text(st.sampled_from(list("ab 中\t\n\x00\x1c\x1f\x85\xa0\u3000\ufeff\u180e")), max_size=8)


@pytest.mark.parametrize(
    ("blank", "max_length"), [(False, None), (True, None), (False, 1), (False, 5), (True, 3)]
)
@given(text=texts)
def test_a_text_pattern_accepts_exactly_what_the_field_reads(blank, max_length, text):
    field = StrictCharField(allow_blank=blank, max_length=max_length)
    try:
        field.run_validation(text)
        accepted = True
    except serializers.ValidationError:
        accepted = False
    assert accepted == bool(re.match(trimmed_pattern(blank=blank, max_length=max_length), text)), repr(text)


@pytest.mark.parametrize("sent", [5, 5.5, True, ["a"], {"a": 1}])
def test_text_fields_take_text_only(sent):
    with pytest.raises(serializers.ValidationError):
        StrictCharField().run_validation(sent)


@given(text=st.text(st.sampled_from(list("trueFALSE01yesnoO \t\u3000x")), max_size=7))
def test_a_flag_is_read_as_documented(text):
    try:
        params = QueryDict(mutable=True)
        params["f"] = text
        flag(params, "f")
        accepted = True
    except serializers.ValidationError:
        accepted = False
    assert accepted == bool(re.match(FLAG["pattern"], text)), repr(text)


def test_words_are_spelled_for_a_regex_engine_without_flags():
    pattern = words_schema(["open", "handled"], any_case=False, strip=False)["pattern"]
    assert [bool(re.match(pattern, w)) for w in ("open", "", "Open", " open", "handled")] == [
        True,
        True,
        False,
        False,
        True,
    ]
