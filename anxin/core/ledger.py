"""A ledger (台账): a filtered, scoped, paged list whose columns are declared once.

The same declaration gives the Excel export (labels, widths, number formats) and the screen's
table headers; the screen's cells stay in the ledger's template (links, badges). One view serves
every ledger: filter form → scoped selector → ``?export=xlsx`` (refused without the export
permission) or one page, the table alone for an HTMX request. A ledger is a module-level
declaration in its app's views, and its view is ``ledger_view(LEDGER)``; see
``anxin.core.views.SECURITY_EVENTS`` (the smallest) and the enterprise ledger (a screen with
its own cells).

Templates render the headers with ``{% include "core/_ledger_head.html" %}``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from anxin.core.forms import FilterForm
from anxin.core.paging import PER_PAGE, paginate
from anxin.core.xlsx import Col, xlsx_response

Kind = Literal["text", "int", "money", "date", "datetime"]


CHUNK = 1000  # rows read, enriched and written at a time by an export


@dataclass(frozen=True)
class Column:
    """One column of a ledger.

    ``value`` is an attribute path on the row (``"enterprise.town.name"``; a method at the end is
    called, so ``"get_status_display"`` works; a missing link gives an empty cell) or a callable
    taking the row. ``kind``: text, int, money (fen, exported as yuan with two decimals), date or
    datetime (exported as Excel dates, in local time); ``num_format`` overrides the kind's format.
    """

    label: str
    value: str | Callable[[Any], Any]
    width: int = 14
    kind: Kind = "text"
    num_format: str = ""

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value = row
        for name in self.value.split("."):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value() if callable(value) else value

    @property
    def col(self) -> Col:
        return Col(self.label, self.width, self.kind, self.num_format)


@dataclass(frozen=True)
class Header:
    """A column as the screen shows it: which column, its shorter screen label, the cell's CSS,
    and a tooltip when the short label needs one."""

    column: str  # the column's label
    label: str = ""  # the screen's label; the column's when empty
    css: str = ""
    title: str = ""


@dataclass(frozen=True)
class Ledger:
    """One ledger: what it lists, who may see and export it, how it looks."""

    title: str  # the sheet's title line, and what the export log names
    columns: Sequence[Column]
    filter_form: type[FilterForm]  # constructed with (GET, user=); gives filters() and describe()
    select: Callable[..., Iterable]  # the scoped selector: select(user=, **form.filters())
    permission: str  # to open the ledger
    template: str  # the full page
    page_title: str = ""  # the page's heading; the title when empty
    filename: str = ""  # the download's name before the time stamp; the title when empty
    export_permission: str | None = None  # None: whoever opens the ledger may export it
    refusal: str = "您的角色不能导出该台账。"  # shown when the export is refused
    partial: str | None = None  # the table alone, for an HTMX request (else the full page)
    screen: Sequence[Header] = ()  # the screen's table headers, in the screen's order
    per_page: int = PER_PAGE
    export_limit: int | None = None  # at most this many rows in one export
    context: Callable[[HttpRequest, dict], dict] | None = None  # more for the page, given the page's
    paged: Callable[[Any], Any] | None = None  # what the paginator pages, when not the rows themselves
    # Fills in, for a chunk of exported rows at once, what they read from later apps through the
    # seam (a case's paid so far, say): one query per chunk, never one per row.
    enrich: Callable[[list], None] | None = None
    headers: list[dict] = field(init=False, repr=False, compare=False)
    declared_in: str = field(init=False, repr=False, compare=False)  # the declaring module

    def __post_init__(self):
        # The module that declared the ledger (the frame above the dataclass's __init__), so that
        # ``declared()`` can list every ledger of the project, with or without a ledger_view.
        object.__setattr__(self, "declared_in", sys._getframe(2).f_globals.get("__name__", ""))
        _DECLARED.append(self)
        labels = {c.label for c in self.columns}
        unknown = [h.column for h in self.screen if h.column not in labels]
        if unknown:
            raise ValueError(f"{self.title}: screen headers name no column: {', '.join(unknown)}")
        by_label = {c.label: c for c in self.columns}
        headers = [
            {"label": h.label or by_label[h.column].label, "css": h.css, "title": h.title}
            for h in self.screen
        ]
        object.__setattr__(self, "headers", headers)

    def rows(self, items: Iterable) -> Iterator[list]:
        """The export's cells, row by row (a queryset is read in chunks of ``CHUNK``)."""
        if isinstance(items, QuerySet):
            if self.export_limit is not None:
                items = items[: self.export_limit]
            items = items.iterator(chunk_size=CHUNK)
        rows = iter(items)
        while batch := list(itertools.islice(rows, CHUNK)):
            if self.enrich is not None:
                self.enrich(batch)
            for item in batch:
                yield [column.of(item) for column in self.columns]

    def export(
        self, request: HttpRequest, items: Iterable, *, filters: str = "", title: str = "", filename: str = ""
    ) -> HttpResponse:
        """The rows as an Excel download, logged (``title``/``filename``: say, one campaign's)."""
        return xlsx_response(
            request,
            filename=filename or self.filename or self.title,
            title=title or self.title,
            columns=[column.col for column in self.columns],
            rows=self.rows(items),
            filters=filters,
        )

    def may_export(self, user: Any) -> bool:
        return self.export_permission is None or user.has_perm(self.export_permission)


_DECLARED: list[Ledger] = []


def declared() -> list[Ledger]:
    """Every ledger declared so far (import the apps' views first), in the order declared: the
    export tests go through all of them, so a new ledger is checked without being named."""
    return list(_DECLARED)


def ledger_view(ledger: Ledger) -> Callable[[HttpRequest], HttpResponse]:
    """The ledger's screen and export: one view, behind the ledger's view permission."""

    @login_required
    @permission_required(ledger.permission, raise_exception=True)
    def view(request: Any) -> HttpResponse:
        form = ledger.filter_form(request.GET or None, user=request.user)
        rows = ledger.select(user=request.user, **form.filters())
        if request.GET.get("export") == "xlsx":
            if not ledger.may_export(request.user):
                messages.error(request, ledger.refusal)
                return redirect(request.path)
            return ledger.export(request, rows, filters=form.describe())
        context = {
            "page_title": ledger.page_title or ledger.title,
            "form": form,
            "ledger": ledger,
            **paginate(request, ledger.paged(rows) if ledger.paged else rows, per_page=ledger.per_page),  # type: ignore[arg-type]  # a selector returns a queryset or a list
        }
        if ledger.context is not None:
            context.update(ledger.context(request, context))
        if ledger.partial and request.htmx:
            return render(request, ledger.partial, context)
        return render(request, ledger.template, context)

    view.ledger = ledger  # type: ignore[attr-defined]  # tests and URL lists find the declaration
    return view
