"""API plumbing shared by every app: domain errors become 400 with field messages.

``exception_handler`` is the one error mapper (settings ``EXCEPTION_HANDLER``): a view, serializer
or viewset lets a ``DomainError`` or Django ``ValidationError`` from a service propagate.

The API's JSON reader is ``anxin.core.parsers.JSONParser`` (settings ``DEFAULT_PARSER_CLASSES``),
in its own module: DRF reads that setting while ``rest_framework.views`` is being imported, which
this module imports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, status
from rest_framework.relations import SlugRelatedField
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from anxin.core.errors import DomainError


@contextmanager
def clash_is_a_conflict() -> Iterator[None]:
    """Around a service call whose request the serializer already found well formed: what the service
    still refuses is about the records on file, so its plain refusals answer 409, not 400."""
    try:
        yield
    except DomainError as exc:
        if exc.code == "invalid":
            raise DomainError(exc.message, code="conflict", field=exc.field) from exc
        raise


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        key = exc.field or "non_field_errors"
        # A lost race or a move the current state does not allow is a conflict, not bad input.
        code = (
            status.HTTP_409_CONFLICT
            if exc.code in ("conflict", "transition", "merged")
            else status.HTTP_400_BAD_REQUEST
        )
        return Response({key: [exc.message]}, status=code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            body = {("non_field_errors" if k == "__all__" else k): v for k, v in body.items()}
        else:
            body = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class CodeRelatedField(SlugRelatedField):
    """A reference by stable code; text PostgreSQL cannot store (NUL) is a 400, not a 500."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\0"))
        return super().to_internal_value(data)


class ModelPermissions(permissions.DjangoModelPermissions):
    """Role × action through Django permissions; reading needs the view permission too."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
