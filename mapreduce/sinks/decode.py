"""Part files straight to typed columns or rows: msgspec Structs of the fields a batch had.

    a batch as dicts (records.read_batches' reading) ─► names, columns, logical types
       └─► a Struct of those fields: integer, text and boolean fields typed (int64 bounds),
           the others Any
    the next batches ─► one Decoder(list[Struct]) call over the batch as a JSON array:
       every field present, none unknown, each typed value checked in C; a typed column
       needs no inference, so only the columns asked for (key, timestamp, Any fields) are
       pulled out of the Structs, and rows are the Structs as tuples ─► a batch the Struct
       refuses (another field, another type, invalid JSON) is read as dicts again, and its
       fields make the next Struct

Stages spend most of their time decoding: a Struct skips building a dict per record and
checking each value's type in Python, and SQLite binds rows, so a column it does not need
is never built. What it gives is exactly what the dicts give, or the batch is read as
dicts: msgspec reads the values, and picks the last of duplicate fields, the same way in
both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Annotated, Any

import msgspec

from mapreduce.sinks.columns import INT64, infer_column
from mapreduce.sinks.records import (
    Batch,
    decode_lines,
    infer_columns,
    line_batches,
    scan_values,
)

__all__ = ["Columns", "Decoded", "read_columns", "read_decoded"]

Columns = tuple[Batch, list[str], list[Sequence[Any]], tuple[tuple[str, str], ...]]
_TYPED: dict[str, Any] = {
    "integer": Annotated[int, msgspec.Meta(ge=INT64[0], le=INT64[1])] | None,
    "text": str | None,
    "boolean": bool | None,
}


class Decoded:
    """One decoded batch: its field names and logical types; columns built on demand."""

    def __init__(
        self,
        batch: Batch,
        names: list[str],
        types: tuple[tuple[str, str], ...],
        columns: dict[str, Sequence[Any]],
        records: list[Any] | None = None,
        getters: dict[str, attrgetter[Any]] | None = None,
    ) -> None:
        self.batch = batch
        self.names = names
        self.types = types
        self._columns = columns
        self._records = records  # Structs, or None when `columns` holds every column
        self._getters = getters or {}

    def column(self, name: str) -> Sequence[Any]:
        """The values of field `name`, in line order."""
        found = self._columns.get(name)
        if found is None:
            assert self._records is not None
            getter = self._getters[name]
            found = self._columns[name] = list(map(getter, self._records))
        return found

    def columns(self) -> list[Sequence[Any]]:
        """Every column, in `names` order (of Structs: the rows transposed, in one C pass,
        half the time of a getter pass per column)."""
        if self._records is not None and len(self._columns) < len(self.names):
            tuples = map(msgspec.structs.astuple, self._records)
            for name, column in zip(self.names, zip(*tuples, strict=True), strict=True):
                self._columns.setdefault(name, column)
        return [self.column(name) for name in self.names]

    def rows(self, replaced: dict[str, Sequence[Any]]) -> Iterable[tuple[Any, ...]]:
        """Row tuples in `names` order, with the columns in `replaced` swapped in."""
        if self._records is not None and not replaced:
            return map(msgspec.structs.astuple, self._records)
        return zip(*[replaced.get(n) or self.column(n) for n in self.names], strict=True)


class _Shape:
    """A Struct of one batch's fields, its decoder, and which columns it types."""

    def __init__(self, names: list[str], types: Sequence[tuple[str, str]]) -> None:
        fields = [(f"f{i}", _TYPED.get(logical, Any)) for i, (_, logical) in enumerate(types)]
        struct: Any = msgspec.defstruct(
            "Record",
            fields,
            forbid_unknown_fields=True,
            gc=False,
            rename={f"f{i}": name for i, name in enumerate(names)},
        )
        self.decode = msgspec.json.Decoder(list[struct]).decode
        self.getters = {name: attrgetter(f"f{i}") for i, name in enumerate(names)}
        self.names = names
        self.typed = [logical if logical in _TYPED else None for _, logical in types]

    def records(self, joined: bytes, lines: list[bytes]) -> list[Any] | None:
        """The lines as Structs, or None if one line does not fit the Struct.

        One call over the batch as a JSON array: a JSON value never holds a raw newline, so
        the lines joined with commas (`joined`) are the array of their values, one each (a line that
        held two, or none, makes the count differ or the array invalid).
        """
        try:
            records: list[Any] = self.decode(b"[" + joined + b"]")
        except msgspec.DecodeError:
            return None
        return records if len(records) == len(lines) else None

    def decoded(self, batch: Batch, records: list[Any]) -> Decoded:
        """The batch as Structs; each untyped column's type inferred from its values.

        A typed field keeps its type in a batch where it holds only nulls (inferring would
        build its column): a batch that had the type came before, so a partition's merged
        columns are the same."""
        found = Decoded(batch, self.names, (), {}, records, self.getters)
        found.types = tuple(
            (name, typed or infer_column(found.column(name)))
            for name, typed in zip(self.names, self.typed, strict=True)
        )
        return found


def read_decoded(path: str, size: int, dialect: str) -> Iterator[Decoded]:
    """The batches of `path`, `size` lines at a time, decoded."""
    shape: _Shape | None = None
    for first, lines in line_batches(path, size):
        joined = b",".join(lines)
        escapes = b"\\" in joined
        shape = shape or _first_shape(path, first, lines, dialect)
        records = shape.records(joined, lines) if shape is not None else None
        if shape is not None and records is not None:
            yield shape.decoded(Batch(path, first, [], escapes, len(lines)), records)
            continue
        batch = Batch(path, first, decode_lines(path, first, lines), escapes, len(lines))
        names, columns = scan_values(batch, dialect)
        types = infer_columns(names, columns)
        uniform = set(map(len, batch.records)) == {len(names)}  # each record has every name
        shape = _Shape(names, types) if uniform and names else None
        yield Decoded(batch, names, types, dict(zip(names, columns, strict=True)))


def _first_shape(path: str, first: int, lines: list[bytes], dialect: str) -> _Shape | None:
    """The Struct of a batch's first record: records of one job nearly always share their
    fields, so the whole batch is tried with it before it is read as dicts."""
    batch = Batch(path, first, decode_lines(path, first, lines[:1]))
    names, columns = scan_values(batch, dialect)
    return _Shape(names, infer_columns(names, columns)) if names else None


def read_columns(path: str, size: int, dialect: str) -> Iterator[Columns]:
    """(batch, field names, columns, logical types) of `path`, `size` lines at a time."""
    for found in read_decoded(path, size, dialect):
        yield found.batch, found.names, found.columns(), found.types
