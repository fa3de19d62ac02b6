"""The fast path of a reduce task: one partition's lanes combined on columns, then output.

Lanes of every map task's columnar spill are concatenated and combined once more (the
same `combine` as map-side), so each key keeps one row; null comes first, then numbers,
then strings, each lane sorted, which is the total order of keys.py. An `aggregate` row
becomes the row path's value (worker.columns_aggregate.row_values) for output(). A
`latest` winner's record is read back from its input file at its position, so only
winners' bytes are read.

When a partition also has row-path pairs (blocks that took the row path, keys of other
types, row-path spill files) everything is merged the row path's way instead: a dict
with the job's merge, keys sorted with keys.sort_key, in map-task order.
"""

from __future__ import annotations

import csv
import mmap
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import numpy as np
import pyarrow as pa

from mapreduce.formats.files import MAX_OFFSET, OFFSET_BITS
from mapreduce.job import Step
from mapreduce.keys import plain_key, sort_key
from mapreduce.worker.columns import LANES, combine
from mapreduce.worker.columns_aggregate import row_values
from mapreduce.worker.columns_spill import Source, is_column_spill, read_partition
from mapreduce.worker.spill import read_section
from mapreduce.worker.tasks import ReduceTask

__all__ = ["RecordReader", "column_records", "csv_record", "has_column_spills", "read_sources"]

_NS = 1_000_000_000
_OFFSET = MAX_OFFSET - 1
_MISSING = object()
_FLAGS = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)  # a window's pages at once
_WINDOW = 64 << 20  # bytes of input mapped at a time
# Input files a reduce task keeps open at once: the winners of a folder of thousands of
# inputs come from all of them, and one descriptor each ran past the process's limit
# (often 1024, 256 on macOS): "Too many open files".
_OPEN_FILES = 64


def has_column_spills(task: ReduceTask) -> bool:
    """Whether any map task of this step wrote a columnar spill file."""
    return any(is_column_spill(path) for path in task.spills)


class RecordReader:
    """Reads records back from the input files by position. Many at once go through the
    file in position order, one mapped window at a time, so a reduce task holds the
    winners' bytes, never whole mapped inputs; one at a time is a pread. A CSV record
    is parsed into its {column: text} dict, as the row reader hands it to map."""

    def __init__(self, files: dict[int, Source], stack: ExitStack) -> None:
        self.files = files
        self.handles: OrderedDict[int, int] = OrderedDict()  # the most recent use last
        stack.callback(self.close)

    def fd(self, index: int) -> int:
        """The descriptor of input file `index`: opened on first use, and kept among the
        _OPEN_FILES used last."""
        fd = self.handles.pop(index, None)
        if fd is None:
            if len(self.handles) >= _OPEN_FILES:
                os.close(self.handles.popitem(last=False)[1])
            fd = os.open(self.files[index][0], os.O_RDONLY)
        self.handles[index] = fd
        return fd

    def close(self) -> None:
        """Close every input file still open."""
        while self.handles:
            os.close(self.handles.popitem()[1])

    def __call__(self, position: int, length: int) -> Any:
        index = position >> OFFSET_BITS
        raw = os.pread(self.fd(index), length, position & _OFFSET)
        _, fmt, header, delimiter = self.files[index]
        return csv_record(header, raw, delimiter) if fmt == "csv" else raw

    def many(self, positions: np.ndarray, lengths: np.ndarray) -> list[bytes]:
        """The bytes of the records at these positions, in the order given."""
        order = np.argsort(positions, kind="stable")
        ordered = positions[order]
        files, offsets, sizes = ordered >> OFFSET_BITS, ordered & _OFFSET, lengths[order]
        ends = offsets + sizes  # increasing within a file: records do not overlap
        found = np.empty(len(order), object)
        lo = 0
        while lo < len(order):
            index, start = int(files[lo]), int(offsets[lo])
            base = start - start % mmap.ALLOCATIONGRANULARITY
            beyond = np.flatnonzero((files[lo:] != index) | (ends[lo:] > base + _WINDOW))
            hi = lo + max(1, int(beyond[0]) if len(beyond) else len(order) - lo)
            found[order[lo:hi]] = self._window(index, base, offsets[lo:hi], sizes[lo:hi])
            lo = hi
        return found.tolist()

    def records(self, positions: np.ndarray, lengths: np.ndarray) -> Iterator[Any]:
        """The records at these positions as the row path keeps them (NDJSON: the bytes;
        CSV: {column: text}), in the order given; CSV rows are parsed as they are used,
        by one csv reader over all of them."""
        indexes = set((positions >> OFFSET_BITS).tolist())
        if all(fmt != "csv" for _, fmt, _, _ in self.files.values()):
            return iter(self.many(positions, lengths))
        if len(indexes) == 1 and self.files[index := indexes.pop()][1] == "csv":
            _, _, header, delimiter = self.files[index]
            texts = map(bytes.decode, self.many(positions, lengths))
            rows = csv.reader(texts, strict=True, delimiter=delimiter)
            return (dict(zip(header or [], row, strict=True)) for row in rows)
        return map(self, positions.tolist(), lengths.tolist())

    def _window(self, index: int, base: int, offsets: np.ndarray, sizes: np.ndarray) -> list[bytes]:
        length = int((offsets + sizes).max()) - base
        fd = self.fd(index)
        with mmap.mmap(fd, length, flags=_FLAGS, prot=mmap.PROT_READ, offset=base) as view:
            cuts = (offsets - base).tolist()
            return [view[a : a + n] for a, n in zip(cuts, sizes.tolist(), strict=True)]


def csv_record(header: list[str] | None, raw: bytes, delimiter: str = ",") -> dict[str, str]:
    """A CSV record's bytes as the row reader hands it to map: {column: text}."""
    [row] = csv.reader([raw.decode()], strict=True, delimiter=delimiter)
    return dict(zip(header or (), row, strict=True))


class _Ref:
    """Where a `latest` winner's record is, until the merge is done (never compared:
    positions are unique, so versions differ before their third field)."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length


def read_sources(task: ReduceTask) -> tuple[list[tuple[str, Any]], dict[int, Source]]:
    """One partition's lanes from every spill, in map-task order (like the row path), and
    the input files their positions refer to; a row-path spill gives a "pairs" lane."""
    sources: list[tuple[str, Any]] = []
    files: dict[int, Source] = {}
    for path in task.spills:
        if is_column_spill(path):
            lanes, found = read_partition(path, task.partition)
            sources.extend(lanes)
            files.update(found)
        else:
            sources.append(("pairs", list(read_section(path, task.partition))))
    return sources, files


def column_records(
    step: Step, kind: str, sources: list[tuple[str, Any]], files: dict[int, Source]
) -> Iterator[Any]:
    """Yield the output records of one partition, in key order."""
    output = step.output or (lambda key, value: {"key": key, "value": value})
    with ExitStack() as stack:
        fetch = RecordReader(files, stack)
        if any(lane == "pairs" for lane, _ in sources):
            records = _merged_records(step, kind, sources, fetch, output)
        else:
            records = _lane_records(step, kind, sources, fetch, output)
        for record in records:
            if record is not None:
                yield record


Output = Callable[[Any, Any], Any]


def _lane_records(
    step: Step, kind: str, sources: list[tuple[str, Any]], fetch: RecordReader, output: Output
) -> Iterator[Any]:
    for lane in LANES:  # null, then numbers, then strings
        tables = [rows for name, rows in sources if name == lane]
        if not tables:
            continue
        table = combine(kind, pa.concat_tables(tables))
        keys = table["key"].to_pylist()
        if kind != "latest":
            yield from map(output, keys, _values(step, kind, table))
            continue
        kept = fetch.records(table["position"].to_numpy(), table["length"].to_numpy())
        seconds, nanos, positions = (
            table[name].to_pylist() for name in ("seconds", "nanos", "position")
        )
        for key, second, nano, position, record in zip(
            keys, seconds, nanos, positions, kept, strict=True
        ):
            yield output(key, (second * _NS + nano, position, record))


def _values(step: Step, kind: str, table: pa.Table) -> Iterator[Any]:
    """The row path's value of each row of a "sum" or "aggregate" lane."""
    if kind == "sum":
        return iter(table["value"].to_pylist())
    assert step.merge is not None
    return row_values(table, step.merge)


def _versions(step: Step, kind: str, table: pa.Table) -> Iterator[tuple[Any, Any]]:
    keys = table["key"].to_pylist()
    if kind != "latest":
        yield from zip(keys, _values(step, kind, table), strict=True)
        return
    columns = [table[name].to_pylist() for name in ("seconds", "nanos", "position", "length")]
    for key, second, nano, position, length in zip(keys, *columns, strict=True):
        yield key, (second * _NS + nano, position, _Ref(length))


def _merged_records(
    step: Step, kind: str, sources: list[tuple[str, Any]], fetch: RecordReader, output: Output
) -> Iterator[Any]:
    merge = step.merge
    assert merge is not None
    table: dict[Any, Any] = {}
    get = table.get
    for lane, rows in sources:
        pairs = rows if lane == "pairs" else _versions(step, kind, rows)
        for key, value in pairs:
            old = get(key, _MISSING)
            table[key] = value if old is _MISSING else merge(old, value)
    for key in sorted(table, key=sort_key):
        value = table[key]
        if kind == "latest" and type(value[2]) is _Ref:
            value = (value[0], value[1], fetch(value[1], value[2].length))
        yield output(plain_key(key), value)
