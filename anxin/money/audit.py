"""Payment schedules, claims, fund advances and funds are district data: every change is in the audit
log (who, when, the diff).
Payments are not: the ledger is append-only, each entry carries who recorded it and when, and a
correction is a reversing entry."""

from auditlog.registry import auditlog

from anxin.money.models import Advance, Claim, Fund, Instalment

auditlog.register(Instalment)
# A claim's confirmation and corrections are also ClaimEvents; ``paid`` is the running total the
# payment services keep beside the ledger's entries (the entries are the record).
auditlog.register(Claim, exclude_fields=["paid", "id_number", "phone", "id_number_index"])
auditlog.register(Advance)
auditlog.register(Fund)
