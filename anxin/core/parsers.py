"""The API's request parsers (settings ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

A JSON body nested deeper than ``API_JSON_MAX_DEPTH`` is a 400 with a Chinese ``detail``, never a
500 (a 5,000-deep body made Python's decoder raise ``RecursionError``). This module must
not import ``rest_framework.views``: DRF reads the parser setting while that module is imported.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0, ``[]`` and ``{}`` are 1);
    iterative, so any depth the decoder returned can be measured."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[Any] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a bound on nesting depth (the body's size is bounded before it is
    read, by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` in ``core.middleware.RequestSizeMiddleware``).

    Python's decoder recurses once per level and raises ``RecursionError`` near a thousand; that
    is caught here, and anything deeper than ``API_JSON_MAX_DEPTH`` (32 unless set) that the
    decoder did return is refused too, so a body is judged the same whichever limit it meets."""

    def parse(self, stream, media_type=None, parser_context=None):
        most = int(getattr(settings, "API_JSON_MAX_DEPTH", 32))
        too_deep = ParseError(f"JSON 嵌套层级过深（上限 {most} 层），已拒绝")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        except ParseError as exc:
            raise ParseError(f"JSON 格式错误：{exc.detail}") from None
        if json_depth(data) > most:
            raise too_deep
        return data
