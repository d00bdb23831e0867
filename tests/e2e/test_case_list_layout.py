"""The case ledger's filter row at the district's screens (1366×768): every filter shows its whole
text — no select cut to "全"."""

from __future__ import annotations

import re

import pytest

from anxin.cases.models import Case
from anxin.cases.tests.factories import open_case
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The width a select needs for its chosen option: the text, its padding and the arrow.
CLIPPED = """() => [...document.querySelectorAll('#case-filters select')].filter(s => {
  const style = getComputedStyle(s);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = ctx.measureText(s.options[s.selectedIndex].text).width;
  return text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) > s.clientWidth + 1;
}).map(s => s.name)"""


def test_the_case_filters_are_readable_at_1366(live_server, page, shot, world, office):
    open_case(world.luoxi_factory, actor=office)
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    shot("case-list-filters")
    assert page.evaluate(CLIPPED) == []
    # The longest lead unit's name, chosen, is shown whole too.
    longest = page.evaluate(
        "() => [...document.querySelector('select[name=lead]').options]"
        ".reduce((a, o) => (o.text.length > a.text.length ? o : a)).value"
    )
    page.select_option("select[name=lead]", value=longest)
    page.wait_for_load_state("networkidle")
    shot("case-list-filters-lead")
    assert page.evaluate(CLIPPED) == []


def test_co_units_are_ticked_by_name_on_the_open_form(live_server, page, shot, world, office):
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/new/?enterprise={world.luoxi_factory.uscc}")
    page.fill("textarea[name=summary]", "拖欠 8 名工人 2 个月工资")
    page.get_by_label("区司法局").check()
    shot("case-new-co-units")
    page.get_by_test_id("case-open").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    # The box the label names is the one sent: the case has 区司法局, and only it, as co-unit.
    case = Case.objects.get(enterprise=world.luoxi_factory)
    assert [u.code for u in case.co_units.all()] == ["justice"]
    co_units = page.locator(".datagrid-item", has=page.locator(".datagrid-title", has_text="协办单位"))
    assert co_units.locator(".datagrid-content").inner_text().strip() == "司法局"
