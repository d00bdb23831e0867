"""Credit's services, one module per part. The listing part's are re-exported here; the other parts
are imported from their own modules (``anxin.credit.services.sanctions`` …)."""

from anxin.credit.services.listing import (
    Paper,
    arrears_check,
    condition_check,
    defence_answer,
    defence_record,
    listed_person_add,
    listed_person_remove,
    listing_decide,
    listing_drop,
    listing_propose,
    listing_serve_notice,
    listings_expire,
    listings_propose_auto,
    listings_restart,
    removal_apply,
    removal_decide,
    removals_remind,
)

__all__ = [
    "Paper",
    "arrears_check",
    "condition_check",
    "defence_answer",
    "defence_record",
    "listed_person_add",
    "listed_person_remove",
    "listing_decide",
    "listing_drop",
    "listing_propose",
    "listing_serve_notice",
    "listings_expire",
    "listings_propose_auto",
    "listings_restart",
    "removal_apply",
    "removal_decide",
    "removals_remind",
]
