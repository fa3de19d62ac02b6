"""SQLite staging files: one partition's rows, as decoded, in a SQLite file of its own.

    stage_partition (worker, in parallel)          apply_load (the one writer)
    part-N.jsonl ─► decode, validate, instants ─►  ATTACH part-N.jsonl.stage.db
    executemany into part-N.jsonl.stage.db         INSERT INTO main.t SELECT … FROM it
    (temporary name, then os.replace)              ORDER BY rowid: C copies every row

SQLite has one writer, so everything apply does is serial; binding a million rows from
Python was most of its time. Workers bind them instead, each into its own file, and the
writer's copy is SQLite's own work. The staging table's columns have no declared type, so
each value keeps what binding gave it and the target column's affinity applies at the
copy, exactly as when apply bound the row itself. Rows keep their line order (rowid).

A staging file is used only if it names the part file's current size and mtime and its
JSON columns match the table's: a column that held JSON in some batch is staged as JSON
text, so one whose other batches held plain values (or the reverse) cannot be copied, and
apply reads that partition's part file itself. A stale or unusable file costs time, never
rows.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from operator import add
from typing import Any

import orjson

from mapreduce.sinks.decode import Decoded
from mapreduce.sinks.names import quote_sqlite
from mapreduce.sinks.records import json_texts
from mapreduce.sinks.spec import SinkError

__all__ = [
    "ROWS_TABLE",
    "SUFFIX",
    "StageFile",
    "StageWriter",
    "open_stage",
    "remove_stages",
    "staged_rows",
]

SUFFIX = ".stage.db"
ROWS_TABLE = "_mr_rows"
_META_TABLE = "_mr_meta"
_FORMAT = 2
_ROWS_PER_INSERT = 32  # rows of one INSERT … VALUES statement (measured: 10-40 alike)


@dataclass(frozen=True, slots=True)
class StageFile:
    """What a staging file holds: its columns, and which hold JSON text or plain values."""

    path: str
    columns: tuple[str, ...]
    json_columns: frozenset[str]
    plain_columns: frozenset[str]

    def fits(self, fitted: dict[str, str]) -> bool:
        """Whether the table's column types (`fitted`) take these values as staged: JSON
        text only into JSON columns, plain values only into others."""
        for name in self.columns:
            if fitted.get(name) == "json":
                if name in self.plain_columns:
                    return False
            elif name in self.json_columns:
                return False
        return True


def _refuse_case_twin(name: str, columns: Sequence[str]) -> None:
    """SQLite's names ignore case, so `id` and `ID` would be one column: refuse the load
    (it failed three times with "duplicate column name: ID")."""
    for other in columns:
        if other.lower() == name.lower():
            msg = (
                f"the records have fields {other!r} and {name!r}, which SQLite cannot hold "
                "as two columns (its names ignore case): rename one in the job's output"
            )
            raise SinkError(msg)


def _stamp(part: str) -> tuple[int, int]:
    info = os.stat(part)
    return info.st_size, info.st_mtime_ns


class StageWriter:
    """Writes one part file's row batches; `publish` gives the file its final name."""

    def __init__(self, part: str, instant_columns: Sequence[str]) -> None:
        self.part = part
        # A name of its own per attempt: a timed-out attempt may still be writing in
        # another thread of this process (a killed one's file goes with the work dir).
        self.temp = f"{part}{SUFFIX}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
        self.stamp = _stamp(part)
        self.conn = sqlite3.connect(self.temp, isolation_level=None)
        self.conn.execute("PRAGMA page_size = 65536")  # as the target's: fewer, bigger pages
        self.conn.execute("PRAGMA journal_mode = OFF")  # a private file, published whole
        self.conn.execute("PRAGMA synchronous = OFF")
        self.variables = self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self.tail = list(instant_columns)
        self.columns: list[str] = []
        self.json: set[str] = set()
        self.plain: set[str] = set()
        self.conn.execute(f"CREATE TABLE {ROWS_TABLE} ({', '.join(self.tail) or '_mr_none'})")
        self.conn.execute("BEGIN")

    def write(self, found: Decoded, tail: Sequence[Sequence[Any]]) -> None:
        """One decoded batch, then the instant columns `tail`; JSON-typed columns are
        written as JSON text."""
        for name in found.names:
            if name not in self.columns:
                _refuse_case_twin(name, self.columns)
                self.conn.execute(f"ALTER TABLE {ROWS_TABLE} ADD COLUMN {quote_sqlite(name)}")
                self.columns.append(name)
        replaced: dict[str, Sequence[Any]] = {}
        for name, logical in found.types:
            if logical == "json":
                replaced[name] = json_texts(found.column(name))
                self.json.add(name)
            elif logical != "null":
                self.plain.add(name)
        rows = found.rows(replaced)
        if tail:
            rows = map(add, rows, zip(*tail, strict=True))
        self._insert([*map(quote_sqlite, found.names), *self.tail], rows, len(found.batch))

    def _insert(self, targets: list[str], rows: Iterable[tuple[Any, ...]], count: int) -> None:
        """Insert `count` rows of `targets`, many rows per statement: binding is per value
        either way, but each statement run costs as much as a few values, so a multi-row
        VALUES saves a quarter of the time of one row per run."""
        width = len(targets)
        per = max(1, min(_ROWS_PER_INSERT, self.variables // width))
        head = f"INSERT INTO {ROWS_TABLE} ({', '.join(targets)}) VALUES "
        one = f"({', '.join('?' * width)})"
        values = chain.from_iterable(rows)
        if count >= per:
            whole = islice(values, count // per * per * width)
            many = head + ", ".join([one] * per)
            self.conn.executemany(many, zip(*[whole] * (per * width), strict=True))
        self.conn.executemany(head + one, zip(*[values] * width, strict=True))

    def publish(self) -> None:
        """Record what the file holds, commit, close and rename: a staging file is whole."""
        meta = orjson.dumps([self.columns, sorted(self.json), sorted(self.plain)]).decode()
        self.conn.execute(f"CREATE TABLE {_META_TABLE} (format, size, mtime_ns, columns)")
        self.conn.execute(
            f"INSERT INTO {_META_TABLE} VALUES (?, ?, ?, ?)", (_FORMAT, *self.stamp, meta)
        )
        self.conn.execute("COMMIT")
        self.conn.close()
        os.replace(self.temp, self.part + SUFFIX)

    def abandon(self) -> None:
        """Drop the unfinished file (the stage failed, or the rows cannot be staged)."""
        self.conn.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.temp)


def open_stage(part: str) -> StageFile | None:
    """The part file's staging file, or None if there is none or it is stale."""
    path = part + SUFFIX
    if not os.path.exists(path):
        return None
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            row = conn.execute(
                f"SELECT format, size, mtime_ns, columns FROM {_META_TABLE}"
            ).fetchone()
    except sqlite3.Error:
        return None
    if row is None or tuple(row[:3]) != (_FORMAT, *_stamp(part)):
        return None
    columns, json_columns, plain = orjson.loads(row[3])
    return StageFile(path, tuple(columns), frozenset(json_columns), frozenset(plain))


def staged_rows(stage: StageFile, select: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of `select` over a staging file read on a connection of its own."""
    with contextlib.closing(sqlite3.connect(stage.path)) as conn:
        cursor = conn.execute(select)
        while rows := cursor.fetchmany(size):
            yield rows


def remove_stages(parts: Sequence[str]) -> None:
    """Delete the staging files of these part files (after the load committed)."""
    for part in parts:
        with contextlib.suppress(FileNotFoundError):
            os.remove(part + SUFFIX)
