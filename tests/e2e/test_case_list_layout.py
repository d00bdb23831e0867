"""The case ledger's filter row at the district's screens (1366×768): every filter shows its whole
text — no select cut to "全"."""

from __future__ import annotations

import pytest

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
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_label("区司法局").check()
    shot("case-new-co-units")
    assert page.get_by_label("区司法局").is_checked()
