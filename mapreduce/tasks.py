"""The pure functions a worker runs: `run_map_task` and `run_reduce_task`.

One small frozen task descriptor in, one small frozen result out. Input bytes are read
by the worker from its own byte range; map output goes to spill files in the run's work
dir; reduce output goes to a part file. Nothing bulky crosses the executor's pipes, so
the same functions serve the sequential, thread, process and dask executors.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any
from zlib import crc32

import orjson

from mapreduce.errors import BadRecord, BadRecordError
from mapreduce.faults import inject
from mapreduce.formats import open_writer
from mapreduce.job import Job, JobRef, Step, instantiate
from mapreduce.keys import canonical_key, partition_of, plain_key, sort_key
from mapreduce.shuffle import SpillFile, SpillWriter, read_frames, read_section, write_spill
from mapreduce.splits import Split, describe_position, read_split_with_bytes

__all__ = [
    "MapResult",
    "MapTask",
    "ReduceResult",
    "ReduceTask",
    "StepInput",
    "run_map_task",
    "run_reduce_task",
]

# Exceptions from map() that reject one record rather than fail the task: a job's
# explicit BadRecord, and the errors a missing or mistyped field raises.
_RECORD_ERRORS = (BadRecord, KeyError, ValueError, TypeError, IndexError, AttributeError)
_MISSING = object()


@dataclass(frozen=True, slots=True)
class StepInput:
    """A previous step's reduce output, read as records by the next step's map."""

    index: int
    path: str
    label: str


@dataclass(frozen=True, slots=True)
class MapTask:
    """Map one split (or one previous-step partition) and spill its output by partition."""

    task_id: str
    job: JobRef
    step: int
    source: Split | StepInput
    partitions: int
    work_dir: str
    skip_bad: bool = False
    max_bad: int | None = None
    spill_pairs: int = 1_000_000
    attempt: int = 1
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class MapResult:
    """What a map task reports: its spill files and counters."""

    task_id: str
    spills: tuple[SpillFile, ...]
    records_read: int
    bad_records: int
    pairs_emitted: int
    pairs_spilled: int
    bytes_read: int
    rejects_path: str | None
    user_counters: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pid: int = 0


@dataclass(frozen=True, slots=True)
class ReduceTask:
    """Reduce one partition from every map task's spills into one output file."""

    task_id: str
    job: JobRef
    step: int
    partition: int
    spills: tuple[str, ...]
    output_path: str
    output_format: str  # "ndjson" | "csv" | "parquet", or "records" for a next step
    attempt: int = 1
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class ReduceResult:
    """What a reduce task reports: the published file and counters."""

    task_id: str
    output: SpillFile | None
    output_path: str
    pairs_read: int
    records_written: int
    size: int = 0
    user_counters: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pid: int = 0


@contextmanager
def _gc_paused() -> Iterator[None]:
    # The hot loops allocate millions of short-lived, acyclic dicts; the cyclic collector
    # re-scanning them costs ~30% of map time and frees nothing. Pause it per task.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _job_for(ref: JobRef) -> Job:
    job = instantiate(ref)
    job.setup()
    return job


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, BadRecord) else f"{type(exc).__name__}: {text}"


class _Rejects:
    """The on_bad callback: stop the task with a located error, or log a reject and go on."""

    def __init__(self, task: MapTask) -> None:
        self.task = task
        self.count = 0
        self.path: str | None = None
        self._handle: Any = None

    def where(self, position: int) -> tuple[str, str]:
        source = self.task.source
        if isinstance(source, StepInput):
            return source.label, f"record {position + 1}"
        return source.file.path, describe_position(source.file, position)

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


def _source_records(
    task: MapTask, on_bad: _Rejects
) -> tuple[Iterator[tuple[int, Any, bytes | None]], int, int]:
    """(records with their raw bytes, position base, bytes to read) for the task's input."""
    source = task.source
    if isinstance(source, StepInput):
        records = ((i, record, None) for i, record in read_section(source.path, 0))
        return records, source.index << 48, os.path.getsize(source.path)
    return read_split_with_bytes(source, on_bad), source.file.index << 48, _split_bytes(source)


def _split_bytes(split: Split) -> int:
    """Bytes on disk the split covers, for progress rates (parquet ranges are row groups)."""
    if split.file.compressed:
        return split.file.size
    return 0 if split.file.format == "parquet" else split.end - split.start


class _MapOutput:
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
                section.sort(key=_pair_sort_key)
        name = f"{self.task.task_id}-{len(self.spills):03d}.spill"
        self.spills.append(write_spill(os.path.join(self.task.work_dir, name), sections))
        self.spilled += len(items)
        self.table = {}
        self.pairs = []


def _pair_sort_key(pair: tuple[Any, Any]) -> tuple[Any, ...]:
    return sort_key(pair[0])


def _map_records(
    job: Job,
    mapper: Any,
    records: Iterator[tuple[int, Any, bytes | None]],
    out: _MapOutput,
    rejects: _Rejects,
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


def run_map_task(task: MapTask) -> MapResult:
    """Read the task's split, map and combine it, and spill the output by partition."""
    started = time.perf_counter()
    inject(task.fault)
    job = _job_for(task.job)
    step = job.steps()[task.step]
    rejects = _Rejects(task)
    out = _MapOutput(task, step.merge)
    records, base, size = _source_records(task, rejects)
    try:
        with _gc_paused():
            read, emitted = _map_records(job, step.map, records, out, rejects, base)
            out.spill()
    finally:
        rejects.close()
    job.teardown()
    return MapResult(
        task_id=task.task_id,
        spills=tuple(out.spills),
        records_read=read,
        bad_records=rejects.count,
        pairs_emitted=emitted,
        pairs_spilled=out.spilled,
        bytes_read=size,
        rejects_path=rejects.path,
        user_counters=dict(job._counters),
        seconds=time.perf_counter() - started,
        pid=os.getpid(),
    )


def _merged_items(step: Step, task: ReduceTask) -> tuple[list[Any], int]:
    """Merge a partition's pairs into one value per key; return them sorted by key."""
    merge = step.merge
    table: dict[Any, Any] = {}
    get = table.get
    count = 0
    for path in task.spills:  # in map-task order, so merges see input order
        for frame in read_frames(path, task.partition):
            count += len(frame)
            for key, value in frame:
                old = get(key, _MISSING)
                table[key] = value if old is _MISSING else merge(old, value)  # type: ignore[misc]
    # One plain key type: its natural order is the total order, and sorting is faster.
    plain = {type(key) for key in table} in ({str}, {int})
    keys = sorted(table) if plain else sorted(table, key=sort_key)
    return [(key, table[key]) for key in keys], count


def _reduced_records(step: Step, task: ReduceTask, counter: list[int]) -> Iterator[Any]:
    """Yield the output records of one partition, in key order."""
    if step.merge is not None:
        items, counter[0] = _merged_items(step, task)
        output = step.output
        for key, value in items:
            record = output(plain_key(key), value) if output else {"key": key, "value": value}
            if record is not None:
                yield record
        return
    runs = [read_section(path, task.partition) for path in task.spills]
    merged = heapq.merge(*runs, key=_pair_sort_key)  # stable: earlier runs first on ties
    for key, group in itertools.groupby(merged, key=itemgetter(0)):
        values = _counted_values(group, counter)
        yield from step.reduce(plain_key(key), values)  # type: ignore[misc]
        for _ in values:  # a reduce that stops early still consumes its group
            pass


def _counted_values(group: Iterator[tuple[Any, Any]], counter: list[int]) -> Iterator[Any]:
    for _, value in group:
        counter[0] += 1
        yield value


def _write_records(task: ReduceTask, records: Iterator[Any]) -> tuple[SpillFile | None, int]:
    """Publish the records as the task's output file (a part file, or a next-step input)."""
    written = 0
    if task.output_format == "records":
        writer = SpillWriter(task.output_path)
        try:
            writer.begin_section()
            for record in records:
                writer.write(written, record)
                written += 1
            return writer.close(), written
        except BaseException:
            writer.abort()
            raise
    folder, name = os.path.split(task.output_path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}")
    part = open_writer(task.output_format, tmp)
    try:
        for record in records:
            part.write(record)
            written += 1
        part.close()
        os.replace(tmp, task.output_path)
    except BaseException:
        part.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    return None, written


def run_reduce_task(task: ReduceTask) -> ReduceResult:
    """Merge or reduce one partition from every spill file and publish its output file."""
    started = time.perf_counter()
    inject(task.fault)
    job = _job_for(task.job)
    step = job.steps()[task.step]
    counter = [0]
    with _gc_paused():
        published, written = _write_records(task, _reduced_records(step, task, counter))
    job.teardown()
    return ReduceResult(
        task_id=task.task_id,
        output=published,
        output_path=task.output_path,
        pairs_read=counter[0],
        records_written=written,
        size=os.path.getsize(task.output_path),
        user_counters=dict(job._counters),
        seconds=time.perf_counter() - started,
        pid=os.getpid(),
    )
