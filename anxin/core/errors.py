"""Domain errors: a service refuses an action with a message a user can read."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the district's system forbids this action; the message says which, in Chinese."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field


class ScopeViolation(DomainError):
    """A write would put an object outside the acting user's scope."""


class CalendarMissing(DomainError):
    """A working-day computation reached a year the calendar does not cover."""
