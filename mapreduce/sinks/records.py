"""Part files to rows: decode NDJSON in batches, infer columns, build typed row tuples.

Every loader reads part files through `read_batches`, so a bad line is reported the same
way everywhere: the part file, the line number, the field and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

import orjson

from mapreduce.sinks.columns import infer_column
from mapreduce.sinks.instants import NS_PER_S, instant_function
from mapreduce.sinks.names import RESERVED_PREFIX, validate_name
from mapreduce.sinks.spec import LoadSpec, SinkError

__all__ = ["Batch", "read_batches", "scan_columns", "to_rows"]

_loads = orjson.loads


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive decoded records of one part file; `first_line` is 1-based."""

    path: str
    first_line: int
    records: list[dict[str, Any]]

    def where(self, index: int) -> str:
        """`path line N` of the record at `index`, for error messages."""
        return f"{self.path} line {self.first_line + index}"


def read_batches(path: str, size: int) -> Iterator[Batch]:
    """Decode `path` (NDJSON, one object per line) `size` lines at a time."""
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise SinkError(f"cannot read part file {path}: {exc.strerror}") from exc
    with file:
        first = 1
        while lines := list(islice(file, size)):
            yield Batch(path, first, _decode(path, first, lines))
            first += len(lines)


def _decode(path: str, first: int, lines: list[bytes]) -> list[dict[str, Any]]:
    """Decoded records of `lines`; a line that is not one JSON object is refused by number."""
    try:
        records = list(map(_loads, lines))
    except orjson.JSONDecodeError:
        records = []
        for offset, line in enumerate(lines):
            try:
                records.append(_loads(line))
            except orjson.JSONDecodeError as exc:
                msg = f"part file {path} line {first + offset}: invalid JSON ({exc.msg})"
                raise SinkError(msg) from exc
    if set(map(type, records)) - {dict}:
        offset = next(i for i, r in enumerate(records) if type(r) is not dict)
        raise SinkError(f"part file {path} line {first + offset}: a record must be a JSON "
                        "object to be loaded into a table: output dicts from the job")
    return records


def scan_columns(batch: Batch, dialect: str) -> tuple[tuple[str, str], ...]:
    """Columns of one batch, in first-appearance order, with their inferred types."""
    names = list(dict.fromkeys(k for shape in dict.fromkeys(map(tuple, batch.records))
                               for k in shape))
    for name in names:
        try:
            validate_name(name, dialect, "column")
        except SinkError as exc:
            raise SinkError(f"part file {batch.path}: {exc}") from None
    reserved = [n for n in names if n.startswith(RESERVED_PREFIX)]
    if reserved:
        raise SinkError(f"part file {batch.path}: field {reserved[0]!r} uses the prefix "
                        f"{RESERVED_PREFIX!r}, which the loader keeps for its own columns: "
                        "rename it in the job's output")
    values = zip(*(_pick(batch.records, names)), strict=True) if names else iter(())
    return tuple((name, infer_column(col)) for name, col in zip(names, values, strict=True))


def to_rows(batch: Batch, spec: LoadSpec, columns: Sequence[str],
            json_columns: frozenset[str], extra: Callable[[Batch, int], list[Any]] | None,
            instant_split: bool) -> list[tuple[Any, ...]]:
    """Row tuples of `batch` in `columns` order, then its instant, then `extra(batch)`.

    JSON columns become JSON text; the key must be present and not null. The instant is
    `(seconds, nanoseconds)` with `instant_split` (SQLite) or one exact int (PostgreSQL).
    """
    picked = _pick(batch.records, columns)
    data: list[Sequence[Any]] = list(zip(*picked, strict=True)) if picked else []
    key = columns.index(spec.key_field)
    if None in data[key]:
        bad = batch.where(list(data[key]).index(None))
        raise SinkError(f"part file {bad}: the key field {spec.key_field!r} is missing or "
                        "null: every loaded record needs its key")
    if spec.timestamp_field is not None:  # from the values as decoded, before any JSON text
        data.extend(_instants(batch, spec, data[columns.index(spec.timestamp_field)],
                              instant_split))
    for index, name in enumerate(columns):
        if name in json_columns:
            data[index] = [None if v is None else orjson.dumps(v).decode() for v in data[index]]
    if extra is not None:
        data.append(extra(batch, len(picked)))
    return list(zip(*data, strict=True))


def _pick(records: list[dict[str, Any]], columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Each record's values in `columns` order (None for a missing field)."""
    if len(columns) > 1:
        try:
            return list(map(itemgetter(*columns), records))
        except KeyError:
            pass
    return [tuple(map(r.get, columns)) for r in records]


def _instants(batch: Batch, spec: LoadSpec, values: Sequence[object],
              split: bool) -> list[list[int]]:
    """The instant column(s) of a batch; an unparseable timestamp is refused by line."""
    convert = instant_function(spec.timestamp_unit)
    try:
        instants = list(map(convert, values))
    except ValueError:
        for index, value in enumerate(values):
            try:
                convert(value)
            except ValueError as exc:
                msg = (f"part file {batch.where(index)}: field {spec.timestamp_field!r}: "
                       f"{exc}: upsert-latest needs a valid timestamp in every record")
                raise SinkError(msg) from exc
        raise
    if not split:
        return [instants]
    seconds = [i // NS_PER_S for i in instants]
    return [seconds, [i - s * NS_PER_S for i, s in zip(instants, seconds, strict=True)]]
