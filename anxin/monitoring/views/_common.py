"""Little helpers the monitoring screens share."""

from __future__ import annotations

import datetime

from anxin.core.errors import DomainError
from anxin.monitoring.rules import RULES_BY_CODE


def rule_name(row) -> str:
    """A ledger cell: the rule of an alert or a report by its Chinese name (its code if unknown)."""
    return RULES_BY_CODE[row.rule].name if row.rule in RULES_BY_CODE else row.rule


def unit_name(row) -> str:
    """A ledger cell: the line department of a row, by its short name."""
    return (row.unit.short_name or row.unit.name) if row.unit_id else ""


def date_field(value: str, field: str, message: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(message, field=field) from None
