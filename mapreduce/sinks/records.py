"""Part files to rows: decode NDJSON in batches, infer columns, build typed row tuples.

Every loader reads part files through `read_batches`, so a bad line is reported the same
way everywhere: the part file, the line number, the field and what to do.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice, repeat
from operator import add, itemgetter, mul
from typing import Any

import msgspec
import numpy as np
import orjson

from mapreduce.formats.isotime import column_instants
from mapreduce.sinks.columns import infer_column
from mapreduce.sinks.instants import NS_PER_S, instant_function
from mapreduce.sinks.names import RESERVED_PREFIX, validate_name
from mapreduce.sinks.spec import LoadSpec, SinkError

__all__ = [
    "Batch",
    "check_keys",
    "decode_lines",
    "infer_columns",
    "instant_arrays",
    "instant_pairs",
    "json_text",
    "json_texts",
    "line_batches",
    "paused_gc",
    "read_batches",
    "scan_values",
    "to_rows",
]

# msgspec reads part files, as the engine's NDJSON reader does: orjson reads an integer
# beyond 64 bits as a float, msgspec as the exact int. orjson writes JSON text (msgspec only
# for what orjson refuses: integers beyond 64 bits).
_loads = msgspec.json.Decoder().decode
_dumps = orjson.dumps
_encode = msgspec.json.encode


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive decoded records of one part file; `first_line` is 1-based."""

    path: str
    first_line: int
    records: list[dict[str, Any]]
    # Whether any line holds a backslash: without one, no decoded string (and no JSON text
    # orjson writes of a value) holds a backslash, tab, newline or carriage return.
    escapes: bool = True
    size: int = 0  # its lines, when `records` is left empty (decoded straight to columns)

    def __len__(self) -> int:
        return self.size or len(self.records)

    def where(self, index: int) -> str:
        """`path line N` of the record at `index`, for error messages."""
        return f"{self.path} line {self.first_line + index}"


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: decoding allocates millions of acyclic dicts,
    and the collector re-scanning them would double the time and free nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_batches(path: str, size: int) -> Iterator[Batch]:
    """Decode `path` (NDJSON, one object per line) `size` lines at a time."""
    for first, lines in line_batches(path, size):
        escapes = b"\\" in b"".join(lines)
        yield Batch(path, first, decode_lines(path, first, lines), escapes)


def line_batches(path: str, size: int) -> Iterator[tuple[int, list[bytes]]]:
    """(first line number, lines) of the part file `path`, `size` lines at a time."""
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise SinkError(f"cannot read part file {path}: {exc.strerror}") from exc
    with file:
        first = 1
        while lines := list(islice(file, size)):
            yield first, lines
            first += len(lines)


def decode_lines(path: str, first: int, lines: list[bytes]) -> list[dict[str, Any]]:
    """Decoded records of `lines`; a line that is not one JSON object is refused by number."""
    try:
        records = list(map(_loads, lines))
    except msgspec.DecodeError:
        records = []
        for offset, line in enumerate(lines):
            try:
                records.append(_loads(line))
            except msgspec.DecodeError as exc:
                msg = f"part file {path} line {first + offset}: invalid JSON ({exc})"
                raise SinkError(msg) from exc
    if set(map(type, records)) - {dict}:
        offset = next(i for i, r in enumerate(records) if type(r) is not dict)
        raise SinkError(
            f"part file {path} line {first + offset}: a record must be a JSON "
            "object to be loaded into a table: output dicts from the job"
        )
    return records


def scan_values(batch: Batch, dialect: str) -> tuple[list[str], list[Sequence[Any]]]:
    """The batch's field names (first-appearance order, validated) and each field's values,
    a column each (None where a record lacks the field).

    Records of one job nearly always share their fields: then each column is one
    `itemgetter` pass in C, and only a batch with differing fields pays for the general path.
    """
    records = batch.records
    if not records:
        return [], []
    names = list(records[0])
    columns: list[Sequence[Any]] | None = None
    if set(map(len, records)) == {len(names)}:
        with contextlib.suppress(KeyError):  # same count, all present: the same fields
            columns = [list(map(itemgetter(name), records)) for name in names]
    if columns is None:
        names = list(dict.fromkeys(chain.from_iterable(records)))
        columns = [[r.get(name) for r in records] for name in names]
    for name in names:
        _check_field(batch, name, dialect)
    return names, columns


def infer_columns(
    names: Sequence[str], columns: Sequence[Sequence[Any]]
) -> tuple[tuple[str, str], ...]:
    """Each column's logical type, from its values."""
    return tuple((name, infer_column(col)) for name, col in zip(names, columns, strict=True))


def _check_field(batch: Batch, name: str, dialect: str) -> None:
    """A field name must be a valid column name, and not one of the loader's own."""
    try:
        validate_name(name, dialect, "column")
    except SinkError as exc:
        raise SinkError(f"part file {batch.path}: {exc}") from None
    if name.startswith(RESERVED_PREFIX):
        raise SinkError(
            f"part file {batch.path}: field {name!r} uses the prefix "
            f"{RESERVED_PREFIX!r}, which the loader keeps for its own columns: "
            "rename it in the job's output"
        )


def to_rows(
    batch: Batch,
    spec: LoadSpec,
    columns: Sequence[str],
    json_columns: frozenset[str],
    extra: Callable[[Batch, int], list[Any]] | None,
    instant_split: bool,
    picked: list[tuple[Any, ...]] | None = None,
) -> list[tuple[Any, ...]]:
    """Row tuples of `batch` in `columns` order, then its instant, then `extra(batch)`.

    JSON columns become JSON text; the key must be present and not null. The instant is
    `(seconds, nanoseconds)` with `instant_split` (SQLite) or one exact int (PostgreSQL).
    `picked` are the rows in `columns` order if the caller has them already.
    """
    rows = _pick(batch.records, columns) if picked is None else picked
    check_keys(batch, spec, list(map(itemgetter(columns.index(spec.key_field)), rows)))
    instants = None
    if spec.timestamp_field is not None:  # from the values as decoded, before any JSON text
        stamps = list(map(itemgetter(columns.index(spec.timestamp_field)), rows))
        instants = instant_pairs(batch, spec, stamps)
    if json_columns.intersection(columns):
        rows = json_text(rows, columns, json_columns)
    tails: list[Iterable[Any]] = []
    if instants is not None:
        if instant_split:
            return list(map(add, rows, zip(*instants, strict=True)))
        tails.append(map(add, map(mul, instants[0], repeat(NS_PER_S)), instants[1]))
    if extra is not None:
        tails.append(extra(batch, len(rows)))
    return list(map(add, rows, zip(*tails, strict=True))) if tails else rows


def json_text(
    rows: list[tuple[Any, ...]], columns: Sequence[str], json_columns: frozenset[str]
) -> list[tuple[Any, ...]]:
    """Rows with the JSON columns' values as JSON text (None stays NULL)."""
    data: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, name in enumerate(columns):
        if name in json_columns:
            data[index] = json_texts(data[index])
    return list(zip(*data, strict=True))


def json_texts(values: Iterable[Any]) -> list[str | None]:
    """Each value as JSON text (None stays NULL); integers beyond 64 bits digit for digit."""
    try:
        return [None if v is None else _dumps(v).decode() for v in values]
    except TypeError:  # orjson refuses integers beyond 64 bits
        return [None if v is None else _encode(v).decode() for v in values]


def _pick(records: list[dict[str, Any]], columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Each record's values in `columns` order (None for a field it lacks)."""
    if len(columns) == 1:
        return [(r.get(columns[0]),) for r in records]
    try:
        return list(map(itemgetter(*columns), records))
    except KeyError:
        return [tuple(map(r.get, columns)) for r in records]


def instant_pairs(
    batch: Batch, spec: LoadSpec, values: Sequence[object]
) -> tuple[list[int], list[int]]:
    """Each timestamp's exact instant as (floor seconds, nanoseconds) lists."""
    seconds, nanos = instant_arrays(batch, spec, values)
    if isinstance(seconds, np.ndarray):  # Python ints: numpy's do not bind
        return seconds.tolist(), nanos.tolist()
    return seconds, nanos


def instant_arrays(batch: Batch, spec: LoadSpec, values: Sequence[object]) -> tuple[Any, Any]:
    """Each timestamp's exact instant as (floor seconds, nanoseconds): int64 arrays, or
    lists of ints where seconds overflow 64 bits.

    The common ISO-8601 spellings are parsed on the whole column at once (the fast path's
    `column_instants`, which gives what `parse_instant` gives for every value); a column it
    declines goes through `parse_instant` value by value, which names a bad one by line.
    """
    found = column_instants(list(values), spec.timestamp_unit)
    if found is not None:
        return found[0], found[1]  # int64 numpy arrays
    pairs = [divmod(i, NS_PER_S) for i in _instants(batch, spec, values)]
    return [s for s, _ in pairs], [n for _, n in pairs]


def _instants(batch: Batch, spec: LoadSpec, values: Sequence[object]) -> list[int]:
    """The exact instant of each timestamp; an unparseable one is refused by line."""
    convert = instant_function(spec.timestamp_unit)
    try:
        return list(map(convert, values))
    except ValueError:
        for index, value in enumerate(values):
            try:
                convert(value)
            except ValueError as exc:
                msg = (
                    f"part file {batch.where(index)}: field {spec.timestamp_field!r}: "
                    f"{exc}: upsert-latest needs a valid timestamp in every record"
                )
                raise SinkError(msg) from exc
        raise


def check_keys(batch: Batch, spec: LoadSpec, keys: Sequence[object] | None) -> None:
    """Every record needs its key: a missing or null one is refused by line."""
    if keys is None or None in keys:
        index = 0 if keys is None else list(keys).index(None)
        raise SinkError(
            f"part file {batch.where(index)}: the key field {spec.key_field!r} "
            "is missing or null: every loaded record needs its key"
        )
