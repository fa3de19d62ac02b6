"""The scheduler: backpressure, retries, rebuilt pools after dead workers, timeouts."""

import os
import signal
import time
from dataclasses import dataclass, replace

import pytest

from mapreduce.engine.executors import SequentialExecutor, make_executor
from mapreduce.engine.scheduler import ExecutorSlot, Phase, run_phase
from mapreduce.errors import BadRecordError, TaskFailedError


@dataclass(frozen=True)
class Task:
    task_id: str
    value: int
    fault: str | None = None
    attempt: int = 1


def work(task: Task) -> int:
    """Top-level so process pools can run it; fails as the task's fault says."""
    if task.fault == "raise":
        raise ValueError(f"boom in {task.task_id}")
    if task.fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if task.fault == "hang":
        time.sleep(60)
    if task.fault == "bad":
        raise BadRecordError("data.jsonl line 3: invalid JSON")
    if task.fault == "interrupt":
        raise KeyboardInterrupt
    return task.value * 10


class Journal:
    def __init__(self):
        self.attempts = {}
        self.events = []

    def start(self, task_id):
        self.attempts[task_id] = self.attempts.get(task_id, 0) + 1
        return self.attempts[task_id]

    def done(self, task_id, attempt, result):
        self.events.append(("done", task_id, attempt))

    def failed(self, task_id, attempt, error, final):
        self.events.append(("failed", task_id, attempt, error, final))


def run(tasks, faults, executor="sequential", max_attempts=3, timeout=None, always=False):
    journal = Journal()
    results = {}

    def prepare(task, attempt):
        fault = faults.get(task.task_id) if (attempt == 1 or always) else None
        return replace(task, attempt=attempt, fault=fault)

    phase = Phase("map", work, tasks, prepare, lambda t: f"value {t.value}", max_attempts, timeout)
    pool = ExecutorSlot(lambda: make_executor(executor, 2))
    try:
        run_phase(phase, pool, 4, journal, lambda t, r: results.__setitem__(t.task_id, r))
    finally:
        pool.executor.shutdown(wait=False, cancel_futures=True)
    return results, journal


TASKS = [Task(f"map-{i:05d}", i) for i in range(6)]
EXPECTED = {t.task_id: t.value * 10 for t in TASKS}


def test_all_tasks_run_once_without_faults():
    results, journal = run(TASKS, {})
    assert results == EXPECTED
    assert set(journal.attempts.values()) == {1}


@pytest.mark.parametrize("executor", ["sequential", "thread", "process"])
def test_a_raising_task_is_retried(executor):
    results, journal = run(TASKS, {"map-00002": "raise"}, executor)
    assert results == EXPECTED
    assert journal.attempts["map-00002"] == 2


def test_a_killed_worker_rebuilds_the_pool_and_reruns_tasks_in_flight():
    results, journal = run(TASKS, {"map-00001": "kill", "map-00004": "kill"}, "process")
    assert results == EXPECTED
    assert journal.attempts["map-00001"] >= 2 and journal.attempts["map-00004"] >= 2
    died = [e for e in journal.events if e[0] == "failed"]
    assert all("worker process died" in e[3] and not e[4] for e in died)


def test_a_hung_task_is_killed_and_retried():
    results, journal = run(TASKS[:3], {"map-00001": "hang"}, "process", timeout=1.5)
    assert results == {k: v for k, v in EXPECTED.items() if k in {t.task_id for t in TASKS[:3]}}
    assert any("timed out after 1.5 s" in e[3] for e in journal.events if e[0] == "failed")


def test_a_task_that_always_fails_names_itself_and_its_attempts():
    with pytest.raises(TaskFailedError) as caught:
        run(TASKS, {"map-00003": "raise"}, always=True, max_attempts=2)
    message = str(caught.value)
    assert message.startswith("map-00003 (map 4 of 6, value 3) failed after 2 attempts")
    assert "ValueError: boom in map-00003" in message
    assert isinstance(caught.value.__cause__, ValueError)


def test_bad_records_are_not_retried():
    with pytest.raises(BadRecordError, match="line 3"):
        run(TASKS, {"map-00000": "bad"}, always=True)


def test_sequential_executor_is_a_plain_executor():
    with SequentialExecutor() as executor:
        assert executor.submit(work, Task("t-00000", 4)).result() == 40
        assert list(executor.map(work, [Task("t-00000", 1), Task("t-00001", 2)])) == [10, 20]
    with pytest.raises(RuntimeError):
        executor.submit(work, Task("t-00000", 1))


@pytest.mark.parametrize("executor", ["sequential", "thread", "process"])
def test_an_interrupted_task_stops_the_phase_and_is_no_failed_attempt(executor):
    journal = Journal()
    phase = Phase(
        "map",
        work,
        [replace(TASKS[0], fault="interrupt"), *TASKS[1:]],
        lambda task, attempt: task,
        str,
        3,
    )
    slot = ExecutorSlot(lambda: make_executor(executor, 2))
    try:
        with pytest.raises(KeyboardInterrupt):
            run_phase(phase, slot, 4, journal, lambda task, result: None)
    finally:
        slot.executor.shutdown(wait=True, cancel_futures=True)
    assert journal.attempts["map-00000"] == 1
    assert [e for e in journal.events if e[0] == "failed"] == []
