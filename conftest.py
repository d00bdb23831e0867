"""Test fixtures shared by every app: the district, the persona set, factories.

Personas (STYLE.md, after healthchecks' Alice/Bob/Charlie): an office user (联席办, sees all),
a 城建局 user (department line: construction and real estate, all projects), a 罗溪镇 user and a
薛家镇 user (their territory), and a public visitor (no login). Others are here for role tests.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from anxin.org.tests.factories import PASSWORD, UserFactory

__all__ = ["PASSWORD"]


def _load_district():
    call_command("load_district", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def mid_hour():
    """Run the test at twenty past the current hour, the clock still moving: a per-hour count
    (the portal's and the handbook's limits) cannot be split by the hour turning mid-test."""
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now().replace(minute=20, second=0, microsecond=0), tick=True):
        yield


def _reload_after_flush() -> None:
    """A transactional test (``transaction=True``, the live server) ends with a flush that empties
    every table. Reload the district right after it, committed, so the database holds it again for
    whatever runs next. Left to the next test's ``district`` fixture, the reload ran inside that
    test's transaction and was rolled back with it: every later test on that worker loaded the
    district again (1–3 s each). With xdist's work stealing, tests that need no flush run after
    ones that did, so this cost about half the suite's time."""
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown
    if getattr(flush, "reloads_district", False):
        return

    def _fixture_teardown(self):
        flush(self)
        _load_district()

    _fixture_teardown.reloads_district = True  # type: ignore[attr-defined]
    TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the district once per test database; each test's changes roll back, and a transactional
    test's flush is followed by a committed reload."""
    with django_db_blocker.unblock():
        _load_district()
    _reload_after_flush()


@pytest.fixture
def district(db):
    """The district configuration (loaded once per test database, and again after each transactional
    test's flush; loaded here only if a test emptied the database in another way)."""
    from anxin.org.models import Town

    if not Town.objects.exists():
        _load_district()


def _persona(username: str, unit: str, role: str, full_name: str):
    return UserFactory(username=username, unit=unit, role=role, full_name=full_name)


@pytest.fixture
def office(district):
    return _persona("t_office", "office", "office", "联席办测试")


@pytest.fixture
def leader(district):
    return _persona("t_leader", "leaders", "leader", "区领导测试")


@pytest.fixture
def convener(leader):
    """The leader persona holding the post 联席会议召集人 (the only one who signs minutes)."""
    from anxin.conference.models import ChairPost, ConferencePost

    ConferencePost.objects.get_or_create(post=ChairPost.CONVENER, user=leader, active=True)
    return leader


@pytest.fixture
def office_director(district):
    """An office user holding the post 联席办主任 (approves the office's analysis and circulars)."""
    from anxin.conference.models import ChairPost, ConferencePost

    user = _persona("t_director", "office", "office", "联席办主任测试")
    ConferencePost.objects.get_or_create(post=ChairPost.DIRECTOR, user=user, active=True)
    return user


@pytest.fixture
def chengjian(district):
    return _persona("t_chengjian", "construction", "department", "城建局测试")


@pytest.fixture
def renshe(district):
    return _persona("t_renshe", "hrss", "department", "人社局测试")


@pytest.fixture
def shuili(district):
    return _persona("t_shuili", "agriculture-water", "department", "水利局测试")


@pytest.fixture
def gongan(district):
    return _persona("t_gongan", "police", "department", "公安测试")


@pytest.fixture
def fayuan(district):
    return _persona("t_fayuan", "court", "department", "法院测试")


@pytest.fixture
def jianchayuan(district):
    return _persona("t_jianchayuan", "procuratorate", "department", "检察院测试")


@pytest.fixture
def sifa(district):
    return _persona("t_sifa", "justice", "department", "司法局测试")


@pytest.fixture
def caizheng(district):
    return _persona("t_caizheng", "finance", "department", "财政局测试")


@pytest.fixture
def luoxi(district):
    return _persona("t_luoxi", "gov-luoxi", "town", "罗溪镇测试")


@pytest.fixture
def xuejia(district):
    return _persona("t_xuejia", "gov-xuejia", "town", "薛家镇测试")


@pytest.fixture
def sysadmin(district):
    return _persona("t_sysadmin", "it", "sysadmin", "系统管理员测试")


@pytest.fixture
def secadmin(district):
    return _persona("t_secadmin", "it", "secadmin", "安全管理员测试")


@pytest.fixture
def auditor(district):
    return _persona("t_auditor", "it", "auditor", "审计员测试")


@pytest.fixture
def login(client):
    """``login(user)`` → a Django test client signed in as that user (None: anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def world(district):
    """A small fixed district: enterprises in 罗溪, 薛家 and 三井 and projects between them."""
    from anxin.registry.tests.factories import build_world

    return build_world()


# --- every status change of an audited model leaves an audit record ---------------------------------

_ANXIN = str(__import__("pathlib").Path(__file__).resolve().parent / "anxin")


def _status_fields(model) -> set[str]:
    """The fields of an audited model whose values are states (they have choices)."""
    from auditlog.registry import auditlog

    if not auditlog.contains(model):
        return set()
    return {
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "choices", None) and f"{model._meta.label}.{f.name}" not in NOT_STATUS
    }


def _caller_in_anxin_code() -> str:
    """The first frame of the project's own code (not its tests) that led to this call, if any."""
    import inspect

    for frame in inspect.stack()[2:]:
        name = frame.filename
        if name.startswith(_ANXIN) and "/tests/" not in name and "/migrations/" not in name:
            return f"{name[len(_ANXIN) - 5 :]}:{frame.lineno}"
    return ""


# Choice fields that are not states a person moves: each with the reason.
NOT_STATUS = {
    "monitoring.WatchEntry.level": "the scan's derived risk level, set in bulk with a WatchEvent per change "
    "(the scan writes no audit rows: tests/test_audit_coverage.py)",
}


@pytest.fixture(autouse=True)
def _status_changes_are_audited(monkeypatch):
    """Fails a test in which the code (not the test itself) changed a status field of an audited
    model with a raw ``update()``/``bulk_update()`` instead of ``core.audit.guarded_update`` (and so
    ``core.transitions``): such a change leaves no audit record. Tests may set up state as they like."""
    from django.db.models.query import QuerySet

    from anxin.core.audit import GUARDED

    unaudited: list[str] = []
    update, bulk_update = QuerySet.update, QuerySet.bulk_update

    def checked_update(self, **kwargs):
        touched = _status_fields(self.model) & set(kwargs)
        if touched and not GUARDED.get():
            where = _caller_in_anxin_code()
            if where:
                unaudited.append(f"{self.model._meta.label}.{sorted(touched)} at {where}")
        return update(self, **kwargs)

    def checked_bulk_update(self, objs, fields, *args, **kwargs):
        touched = _status_fields(self.model) & set(fields)
        if touched:
            where = _caller_in_anxin_code()
            if where:
                unaudited.append(f"{self.model._meta.label}.{sorted(touched)} (bulk) at {where}")
        return bulk_update(self, objs, fields, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "update", checked_update)
    monkeypatch.setattr(QuerySet, "bulk_update", checked_bulk_update)
    # core.bulk.update_rows, wherever the project's modules imported it by name.
    import sys

    from anxin.core import bulk

    update_rows = bulk.update_rows

    def checked_update_rows(model, fields, rows, **kwargs):
        touched = _status_fields(model) & set(fields)
        if touched:
            where = _caller_in_anxin_code()
            if where:
                unaudited.append(f"{model._meta.label}.{sorted(touched)} (update_rows) at {where}")
        return update_rows(model, fields, rows, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("anxin.") and getattr(module, "update_rows", None) is update_rows:
            monkeypatch.setattr(module, "update_rows", checked_update_rows)
    yield
    assert not unaudited, f"status changed without an audit record: {unaudited}"
