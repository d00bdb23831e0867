"""Little helpers the monitoring screens share."""

from __future__ import annotations

import datetime

from anxin.core.errors import DomainError


def date_field(value: str, field: str, message: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(message, field=field) from None
