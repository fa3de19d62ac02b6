"""The SQLite loader: one writer connection applies a whole run in one transaction.

    stage_partition (workers, in parallel)   decode, validate, infer columns, and bind the
                                             rows into a staging file of their own
                                             (stagefile.py; the database is not touched)
    apply_load (one process)                 BEGIN IMMEDIATE ─ create/fit table ─ ATTACH
                                             each staging file, INSERT … SELECT upserts
                                             ─ marker row ─ COMMIT

SQLite allows one writer at a time; several runs loading one database queue on the busy
timeout, and an attempt that still finds the database locked is retried (huey's
SqliteStorage model), so "database is locked" never reaches the user. WAL lets readers
go on during a load. The instant of upsert-latest lives in two INTEGER columns,
`_mr_instant_s` (floor seconds since the epoch) and `_mr_instant_ns` (0-999999999),
compared as a row value: exact for years 0001-9999, which exceed 64-bit nanoseconds.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import Any

from mapreduce.sinks.columns import DECLARED, fit_columns
from mapreduce.sinks.instants import INSTANT_COLUMNS
from mapreduce.sinks.names import quote_sqlite
from mapreduce.sinks.records import paused_gc, read_batches, to_rows
from mapreduce.sinks.schema import RunColumns, run_columns, scan_partition
from mapreduce.sinks.spec import LoadResult, LoadSpec, SinkError, StageResult, StageTask
from mapreduce.sinks.stagefile import (
    ROWS_TABLE,
    StageFile,
    open_stage,
    remove_stages,
    staged_rows,
)

__all__ = ["INSTANT_COLUMNS", "MARKER_TABLE", "apply_sqlite", "check_sqlite", "stage_sqlite"]

MARKER_TABLE = "_mr_loads"
PAGE_SIZE = 65536
_LOCK_WAIT_S = 3600.0  # give up on a database held locked this long by other writers
_MARKER_DDL = (
    f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (run_id TEXT NOT NULL, "
    "table_name TEXT NOT NULL, mode TEXT NOT NULL, rows_read INTEGER NOT NULL, "
    "rows_written INTEGER NOT NULL, loaded_at REAL NOT NULL, "
    "PRIMARY KEY (run_id, table_name))"
)


def check_sqlite(spec: LoadSpec) -> None:
    """Check, before any work, that the load can go where it is asked: an existing table's
    columns, or a folder to create the database in. Only the load creates the file, so a run
    that fails before it leaves none behind."""
    if not os.path.exists(spec.url.path):
        parent = _folder(spec)
        if not os.access(parent, os.W_OK | os.X_OK):
            raise SinkError(f"cannot create {spec.url.redacted}: folder {parent} is not writable")
        return
    with _connect(spec) as conn:
        existing = _table_columns(conn, spec.table)
        if existing is not None:
            _check_table(conn, spec, existing)


def stage_sqlite(task: StageTask) -> StageResult:
    """Validate the part file, infer its columns and keep its rows in a row file, in a
    worker; the database is not touched (its one writer is apply)."""
    return scan_partition(task, instant_split=True, keep_rows=True)


def apply_sqlite(
    spec: LoadSpec,
    run_id: str,
    partitions: Sequence[tuple[int, str]],
    staged: Sequence[StageResult] | None = None,
) -> LoadResult:
    """Load every partition in one write transaction; a run already in the marker is a no-op."""
    columns = run_columns(spec, run_id, partitions, staged, stage_sqlite)
    with _connect(spec) as conn, _write_transaction(conn, spec):
        if conn.execute(
            f"SELECT 1 FROM {MARKER_TABLE} WHERE run_id = ? AND table_name = ?",
            (run_id, spec.table),
        ).fetchone():
            remove_stages([path for _, path in partitions])
            return LoadResult(spec.url.redacted, 0, 0, tuple(p for p, _ in partitions), True)
        fitted = _prepare_table(conn, spec, columns)
        if spec.mode == "replace":
            conn.execute(f"DELETE FROM {quote_sqlite(spec.table, 'table')}")
        before = conn.total_changes
        read = _insert_partitions(conn, spec, columns, fitted, partitions)
        written = conn.total_changes - before
        conn.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, spec.table, spec.mode, read, written, time.time()),
        )
    remove_stages([path for _, path in partitions])
    return LoadResult(spec.url.redacted, read, written, tuple(p for p, _ in partitions))


def _insert_partitions(
    conn: sqlite3.Connection,
    spec: LoadSpec,
    columns: RunColumns,
    fitted: dict[str, str],
    partitions: Sequence[tuple[int, str]],
) -> int:
    """Copy every partition's rows in partition order, then line order; the rows read.

    A fresh staging file is ATTACHed and copied by one INSERT … SELECT (as many as SQLite
    attaches at once; the rest are read on a connection of their own); a partition without
    one is decoded from its part file here.
    """
    names = [n for n, _ in columns.columns]
    read = 0
    room = conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)
    with paused_gc():
        for number, path in partitions:
            stage = open_stage(path)
            if stage is not None and not stage.fits(fitted):
                stage = None
            try:
                if stage is not None and room > 0:
                    room -= 1
                    read += _copy_stage(conn, spec, names, stage, number)
                else:
                    read += _insert_rows(conn, spec, names, fitted, path, stage)
            except sqlite3.Error as exc:
                msg = (
                    f"loading part file {path} into {spec.url.redacted} failed: {exc}; "
                    "the table is unchanged"
                )
                raise SinkError(msg) from exc
    return read


def _copy_stage(
    conn: sqlite3.Connection, spec: LoadSpec, names: Sequence[str], stage: StageFile, number: int
) -> int:
    """ATTACH a staging file and copy its rows with one INSERT … SELECT; the rows read."""
    alias = quote_sqlite(f"_mr_stage_{number}")
    conn.execute(f"ATTACH DATABASE ? AS {alias}", (stage.path,))
    # rowids run 1..n (a staging file is only ever appended to): one lookup, not a scan
    count = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {alias}.{ROWS_TABLE}").fetchone()[0]
    conn.execute(_insert_sql(spec, names, _stage_select(spec, names, stage, alias)))
    return int(count)


def _stage_select(spec: LoadSpec, names: Sequence[str], stage: StageFile, source: str) -> str:
    """SELECT of a staging table's rows in line order, NULL for columns it lacks."""
    picked = [quote_sqlite(n) if n in stage.columns else "NULL" for n in names]
    if spec.has_instant:
        picked += INSTANT_COLUMNS
    # WHERE true: an upsert after INSERT … SELECT needs it to parse (SQLite's docs)
    return f"SELECT {', '.join(picked)} FROM {source}.{ROWS_TABLE} WHERE true ORDER BY rowid"


def _insert_rows(
    conn: sqlite3.Connection,
    spec: LoadSpec,
    names: list[str],
    fitted: dict[str, str],
    path: str,
    stage: StageFile | None,
) -> int:
    """Executemany one partition's rows in batches (staging file or part file); rows read."""
    statement = _insert_sql(spec, names)
    json_columns = frozenset(n for n, t in fitted.items() if t == "json")
    if stage is not None:
        batches: Iterator[list[tuple[Any, ...]]] = staged_rows(
            stage, _stage_select(spec, names, stage, "main"), spec.batch_rows
        )
    else:
        batches = (
            to_rows(batch, spec, names, json_columns, None, True)
            for batch in read_batches(path, spec.batch_rows)
        )
    read = 0
    for rows in batches:
        conn.executemany(statement, rows)
        read += len(rows)
    return read


def _insert_sql(spec: LoadSpec, names: Sequence[str], select: str | None = None) -> str:
    """INSERT … ON CONFLICT DO UPDATE … WHERE for the mode (plain INSERT for append), of
    one row of parameters, or of the rows of `select`."""
    table = quote_sqlite(spec.table, "table")
    targets = [quote_sqlite(n) for n in names]
    if spec.has_instant:
        targets += INSTANT_COLUMNS
    source = select or f"VALUES ({', '.join('?' * len(targets))})"
    sql = f"INSERT INTO main.{table} ({', '.join(targets)}) {source}"
    if spec.mode == "append":
        return sql
    key = quote_sqlite(spec.key_field)
    updates = ", ".join(f"{c} = excluded.{c}" for c in targets if c != key)
    sql += f" ON CONFLICT ({key}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
    if spec.mode == "upsert-latest" or (spec.mode == "replace" and spec.has_instant):
        s, ns = INSTANT_COLUMNS
        sql += (
            f" WHERE {table}.{s} IS NULL OR (excluded.{s}, excluded.{ns})"
            f" >= ({table}.{s}, {table}.{ns})"
        )
    return sql


def _prepare_table(conn: sqlite3.Connection, spec: LoadSpec, columns: RunColumns) -> dict[str, str]:
    """Create the table if missing, else fit the run's columns to it; each column's type."""
    decimal = [n for n, t in columns.columns if t == "decimal"]
    if decimal:
        raise SinkError(
            f"column {decimal[0]!r} holds integers beyond 64 bits, which SQLite "
            "cannot store exactly: load into PostgreSQL or output them as text"
        )
    existing = _table_columns(conn, spec.table)
    if existing is None:
        conn.execute(_create_sql(spec, columns))
        return dict(columns.columns)
    _check_table(conn, spec, existing)
    return fit_columns("sqlite", spec.url.target, existing, columns.columns)


def _create_sql(spec: LoadSpec, columns: RunColumns) -> str:
    """CREATE TABLE with inferred types; the key is the primary key except for append."""
    types = DECLARED["sqlite"]
    defs = [f"{quote_sqlite(n)} {types['json' if t == 'null' else t]}" for n, t in columns.columns]
    if spec.has_instant:
        defs += [f"{c} INTEGER" for c in INSTANT_COLUMNS]
    if spec.mode != "append":
        defs.append(f"PRIMARY KEY ({quote_sqlite(spec.key_field)})")
    return f"CREATE TABLE {quote_sqlite(spec.table, 'table')} ({', '.join(defs)})"


def _check_table(conn: sqlite3.Connection, spec: LoadSpec, existing: dict[str, str]) -> None:
    """An existing table needs the key as primary key (upserts) and the instant columns."""
    target = spec.url.target
    if spec.has_instant and not set(INSTANT_COLUMNS) <= set(existing):
        raise SinkError(
            f"table {target} has no {INSTANT_COLUMNS[0]} column, so it was not "
            "created by a load with a timestamp: load into a new table"
        )
    if spec.mode == "append":
        return
    if spec.key_field not in existing:
        raise SinkError(f"table {target} has no column {spec.key_field!r} for the key")
    table = quote_sqlite(spec.table, "table")
    pk = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[5]]
    unique = pk == [spec.key_field] or any(
        idx[2]
        and [c[2] for c in conn.execute(f"PRAGMA index_info({quote_sqlite(idx[1])})")]
        == [spec.key_field]
        for idx in conn.execute(f"PRAGMA index_list({table})")
    )
    if not unique:
        raise SinkError(
            f"table {target} has no primary key or unique index on "
            f"{spec.key_field!r}, which mode={spec.mode} needs: add one or use "
            "mode=append"
        )


def _table_columns(conn: sqlite3.Connection, table: str) -> dict[str, str] | None:
    """An existing table's columns and declared types, or None when it does not exist."""
    rows = conn.execute(f"PRAGMA table_info({quote_sqlite(table, 'table')})").fetchall()
    return {r[1]: r[2] for r in rows} or None


@contextlib.contextmanager
def _connect(spec: LoadSpec) -> Iterator[sqlite3.Connection]:
    """One connection in WAL mode with the busy timeout; opening retries while locked."""
    path = spec.url.path
    _folder(spec)
    try:
        conn = sqlite3.connect(path, timeout=spec.busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise SinkError(f"cannot open {spec.url.redacted}: {exc}") from exc
    try:
        # A database this load creates gets 64 KiB pages (an existing one keeps its own): a
        # bulk load writes each page to the WAL and again at the checkpoint, and bigger
        # pages made the commit of a million rows 2-3x faster.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        _retry_locked(spec, lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = FULL")  # one commit per run: the fsync is cheap
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: a big run's pages stay in memory
        conn.execute("PRAGMA temp_store = MEMORY")
        _retry_locked(spec, lambda: conn.execute(_MARKER_DDL))
        yield conn
    except sqlite3.DatabaseError as exc:
        raise SinkError(f"cannot use {spec.url.redacted}: {exc}") from exc
    finally:
        conn.close()


def _folder(spec: LoadSpec) -> str:
    """The database file's folder; SinkError when it does not exist."""
    parent = os.path.dirname(os.path.abspath(spec.url.path))
    if not os.path.isdir(parent):
        raise SinkError(f"cannot open {spec.url.redacted}: folder {parent} does not exist")
    return parent


@contextlib.contextmanager
def _write_transaction(conn: sqlite3.Connection, spec: LoadSpec) -> Iterator[None]:
    """BEGIN IMMEDIATE (retried while other writers hold the lock) … COMMIT or ROLLBACK."""
    _retry_locked(spec, lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _retry_locked(spec, lambda: conn.execute("COMMIT"))


def _retry_locked(spec: LoadSpec, action: object) -> None:
    """Run `action` until it no longer fails with SQLITE_BUSY, for up to an hour."""
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            action()  # type: ignore[operator]
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                msg = (
                    f"{spec.url.redacted} stayed locked by other writers for "
                    f"{_LOCK_WAIT_S:.0f} s: find the process holding it, then resume"
                )
                raise SinkError(msg) from exc
            time.sleep(random.uniform(0.01, 0.1))
