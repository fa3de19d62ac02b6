"""Part files straight to typed columns: msgspec Structs of the fields a batch had.

    a batch as dicts (records.read_batches' reading) ─► names, columns, logical types
       └─► a Struct of those fields: integer, text and boolean fields typed (int64 bounds),
           the others Any
    the next batches ─► Decoder(Struct): every field present, none unknown, each typed
       value checked in C; a column is one attrgetter pass, and a typed column needs no
       inference ─► a batch the Struct refuses (another field, another type, invalid JSON)
       is read as dicts again, and its fields make the next Struct

Stages spend most of their time decoding: a Struct skips building a dict per record and
checking each value's type in Python. What it gives is exactly what the dicts give, or the
batch is read as dicts: msgspec reads the values, and picks the last of duplicate fields,
the same way in both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

__all__ = ["Columns", "read_columns"]

Columns = tuple[Batch, list[str], list[Sequence[Any]], tuple[tuple[str, str], ...]]
_TYPED: dict[str, Any] = {
    "integer": Annotated[int, msgspec.Meta(ge=INT64[0], le=INT64[1])] | None,
    "text": str | None,
    "boolean": bool | None,
}


class _Shape:
    """A Struct of one batch's fields, its decoder, and which columns it types."""

    def __init__(self, names: list[str], types: Sequence[tuple[str, str]]) -> None:
        fields = [(f"f{i}", _TYPED.get(logical, Any)) for i, (_, logical) in enumerate(types)]
        struct = msgspec.defstruct(
            "Record",
            fields,
            forbid_unknown_fields=True,
            gc=False,
            rename={f"f{i}": name for i, name in enumerate(names)},
        )
        self.decode = msgspec.json.Decoder(struct).decode
        self.getters = [attrgetter(f"f{i}") for i in range(len(names))]
        self.names = names
        self.typed = [logical if logical in _TYPED else None for _, logical in types]

    def columns(self, lines: list[bytes]) -> list[Sequence[Any]] | None:
        """The lines' columns, or None if one line does not fit the Struct."""
        try:
            records = list(map(self.decode, lines))
        except msgspec.DecodeError:
            return None
        return [list(map(getter, records)) for getter in self.getters]

    def types(self, columns: list[Sequence[Any]]) -> tuple[tuple[str, str], ...]:
        """Each column's logical type: the Struct's where it types the field."""
        return tuple(
            (name, typed or infer_column(column))
            for name, typed, column in zip(self.names, self.typed, columns, strict=True)
        )


def read_columns(path: str, size: int, dialect: str) -> Iterator[Columns]:
    """(batch, field names, columns, logical types) of `path`, `size` lines at a time."""
    shape: _Shape | None = None
    for first, lines in line_batches(path, size):
        escapes = b"\\" in b"".join(lines)
        columns = shape.columns(lines) if shape is not None else None
        if shape is not None and columns is not None:
            batch = Batch(path, first, [], escapes, len(lines))
            yield batch, shape.names, columns, shape.types(columns)
            continue
        batch = Batch(path, first, decode_lines(path, first, lines), escapes, len(lines))
        names, columns = scan_values(batch, dialect)
        types = infer_columns(names, columns)
        uniform = set(map(len, batch.records)) == {len(names)}  # each record has every name
        shape = _Shape(names, types) if uniform and names else None
        yield batch, names, columns, types
