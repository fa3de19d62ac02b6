"""PostgreSQL staging: COPY one partition's rows into an UNLOGGED table of its own.

Runs in a worker, in parallel with the other partitions. The staging table lives in the
target schema (not a session TEMP table: it must outlive this connection until apply) and
is named from the run and partition, so re-staging a partition replaces it: drop, create
and COPY happen in one transaction, under an advisory lock on the name, so a killed or
overlapping attempt never leaves half a partition. Column types are inferred per batch;
a later batch that needs a wider type (or a new column) alters the table first.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from mapreduce.sinks.columns import DECLARED, merge_type
from mapreduce.sinks.postgres import (
    INSTANT_COLUMN,
    ORDINAL_COLUMN,
    connect,
    lock_key,
    message,
    pg_ident,
    stage_name,
)
from mapreduce.sinks.records import Batch, infer_types, read_batches, scan_columns, to_rows
from mapreduce.sinks.spec import LoadSpec, SinkError, StageResult, StageTask

__all__ = ["NULL_ONLY", "stage_postgres"]

# A staging column that has held only nulls so far is `json`; real JSON is `jsonb`. The
# catalog then tells apply which columns have no type of their own yet.
NULL_ONLY = "json"


def stage_postgres(task: StageTask) -> StageResult:
    """COPY the part file into its staging table; return its rows and columns."""
    spec = task.spec
    with connect(spec) as (conn, schema):
        name = stage_name(spec, schema, task.run_id, task.partition)
        table = pg_ident(schema, name, what="table")
        try:
            with conn.transaction():
                conn.execute(sql.SQL("SELECT pg_advisory_xact_lock({})").format(lock_key(name)))
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
                extra = [sql.SQL("{} NUMERIC").format(pg_ident(INSTANT_COLUMN))] * spec.has_instant
                conn.execute(sql.SQL("CREATE UNLOGGED TABLE {} ({} BIGINT NOT NULL{})").format(
                    table, pg_ident(ORDINAL_COLUMN), sql.SQL("").join(
                        sql.SQL(", ") + e for e in extra)))
                columns, rows = _copy_partition(conn, spec, table, task.path)
        except psycopg.Error as exc:
            msg = (f"staging part file {task.path} into {spec.url.redacted} failed: "
                   f"{message(spec, exc)}")
            raise SinkError(msg) from exc
    return StageResult(task.partition, rows, tuple(columns.items()), name)


def _copy_partition(conn: psycopg.Connection, spec: LoadSpec, table: sql.Composable,
                    path: str) -> tuple[dict[str, str], int]:
    """COPY every batch, widening the staging table's columns as batches require."""
    columns: dict[str, str] = {}
    rows = 0
    for batch in read_batches(path, spec.batch_rows):
        found, picked = scan_columns(batch, spec.url.dialect)
        _widen(conn, table, columns, infer_types(found, picked))
        names = list(columns)
        json_columns = frozenset(n for n, t in columns.items() if t == "json")
        data = to_rows(batch, spec, names, json_columns, _lines, False,
                       picked if found == names else None)
        targets = [*names, *([INSTANT_COLUMN] * spec.has_instant), ORDINAL_COLUMN]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            table, sql.SQL(", ").join(map(pg_ident, targets)))
        with conn.cursor() as cur, cur.copy(statement) as copy:
            write = copy.write_row
            for row in data:
                write(row)
        rows += len(data)
    if rows and spec.key_field not in columns:
        raise SinkError(f"part file {path}: the records have no key field {spec.key_field!r}: "
                        "output it from the job or pass the right key parameter")
    return columns, rows


def _lines(batch: Batch, count: int) -> list[int]:
    """Each row's line number in its part file: the tie-break among equal keys."""
    return list(range(batch.first_line, batch.first_line + count))


def _widen(conn: psycopg.Connection, table: sql.Composable, columns: dict[str, str],
           found: Sequence[tuple[str, str]]) -> None:
    """Add new columns and widen changed ones; `columns` is updated in place."""
    for name, logical in found:
        old = columns.get(name)
        new = logical if old is None else merge_type(old, logical)
        if new == old:
            continue
        ident = pg_ident(name)
        kind = sql.SQL(NULL_ONLY if new == "null" else DECLARED["postgresql"][new])
        if old is None:
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(table, ident, kind))
        elif old == "null":  # nothing but nulls so far
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING NULL")
                         .format(table, ident, kind))
        elif new == "json":
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE JSONB USING to_jsonb({})")
                         .format(table, ident, ident))
        else:
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}")
                         .format(table, ident, kind))
        columns[name] = new
