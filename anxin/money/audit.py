"""Payment schedules are district data: every change is in the audit log (who, when, the diff).
Payments are not: the ledger is append-only, each entry carries who recorded it and when, and a
correction is a reversing entry."""

from auditlog.registry import auditlog

from anxin.money.models import Instalment

auditlog.register(Instalment)
