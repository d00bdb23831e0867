"""Audit-log registration for the organisation's models."""

from auditlog.registry import auditlog

from anxin.org.models import Duty, Town, Unit, User

auditlog.register(Town)
auditlog.register(Unit)
auditlog.register(Duty)
auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
