"""The map side of a map task: reading its input, mapping, combining, spilling.

The hot loop lives here (`map_records`): every input record passes through it once,
so it keeps per-record work to attribute stores, one call into the job and one dict
update, and leaves everything else (partitioning, sorting, encoding) to spill time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from zlib import crc32

import orjson

from mapreduce.errors import BadRecord, BadRecordError
from mapreduce.job import Job
from mapreduce.keys import canonical_key, pair_sort_key, partition_of
from mapreduce.shuffle import SpillFile, read_section, write_spill
from mapreduce.splits import LineCounter, Split, read_split_with_bytes

if TYPE_CHECKING:
    from mapreduce.tasks import MapTask

__all__ = ["MapOutput", "Rejects", "map_records", "source_records"]

# Exceptions from map() that reject one record rather than fail the task: a job's
# explicit BadRecord, and the errors a missing or mistyped field raises.
_RECORD_ERRORS = (BadRecord, KeyError, ValueError, TypeError, IndexError, AttributeError)
_MISSING = object()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, BadRecord) else f"{type(exc).__name__}: {text}"


class Rejects:
    """The on_bad callback: stop the task with a located error, or log a reject and go on."""

    def __init__(self, task: MapTask) -> None:
        self.task = task
        self.count = 0
        self.path: str | None = None
        self._handle: Any = None
        source = task.source
        self._lines = LineCounter(source.file) if isinstance(source, Split) else None

    def where(self, position: int) -> tuple[str, str]:
        source = self.task.source
        if not isinstance(source, Split):
            return source.label, f"record {position + 1}"
        assert self._lines is not None
        return source.file.path, self._lines.describe(position)

    def __call__(self, position: int, reason: str, record: Any = _MISSING) -> None:
        path, location = self.where(position)
        if not self.task.skip_bad:
            raise BadRecordError(
                f"{path} {location}: {reason} (pass --skip-bad-records to skip bad records)"
            )
        self.count += 1
        limit = self.task.max_bad
        if limit is not None and self.count > limit:
            msg = (
                f"more than {limit} bad records (--max-bad-records); "
                f"last: {path} {location}: {reason}"
            )
            raise BadRecordError(msg)
        row: dict[str, Any] = {"file": path, "location": location, "reason": reason}
        if record is not _MISSING:
            row["record"] = record
        if self._handle is None:
            self.path = os.path.join(self.task.work_dir, f"rejects-{self.task.task_id}.jsonl")
            self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._handle.write(orjson.dumps(row, default=repr) + b"\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._lines is not None:
            self._lines.close()


def source_records(
    task: MapTask, on_bad: Rejects
) -> tuple[Iterator[tuple[int, Any, bytes | None]], int, int]:
    """(records with their raw bytes, position base, bytes to read) for the task's input."""
    source = task.source
    if not isinstance(source, Split):
        records = ((i, record, None) for i, record in read_section(source.path, 0))
        return records, source.index << 48, os.path.getsize(source.path)
    return read_split_with_bytes(source, on_bad), source.file.index << 48, _split_bytes(source)


def _split_bytes(split: Split) -> int:
    """Bytes on disk the split covers, for progress rates (parquet ranges are row groups)."""
    if split.file.compressed:
        return split.file.size
    return 0 if split.file.format == "parquet" else split.end - split.start


class MapOutput:
    """Map-side buffer: a combine table (jobs with merge) or sorted runs; spills when full."""

    def __init__(self, task: MapTask, merge: Any) -> None:
        self.task = task
        self.merge = merge
        self.table: dict[Any, Any] = {}
        self.pairs: list[tuple[Any, Any]] = []
        self.spills: list[SpillFile] = []
        self.spilled = 0

    def spill(self) -> None:
        """Write the buffered output as one spill file, a section per partition."""
        partitions = self.task.partitions
        items = list(self.table.items()) if self.merge is not None else self.pairs
        if not items:
            return
        if partitions == 1:
            sections = [items]
        else:
            sections = [[] for _ in range(partitions)]
            for pair in items:
                key = pair[0]
                # partition_of inlined for the two common key types (same encoding)
                if type(key) is str:
                    index = crc32(key.encode("utf-8", "surrogatepass")) % partitions
                elif type(key) is int:
                    index = crc32(b"i%d" % key) % partitions
                else:
                    index = partition_of(key, partitions)
                sections[index].append(pair)
        if self.merge is None:
            for section in sections:  # stable: equal keys keep input order
                section.sort(key=pair_sort_key)
        name = f"{self.task.task_id}-{len(self.spills):03d}.spill"
        self.spills.append(write_spill(os.path.join(self.task.work_dir, name), sections))
        self.spilled += len(items)
        self.table = {}
        self.pairs = []


def map_records(
    job: Job,
    mapper: Any,
    records: Iterator[tuple[int, Any, bytes | None]],
    out: MapOutput,
    rejects: Rejects,
    base: int,
) -> tuple[int, int]:
    """The hot loop: map every record, combine or buffer its pairs; returns (read, emitted)."""
    merge = out.merge
    limit = out.task.spill_pairs
    table, buffer = out.table, out.pairs
    get = table.get
    read = emitted = 0
    for position, record, raw in records:
        read += 1
        job.position = base + position
        job.raw = raw
        try:
            pairs = mapper(record)
            if type(pairs) is not tuple:  # a generator, usually; a tuple saves building one
                pairs = tuple(pairs)
            for key, _ in pairs:
                if type(key) is not str and type(key) is not int:
                    pairs = tuple([(canonical_key(k), v) for k, v in pairs])
                    break
        except _RECORD_ERRORS as exc:
            rejects(position, _reason(exc), record)
            continue
        emitted += len(pairs)
        if merge is not None:
            for key, value in pairs:
                old = get(key, _MISSING)
                table[key] = value if old is _MISSING else merge(old, value)
            if len(table) >= limit:
                out.spill()
                table = out.table
                get = table.get
        else:
            buffer.extend(pairs)
            if len(buffer) >= limit:
                out.spill()
                buffer = out.pairs
    return read, emitted
