"""The office's circular and publicity end to end (§五(二), §四(九)), at 1366×768: 罗溪镇 records a
publicity activity with a photo; the office composes November's circular from the data, edits its
body and sends it to the office director; the director finds it on the home page, returns it with a
comment; the office edits and resubmits; the director approves; the office issues it with its 文号;
罗溪镇 finds it in the inbox and on its list, and downloads the Word document. The analysis page
shows its trend charts."""

from __future__ import annotations

import io

import pytest
import time_machine
from playwright.sync_api import expect

from anxin.org.tests.factories import PASSWORD
from anxin.reports.models import DocumentStatus, OfficeDocument, PublicityActivity
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, PASSWORD)


def _accept_next_dialog(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def test_the_circular_from_draft_to_every_units_inbox(
    live_server, page, shot, office, office_director, luoxi
):
    with time_machine.travel("2026-12-08 09:00 +0800", tick=True):
        # 罗溪镇 records a publicity activity with a photo.
        _as(page, live_server, luoxi)
        page.goto(f"{live_server.url}/reports/publicity/new/")
        form = page.get_by_test_id("publicity-form")
        form.get_by_label("活动日期").fill("2026-11-18")
        form.get_by_label("活动形式").select_option("park")
        form.get_by_label("活动名称").fill("欠薪治理进园区宣讲")
        form.get_by_label("地点").fill("罗溪镇工业集中区")
        form.get_by_label("受众人数（人）").fill("120")
        form.get_by_label("发放宣传品（份）").fill("300")
        form.locator("input[type=file]").set_input_files(
            [{"name": "现场.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.get_by_test_id("publicity-save").click()
        expect(page.get_by_test_id("publicity-photos").locator("img")).to_have_count(1)
        shot("office-publicity-activity")
        assert PublicityActivity.objects.get().photos.count() == 1

        # The office composes November's circular and edits it.
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/reports/office/")
        compose = page.get_by_test_id("office-compose")
        compose.get_by_label("文件类型").select_option("circular")
        compose.get_by_label("报告期（年-月）").fill("2026-11")
        page.get_by_test_id("office-compose-submit").click()
        expect(page.get_by_test_id("office-publicity")).to_contain_text("罗溪镇")
        body = page.get_by_test_id("office-body")
        body.get_by_label("工作要求").fill("请各成员单位于次月5日前报送定期报告。")
        page.get_by_test_id("office-save").click()
        expect(page.locator(".alert-success")).to_contain_text("已保存正文")
        shot("office-circular-draft")
        _accept_next_dialog(page)
        page.get_by_test_id("office-submit").click()
        expect(page.locator(".alert-success")).to_contain_text("已送联席办主任审核")

        # The director returns it from the home page's panel, with a comment.
        _as(page, live_server, office_director)
        panel = page.get_by_test_id("office-approval-panel")
        expect(panel).to_contain_text("情况通报")
        shot("office-director-home")
        panel.get_by_role("link", name="审核").click()
        approve = page.get_by_test_id("office-approve")
        approve.get_by_label("退回意见").fill("请在工作要求中写明逾期未报单位的补报时限")
        approve.get_by_role("button", name="退回修改").click()
        expect(page.locator(".alert-success")).to_contain_text("已退回修改")

        # The office edits and resubmits; the director approves; the office issues.
        _as(page, live_server, office)
        document = OfficeDocument.objects.get()
        page.goto(f"{live_server.url}/reports/office/{document.pk}/")
        expect(page.get_by_test_id("office-returned")).to_contain_text("补报时限")
        page.get_by_test_id("office-body").get_by_label("工作要求").fill(
            "请各成员单位于次月5日前报送定期报告；逾期未报的单位于12月15日前补报。"
        )
        page.get_by_test_id("office-save").click()
        _accept_next_dialog(page)
        page.get_by_test_id("office-submit").click()
        _as(page, live_server, office_director)
        page.goto(f"{live_server.url}/reports/office/{document.pk}/")
        _accept_next_dialog(page)
        page.get_by_test_id("office-approve").get_by_role("button", name="审核通过").click()
        expect(page.locator(".alert-success")).to_contain_text("已审核通过")
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/reports/office/{document.pk}/")
        issue = page.get_by_test_id("office-issue")
        issue.get_by_label("文号").fill("新欠薪联办〔2026〕12号")
        _accept_next_dialog(page)
        issue.get_by_role("button", name="印发").click()
        expect(page.get_by_test_id("office-issued-to")).to_contain_text("罗溪镇")
        shot("office-circular-issued")
        document.refresh_from_db()
        assert document.status == DocumentStatus.ISSUED

        # 罗溪镇 finds it in the inbox and on its list, and downloads the Word.
        _as(page, live_server, luoxi)
        page.goto(f"{live_server.url}/reports/office/")
        expect(page.get_by_test_id("office-table")).to_contain_text("新欠薪联办〔2026〕12号")
        page.get_by_test_id("office-table").get_by_role("link", name=document.title).click()
        expect(page.get_by_test_id("office-part-requirements")).to_contain_text("12月15日前补报")
        with page.expect_download() as download:
            page.get_by_test_id("office-word").click()
        assert download.value.suggested_filename.endswith(".docx")
        shot("office-circular-unit")

        # The analysis page draws its charts.
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/reports/office/")
        compose = page.get_by_test_id("office-compose")
        compose.get_by_label("文件类型").select_option("analysis")
        compose.get_by_label("报告期（年-月）").fill("2026-11")
        page.get_by_test_id("office-compose-submit").click()
        expect(page.get_by_test_id("office-charts").locator("svg").first).to_be_visible()
        shot("office-analysis-draft")
