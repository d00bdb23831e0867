"""Every write of the construction sites (DESIGN rule 2), one module per part, re-exported here."""

from anxin.sites.services.deposits import (  # the wage deposit
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

__all__ = [
    "deposit_event_reverse",
    "deposit_record",
    "deposit_require",
    "deposit_return_decide",
    "deposit_return_request",
    "deposit_top_up",
    "deposits_sweep",
    "draw_order",
    "draw_paid",
    "may_manage_deposit",
    "required_for",
]
