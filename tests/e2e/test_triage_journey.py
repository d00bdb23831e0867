"""The office's triage: match an unknown employer and merge a duplicate in place (HTMX), and a
department officer finds the signal in "我的待核实"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anxin.intake.models import Signal
from anxin.intake.tests.factories import signal
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_office_matches_and_merges_in_place_then_the_department_sees_its_pending_list(
    live_server, page, shot, world, office, chengjian
):
    unknown = signal(
        employer_name="罗溪某建设队", town=world.luoxi_builder.town, summary="班组长反映工资未结"
    )
    first = signal(enterprise=world.xuejia_factory, summary="12333：工人反映欠薪")
    twin = signal(enterprise=world.xuejia_factory, channel_code="petition", summary="信访：同一批工人")

    sign_in(page, live_server, office.username, PASSWORD)
    expect(page.get_by_test_id("triage-total")).to_contain_text("待分拣 2 条")
    nav(page, "intake", "线索分拣")
    row = page.locator(f"#triage-{unknown.pk}")
    row.get_by_label("统一社会信用代码").fill(world.luoxi_builder.uscc)
    row.get_by_role("button", name="关联企业").click()
    expect(page.locator(f"#triage-{unknown.pk}")).to_contain_text("已处理")
    expect(page.locator(f"#triage-{unknown.pk}")).to_contain_text("城建局")
    shot("office-triage-matched")

    page.get_by_role("link", name="疑似重复").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#triage-{twin.pk}").get_by_role("button", name="合并").click()
    expect(page.locator(f"#triage-{twin.pk}")).to_contain_text("已处理")
    assert Signal.objects.get(pk=twin.pk).merged_into_id == first.pk
    shot("office-triage-merged")

    # The construction bureau now has the matched signal waiting for it.
    page.context.clear_cookies()
    sign_in(page, live_server, chengjian.username, PASSWORD)
    page.get_by_test_id("signals-mine").click()
    table = page.get_by_test_id("signal-table")
    expect(table).to_contain_text("罗溪建设工程有限公司")
    expect(table).not_to_contain_text("薛家机械有限公司")
    shot("department-my-pending")
