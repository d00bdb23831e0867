"""The internet zone's database role (deploy/portal-role.sql, issue #21) on PostgreSQL.

The script is run on the test database as the owner would run it; then a connection logs in as
``anxin_portal`` and the database itself refuses what the portal has no business reading
(enterprises, workers, users, cases, money, the audit log), hides every report the connection has
not named by its code, and lets the portal's own flow through: report, look up, read the status,
add material, rate, recover the code. The officers' part in between runs as the owner (the
internal zone).
"""

from __future__ import annotations

import contextlib
import datetime
import re
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from anxin import zones

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: grants and row-level security are the database's own",
    ),
]

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "portal-role.sql"
ROLE = "anxin_portal"
TABLES_WITH_POLICIES = (
    "intake_signal",
    "intake_signalevent",
    "intake_signalattachment",
    "intake_reportclosure",
    "intake_publicprogress",
    "org_user",
    "credit_publicationentry",
    "credit_publicationbatch",
    "credit_publiclisting",
    "sites_portalhandbook",
)


@pytest.fixture
def portal_role(district):
    with connection.cursor() as cursor:
        cursor.execute(SCRIPT.read_text(encoding="utf-8"))
        cursor.execute(SCRIPT.read_text(encoding="utf-8"))  # idempotent: run after every migrate
        cursor.execute(f"ALTER ROLE {ROLE} LOGIN")
    yield ROLE
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")  # its grants and policies in this database
        for table in (
            "intake_signal",
            "intake_signalevent",
            "intake_signalattachment",
            "intake_reportclosure",
        ):
            cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        cursor.execute("ALTER TABLE org_user DISABLE ROW LEVEL SECURITY")
        for table in (
            "intake_signal",
            "intake_signalevent",
            "intake_signalattachment",
            "intake_reportclosure",
        ):
            cursor.execute(f"DROP POLICY IF EXISTS anxin_internal ON {table}")
        cursor.execute("DROP POLICY IF EXISTS anxin_internal ON org_user")
        with contextlib.suppress(Exception):
            cursor.execute(f"DROP ROLE {ROLE}")  # held elsewhere in the cluster: left there


def _as_portal() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("password", None)
    params["user"] = ROLE
    return psycopg.connect(autocommit=True, **params)


@contextlib.contextmanager
def portal_process(settings):
    """Django itself connected as the portal's role, with the public zone's settings."""
    internal = settings.MIDDLEWARE
    connection.close()
    saved = connection.settings_dict["USER"]
    connection.settings_dict["USER"] = ROLE
    settings.ROOT_URLCONF = zones.urlconf(zones.PUBLIC)
    settings.MIDDLEWARE = zones.middleware(zones.PUBLIC, internal)
    settings.ANXIN_ZONE = zones.PUBLIC
    settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = True
    settings.PORTAL_READS_DISTRICT_DATA = False
    settings.TASKS = {"default": {"BACKEND": "anxin.notify.queue.DatabaseBackend", "QUEUES": ["default"]}}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"] = saved
        settings.ROOT_URLCONF = zones.urlconf(zones.INTERNAL)
        settings.MIDDLEWARE = internal
        settings.ANXIN_ZONE = zones.INTERNAL
        settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = False
        settings.PORTAL_READS_DISTRICT_DATA = True


def _report(phone: str, employer: str, town) -> object:
    from anxin.intake import services

    return services.portal_submit(
        facts={"employer_name": employer, "summary": "拖欠三个月", "reporter_phone": phone, "amount": 100},
        town=town,
        photos=[],
        ip="203.0.113.9",
    )


@pytest.mark.django_db(transaction=True)
def test_the_portal_role_is_refused_what_it_has_no_business_reading(world, office, portal_role):
    from anxin.intake import services
    from anxin.org.models import Town

    other = _report("13600000001", "别家公司", Town.objects.get(code="luoxi"))  # written by the internal zone
    assert services.portal_progress_refresh() == 1
    with _as_portal() as db, db.cursor() as cursor:
        for query in (
            "SELECT * FROM registry_enterprise",
            "SELECT name FROM registry_enterprise",
            "SELECT * FROM registry_worker",
            "SELECT * FROM registry_project",
            "SELECT * FROM org_user",
            "SELECT full_name, phone FROM org_user",
            "SELECT * FROM cases_case",
            "SELECT * FROM money_claim",
            "SELECT * FROM monitoring_alert",
            "SELECT * FROM auditlog_logentry",
            "SELECT * FROM notify_smsmessage",
            "SELECT * FROM notify_notification",
            "SELECT * FROM credit_listedperson",
            "SELECT * FROM credit_listing",
            "SELECT * FROM sites_rosterentry",
            "UPDATE registry_enterprise SET name = name",
            "DELETE FROM intake_signal",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(query)
        # Another worker's report, personal data and all, is not there for a connection that did not name it.
        cursor.execute("SELECT count(*) FROM intake_signal")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT reporter_name, reporter_phone FROM intake_signal WHERE id = %s", [other.pk])
        assert cursor.fetchall() == []
        for table in ("intake_signalevent", "intake_publicprogress"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own table names)
            assert cursor.fetchone() == (0,)
        cursor.execute("UPDATE intake_signal SET summary = 'x' WHERE id = %s", [other.pk])
        assert cursor.rowcount == 0
        # The only account it sees is the system's, three columns of it.
        cursor.execute("SELECT username FROM org_user")
        assert cursor.fetchall() == [("system",)]
        # Named by its code, that one report (and nothing else) is there.
        cursor.execute("SELECT set_config('anxin.portal_code', %s, false)", [other.tracking_code])
        cursor.execute("SELECT id FROM intake_signal")
        assert cursor.fetchall() == [(other.pk,)]
        cursor.execute("SELECT signal_id FROM intake_publicprogress")
        assert cursor.fetchall() == [(other.pk,)]


@pytest.mark.django_db(transaction=True)
def test_the_portal_flow_runs_under_its_role_and_the_tick_routes_and_announces(
    client, world, office, luoxi, portal_role, settings
):
    from anxin.intake import services
    from anxin.intake.models import Signal, Stage
    from anxin.intake.tests.factories import png
    from anxin.intake.tests.test_portal import PHONE, _captcha, _report_data
    from anxin.notify.models import Notification, PendingNotice, SmsMessage
    from anxin.notify.services import pending_notices_deliver

    enterprise = world.luoxi_factory
    other = _report("13600000001", "别家公司", enterprise.town)
    with portal_process(settings):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (ROLE,)
        data = {**_report_data(enterprise.town), "employer_name": enterprise.name}
        photo = SimpleUploadedFile("工资条.png", png(), content_type="image/png")
        response = client.post(
            "/public/report/", {**data, "photos": [photo], **_captcha(client, "/public/report/")}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        done = client.get("/public/report/done/")
        assert done.status_code == 200 and "登录" not in done.content.decode()
        assert client.get(f"/public/track/{other.tracking_code}/").status_code == 302  # not proved

    signal = Signal.objects.exclude(pk=other.pk).get()
    assert signal.awaiting_routing and signal.enterprise is None and signal.assigned_unit is None
    assert [a.name for a in signal.attachments.all()] == ["工资条.png"]
    assert SmsMessage.objects.filter(topic="portal", text__contains=signal.tracking_code).exists()
    # The internal zone's tick routes it: the employer matched, the town told.
    assert services.portal_reports_route() == 1
    signal.refresh_from_db()
    assert (
        not signal.awaiting_routing and signal.enterprise == enterprise and signal.assigned_unit is not None
    )
    assert Notification.objects.filter(recipient=luoxi, url=f"/signals/{signal.pk}/").exists()
    assert services.portal_reports_route() == 0  # once

    with portal_process(settings):
        browser = type(client)()
        found = browser.post(
            "/public/track/",
            {"code": signal.tracking_code, "phone": PHONE, **_captcha(browser, "/public/track/")},
        )
        assert found.status_code == 302
        page = browser.get(found["Location"]).content.decode()
        assert "已受理登记" in page and "老板说月底发" in page
        added = browser.post(f"/public/track/{signal.tracking_code}/add/", {"text": "补充：工资条照片"})
        assert added.status_code == 302
    assert PendingNotice.objects.filter(topic="signal-material").count() == 1
    assert pending_notices_deliver() == 1 and not PendingNotice.objects.exists()
    assert Notification.objects.filter(topic="signal-material", url=f"/signals/{signal.pk}/").exists()

    signal.refresh_from_db()
    services.signal_verify(actor=office, signal=signal, result="substantiated", note="属实")
    services.signal_reply(actor=office, signal=Signal.objects.get(pk=signal.pk), text="已责令企业支付")
    services.signal_close(actor=office, signal=Signal.objects.get(pk=signal.pk), note="已支付")
    with portal_process(settings):
        page = browser.get(f"/public/track/{signal.tracking_code}/").content.decode()
        assert "已责令企业支付" in page and "rate-form" in page
        rated = browser.post(f"/public/track/{signal.tracking_code}/rate/", {"rating": "dissatisfied"})
        assert rated.status_code == 302
        # Lost code: recovered by the phone and an SMS code.
        again = type(client)()
        asked = again.post("/public/recover/", {"phone": PHONE, **_captcha(again, "/public/recover/")})
        assert asked.status_code == 302
    assert Signal.objects.get(pk=signal.pk).stage == Stage.HANDLING
    text = SmsMessage.objects.filter(text__contains="找回").latest("pk").text
    code = re.search(r"验证码 (\d{6})", text).group(1)
    with portal_process(settings):
        listed = again.post("/public/recover/verify/", {"code": code}).content.decode()
        assert signal.tracking_code in listed and other.tracking_code not in listed
    assert pending_notices_deliver() == 1
    assert Notification.objects.filter(topic="signal-followup", url=f"/signals/{signal.pk}/").exists()


@pytest.mark.django_db(transaction=True)
def test_each_request_of_the_public_zone_starts_naming_no_report(
    client, world, office, portal_role, settings
):
    """A connection outlives a request (CONN_MAX_AGE): the code one visitor named is not the next one's."""
    other = _report("13600000001", "别家公司", world.luoxi_factory.town)
    with portal_process(settings):
        settings.CONN_MAX_AGE = 60
        connection.settings_dict["CONN_MAX_AGE"] = 60
        from anxin.intake.models import Signal
        from anxin.intake.portal import portal_scope

        portal_scope(other.tracking_code)
        assert list(Signal.objects.values_list("pk", flat=True)) == [other.pk]
        assert client.get("/public/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('anxin.portal_code', true), current_user")
            assert cursor.fetchone() == ("", ROLE)
        assert not Signal.objects.exists()
        connection.settings_dict["CONN_MAX_AGE"] = 0


@pytest.mark.django_db(transaction=True)
def test_a_notice_board_report_runs_under_the_portal_role(client, world, portal_role, settings):
    from anxin.intake import services
    from anxin.intake.models import Signal
    from anxin.intake.public import project_token
    from anxin.intake.tests.test_portal_project_link import _report, _url

    assert services.portal_projects_refresh() > 0
    url = _url(project_token(world.menghe_river))
    with portal_process(settings):
        assert "孟河河道整治项目" in client.get(url).content.decode()
        response = _report(client, url)
        assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.project_id == world.menghe_river.pk and signal.awaiting_routing
    assert services.portal_reports_route() == 1
    assert Signal.objects.get().assigned_unit.code == "agriculture-water"


@pytest.mark.django_db(transaction=True)
def test_the_public_credit_page_runs_under_the_portal_role(client, district, portal_role, settings):
    """The listings in force, from the copies the tick writes; a copy whose term has not begun is
    hidden by the database itself, not only by the page."""
    from anxin.core.audit import system_actor
    from anxin.core.crypto import blind_index
    from anxin.credit.models import ListedPerson, PersonRole
    from anxin.credit.services.publication import public_listings_refresh
    from anxin.credit.tests.factories_sanctions import listing_in_force
    from anxin.registry.tests.factories import enterprise as make_enterprise

    today, day = datetime.date.today(), datetime.timedelta(days=1)  # the database's day: no clock to move
    ID = "32041119800101001X"
    listing = listing_in_force(
        make_enterprise(name="失信演示建筑有限公司"),
        term_start=today - 5 * day,
        term_end=today + 300 * day,
        decision_reference="新人社惩决〔2026〕1号",
    )
    ListedPerson.objects.create(
        listing=listing,
        role=PersonRole.LEGAL_REP,
        name="张列入",
        id_number=ID,
        id_number_index=blind_index(ID, purpose="credit-person"),
        added_by=system_actor(),
    )
    listing_in_force(
        make_enterprise(name="尚未开始公司"),
        term_start=today + 30 * day,
        term_end=today + 400 * day,
        decision_reference="新人社惩决〔2026〕9号",
    )
    assert public_listings_refresh() == 2
    with portal_process(settings):
        page = client.get("/public/violations/").content.decode()
        assert "失信演示建筑有限公司" in page and "张列入" in page and ID not in page
        assert "尚未开始公司" not in page
    with _as_portal() as db, db.cursor() as cursor:
        cursor.execute("SELECT name FROM credit_publiclisting")
        assert cursor.fetchall() == [("失信演示建筑有限公司",)]


@pytest.mark.django_db(transaction=True)
def test_the_handbook_lookup_runs_under_the_portal_role(client, world, portal_role, settings):
    """The worker's 计酬手册 from the copy the tick writes: the code to the copy's phone, the page
    from the copy of the worker the connection names; the rosters and payrolls stay refused, and
    another worker's copy is not there for the connection."""
    from anxin.notify.models import SmsMessage
    from anxin.sites.handbook_services import portal_handbooks_refresh
    from anxin.sites.models import HandbookCode
    from anxin.sites.tests.factories_handbook import payroll, rostered
    from anxin.sites.tests.test_handbook_portal import PHONE, _ask

    sept = datetime.date(2026, 9, 1)
    worker = rostered(world.luoxi_project, n=11, name="张三", phone=PHONE, start=sept)
    other = rostered(world.luoxi_project, n=12, name="李四", phone="13800000012", start=sept)
    payroll(world.luoxi_project, sept, [(worker, "21", 630_000, 630_000, datetime.date(2026, 10, 15))])
    assert portal_handbooks_refresh() == 2
    with portal_process(settings):
        asked = _ask(client, worker.id_number)
        assert asked.status_code == 302 and asked["Location"] == "/public/handbook/verify/"
    assert HandbookCode.objects.filter(id_index=worker.id_number_index).count() == 1
    text = SmsMessage.objects.filter(text__contains="计酬手册").get().text
    code = re.search(r"验证码 (\d{6})", text).group(1)
    with portal_process(settings):
        verified = client.post("/public/handbook/verify/", {"code": code})
        assert verified.status_code == 302 and verified["Location"] == "/public/handbook/mine/"
        page = client.get("/public/handbook/mine/").content.decode()
        assert "张三" in page and "6,300.00 元" in page and "罗溪安置房项目" in page
        assert "李四" not in page and worker.id_number not in page
    with _as_portal() as db, db.cursor() as cursor:
        for query in (
            "SELECT * FROM sites_rosterentry",
            "SELECT * FROM sites_payrollline",
            "SELECT * FROM sites_payroll",
            "UPDATE sites_portalhandbook SET name = 'x'",
            "DELETE FROM sites_handbookcode",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(query)
        cursor.execute("SELECT count(*) FROM sites_portalhandbook")
        assert cursor.fetchone() == (0,)  # names no worker: sees none
        cursor.execute("SELECT set_config('anxin.portal_id', %s, false)", [other.id_number_index])
        cursor.execute("SELECT name FROM sites_portalhandbook")
        assert cursor.fetchall() == [("李四",)]  # the one it names, and only that one


@pytest.mark.django_db(transaction=True)
def test_a_merged_reports_code_reads_no_other_report_and_its_dissatisfaction_reaches_the_primary_by_the_tick(
    client, world, office, luoxi, portal_role, settings
):
    """The report a worker's report was merged into holds another worker's name and phone: the
    merged report's code does not open it. The 不满意 reopens the worker's own report under the
    role; the internal zone's tick reopens the closed primary."""
    from anxin.intake import services
    from anxin.intake.models import MaterialRelay, Signal, Stage
    from anxin.intake.tests.test_portal import _captcha
    from anxin.notify.models import Notification
    from anxin.notify.services import pending_notices_deliver

    town = world.luoxi_factory.town
    mine = _report("13911112222", world.luoxi_factory.name, town)
    primary = _report("13933334444", world.luoxi_factory.name, town)
    services.signal_merge(actor=office, signal=mine, into=primary)
    # Material on the merged report, under the role: its own handlers told, a relay left for the tick.
    with portal_process(settings):
        browser = type(client)()
        found = browser.post(
            "/public/track/",
            {"code": mine.tracking_code, "phone": "13911112222", **_captcha(browser, "/public/track/")},
        )
        assert found.status_code == 302
        added = browser.post(f"/public/track/{mine.tracking_code}/add/", {"text": "补充：考勤表"})
        assert added.status_code == 302
    assert MaterialRelay.objects.filter(signal=mine).count() == 1
    assert services.material_relays_deliver() == 1 and not MaterialRelay.objects.exists()
    services.signal_verify(
        actor=luoxi, signal=Signal.objects.get(pk=primary.pk), result="substantiated", note="属实"
    )
    for s in (mine, primary):
        services.signal_reply(actor=luoxi, signal=Signal.objects.get(pk=s.pk), text="已处理")
    services.signal_close(actor=luoxi, signal=Signal.objects.get(pk=primary.pk), note="已支付")

    with _as_portal() as db, db.cursor() as cursor:
        cursor.execute("SELECT set_config('anxin.portal_code', %s, false)", [mine.tracking_code])
        cursor.execute("SELECT id FROM intake_signal")
        assert cursor.fetchall() == [(mine.pk,)]
        cursor.execute("SELECT reporter_name, reporter_phone FROM intake_signal WHERE id = %s", [primary.pk])
        assert cursor.fetchall() == []
        for table in ("intake_signalevent", "intake_reportclosure"):
            cursor.execute(f"SELECT DISTINCT signal_id FROM {table}")  # noqa: S608 (our own table names)
            assert cursor.fetchall() == [(mine.pk,)]
        cursor.execute("UPDATE intake_signal SET stage = 'handling' WHERE id = %s", [primary.pk])
        assert cursor.rowcount == 0

    with portal_process(settings):  # the same browser: its proof of the code stands
        rated = browser.post(f"/public/track/{mine.tracking_code}/rate/", {"rating": "dissatisfied"})
        assert rated.status_code == 302
    assert Signal.objects.get(pk=mine.pk).stage == Stage.HANDLING
    assert Signal.objects.get(pk=primary.pk).stage == Stage.CLOSED
    assert services.merged_reopens_follow() == 1
    assert Signal.objects.get(pk=primary.pk).stage == Stage.HANDLING
    assert pending_notices_deliver() == 2  # the material's and the 不满意's, written by the portal
    assert Notification.objects.filter(
        recipient=luoxi, topic="signal-followup", url=f"/signals/{mine.pk}/"
    ).exists()
