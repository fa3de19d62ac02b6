"""Running a plan: chunks made in parallel processes, placed in chunk order, published atomically.

    main process (one of the --workers N)            helper processes (N - 1 of them)
    ─────────────────────────────────────            ────────────────────────────────
    compile_plan(plan)  validates, builds pools
    open the temporary output; fork the helpers, which inherit the pools, with chunks
    1, 2 ...; make and write chunk 0 meanwhile
    submit ChunkTask(plan, i) while fewer   ──────► place_chunk(task): columns → bytes,
    than 2×helpers are waiting; else make            publish its size, pwrite at its offset
    chunk i here and publish its size                (placement.py)
    take results in order i = 1, 2, 3 ...   ◄────── ChunkResult(rows, size, truth part)
      (a chunk made here is pwritten then: every chunk before it is placed)
      └─► TruthSpill (key-range buckets)
    all chunks done: rename temp → OUT, then write and rename the truth file

Only a tiny task (the plan and a chunk index) goes to a helper and only counters (and truth
lines) come back; chunk bytes go from the helper straight into the file. The main process
makes chunks too, so N processes share the N cores and none sits waiting. With --workers 1,
or for Parquet (one writer owns the footer), the main process writes what run_chunk returns:
the same bytes. On Linux (before Python 3.12) helpers are forked after the parent built its
pools, so they start warm; elsewhere they build their own.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import pyarrow.parquet as pq

from datagen.chunk import ChunkResult, ChunkTask, run_chunk
from datagen.errors import DatagenError
from datagen.placement import Placement, install, place_chunk, quiet_worker, write_at
from datagen.plan import Plan
from datagen.progress import ProgressBar
from datagen.publish import Target, write_error
from datagen.truth import TruthSpill

__all__ = ["execute", "frozen_heap"]


def start_method() -> str:
    """How worker processes start: fork on Linux (they inherit the parent's warm pools).

    From Python 3.12 forking a process that has threads (Arrow keeps a few) is deprecated,
    so there, and where fork is unsafe or missing, workers start fresh and build their pools.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.version_info < (3, 12) and sys.platform == "linux" and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context(start_method())


def _pool(workers: int, placement: Placement | None) -> ProcessPoolExecutor:
    """A process pool; with a placement, its workers write chunks into the output themselves."""
    if placement is None:
        return ProcessPoolExecutor(workers, mp_context=_context(), initializer=quiet_worker)
    return ProcessPoolExecutor(
        workers, mp_context=_context(), initializer=install, initargs=(placement,)
    )


def _results(
    plan: Plan, workers: int, placement: Placement | None, out: str | Path, fd: int
) -> Generator[ChunkResult, None, None]:
    """Chunk results in chunk order. The main process is one of the `workers` processes: it
    makes chunk 0, forks workers-1 helpers, then makes a chunk itself whenever the helpers
    have 2 chunks each queued (backpressure); the ones it made are written (`fd`) in turn."""
    if workers == 1 or plan.chunks == 1:
        yield from (run_chunk(ChunkTask(plan, i)) for i in range(plan.chunks))
        return
    # The helpers fork at the first submit, after the pools are built (generate's
    # compile_plan), before chunk 0: each then builds its own first-use tables (digits, day
    # and clock texts, folded pools; about 70 ms of CPU) while this process makes chunk 0.
    # Forked after chunk 0 they inherited those tables, but started that much later, and the
    # start is the run's serial part: 1M users with 2 workers, 14 alternations, best
    # 0.404 -> 0.388 s, median 0.423 -> 0.408 s.
    helpers = min(workers - 1, plan.chunks - 1)
    work: Callable[[ChunkTask], ChunkResult] = run_chunk if placement is None else place_chunk
    queued: deque[Future[ChunkResult] | ChunkResult] = deque()
    pool = _pool(helpers, placement)
    try:
        ahead = min(plan.chunks, 1 + 2 * helpers)
        queued.extend(pool.submit(work, ChunkTask(plan, i)) for i in range(1, ahead))
        first = run_chunk(ChunkTask(plan, 0))
        if placement is not None:
            placement.publish(0, len(first.data))
        yield first
        for i in range(ahead, plan.chunks):
            while queued and _ready(queued[0]):
                yield _take(queued.popleft(), plan, out, placement, fd)
            waiting = sum(isinstance(q, Future) and not q.done() for q in queued)
            # near the end the main process keeps the chunks the helpers could only start
            # after it is done: all processes end about together
            if waiting < 2 * helpers and (plan.chunks - i) * helpers > waiting:
                queued.append(pool.submit(work, ChunkTask(plan, i)))
                continue
            mine = run_chunk(ChunkTask(plan, i))
            if placement is not None:
                placement.publish(i, len(mine.data))
            queued.append(mine)
        while queued:
            yield _take(queued.popleft(), plan, out, placement, fd)
    finally:
        if placement is not None:
            placement.abort()  # frees helpers still waiting for an offset after a failure
        pool.shutdown(wait=True, cancel_futures=True)


def _ready(item: Future[ChunkResult] | ChunkResult) -> bool:
    return not isinstance(item, Future) or item.done()


def _take(
    item: Future[ChunkResult] | ChunkResult,
    plan: Plan,
    out: str | Path,
    placement: Placement | None,
    fd: int,
) -> ChunkResult:
    """A helper's result, or one the main process made, written now at its offset (every
    chunk before it is placed, so the offset is known)."""
    if isinstance(item, Future):
        return _collect(item, plan, out)
    if placement is None:
        return item
    start = placement.offset(item.index)
    assert start >= 0, "a chunk before it is not placed"
    try:
        write_at(fd, item.data, start)
    except OSError as exc:
        raise write_error("output", out, exc) from exc
    return replace(item, data=b"", size=len(item.data))


def _collect(future: Future[ChunkResult], plan: Plan, out: str | Path = "") -> ChunkResult:
    try:
        return future.result()
    except OSError as exc:  # a worker's write into the output failed (a full disk ...)
        raise write_error("output", out, exc) from exc
    except Exception as exc:
        msg = f"a chunk of {plan.chunks} failed in a worker process: {exc}"
        raise DatagenError(msg) from exc


class _Sink:
    """Where chunk results go: bytes the workers did not place themselves, or Parquet row groups.

    A failed write (a full disk, a file-size limit) becomes one OutputError naming the output.
    """

    def __init__(self, file: BinaryIO, path: str | Path) -> None:
        self.file = file
        self.path = path
        self.parquet: pq.ParquetWriter | None = None

    def write(self, result: ChunkResult) -> int:
        try:
            return self._write(result)
        except OSError as exc:
            raise write_error("output", self.path, exc) from exc

    def _write(self, result: ChunkResult) -> int:
        if result.batch is None:
            self.file.write(result.data)
            return len(result.data) + result.size
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.file, result.batch.schema, compression="snappy")
        before = self.file.tell()
        self.parquet.write_batch(result.batch)
        return self.file.tell() - before

    def abandon(self) -> None:
        """Let go of the Parquet writer before its file is dropped (it would write a footer
        into a closed file when collected, and print that failure)."""
        if self.parquet is not None:
            with contextlib.suppress(Exception):
                self.parquet.close()
            self.parquet = None

    def close(self) -> int:
        try:
            if self.parquet is not None:
                self.parquet.close()
            self.file.flush()
            self.file.seek(0, 2)
            return self.file.tell()
        except OSError as exc:
            raise write_error("output", self.path, exc) from exc


_frozen_depth = 0  # frozen_heap() blocks open in this process (generate() nests execute())


@contextlib.contextmanager
def frozen_heap() -> Generator[None, None, None]:
    """Objects made so far (the modules' data, Faker's above all; the pools, if built) are
    left out of garbage collections while the run lasts: a full collection walked them all
    (about 20 ms of a 1M-row run), and forked helpers would copy the pages it touches.
    Leaves a caller's own freeze alone. Only the outermost block asks gc.get_freeze_count(),
    which walks every frozen object (5 ms once the modules' data is frozen)."""
    global _frozen_depth
    mine = _frozen_depth == 0 and not gc.get_freeze_count()
    if mine:
        gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if mine:
            gc.unfreeze()


def execute(
    plan: Plan,
    out: str | Path,
    truth: str | Path | None,
    workers: int,
    quiet: bool,
    overwrite: bool = True,
) -> int:
    """Write the plan's file (and truth file); returns the output's size in bytes."""
    with frozen_heap():
        return _execute(plan, out, truth, workers, quiet, overwrite)


def _execute(
    plan: Plan,
    out: str | Path,
    truth: str | Path | None,
    workers: int,
    quiet: bool,
    overwrite: bool,
) -> int:
    target = Target(out, overwrite=overwrite)
    file = target.open()
    versions = plan.versions
    try:
        spill = (
            TruthSpill(truth, versions.keys, overwrite=overwrite)
            if truth and versions is not None
            else None
        )
    except BaseException:
        target.abort()
        raise
    sink = _Sink(file, out)
    try:
        placed = workers > 1 and plan.chunks > 1 and plan.fmt != "parquet" and hasattr(os, "pwrite")
        placement = Placement.create(_context(), str(target.temp), plan.chunks) if placed else None
        # closing(): on any error (Ctrl-C included) the pool is shut down here, not at exit
        with (
            ProgressBar(plan.rows, enabled=not quiet) as bar,
            closing(_results(plan, workers, placement, out, file.fileno())) as results,
        ):
            for result in results:
                bar.advance(result.rows, sink.write(result))
                if spill is not None and result.truth is not None:
                    spill.add(result.truth)
        size = sink.close()
        if spill is not None:
            spill.finish()
        target.commit()  # the data file first: a truth file never describes a missing file
        if spill is not None:
            spill.commit()
    except BaseException:
        sink.abandon()
        target.abort()
        if spill is not None:
            spill.abort()
        raise
    return size
