"""Screens at the office's 1366×768: buttons hold their labels, town names stay whole, the audit
log stays readable."""

from __future__ import annotations

import pytest

from anxin.intake.tests.factories import signal
from anxin.org.models import Town
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OVERFLOWS = "el => el.scrollWidth > el.clientWidth + 1"
LINES = (  # how many lines the element's text occupies
    "el => { const r = document.createRange(); r.selectNodeContents(el);"
    " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size }"
)


def test_triage_buttons_hold_their_labels_and_town_names_do_not_break(live_server, page, shot, world, office):
    longhutang = Town.objects.get(code="longhutang")
    for n in range(3):
        signal(
            employer_name=f"常州市新北区龙虎塘某某建筑劳务有限公司第{n}项目部（新北区龙虎塘街道某某花园三期）",
            employer_uscc="91320411MA1Y2K3L44",
            town=longhutang,
            summary="班组长反映工资未结，涉及多名农民工，已多次催讨未果，请尽快核实处理" * 2,
        )
    signal(enterprise=world.luoxi_factory, summary="工人反映工资未发" * 10, workers=1200, amount=123456789000)

    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/triage/")
    shot("intake-triage-1366")
    register = page.get_by_role("link", name="登记新企业并关联").first
    assert not register.evaluate(OVERFLOWS), "the label runs outside its button"

    page.goto(f"{live_server.url}/signals/")
    shot("intake-signal-list-1366")
    towns = page.get_by_test_id("signal-town").filter(has_text="龙虎塘街道")
    assert towns.count() == 3
    for i in range(towns.count()):
        assert towns.nth(i).evaluate(LINES) == 1, "a town name breaks across lines"


def test_the_audit_log_keeps_the_object_column_readable(live_server, page, shot, world, auditor):
    for n in range(3):
        signal(
            enterprise=world.luoxi_factory, summary=f"第{n}次反映：" + "工人反映工资未发，老板避而不见" * 20
        )
    sign_in(page, live_server, auditor.username, PASSWORD)
    page.goto(f"{live_server.url}/security/audit/")
    shot("audit-log-1366")
    objects = page.locator("[data-testid=audit-row] td:nth-child(4)")
    assert objects.count() > 3
    for i in range(objects.count()):
        assert objects.nth(i).bounding_box()["width"] >= 150, "the object column is squeezed"
    assert page.evaluate("document.documentElement.scrollHeight") < 6000
