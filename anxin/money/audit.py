"""Payment schedules, claims, fund advances and funds are district data: every change is in the audit
log (who, when, the diff).
Payments are not: the ledger is append-only, each entry carries who recorded it and when, and a
correction is a reversing entry."""

from auditlog.registry import auditlog

from anxin.money.models import Advance, Claim, Fund, Instalment

auditlog.register(Instalment)
# A worker's claim: its confirmation and corrections (``guarded_update`` writes their diff); the
# personal data masked, the blind index and the running total paid (moved by the ledger) left out.
auditlog.register(
    Claim,
    include_fields=[
        f.name for f in Claim._meta.concrete_fields if f.name not in {"id", "id_number_index", "paid"}
    ],
    mask_fields=["id_number", "phone"],
)
auditlog.register(Advance)
auditlog.register(Fund)
