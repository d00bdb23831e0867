"""The joint conference at work end to end (§二, §五(二)), at 1366×768, on Thursday 3 December:
the office schedules the fourth quarter's plenary for today, chaired by the convener, with every
member unit invited; it prepares the plenary pack (the period's figures, overdue items by unit); it
records the attendance and that the meeting was held, drafts the minutes with a decision for 城建局
and sends them to the convener; the leader finds them on the home page and signs them; the office
issues them under a 文号; 城建局 finds the decision in 我的待办 and reports it complete with its
result; the office accepts it. 罗溪镇 prepares its November report — the figures written by Anxin,
the narrative by the town — and submits it before the due day; the office sees it in the inbox;
and the office issues November's circular after the office director approves it. Every member
unit receives the circular in its inbox."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import expect

from anxin.conference.models import Decision, DecisionStatus, Meeting, MeetingStatus, Minutes, MinutesStatus
from anxin.notify.models import Notification
from anxin.org.tests.factories import PASSWORD
from anxin.reports.models import DocumentStatus, OfficeDocument, PeriodicReport, ReportStatus
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, PASSWORD)


def test_a_plenary_from_scheduling_to_a_completed_decision_a_town_report_and_the_circular(
    live_server, page, shot, world, office, convener, office_director, chengjian, luoxi
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())  # every confirmation on the way is answered 确定
    with time_machine.travel("2026-12-03 09:00 +0800", tick=True):
        # The office schedules the plenary, chaired by the convener; no units ticked: every member unit.
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/conference/meetings/")
        page.get_by_test_id("meeting-new").click()
        form = page.get_by_test_id("meeting-form")
        form.get_by_label("会议类型").select_option("plenary")
        form.get_by_label("会议日期").fill("2026-12-03")
        form.get_by_label("地点").fill("区政府第一会议室")
        form.get_by_label("主持人").select_option(label=f"{convener.display_name}（联席会议召集人）")
        form.get_by_label("研判欠薪形势").check()
        form.get_by_label("督查议定事项落实").check()
        page.get_by_test_id("meeting-save").click()
        expect(page.locator(".page-title")).to_contain_text("2026年第四季度联席会议全体会议")
        expect(page.get_by_test_id("meeting-basic")).to_contain_text("联席会议召集人")
        meeting = Meeting.objects.get()
        assert meeting.units.count() >= 20  # every member department and town

        # The plenary pack: the quarter's figures and the overdue items by unit.
        page.get_by_test_id("pack-prepare").click()  # prepared, it opens
        expect(page.get_by_test_id("pack-period")).to_be_visible()
        expect(page.locator("body")).to_contain_text("一、本期主要数据")
        expect(page.locator("body")).to_contain_text("二、逾期事项（分单位）")
        shot("conference-pack")

        # Attendance of every invited unit, then the meeting is recorded as held.
        page.goto(f"{live_server.url}/conference/meetings/{meeting.pk}/")
        attendance = page.get_by_test_id("attendance-form")
        for select in attendance.locator("select").all():
            select.select_option("yes")
        for box in attendance.locator("input[name^=attendees_]").all():
            box.fill("分管负责同志")
        page.get_by_test_id("attendance-save").click()
        expect(page.locator(".alert-success")).to_be_visible()
        assert not meeting.units.filter(attended__isnull=True).exists()
        page.get_by_test_id("meeting-hold-submit").click()
        expect(page.get_by_test_id("meeting-status")).to_contain_text("已召开")
        assert Meeting.objects.get().status == MeetingStatus.HELD

        # The minutes with one decision for 城建局, sent to the convener.
        page.get_by_test_id("minutes-edit").click()
        form = page.get_by_test_id("minutes-form")
        form.get_by_label("纪要正文").fill(
            "会议听取了区联席办关于第四季度欠薪形势的汇报，研究部署了岁末年初治欠保支工作。"
        )
        row = page.get_by_test_id("decision-row").first
        row.get_by_label("议定事项").fill("在建工程项目工资专用账户全面排查")
        row.get_by_label("工作要求（须达成的结果）").fill(
            "12月20日前完成全区在建项目工资专用账户排查并报送清单"
        )
        row.get_by_label("牵头单位").select_option(label="区城建局")
        row.get_by_label("完成时限").fill("2026-12-20")
        page.get_by_test_id("minutes-save").click()
        expect(page.get_by_test_id("minutes-text")).to_contain_text("岁末年初治欠保支")
        page.get_by_test_id("minutes-submit").click()
        expect(page.get_by_test_id("minutes-block")).to_contain_text("待召集人审签")

        # The leader (convener) signs from the home page.
        _as(page, live_server, convener)
        panel = page.get_by_test_id("home-minutes-sign")
        expect(panel).to_contain_text("2026年第四季度联席会议全体会议")
        shot("conference-leader-home")
        panel.get_by_role("link").first.click()
        page.get_by_test_id("minutes-sign").click()
        expect(page.get_by_test_id("minutes-signed")).to_contain_text(convener.display_name)

        # The office issues the signed minutes under a 文号.
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/conference/meetings/{meeting.pk}/")
        issue = page.get_by_test_id("minutes-issue-form")
        issue.get_by_label("纪要文号").fill("新欠薪联办纪〔2026〕4号")
        page.get_by_test_id("minutes-issue").click()
        expect(page.get_by_test_id("minutes-reference")).to_contain_text("新欠薪联办纪〔2026〕4号")
        shot("conference-minutes-issued")
        assert Minutes.objects.get().status == MinutesStatus.ISSUED

        # 城建局 finds the decision in 我的待办 and reports it complete.
        _as(page, live_server, chengjian)
        page.goto(f"{live_server.url}/cases/todo/")
        todo = page.get_by_test_id("todo-decisions")
        expect(todo).to_contain_text("在建工程项目工资专用账户全面排查")
        shot("conference-chengjian-todo")
        todo.get_by_role("link", name="报告进展/完成").first.click()
        complete = page.get_by_test_id("decision-complete-form")
        complete.get_by_label("完成情况").fill("已完成全区 46 个在建项目工资专用账户排查，清单已报联席办。")
        complete.get_by_role("button", name="报告完成").click()
        expect(page.get_by_test_id("decision-status")).to_contain_text("已报完成待验收")

        # The office accepts it.
        _as(page, live_server, office)
        decision = Decision.objects.get()
        page.goto(f"{live_server.url}/conference/decisions/{decision.pk}/")
        page.get_by_test_id("decision-accept-forms").get_by_role("button", name="验收办结").click()
        expect(page.get_by_test_id("decision-status")).to_contain_text("已验收办结")
        shot("conference-decision-done")
        assert Decision.objects.get().status == DecisionStatus.DONE

        # 罗溪镇 prepares and submits its November report before the due day (5 December).
        _as(page, live_server, luoxi)
        page.goto(f"{live_server.url}/reports/periodic/mine/")
        page.get_by_test_id("draft-2026-11").click()
        expect(page.get_by_test_id("report-figures")).to_contain_text("收到欠薪线索")
        form = page.get_by_test_id("report-form")
        form.get_by_label("风险研判").fill("辖区建筑工地岁末结算集中，存在拖欠风险。")
        form.get_by_label("主要做法").fill("逐个走访在建工地，核对工资专用账户。")
        form.get_by_label("存在问题").fill("个别分包单位用工台账不全。")
        form.get_by_label("下步打算").fill("春节前完成全部在建项目工资支付核查。")
        page.get_by_test_id("report-save").click()
        shot("reports-town-draft")
        page.get_by_test_id("report-submit").click()
        expect(page.get_by_test_id("report-status")).to_contain_text("已报送")
        assert PeriodicReport.objects.get(unit=luoxi.unit).status == ReportStatus.SUBMITTED

        # The office sees it in the period's inbox.
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/reports/periodic/?period=2026-11")
        expect(page.get_by_test_id("inbox-table")).to_contain_text("罗溪镇")
        expect(page.get_by_test_id("inbox-table")).to_contain_text("按时报送")
        shot("reports-office-inbox")

        # November's circular: composed, approved by the office director, issued.
        page.goto(f"{live_server.url}/reports/office/")
        compose = page.get_by_test_id("office-compose")
        compose.get_by_label("文件类型").select_option("circular")
        compose.get_by_label("报告期（年-月）").fill("2026-11")
        page.get_by_test_id("office-compose-submit").click()
        expect(page.get_by_test_id("office-submissions")).to_contain_text("罗溪镇")
        page.get_by_test_id("office-submit").click()
        document = OfficeDocument.objects.get()
        _as(page, live_server, office_director)
        page.goto(f"{live_server.url}/reports/office/{document.pk}/")
        page.get_by_test_id("office-approve").get_by_role("button", name="审核通过").click()
        expect(page.locator(".alert-success")).to_contain_text("已审核通过")
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/reports/office/{document.pk}/")
        page.get_by_test_id("office-issue").get_by_label("文号").fill("新欠薪联办〔2026〕13号")
        page.get_by_test_id("office-issue").get_by_role("button", name="印发").click()
        expect(page.get_by_test_id("office-issued-to")).to_contain_text("区城建局")
        shot("reports-circular-issued")
        assert OfficeDocument.objects.get().status == DocumentStatus.ISSUED
        assert Notification.objects.filter(
            recipient=chengjian, subject__contains="新欠薪联办〔2026〕13号"
        ).exists()
        assert Notification.objects.filter(
            recipient=luoxi, subject__contains="新欠薪联办〔2026〕13号"
        ).exists()
