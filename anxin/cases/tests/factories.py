"""Test helpers for cases."""

from __future__ import annotations

from anxin.cases import services
from anxin.core.audit import system_actor


def open_case(enterprise, *, actor=None, summary="拖欠 12 名工人 3 个月工资", **kw):
    kw.setdefault("workers", 12)
    kw.setdefault("amount_claimed", 12_000_000)  # ¥120,000.00
    return services.case_open(actor=actor or system_actor(), enterprise=enterprise, summary=summary, **kw)
