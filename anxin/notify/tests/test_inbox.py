"""The inbox (issue 14, item 12): 28 notices of one kind no longer bury two of another — notices are
grouped by kind and enterprise (collapsed, with a count, the newest group first), filtered by kind;
pagination, opening and marking read keep working, in a bounded number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anxin.notify.models import Notification
from anxin.notify.services import notification_mark_read


def _notice(user, topic, about, subject, *, minutes_ago=0, read=False):
    notice = Notification.objects.create(
        recipient=user, topic=topic, about=about, subject=subject, url="/reports/", read_at=None
    )
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=notice.pk).update(created_at=at, read_at=at if read else None)
    return notice


@pytest.fixture
def crowded(luoxi):
    """28 overdue-signal notices about one enterprise (older), then two alerts about another."""
    for i in range(28):
        _notice(luoxi, "signal-overdue", "罗溪纺织有限公司", f"线索核实逾期 #{i}", minutes_ago=100 + i)
    _notice(luoxi, "alert", "薛家机械有限公司", "红色预警：薛家机械有限公司", minutes_ago=5)
    _notice(luoxi, "alert", "薛家机械有限公司", "橙色预警：薛家机械有限公司", minutes_ago=6)
    return luoxi


def test_the_two_alerts_are_not_buried_under_28_of_another_kind(crowded, login):
    response = login(crowded).get("/inbox/")
    groups = response.context["groups"]
    assert [(g["topic"], g["about"], g["n"]) for g in groups] == [
        ("alert", "薛家机械有限公司", 2),
        ("signal-overdue", "罗溪纺织有限公司", 28),
    ]
    content = response.content.decode()
    assert content.count('data-testid="inbox-group"') == 2
    assert "28 条" in content and "查看本组全部 28 条" in content
    # A closed group lists only its newest few: the page is not 30 rows long.
    assert content.count('data-testid="inbox-notice"') == 2 + 5


def test_a_group_of_one_is_a_plain_notice(luoxi, login):
    _notice(luoxi, "special-report", "罗溪纺织有限公司", "专题报告：关于罗溪纺织的专题报告")
    content = login(luoxi).get("/inbox/").content.decode()
    assert 'data-testid="inbox-group"' not in content
    assert content.count('data-testid="inbox-notice"') == 1 and "专题报告" in content


def test_the_inbox_filters_by_kind_and_lists_each_kind_with_its_count(crowded, login):
    response = login(crowded).get("/inbox/?kind=alert")
    assert [g["topic"] for g in response.context["groups"]] == ["alert"]
    kinds = {k["topic"]: k["n"] for k in response.context["kinds"]}
    assert kinds == {"signal-overdue": 28, "alert": 2}
    content = response.content.decode()
    assert "线索核实逾期 #" not in content and "红色预警" in content
    assert 'data-testid="inbox-kind-alert"' in content


def test_one_group_opens_whole_and_paginates(crowded, login):
    client = login(crowded)
    first = client.get("/inbox/?kind=signal-overdue&about=罗溪纺织有限公司")
    assert first.context["paginator"].count == 28 and len(first.context["page"].object_list) == 20
    second = client.get("/inbox/?kind=signal-overdue&about=罗溪纺织有限公司&page=2")
    assert len(second.context["page"].object_list) == 8
    assert "返回分组" in second.content.decode()


def test_the_group_list_paginates_by_group(luoxi, login):
    for i in range(25):
        _notice(luoxi, "watch", f"企业{i:02d}", f"纳入重点监控：企业{i:02d}", minutes_ago=i)
    client = login(luoxi)
    first = client.get("/inbox/")
    assert first.context["paginator"].count == 25 and len(first.context["groups"]) == 20
    assert first.context["groups"][0]["about"] == "企业00"  # newest first
    assert len(client.get("/inbox/?page=2").context["groups"]) == 5
    # The footer counts what it lists: groups, not notices.
    assert "共 <strong>25</strong> 组（按类别和企业归并）" in first.content.decode()


def test_one_group_s_footer_counts_notices(crowded, login):
    content = login(crowded).get("/inbox/?kind=signal-overdue&about=罗溪纺织有限公司").content.decode()
    assert "共 <strong>28</strong> 条" in content


def test_unread_filter_and_opening_a_notice_marks_it_read(crowded, login):
    client = login(crowded)
    alert = Notification.objects.filter(recipient=crowded, topic="alert").earliest("pk")
    assert client.get(f"/inbox/{alert.pk}/").status_code == 302
    alert.refresh_from_db()
    assert alert.read_at is not None
    groups = client.get("/inbox/?show=unread").context["groups"]
    assert {(g["topic"], g["n"]) for g in groups} == {("alert", 1), ("signal-overdue", 28)}


def test_a_group_is_marked_read_at_once_and_only_that_group(crowded, login):
    client = login(crowded)
    response = client.post(
        "/inbox/read-all/",
        {"topic": "signal-overdue", "about": "罗溪纺织有限公司", "next": "/inbox/?kind=signal-overdue"},
    )
    assert response.status_code == 302 and response["Location"] == "/inbox/?kind=signal-overdue"
    unread = Notification.objects.filter(recipient=crowded, read_at__isnull=True)
    assert set(unread.values_list("topic", flat=True)) == {"alert"}
    client.post("/inbox/read-all/")
    assert not unread.exists()


def test_marking_read_never_touches_another_users_notices(crowded, xuejia):
    _notice(xuejia, "signal-overdue", "罗溪纺织有限公司", "x")
    notification_mark_read(user=crowded, topic="signal-overdue", about="罗溪纺织有限公司")
    assert Notification.objects.filter(recipient=xuejia, read_at__isnull=True).count() == 1


def test_the_inbox_asks_a_bounded_number_of_queries(luoxi, login, django_assert_max_num_queries):
    for i in range(60):
        _notice(luoxi, ("alert", "watch", "signal")[i % 3], f"企业{i % 30}", f"通知 {i}", minutes_ago=i)
    client = login(luoxi)
    client.get("/inbox/")
    # The page shell (session, user, permissions, menu, the bell) and the inbox's own four: kinds,
    # the group count, the page of groups, their newest notices — however many groups and notices.
    with django_assert_max_num_queries(15) as ctx:
        response = client.get("/inbox/")
    assert len(response.context["groups"]) == 20
    own = [q for q in ctx.captured_queries if "notify_notification" in q["sql"]]
    assert len(own) <= 5


def test_the_inbox_shows_only_ones_own_notices(crowded, login, xuejia):
    assert login(xuejia).get("/inbox/").context["groups"] == []
