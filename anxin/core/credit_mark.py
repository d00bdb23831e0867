"""The 失信 mark (issue 17: "the enterprise page and every enterprise list show a 失信 mark while
listed, to every persona that can see the enterprise"). Credit is a later app: an earlier app's page
or ledger learns who is listed only through ``seam.enterprise_credit`` — once per page (or per chunk
of an export), never once per row — with these helpers, and shows the mark with
``{% credit_mark standings enterprise_id %}`` (``core/_credit_mark.html``).

- ``standings(ids)``: the page's enterprises → ``{id: CreditStanding}`` (absent: nothing on record).
- ``ledger_context(attr)``: a ``Ledger.context`` that adds ``standings`` for the page's rows.
- ``mark_rows(attr)``: a ``Ledger.enrich`` that sets ``row.blacklisted`` for an exported chunk;
  ``BLACKLISTED`` is the export's 失信 是/否 column reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from anxin.core import seam
from anxin.core.ledger import Column


def _path(row: Any, attr: str) -> Any:
    value = row
    for name in attr.split("."):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def standings(ids: Iterable[int | None], on: Any = None) -> dict[int, seam.CreditStanding]:
    """Each enterprise's credit today (or ``on``), for a page's ids; no ids, no query."""
    wanted = sorted({int(i) for i in ids if i})
    return seam.enterprise_credit(wanted, on) if wanted else {}


def standings_for(rows: Iterable[Any], attr: str = "enterprise_id") -> dict[int, seam.CreditStanding]:
    """``standings`` for rows naming their enterprise at ``attr`` (``"pk"`` for enterprises)."""
    return standings(_path(row, attr) for row in rows)


def is_blacklisted(found: dict[int, seam.CreditStanding], enterprise_id: int | None) -> bool:
    standing = found.get(enterprise_id) if enterprise_id else None
    return bool(standing and standing.blacklisted)


def ledger_context(
    attr: str = "enterprise_id", then: Callable[[Any, dict], dict] | None = None
) -> Callable[[Any, dict], dict]:
    """A ``Ledger.context`` adding ``standings`` for the page's rows (after ``then``, the ledger's own
    context, which may replace the page's rows)."""

    def context(request: Any, ctx: dict) -> dict:
        extra = then(request, ctx) if then is not None else {}
        page = ctx.get("page")
        rows = list(page.object_list) if page is not None else []
        return {**extra, "standings": standings_for(rows, attr)}

    return context


def mark_rows(
    attr: str = "enterprise_id", then: Callable[[list], None] | None = None
) -> Callable[[list], None]:
    """A ``Ledger.enrich`` setting ``row.blacklisted`` for a chunk of exported rows (one read)."""

    def enrich(rows: list) -> None:
        if then is not None:
            then(rows)
        found = standings_for(rows, attr)
        for row in rows:
            row.blacklisted = is_blacklisted(found, _path(row, attr))

    return enrich


def blacklisted_column(label: str = "失信") -> Column:
    """The export's 是/否 column, reading what ``mark_rows`` set."""
    return Column(label, lambda row: "是" if getattr(row, "blacklisted", False) else "否", 6)


BLACKLISTED = blacklisted_column()
