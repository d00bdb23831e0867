"""The year's assessment end to end (§五(三)), at 1366×768.

On 20 November 2026 罗溪镇 opens its home page and sees its provisional score, and on its score page
the late verification (one working day late) that cost it points. The office looks at the scoreboard,
draws a spot check with a seed, starts it, records a problem at the item drawn, and issues the
circular to every member unit with its copy to 区委组织部. A mass incident at an enterprise in 罗溪镇:
the office traces it back (the town's late verification shows as missed), saves the trace, records a
finding against 罗溪镇 proposing the one-vote veto, and confirms the veto with a reason; 罗溪镇's
grade is the lowest whatever its points. On 5 January 2027 the office opens the finalisation; after
the objection period it locks the year and downloads the ranking (Excel)."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from anxin.assessment.models import (
    AssessmentYear,
    CircularRecipient,
    Finding,
    Score,
    SpotCheck,
    SpotCheckStatus,
    Trace,
    VetoProposal,
    VetoStatus,
    YearStatus,
)
from anxin.assessment.services import scoring
from anxin.assessment.tests.factories_traces import at, incident_case, verified_signal
from anxin.org.tests.factories import PASSWORD
from anxin.registry.tests.factories import EnterpriseFactory
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, PASSWORD)


def test_a_town_sees_its_score_the_office_checks_traces_vetoes_and_locks_the_year(
    live_server, page, shot, world, office, luoxi, renshe, leader
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())  # every confirmation on the way is answered 确定
    with time_machine.travel("2026-11-20 09:00 +0800", tick=True):
        enterprise = EnterpriseFactory(town="luoxi", name="罗溪精密机械有限公司")
        # 罗溪镇's own signal: due Monday 2 November 18:00, verified Tuesday 3 November (one working day late)
        late = verified_signal(
            enterprise, unit_code="gov-luoxi", received=at(2026, 10, 27), due=at(2026, 11, 2, 18),
            verified=at(2026, 11, 3, 18),
        )  # fmt: skip
        case = incident_case(enterprise=enterprise, when=at(2026, 11, 16), people=80)
        scoring.refresh_provisional(now=timezone.now())  # what tick does each day

        # 罗溪镇: its provisional score on the home page, and the late verification behind the points.
        _as(page, live_server, luoxi)
        panel = page.get_by_test_id("home-assessment")
        expect(panel).to_be_visible()
        expect(page.get_by_test_id("home-assessment-total")).to_be_visible()
        page.goto(f"{live_server.url}/assessment/my-score/")
        expect(page.get_by_test_id("score-status")).to_contain_text("预评")
        line = page.get_by_test_id("line-signals")
        mine = line.get_by_test_id("record-missed").filter(has_text="2026-11-02 18:00")
        expect(mine).to_contain_text(f"线索 {late.reference}")
        expect(mine).to_contain_text("逾期 1 个工作日")
        expect(line).to_contain_text("signal.verify_working_days")
        own = Score.objects.get(year=2026, unit__code="gov-luoxi")
        assert (
            own.items.get(indicator__measure="signals_verified_on_time").points
            < own.items.get(indicator__measure="signals_verified_on_time").indicator.points
        )
        shot("assessment-town-score")
        # another town's score is not shown to 罗溪镇
        other = Score.objects.get(year=2026, unit__code="gov-xuejia")
        assert page.goto(f"{live_server.url}/assessment/scores/{other.pk}/").status == 404

        # The office: the scoreboard with the chart.
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/assessment/scores/?year=2026&group=town")
        expect(page.get_by_test_id("board-gov-luoxi")).to_be_visible()
        expect(page.get_by_test_id("board-chart")).to_be_visible()
        shot("assessment-scoreboard")

        # A spot check of one town drawn with a seed, started, a problem recorded, the circular issued.
        page.goto(f"{live_server.url}/assessment/spot-checks/new/")
        form = page.get_by_test_id("spotcheck-draw-form")
        form.get_by_label("抽查名称").fill("2026年第四季度保障工资支付工作抽查")
        form.get_by_label("随机种子").fill("20261120")
        form.get_by_label("抽取单位数").fill("1")
        form.get_by_label("罗溪镇", exact=False).first.check()
        form.get_by_label("每单位抽取企业（项目）数").fill("1")
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("spotcheck-status")).to_contain_text("已抽取")
        spot = SpotCheck.objects.get()
        assert spot.drawn == ["gov-luoxi"] and spot.seed == "20261120"
        page.get_by_test_id("spotcheck-verify").click()
        expect(page.get_by_test_id("spotcheck-verify-result")).to_contain_text("得到相同的单位和检查对象")
        page.goto(f"{live_server.url}/assessment/spot-checks/{spot.pk}/")
        unit_card = page.get_by_test_id("spotcheck-unit-gov-luoxi")
        unit_card.get_by_label("检查人员").select_option(label=renshe.display_name)
        unit_card.get_by_role("button", name="指定检查人员").click()
        page.get_by_test_id("spotcheck-start").click()
        expect(page.get_by_test_id("spotcheck-status")).to_contain_text("检查中")
        unit_card = page.get_by_test_id("spotcheck-unit-gov-luoxi")
        unit_card.locator("details summary").first.click()
        unit_card.get_by_label("检查结果").first.select_option("problem")
        unit_card.get_by_label("检查发现").first.fill("工资支付台账缺失，10月工资未按时足额支付")
        unit_card.get_by_role("button", name="保存检查结果").first.click()
        expect(page.get_by_test_id("spotcheck-unit-gov-luoxi")).to_contain_text("发现问题")
        circular = page.get_by_test_id("spotcheck-circulate-form")
        expect(circular.get_by_label("通报正文")).to_have_value(re.compile("工资支付台账缺失"))
        circular.locator("button[type=submit]").click()
        expect(page.get_by_test_id("spotcheck-status")).to_contain_text("已通报")
        expect(page.get_by_test_id("spotcheck-recipients")).to_contain_text("区委组织部")
        shot("assessment-spotcheck")
        assert SpotCheck.objects.get().status == SpotCheckStatus.CIRCULATED
        assert CircularRecipient.objects.filter(
            unit__isnull=True, copy=True, name__contains="组织部"
        ).exists()
        with page.expect_download() as download:
            page.get_by_test_id("spotcheck-circular-word").click()
        assert download.value.suggested_filename.endswith(".docx")

        # The mass incident traced back: 罗溪镇's late verification shows as missed.
        page.goto(f"{live_server.url}/assessment/cases/{case.pk}/trace/")
        expect(page.locator("body")).to_contain_text("罗溪镇人民政府")
        expect(page.locator("body")).to_contain_text("未按时")
        shot("assessment-trace")
        page.get_by_test_id("trace-save").locator("button[type=submit]").click()
        trace = Trace.objects.get()
        assert "gov-luoxi" in trace.missed
        finding_form = page.get_by_test_id("finding-form")
        finding_form.get_by_label("责任单位").select_option(label="罗溪镇人民政府")
        finding_form.get_by_label("认定的问题").fill(
            "罗溪镇对该企业欠薪线索核实逾期，事发前未采取措施，导致80人聚集"
        )
        finding_form.get_by_label("建议扣分").fill("2")
        finding_form.get_by_label("同时建议一票否决").select_option(index=1)
        finding_form.locator("button[type=submit]").click()
        finding = Finding.objects.get(trace=trace)
        assert finding.unit.code == "gov-luoxi"
        shot("assessment-finding")
        proposal = VetoProposal.objects.get(finding=finding)
        page.goto(f"{live_server.url}/assessment/vetoes/{proposal.pk}/")
        page.get_by_test_id("veto-decide").get_by_label("理由").fill(
            "经联席办会议研究，事发前线索核实逾期属实"
        )
        page.get_by_test_id("veto-confirm").click()
        expect(page.locator("body")).to_contain_text("已确认否决")
        expect(page.get_by_test_id("veto-evidence")).to_contain_text("罗溪镇人民政府")  # names, not codes
        expect(page.get_by_test_id("veto-evidence")).not_to_contain_text("gov-luoxi")
        shot("assessment-veto")
        assert VetoProposal.objects.get(pk=proposal.pk).status == VetoStatus.CONFIRMED
        vetoed = Score.objects.get(year=2026, unit__code="gov-luoxi")
        assert vetoed.vetoed and vetoed.grade == "不合格"

    # The new year: the office opens the finalisation of 2026, then locks it after the objection period.
    with time_machine.travel("2027-01-05 09:00 +0800", tick=True):
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/assessment/years/2026/")
        page.get_by_test_id("year-finalise").locator("button[type=submit]").click()
        expect(page.get_by_test_id("year-status")).to_contain_text("异议期")
        state = AssessmentYear.objects.get(year=2026)
        assert state.status == YearStatus.OBJECTION and state.objection_until > datetime.date(2027, 1, 5)
        until = state.objection_until
    with time_machine.travel(f"{until + datetime.timedelta(days=1)} 09:00 +0800", tick=True):
        _as(page, live_server, office)
        page.goto(f"{live_server.url}/assessment/years/2026/")
        page.get_by_test_id("year-lock").locator("button[type=submit]").click()
        expect(page.get_by_test_id("year-status")).to_contain_text("已锁定")
        page.get_by_test_id("year-ranking").click()
        ranking = page.get_by_test_id("ranking-town")
        expect(ranking).to_contain_text("罗溪镇")
        shot("assessment-ranking")
        with page.expect_download() as download:
            page.get_by_test_id("ranking-export").click()
        book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert "罗溪镇" in text and "不合格" in text
    locked = Score.objects.get(year=2026, unit__code="gov-luoxi")
    assert locked.status == "locked" and locked.rank is not None and locked.grade == "不合格"
