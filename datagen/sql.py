"""SQL output: INSERT statements in batches, and an optional CREATE TABLE.

    CREATE TABLE "users" (            (--create-table; types from the first chunk's values)
      "id" BIGINT,
      "name" TEXT
    );
    INSERT INTO "users" ("id", "name") VALUES
    (1, 'Ann'),
    (2, 'O''Brien');                  (a statement every --insert-batch rows, 1000 by default)

A statement starts at every file position that is a multiple of the batch size, so the
statements do not depend on chunks or --workers. Identifiers are double-quoted (quotes
doubled), strings single-quoted (quotes doubled; backslashes are plain characters, as in
standard SQL, PostgreSQL and SQLite; MySQL needs NO_BACKSLASH_ESCAPES and ANSI_QUOTES).
Blanks are NULL, booleans TRUE/FALSE; arrays are their JSON text, like CSV's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, join
from datagen.layout import Leaf, Obj
from datagen.outputs import Output, TextFormat
from datagen.records import RowView, flat_columns, flat_values

__all__ = ["SqlFormat", "quote_identifier", "sql_type"]


def quote_identifier(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _string_literals(arr: pa.Array) -> pa.Array:
    return join("'", pc.replace_substring(arr, "'", "''"), "'")


def _literals(values: pa.Array) -> pa.Array:
    """Each value as a SQL literal; nulls are NULL."""
    t = values.type
    if pa.types.is_dictionary(t):
        words = _literals(values.dictionary)
        return pc.fill_null(words.take(values.indices), "NULL")
    if pa.types.is_null(t):
        return pa.repeat(pa.scalar("NULL"), len(values))
    if pa.types.is_boolean(t):
        return pc.fill_null(pc.if_else(values, "TRUE", "FALSE"), "NULL")
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pc.fill_null(_string_literals(values), "NULL")
    return pc.fill_null(values.cast(pa.string()), "NULL")


def _column_literals(col: Column) -> pa.Array:
    """A column's SQL literals; an SQL Expression field's values go in as they are."""
    if col.sql:
        return pc.fill_null(col.values.cast(pa.string()), "NULL")
    return _literals(col.values)


def sql_type(values: pa.Array) -> str:
    """The column type CREATE TABLE gives a column of these values."""
    t = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE PRECISION"
    return "TEXT"


class SqlFormat(TextFormat):
    """INSERT statements of `out.batch` rows into `out.table`."""

    def __init__(self, tree: Obj, out: Output) -> None:
        self.columns = flat_columns(tree)
        self.out = out
        self.table = quote_identifier(out.table)
        names = ", ".join(quote_identifier(c.name) for c in self.columns)
        self.insert = f"INSERT INTO {self.table} ({names}) VALUES{out.eol}"

    def start(self, view: RowView) -> bytes:
        if not self.out.create_table:
            return b""
        eol = self.out.eol
        lines = []
        for c in self.columns:
            typ = sql_type(view.columns[c.node.slot].values) if isinstance(c.node, Leaf) else "TEXT"
            lines.append(f"  {quote_identifier(c.name)} {typ}")
        return f"CREATE TABLE {self.table} ({eol}{(',' + eol).join(lines)}{eol});{eol}".encode()

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        values = flat_values(self.columns, view, _column_literals, _string_literals)
        parts: list[pa.Array | str] = []
        for i, v in enumerate(values):
            parts += [", ", v] if i else [v]
        positions = np.arange(start, start + view.rows, dtype=np.int64)
        batch = self.out.batch
        opens = pa.array(positions % batch == 0)
        closes = pa.array((positions % batch == batch - 1) | (positions == total - 1))
        eol = self.out.eol
        prefix = pc.if_else(opens, self.insert, "")
        suffix = pc.if_else(closes, ";" + eol, "," + eol)
        return join(prefix, "(", *parts, ")", suffix)
