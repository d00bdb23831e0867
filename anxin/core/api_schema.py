"""The API's contract as the OpenAPI schema states it (drf-spectacular), and the few runtime pieces
that make the API answer as it says.

Other systems (the city's and province's platforms, the court, the tax bureau) integrate from the
schema served at ``/api/v1/schema/``; ``tests/test_api_fuzz.py`` runs schemathesis with all its
checks against it, so the schema must say exactly what the API does:

- ``contract_hook`` (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``) adds to every operation the
  error answers with their bodies — 400 (field errors ``{field: [messages]}``, ``non_field_errors``
  for the whole request, or ``{"detail": …}`` for a body that cannot be read), 401, 403, 404, and
  for writes 409 (a conflict with the current state: same body as 400), 415 (not JSON) and, on
  POST, 422 (an ``Idempotency-Key`` reused with another body) — and documents the optional
  ``Idempotency-Key`` request header of every POST and the ``Idempotent-Replayed`` answer header.
  Request bodies are JSON only (``application/json``); a query or path string never holds NUL.
- Request fields that take exactly the JSON type the schema names (``StrictCharField`` …,
  ``ApiModelSerializer``), text as DRF reads it (``trimmed_pattern``: trimmed with Python's
  ``str.strip``, whose whitespace is spelled out here, not the regex engine's ``\\s``), credit
  codes (``USCC``: pattern and lengths; the check character, which no pattern can express, is
  named by ``format: uscc``), phones, yes/no query words. ``RequestRules`` finishes each request
  component and merges a serializer's ``request_schema`` (required combinations as ``anyOf``).
- Codes a request names (``core.api.CodeRelatedField``) are the district's: an enum read from the
  reference data when the schema is generated.
- ``ContractViewMixin`` for the API's views: a write outside the caller's scope is 403, a state
  guard or a duplicate 409 (``contract_exception_handler``), pages as documented (``Pagination``);
  ``not_found`` and ``conflict`` answer a request naming something absent, or clashing with what is
  on file, with the field's message.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from anxin.core.api import exception_handler
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.validators import USCC_ALPHABET, validate_phone, validate_uscc

# ---------------------------------------------------------------------------------------------
# Request pieces
# ---------------------------------------------------------------------------------------------

#: The characters Python's ``str.strip()`` removes (DRF's CharField trims with it). ECMA-262's
#: ``\s`` differs (it has U+FEFF, lacks U+001C–U+001F and U+0085), so the class is spelled out.
PY_WHITESPACE = "\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
#: Text without NUL (PostgreSQL cannot store it; DRF refuses it).
NO_NUL_PATTERN = "^[^\\u0000]*$"
#: Text with at least one character that is neither whitespace nor NUL.
NOT_BLANK_PATTERN = f"^[^\\u0000]*[^{PY_WHITESPACE}\\u0000][^\\u0000]*$"


def trimmed_pattern(*, blank: bool, max_length: int | None) -> str:
    """Text as DRF reads it: trimmed with ``str.strip``, then at most ``max_length`` characters
    (so the bound is on what is left, not on what was sent), never a NUL, and unless ``blank``
    at least one character that is not whitespace."""
    ws, solid = f"[{PY_WHITESPACE}]*", f"[^{PY_WHITESPACE}\\u0000]"
    inner = "[^\\u0000]*" if max_length is None else f"[^\\u0000]{{0,{max(max_length - 2, 0)}}}"
    core = f"{solid}(?:{inner}{solid})?" if max_length != 1 else solid
    return f"^{ws}{'(?:' + core + ')?' if blank else core}{ws}$"


_USCC_CHAR = "[" + USCC_ALPHABET.replace("0123456789", "0-9") + "]"
#: 统一社会信用代码 (GB 32100-2015) as the API expects it: 18 characters of the code's alphabet
#: (digits and capitals without I, O, Z, S, V), positions 3–8 digits. The 18th character is a
#: check character (GB/T 17710 MOD 31-3) that no pattern can express: ``format: uscc`` names it.
USCC_PATTERN = f"^{_USCC_CHAR}{{2}}[0-9]{{6}}{_USCC_CHAR}{{10}}$"
_USCC_DESCRIPTION = (
    "统一社会信用代码（GB 32100-2015）：18位，数字和大写字母（不含 I、O、Z、S、V），"
    "第3–8位为数字，第18位为校验码（GB/T 17710 MOD 31-3）。"
)
USCC: dict[str, Any] = {
    "type": "string",
    "format": "uscc",
    "pattern": USCC_PATTERN,
    "minLength": 18,
    "maxLength": 18,
    "example": "91350100M000100Y43",
    "description": _USCC_DESCRIPTION,
}
#: A credit code or nothing ("" when the source has none).
USCC_OR_BLANK = {
    **USCC,
    "pattern": f"^(?:{USCC_PATTERN[1:-1]})?$",
    "minLength": 0,
    "description": _USCC_DESCRIPTION + "可为空字符串。",
}

PAST_DATE = {
    "type": "string",
    "format": "past-date",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "description": "日期（YYYY-MM-DD），不得晚于今天（北京时间）。",
}


_BLANKS = f"[{PY_WHITESPACE}]*"
#: A mainland phone number as ``core.validators.validate_phone`` reads it: an 11-digit mobile
#: (optionally +86/0086) or a landline with its area code (and an extension after -, 转 or ext).
PHONE_PATTERN = (
    f"^{_BLANKS}(?:(?:\\+?86|0086)?1[3-9][0-9]{{9}}"
    "|\\(?(?:010|02[0-9]|0[3-9][0-9]{2})\\)?-?[2-9][0-9]{6,7}(?:(?:-|转|[Ee][Xx][Tt]\\.?)[0-9]{1,6})?)"
    f"{_BLANKS}$"
)
PHONE_OR_BLANK = {
    "type": "string",
    "pattern": PHONE_PATTERN.replace(f"^{_BLANKS}(?:", f"^{_BLANKS}(?:|", 1),
    "example": "0519-85123456",
    "description": "11位手机号码（如 13812345678）或带区号的固定电话（如 0519-85123456），可为空",
}


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def words_schema(words: list[str], *, any_case: bool = True, strip: bool = True) -> dict[str, Any]:
    """A query parameter read as one of ``words`` (or left empty: no filter), as the view reads it:
    trimmed (``strip``) and case-insensitive (``any_case``), spelled out for ECMA-262 regexes."""
    spelled = [_any_case(w) if any_case else w for w in words]
    blanks = f"[{PY_WHITESPACE}]*" if strip else ""
    return {"type": "string", "pattern": f"^{blanks}(?:|{'|'.join(spelled)}){blanks}$"}


#: How the API reads a yes/no query parameter (``anxin.core.api_schema.flag``).
TRUE_WORDS = ["true", "1", "yes", "on"]
FALSE_WORDS = ["false", "0", "no", "off"]
FLAG = {**words_schema(TRUE_WORDS + FALSE_WORDS), "description": "true / false（亦可 1/0、yes/no、on/off）"}


def query_value(params: Any, name: str) -> str:
    """A query parameter the view reads as one value: given twice, it is refused (400) rather than
    one of the two silently winning."""
    values = params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: ["此参数只能给出一次"]})
    return values[0] if values else ""


def flag(params: Any, name: str) -> bool:
    """A yes/no query parameter; anything but the documented spellings is a 400 naming it."""
    value = query_value(params, name).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in ("", *FALSE_WORDS):
        return False
    raise ValidationError({name: ["取值须为 true 或 false"]})


# ---------------------------------------------------------------------------------------------
# Error answers
# ---------------------------------------------------------------------------------------------

ERROR_COMPONENTS: dict[str, dict[str, Any]] = {
    "ErrorDetail": {
        "type": "object",
        "description": "一条说明：未登录、无权限、未找到、请求体不是可读的 JSON 等。",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": (
            "按字段列出的错误：字段名 → 错误信息列表（中文）；不属于某一字段的错误在 non_field_errors 中。"
            '列表或嵌套对象字段的错误按其结构给出（如 plan 的第 2 项：{"plan": [{}, {"amount": ["…"]}]}）。'
        ),
        "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]},
                },
                {"type": "object", "description": "列表字段的错误：项的序号 → 该项的错误"},
            ]
        },
        "example": {"reference": ["请填写渠道编号 reference：重复提交时据此更新原记录，不会重复登记"]},
    },
    "BulkReport": {
        "type": "object",
        "description": "批量报送试运行（?dry_run=true）的报告：有错误时随 400/403/404 答复。",
        "properties": {
            "dry_run": {"type": "boolean"},
            "ok": {"type": "boolean"},
            "rows": {"type": "integer"},
            "created": {"type": "integer"},
            "updated": {"type": "integer"},
            "unchanged": {"type": "integer"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["dry_run", "ok", "rows", "errors"],
    },
    "ItemErrors": {
        "type": "array",
        "description": "批量请求中逐项的错误：与请求列表一一对应，无错误的项为 {}。",
        "items": {"$ref": "#/components/schemas/FieldErrors"},
    },
}

_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
_FIELDS = {"$ref": "#/components/schemas/FieldErrors"}
_ITEMS = {"$ref": "#/components/schemas/ItemErrors"}
_REPORT = {"$ref": "#/components/schemas/BulkReport"}


def _answer(description: str, *schemas: dict[str, Any]) -> dict[str, Any]:
    schema = schemas[0] if len(schemas) == 1 else {"anyOf": list(schemas)}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_answers(*, method: str, has_input: bool, bulk: bool = False) -> dict[str, dict[str, Any]]:
    """The error answers an operation may give, by status."""
    invalid = (_FIELDS, _ITEMS, _REPORT, _DETAIL) if bulk else (_FIELDS, _DETAIL)
    answers = {
        "401": _answer("未登录，或令牌无效、已过期、已撤销", _DETAIL),
        "403": _answer(
            "角色或单位无此操作权限，或要写入的对象不在您的管辖范围内",
            _DETAIL,
            *((_FIELDS, _ITEMS, _REPORT) if bulk else (_FIELDS,)),
        ),
        "404": _answer(
            "未找到，或不在您的查看范围内（两者答复相同）；请求中指名的对象（如预警、企业）不存在时，按字段说明",
            _DETAIL,
            *((_FIELDS, _ITEMS, _REPORT) if bulk else (_FIELDS,)),
        ),
    }
    if has_input or method == "get":
        answers["400"] = _answer("请求有误：按字段列出错误（中文）", *invalid)
        # A NUL anywhere in the URL is refused before any view reads it (core.middleware.
        # RejectNulMiddleware), with a one-line text answer.
        answers["400"]["content"]["text/html"] = {
            "schema": {"type": "string", "example": "请求参数含有非法字符"}
        }
    if method in ("post", "put", "patch"):
        answers["409"] = _answer(
            "与当前状态冲突：他人已处理、状态不允许此操作、编号已被同时登记，"
            "或同一 Idempotency-Key 的首次请求仍在处理中",
            _FIELDS,
            _DETAIL,
        )
        answers["415"] = _answer("请求体须为 JSON（Content-Type: application/json）", _DETAIL)
    if method == "post":
        answers["422"] = _answer("同一 Idempotency-Key 已用于内容不同的请求", _DETAIL)
    return answers


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "可选。客户端为一次写操作生成的唯一值（如 UUID）。同一令牌以同一键重复提交同一请求时，"
        "答复第一次的结果（状态码与内容相同，并带 Idempotent-Replayed: true），不会重复写入；"
        "同一键用于内容不同的请求答复 422；第一次请求尚未完成时答复 409。"
    ),
    "schema": {"type": "string"},
}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "true：这是以同一 Idempotency-Key 重复提交时答复的第一次的结果",
        "schema": {"type": "string", "enum": ["true"]},
    }
}
RULES_KEY = "x-anxin-request-rules"


def _is_bulk(operation: dict[str, Any]) -> bool:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return body.get("schema", {}).get("type") == "array"


def contract_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the error answers, the Idempotency-Key header and JSON-only request bodies."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for component in schemas.values():
        component.update(component.pop(RULES_KEY, {}))
    schemas.update(copy.deepcopy(ERROR_COMPONENTS))
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            content = operation.get("requestBody", {}).get("content")
            if content and "application/json" in content:
                operation["requestBody"]["content"] = {"application/json": content["application/json"]}
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                # A NUL in the URL is refused before the view (core.middleware.RejectNulMiddleware).
                found = parameter.get("schema", {})
                plain = found.get("type") == "string" and not {"pattern", "enum", "format"} & set(found)
                if parameter.get("in") in ("query", "path") and plain:
                    found["pattern"] = NO_NUL_PATTERN
            has_input = bool(content) or any(p.get("in") == "query" for p in parameters)
            responses = operation.setdefault("responses", {})
            for code, answer in error_answers(
                method=method, has_input=has_input, bulk=_is_bulk(operation)
            ).items():
                responses.setdefault(code, answer)
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(copy.deepcopy(IDEMPOTENCY_KEY))
                for code, answer in responses.items():
                    if code.startswith("2"):
                        answer.setdefault("headers", {}).update(copy.deepcopy(REPLAYED))
    return result


# ---------------------------------------------------------------------------------------------
# Field extensions
# ---------------------------------------------------------------------------------------------


class CodeRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A reference by stable code (``core.api.CodeRelatedField``): in a request, the codes the
    district has (its reference data, loaded from the district file) are the enum; in an answer,
    a string, or null where the relation is optional."""

    target_class = "anxin.core.api.CodeRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema: dict[str, Any] = {"type": "string"}
        if direction == "request" and getattr(field, "queryset", None) is not None:
            try:
                codes = list(
                    field.queryset.order_by(field.slug_field).values_list(field.slug_field, flat=True)
                )
            except DatabaseError:  # a schema written without a database (no district loaded): no enum
                codes = []
            if codes:
                schema["enum"] = codes
        return schema


class EnterpriseBrief(serializers.Serializer):
    """An enterprise as answers name it."""

    uscc = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField(help_text="企业名称")


class AnswerChoiceField(serializers.ChoiceField):
    """A choice where a request may send ``choices`` but an answer may carry any of ``answers``
    (a kind the system makes itself, such as the arrears report's signal, is read, never posted)."""

    def __init__(self, *, answers, **kwargs):
        self.answers = answers
        super().__init__(**kwargs)


class AnswerChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = AnswerChoiceField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema._map_serializer_field(
                serializers.ChoiceField(choices=self.target.answers), direction
            )
        return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's CharField would also take 5 or 5.5 and read "5"; the schema says
    string, so a number is refused (400) like any other wrong type."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: DRF's IntegerField would also read "5" or 5.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false``: DRF's BooleanField would also read "yes", "1" or 0."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ApiModelSerializer(serializers.ModelSerializer):
    """A model serializer whose generated fields take exactly the JSON types the schema names."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: StrictCharField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.CharField
        },
        **{
            model_field: StrictIntegerField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.IntegerField
        },
        **{
            model_field: StrictBooleanField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.BooleanField
        },
    }


class CharFieldExtension(OpenApiSerializerFieldExtension):
    """A text field in a request: no NUL, and not only blanks unless blank is allowed."""

    target_class = StrictCharField
    match_subclasses = False

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request" and field.trim_whitespace:
            # The length is counted after trimming: the pattern says it, maxLength could not.
            return {
                "type": "string",
                "pattern": trimmed_pattern(blank=field.allow_blank, max_length=field.max_length),
            }
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        if direction == "request" and not {"pattern", "format", "enum"} & set(schema):
            schema["pattern"] = NO_NUL_PATTERN
        return schema


class UsccField(StrictCharField):
    """A 统一社会信用代码 in a request: normalised (blanks, full width, case) and checked."""

    def __init__(self, *, allow_blank: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(allow_blank=allow_blank, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value and self.allow_blank:
            return ""
        try:
            return validate_uscc(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None


class UsccFieldExtension(OpenApiSerializerFieldExtension):
    target_class = UsccField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "description": "统一社会信用代码"}
        return copy.deepcopy(USCC_OR_BLANK if self.target.allow_blank else USCC)


class PhoneField(StrictCharField):
    """A contact phone in a request: blank, or a mainland mobile or landline (normalised)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return validate_phone(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None


class PhoneFieldExtension(OpenApiSerializerFieldExtension):
    target_class = PhoneField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "description": "联系电话"}
        return copy.deepcopy(PHONE_OR_BLANK)


class RequestRules(OpenApiSerializerExtension):
    """Every serializer's request component, finished: its text fields as they are read (after
    drf-spectacular adds maxLength and a blank alternative from the field's validators, which
    would count untrimmed characters), and what its fields cannot say alone — "enterprise_uscc or
    enterprise_name", "close needs outcome and amount_paid" — declared on the serializer as
    ``request_schema`` (merged into the component, e.g. an ``anyOf`` of required combinations)."""

    target_class = serializers.Serializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        properties = schema.get("properties", {})
        for name, field in self.target.fields.items():
            if name not in properties:
                continue
            kept = {k: v for k, v in properties[name].items() if k in _OUTER_KEYS}
            if type(field) is StrictCharField and field.trim_whitespace:
                properties[name] = {
                    **kept,
                    "type": "string",
                    "pattern": trimmed_pattern(blank=field.allow_blank, max_length=field.max_length),
                }
            elif isinstance(field, UsccField):
                properties[name] = {**copy.deepcopy(USCC_OR_BLANK if field.allow_blank else USCC), **kept}
            elif isinstance(field, PhoneField):
                properties[name] = {**copy.deepcopy(PHONE_OR_BLANK), **kept}
        rules = getattr(self.target, "request_schema", None)
        if rules:
            # Merged by contract_hook, after drf-spectacular's enum hook (which would take the
            # one-value enums of these branches for the field's whole enum).
            schema[RULES_KEY] = copy.deepcopy(rules)
        return schema


_OUTER_KEYS = {"readOnly", "writeOnly", "nullable", "deprecated", "description", "title", "default"}


class Pagination(PageNumberPagination):
    """Pages by number as documented: an integer, given once (no "last", no repeats)."""

    last_page_strings = ()

    def get_page_number(self, request, paginator):
        if self.page_query_param not in request.query_params:
            return 1
        return query_value(request.query_params, self.page_query_param)  # "" is not a page: 404


# ---------------------------------------------------------------------------------------------
# Statuses the schema promises
# ---------------------------------------------------------------------------------------------


def contract_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """``core.api.exception_handler``, but a write the caller's scope does not allow (a
    ``ScopeViolation``: an enterprise in another town, a channel of another unit) is 403 with the
    field's message — a refusal of who is asking, not of what was sent."""
    if isinstance(exc, ScopeViolation):
        return Response({exc.field or "non_field_errors": [exc.message]}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError) and exc.code in ("guard", "duplicate"):
        # What the current state does not allow (a referral's thresholds, a close's checks, an
        # enterprise that already has a case in hand).
        return Response({exc.field or "non_field_errors": [exc.message]}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


class ContractViewMixin:
    """For the API's views: answers with the statuses the schema documents, pages as documented."""

    pagination_class: type[Pagination] | None = Pagination

    def get_exception_handler(self):
        return contract_exception_handler

    def get_parsers(self):
        # The project's parsers for JSON only: a form or multipart body is a 415, as documented.
        return json_parsers()


def json_parser_classes() -> list:
    """The configured parsers (``DEFAULT_PARSER_CLASSES``) that read JSON."""
    configured = cast("list[type[BaseParser]]", api_settings.DEFAULT_PARSER_CLASSES)
    return [parser for parser in configured if "json" in parser.media_type]


def json_parsers() -> list:
    return [parser() for parser in json_parser_classes()]


def not_found(field: str, message: str) -> NotFound:
    """404 for a request naming something that does not exist or is not the caller's to see (an
    alert, a signal, an enterprise by its code), with the field's message, as for a 400."""
    return NotFound({field: [message]})


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "与当前状态冲突"
    default_code = "conflict"


def conflict(field: str, message: str) -> Conflict:
    """409 with the field's message: the request is well formed but clashes with what is on file
    (a credit code already registered)."""
    return Conflict({field: [message]})
