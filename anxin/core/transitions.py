"""The one way a status changes (DESIGN rule 4).

A status field has a table of rows ``(from, action) → to`` with the permission it needs, who may
make it (a name the owning app's check reads: "lead", "office", "handler"…), a guard (a name the
app's service checks before moving) and whether a reason is required. ``Workflow.move`` then
does what every change of status must do, in one transaction:

1. a conditional ``UPDATE … WHERE pk = … AND status = old`` that must touch one row — if another
   user got there first, nothing changes and the caller gets "已被他人处理" (``code="conflict"``);
2. the audit-log entry with the field diff (``core.audit.guarded_update``);
3. the append-only event row: who, when, from → to, the action and why.

No state-machine library: the table is data, the services stay plain functions::

    FLOW = Workflow(
        model=Report, field="status", event_model=ReportEvent, event_object="report", noun=_("报告"),
        rows=[Transition(Status.DRAFT, Action.SUBMIT, Status.SUBMITTED, "<app>.submit_report"), …],
    )
    step = FLOW.step(report, Action.SUBMIT)              # refuses an action not in the table
    require_perm(actor, step.perm)                       # the app checks who (and its guards)
    FLOW.move(report, step, actor=actor, note=note)      # update + audit + event, or conflict
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.audit import acting, guarded_update
from anxin.core.errors import DomainError


@dataclass(frozen=True)
class Transition:
    """One row of a transitions table: from a status, an action, to a status, and the rule for who
    may make it. ``who`` and ``guard`` are names the owning app's service reads (empty: none)."""

    source: str
    action: str
    target: str
    perm: str
    who: str = ""
    guard: str = ""
    reason_required: bool = False


class Workflow:
    """The transitions table of one status field, and the one way to move along it.

    ``event_model`` is the append-only event table (a ``core.models.Event``): ``event_object``
    names its foreign key to the record, ``event_action`` its action column, ``event_from`` /
    ``event_to`` its from/to columns (``None`` when the table keeps no from → to).
    ``event_owner`` gives the record the event row belongs to when it is not the moved object
    itself (a legal action's ending is a line on its case's timeline: ``lambda a: a.case``).
    ``action_labels`` gives the Chinese name of each action and ``status_word`` the word for the
    field (状态, 阶段) in the refusal: "线索处于“已受理登记”阶段，不能“办结”"."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        field: str,
        rows: Iterable[Transition],
        event_model: type[models.Model],
        event_object: str,
        noun: str,
        event_action: str = "action",
        event_from: str | None = None,
        event_to: str | None = None,
        action_labels: dict[str, str] | None = None,
        status_word: str = "状态",
        event_owner: Callable[[Any], models.Model] | None = None,
    ) -> None:
        self.model = model
        self.field = field
        self.rows: tuple[Transition, ...] = tuple(rows)
        self.event_model = event_model
        self.event_object = event_object
        self.event_action = event_action
        self.event_from = event_from
        self.event_to = event_to
        self.noun = noun
        self.action_labels = action_labels or {}
        self.status_word = status_word
        self.event_owner = event_owner
        self._by_key = {(row.source, row.action): row for row in self.rows}
        if len(self._by_key) != len(self.rows):
            raise ValueError(f"{model.__name__}.{field}: a (from, action) pair appears twice")
        status_field = model._meta.get_field(field)
        statuses = {value for value, _label in getattr(status_field, "choices", None) or []}
        for row in self.rows:
            if row.source not in statuses or row.target not in statuses:
                raise ValueError(f"{model.__name__}.{field}: {row} names an unknown status")

    # --- reading the table ---------------------------------------------------------------------

    def find(self, status: str, action: str) -> Transition | None:
        return self._by_key.get((status, action))

    def step(self, obj: models.Model, action: str) -> Transition:
        """The row for ``action`` from ``obj``'s status, or a refusal naming both in Chinese."""
        row = self.find(getattr(obj, self.field), action)
        if row is None:
            raise self.refusal(obj, action)
        return row

    def refusal(self, obj: models.Model, action: str) -> DomainError:
        """ "线索处于“已受理登记”阶段，不能“办结”": for an action the table holds but this service
        does not take (a closing asks for its own service), as for one the table does not hold."""
        label = getattr(obj, f"get_{self.field}_display")()
        return DomainError(
            _("%(noun)s处于“%(s)s”%(word)s，不能“%(a)s”")
            % {
                "noun": self.noun,
                "s": label,
                "word": self.status_word,
                "a": self.action_labels.get(action, action),
            },
            code="transition",
        )

    def actions(self, obj: models.Model, *, may: Callable[[Transition], bool]) -> list[str]:
        """The actions open from ``obj``'s status that ``may`` allows, in table order."""
        status = getattr(obj, self.field)
        return [row.action for row in self.rows if row.source == status and may(row)]

    # --- moving ----------------------------------------------------------------------------------

    def move(
        self,
        obj: models.Model,
        step: Transition,
        *,
        actor: Any,
        note: str = "",
        values: dict | None = None,
        scope: models.QuerySet | None = None,
        event: dict | None = None,
        now: datetime.datetime | None = None,
        conflict: str | None = None,
    ) -> models.Model:
        """Move ``obj`` along ``step``: guarded update (plus ``values``; ``scope`` narrows the
        guard further, e.g. "not merged"), audit diff and event row, in one transaction. The
        caller's in-memory ``obj`` is refreshed. Raises ``DomainError(code="conflict")`` when the
        row was no longer at ``step.source``."""
        old = getattr(obj, self.field)
        if old != step.source:
            raise DomainError(conflict or self._conflict(), code="conflict")
        now = now or timezone.now()
        queryset = (scope if scope is not None else self.model._default_manager.all()).filter(
            **{self.field: old}
        )
        with transaction.atomic(), acting(actor):
            touched = guarded_update(queryset, obj.pk, **{self.field: step.target, **(values or {})})
            if touched != 1:
                raise DomainError(conflict or self._conflict(), code="conflict")
            self.record(
                obj,
                step.action,
                actor=actor,
                note=note,
                source=old,
                target=step.target,
                at=now,
                **(event or {}),
            )
        obj.refresh_from_db()
        return obj

    def record(
        self,
        obj: models.Model,
        action: str,
        *,
        actor: Any,
        note: str = "",
        source: str = "",
        target: str = "",
        at: datetime.datetime | None = None,
        **extra: Any,
    ) -> models.Model:
        """The event row for ``obj`` (a move's, or an action that changes no status)."""
        fields = {
            self.event_object: self.event_owner(obj) if self.event_owner else obj,
            self.event_action: action,
            "actor": actor,
            "at": at or timezone.now(),
            "note": note,
            **extra,
        }
        if self.event_from:
            fields[self.event_from] = source
        if self.event_to:
            fields[self.event_to] = target
        return self.event_model._default_manager.create(**fields)

    def _conflict(self) -> str:
        return _("该%(noun)s已被他人处理，请刷新后查看") % {"noun": self.noun}
