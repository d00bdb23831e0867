"""Field-level history of the sites' records (django-auditlog)."""

from auditlog.registry import auditlog

from anxin.sites.models import (
    AccountFlag,
    Deposit,
    DepositDraw,
    PayrollMonth,
    RosterEntry,
    SiteContact,
    SpecialAccount,
    SpecialAccountEvent,
)

auditlog.register(RosterEntry, exclude_fields=["id_number", "id_number_index", "phone", "phone_index"])
auditlog.register(SpecialAccount, exclude_fields=["account"])
# roster: the account's append-only history and the once-only missing-account flag, in the log too (their
# creation, by whom; neither is ever edited)
auditlog.register(SpecialAccountEvent)
auditlog.register(AccountFlag)
auditlog.register(PayrollMonth)  # its status and the signals it raised
auditlog.register(Deposit, exclude_fields=["computation"])
auditlog.register(DepositDraw)
auditlog.register(SiteContact)  # handbook: the notice board's contacts
