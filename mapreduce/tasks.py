"""The pure functions a worker runs: `run_map_task` and `run_reduce_task`.

One small frozen task descriptor in, one small frozen result out. Input bytes are read
by the worker from its own byte range; map output goes to spill files in the run's work
dir; reduce output goes to a part file. Nothing bulky crosses the executor's pipes, so
the same functions serve the sequential, thread and process executors.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from mapreduce.faults import inject
from mapreduce.job import Job, JobRef, instantiate
from mapreduce.mapside import MapOutput, Rejects, map_records, source_records
from mapreduce.reduceside import reduced_records, write_records
from mapreduce.shuffle import SpillFile
from mapreduce.splits import Split

__all__ = [
    "MapResult",
    "MapTask",
    "ReduceResult",
    "ReduceTask",
    "StepInput",
    "run_map_task",
    "run_reduce_task",
]


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


def run_map_task(task: MapTask) -> MapResult:
    """Read the task's split, map and combine it, and spill the output by partition."""
    started = time.perf_counter()
    inject(task.fault)
    job = _job_for(task.job)
    step = job.steps()[task.step]
    rejects = Rejects(task)
    out = MapOutput(task, step.merge)
    records, base, size = source_records(task, rejects)
    try:
        with _gc_paused():
            read, emitted = map_records(job, step.map, records, out, rejects, base)
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


def run_reduce_task(task: ReduceTask) -> ReduceResult:
    """Merge or reduce one partition from every spill file and publish its output file."""
    started = time.perf_counter()
    inject(task.fault)
    job = _job_for(task.job)
    step = job.steps()[task.step]
    counter = [0]
    with _gc_paused():
        published, written = write_records(task, reduced_records(step, task, counter))
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
