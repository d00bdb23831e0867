"""Construction sites (§三(九)(十); 保障农民工工资支付条例 第二十六至三十四条): each project's real-name
roster, its wage special account, the general contractor's monthly payroll checked worker by worker,
and the wage deposit. One module per part, the models re-exported here."""

from anxin.sites.models.deposits import (
    Deposit,
    DepositDraw,
    DepositEvent,
    DepositForm,
    DepositStatus,
    DrawStatus,
    EventKind,
)
from anxin.sites.models.handbook import ContactRole, HandbookCode, HandbookLimit, PortalHandbook, SiteContact
from anxin.sites.models.payroll import (
    Finding,
    FindingKind,
    MonthAction,
    MonthStatus,
    Payroll,
    PayrollLine,
    PayrollMonth,
    PayrollMonthEvent,
)
from anxin.sites.models.roster import (
    AccountEventKind,
    AccountFlag,
    RosterEntry,
    SpecialAccount,
    SpecialAccountEvent,
)

__all__ = [
    "AccountEventKind",
    "AccountFlag",
    "ContactRole",
    "Deposit",
    "DepositDraw",
    "DepositEvent",
    "DepositForm",
    "DepositStatus",
    "DrawStatus",
    "EventKind",
    "Finding",
    "FindingKind",
    "HandbookCode",
    "HandbookLimit",
    "MonthAction",
    "MonthStatus",
    "Payroll",
    "PayrollLine",
    "PayrollMonth",
    "PayrollMonthEvent",
    "PortalHandbook",
    "RosterEntry",
    "SiteContact",
    "SpecialAccount",
    "SpecialAccountEvent",
]
