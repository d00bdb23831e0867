"""Issue #14 item 12, the smaller things, in a real browser at 1366×768: badges readable (contrast
≥ 4.5:1), the signals ledger's 核实期限 column on screen, radio buttons beside their labels, the
login page's link to the portal, triage keeping a code that was not found and finding enterprises
by name, a suspected duplicate shown with both sides, the office's own 我的待办."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anxin.cases import actions
from anxin.cases.tests.factories import open_case
from anxin.intake.models import Signal
from anxin.intake.tests.factories import signal
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# WCAG 2 contrast of each badge's text on its (alpha-composited) background. Colours go through a
# canvas, so whatever syntax the browser computes (oklch, color-mix) comes out as sRGB.
CONTRAST = """(selector) => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, bottom) => top.slice(0, 3).map((v, i) => v * top[3] + bottom[i] * (1 - top[3]));
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] === 1) break; } }
    return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255]);
  };
  const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  return [...document.querySelectorAll(selector)].filter(b => b.textContent.trim()).map(b => {
    const bg = background(b); const fg = over(rgba(getComputedStyle(b).color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return [b.textContent.trim(), b.className, Math.round((l1 + 0.05) / (l2 + 0.05) * 100) / 100];
  });
}"""


def _overdue(s: Signal) -> Signal:
    Signal.objects.filter(pk=s.pk).update(due_at=timezone.now() - datetime.timedelta(days=2))
    return s


def test_badges_are_readable(live_server, page, shot, world, office):
    _overdue(signal(enterprise=world.luoxi_factory, summary="工人反映两个月工资未发"))
    signal(employer_name="罗溪某建设队", town=world.luoxi_builder.town)  # 待匹配 (yellow)
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/")
    badge = page.get_by_test_id("overdue-badge").first
    expect(badge).to_have_text("核实逾期")
    shot("badge-overdue-signals")
    [(_text, _css, ratio)] = page.evaluate(CONTRAST, "[data-testid=overdue-badge]")
    assert ratio >= 4.5
    # Every badge on the page, light and solid alike.
    low = [b for b in page.evaluate(CONTRAST, ".badge") if b[2] < 4.5]
    assert low == []
    # And on the alerts, the triage and the case ledger (solid 逾期, risk levels, stage badges).
    open_case(world.xuejia_factory, actor=office)
    for path in ("/alerts/", "/signals/triage/?queue=overdue", "/cases/"):
        page.goto(f"{live_server.url}{path}")
        assert [b for b in page.evaluate(CONTRAST, ".badge") if b[2] < 4.5] == [], path


def test_the_signals_deadline_column_is_on_screen_at_1366(live_server, page, shot, world, leader):
    long_summary = "分包单位反映总包拖欠工程进度款，班组工资无法发放，二十余名工人在项目部门口聚集讨薪"
    for firm, channel in (
        (world.luoxi_builder, "arbitration"),  # 劳动人事争议仲裁: the longest channel name
        (world.xuejia_dispatch, "agriculture-water"),
        (world.menghe_water, "hotline-12333"),
    ):
        _overdue(
            signal(enterprise=firm, channel_code=channel, kind="project_settlement", summary=long_summary)
        )
    sign_in(page, live_server, leader.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/?overdue=on")
    cells = page.get_by_test_id("signal-due")
    expect(cells.first).to_be_visible()
    shot("signals-deadline-1366")
    width = page.evaluate("() => window.innerWidth")
    for i in range(cells.count()):
        cell = cells.nth(i)
        clipped = cell.evaluate("c => c.scrollWidth > c.clientWidth")
        box = cell.bounding_box()
        assert not clipped and box["x"] + box["width"] <= width, cell.inner_text()
        assert cell.inner_text().strip()
    # No horizontal scrolling needed to read it: the table fits its scroll box.
    wrapper = page.get_by_test_id("signal-table").locator("xpath=..")
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth")
    header = page.get_by_test_id("signal-table").locator("th", has_text="核实期限")
    hbox = header.bounding_box()
    assert hbox["x"] + hbox["width"] <= wrapper.bounding_box()["x"] + wrapper.bounding_box()["width"] + 1


def test_radio_buttons_sit_beside_their_labels(live_server, page, shot, world, renshe):
    s = signal(enterprise=world.luoxi_factory, summary="工人反映工资未发")
    sign_in(page, live_server, renshe.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/{s.pk}/")
    radios = page.locator("input[type=radio][name=result]")
    expect(radios.first).to_be_visible()
    radios.first.scroll_into_view_if_needed()
    shot("radio-verify")
    assert radios.count() == 3
    for i in range(radios.count()):
        radio = radios.nth(i)
        label = radio.locator("xpath=ancestor::label[1]").locator(".form-check-label")
        r, t = radio.bounding_box(), label.bounding_box()
        # On the same line: the two boxes overlap vertically, the label to the right of the box.
        assert r["y"] < t["y"] + t["height"] and t["y"] < r["y"] + r["height"], label.inner_text()
        assert t["x"] >= r["x"] + r["width"] - 1
    # Clicking the label picks its radio.
    page.get_by_text("部分属实", exact=True).click()
    expect(page.get_by_label("部分属实")).to_be_checked()


def test_the_login_page_leads_a_worker_to_the_portal(live_server, page, shot, district):
    page.goto(f"{live_server.url}/login/")
    link = page.get_by_role("link", name="群众反映欠薪问题请点此")
    expect(link).to_be_visible()
    shot("login-portal-link")
    link.click()
    page.wait_for_url(f"{live_server.url}/public/")


def test_triage_keeps_a_code_not_found_and_finds_by_name(live_server, page, shot, world, office):
    s = signal(employer_name="罗溪建设", town=world.luoxi_builder.town, summary="班组长反映工资未结")
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/triage/")
    row = page.locator(f"#triage-{s.pk}")
    row.get_by_label("统一社会信用代码").fill("91320411MA1XXXXXX0")
    row.get_by_role("button", name="关联企业").click()
    expect(page.locator(f"#triage-{s.pk}")).to_contain_text("未找到")
    expect(page.locator(f"#triage-{s.pk}").get_by_label("统一社会信用代码")).to_have_value(
        "91320411MA1XXXXXX0"
    )
    shot("triage-not-found-kept")
    # By name: the box holds the name the signal gave; part of it finds the registered firm.
    row = page.locator(f"#triage-{s.pk}")
    expect(row.get_by_label("企业名称")).to_have_value("罗溪建设")
    row.get_by_role("button", name="按名称查找").click()
    found = row.get_by_test_id("triage-found")
    expect(found).to_contain_text("罗溪建设工程有限公司")
    shot("triage-find-by-name")
    found.get_by_role("button", name="关联到罗溪建设工程有限公司").click()
    expect(page.locator(f"#triage-{s.pk}")).to_contain_text("已处理")
    assert Signal.objects.get(pk=s.pk).enterprise_id == world.luoxi_builder.pk


def test_a_suspected_duplicate_shows_both_sides(live_server, page, shot, world, office):
    signal(enterprise=world.xuejia_factory, summary="12333：工人反映欠薪", workers=12)
    twin = signal(enterprise=world.xuejia_factory, channel_code="petition", summary="信访：同一批工人")
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/triage/?queue=duplicates")
    pair = page.locator(f"#triage-{twin.pk}").get_by_test_id("duplicate-pair")
    expect(pair).to_contain_text("12333：工人反映欠薪")
    expect(pair).to_contain_text("信访：同一批工人")
    shot("triage-duplicate-pair")


def test_the_offices_todo_is_its_own_and_the_overview_is_apart(live_server, page, shot, world, office, luoxi):
    case = open_case(world.luoxi_factory, actor=office)
    actions.action_request(actor=luoxi, case=case, kind="mediation")
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/todo/")
    expect(page.get_by_test_id("todo-actions")).to_contain_text("没有待办理的措施")
    shot("todo-office-own")
    page.get_by_test_id("todo-overview").click()
    expect(page.get_by_test_id("todo-actions")).to_contain_text("调解")
    shot("todo-office-overview")


def test_a_town_user_filters_by_its_own_town_only(live_server, page, shot, world, luoxi):
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(f"{live_server.url}/signals/")
    options = page.locator("select[name=town] option").all_inner_texts()
    assert options == ["全部镇/街道", "罗溪镇"]
    shot("town-filter-own-town")
