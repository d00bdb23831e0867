"""Field-level history of the sites' records (django-auditlog)."""

from auditlog.registry import auditlog

from anxin.sites.models import Deposit, DepositDraw, RosterEntry, SpecialAccount

auditlog.register(RosterEntry, exclude_fields=["id_number", "id_number_index", "phone", "phone_index"])
auditlog.register(SpecialAccount, exclude_fields=["account"])
auditlog.register(Deposit, exclude_fields=["computation"])
auditlog.register(DepositDraw)
