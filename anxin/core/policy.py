"""Reading policy parameters: the value in force on a given day, with its source."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter


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
