"""Workers write their own chunks into the output, each at the offset the chunks before it end.

A chunk's size is known only once it is made, so offsets are chained through shared memory:

    offsets[0] = 0 (set by the main process)
    worker making chunk i:  make bytes ─► wait until offsets[i] is known ─► offsets[i+1] =
                            offsets[i] + len(bytes) ─► os.pwrite(bytes, offsets[i])

Chunks are queued in order, so chunk i is always taken before chunk i+1 and the wait is short;
the copies into the file run in parallel, and no chunk's bytes pass through the main process.

The shared memory is a lock-free array: each cell is written once, by the worker that owns
the chunk before it, and read by polling. No lock or condition variable is shared, because a
worker killed while holding one (Ctrl-C, SIGTERM) would hang every other worker. The array
reaches workers through the pool's initializer (it cannot travel in a task); a last cell is
the abort flag that frees waiting workers when the run fails.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from datagen.chunk import ChunkResult, ChunkTask, run_chunk

__all__ = ["Placement", "install", "place_chunk", "quiet_worker"]

POLL_SECONDS = 0.001


@dataclass(frozen=True)
class Placement:
    """The output being written and the shared offsets (the last cell is the abort flag)."""

    path: str
    offsets: Any

    @classmethod
    def create(cls, context: BaseContext, path: str, chunks: int) -> Placement:
        offsets = context.RawArray("q", chunks + 2)
        offsets[:] = [0] + [-1] * chunks + [0]
        return cls(path, offsets)

    def start(self, size: int) -> None:
        """Chunk 0 (`size` bytes) was written by the main process: chunk 1 starts after it."""
        self.offsets[1] = size

    def abort(self) -> None:
        """Tell waiting workers to give up."""
        self.offsets[len(self.offsets) - 1] = 1

    def aborted(self) -> bool:
        return bool(self.offsets[len(self.offsets) - 1])


def quiet_worker() -> None:
    """Worker initializer: Ctrl-C is the main process's to handle; SIGTERM just ends a worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_installed: tuple[Placement, int, int] | None = None


def install(placement: Placement) -> None:
    """Pool initializer: remember the placement and open the output once per worker."""
    global _installed
    quiet_worker()
    _installed = (placement, os.open(placement.path, os.O_WRONLY), os.getppid())


def _claim(placement: Placement, index: int, size: int, parent: int) -> int:
    offsets = placement.offsets
    while offsets[index] < 0:
        if placement.aborted() or os.getppid() != parent:
            raise RuntimeError(f"chunk {index} abandoned: the run was aborted")
        time.sleep(POLL_SECONDS)
    start = int(offsets[index])
    offsets[index + 1] = start + size
    return start


def place_chunk(task: ChunkTask) -> ChunkResult:
    """Worker entry point: make chunk `task.index` and write it at its offset in the output."""
    if _installed is None:
        raise RuntimeError("place_chunk runs only in a pool started with install()")
    placement, fd, parent = _installed
    result = run_chunk(task)
    start = _claim(placement, task.index, len(result.data), parent)
    view = memoryview(result.data)
    while view:
        written = os.pwrite(fd, view, start)
        view, start = view[written:], start + written
    return ChunkResult(result.index, result.rows, truth=result.truth, size=len(result.data))
