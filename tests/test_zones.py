"""The two network zones (issue #21, anxin/zones.py): the public zone mounts the portal and nothing
else; the internal zone is the whole system, the portal included.

Each zone is started for real in a subprocess (``ANXIN_ZONE=…``) to list its URL names; the pages
are then asked in-process with the settings the zone sets (``public_zone`` below), every officer
URL of the internal map included.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from anxin import zones
from anxin.core import seam
from anxin.credit.tests.test_public_listings import listed  # noqa: F401  (a fixture: a listing in force)

ROOT = Path(__file__).resolve().parent.parent

# Every URL name the public zone may answer: the worker portal (intake), the public credit page,
# the worker's 计酬手册 (sites), and the captcha the portal's forms draw.
PUBLIC_NAMES = {
    "portal-home",
    "portal-report",
    "portal-done",
    "portal-track",
    "portal-leave",
    "portal-status",
    "portal-rate",
    "portal-add",
    "portal-recover",
    "portal-recover-verify",
    "portal-violations",
    "portal-handbook",
    "portal-handbook-verify",
    "portal-handbook-mine",
    "portal-handbook-leave",
    "captcha-image",
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
}
PUBLIC_PREFIXES = ("public/", "captcha/", "favicon.ico")

_LIST_URLS = """
import json
from django.conf import settings
from django.urls import get_resolver, URLPattern, URLResolver

def walk(patterns, prefix, ns):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ns + [p.namespace] if p.namespace else ns
            yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
        else:
            name = ":".join(ns + [p.name]) if p.name else ""
            yield [name, prefix + str(p.pattern)]

print(json.dumps({
    "zone": settings.ANXIN_ZONE,
    "urlconf": settings.ROOT_URLCONF,
    "admin": "django.contrib.admin" in settings.INSTALLED_APPS,
    "auth_middleware": "django.contrib.auth.middleware.AuthenticationMiddleware" in settings.MIDDLEWARE,
    "urls": list(walk(get_resolver().url_patterns, "", [])),
}))
"""


def _start(zone: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ANXIN_ZONE"}
    env["DJANGO_SETTINGS_MODULE"] = "anxin.settings_test"
    if zone is not None:
        env["ANXIN_ZONE"] = zone
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "shell", "-c", _LIST_URLS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _started(zone: str | None) -> dict:
    done = _start(zone)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_public_zone_mounts_only_the_portal():
    started = _started("public")
    assert (started["zone"], started["urlconf"]) == ("public", "anxin.urls_public")
    names = {name for name, _route in started["urls"]}
    assert names - {""} == PUBLIC_NAMES
    for name, route in started["urls"]:
        assert route.startswith(PUBLIC_PREFIXES), (name, route)
    assert not started["admin"] and not started["auth_middleware"]


def test_the_internal_zone_is_the_whole_system_with_the_portal():
    started = _started(None)  # the default, what `make run` starts
    assert (started["zone"], started["urlconf"]) == ("internal", "anxin.urls")
    names = {name for name, _route in started["urls"]}
    assert names >= PUBLIC_NAMES
    assert {"login", "home", "admin:index", "api:api-schema", "signal-list", "credit-listings"} <= names
    assert started["admin"] and started["auth_middleware"]


def test_an_unknown_zone_stops_the_start_with_a_clear_error():
    done = _start("dmz")
    assert done.returncode != 0
    assert "ANXIN_ZONE='dmz' is not a zone: use internal or public" in done.stderr
    assert "ImproperEnv" in done.stderr


def test_the_zone_setting_is_checked():
    from django.core.exceptions import ImproperlyConfigured

    assert zones.check("public") == "public"
    with pytest.raises(ImproperlyConfigured, match="ANXIN_ZONE='Internal '"):
        zones.check("Internal ")


def test_each_public_urlconf_is_registered_at_the_seam_and_mounted_in_both_zones():
    modules = seam.collect(seam.PUBLIC_URLS)
    assert modules == ["anxin.intake.public_urls", "anxin.sites.public_urls", "anxin.credit.public_urls"]
    internal = {p.name for p in _patterns(get_resolver("anxin.urls").url_patterns)}
    for module in modules:
        own = {p.name for p in _patterns(get_resolver(module).url_patterns)}
        assert own and own <= internal and own <= PUBLIC_NAMES


# --- the pages, asked in each zone -----------------------------------------------------------------


def _patterns(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            p.full_route = prefix + str(p.pattern)  # type: ignore[attr-defined]
            yield p


_SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x/y",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "drf_format_suffix": ".json",
}


def _group_sample(inner: str) -> str:
    if "|" in inner:
        return inner.split("|")[0]
    return "json" if inner == "[a-z0-9]+" else "1"


def _sample_path(pattern: URLPattern, route: str) -> str:
    """A path the route matches: converters get a sample value; a regex's named groups their first
    choice (the admin's app labels) or a sample ("1", "json" for DRF's format suffix)."""
    if "^" not in route:  # a path() route, maybe under a regex prefix of its include
        return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m.group(1) or "str"], route)
    path = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))+)\)", lambda m: _group_sample(m.group(1)), route)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m.group(1) or "str"], path)
    path = path.replace("/?", "/").replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def _internal_only_paths() -> list[tuple[str, str]]:
    """(name, sample path) for every URL of the internal zone that the public zone must not have."""
    found = []
    for pattern in _patterns(get_resolver("anxin.urls").url_patterns):
        route = pattern.full_route  # type: ignore[attr-defined]
        if pattern.name in PUBLIC_NAMES or route.startswith(("favicon", "captcha/")):
            continue
        found.append((pattern.name or route, _sample_path(pattern, route)))
    return found


@pytest.fixture
def public_zone(settings):
    """The settings ``ANXIN_ZONE=public`` sets (anxin/zones.py) on this test's process."""
    internal = settings.MIDDLEWARE
    settings.ROOT_URLCONF = zones.urlconf(zones.PUBLIC)
    settings.MIDDLEWARE = zones.middleware(zones.PUBLIC, internal)
    templates = [dict(t, OPTIONS=dict(t["OPTIONS"])) for t in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    templates[0]["OPTIONS"]["context_processors"] = zones.context_processors(zones.PUBLIC, processors)
    settings.TEMPLATES = templates
    settings.ANXIN_ZONE = zones.PUBLIC
    settings.PORTAL_DEFERS_ROUTING = settings.NOTICES_DEFERRED = True
    settings.PORTAL_READS_DISTRICT_DATA = False
    return settings


def test_every_officer_url_of_the_internal_zone_resolves_there():
    """The sample paths below are real pages of the internal zone (so their 404 in the public one
    says something)."""
    paths = _internal_only_paths()
    assert len(paths) > 200
    unresolved = []
    for name, path in paths:
        try:
            resolve(path, urlconf="anxin.urls")
        except Resolver404:
            unresolved.append((name, path))
    assert unresolved == []


@pytest.mark.django_db
def test_the_public_zone_answers_404_for_the_login_admin_api_and_every_officer_page(
    client, district, public_zone
):
    for path in ("/", "/login/", "/logout/", "/admin/", "/admin/login/", "/api/v1/", "/api/v1/schema/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "返回欠薪网上反映首页" in response.content.decode()
        assert "登录" not in response.content.decode()
    answered = {}
    for name, path in _internal_only_paths():
        status = client.get(path).status_code
        if status != 404:
            answered[name] = (path, status)
        status = client.post(path, {}).status_code
        if status != 404:
            answered[name] = (path, status)
    assert answered == {}


@pytest.mark.django_db
def test_the_internal_zone_still_answers_the_login_and_the_portal(client, district):
    assert client.get("/login/").status_code == 200
    assert client.get("/public/").status_code == 200
    assert client.get("/api/v1/").status_code in (401, 403)
    assert client.get("/admin/").status_code == 302  # to the admin's login


PORTAL_PAGES = (
    "/public/",
    "/public/report/",
    "/public/track/",
    "/public/recover/",
    "/public/violations/",
    "/public/handbook/",
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_the_portal_pages_answer_in_the_public_zone_without_a_login_link(client, district, public_zone, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" not in page
    assert 'href="/login' not in page and 'href="/admin' not in page and 'href="/"' not in page


@pytest.mark.django_db
def test_the_captcha_answers_in_the_public_zone(client, district, public_zone):
    page = client.get("/public/report/").content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    assert client.get(f"/captcha/image/{key}/").status_code == 200


# --- the portal's whole flow in the public zone ------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_reports_follows_adds_and_rates_in_the_public_zone(
    client, world, office, luoxi, public_zone, django_capture_on_commit_callbacks
):
    """The public zone writes; the internal zone's tick routes the report and delivers the notices,
    whose links open the internal zone's pages."""
    from anxin.intake import services
    from anxin.intake.models import Signal, Stage
    from anxin.intake.tests.test_portal import PHONE, _captcha, _report_data
    from anxin.notify.models import Notification, PendingNotice, SmsMessage
    from anxin.notify.services import pending_notices_deliver

    enterprise = world.luoxi_factory
    data = {**_report_data(enterprise.town), "employer_name": enterprise.name}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/public/report/", {**data, **_captcha(client, "/public/report/")})
    assert response.status_code == 302 and response["Location"] == "/public/report/done/"
    done = client.get("/public/report/done/").content.decode()
    assert enterprise.town.name in done and "登录" not in done
    signal = Signal.objects.get()
    assert signal.awaiting_routing and signal.enterprise is None and signal.assigned_unit is None
    assert signal.town == enterprise.town and signal.tracking_code
    assert SmsMessage.objects.filter(topic="portal", text__contains=signal.tracking_code).exists()
    assert not Notification.objects.exists()

    with override_settings(ROOT_URLCONF="anxin.urls", PORTAL_DEFERS_ROUTING=False, NOTICES_DEFERRED=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.portal_reports_route() == 1
        assert services.portal_reports_route() == 0  # once
    signal.refresh_from_db()
    assert (
        not signal.awaiting_routing and signal.enterprise == enterprise and signal.assigned_unit is not None
    )
    assert Notification.objects.filter(recipient=luoxi, url=f"/signals/{signal.pk}/").exists()

    other = type(client)()
    found = other.post(
        "/public/track/", {"code": signal.tracking_code, "phone": PHONE, **_captcha(other, "/public/track/")}
    )
    assert found.status_code == 302
    assert "已受理登记" in other.get(found["Location"]).content.decode()
    added = other.post(f"/public/track/{signal.tracking_code}/add/", {"text": "补充：工资条照片稍后补"})
    assert added.status_code == 302
    assert PendingNotice.objects.get().topic == "signal-material"
    with override_settings(ROOT_URLCONF="anxin.urls", NOTICES_DEFERRED=False):  # the officers' zone
        with django_capture_on_commit_callbacks(execute=True):
            assert pending_notices_deliver() == 1
        assert pending_notices_deliver() == 0 and not PendingNotice.objects.exists()
        assert Notification.objects.filter(topic="signal-material", url=f"/signals/{signal.pk}/").exists()
        services.signal_verify(actor=office, signal=signal, result="substantiated", note="属实")
        services.signal_reply(actor=office, signal=Signal.objects.get(), text="已责令企业支付")
        services.signal_close(actor=office, signal=Signal.objects.get(), note="已支付")
    rated = other.post(f"/public/track/{signal.tracking_code}/rate/", {"rating": "dissatisfied"})
    assert rated.status_code == 302
    assert Signal.objects.get().stage == Stage.HANDLING
    with (
        override_settings(ROOT_URLCONF="anxin.urls", NOTICES_DEFERRED=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert pending_notices_deliver() == 1
    assert Notification.objects.filter(topic="signal-followup", url=f"/signals/{signal.pk}/").exists()
    assert other.get("/public/leave/").status_code == 302


@pytest.mark.django_db
def test_a_report_from_the_public_zone_is_routed_like_one_filed_inside(world, office, settings):
    """Deferred or not, the same town, department, enterprise and routing note."""
    from anxin.intake import services
    from anxin.intake.models import Signal

    enterprise = world.luoxi_builder
    facts = {
        "employer_name": enterprise.name,
        "summary": "拖欠",
        "reporter_phone": "13600000009",
        "amount": 1,
    }
    inside = services.portal_submit(facts=facts, town=enterprise.town, photos=[], ip="10.0.0.1")
    settings.PORTAL_DEFERS_ROUTING = True
    outside = services.portal_submit(
        facts={**facts, "reporter_phone": "13600000008"}, town=enterprise.town, photos=[], ip="10.0.0.2"
    )
    settings.PORTAL_DEFERS_ROUTING = False
    assert Signal.objects.get(pk=outside.pk).awaiting_routing
    assert services.portal_reports_route() == 1
    inside, outside = Signal.objects.get(pk=inside.pk), Signal.objects.get(pk=outside.pk)
    assert (outside.enterprise_id, outside.town_id, outside.assigned_unit_id, outside.routing_note) == (
        inside.enterprise_id,
        inside.town_id,
        inside.assigned_unit_id,
        inside.routing_note,
    )
    assert outside.duplicate_state == inside.duplicate_state


def test_the_public_zones_error_pages_lead_back_to_the_portal_not_to_a_login(rf):
    from anxin import urls_public

    for view, status in (
        (urls_public.server_error, 500),
        (urls_public.bad_request, 400),
        (urls_public.forbidden, 403),
        (urls_public.not_found, 404),
    ):
        args = (rf.get("/public/x/"),) if status == 500 else (rf.get("/public/x/"), Exception())
        response = view(*args)
        page = response.content.decode()
        assert response.status_code == status
        assert 'href="/public/"' in page and "登录" not in page and "工作台" not in page


@pytest.mark.django_db
def test_the_public_zones_413_page_leads_back_to_the_portal(client, district, public_zone):
    """A body over the limit is refused before any view; in the internet zone the page links the
    portal's home (``/`` is a 404 there), not the officers' 工作台."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    public_zone.REQUEST_MAX_BYTES = 1024 * 1024
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff" + b"0" * (1536 * 1024))
    response = client.post("/public/report/", {"photos": [photo]})
    page = response.content.decode()
    assert response.status_code == 413 and "超过单次提交上限 1.0 MB，未被接收" in page
    assert 'href="/public/"' in page and 'href="/"' not in page and "工作台" not in page
    assert client.get("/public/").status_code == 200


@pytest.mark.django_db
def test_the_public_zones_status_page_shows_the_case_as_the_tick_last_wrote_it(
    client, world, office, luoxi, renshe, public_zone
):
    """The internet zone reads no case: the internal tick writes what the page may say of it."""
    from anxin.cases import services as case_services
    from anxin.cases.tests.factories import lapsed_order, open_case
    from anxin.intake import services
    from anxin.intake.models import PublicProgress
    from anxin.intake.tests.test_portal import PHONE, _captcha

    internal = override_settings(
        ROOT_URLCONF="anxin.urls",
        PORTAL_DEFERS_ROUTING=False,
        NOTICES_DEFERRED=False,
        PORTAL_READS_DISTRICT_DATA=True,
    )
    with internal:
        report = services.portal_submit(
            facts={
                "employer_name": world.luoxi_factory.name,
                "summary": "没发",
                "reporter_phone": PHONE,
                "amount": 1,
            },
            town=world.luoxi_factory.town,
            photos=[],
            ip="10.2.2.2",
        )
        services.signal_verify(actor=office, signal=report, result="substantiated", note="属实")
        case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
        lapsed_order(case, renshe)
    found = client.post(
        "/public/track/", {"code": report.tracking_code, "phone": PHONE, **_captcha(client, "/public/track/")}
    )
    page = client.get(found["Location"]).content.decode()
    assert 'data-testid="portal-case"' not in page  # nothing written yet
    with internal:
        assert services.portal_progress_refresh() == 1
        assert services.portal_progress_refresh() == 0  # unchanged: nothing rewritten
    page = client.get(found["Location"]).content.decode()
    assert 'data-testid="portal-case"' in page and "已责令企业限期支付" in page
    assert "处理中（已立案）" in page and case.number not in page
    assert PublicProgress.objects.get().case["url"] == ""  # no officers' link crosses
    with internal:
        case_services.case_move(actor=luoxi, case=case, action="skip", reason="现场稳定")
        assert services.portal_progress_refresh() == 1
    assert "正在调解" in client.get(found["Location"]).content.decode()


@pytest.mark.django_db
def test_a_notice_board_link_works_in_the_public_zone_from_the_record_the_tick_writes(
    client, world, public_zone, django_capture_on_commit_callbacks
):
    """The internet zone reads no project: the board's project as the internal tick copied it."""
    from anxin.intake import services
    from anxin.intake.models import Signal
    from anxin.intake.public import project_token
    from anxin.intake.tests.test_portal_project_link import _report, _url

    url = _url(project_token(world.menghe_river))
    assert 'data-testid="portal-project"' not in client.get(url).content.decode()  # not copied yet
    with override_settings(ROOT_URLCONF="anxin.urls", PORTAL_DEFERS_ROUTING=False):
        assert services.portal_projects_refresh() > 0
        assert services.portal_projects_refresh() == 0  # unchanged: nothing rewritten
    html = client.get(url).content.decode()
    assert "孟河河道整治项目" in html and "孟河镇" in html and world.menghe_water.name in html
    with django_capture_on_commit_callbacks(execute=True):
        response = _report(client, url, town=world.luoxi_factory.town.pk)
    assert response.status_code == 302, response.context["form"].errors
    signal = Signal.objects.get()
    assert signal.awaiting_routing and signal.project_id == world.menghe_river.pk
    assert signal.town == world.menghe_river.town and signal.project_name == "孟河河道整治项目"
    with override_settings(ROOT_URLCONF="anxin.urls", PORTAL_DEFERS_ROUTING=False, NOTICES_DEFERRED=False):
        assert services.portal_reports_route() == 1
    signal.refresh_from_db()
    assert signal.assigned_unit.code == "agriculture-water"  # the project's line (水利), as inside


@pytest.mark.django_db
def test_the_public_zones_audit_rows_keep_the_clients_address(client, world, public_zone, settings):
    from auditlog.models import LogEntry

    from anxin.intake.models import Signal
    from anxin.intake.tests.test_portal import _captcha, _report_data

    data = {**_report_data(world.luoxi_factory.town), **_captcha(client, "/public/report/")}
    assert client.post("/public/report/", data, REMOTE_ADDR="198.51.100.7").status_code == 302
    entry = LogEntry.objects.get_for_object(Signal.objects.get()).get()
    assert entry.remote_addr == "198.51.100.7" and entry.actor.username == "system"


@pytest.mark.django_db
def test_the_public_zones_credit_page_prints_the_listings_the_tick_copied(client, listed, public_zone):  # noqa: F811
    """The internet zone reads no listing or enterprise: the copies the internal zone's tick writes
    of the listings in force; a listing whose term is over, or that ended, drops off."""
    import time_machine

    from anxin.credit.models import Listing, ListingStatus
    from anxin.credit.services.publication import public_listings_refresh
    from anxin.credit.tests.test_public_listings import ID, _page

    listing = listed
    with time_machine.travel("2029-11-30 10:00 +0800"):
        assert "失信演示建筑有限公司" not in _page(client)  # nothing copied yet
        assert public_listings_refresh() == 1 and public_listings_refresh() == 0
        page = _page(client)
        assert "失信演示建筑有限公司" in page and listing.enterprise.uscc in page
        assert "张列入" in page and "法定代表人" in page and "新人社惩决〔2026〕1号" in page
        assert ID not in page
        assert "失信演示建筑有限公司" in _page(client, listing.enterprise.uscc)
        assert "失信演示建筑有限公司" not in _page(client, "没有这家")
    with time_machine.travel("2029-12-01 00:05 +0800"):
        assert "失信演示建筑有限公司" not in _page(client)  # the term is over, whatever the copy says
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.REMOVED)
    with time_machine.travel("2029-11-30 10:00 +0800"):
        assert public_listings_refresh() == 1
        assert "失信演示建筑有限公司" not in _page(client)


COPY_SWEEPS = {
    "更新互联网区进度页的案件进展",
    "更新互联网区告示牌链接的项目",
    "劳动计酬手册：更新互联网区的副本",
    "失信名单：更新互联网区公布页的副本",
}


def test_the_copies_for_the_internet_zone_are_kept_only_where_a_separate_portal_reads_them(world, settings):
    """A single-zone deployment (the default, ``make run``) reads the originals: the tick's copy sweeps
    do nothing there. The internal zone of a two-zone deployment (``ANXIN_PUBLIC_ZONE_COPIES=true``)
    keeps them: the same sweeps write the notice-board projects' copies."""
    from django.utils import timezone

    from anxin.intake.models import PortalProject

    sweeps = {s.label: s for s in seam.collect(seam.SWEEPS)}
    assert set(sweeps) >= COPY_SWEEPS
    settings.PUBLIC_ZONE_COPIES = False
    assert all(sweeps[label].run(now=timezone.now()) == 0 for label in COPY_SWEEPS)
    assert not PortalProject.objects.exists()
    settings.PUBLIC_ZONE_COPIES = True
    assert sweeps["更新互联网区告示牌链接的项目"].run(now=timezone.now()) > 0
    assert PortalProject.objects.exists()
