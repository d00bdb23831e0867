"""Writes of case handling (§四(三)(四)). Every function is a service (DESIGN rule 2):
keyword-only, ``actor``, one transaction, append-only events, notices after commit.

One module per job; each imports what it needs from its siblings:

- ``common``   who works on a case (lead unit, co-units, the office), its timeline row, its notices
- ``opening``  opening a case, linking later signals and alerts, correcting its facts, notes
- ``stages``   who may move it, advancing, skipping and closing through ``workflow.FLOW``, the
               closing conditions, the time limits and their extension
- ``plans``    the plan (一企一策): writing, submitting and the office's review (``workflow.PLANS``)
- ``site``     incidents and the asset-control checklist (§四(四))

Legal actions are in ``cases.actions``, deadlines in ``cases.deadlines``. The public names are
re-exported here (``from anxin.cases import services; services.case_close(...)``). A test that
replaces a name must patch the module where it lives (``services.stages.stage_due``).
"""

from anxin.cases.services.common import is_lead, office_unit_ids, town_unit, works_on
from anxin.cases.services.opening import (
    FLAGS,
    case_link,
    case_note,
    case_open,
    case_update,
    document_issued,
    open_case_of,
)
from anxin.cases.services.plans import plan_review, plan_save, plan_submit
from anxin.cases.services.site import asset_record, asset_recover, incident_record
from anxin.cases.services.stages import (
    STAGE_DUE,
    available_moves,
    case_close,
    case_extend,
    case_move,
    closing_problems,
    may_extend,
    may_make,
    stage_due,
)

__all__ = [
    "FLAGS",
    "STAGE_DUE",
    "asset_record",
    "asset_recover",
    "available_moves",
    "case_close",
    "case_extend",
    "case_link",
    "case_move",
    "case_note",
    "case_open",
    "case_update",
    "closing_problems",
    "document_issued",
    "incident_record",
    "is_lead",
    "may_extend",
    "may_make",
    "office_unit_ids",
    "open_case_of",
    "plan_review",
    "plan_save",
    "plan_submit",
    "stage_due",
    "town_unit",
    "works_on",
]
