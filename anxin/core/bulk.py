"""Writing many rows at once without building a model instance per row.

``bulk_create`` prepares every value of every instance through the ORM (≈ 5 µs a field); a scan
that writes a hundred thousand assessments spends most of its time there. ``insert_rows`` sends
one prepared statement per batch and prepares only the values that need it (dates, times, JSON)
through the field's own ``get_db_prep_save`` — so what reaches the database is what the ORM would
have sent, on SQLite and PostgreSQL alike.

No signals are sent and nothing is audited: use it for derived, append-only or system-written rows
(assessments, alerts, events), never for data a person entered.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, overload

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.options import Options
from django.utils import timezone

# PostgreSQL: up to this many rows go as one statement with a typed array per column (``_unnest``).
# More go by COPY, which costs a savepoint, a sequence read and, for an upsert, a temporary table
# — several milliseconds before the first row, most of a day's first scan when it was paid for a
# handful of rows.
SMALL_BATCH = 1000
_PREPARED = (models.DateField, models.TimeField, models.JSONField, models.DecimalField, models.UUIDField)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a batch that builds and drops many small objects.

    Reading a chunk of a city-scale scan allocates hundreds of thousands of tuples; each
    allocation threshold passed starts a collection that walks every live object, and none of them
    is garbage — a quarter of a full scan went there. Reference counting still frees what the batch
    drops; cycles wait until the collector is back on. Nested pauses leave it off until the outer
    one ends; a collector the caller had turned off stays off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@overload
def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    upsert_on: Sequence[str] = (),
    returning: Literal[True],
    batch_size: int = 2000,
) -> list[int]: ...


@overload
def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    upsert_on: Sequence[str] = (),
    returning: Literal[False] = False,
    batch_size: int = 2000,
) -> int: ...


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    upsert_on: Sequence[str] = (),
    returning: bool = False,
    batch_size: int = 2000,
) -> list[int] | int:
    """INSERT ``rows`` (tuples in the order of ``fields``, attribute names such as ``enterprise_id``;
    other non-null columns take the model's default).

    With ``upsert_on`` (a unique set of fields) an existing row is updated instead (ON CONFLICT …
    DO UPDATE, the same syntax on SQLite and PostgreSQL). With ``returning`` the new primary keys
    come back in the order of ``rows`` (multi-row VALUES … RETURNING, as ``bulk_create`` does);
    otherwise the number of rows sent."""
    if upsert_on and returning:
        raise ValueError("insert_rows: an upsert does not return ids (an updated row keeps its own)")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    # Concrete fields; django-stubs types get_field() as "a field or a reverse relation" and a
    # field's column as optional, neither of which a named insert column can be.
    columns: list[Any] = [meta.get_field(name) for name in fields]
    # Columns not given take their model default (the database has none of its own): blank
    # texts, zero counters, "now" for auto_now fields — as ``bulk_create`` would fill them.
    constants = []
    for f in meta.concrete_fields:
        if f.primary_key or f in columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants.append((f, timezone.now()))
        elif f.has_default():
            if callable(f.default) and f.default not in (dict, list):  # per-row values (uuid4…)
                raise ValueError(f"insert_rows: give {f.name} explicitly (its default is computed per row)")
            constants.append((f, f.get_default()))
        elif not f.null and f.empty_strings_allowed:  # a blank text is ""
            constants.append((f, f.get_default()))
    columns += [f for f, _v in constants]
    extra = tuple(v for _f, v in constants)
    head = "INSERT INTO {table} ({cols}) VALUES ".format(  # noqa: S608 (quoted model identifiers)
        table=quote(meta.db_table), cols=", ".join(quote(f.column) for f in columns)
    )
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = ""
    if upsert_on:
        tail = _on_conflict(meta, columns[: len(fields)], upsert_on, quote)
    if returning:
        tail += f" RETURNING {quote(_column(meta, None))}"
        limit = connection.features.max_query_params
        if limit:
            batch_size = min(batch_size, max(1, limit // len(columns)))
    prepare = [(i, f.get_db_prep_save) for i, f in enumerate(columns) if isinstance(f, _PREPARED)]
    # A scan writes the same timestamp into every row: prepare such a value once, not once per
    # row (immutable values only — a JSON dict may change between rows).
    immutable = {i for i, f in enumerate(columns) if not isinstance(f, models.JSONField)}
    memo: dict[int, tuple[object, object]] = {}

    def prepared(row: Sequence) -> list:
        values = [*row, *extra]
        for i, prep in prepare:
            value = values[i]
            if value is None:
                continue
            last = memo.get(i)
            if last is not None and last[0] is value:
                values[i] = last[1]
            else:
                values[i] = prep(value, connection)
                if i in immutable:
                    memo[i] = (value, values[i])
        return values

    if connection.vendor == "postgresql":
        values = [prepared(row) for row in rows]
        if not values:  # nothing to write: no statement, no savepoint (a day's scan has many such)
            return [] if returning else 0
        if len(values) > SMALL_BATCH:
            return _copy(connection, meta, columns, values, len(fields), upsert_on, returning)
        return _unnest(connection, meta, columns, values, len(fields), upsert_on, returning)

    ids: list[int] = []
    sent = 0
    batch: list[list] = []

    def flush(cursor: Any) -> None:
        nonlocal sent
        if not batch:
            return
        if returning:
            sql = head + ", ".join([one] * len(batch)) + tail
            cursor.execute(sql, [v for values in batch for v in values])
            ids.extend(row[0] for row in cursor.fetchall())
        else:
            cursor.executemany(head + one + tail, batch)
        sent += len(batch)
        batch.clear()

    with connection.cursor() as cursor:
        for row in rows:
            batch.append(prepared(row))
            if len(batch) >= batch_size:
                flush(cursor)
        flush(cursor)
    return ids if returning else sent


def _column(meta: Options, name: str | None) -> str:
    """The database column of the field ``name`` (the primary key for None)."""
    field = meta.pk if name is None else meta.get_field(name)
    column = getattr(field, "column", None)
    if not column:
        raise ValueError(f"insert_rows: {name or 'pk'} of {meta.label} is not a column")
    return column


def _on_conflict(
    meta: Options, given_columns: list[Any], upsert_on: Sequence[str], quote: Callable[[str], str]
) -> str:
    """ON CONFLICT on the unique fields: update what was given (defaults only fill new rows)."""
    keys = {_column(meta, name) for name in upsert_on}
    sets = ", ".join(
        f"{quote(f.column)} = excluded.{quote(f.column)}" for f in given_columns if f.column not in keys
    )
    action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
    return f" ON CONFLICT ({', '.join(quote(k) for k in sorted(keys))}) {action}"


def _typed_arrays(connection: BaseDatabaseWrapper, fields: Sequence[Any]) -> str:
    """``unnest(%b::type[], …)``: one array parameter per column (``%b``: the binary format, no
    escaping), cast to the column's type without its modifier (``varchar``, not ``varchar(6)``): an
    explicit cast to a length cuts a longer text silently, while storing a ``varchar`` in the column
    refuses it, as any other insert would. A column that is itself an array cannot be one (unnest
    would flatten it)."""
    types = [re.sub(r"\(.*\)", "", f.db_type(connection)) for f in fields]
    if any(t.endswith("]") for t in types):
        raise ValueError("insert_rows/update_rows: an array column cannot be written as one array per column")
    return "unnest(" + ", ".join(f"%b::{t}[]" for t in types) + ")"


def _as_columns(fields: Sequence[Any], rows: list[list], connection: BaseDatabaseWrapper) -> list[list]:
    """The rows as one list per column, for ``_typed_arrays``. psycopg dumps a list as one array
    type: a column whose values are of several Python types (an int and a float, a bool and an int)
    is first prepared by its field (``get_db_prep_save``), as the ORM would, which makes them one."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    for index, (field, values) in enumerate(zip(fields, columns, strict=True)):
        if len({type(v) for v in values if v is not None}) > 1:
            columns[index] = [v if v is None else field.get_db_prep_save(v, connection) for v in values]
    return columns


def _server_bound(connection: BaseDatabaseWrapper) -> Any:
    """A cursor that binds its parameters on the server: a psycopg ``Cursor`` on Django's connection
    (its transaction and adapters), wrapped as Django wraps its own (its errors, query log and
    count, execute wrappers and checks). Django's own cursors render every value into the
    statement's text on the client: for a few hundred rows that text took longer to build than to
    run (11 ms for a 1,400-value VALUES list); here each column goes as one typed array."""
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))  # type: ignore[attr-defined]


def _with_new_ids(cursor: Any, meta: Options, table: str, rows: list[list]) -> tuple[list[int], list[list]]:
    """PostgreSQL: as many new ids drawn from the table's sequence as there are rows, and the rows
    with them in front, so the ids come back in the order of ``rows`` (``table``: the quoted name,
    which ``pg_get_serial_sequence`` parses)."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [table, _column(meta, None), len(rows)],
    )
    ids = [r[0] for r in cursor.fetchall()]
    return ids, [[pk, *row] for pk, row in zip(ids, rows, strict=True)]


def _unnest(
    connection: BaseDatabaseWrapper,
    meta: Options,
    columns: list[Any],
    rows: list[list],
    given: int,
    upsert_on: Sequence[str],
    returning: bool,
) -> list[int] | int:
    """PostgreSQL, a few rows: ``INSERT … SELECT * FROM unnest(arrays) [ON CONFLICT …]`` — one
    statement, parameters bound on the server, no savepoint or temporary table. New ids are drawn
    from the table's sequence first (one more statement), so they come back in the order of ``rows``."""
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    fields = list(columns)
    with _server_bound(connection) as cursor:
        ids: list[int] = []
        if returning:
            ids, rows = _with_new_ids(cursor, meta, table, rows)
            fields = [meta.pk, *fields]
        cols = ", ".join(quote(f.column) for f in fields)
        sql = f"INSERT INTO {table} ({cols}) SELECT * FROM {_typed_arrays(connection, fields)}"  # noqa: S608 (quoted identifiers)
        if upsert_on:
            sql += _on_conflict(meta, columns[:given], upsert_on, quote)
        cursor.execute(sql, _as_columns(fields, rows, connection))
    return ids if returning else len(rows)


def _copy(
    connection: BaseDatabaseWrapper,
    meta: Options,
    columns: list[Any],
    rows: Iterable[list],
    given: int,
    upsert_on: Sequence[str],
    returning: bool,
) -> list[int] | int:
    """PostgreSQL: COPY, the bulk path the server is built for (a statement per row, even
    pipelined, or a VALUES list of thousands of placeholders is several times slower). New ids are
    drawn from the table's sequence first, so they come back in the order of ``rows``; an upsert
    copies into a temporary table and merges from there."""
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = [f.column for f in columns]
    rows = list(rows)
    # Its own transaction when called outside one: the temporary table lives until the commit.
    with (
        transaction.atomic(using=connection.alias),
        connection.cursor() as wrapper,
        connection.wrap_database_errors,
    ):
        cursor = wrapper.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        ids: list[int] = []
        if returning:
            ids, rows = _with_new_ids(cursor, meta, table, rows)
            names = [_column(meta, None), *names]
        target = table
        if upsert_on:
            target = quote(f"_bulk_{meta.db_table}")
            cols = ", ".join(quote(n) for n in names)
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{target}")
            # The columns and their types only: no key, no constraint, nothing to fill in.
            empty = f"SELECT {cols} FROM {table} WITH NO DATA"  # noqa: S608 (quoted identifiers)
            cursor.execute(f"CREATE TEMP TABLE {target} ON COMMIT DROP AS {empty}")
        cols = ", ".join(quote(n) for n in names)
        with cursor.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if upsert_on:
            merge = f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target}"  # noqa: S608 (quoted identifiers)
            cursor.execute(merge + _on_conflict(meta, columns[:given], upsert_on, quote))
            cursor.execute(f"DROP TABLE {target}")
    return ids if returning else len(rows)


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], *, key: str = "pk"
) -> int:
    """UPDATE ``fields`` of the rows whose ``key`` is given: ``rows`` are (key, *values in the order
    of ``fields``), each value prepared by its field as the ORM would. PostgreSQL: one ``UPDATE …
    FROM unnest(arrays)``, bound on the server (a pipeline of one statement per row cost 0.1 ms a
    row, most of a day's first scan); SQLite: one prepared statement run for each row (``executemany``, in
    process). Each key once (a key given twice is refused: the databases would keep different rows
    of it). The number of rows sent."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    key_field: Any = meta.pk if key == "pk" else meta.get_field(key)
    columns: list[Any] = [meta.get_field(name) for name in fields]
    prepared = [
        [row[0], *(c.get_db_prep_save(v, connection) for c, v in zip(columns, row[1:], strict=True))]
        for row in rows
    ]
    if not prepared:
        return 0
    if len({row[0] for row in prepared}) != len(prepared):
        raise ValueError(f"update_rows: a key of {meta.label} given twice")
    table = quote(meta.db_table)
    if connection.vendor != "postgresql":
        sets = ", ".join(f"{quote(c.column)} = %s" for c in columns)
        sql = f"UPDATE {table} SET {sets} WHERE {quote(key_field.column)} = %s"  # noqa: S608 (quoted model identifiers)
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[*values, pk] for pk, *values in prepared])
        return len(prepared)
    every = [key_field, *columns]
    names = ", ".join(quote(f"v{i}") for i in range(len(every)))
    sets = ", ".join(f"{quote(c.column)} = v.{quote(f'v{i + 1}')}" for i, c in enumerate(columns))
    sql = (
        f"UPDATE {table} SET {sets} FROM {_typed_arrays(connection, every)} AS v ({names}) "  # noqa: S608 (quoted model identifiers)
        f"WHERE {table}.{quote(key_field.column)} = v.{quote('v0')}"
    )
    with _server_bound(connection) as cursor:
        cursor.execute(sql, _as_columns(every, prepared, connection))
    return len(prepared)
