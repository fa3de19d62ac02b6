"""Workers write their own chunks into the output, each at the offset the chunks before it end.

A chunk's size is known only once it is made, so offsets are chained through shared memory:

    offsets[0] = 0 (set by the main process)
    worker making chunk i:  make bytes ─► wait until offsets[i] is known ─► offsets[i+1] =
                            offsets[i] + len(bytes), notify ─► os.pwrite(bytes, offsets[i])

Chunks are queued in order, so chunk i is always taken before chunk i+1 and the wait is short;
the copies into the file run in parallel, and no chunk's bytes pass through the main process.
The shared state reaches workers through the pool's initializer (it cannot travel in a task);
`abort` frees waiting workers when the run fails.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from datagen.chunk import ChunkResult, ChunkTask, run_chunk

__all__ = ["Placement", "install", "place_chunk"]

WAIT_SECONDS = 0.5


@dataclass(frozen=True)
class Placement:
    """The shared offsets, their condition, the abort flag, and the file being written."""

    path: str
    offsets: Any
    ready: Any
    abort: Any

    @classmethod
    def create(cls, context: BaseContext, path: str, chunks: int) -> Placement:
        offsets = context.Array("q", [-1] * (chunks + 1), lock=False)
        offsets[0] = 0
        return cls(path, offsets, context.Condition(), context.Event())

    def size(self) -> int:
        """The file's size once every chunk is placed."""
        return int(self.offsets[len(self.offsets) - 1])


_installed: tuple[Placement, int, int] | None = None


def install(placement: Placement) -> None:
    """Pool initializer: remember the placement and open the output once per worker."""
    global _installed
    _installed = (placement, os.open(placement.path, os.O_WRONLY), os.getppid())


def _claim(placement: Placement, index: int, size: int, parent: int) -> int:
    with placement.ready:
        while placement.offsets[index] < 0:
            if placement.abort.is_set() or os.getppid() != parent:
                raise RuntimeError(f"chunk {index} abandoned: the run was aborted")
            placement.ready.wait(WAIT_SECONDS)
        start = int(placement.offsets[index])
        placement.offsets[index + 1] = start + size
        placement.ready.notify_all()
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
