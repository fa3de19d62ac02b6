"""PostgreSQL staging: COPY one partition's rows into a table of its own.

Runs in a worker, in parallel with the other partitions. The staging table lives in the
target schema (not a session TEMP table: it must outlive this connection until apply) and
is named from the run and partition, so re-staging a partition replaces it: drop, create
and COPY happen in one transaction, under an advisory lock on the name, so a killed or
overlapping attempt never leaves half a partition (and COPY can FREEZE the rows: nothing
else can see the table before it commits). The table is UNLOGGED, except partition 0's
while the target table does not exist yet: apply may then rename it into the new target
rather than copy its rows, so its rows must be logged already. Column types are
inferred per batch (the table is created from the first batch's columns); a later
batch that needs a wider type (or a new column) ends the COPY and alters the table first,
and batches between such changes stream through one COPY. Each batch's COPY text is
built a column at a time in pyarrow kernels (`pgcopy.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import psycopg
import pyarrow as pa
from psycopg import sql

from mapreduce.sinks.columns import DECLARED, merge_type
from mapreduce.sinks.decode import read_decoded
from mapreduce.sinks.pgcopy import column_text, copy_payload, instant_text, ordinal_text
from mapreduce.sinks.postgres import (
    INSTANT_COLUMN,
    ORDINAL_COLUMN,
    connect,
    describe,
    lock_key,
    message,
    pg_ident,
    stage_name,
)
from mapreduce.sinks.records import (
    Batch,
    check_keys,
    instant_arrays,
    paused_gc,
)
from mapreduce.sinks.schema import missing_field
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
                # into a new table, apply can rename partition 0's staging table, logged,
                # instead of copying its rows; the others stay unlogged (their rows are
                # logged once, when apply copies them), so no row is logged twice
                logged = (
                    task.partition == 0
                    and spec.mode != "append"
                    and describe(conn, schema, spec.table) is None
                )
                with paused_gc():
                    columns, rows = _copy_partition(conn, spec, table, task.path, logged)
                # apply reads the count here instead of counting the rows again
                conn.execute(
                    sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(str(rows)))
                )
        except psycopg.Error as exc:
            msg = (
                f"staging part file {task.path} into {spec.url.redacted} failed: "
                f"{message(spec, exc)}"
            )
            raise SinkError(msg) from exc
    return StageResult(task.partition, rows, tuple(columns.items()), name)


def _copy_partition(
    conn: psycopg.Connection, spec: LoadSpec, table: sql.Composable, path: str, logged: bool
) -> tuple[dict[str, str], int]:
    """Create the staging table from the first batch's columns, then COPY every batch,
    widening the columns as batches require.

    Batches of unchanged columns share one COPY: the server parses a batch while the next
    is built (a COPY per batch made each wait for the server to finish the last one). An
    unlogged table's rows are frozen as they are copied; a logged one's are not, since
    they may become the target's rows and must follow MVCC's rules there.
    """
    columns: dict[str, str] | None = None
    rows = 0
    options = sql.SQL("" if logged else " (FREEZE)")
    with conn.cursor() as cur, contextlib.ExitStack() as open_copy:
        copy: psycopg.Copy | None = None
        for found in read_decoded(path, spec.batch_rows, spec.url.dialect):
            values = dict(zip(found.names, found.columns(), strict=True))
            if columns is None:
                columns = _create(conn, spec, table, found.types, logged)
            elif _widens(columns, found.types):
                open_copy.close()  # ends the COPY: the table is altered between COPYs
                copy = None
                _widen(conn, table, columns, found.types)
            payload = copy_payload(_texts(found.batch, spec, columns, values))
            if copy is None:
                targets = [*columns, *([INSTANT_COLUMN] * spec.has_instant), ORDINAL_COLUMN]
                copy = open_copy.enter_context(
                    cur.copy(
                        sql.SQL("COPY {} ({}) FROM STDIN{}").format(
                            table, sql.SQL(", ").join(map(pg_ident, targets)), options
                        )
                    )
                )
            copy.write(payload)
            rows += len(found.batch)
    if columns is None:  # an empty part file
        columns = _create(conn, spec, table, (), logged)
    if rows and spec.key_field not in columns:
        raise SinkError(missing_field(spec.key_field, "key", list(columns), f"part file {path}"))
    return columns, rows


def _texts(
    batch: Batch, spec: LoadSpec, columns: dict[str, str], values: dict[str, Sequence[object]]
) -> list[pa.Array]:
    """The batch's COPY text columns: the staging columns, the instant, the line number."""
    count = len(batch)
    missing = (None,) * count
    if spec.key_field in columns:
        check_keys(batch, spec, values.get(spec.key_field))
    texts = [
        column_text(values.get(name, missing), logical, batch.escapes)
        for name, logical in columns.items()
    ]
    if spec.has_instant:
        stamps = values.get(spec.timestamp_field or "", missing)
        texts.append(instant_text(*instant_arrays(batch, spec, stamps)))
    texts.append(ordinal_text(batch.first_line, count))
    return texts


def _create(
    conn: psycopg.Connection,
    spec: LoadSpec,
    table: sql.Composable,
    found: Sequence[tuple[str, str]],
    logged: bool,
) -> dict[str, str]:
    """CREATE the staging table: the batch's columns in its order, then the instant and
    the line number (the order a new target has, so apply may rename it into one)."""
    defs = [sql.SQL("{} {}").format(pg_ident(name), _kind(logical)) for name, logical in found]
    defs += [sql.SQL("{} NUMERIC").format(pg_ident(INSTANT_COLUMN))] * spec.has_instant
    defs.append(sql.SQL("{} BIGINT NOT NULL").format(pg_ident(ORDINAL_COLUMN)))
    conn.execute(
        sql.SQL("CREATE {}TABLE {} ({})").format(
            sql.SQL("" if logged else "UNLOGGED "), table, sql.SQL(", ").join(defs)
        )
    )
    return dict(found)


def _kind(logical: str) -> sql.SQL:
    """A staging column's type: NULL_ONLY while it has held nothing but nulls."""
    return sql.SQL(NULL_ONLY if logical == "null" else DECLARED["postgresql"][logical])


def _widens(columns: dict[str, str], found: Sequence[tuple[str, str]]) -> bool:
    """Whether a batch of these columns needs a new or wider staging column."""
    return any(
        name not in columns or merge_type(columns[name], logical) != columns[name]
        for name, logical in found
    )


def _widen(
    conn: psycopg.Connection,
    table: sql.Composable,
    columns: dict[str, str],
    found: Sequence[tuple[str, str]],
) -> None:
    """Add new columns and widen changed ones; `columns` is updated in place."""
    for name, logical in found:
        old = columns.get(name)
        new = logical if old is None else merge_type(old, logical)
        if new == old:
            continue
        ident = pg_ident(name)
        kind = _kind(new)
        if old is None:
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(table, ident, kind))
        elif old == "null":  # nothing but nulls so far
            conn.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING NULL").format(
                    table, ident, kind
                )
            )
        elif new == "json":
            conn.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE JSONB USING to_jsonb({})").format(
                    table, ident, ident
                )
            )
        else:
            conn.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}").format(table, ident, kind)
            )
        columns[name] = new
