"""Running one phase's tasks on an executor: backpressure, retries, dead workers, timeouts.

    pending tasks ──submit (≤ window in flight)──► executor ──result──► on_done
          ▲                                            │
          └──── retry (attempt < max_attempts) ◄── exception / dead worker / timeout

At most `window` tasks are in flight (≈2×workers), so the coordinator's memory does not
grow with the input. A worker that dies breaks a process pool for good
(`BrokenProcessPool`): the pool is rebuilt and every task that was in flight is run again,
each charged one attempt. A task past `task_timeout` gets its pool's workers killed, which
is the only way to stop a running call, and is retried the same way. Errors that retrying
cannot fix (a bad record, a job file that will not load) fail the phase at once. An
interrupt (Ctrl-C: KeyboardInterrupt, or any BaseException that is no Exception) is no
failed attempt: a task that ends with one, in the coordinator's thread (the sequential
executor) or in a worker that got the terminal's SIGINT too, stops the phase as it is,
its attempt left running for `resume` to reset.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from mapreduce.errors import JobError, MapReduceError, TaskFailedError

__all__ = ["ExecutorSlot", "Journal", "Phase", "kill_workers", "run_phase"]


class Journal(Protocol):
    """Where the scheduler records attempts (the ledger)."""

    def start(self, task_id: str) -> int: ...
    def done(self, task_id: str, attempt: int, result: Any) -> None: ...
    def failed(self, task_id: str, attempt: int, error: str, final: bool) -> None: ...


@dataclass(slots=True)
class Phase:
    """One phase to run: the task function, its tasks and how to retry them."""

    name: str
    fn: Callable[[Any], Any]
    tasks: Sequence[Any]
    prepare: Callable[[Any, int], Any]  # (task, attempt) -> the descriptor to submit
    describe: Callable[[Any], str]  # a task's input, for error messages
    max_attempts: int = 3
    task_timeout: float | None = None


class ExecutorSlot:
    """The executor in use, rebuilt after a worker dies or a task is killed."""

    def __init__(self, factory: Callable[[], Executor]) -> None:
        self.factory = factory
        self.executor = factory()

    def rebuild(self) -> None:
        kill_workers(self.executor)
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.factory()


def kill_workers(executor: Executor) -> None:
    """Kill a process pool's workers (the only way to stop a hung call); no-op otherwise."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()


def _is_final(exc: BaseException) -> bool:
    # A bad record or an unloadable job fails the same way on every attempt.
    return isinstance(exc, MapReduceError)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, BrokenProcessPool):
        return "a worker process died (killed, crashed or out of memory)"
    return f"{type(exc).__name__}: {exc}"


def run_phase(
    phase: Phase,
    slot: ExecutorSlot,
    window: int,
    journal: Journal,
    on_result: Callable[[Any, Any], None],
) -> None:
    """Run every task of `phase` to success, or raise the first final failure."""
    queue: deque[Any] = deque(phase.tasks)
    in_flight: dict[Future[Any], tuple[Any, int, float]] = {}
    total = len(phase.tasks)
    if phase.task_timeout is not None:
        window = min(window, _workers_of(slot.executor))  # queued tasks must not time out
    while queue or in_flight:
        while queue and len(in_flight) < window and _usable(slot.executor):
            task = queue.popleft()
            attempt = journal.start(task.task_id)
            try:
                future = slot.executor.submit(phase.fn, phase.prepare(task, attempt))
            except BrokenProcessPool as exc:  # a worker died since the last check
                _retry_or_raise(phase, task, attempt, exc, total, journal, queue, front=True)
                break
            in_flight[future] = (task, attempt, time.monotonic())
        if not in_flight:  # the pool broke with nothing left in flight to report it
            slot.rebuild()
            continue
        finished, _ = wait(list(in_flight), timeout=_poll(phase), return_when=FIRST_COMPLETED)
        broken = False
        for future in finished:
            task, attempt, _ = in_flight.pop(future)
            error = future.exception()
            if error is None:
                result = future.result()
                journal.done(task.task_id, attempt, result)
                on_result(task, result)
                continue
            if not isinstance(error, Exception):  # Ctrl-C: stop, record no failure
                raise error
            broken |= isinstance(error, BrokenProcessPool)
            _retry_or_raise(phase, task, attempt, error, total, journal, queue)
        timed_out = _timed_out(phase, in_flight)
        if broken or timed_out:
            _restart(phase, slot, in_flight, timed_out, total, journal, queue)


def _usable(executor: Executor) -> bool:
    return not getattr(executor, "_broken", False)


def _workers_of(executor: Executor) -> int:
    return int(getattr(executor, "_max_workers", 1) or 1)


def _poll(phase: Phase) -> float | None:
    return None if phase.task_timeout is None else min(1.0, phase.task_timeout / 4)


def _timed_out(phase: Phase, in_flight: dict[Future[Any], tuple[Any, int, float]]) -> set[Any]:
    if phase.task_timeout is None:
        return set()
    limit = time.monotonic() - phase.task_timeout
    return {future for future, (_, _, started) in in_flight.items() if started < limit}


def _restart(
    phase: Phase,
    slot: ExecutorSlot,
    in_flight: dict[Future[Any], tuple[Any, int, float]],
    timed_out: set[Any],
    total: int,
    journal: Journal,
    queue: deque[Any],
) -> None:
    """Rebuild the pool; every task still in flight lost its attempt and goes back."""
    slot.rebuild()
    lost = sorted(in_flight.items(), key=lambda item: item[1][0].task_id)
    in_flight.clear()
    for future, (task, attempt, _) in lost:
        if future in timed_out:
            exc: BaseException = TimeoutError(f"timed out after {phase.task_timeout:g} s")
        else:
            exc = BrokenProcessPool("a worker process died (killed, crashed or out of memory)")
        _retry_or_raise(phase, task, attempt, exc, total, journal, queue, front=True)


def _retry_or_raise(
    phase: Phase,
    task: Any,
    attempt: int,
    exc: BaseException,
    total: int,
    journal: Journal,
    queue: deque[Any],
    *,
    front: bool = False,
) -> None:
    final = _is_final(exc) or attempt >= phase.max_attempts
    journal.failed(task.task_id, attempt, _error_text(exc), final)
    if not final:
        (queue.appendleft if front else queue.append)(task)
        return
    index = int(task.task_id.rsplit("-", 1)[-1])
    where = f"{task.task_id} ({phase.name} {index + 1} of {total}, {phase.describe(task)})"
    if isinstance(exc, JobError):  # a bug in the job: say which task met it, and where
        raise JobError(f"{where} failed: {exc} (a bug in the job; not retried)") from exc
    if isinstance(exc, MapReduceError) and not isinstance(exc, TaskFailedError):
        raise exc
    msg = f"{where} failed after {attempt} attempt{'s' if attempt != 1 else ''}: {_error_text(exc)}"
    raise TaskFailedError(msg) from exc
