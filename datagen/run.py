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
import os
import shutil
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
from datagen.publish import Target, scratch_dir
from datagen.truth import TruthSpill

__all__ = ["execute"]


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context(
        "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"
    )


def _results(plan: Plan, workers: int, spill_dir: Path | None) -> Iterator[ChunkResult]:
    """Chunk results in chunk order, with at most 2×workers chunks in flight (backpressure)."""
    if workers == 1 or plan.chunks == 1:
        yield from (run_chunk(ChunkTask(plan, i)) for i in range(plan.chunks))
        return
    spill = str(spill_dir) if spill_dir is not None else None
    tasks = (ChunkTask(plan, i, spill) for i in range(plan.chunks))
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
        if result.spill is not None:
            return _append(self.file, Path(result.spill))
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


def _append(out: BinaryIO, path: Path) -> int:
    """Append a spilled chunk to `out` in the kernel (copy_file_range), then delete it."""
    with open(path, "rb") as src:
        size = os.fstat(src.fileno()).st_size
        out.flush()
        copied = 0
        copy = getattr(os, "copy_file_range", None)
        while copy is not None and copied < size:
            step = copy(src.fileno(), out.fileno(), size - copied)
            if step == 0:
                break
            copied += step
        if copied < size:
            src.seek(copied)
            out.write(src.read())
    path.unlink()
    return size


def execute(
    plan: Plan, out: str | Path, truth: str | Path | None, workers: int, quiet: bool
) -> int:
    """Write the plan's file (and truth file); returns the output's size in bytes."""
    target = Target(out)
    versions = plan.versions
    spill = TruthSpill(truth, versions.keys) if truth is not None and versions is not None else None
    chunk_dir = scratch_dir(out) if workers > 1 and plan.fmt != "parquet" else None
    try:
        sink = _Sink(plan, target.open())
        with ProgressBar(plan.rows, enabled=not quiet) as bar:
            for result in _results(plan, workers, chunk_dir):
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
    finally:
        if chunk_dir is not None:
            shutil.rmtree(chunk_dir, ignore_errors=True)
    if spill is not None:
        spill.publish()
    return size
