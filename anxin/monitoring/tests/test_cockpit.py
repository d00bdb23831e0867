"""The cockpit's red list states the citation once, in its header, not on every row (issue 14,
item 11)."""

from __future__ import annotations

import datetime

from anxin.monitoring import scan
from anxin.monitoring.tests.factories import observe
from anxin.registry.tests.factories import enterprise

D = datetime.date
CITATION = "江苏宝应县做法（欠薪1个月以下黄色，1至2个月橙色，2个月以上红色）"


def _table(content: str) -> str:
    start = content.index('data-testid="cockpit-red-table"')
    return content[start : content.index("</table>", start)]


def test_the_red_list_prints_the_citation_once_in_its_header(world, login, leader):
    for name in ("红企业A", "红企业B", "红企业C"):
        observe(enterprise(town="luoxi", name=name), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    content = login(leader).get("/cockpit/").content.decode()
    table = _table(content)
    assert table.count("红企业") == 3
    assert "拖欠工资 3 个月（≥2 个月为红色）" in table
    assert CITATION not in table and "依据 " not in table
    basis = content[content.index('data-testid="cockpit-red-basis"') :][:600]
    assert CITATION in basis and "§五(二)" in basis
    assert content.count(CITATION) == 1


def test_the_red_list_has_no_basis_line_when_nothing_is_red(world, login, leader):
    content = login(leader).get("/cockpit/").content.decode()
    assert 'data-testid="cockpit-red-basis"' not in content and "没有红色风险企业" in content
