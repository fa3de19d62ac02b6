"""Executors: sequential, thread and process, all as `concurrent.futures.Executor`.

The engine submits the same task functions to whichever executor it is given, so the
sequential baseline is not a special code path: it is those tasks run one after another
in the calling thread, with real tracebacks.

Process workers never outlive their coordinator (issue 8): each asks Linux for SIGKILL
when its parent dies (PR_SET_PDEATHSIG), and a watchdog thread checks the parent too
(other systems, or a parent that died before the request was made).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from mapreduce.engine.allocator import tune_allocator

__all__ = [
    "EXECUTORS",
    "SequentialExecutor",
    "default_workers",
    "die_with_coordinator",
    "make_executor",
    "start_worker",
]

EXECUTORS = ("sequential", "thread", "process")
_PR_SET_PDEATHSIG = 1
_WATCH_S = 0.5


class SequentialExecutor(Executor):
    """Runs each submitted call at once, in the caller's thread; the baseline executor."""

    def __init__(self) -> None:
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit to a SequentialExecutor after shutdown")
        future: Future[Any] = Future()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # the future carries the task's failure, as a pool's does
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True


def default_workers() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _process_context() -> multiprocessing.context.BaseContext:
    # fork starts workers in milliseconds, with every module already imported, but forking
    # a process that has threads can deadlock a child on a lock some thread held. The
    # coordinator is single-threaded when it builds its first pool; a pool rebuilt after a
    # crash (the old pool's manager thread, a progress bar's refresh thread) uses
    # forkserver: workers forked from a clean single-threaded server, our modules preloaded.
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mapreduce.worker.entry"])
    return context


def start_worker(coordinator: int) -> None:
    """Process-pool initializer: tune the allocator (engine.allocator; a forked worker
    has it already) and end this worker when its parent or `coordinator` dies."""
    tune_allocator()
    die_with_coordinator(coordinator)


def die_with_coordinator(coordinator: int) -> None:
    """Process-pool initializer: end this worker when its parent or `coordinator` dies.

    A worker's parent is the coordinator (fork) or the forkserver, which exits with the
    coordinator. Without this, a SIGKILLed coordinator left its workers running forever.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent != os.getppid() or not _alive(coordinator):  # it died before the prctl
        os._exit(1)
    watch = threading.Thread(
        target=_watch, args=(parent, coordinator), name="mapreduce-watchdog", daemon=True
    )
    watch.start()


def _watch(parent: int, coordinator: int) -> None:
    while os.getppid() == parent and _alive(coordinator):
        time.sleep(_WATCH_S)
    os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def make_executor(kind: str, workers: int) -> Executor:
    """Build the executor `kind` with `workers` workers (ignored by sequential)."""
    if kind == "sequential":
        return SequentialExecutor()
    if kind == "thread":
        return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mapreduce")
    if kind == "process":
        context = _process_context()
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(os.getpid(),),
        )
        if context.get_start_method() == "fork":
            # A fork pool starts all its workers at the first submit: do it now, while this
            # process is still single-threaded (before progress bars start their thread).
            pool.submit(int).result()
        return pool
    raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")
