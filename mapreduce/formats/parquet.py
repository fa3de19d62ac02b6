"""Parquet: row groups are the splits. Planning, the reader for one split, the writer, and
the step that gives all parts of one output one schema.

A Parquet split's start and end count row groups, not bytes; a record's position is its
row index in the file. Timestamp columns reach `map` as `datetime`s, except nanosecond
ones: a datetime cannot hold nanoseconds, so those come as ISO-8601 text with nine
fraction digits ("...T10:00:00.123456789Z"; no "Z" when the column has no time zone),
which `parse_instant` reads exactly.

Column types of written output (the rule README's "Reading the output" documents): one
type per column across every part of an output; ints that meet floats become float64; a
column whose values no one Arrow type holds (text and numbers, true and 1, ints past
int64, ints past 2**53 that meet floats) is text, each non-text value as its JSON text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from mapreduce.errors import InputError
from mapreduce.formats.files import Split, repeated_name
from mapreduce.formats.ndjson import dumps as json_line
from mapreduce.formats.ndjson import sets_sorted
from mapreduce.formats.raw import RawJSON

__all__ = ["ParquetWriter", "plan_row_groups", "read", "unify_parts"]

BATCH_ROWS = 65_536  # rows per row group written
# Rows per batch read: a batch becomes that many live dicts at once, and small batches keep
# the garbage collector's scans short (measured 1.6x faster than 64K rows).
READ_ROWS = 4_096
# The schema of an output without a single record: DuckDB and others refuse a file with no
# column at all, and an output with no records has no column to take a name from.
EMPTY_SCHEMA = pa.schema([("value", pa.string())])
_NAIVE_EPOCH = datetime(1970, 1, 1)
_UNTYPABLE = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError)


def _pq() -> ModuleType:
    """pyarrow.parquet, imported on first use: it pulls in pyarrow.fs (S3 and more), a
    start-up cost that runs on other formats should not pay."""
    import pyarrow.parquet

    return pyarrow.parquet


def plan_row_groups(path: str, split_size: int) -> list[tuple[int, int]]:
    """Group consecutive row groups into ranges of about `split_size` compressed bytes,
    at least one row group each."""
    try:
        meta = _pq().ParquetFile(path).metadata
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read {path} as Parquet: {exc}") from exc
    ranges: list[tuple[int, int]] = []
    if meta.num_rows == 0:  # pyarrow writes one empty row group for an empty table
        return ranges
    start, size = 0, 0
    for group in range(meta.num_row_groups):
        rg = meta.row_group(group)
        size += sum(rg.column(c).total_compressed_size for c in range(rg.num_columns))
        if size >= split_size:
            ranges.append((start, group + 1))
            start, size = group + 1, 0
    if start < meta.num_row_groups:
        ranges.append((start, meta.num_row_groups))
    return ranges


def read(split: Split, on_bad: Callable[[int, str], None]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row index, {column: value}) for the rows of the split's row groups.

    A row group that cannot be decoded is reported at its first row and skipped.
    """
    with _pq().ParquetFile(split.file.path) as pf:
        meta = pf.metadata
        row = sum(meta.row_group(g).num_rows for g in range(split.start))
        _check_names(split.file.path, pf.schema_arrow.names)
        to_rows = _row_maker(pf.schema_arrow)
        for group in range(split.start, split.end):
            try:
                for batch in pf.iter_batches(
                    batch_size=READ_ROWS, row_groups=[group], use_threads=False
                ):
                    for record in to_rows(batch):
                        yield row, record
                        row += 1
            except (OSError, pa.ArrowException) as exc:
                on_bad(row, f"unreadable Parquet row group {group}: {exc}")
            row = sum(meta.row_group(g).num_rows for g in range(group + 1))


def _check_names(path: str, names: list[str]) -> None:
    """Refuse a schema that names a column twice (files.repeated_name)."""
    if found := repeated_name(names):
        name, first, second = found
        msg = (
            f"{path}: the schema names column {name!r} twice (columns {first} and {second}), "
            "so one's values would be lost; rename one"
        )
        raise InputError(msg)


def _row_maker(schema: pa.Schema) -> Callable[[pa.RecordBatch], list[dict[str, Any]]]:
    """How a batch becomes dicts: to_pylist, unless a column holds nanosecond timestamps,
    which to_pylist refuses (or, with pandas installed, turns into Timestamps that compare
    as microseconds): those become ISO-8601 text with nine fraction digits."""
    nanos = [
        i
        for i, field in enumerate(schema)
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns"
    ]
    if not nanos:
        return pa.RecordBatch.to_pylist

    def to_rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
        columns = [
            _nano_texts(column) if i in nanos else column.to_pylist()
            for i, column in enumerate(batch.columns)
        ]
        names = batch.schema.names
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    return to_rows


def _nano_texts(column: pa.Array) -> list[str | None]:
    """A nanosecond timestamp column as ISO-8601 texts, exact ("Z" when it has a zone)."""
    zone = "Z" if column.type.tz is not None else ""
    texts: list[str | None] = []
    for value in column.cast(pa.int64()).to_pylist():
        if value is None:
            texts.append(None)
            continue
        seconds, fraction = divmod(value, 1_000_000_000)
        moment = _NAIVE_EPOCH + timedelta(seconds=seconds)
        texts.append(f"{moment.isoformat(timespec='seconds')}.{fraction:09d}{zone}")
    return texts


def unify_parts(paths: Sequence[str]) -> None:
    """Give every part of one output the same schema (call before the commit).

    Each reduce task types its own part from its own records, so one part may hold a
    column as int64 that another holds as double, and an empty part has no columns: a
    reader of `part-*` then truncates values or fails. The schema is the unified one of the
    parts that have rows (EMPTY_SCHEMA when none has), and parts that differ are rewritten
    to it, one row group at a time, under a temporary name.
    """
    own = [_pq().read_schema(path) for path in paths]
    rows = [_pq().read_metadata(path).num_rows for path in paths]
    schema = _unify([s for s, n in zip(own, rows, strict=True) if n]) or EMPTY_SCHEMA
    while True:
        try:
            for i, path in enumerate(paths):
                if not own[i].equals(schema, check_metadata=False):
                    _rewrite(path, schema)
                    own[i] = schema
            return
        except _Uncastable as exc:  # ints past 2**53 met floats: the column becomes text
            schema = _as_text(schema, exc.column)


def _rewrite(path: str, schema: pa.Schema) -> None:
    """Rewrite one part file with `schema`, row group by row group, then rename it in."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.unify-{os.getpid()}")
    try:
        with _pq().ParquetFile(path) as source, _pq().ParquetWriter(tmp, schema) as writer:
            for group in range(source.metadata.num_row_groups):
                table = source.read_row_group(group)
                if table.num_rows:
                    writer.write_table(_conform(table, schema))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class ParquetWriter:
    """Writes records as Parquet in BATCH_ROWS row groups, the schema inferred from them.

    A batch's types are only known once it is full, and a later batch may widen them (a
    column of nulls that turns into strings, ints that meet floats). So one batch waits in
    memory; more than one go to an Arrow overflow file beside the output, and close() unifies
    their schemas before writing. Identical records give identical bytes.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._rows: list[dict[str, Any]] = []
        self._overflowed: list[tuple[str, pa.Schema]] = []
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def write(self, record: Any) -> None:
        """Add one record; a non-dict record becomes {"value": record}."""
        if type(record) is RawJSON:
            record = record.value()
        self._rows.append(record if isinstance(record, dict) else {"value": record})
        if len(self._rows) >= BATCH_ROWS:
            self._to_overflow(_table(self._rows))
            self._rows = []

    def close(self) -> None:
        """Write every batch with the unified schema, then drop the overflow files."""
        try:
            last = _table(self._rows)
            schemas = [schema for _, schema in self._overflowed] + [last.schema]
            schema = _unify(schemas) or EMPTY_SCHEMA
            while True:
                try:
                    self._write_all(last, schema)
                    return
                except _Uncastable as exc:
                    schema = _as_text(schema, exc.column)
        finally:
            if self._folder is not None:
                self._folder.cleanup()

    def _write_all(self, last: pa.Table, schema: pa.Schema) -> None:
        """Write the overflowed batches, then the last one, with `schema`."""
        with _pq().ParquetWriter(self._path, schema) as writer:
            for path, _ in self._overflowed:
                with ipc.open_file(path) as overflow:
                    writer.write_table(_conform(overflow.read_all(), schema))
            if last.num_rows or not self._overflowed:
                writer.write_table(_conform(last, schema))

    def _to_overflow(self, table: pa.Table) -> None:
        """Keep a full batch in an Arrow file until close()."""
        if self._folder is None:
            folder = os.path.dirname(os.path.abspath(self._path))
            self._folder = tempfile.TemporaryDirectory(dir=folder, prefix=".parquet-overflow-")
        path = os.path.join(self._folder.name, f"{len(self._overflowed):06d}.arrow")
        with ipc.new_file(path, table.schema) as part:
            part.write_table(table)
        self._overflowed.append((path, table.schema))


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    """A table of rows, one column per key (first seen first)."""
    names = list(dict.fromkeys(key for row in rows for key in row))
    columns = [_column([row.get(name) for row in rows]) for name in names]
    return pa.table(columns, names=[str(name) for name in names])


_CONTAINERS = frozenset({set, frozenset, dict, list, tuple})


def _column(values: list[Any]) -> pa.Array:
    """The values as one Arrow array, or as text when no one Arrow type holds them all; a
    set is a list in key order, as in NDJSON (Arrow would take its hash order)."""
    try:
        array = pa.array(values)
    except _UNTYPABLE:
        return pa.array([_text(value) for value in values], pa.string())
    if pa.types.is_nested(array.type):  # lists or structs: some may hold a set
        array = pa.array([sets_sorted(v) if type(v) in _CONTAINERS else v for v in values])
    return array


def _text(value: Any) -> str | None:
    """A value in a text column: text as is, null as null, anything else as its JSON text."""
    if value is None or type(value) is str:
        return value
    return json_line(value)[:-1].decode()  # as NDJSON writes it: big ints, Decimals, sets


def _unify(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for all batches or parts, column by column, first seen first: nulls and
    ints widen (permissive promotion); a column whose types do not unify becomes text."""
    fields = []
    for name in dict.fromkeys(f.name for s in schemas for f in s):
        found = [pa.schema([s.field(name)]) for s in schemas if name in s.names]
        try:
            fields.append(pa.unify_schemas(found, promote_options="permissive").field(0))
        except _UNTYPABLE:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def _as_text(schema: pa.Schema, name: str) -> pa.Schema:
    """The schema with column `name` turned into text."""
    index = schema.get_field_index(name)
    return schema.set(index, pa.field(name, pa.string()))


class _Uncastable(ValueError):
    """A column's values cannot take the unified type exactly (ints past 2**53 as doubles)."""

    def __init__(self, column: str) -> None:
        super().__init__(f"column {column!r} cannot be stored exactly as its unified type")
        self.column = column


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with the unified schema's columns and types (missing columns all null)."""
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table.column(field.name)
        if column.type == field.type:
            columns.append(column)
        elif field.type == pa.string() and column.type != pa.null():
            texts = [_text(value) for value in _pylist(column)]
            columns.append(pa.chunked_array([pa.array(texts, pa.string())]))
        else:
            try:
                columns.append(column.cast(field.type))
            except _UNTYPABLE as exc:
                raise _Uncastable(field.name) from exc
    return pa.Table.from_arrays(columns, schema=schema)


def _pylist(column: pa.ChunkedArray) -> list[Any]:
    """A column's values as Python objects, nanosecond timestamps as exact text."""
    if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
        return [text for chunk in column.chunks for text in _nano_texts(chunk)]
    return column.to_pylist()
