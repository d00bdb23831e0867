"""The one declared seam between the apps (DESIGN: "The seam").

Data moves forward along the flow core → org → registry → intake → monitoring → cases → …; an
earlier app never imports a later one. Where a later app adds something to an earlier app's
page, command or sweep, it registers a contribution here, at an extension point this module
declares, from its ``AppConfig.ready()``::

    from anxin.core import seam

    class CasesConfig(AppConfig):
        def ready(self):
            seam.register(seam.MENU, menu)           # menu(user) -> list[MenuItem]
            seam.register(seam.SWEEPS, sweeps)       # sweeps() -> list[Sweep]

and the earlier app (or core's composition: home page, menu, commands) asks for them::

    items = seam.gather(seam.MENU, user)

Every point is declared below, once, with the signature its contributions have. Registering for
or asking for an undeclared point raises ``KeyError("Invalid extension point: …")``, so a
misspelt hook fails at start-up instead of vanishing. No other module loops over
``apps.get_app_configs()`` looking for hooks.

Contributions are kept in registration order, which is INSTALLED_APPS order (Django calls the
``ready()`` methods in that order): district sections and demo data load in the order of the flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

logger = logging.getLogger(__name__)


# --- shapes of what apps contribute -------------------------------------------------------------


class MenuItem(TypedDict, total=False):
    """One entry of the top menu. ``group`` names a declared :data:`MENU_GROUPS` entry (the item
    goes into that dropdown) or is absent (the item stands alone)."""

    label: str
    url_name: str
    icon: str
    order: int
    group: str


@dataclass(frozen=True)
class MenuGroup:
    """A dropdown of the top menu; items name it by ``key``."""

    key: str
    label: str
    icon: str
    order: int


class Panel(TypedDict, total=False):
    """A card on the home page (工作台) or the cockpit: the template to include, its order (to-dos
    below 50 come before overviews) and whatever else the template reads."""

    template: str
    order: int


class Tab(TypedDict):
    """A tab another app adds to a detail page (the enterprise page, the case page): its key in the
    URL (``?tab=key``), its label, and a function that renders its body."""

    key: str
    label: str
    render: Callable[..., str]


class PageAction(TypedDict, total=False):
    """A button a later app offers on an earlier app's page ("立案处置" on an alert): label, the
    URL it opens, an icon, and the ``testid`` browser tests find it by."""

    label: str
    url: str
    icon: str
    testid: str


class RelatedRecord(TypedDict, total=False):
    """A record of a later app that an earlier app's page names ("本预警已立案：XB-2026-0012" on an
    alert): a label, the text (number and state), the URL it opens, and the ``testid``."""

    label: str
    text: str
    url: str
    testid: str


@dataclass(frozen=True)
class Sweep:
    """One periodic job of ``manage.py tick``: ``run(now=…)`` returns how many things it did.

    ``portal``: the job also runs on a portal host with a database of its own (the file exchange,
    ``ANXIN_PORTAL_EXCHANGE=files``): it only tidies the portal's own records (rate limits, codes,
    its SMS queue). Every other job works on the district's data, which is inside."""

    label: str
    run: Callable[..., int]
    portal: bool = False


@dataclass(frozen=True)
class DemoData:
    """An app's part of ``manage.py load_demo``. ``load(*, actor, log)`` writes it (idempotent);
    ``missing()`` says what must be loaded first ("" when nothing); ``real_data()`` names the
    real (non-demo) rows the app holds, e.g. ["企业 3"] — demo data never goes over real data;
    ``logins()`` gives lines to print at the end (the demo accounts)."""

    load: Callable[..., None]
    missing: Callable[[], str] | None = None
    real_data: Callable[[], list[str]] | None = None
    logins: Callable[[], list[str]] | None = None


@dataclass(frozen=True)
class CaseRef:
    """A case a signal is linked to, as a later app (cases) describes it to intake: its number, the
    stage's label, the words a worker may read about its progress (never internal notes), the unit
    that handles it and that unit's public phone, whether it is still open, and its page."""

    number: str
    stage_label: str
    public_words: str
    public_steps: tuple[str, ...] = ()
    unit_name: str = ""
    unit_phone: str = ""
    is_open: bool = True
    url: str = ""


@dataclass(frozen=True)
class CaseMoney:
    """A case's money as the app that owns claims and payments (money) sums it, in fen: workers with a
    claim, what they declared (申报), what was confirmed (确认), claims still to confirm, paid, still
    owed (尚欠), and how many workers are paid in full."""

    workers: int = 0
    claimed: int = 0
    confirmed: int = 0
    pending: int = 0
    paid: int = 0
    outstanding: int = 0
    paid_in_full: int = 0


@dataclass(frozen=True)
class WorkerMoney:
    """What a worker who reported on the portal may read about their own claim (fen): the amount
    confirmed (None until 人社局 confirms), paid so far and still owed — nobody else's."""

    confirmed: int | None
    paid: int
    outstanding: int


@dataclass(frozen=True)
class CreditStanding:
    """An enterprise's credit as the app that keeps it (credit) tells earlier apps: whether it is on
    the joint-punishment list on the day asked (and the listing's number, last day and page), and its
    latest integrity grade (A/B/C, the year, whether 人社局 confirmed it). Earlier apps show the 失信
    mark, add the grade to the monitoring rules' risk factors and to the deposit ratio."""

    blacklisted: bool = False
    listing_number: str = ""
    listed_until: Any = None  # datetime.date
    listing_url: str = ""
    grade: str = ""  # "A", "B", "C" or "" (never graded)
    grade_year: int | None = None
    grade_confirmed: bool = False
    # The first day after the day asked on which ``grade`` changes with no new record — 1 January of
    # a later year that already has a grade in force for the enterprise — or None. Monitoring's
    # assessments stand until then at the latest (their horizon, ``rules.horizon``).
    grade_changes_on: Any = None  # datetime.date


class PortalLink(TypedDict, total=False):
    """A link on the public portal's home page (no login) to a later app's public page: its label,
    the URL name it opens, a Tabler icon and one sentence under it."""

    label: str
    url_name: str
    icon: str
    description: str


@dataclass(frozen=True)
class ExportedPart:
    """What one app puts into an exchange bundle: its rows (JSON-ready dicts), the files they name
    (member name in the bundle → bytes), and its mark — where the next export starts (e.g. the
    highest id sent), kept with the bundle's record and handed back to the next ``export``.
    ``more``: the part stopped at its share of one bundle and has rows left for the next one."""

    rows: list[dict]
    files: dict[str, bytes] = field(default_factory=dict)
    mark: dict = field(default_factory=dict)
    more: bool = False


@dataclass(frozen=True)
class ExchangePart:
    """One app's part of the file exchange across the zone boundary (``manage.py portal_exchange``,
    anxin/core/exchange.py). ``direction`` is ``"reports"`` (the portal host's bundle, imported
    inside) or ``"status"`` (the internal zone's, imported on the portal host). ``export(*, since,
    now)`` returns an :class:`ExportedPart` (``since`` is the part's mark from the last export);
    ``load(rows, *, context)`` writes them inside the import's one transaction and returns how many
    it applied; a malformed row raises ``anxin.core.exchange.RowError`` naming the record and field."""

    key: str
    direction: str
    export: Callable[..., ExportedPart]
    load: Callable[..., int]


# --- the extension points -------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """An extension point: its name, what a contribution is, and how ``gather`` combines them.

    ``combine`` is ``"list"`` (each contribution is a function returning a list; the lists are
    joined), ``"dict"`` (each returns a dict; merged, a key given twice is an error), ``"each"``
    (each contribution is itself the value: a data item, or a function the caller runs)."""

    name: str
    signature: str
    combine: str = "list"
    doc: str = ""


MENU = "menu"
MENU_GROUPS = "menu_groups"
HOME_PANELS = "home_panels"
COCKPIT_PANELS = "cockpit_panels"
TODO_PANELS = "todo_panels"
ENTERPRISE_TABS = "enterprise_tabs"
PROJECT_TABS = "project_tabs"
CASE_TABS = "case_tabs"
PAGE_ACTIONS = "page_actions"
PAGE_RELATED = "page_related"
ROLE_PERMISSIONS = "role_permissions"
SWEEPS = "sweeps"
IMPORTERS = "importers"
DISTRICT_SECTIONS = "district_sections"
DEMO_DATA = "demo_data"
CLAUSE_ITEMS = "clause_items"
EVENT_RECEIVERS = "event_receivers"
CASE_PAID = "case_paid"
CASE_CLOSING_CHECKS = "case_closing_checks"
CASE_CLOSED = "case_closed"
ACTION_SECTIONS = "action_sections"
ACTION_FORMS = "action_forms"
SIGNAL_CASES = "signal_cases"
CASE_MONEY = "case_money"
SIGNAL_MONEY = "signal_money"
ENTERPRISE_CREDIT = "enterprise_credit"
PORTAL_LINKS = "portal_links"
PUBLIC_URLS = "public_urls"
EXCHANGE_PARTS = "exchange_parts"

POINTS: dict[str, Point] = {
    p.name: p
    for p in (
        Point(MENU, "(user) -> list[MenuItem]", doc="top-menu entries the user may open"),
        Point(MENU_GROUPS, "MenuGroup", combine="each", doc="a dropdown of the top menu"),
        Point(HOME_PANELS, "(request) -> list[Panel]", doc="cards on the home page (工作台)"),
        Point(COCKPIT_PANELS, "(request) -> list[Panel]", doc="cards on the monitoring cockpit"),
        Point(
            TODO_PANELS,
            "(request) -> list[Panel]",
            doc="cards on 我的待办 (cases' board) for what a later app asks the user's unit to act on "
            "(money: the fund advances 财政局 must review)",
        ),
        Point(ENTERPRISE_TABS, "(request, enterprise) -> list[Tab]", doc="tabs on the enterprise page"),
        Point(CASE_TABS, "(request, case) -> list[Tab]", doc="tabs on the case page"),
        Point(
            PROJECT_TABS,
            "(request, project) -> list[Tab]",
            doc="tabs on the construction project page (sites: 实名花名册, 工资发放, 保证金)",
        ),
        Point(
            PAGE_ACTIONS,
            "(request, page: str, obj) -> list[PageAction]",
            doc="buttons a later app offers on an earlier app's detail page; ``page`` names the page "
            "(see PAGES)",
        ),
        Point(
            PAGE_RELATED,
            "(request, page: str, obj) -> list[RelatedRecord]",
            doc="records of a later app named on an earlier app's detail page (the case an alert was "
            "handled by); ``page`` names the page (see PAGES); scoped to the request's user",
        ),
        Point(ROLE_PERMISSIONS, "() -> dict[role, list[perm]]", doc="what each role may do in the app"),
        Point(SWEEPS, "() -> list[Sweep]", doc="periodic jobs run by ``manage.py tick``"),
        Point(IMPORTERS, "() -> dict[kind, importer]", combine="dict", doc="kinds of ``manage.py import``"),
        Point(
            DISTRICT_SECTIONS,
            "(data: dict, *, actor, log) -> None",
            combine="each",
            doc="loads the app's sections of the district file (``load_district``), in flow order",
        ),
        Point(
            DEMO_DATA,
            "DemoData",
            combine="each",
            doc="loads the app's demo data (``load_demo``), in flow order",
        ),
        Point(CLAUSE_ITEMS, "() -> list[(citation, item)]", doc="the app's features under their clauses"),
        Point(
            CASE_PAID,
            "(case_ids: list[int]) -> dict[case_id, fen]",
            combine="each",
            doc="what has been paid so far on each case (money owns payments; cases shows the sum)",
        ),
        Point(
            CASE_CLOSING_CHECKS,
            "(case, *, outcome: str, amount_paid: int) -> list[str]",
            doc="why a case cannot close this way (problems in Chinese; empty when it can)",
        ),
        Point(
            CASE_CLOSED,
            "(case, *, actor, outcome: str, amount_paid: int, now) -> None",
            combine="each",
            doc="called inside the closing transaction (money records the amount paid at closing)",
        ),
        Point(
            ACTION_SECTIONS,
            "(request, action) -> list[Panel]",
            doc="blocks on a legal action's page (money: the payment schedule); a panel's ``slot`` is "
            "``main`` (below the steps) or ``handle`` (in the 办理 card, for those who handle it)",
        ),
        Point(
            ACTION_FORMS,
            "() -> dict[do, (request, action) -> str]",
            combine="dict",
            doc="forms a later app puts on a legal action's page, posted there with ``do=<key>``: the "
            "handler validates, calls a service and returns the success message; a DomainError it "
            "raises comes back on the page with what was typed (``kept``)",
        ),
        Point(
            SIGNAL_CASES,
            "(signal_ids: list[int]) -> dict[signal_id, list[CaseRef]]",
            combine="each",
            doc="the cases each signal is linked to (cases owns the link): intake refuses to close a "
            "worker's report while its case is open, and the portal shows the case's progress",
        ),
        Point(
            CASE_MONEY,
            "(case_ids: list[int]) -> dict[case_id, CaseMoney]",
            combine="each",
            doc="each case's workers' money (money owns claims): a case with claims has its registered "
            "amount from them, so cases refuses to have it typed",
        ),
        Point(
            SIGNAL_MONEY,
            "(signal_ids: list[int]) -> dict[signal_id, WorkerMoney]",
            combine="each",
            doc="what a portal reporter's own claim has been confirmed at and paid (the portal's status page)",
        ),
        Point(
            ENTERPRISE_CREDIT,
            "(enterprise_ids: list[int], on: date) -> dict[enterprise_id, CreditStanding]",
            combine="each",
            doc="each enterprise's credit on a day (credit owns listings and grades): registry shows the "
            "失信 mark and the API's ``blacklisted``, monitoring adds the grade as a risk factor, sites "
            "raises the deposit ratio; one query per list, absent means nothing on record",
        ),
        Point(
            PORTAL_LINKS,
            "() -> list[PortalLink]",
            doc="links on the public portal's home page (intake) to a later app's public page (sites: "
            "劳动计酬手册; credit: 重大劳动保障违法行为公布); each opens without a login",
        ),
        Point(
            PUBLIC_URLS,
            "str (the dotted path of a URLconf module)",
            combine="each",
            doc="the app's pages that answer without a login (the worker portal and what it links to): "
            "the internet zone (``ANXIN_ZONE=public``, anxin/urls_public.py) mounts these and nothing "
            "else; the internal zone mounts them through the app's own urls.py",
        ),
        Point(
            EXCHANGE_PARTS,
            "ExchangePart",
            combine="each",
            doc="the app's rows in the file exchange across the zone boundary (``portal_exchange``): "
            "what the portal host wrote (intake's reports and actions, notify's held notices) and "
            "the copies the portal reads (intake's report states, progress and board projects, "
            "sites' 计酬手册, credit's listings and published violations)",
        ),
        Point(
            EVENT_RECEIVERS,
            "(topic: str, payload: dict) -> None",
            combine="each",
            doc="receives the declared TOPICS after the publishing transaction commits",
        ),
    )
}

# The pages that offer PAGE_ACTIONS and PAGE_RELATED (an earlier app's detail page asks with its page name).
PAGES = frozenset({"intake.signal", "monitoring.alert"})

# Event topics (core.events.publish): an earlier app announces a change a later one reacts to.
SIGNALS_CHANGED = "signals.changed"  # payload: enterprise_ids — signals recorded, moved or matched
OBSERVATIONS_CHANGED = "observations.changed"  # payload: enterprise_ids — monitoring figures recorded
CREDIT_CHANGED = "credit.changed"  # payload: enterprise_ids — listed, ended, or a grade in force changed
TOPICS = frozenset({SIGNALS_CHANGED, OBSERVATIONS_CHANGED, CREDIT_CHANGED})


@dataclass
class _Store:
    point: Point
    entries: list[tuple[str, Any]] = field(default_factory=list)


_STORES: dict[str, _Store] = {name: _Store(point) for name, point in POINTS.items()}


def _store(point: str) -> _Store:
    try:
        return _STORES[point]
    except KeyError:
        raise KeyError(f"Invalid extension point: {point}") from None


def _identity(contribution: Any) -> Any:
    """What makes two registrations the same: a bound method's function (Django may build a new
    AppConfig and call ``ready()`` again, as tests with an isolated app registry do), a
    dataclass's fields by the same rule, else the object."""
    if hasattr(contribution, "__func__"):
        return contribution.__func__
    if isinstance(contribution, DemoData):
        return tuple(_identity(getattr(contribution, f)) for f in ("load", "missing", "real_data", "logins"))
    return contribution


def register(point: str, contribution: Any, *, app: str) -> None:
    """Add ``contribution`` (of the point's declared signature) from ``app`` (its label).

    Registering the same contribution again from the same app is ignored (Django may call
    ``ready()`` more than once)."""
    store = _store(point)
    key = (app, _identity(contribution))
    if any((a, _identity(c)) == key for a, c in store.entries):
        return
    if store.point.combine != "each" and not callable(contribution):
        raise TypeError(f"{point}: a contribution must be callable ({store.point.signature})")
    store.entries.append((app, contribution))


def contributions(point: str) -> list[tuple[str, Any]]:
    """``(app label, contribution)`` pairs registered for ``point``, in registration order."""
    return list(_store(point).entries)


def collect(point: str, *args: Any, **kwargs: Any) -> Any:
    """Ask every app that contributes to ``point``.

    ``list`` points: call each with the arguments and join the lists. ``dict`` points: merge the
    dicts (a key offered by two apps raises). ``each`` points: the contributions themselves, in
    order (data items, or functions the caller runs with its own error handling)."""
    store = _store(point)
    kind = store.point.combine
    if kind == "each":
        if args or kwargs:
            raise TypeError(f"{point}: contributions are returned, not called")
        return [contribution for _app, contribution in store.entries]
    if kind == "dict":
        merged: dict = {}
        for app, provider in store.entries:
            for key, value in provider(*args, **kwargs).items():
                if key in merged:
                    raise ValueError(f"{point}: {key!r} is offered twice (again by {app})")
                merged[key] = value
        return merged
    joined: list = []
    for _app, provider in store.entries:
        joined.extend(provider(*args, **kwargs))
    return joined


def role_permissions(role: str) -> list[str]:
    """The permissions every app grants ``role`` (org's own table adds its part)."""
    perms: list[str] = []
    for _app, provider in _store(ROLE_PERMISSIONS).entries:
        perms.extend(provider().get(role, []))
    return perms


def paid_so_far(case_ids: list[int]) -> dict[int, int]:
    """Fen paid so far on each case, summed over every app that records payments (0 if none)."""
    totals = dict.fromkeys(case_ids, 0)
    for _app, provider in _store(CASE_PAID).entries:
        for case_id, fen in provider(list(case_ids)).items():
            totals[case_id] = totals.get(case_id, 0) + fen
    return totals


def case_money(case_ids: list[int]) -> dict[int, CaseMoney]:
    """Each case's workers' money over every app registered at CASE_MONEY (absent: no claims)."""
    found: dict[int, CaseMoney] = {}
    for _app, provider in _store(CASE_MONEY).entries:
        found.update(provider(list(case_ids)))
    return found


def signal_money(signal_ids: list[int]) -> dict[int, WorkerMoney]:
    """The reporter's own claim for each signal that has one (absent otherwise)."""
    found: dict[int, WorkerMoney] = {}
    for _app, provider in _store(SIGNAL_MONEY).entries:
        found.update(provider(list(signal_ids)))
    return found


def signal_cases(signal_ids: list[int]) -> dict[int, list[CaseRef]]:
    """The cases linked to each signal, over every app registered at SIGNAL_CASES (empty if none)."""
    found: dict[int, list[CaseRef]] = {pk: [] for pk in signal_ids}
    for _app, provider in _store(SIGNAL_CASES).entries:
        for signal_id, refs in provider(list(signal_ids)).items():
            found.setdefault(signal_id, []).extend(refs)
    return found


def enterprise_credit(enterprise_ids: Iterable[int], on: Any = None) -> dict[int, CreditStanding]:
    """Each enterprise's credit on ``on`` (today when None) over every app registered at
    ENTERPRISE_CREDIT; an enterprise with nothing on record is absent (read: not listed, no grade)."""
    ids = list(enterprise_ids)
    found: dict[int, CreditStanding] = {}
    if not ids:
        return found
    for _app, provider in _store(ENTERPRISE_CREDIT).entries:
        found.update(provider(ids, on))
    return found


def page_actions(request: Any, page: str, obj: Any) -> list[PageAction]:
    """The buttons later apps offer on ``page`` for ``obj``; ``page`` must be declared in PAGES."""
    if page not in PAGES:
        raise KeyError(f"Invalid page for actions: {page}")
    return collect(PAGE_ACTIONS, request, page, obj)


def page_related(request: Any, page: str, obj: Any) -> list[RelatedRecord]:
    """The later apps' records named on ``page`` for ``obj``; ``page`` must be declared in PAGES."""
    if page not in PAGES:
        raise KeyError(f"Invalid page for related records: {page}")
    return collect(PAGE_RELATED, request, page, obj)


def check_topic(topic: str) -> None:
    if topic not in TOPICS:
        raise KeyError(f"Invalid event topic: {topic}")
