"""The worker's entry points: `run_map_task` and `run_reduce_task`, one task in, one result out.

Plain top-level functions of one frozen descriptor (worker.tasks), so the same code runs
in-process (the sequential baseline), in threads and in processes.
"""

from __future__ import annotations

import gc
import os
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from mapreduce.errors import JobError, MapReduceError
from mapreduce.job import Job, Step
from mapreduce.jobfile import JobRef, instantiate
from mapreduce.worker.columns_spill import Source
from mapreduce.worker.fastmap import MapColumns, fast_readers, map_splits
from mapreduce.worker.fastreduce import column_records, has_column_spills, read_sources
from mapreduce.worker.faults import inject
from mapreduce.worker.mapper import MapOutput, map_records, source_records, split_bytes
from mapreduce.worker.reducer import reduced_records, write_lines, write_records
from mapreduce.worker.rejects import Rejects
from mapreduce.worker.spill import SpillFile
from mapreduce.worker.tasks import MapResult, MapTask, ReduceResult, ReduceTask
from mapreduce.worker.winners import bulk_format, winner_lines

__all__ = ["run_map_task", "run_reduce_task"]


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


def _job_frame(exc: BaseException, job_path: str) -> traceback.FrameSummary | None:
    """The innermost frame of the traceback that is in the job's file, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == job_path]
    return frames[-1] if frames else None


@contextmanager
def _job_errors(job_path: str) -> Iterator[None]:
    """Turn an exception raised in the job's own code into a JobError naming `job.py:LINE
    in FUNCTION`: a bug in the job fails the same way on every attempt, so it is final.
    Errors of the machine (OSError, MemoryError) stay retryable."""
    try:
        yield
    except (MapReduceError, OSError, MemoryError):
        raise
    except Exception as exc:
        frame = _job_frame(exc, job_path)
        if frame is None:
            raise
        where = f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"
        raise JobError(f"{where}: {type(exc).__name__}: {exc}") from exc


def run_map_task(task: MapTask) -> MapResult:
    """Read the task's split, map and combine it, and spill the output by partition."""
    with _job_errors(task.job.path):
        return _map(task)


def run_reduce_task(task: ReduceTask) -> ReduceResult:
    """Merge or reduce one partition from every spill file and publish its output file."""
    with _job_errors(task.job.path):
        return _reduce(task)


def _map(task: MapTask) -> MapResult:
    started = time.perf_counter()
    inject(task.fault)
    job = _job_for(task.job)
    step = job.steps()[task.step]
    rejects = Rejects(task)
    readers = fast_readers(task.splits, job)
    read = emitted = size = 0
    try:
        with _gc_paused():
            if any(reader is not None for reader in readers):
                # the fast path: declared fields, map_batch, columns (a packed file it
                # cannot read goes through the row path into the same output)
                columns = MapColumns(task, step, type(job).batch_merge or "")
                read, emitted = map_splits(task.splits, readers, job, step, rejects, columns)
                size = sum(split_bytes(split) for split in task.splits)
                files: dict[int, Source] = {
                    split.file.index: (
                        columns.copies.get(split.file.index, split.file.path),
                        *reader.source,
                    )
                    for split, reader in zip(task.splits, readers, strict=True)
                    if reader is not None
                }
                spills, spilled = columns.spill(files)
            else:
                out = MapOutput(task, step.merge)
                for source in task.splits or (task.source,):
                    records, base, length = source_records(source, rejects)
                    got, pairs = map_records(job, step.map, records, out, rejects, base)
                    read, emitted, size = read + got, emitted + pairs, size + length
                out.spill()
                spills, spilled = out.spills, out.spilled
    finally:
        rejects.close()
    job.teardown()
    return MapResult(
        task_id=task.task_id,
        spills=tuple(spills),
        records_read=read,
        bad_records=rejects.count,
        pairs_emitted=emitted,
        pairs_spilled=spilled,
        bytes_read=size,
        rejects_path=rejects.path,
        user_counters=dict(job._counters),
        seconds=time.perf_counter() - started,
        pid=os.getpid(),
    )


def _write_partition(
    task: ReduceTask, job: Job, step: Step, counter: list[int]
) -> tuple[SpillFile | None, int]:
    """Reduce the partition on the path its spills call for and publish its output."""
    kind = type(job).batch_merge
    if kind is None or not has_column_spills(task):
        return write_records(task, reduced_records(step, task, counter))
    sources, files = read_sources(task)
    counter[0] = sum(len(rows) for _, rows in sources)
    bulk = kind == "latest" and type(job).batch_output == "record"
    fmt = bulk_format(sources, files) if bulk and task.output_format == "ndjson" else None
    if fmt is not None:
        return write_lines(task, winner_lines(step, fmt, sources, files))
    return write_records(task, column_records(step, kind, sources, files))


def _reduce(task: ReduceTask) -> ReduceResult:
    started = time.perf_counter()
    inject(task.fault)
    job = _job_for(task.job)
    step = job.steps()[task.step]
    counter = [0]
    with _gc_paused():
        published, written = _write_partition(task, job, step, counter)
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
