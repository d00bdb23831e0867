"""Every write of the construction sites (DESIGN rule 2: keyword-only, ``actor``, one transaction,
audited). One module per part, the public names re-exported here (``from anxin.sites import services``)."""

from anxin.sites.services.deposits import (  # noqa: F401  (the wage deposit)
    deposit_event_reverse,
    deposit_record,
    deposit_require,
    deposit_return_decide,
    deposit_return_request,
    deposit_top_up,
    deposits_sweep,
    draw_order,
    draw_paid,
    may_manage_deposit,
    required_for,
)
from anxin.sites.services.payroll import (  # noqa: F401  (the monthly payroll)
    PayrollInput,
    PayrollRefused,
    payroll_months_sweep,
    payroll_submit,
)
from anxin.sites.services.roster import *  # noqa: F403  (roster and special account)
