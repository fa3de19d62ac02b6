"""Running a plan: chunks made in parallel processes, written in chunk order, published atomically.

    main process                                    worker processes (or inline for --workers 1)
    ────────────                                    ───────────────────────────────────────────
    compile_plan(plan)  validates, builds pools
    submit ChunkTask(plan, i), ≤ 2×workers ahead ──► run_chunk(task): columns → bytes | batch
    take results in order i = 0, 1, 2 ...      ◄── ChunkResult(rows, data, truth part)
      ├─► output sink (temporary file)
      └─► TruthSpill (key-range buckets)
    all chunks done: rename temp → OUT, then write and rename the truth file

Only a tiny task (the plan and a chunk index) goes to a worker; a chunk's bytes come back once.
Workers are forked after the parent built its pools, so they start warm.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pyarrow.parquet as pq

from datagen.chunk import ChunkResult, ChunkTask, run_chunk
from datagen.errors import DatagenError
from datagen.plan import Plan
from datagen.progress import ProgressBar
from datagen.publish import Target
from datagen.truth import TruthSpill

__all__ = ["execute"]


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context(
        "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"
    )


def _results(plan: Plan, workers: int) -> Iterator[ChunkResult]:
    """Chunk results in chunk order, with at most 2×workers chunks in flight (backpressure)."""
    tasks = (ChunkTask(plan, i) for i in range(plan.chunks))
    if workers == 1 or plan.chunks == 1:
        yield from map(run_chunk, tasks)
        return
    pending: deque[Future[ChunkResult]] = deque()
    pool = ProcessPoolExecutor(min(workers, plan.chunks), mp_context=_context())
    try:
        for task in tasks:
            pending.append(pool.submit(run_chunk, task))
            if len(pending) >= 2 * workers:
                yield _collect(pending.popleft(), plan)
        while pending:
            yield _collect(pending.popleft(), plan)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(future: Future[ChunkResult], plan: Plan) -> ChunkResult:
    try:
        return future.result()
    except Exception as exc:
        msg = f"a chunk of {plan.chunks} failed in a worker process: {exc}"
        raise DatagenError(msg) from exc


class _Sink:
    """Where chunk results go: raw bytes for text formats, row groups for Parquet."""

    def __init__(self, plan: Plan, file: BinaryIO) -> None:
        self.plan = plan
        self.file = file
        self.parquet: pq.ParquetWriter | None = None

    def write(self, result: ChunkResult) -> int:
        if result.batch is None:
            self.file.write(result.data)
            return len(result.data)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.file, result.batch.schema, compression="snappy")
        before = self.file.tell()
        self.parquet.write_batch(result.batch)
        return self.file.tell() - before

    def close(self) -> int:
        if self.parquet is not None:
            self.parquet.close()
        return self.file.tell()


def execute(
    plan: Plan, out: str | Path, truth: str | Path | None, workers: int, quiet: bool
) -> int:
    """Write the plan's file (and truth file); returns the output's size in bytes."""
    target = Target(out)
    spill = (
        TruthSpill(truth, plan.versions.keys)
        if truth is not None and plan.versions is not None
        else None
    )
    try:
        sink = _Sink(plan, target.open())
        with ProgressBar(plan.rows, enabled=not quiet) as bar:
            for result in _results(plan, workers):
                bar.advance(result.rows, sink.write(result))
                if spill is not None and result.truth is not None:
                    spill.add(result.truth)
        size = sink.close()
        target.commit()
    except BaseException:
        target.abort()
        if spill is not None:
            spill.abort()
        raise
    if spill is not None:
        spill.publish()
    return size
