"""PostgreSQL apply: every staged partition into the table in one transaction, then cleanup.

    BEGIN
      (table or marker missing: advisory lock on the table, CREATE … IF NOT EXISTS)
      marker has the run?  ── yes ─► drop its staging tables, COMMIT: a no-op
      INSERT INTO t SELECT DISTINCT ON (key) … FROM (staging UNION ALL …) ORDER BY key …
          ON CONFLICT (key) DO UPDATE SET … WHERE t._mr_instant <= EXCLUDED._mr_instant
      (a table this transaction creates: partition 0's staging table, logged, renamed
       to it if it has exactly its columns, the others INSERT … SELECT unsorted, ADD
       PRIMARY KEY;
       only if that finds a duplicate key, into an empty table again with DISTINCT ON)
      INSERT INTO _mr_loads (run_id, …); DROP staging tables
    COMMIT

Rows are taken in key order, so concurrent runs into one table lock rows in the same order
and never deadlock. DISTINCT ON keeps one row per key with the reduce's rule (latest
instant, then later partition and line), since one statement may not update a row twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from mapreduce.sinks.columns import merge_columns
from mapreduce.sinks.names import RESERVED_PREFIX
from mapreduce.sinks.pgnew import adopt, create_table, staged_rows
from mapreduce.sinks.pgstage import NULL_ONLY
from mapreduce.sinks.postgres import (
    INSTANT_COLUMN,
    MARKER_TABLE,
    ORDINAL_COLUMN,
    Columns,
    check_table,
    connect,
    describe,
    lock_key,
    message,
    pg_ident,
    stage_name,
    stage_prefix,
)
from mapreduce.sinks.spec import LoadResult, LoadSpec, SinkError, StageResult

__all__ = ["apply_postgres", "discard_postgres"]

_MARKER_DDL = (
    "CREATE TABLE IF NOT EXISTS {} (run_id TEXT NOT NULL, table_name TEXT NOT NULL, "
    "mode TEXT NOT NULL, rows_read BIGINT NOT NULL, rows_written BIGINT NOT NULL, "
    "loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (run_id, table_name))"
)
_PG_TYPE = {
    "bigint": "integer",
    "double precision": "float",
    "numeric": "decimal",
    "text": "text",
    "jsonb": "json",
    "boolean": "boolean",
    NULL_ONLY: "null",
}


def apply_postgres(
    spec: LoadSpec,
    run_id: str,
    partitions: Sequence[tuple[int, str]],
    staged: Sequence[StageResult] | None = None,
) -> LoadResult:
    """Apply the run's staged partitions in one transaction (a no-op if already applied)."""
    numbers = [p for p, _ in partitions]
    with connect(spec) as (conn, schema):
        try:
            with conn.transaction():
                return _apply(conn, spec, schema, run_id, numbers)
        except psycopg.Error as exc:
            msg = (
                f"loading run {run_id} into {spec.url.redacted} failed: "
                f"{message(spec, exc)}; the table is unchanged"
            )
            raise SinkError(msg) from exc


def discard_postgres(spec: LoadSpec, run_id: str) -> None:
    """Drop every staging table a run left behind (failed or purged)."""
    with connect(spec) as (conn, schema), conn.transaction():
        prefix = stage_prefix(spec, schema, run_id)
        names = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind = 'r' AND starts_with(c.relname, %s)",
            (schema, prefix),
        ).fetchall()
        for (name,) in names:
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {}").format(pg_ident(schema, name, what="table"))
            )


def _apply(
    conn: psycopg.Connection, spec: LoadSpec, schema: str, run_id: str, numbers: Sequence[int]
) -> LoadResult:
    """The body of the apply transaction."""
    marker = pg_ident(schema, MARKER_TABLE, what="table")
    existing = _lock_for_ddl(conn, spec, schema, marker)
    names = [stage_name(spec, schema, run_id, p) for p in numbers]
    done = conn.execute(
        sql.SQL("SELECT 1 FROM {} WHERE run_id = %s AND table_name = %s").format(marker),
        (run_id, spec.table),
    ).fetchone()
    if done:
        _drop(conn, schema, names)
        return LoadResult(spec.url.redacted, 0, 0, tuple(numbers), already_loaded=True)
    stages = _stages(conn, spec, schema, run_id, numbers, names)
    incoming = merge_columns(
        [
            spec.columns,
            *(
                [
                    (n, _PG_TYPE.get(t, "json"))
                    for n, t in cols.items()
                    if not n.startswith(RESERVED_PREFIX)
                ]
                for _, cols in stages.values()
            ),
        ]
    )
    read = sum(staged_rows(conn, schema, n) for n in names)
    if read and spec.key_field not in dict(incoming):
        raise SinkError(f"run {run_id}: the records have no key field {spec.key_field!r}")
    created = existing is None and bool(incoming)
    written = 0
    columns = [c for c, _ in incoming]
    if created and spec.mode != "append":
        written = _insert_new(conn, spec, schema, incoming, stages)
    else:
        if created:
            existing = create_table(conn, spec, schema, incoming)
        elif existing is not None:
            check_table(conn, spec, schema, existing, incoming)
        if existing is not None:
            written = _insert(conn, spec, schema, existing, columns, stages, created)
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (run_id, table_name, mode, rows_read, rows_written)"
            " VALUES (%s, %s, %s, %s, %s)"
        ).format(marker),
        (run_id, spec.table, spec.mode, read, written),
    )
    _drop(conn, schema, names)
    return LoadResult(spec.url.redacted, read, written, tuple(numbers))


def _lock_for_ddl(
    conn: psycopg.Connection, spec: LoadSpec, schema: str, marker: sql.Composable
) -> Columns | None:
    """The target's columns; if it or the marker is missing, lock and create the marker.

    Concurrent CREATE TABLE IF NOT EXISTS of one name can fail on a unique index, so
    runs that create tables take turns (only the first loads into a new table do).
    """
    existing = describe(conn, schema, spec.table)
    if existing is not None and describe(conn, schema, MARKER_TABLE) is not None:
        return existing
    conn.execute(
        sql.SQL("SELECT pg_advisory_xact_lock({})").format(
            lock_key(f"mapreduce-ddl/{schema}/{spec.table}")
        )
    )
    conn.execute(sql.SQL(_MARKER_DDL).format(marker))
    return describe(conn, schema, spec.table)


def _stages(
    conn: psycopg.Connection,
    spec: LoadSpec,
    schema: str,
    run_id: str,
    numbers: Sequence[int],
    names: Sequence[str],
) -> dict[int, tuple[str, Columns]]:
    """Each partition's staging table and columns; a partition not staged is an error."""
    stages: dict[int, tuple[str, Columns]] = {}
    for number, name in zip(numbers, names, strict=True):
        columns = describe(conn, schema, name)
        if columns is None:
            raise SinkError(
                f"partition {number} of run {run_id} is not staged in "
                f"{spec.url.redacted} (no table {schema}.{name}): stage it again"
            )
        stages[number] = (name, columns)
    return stages


def _insert_new(
    conn: psycopg.Connection,
    spec: LoadSpec,
    schema: str,
    incoming: Sequence[tuple[str, str]],
    stages: dict[int, tuple[str, Columns]],
) -> int:
    """Into a table this transaction creates: every staged row, then the primary key.

    A run's keys are nearly always distinct (a reduce writes one row per key), and then
    the rows need no sorting: the index build proves it, and one staging table can
    become the table itself (`adopt`). Only when the build finds a duplicate are the
    rows taken again, into a table created empty, sorted, one per key by the reduce's rule.
    """
    names = [c for c, _ in incoming]
    key = sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
        pg_ident(schema, spec.table, what="table"), pg_ident(spec.key_field)
    )
    try:
        with conn.transaction():  # a savepoint: a duplicate undoes only this attempt
            existing, rest, written = adopt(conn, spec, schema, incoming, stages)
            if rest:
                written += _insert(conn, spec, schema, existing, names, rest, True, False)
            conn.execute(key)
            return written
    except psycopg.errors.UniqueViolation:
        pass
    existing = create_table(conn, spec, schema, incoming)
    written = _insert(conn, spec, schema, existing, names, stages, True)
    conn.execute(key)
    return written


def _insert(
    conn: psycopg.Connection,
    spec: LoadSpec,
    schema: str,
    existing: Columns,
    names: Sequence[str],
    stages: dict[int, tuple[str, Columns]],
    created: bool,
    latest: bool = True,
) -> int:
    """One INSERT … SELECT of every partition with the mode's rule; rows written.

    Into a table this transaction `created` nothing can conflict: no ON CONFLICT. Without
    `latest` every row is taken as staged (append, or keys known to be distinct)."""
    table = pg_ident(schema, spec.table, what="table")
    if spec.mode == "replace" and not created:  # a table created by this run holds only it
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table))
        conn.execute(sql.SQL("TRUNCATE {}").format(table))
    targets = [*names, *([INSTANT_COLUMN] * spec.has_instant)]
    branches = [
        _branch(schema, name, p, cols, existing, targets) for p, (name, cols) in stages.items()
    ]
    source = sql.SQL(" UNION ALL ").join(branches)
    listed = sql.SQL(", ").join(map(pg_ident, targets))
    statement = sql.SQL("INSERT INTO {} AS t ({}) ").format(table, listed)
    if spec.mode == "append" or not latest:
        statement += sql.SQL("SELECT {} FROM ({}) s").format(listed, source)
    else:
        statement += _latest_select(spec, listed, source)
        if not created:
            statement += _on_conflict(spec, targets)
    conn.execute("SET LOCAL work_mem = '256MB'")  # sort the run's rows in memory
    with conn.cursor() as cur:
        cur.execute(statement)
        return cur.rowcount


def _latest_select(spec: LoadSpec, listed: sql.Composable, source: sql.Composable) -> sql.Composed:
    """SELECT DISTINCT ON (key) … ORDER BY key, then the reduce's rule: one row per key."""
    key = pg_ident(spec.key_field)
    order = [sql.SQL("{} DESC").format(pg_ident(INSTANT_COLUMN))] * _by_instant(spec) + [
        sql.SQL("_mr_part DESC"),
        sql.SQL("{} DESC").format(pg_ident(ORDINAL_COLUMN)),
    ]
    return sql.SQL("SELECT DISTINCT ON ({}) {} FROM ({}) s ORDER BY {}, {}").format(
        key, listed, source, key, sql.SQL(", ").join(order)
    )


def _on_conflict(spec: LoadSpec, targets: Sequence[str]) -> sql.Composed:
    """ON CONFLICT (key) DO UPDATE SET … [WHERE the incoming instant is not older]."""
    key = pg_ident(spec.key_field)
    sets = [
        sql.SQL("{} = EXCLUDED.{}").format(pg_ident(c), pg_ident(c))
        for c in targets
        if c != spec.key_field
    ]
    if not sets:
        return sql.SQL(" ON CONFLICT ({}) DO NOTHING").format(key)
    clause = sql.SQL(" ON CONFLICT ({}) DO UPDATE SET {}").format(key, sql.SQL(", ").join(sets))
    if _by_instant(spec):
        instant = pg_ident(INSTANT_COLUMN)
        clause += sql.SQL(" WHERE t.{} IS NULL OR t.{} <= EXCLUDED.{}").format(
            instant, instant, instant
        )
    return clause


def _by_instant(spec: LoadSpec) -> bool:
    """Whether the mode keeps the latest instant (else the last loaded row wins)."""
    return spec.has_instant and spec.mode in ("upsert-latest", "replace")


def _branch(
    schema: str, name: str, number: int, stage: Columns, existing: Columns, targets: Sequence[str]
) -> sql.Composed:
    """One partition's SELECT, each column cast to the table's type."""
    exprs = [_cast(column, stage.get(column), existing[column]) for column in targets]
    return sql.SQL("SELECT {}, {} AS _mr_part, {} FROM {}").format(
        sql.SQL(", ").join(exprs),
        sql.Literal(number),
        pg_ident(ORDINAL_COLUMN),
        pg_ident(schema, name, what="table"),
    )


def _cast(column: str, staged: str | None, target: str) -> sql.Composed:
    """`column` as the table's type: to_jsonb for JSON targets, NULL if not staged (or
    staged with nothing but nulls)."""
    ident = pg_ident(column)
    if staged is None or staged == NULL_ONLY:
        return sql.SQL("NULL::{} AS {}").format(sql.SQL(target), ident)
    if staged == target:
        return sql.SQL("{}").format(ident)
    if target in ("jsonb", "json") and staged not in ("jsonb", "json"):
        return sql.SQL("to_jsonb({})::{} AS {}").format(ident, sql.SQL(target), ident)
    return sql.SQL("{}::{} AS {}").format(ident, sql.SQL(target), ident)


def _drop(conn: psycopg.Connection, schema: str, names: Sequence[str]) -> None:
    """Drop staging tables (those present)."""
    for name in names:
        conn.execute(
            sql.SQL("DROP TABLE IF EXISTS {}").format(pg_ident(schema, name, what="table"))
        )
