"""Every write of money (DESIGN rule 2: keyword-only, ``actor``, one transaction, audited). One module
per job, the public names re-exported here (``from anxin.money import services``):

- ``claims``    each worker's claim on a case: registered, confirmed by 人社局, corrected (§四(六))
- ``ledger``    the payments ledger: one payment, a payment run, reversals, the entry at closing
- ``funds``     the emergency revolving funds: appropriations, advances with their preconditions and
                财政局's decision, proceeds repaying the funds first (§三(八), §四(八))
- ``schedule``  a legal action's payment schedule (instalments)
"""

from anxin.money.services.claims import (
    ClaimInput,
    check_claim,
    claim_confirm,
    claim_correct,
    claim_register,
    claims_confirm,
    claims_register,
    may_confirm,
    may_register,
)
from anxin.money.services.funds import (  # the emergency funds (helper "funds")
    AdvanceRefused,
    advance_approve,
    advance_request,
    advance_return,
    advance_write_off,
    fund_appropriate,
    funds_ensure,
    may_approve,
    may_record_proceeds,
    may_request,
    may_write_off,
    proceeds_record,
)
from anxin.money.services.ledger import (
    may_pay,
    payment_record,
    payment_record_at_closing,
    payment_reverse,
    payment_run,
    payments_from_deposit,
)
from anxin.money.services.schedule import SCHEDULED_KINDS, instalment_paid, instalments_set

__all__ = [
    "SCHEDULED_KINDS",
    "AdvanceRefused",
    "ClaimInput",
    "advance_approve",
    "advance_request",
    "advance_return",
    "advance_write_off",
    "check_claim",
    "claim_confirm",
    "claim_correct",
    "claim_register",
    "claims_confirm",
    "claims_register",
    "fund_appropriate",
    "funds_ensure",
    "instalment_paid",
    "instalments_set",
    "may_approve",
    "may_confirm",
    "may_pay",
    "may_record_proceeds",
    "may_register",
    "may_request",
    "may_write_off",
    "payment_record",
    "payment_record_at_closing",
    "payment_reverse",
    "payment_run",
    "payments_from_deposit",
    "proceeds_record",
]
