"""What the minutes part adds elsewhere: the plenary pack's sections (every earlier decision with its
status, the overdue ones by owner unit — JSON-able strings), the tick sweeps, the menu entry, the clause
items."""

from __future__ import annotations

import json

import pytest
import time_machine

from anxin.conference import sections
from anxin.conference.services import decisions as services
from anxin.conference.tests.factories_minutes import at, day, item, meeting, open_decision
from anxin.core import seam

pytestmark = pytest.mark.django_db


def test_the_pack_lists_every_earlier_decision_with_its_status(office, convener, chengjian):
    late = open_decision(office, convener, item("construction", due="2026-03-31"), on="2026-03-02")
    reported = open_decision(office, convener, item("gov-luoxi", due="2026-06-30"), on="2026-03-05")
    done = open_decision(office, convener, item("finance", due="2026-06-30"), on="2026-03-06")
    services.decision_complete(actor=office, decision=reported, result="完成")
    services.decision_complete(actor=office, decision=done, result="完成")
    services.decision_accept(actor=office, decision=done)
    later = open_decision(
        office, convener, item("hrss", due="2026-07-30"), on="2026-06-20"
    )  # after the plenary
    plenary = meeting(office, on="2026-06-15", status="scheduled")
    with time_machine.travel(at("2026-04-10T09:00"), tick=False):
        found = sections.gather(sections.PACK_SECTIONS, plenary, day("2026-03-01"), day("2026-06-14"))
    json.dumps(found)  # JSON-able
    every, overdue = (s for s in found if s["key"].startswith("decisions"))
    rows = {r[0]: r for r in every["tables"][0]["rows"]}
    assert set(rows) == {late.number, reported.number, done.number}
    assert later.number not in rows
    assert rows[late.number][6] == "逾期未完成"
    assert rows[reported.number][6] == "已报完成待验收"
    assert rows[done.number][6] == "已验收办结" and rows[done.number][7]
    assert "共 3 项" in every["paragraphs"][0]
    assert overdue["tables"][0]["rows"] == [["区城建局", "1", f"{late.number}（2026-03-31）"]]
    assert all(isinstance(cell, str) for t in every["tables"] for row in t["rows"] for cell in row)


def test_the_sweeps_are_registered_with_tick():
    labels = [s.label for s in seam.collect(seam.SWEEPS)]
    assert "联席会议议定事项：到期前提醒牵头单位" in labels and "联席会议议定事项：逾期报联席办" in labels


def test_the_ledger_is_in_the_conference_menu(office, luoxi, auditor):
    for user in (office, luoxi):
        items = [i for i in seam.collect(seam.MENU, user) if i.get("url_name") == "conference-decisions"]
        assert items and items[0]["group"] == "conference"


def test_the_clause_items_name_section_two():
    items = [item for citation, item in seam.collect(seam.CLAUSE_ITEMS) if citation == "§二"]
    kinds = {i["kind"] for i in items}
    assert {"会议纪要", "议定事项"} <= kinds
