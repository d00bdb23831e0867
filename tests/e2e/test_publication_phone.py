"""The public list of major violations on a 390 px phone (issue #17 item 3): the portal's home links
it, a search by name finds the published entry, nothing scrolls sideways, and no ID number shows."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anxin.credit.services import publication as services
from anxin.credit.tests.factories_publication import gathered, wage_case
from anxin.registry.tests.factories import EnterpriseFactory
from tests.e2e.pages import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def test_the_public_list_on_a_phone(live_server, browser, renshe):
    today = timezone.localdate()
    last = services.last_ended_period(today)
    wage_case(
        last.start + datetime.timedelta(days=3),
        renshe,
        enterprise=EnterpriseFactory(name="新北区甲建筑劳务有限公司"),
    )
    wage_case(
        last.start + datetime.timedelta(days=4),
        renshe,
        enterprise=EnterpriseFactory(name="新北区乙装饰工程有限公司"),
    )
    batch = gathered(renshe, last.start, on=today)
    for entry in batch.entries.all():
        services.entry_keep(actor=renshe, entry=entry)
    services.batch_publish(actor=renshe, batch=batch)
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/public/")
        phone.get_by_test_id("portal-link-portal-violations").click()
        expect(phone.get_by_test_id("violation")).to_have_count(2)
        phone.get_by_label("单位名称或统一社会信用代码").fill("甲建筑")
        phone.get_by_role("button", name="查询").click()
        expect(phone.get_by_test_id("violation")).to_have_count(1)
        expect(phone.get_by_test_id("violations-list")).to_contain_text("新北区甲建筑劳务有限公司")
        expect(phone.get_by_test_id("violations-list")).to_contain_text("新人社监〔2026〕7号")
        SCREENSHOTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / "violations-390.png"), full_page=True)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    finally:
        context.close()
