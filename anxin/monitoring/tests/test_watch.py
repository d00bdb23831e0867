"""The watch list: proposed by the scan, confirmed by the office or town, followed up at the
level's frequency, overdue follow-ups flagged, a prevention plan, exit with a reason."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from anxin.core.audit import history_for
from anxin.core.errors import DomainError
from anxin.monitoring import scan, watch
from anxin.monitoring.models import RiskAssessment, WatchEntry, WatchStatus
from anxin.monitoring.tests.factories import observe
from anxin.notify.models import Notification
from anxin.org.models import Unit
from anxin.registry.tests.factories import enterprise

D = datetime.date


@pytest.fixture
def proposed(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    return WatchEntry.objects.get(enterprise=world.luoxi_factory)


def test_orange_and_red_enterprises_are_proposed_once(proposed, world):
    assert proposed.status == WatchStatus.PROPOSED and proposed.level == "red"
    assert "拖欠工资 3 个月" in proposed.proposal
    scan.scan(as_of=D(2026, 11, 25))
    assert WatchEntry.objects.filter(enterprise=world.luoxi_factory).count() == 1


def test_a_yellow_enterprise_is_not_proposed(world):
    observe(world.xuejia_factory, "wage_arrears_amount", "2026-11", 100)
    scan.scan(as_of=D(2026, 11, 25))
    assert not WatchEntry.objects.filter(enterprise=world.xuejia_factory).exists()


def test_the_town_confirms_and_red_means_weekly(proposed, luoxi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    assert entry.status == WatchStatus.ACTIVE and entry.followup_days == 7
    assert entry.owner_unit.code == "gov-luoxi" and "watch.followup_days_red=7" in entry.followup_basis
    assert Notification.objects.filter(recipient=luoxi, topic="watch").exists()


def test_a_department_cannot_confirm_and_another_town_cannot_see(proposed, chengjian, xuejia):
    with pytest.raises(PermissionDenied):
        watch.watch_confirm(actor=chengjian, entry=proposed)
    assert not WatchEntry.objects.for_user(xuejia).filter(pk=proposed.pk).exists()


def test_declining_needs_a_reason(proposed, office):
    with pytest.raises(DomainError, match="理由"):
        watch.watch_decline(actor=office, entry=proposed, reason="")
    watch.watch_decline(actor=office, entry=proposed, reason="已全额支付")
    assert WatchEntry.objects.get(pk=proposed.pk).status == WatchStatus.DECLINED


def test_a_followup_sets_the_next_date(proposed, luoxi):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    visited = timezone.localdate()
    watch.followup_record(
        actor=luoxi, entry=entry, visited_on=visited, wage_status="10月工资已发一半", measures="约谈"
    )
    entry.refresh_from_db()
    assert timezone.localtime(entry.next_followup_due).date() == visited + datetime.timedelta(days=7)
    assert entry.followups.get().level == "red"
    with pytest.raises(DomainError, match="工资支付情况"):
        watch.followup_record(actor=luoxi, entry=entry, visited_on=visited, wage_status=" ")
    with pytest.raises(DomainError, match="晚于今天"):
        watch.followup_record(
            actor=luoxi, entry=entry, visited_on=visited + datetime.timedelta(days=1), wage_status="x"
        )


def test_overdue_followups_are_flagged_once_per_due_date(
    proposed, luoxi, office, django_capture_on_commit_callbacks
):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    due = entry.next_followup_due
    with django_capture_on_commit_callbacks(execute=True):
        assert watch.followups_mark_overdue(now=due - datetime.timedelta(minutes=1)) == 0
        assert watch.followups_mark_overdue(now=due + datetime.timedelta(minutes=1)) == 1
        assert watch.followups_mark_overdue(now=due + datetime.timedelta(days=2)) == 0
    assert Notification.objects.filter(recipient=office, topic="watch-overdue").count() == 1


def test_the_prevention_plan_needs_a_subject_and_measures(proposed, luoxi):
    with pytest.raises(DomainError, match="责任主体"):
        watch.plan_save(actor=luoxi, entry=proposed, subject="", team="", measures="")
    entry = watch.plan_save(
        actor=luoxi,
        entry=proposed,
        subject="罗溪镇政府",
        team="分管副镇长、劳动保障所",
        measures="每周走访；控制账册",
    )
    assert entry.plan_subject == "罗溪镇政府" and entry.plan_updated_at


@pytest.mark.parametrize(
    ("subject", "team", "measures", "named"),
    [
        ("罗溪镇政府", "", "每周走访", ["工作班子"]),
        ("", "分管副镇长", "", ["责任主体", "工作措施"]),
        ("", "", "", ["责任主体", "工作班子", "工作措施"]),
    ],
)
def test_the_prevention_plan_states_subject_team_and_measures(
    proposed, luoxi, subject, team, measures, named
):
    """§四(三): 明确责任主体、工作班子和工作措施 — each missing one is named."""
    with pytest.raises(DomainError) as refused:
        watch.plan_save(actor=luoxi, entry=proposed, subject=subject, team=team, measures=measures)
    missing = refused.value.message.split("请填写：")[1]
    assert missing.split("、") == named
    proposed.refresh_from_db()
    assert proposed.plan_updated_at is None


def test_a_refused_plan_or_follow_up_comes_back_with_what_was_typed(proposed, login, luoxi):
    client = login(luoxi)
    response = client.post(
        f"/watch/{proposed.pk}/plan/", {"subject": "罗溪镇政府", "team": "", "measures": "每周约谈企业负责人"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="plan-error"' in page and "工作班子" in page
    assert 'value="罗溪镇政府"' in page and "每周约谈企业负责人</textarea>" in page
    proposed.refresh_from_db()
    assert proposed.plan_updated_at is None  # nothing saved
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    response = client.post(
        f"/watch/{entry.pk}/followup/",
        {"visited_on": "不是日期", "wage_status": "10月工资已发一半", "next_step": "下周再访"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="followup-error"' in page
    assert "10月工资已发一半</textarea>" in page and 'value="下周再访"' in page
    assert not entry.followups.exists()


def test_declining_asks_for_confirmation_as_exit_does(proposed, login, luoxi):
    page = login(luoxi).get(f"/watch/{proposed.pk}/").content.decode()
    button = page[
        page.index('data-testid="decline-button"') - 300 : page.index('data-testid="decline-button"')
    ]
    assert "data-confirm=" in button and "红色风险" in button


def test_exit_needs_a_reason_and_red_leaves_only_by_the_office(proposed, luoxi, office):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    with pytest.raises(DomainError, match="联席办"):
        watch.watch_exit(actor=luoxi, entry=entry, reason="已好转")
    with pytest.raises(DomainError, match="理由"):
        watch.watch_exit(actor=office, entry=entry, reason="")
    watch.watch_exit(actor=office, entry=entry, reason="欠薪已清偿，连续两月正常发放")
    assert WatchEntry.objects.get(pk=entry.pk).status == WatchStatus.EXITED


def test_the_watch_pages(proposed, login, luoxi, leader):
    client = login(luoxi)
    assert client.get("/watch/").status_code == 200
    client.post(f"/watch/{proposed.pk}/confirm/")
    response = client.post(
        f"/watch/{proposed.pk}/followup/",
        {"visited_on": timezone.localdate().isoformat(), "wage_status": "已发放"},
        follow=True,
    )
    assert "已记录回访" in response.content.decode()
    assert login(leader).get(f"/watch/{proposed.pk}/").status_code == 200
    assert login(leader).post(f"/watch/{proposed.pk}/exit/", {"reason": "x"}).status_code == 403
    assert client.get("/watch/", {"export": "xlsx"}).status_code == 200


# --- the cockpit ----------------------------------------------------------------------------------


def test_the_cockpit_counts_within_scope(proposed, login, office, xuejia, luoxi):
    page = login(office).get("/cockpit/")
    assert page.status_code == 200 and page.context["levels"][0] == ("red", "红色", 1)
    assert "罗溪纺织有限公司" in page.content.decode()
    assert login(luoxi).get("/cockpit/").context["levels"][0][2] == 1
    assert login(xuejia).get("/cockpit/").context["levels"][0][2] == 0


def test_the_cockpit_lists_red_enterprises_by_points_then_name_within_scope(world, login, office, xuejia):
    for name in ("红企业B", "红企业A", "红企业C"):
        observe(enterprise(town="luoxi", name=name), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    top = RiskAssessment.objects.filter(enterprise__name="红企业C").get()
    RiskAssessment.objects.filter(pk=top.pk).update(points=top.points + 5)  # the most points first
    red = login(office).get("/cockpit/").context["red"]
    names = [a.enterprise.name for a in red]
    assert names[0] == "红企业C" and names.index("红企业A") < names.index("红企业B")
    assert red[0].findings  # the rows come whole: the page shows their red findings
    assert login(xuejia).get("/cockpit/").context["red"] == []  # 薛家 sees none of 罗溪's


def test_the_cockpit_is_refused_to_admin_roles(district, login, sysadmin):
    assert login(sysadmin).get("/cockpit/").status_code == 403


@pytest.mark.parametrize("extra", [2, 25])
def test_the_cockpit_query_count_does_not_grow(world, login, office, extra, django_assert_max_num_queries):
    for n in range(extra):
        observe(enterprise(town="luoxi", name=f"驾驶舱企业{n}"), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    client = login(office)
    # with the cases panel (三个确保): four aggregates; money's panel (owed and recovered, the quarter,
    # the funds' balance and advances out): six; the red list in two steps (order, then rows); no
    # calendar query (its banner is not shown here)
    # 32 + conference's plenary card (the interval parameter, the last plenary, its first use, the next meetings):
    # a fixed cost; the two sizes of the parametrisation show it does not grow with the watch list
    with django_assert_max_num_queries(38):
        assert client.get("/cockpit/").status_code == 200


def test_a_declined_enterprise_is_not_proposed_again_at_the_same_level(proposed, office):
    watch.watch_decline(actor=office, entry=proposed, reason="已清偿")
    scan.scan(as_of=D(2026, 11, 25))
    assert WatchEntry.objects.filter(enterprise=proposed.enterprise).count() == 1


def test_the_plan_cannot_change_after_exit(proposed, office):
    entry = watch.watch_confirm(actor=office, entry=proposed)
    watch.watch_exit(actor=office, entry=entry, reason="已清偿")
    with pytest.raises(DomainError, match="已退出"):
        watch.plan_save(actor=office, entry=entry, subject="x", team="z", measures="y")


# --- the owner unit and the exit rule -------------------------------------------------------------


def test_the_owner_is_the_town_government_or_a_unit_whose_duty_covers_the_enterprise(proposed, luoxi):
    codes = [u.code for u in watch.owner_choices(proposed)]
    assert codes[0] == "gov-luoxi"  # the default, first in the list
    assert {"hrss", "economy"} <= set(codes)  # 劳动保障监察 (all enterprises), 工业企业 line
    assert "construction" not in codes and "gov-xuejia" not in codes
    for code in ("construction", "gov-xuejia"):
        with pytest.raises(DomainError, match="负责单位须为属地镇（街道）政府"):
            watch.watch_confirm(actor=luoxi, entry=proposed, owner_unit=Unit.objects.get(code=code))
    assert WatchEntry.objects.get(pk=proposed.pk).status == WatchStatus.PROPOSED
    entry = watch.watch_confirm(actor=luoxi, entry=proposed, owner_unit=Unit.objects.get(code="economy"))
    assert entry.owner_unit.code == "economy" and entry.status == WatchStatus.ACTIVE


def test_the_owner_is_chosen_on_the_confirm_page(proposed, login, luoxi):
    client = login(luoxi)
    page = client.get(f"/watch/{proposed.pk}/").content.decode()
    assert 'name="owner_unit"' in page and 'value="gov-luoxi"' in page and 'value="construction"' not in page
    response = client.post(f"/watch/{proposed.pk}/confirm/", {"owner_unit": "construction"}, follow=True)
    assert "负责单位须为属地镇（街道）政府" in response.content.decode()
    client.post(f"/watch/{proposed.pk}/confirm/", {"owner_unit": "hrss"})
    assert WatchEntry.objects.get(pk=proposed.pk).owner_unit.code == "hrss"


def test_the_town_cannot_exit_while_the_risk_has_not_fallen(world, luoxi, office):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 1)  # orange
    scan.scan(as_of=D(2026, 11, 25))
    entry = watch.watch_confirm(actor=luoxi, entry=WatchEntry.objects.get(enterprise=world.luoxi_factory))
    assert (entry.level, watch.entry_level(entry)) == ("orange", "orange")
    with pytest.raises(DomainError, match="风险尚未下降（当前橙色，纳入时橙色），只有联席办可以决定退出"):
        watch.watch_exit(actor=luoxi, entry=entry, reason="企业承诺月底发放")
    assert WatchEntry.objects.get(pk=entry.pk).status == WatchStatus.ACTIVE
    assert not watch.may_exit(luoxi, entry) and watch.may_exit(office, entry)


def test_the_town_exits_once_the_risk_has_fallen_below_the_entry_level(proposed, luoxi):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    observe(proposed.enterprise, "wage_arrears_months", "2026-11", 0)
    scan.scan(as_of=D(2026, 11, 25))
    entry.refresh_from_db()
    assert (watch.entry_level(entry), entry.level) == ("red", "none")
    assert watch.may_exit(luoxi, entry)
    watch.watch_exit(actor=luoxi, entry=entry, reason="欠薪已清偿，连续两月正常发放")
    entry.refresh_from_db()
    assert entry.status == WatchStatus.EXITED
    assert entry.closed_reason.startswith("风险已下降（纳入时红色，当前无）")


def test_the_office_may_decide_an_exit_without_a_fall_and_it_is_recorded_as_its_decision(
    proposed, luoxi, office
):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    with pytest.raises(DomainError, match="理由"):
        watch.watch_exit(actor=office, entry=entry, reason=" ")
    watch.watch_exit(actor=office, entry=entry, reason="企业已进入破产程序，转案件办理")
    entry.refresh_from_db()
    assert entry.status == WatchStatus.EXITED
    assert entry.closed_reason.startswith("联席办决定退出（风险未下降：纳入时红色，当前红色）")
    assert entry.events.get(action="exit").note == entry.closed_reason


def test_watch_steps_are_in_the_audit_log(proposed, luoxi):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    watch.plan_save(actor=luoxi, entry=entry, subject="罗溪镇政府", team="分管副镇长", measures="每周走访")
    entries = list(history_for(entry))
    assert len(entries) == 2 and all(e.actor == luoxi for e in entries)
    confirm = entries[-1].changes_dict
    assert confirm["status"] == ["proposed", "active"] and "owner_unit" in confirm


def test_orange_is_followed_up_fortnightly_and_yellow_monthly(world, luoxi):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 1)  # 1 to 2 months: orange
    scan.scan(as_of=D(2026, 11, 25))
    entry = watch.watch_confirm(actor=luoxi, entry=WatchEntry.objects.get(enterprise=world.luoxi_factory))
    assert (entry.level, entry.followup_days) == ("orange", 14)
    assert "watch.followup_days_orange=14" in entry.followup_basis
    assert entry.next_followup_due - entry.confirmed_at == datetime.timedelta(days=14)
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 0)
    observe(world.luoxi_factory, "wage_arrears_amount", "2026-11", 50_000)  # under a month: yellow
    scan.scan(as_of=D(2026, 11, 25))
    entry.refresh_from_db()
    assert entry.level == "yellow"
    visited = timezone.localdate()
    watch.followup_record(actor=luoxi, entry=entry, visited_on=visited, wage_status="已部分支付")
    entry.refresh_from_db()
    assert entry.followup_days == 30 and "watch.followup_days_yellow=30" in entry.followup_basis
    assert timezone.localtime(entry.next_followup_due).date() == visited + datetime.timedelta(days=30)
    assert entry.followups.get().level == "yellow"


# --- the ledger ----------------------------------------------------------------------------------


def test_the_watch_ledger_filters_and_exports_the_filtered_list(proposed, world, login, office, luoxi):
    observe(world.xuejia_factory, "wage_arrears_months", "2026-11", 1)  # orange, 薛家
    scan.scan(as_of=D(2026, 11, 25))
    xuejia_entry = WatchEntry.objects.get(enterprise=world.xuejia_factory)
    watch.watch_confirm(actor=luoxi, entry=proposed)
    client = login(office)
    listed = lambda **q: {e.pk for e in client.get("/watch/", q).context["page"]}  # noqa: E731
    assert listed() == {proposed.pk, xuejia_entry.pk}  # live entries by default
    assert listed(level="orange") == {xuejia_entry.pk}
    assert listed(town="luoxi") == {proposed.pk}
    assert listed(status="active") == {proposed.pk}
    assert listed(q="薛家") == {xuejia_entry.pk}
    watch.watch_decline(actor=office, entry=xuejia_entry, reason="已清偿")
    assert listed() == {proposed.pk} and listed(status="") == {proposed.pk, xuejia_entry.pk}
    response = client.get("/watch/", {"town": "luoxi", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = "\n".join(" ".join(str(c.value) for c in row if c.value is not None) for row in sheet.iter_rows())
    assert "罗溪纺织有限公司" in text and "薛家机械有限公司" not in text and "镇/街道=罗溪镇" in text


@pytest.mark.parametrize("extra", [2, 30])
def test_the_watch_ledger_query_count_is_bounded(world, login, office, extra, django_assert_max_num_queries):
    for n in range(extra):
        observe(enterprise(town="luoxi", name=f"监控企业{n}"), "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    client = login(office)
    with django_assert_max_num_queries(14):
        page = client.get("/watch/", {"level": "red"})
    assert page.status_code == 200 and len(page.context["page"]) == min(extra, 20)
    with django_assert_max_num_queries(14):
        assert client.get("/watch/", {"export": "xlsx"}).status_code == 200
