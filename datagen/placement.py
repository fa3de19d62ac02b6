"""Chunks are written into the output by the process that made them, each at the offset where
the chunks before it end.

A chunk's size is known only once it is made, so offsets are chained through shared memory:

    sizes[i]    published by the process that made chunk i, as soon as it is made
    offsets[0] = 0;  offsets[i+1] = offsets[i] + sizes[i]   (set by any process that can)

A process that made chunk i publishes its size, then waits until offsets[i] is known and
os.pwrite()s its bytes there. Whoever waits also extends the chain as far as the published
sizes reach, so a chunk never waits for its predecessor's bytes to be written, only for its
size: the main process, itself making chunks, can keep one in memory and write it later
without holding up the worker that made the next. Every cell is only ever set to the one
value it can have, so processes setting it at once agree.

The shared memory is lock-free: no lock or condition variable is shared, because a process
killed while holding one (Ctrl-C, SIGTERM) would hang the others. The arrays reach workers
through the pool's initializer (they cannot travel in a task); a last cell of the offsets is
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

__all__ = ["Placement", "install", "place_chunk", "quiet_worker", "write_at"]

POLL_SECONDS = 0.001


@dataclass(frozen=True)
class Placement:
    """The output being written, the chunks' shared sizes and offsets (the offsets' last cell
    is the abort flag)."""

    path: str
    offsets: Any
    sizes: Any

    @classmethod
    def create(cls, context: BaseContext, path: str, chunks: int) -> Placement:
        offsets = context.RawArray("q", chunks + 2)
        offsets[:] = [0] + [-1] * chunks + [0]
        sizes = context.RawArray("q", chunks)
        sizes[:] = [-1] * chunks
        return cls(path, offsets, sizes)

    def publish(self, index: int, size: int) -> None:
        """Chunk `index` is made and `size` bytes long: the chunks after it can be placed."""
        self.sizes[index] = size
        self.offset(index)

    def offset(self, index: int) -> int:
        """Where chunk `index` starts, or -1 while a size before it is not yet published.

        Extends the chain of offsets from the last one known before `index` as far as the
        published sizes reach (which may be past `index`)."""
        offsets, sizes = self.offsets, self.sizes
        known = index
        while offsets[known] < 0:
            known -= 1
        while known < len(sizes) and sizes[known] >= 0:
            if offsets[known + 1] < 0:
                offsets[known + 1] = offsets[known] + sizes[known]
            known += 1
        return int(offsets[index])

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
    placement.publish(index, size)
    while (start := placement.offset(index)) < 0:
        if placement.aborted() or os.getppid() != parent:
            raise RuntimeError(f"chunk {index} abandoned: the run was aborted")
        time.sleep(POLL_SECONDS)
    return start


def write_at(fd: int, data: bytes | memoryview, start: int) -> None:
    """All of `data` at offset `start` of the open file `fd` (pwrite may write less)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, start)
        view, start = view[written:], start + written


def place_chunk(task: ChunkTask) -> ChunkResult:
    """Worker entry point: make chunk `task.index` and write it at its offset in the output."""
    if _installed is None:
        raise RuntimeError("place_chunk runs only in a pool started with install()")
    placement, fd, parent = _installed
    result = run_chunk(task)
    start = _claim(placement, task.index, len(result.data), parent)
    write_at(fd, result.data, start)
    return ChunkResult(result.index, result.rows, truth=result.truth, size=len(result.data))
