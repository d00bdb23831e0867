"""The OpenAPI schema says what the API does (issue #13 finding 8): the error answers of every
operation with their bodies, null where an answer can be null, the full enums, the credit code's
pattern and the required combinations. tests/test_api_fuzz.py checks the same against the running
API with schemathesis; these name each promise so a regression points at it."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st

from anxin.core.validators import USCC_ALPHABET, uscc_check_char, validate_uscc

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def schema(district):
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_generates_without_a_warning(district, tmp_path):
    """`manage.py check --deploy --fail-level WARNING` (.ci/run) fails on drf-spectacular's warnings, e.g. two
    choice sets named alike (drf_spectacular.W001); an enum named apart in ENUM_NAME_OVERRIDES keeps it quiet."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_each_named_enum_is_the_choice_set_it_names(schema):
    """A name given in ENUM_NAME_OVERRIDES is the component of exactly those choices: a name another
    field's enum already took (IndicatorKindEnum: monitoring's indicator kinds) silently gave the
    assessment's indicator kinds the wrong schema — no warning, only the fuzz's failed validation."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    for name, path in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].items():
        choices = import_string(path)
        values = [c[0] for c in getattr(choices, "choices", choices)]
        assert sorted(_component(schema, name)["enum"]) == sorted(values), name


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _component(schema, name):
    return schema["components"]["schemas"][name]


def _refs(answer) -> set[str]:
    found = answer["content"]["application/json"]["schema"]
    branches = found.get("anyOf", [found])
    return {b["$ref"].rsplit("/", 1)[-1] for b in branches}


def test_every_operation_documents_its_error_answers(schema):
    operations = list(_operations(schema))
    # 45 + money's claims and payments (8) and funds (10) + sites: roster (3), payroll (2), deposits (6)
    # + credit: publication (1, the public list of violations), grades (1), listing (7)
    # + conference: meetings (3: list, schedule, detail), minutes (5: draft, submit, sign, return, issue),
    #   decisions (6: list, detail, progress, complete, accept, send-back)
    # + reports: periodic reports (4: list, create, get, submit), publicity (2: GET and POST /api/v1/publicity/),
    #   circulars (1: GET /api/v1/circulars/)
    # + assessment: objection (1: POST /api/v1/assessment/scores/{id}/object), schemes (1: GET
    #   /api/v1/assessment/schemes/), scores (1: GET /api/v1/assessment/scores/), the case's trace (1: GET
    #   /api/v1/cases/{id}/trace/), spot checks (3: list, draw, detail)
    assert len(operations) == 111
    for path, method, operation in operations:
        codes = set(operation["responses"])
        expected = {"401", "403", "404"}
        if method in ("post", "put", "patch"):
            expected |= {"400", "409", "415"}
        if method == "post":
            expected.add("422")
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        assert expected <= codes, (method, path, sorted(expected - codes))
        assert "ErrorDetail" in _refs(operation["responses"]["401"])
        if "400" in codes:
            assert {"FieldErrors", "ErrorDetail"} <= _refs(operation["responses"]["400"])
        if "409" in codes:
            assert "FieldErrors" in _refs(operation["responses"]["409"])


def test_the_error_bodies_are_described(schema):
    fields = _component(schema, "FieldErrors")
    assert fields["properties"]["non_field_errors"] == {"type": "array", "items": {"type": "string"}}
    assert _component(schema, "ErrorDetail")["required"] == ["detail"]


def test_every_post_documents_the_idempotency_key_and_the_replay_header(schema):
    for path, method, operation in _operations(schema):
        if method != "post":
            continue
        header = [
            p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ]
        assert header and header[0]["required"] is False, path
        success = [a for code, a in operation["responses"].items() if code.startswith("2")]
        assert all("Idempotent-Replayed" in a["headers"] for a in success), path


# A file upload: the credit pledge of an early removal (issue #17) is multipart, and only there.
MULTIPART = {"/api/v1/credit/listings/{id}/remove/"}


def test_request_bodies_are_json_only(schema):
    for path, method, operation in _operations(schema):
        if "requestBody" in operation:
            expected = ["multipart/form-data"] if path in MULTIPART else ["application/json"]
            assert list(operation["requestBody"]["content"]) == expected, (method, path)


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Action", "copy_unit"),
        ("ProjectSupervisor", "unit"),
        ("Unit", "town"),
        ("Signal", "town"),
        ("Signal", "assigned_unit"),
        ("Alert", "town"),
        ("Alert", "unit"),
    ],
)
def test_codes_that_can_be_null_are_nullable(schema, component, field):
    assert _component(schema, component)["properties"][field].get("nullable") is True


def _enum(schema, prop):
    ref = prop.get("$ref") or prop.get("allOf", [{}])[0].get("$ref")
    return _component(schema, ref.rsplit("/", 1)[-1])["enum"]


def test_an_answer_may_carry_the_arrears_report_a_request_may_not_send(schema):
    answered = _enum(schema, _component(schema, "Signal")["properties"]["kind"])
    posted = _enum(schema, _component(schema, "SignalRequest")["properties"]["kind"])
    assert "arrears_report" in answered and "arrears_report" not in posted
    assert set(answered) - set(posted) == {"arrears_report"}


def test_codes_a_request_names_are_enumerated_from_the_district(schema):
    enterprise = _component(schema, "EnterpriseRequest")["properties"]
    assert "luoxi" in _enum(schema, enterprise["town"])
    signal = _component(schema, "SignalRequest")["properties"]
    channels = _enum(schema, signal["channel"])
    assert {"court", "police", "screening"} <= set(channels) and "portal" not in channels


def test_a_credit_code_is_described_as_far_as_a_schema_can(schema):
    uscc = _component(schema, "EnterpriseRequest")["properties"]["uscc"]
    assert (uscc["format"], uscc["minLength"], uscc["maxLength"]) == ("uscc", 18, 18)
    assert re.match(uscc["pattern"], "91350100M000100Y43")
    assert not re.match(uscc["pattern"], "91350100M000100Y4I")  # I is not in the alphabet


@given(
    head=st.text(USCC_ALPHABET, min_size=2, max_size=2),
    region=st.text("0123456789", min_size=6, max_size=6),
    tail=st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
def test_every_valid_credit_code_matches_the_documented_pattern(head, region, tail):
    from anxin.core.api_schema import USCC_PATTERN

    code = head + region + tail + uscc_check_char(head + region + tail)
    assert validate_uscc(code) == code and re.match(USCC_PATTERN, code)


def test_required_combinations_are_stated(schema):
    signal = _component(schema, "SignalRequest")["anyOf"]
    assert [branch["required"] for branch in signal] == [["enterprise_uscc"], ["enterprise_name"]]
    opening = _component(schema, "OpenRequest")["anyOf"]
    assert [branch["required"] for branch in opening] == [["alert"], ["signals"], ["enterprise_uscc"]]
    closing = [b for b in _component(schema, "AdvanceRequest")["anyOf"] if "close" in str(b)]
    assert all({"outcome", "amount_paid"} <= set(b["required"]) for b in closing)


def test_a_signal_post_documents_the_update_it_answers_with_200(schema):
    answers = schema["paths"]["/api/v1/signals/"]["post"]["responses"]
    assert {"200", "201"} <= set(answers)
    recorded = answers["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "outcome" in _component(schema, recorded)["properties"]


def test_the_served_schema_is_the_generated_one(district, api_client, office):
    from anxin.core.audit import system_actor
    from anxin.org.services import token_issue

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=system_actor(), user=office)}")
    served = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    assert served["paths"]["/api/v1/signals/"]["post"]["responses"]["422"]


@pytest.mark.parametrize("path", ["/api/v1/signals/", "/api/v1/observations/"])
def test_a_body_that_is_not_json_is_a_415_as_documented(district, api_client, office, path):
    from anxin.core.audit import system_actor
    from anxin.org.services import token_issue

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=system_actor(), user=office)}")
    response = api_client.post(path, {"channel": "hotline-12333", "reference": "F-1"})  # multipart
    assert response.status_code == 415 and "detail" in response.json()
