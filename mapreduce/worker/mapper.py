"""The map side of a map task: reading its input, mapping, combining, spilling.

The hot loop lives here (`map_records`): every input record passes through it once,
so it keeps per-record work to attribute stores, one call into the job and one dict
update, and leaves everything else (partitioning, sorting, encoding) to spill time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from zlib import crc32

from mapreduce.errors import JobError, shown
from mapreduce.formats.files import OFFSET_BITS, Split
from mapreduce.formats.registry import format_named, read_records
from mapreduce.job import Job
from mapreduce.keys import canonical_key, pair_sort_key, partition_of
from mapreduce.worker.rejects import RECORD_ERRORS, Rejects, reason_of
from mapreduce.worker.spill import SpillFile, read_section, write_spill
from mapreduce.worker.tasks import MapTask, StepInput

_MISSING = object()

__all__ = ["MapOutput", "map_records", "source_records", "split_bytes"]


def source_records(
    source: Split | StepInput, on_bad: Rejects
) -> tuple[Iterator[tuple[int, Any, bytes | None]], int, int]:
    """(records with their raw bytes, position base, bytes to read) of one split or a
    previous step's output."""
    if not isinstance(source, Split):
        records = ((i, record, None) for i, record in read_section(source.path, 0))
        return records, source.index << OFFSET_BITS, os.path.getsize(source.path)
    on_bad.reading(source)
    return read_records(source, on_bad), source.file.base, split_bytes(source)


def split_bytes(split: Split) -> int:
    """Bytes on disk the split covers, for progress rates (parquet ranges are row groups)."""
    if split.file.compressed:
        return split.file.size
    return 0 if format_named(split.file.format).row_groups else split.end - split.start


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


def not_pairs(pairs: Any, exc: BaseException) -> str:
    """Why map()'s output is not (key, value) pairs, or which key cannot be one: a mistake
    in the job, not in a record."""
    if all(type(pair) in (tuple, list) and len(pair) == 2 for pair in pairs):
        for key, _ in pairs:
            try:
                canonical_key(key)
            except (TypeError, ValueError) as refused:
                return f"map() yielded a key that cannot be one: {shown(key)} ({refused})"
    return f"map() must yield (key, value) pairs; it gave {shown(pairs)} ({exc})"


def map_records(
    job: Job,
    mapper: Any,
    records: Iterator[tuple[int, Any, bytes | None]],
    out: MapOutput,
    rejects: Rejects,
    base: int,
) -> tuple[int, int]:
    """The hot loop: map every record, combine or buffer its pairs; returns (read, emitted).

    `read` counts every record of the input, the ones the reader refused as bad included,
    so "N of M records were bad" compares like with like."""
    refused_before = rejects.count
    mapped_bad = 0
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
        except RECORD_ERRORS as exc:
            rejects(position, reason_of(exc), record)
            mapped_bad += 1
            continue
        try:
            for key, _ in pairs:
                if type(key) is not str and type(key) is not int:
                    pairs = tuple([(canonical_key(k), v) for k, v in pairs])
                    break
        except (TypeError, ValueError) as exc:
            raise JobError(not_pairs(pairs, exc)) from exc
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
    return read + rejects.count - refused_before - mapped_bad, emitted
