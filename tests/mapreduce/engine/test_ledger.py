"""Tests for mapreduce.ledger: state transitions and guards, resume, purge, concurrency."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from mapreduce.engine import ledger as ledger_module
from mapreduce.engine import ledger_purge, ledger_schema
from mapreduce.engine.ledger import Ledger, LedgerError, PurgeResult, RunInfo, TaskInfo
from mapreduce.errors import MapReduceError, UnknownRunError, UsageError

T0 = 1_795_000_000.0  # 2026-11-18 UTC


class Clock:
    """A settable clock so times and ages are exact."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    with Ledger(tmp_path / "state", clock=clock) as opened:
        yield opened


def new_run(
    ledger: Ledger, *, job_path: str = "jobs/wc.py", out: str = "out/wc", work_dir: str = ""
) -> str:
    return ledger.create_run(
        job="wordcount",
        job_path=job_path,
        out=out,
        params={"min": 2},
        inputs=[{"path": "a.ndjson", "size": 10, "mtime_ns": 5}],
        config={"executor": "process", "workers": 2},
        work_dir=work_dir,
    )


def with_tasks(ledger: Ledger, maps: int = 3, reduces: int = 2) -> str:
    run_id = new_run(ledger)
    ledger.add_tasks(
        run_id,
        [(f"map-{i:05d}", "map", i) for i in range(maps)]
        + [(f"reduce-{i:05d}", "reduce", i) for i in range(reduces)],
    )
    return run_id


def task(ledger: Ledger, run_id: str, task_id: str) -> TaskInfo:
    return next(t for t in ledger.tasks(run_id) if t.task_id == task_id)


def test_public_surface() -> None:
    assert sorted(ledger_module.__all__) == [
        "Ledger",
        "LedgerError",
        "PurgeResult",
        "RunInfo",
        "SCHEMA_VERSION",
        "TaskInfo",
    ]
    assert issubclass(LedgerError, MapReduceError)


def test_opens_wal_database_with_schema_version(tmp_path: Path) -> None:
    with Ledger(tmp_path / "a" / "b"):
        pass
    conn = sqlite3.connect(tmp_path / "a" / "b" / "ledger.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == ledger_module.SCHEMA_VERSION
    finally:
        conn.close()
    with Ledger(tmp_path / "a" / "b") as again:  # reopening keeps the data
        assert again.list_runs() == []


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    Ledger(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "ledger.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LedgerError, match="schema 99, newer"):
        Ledger(tmp_path)


def test_create_and_get_run(ledger: Ledger, clock: Clock) -> None:
    run_id = new_run(ledger, work_dir="/w/1")
    assert re.fullmatch(r"20261118-\d{6}-[0-9a-f]{4}", run_id)
    run = ledger.get_run(run_id)
    assert isinstance(run, RunInfo)
    assert (run.job, run.job_path, run.out, run.state) == (
        "wordcount",
        "jobs/wc.py",
        "out/wc",
        "running",
    )
    assert run.params == {"min": 2}
    assert run.inputs == [{"path": "a.ndjson", "size": 10, "mtime_ns": 5}]
    assert run.config == {"executor": "process", "workers": 2}
    assert (run.work_dir, run.created_at, run.finished_at) == ("/w/1", T0, None)
    assert (run.counters, run.error, run.tasks_total, run.tasks_done) == ({}, None, 0, 0)
    assert run.pid is not None


def test_run_ids_are_unique_even_at_the_same_instant(ledger: Ledger) -> None:
    assert len({new_run(ledger) for _ in range(200)}) == 200


def test_work_dir_is_stored_absolute(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert ledger.get_run(new_run(ledger, work_dir="w/1")).work_dir == str(tmp_path / "w" / "1")
    assert ledger.get_run(new_run(ledger)).work_dir == ""


def test_unknown_run_is_an_unknown_run_error(ledger: Ledger) -> None:
    with pytest.raises(UnknownRunError, match=r"no run nope in .*state"):
        ledger.get_run("nope")


def test_unjsonable_values_are_refused(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="cannot store params"):
        ledger.create_run(
            job="j",
            job_path="j.py",
            out="o",
            params={"x": object()},
            inputs=[],
            config={},
            work_dir="",
        )


def test_add_tasks_is_idempotent_and_ordered(ledger: Ledger) -> None:
    run_id = new_run(ledger)
    tasks = [("reduce-00000", "reduce", 0), ("map-00010", "map", 10), ("map-00002", "map", 2)]
    ledger.add_tasks(run_id, tasks)
    ledger.start_attempt(run_id, "map-00002")
    ledger.add_tasks(run_id, tasks)  # again: nothing duplicated, nothing reset
    assert [t.task_id for t in ledger.tasks(run_id)] == ["map-00002", "map-00010", "reduce-00000"]
    assert [t.index for t in ledger.tasks(run_id, "map")] == [2, 10]
    assert [t.kind for t in ledger.tasks(run_id, "reduce")] == ["reduce"]
    assert task(ledger, run_id, "map-00002").state == "running"
    fresh = task(ledger, run_id, "map-00010")
    assert fresh == TaskInfo("map-00010", "map", 10, "pending", 0, None, None, None, None, None)


def test_add_tasks_to_unknown_run(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="cannot add tasks to run nope"):
        ledger.add_tasks("nope", [("map-00000", "map", 0)])


def test_task_life_with_a_retry(ledger: Ledger, clock: Clock) -> None:
    run_id = with_tasks(ledger)
    assert ledger.start_attempt(run_id, "map-00001") == 1
    clock.now += 5
    ledger.fail_attempt(run_id, "map-00001", 1, "ValueError: boom", final=False)
    retried = task(ledger, run_id, "map-00001")
    assert (retried.state, retried.attempts, retried.error) == ("pending", 1, "ValueError: boom")
    clock.now += 1
    assert ledger.start_attempt(run_id, "map-00001") == 2
    running = task(ledger, run_id, "map-00001")
    assert (running.state, running.started_at, running.finished_at) == ("running", T0 + 6, None)
    clock.now += 2
    ledger.finish_task(run_id, "map-00001", 2, {"spills": ["a"], "bytes": 3}, pid=4242)
    done = task(ledger, run_id, "map-00001")
    assert (done.state, done.attempts, done.pid) == ("done", 2, 4242)
    assert (done.started_at, done.finished_at) == (T0 + 6, T0 + 8)
    assert done.result == {"spills": ["a"], "bytes": 3}
    assert done.error == "ValueError: boom"  # kept: status shows why it was retried
    run = ledger.get_run(run_id)
    assert (run.tasks_total, run.tasks_done) == (5, 1)


def test_final_failure(ledger: Ledger) -> None:
    run_id = with_tasks(ledger)
    attempt = ledger.start_attempt(run_id, "reduce-00001")
    ledger.fail_attempt(run_id, "reduce-00001", attempt, "OSError: disk full", final=True)
    failed = task(ledger, run_id, "reduce-00001")
    assert (failed.state, failed.error) == ("failed", "OSError: disk full")
    with pytest.raises(LedgerError, match="expected it pending, but it is failed"):
        ledger.start_attempt(run_id, "reduce-00001")


@pytest.mark.parametrize(
    ("setup", "call", "message"),
    [
        (
            [],
            lambda lg, r: lg.finish_task(r, "map-00000", 1, {}, None),
            "cannot finish task map-00000 of run .*: expected it running in attempt 1, "
            "but it is pending after 0 attempt",
        ),
        (
            ["start"],
            lambda lg, r: lg.finish_task(r, "map-00000", 2, {}, None),
            "expected it running in attempt 2, but it is running after 1 attempt",
        ),
        (
            ["start"],
            lambda lg, r: lg.fail_attempt(r, "map-00000", 3, "x", final=False),
            "cannot fail task map-00000 .*running in attempt 3",
        ),
        (
            ["start", "finish"],
            lambda lg, r: lg.fail_attempt(r, "map-00000", 1, "x", final=True),
            "but it is done after 1 attempt",
        ),
        (
            ["start", "finish"],
            lambda lg, r: lg.finish_task(r, "map-00000", 1, {}, None),
            "but it is done",
        ),
        (
            ["start"],
            lambda lg, r: lg.start_attempt(r, "map-00000"),
            "cannot start task map-00000 .*expected it pending, but it is running",
        ),
        (
            ["start"],
            lambda lg, r: lg.reset_task(r, "map-00000"),
            "cannot reset task map-00000 .*expected it done, but it is running",
        ),
        (
            [],
            lambda lg, r: lg.start_attempt(r, "map-99999"),
            "cannot start task map-99999 .*but there is no such task",
        ),
        (
            [],
            lambda lg, r: lg.start_attempt("other-run", "map-00000"),
            "of run other-run: .*no such task",
        ),
    ],
)
def test_guard_failures(ledger: Ledger, setup: list[str], call: Any, message: str) -> None:
    run_id = with_tasks(ledger)
    for step in setup:
        if step == "start":
            ledger.start_attempt(run_id, "map-00000")
        else:
            ledger.finish_task(run_id, "map-00000", 1, {"ok": True}, None)
    before = ledger.tasks(run_id)
    with pytest.raises(LedgerError, match=message):
        call(ledger, run_id)
    assert ledger.tasks(run_id) == before  # a failed guard changes nothing


def test_reset_task_drops_the_result(ledger: Ledger) -> None:
    run_id = with_tasks(ledger)
    ledger.start_attempt(run_id, "map-00000")
    ledger.finish_task(run_id, "map-00000", 1, {"spills": ["x"]}, pid=7)
    ledger.reset_task(run_id, "map-00000")
    reset = task(ledger, run_id, "map-00000")
    assert (reset.state, reset.result, reset.finished_at, reset.attempts) == (
        "pending",
        None,
        None,
        1,
    )
    assert ledger.start_attempt(run_id, "map-00000") == 2  # attempts count across resets


def test_reset_running_takes_back_the_attempt_that_never_ended(ledger: Ledger) -> None:
    run_id = with_tasks(ledger)
    ledger.fail_attempt(
        run_id, "map-00000", ledger.start_attempt(run_id, "map-00000"), "x", final=False
    )
    assert ledger.start_attempt(run_id, "map-00000") == 2  # its coordinator stops here
    assert ledger.reset_running(run_id) == 1
    assert task(ledger, run_id, "map-00000").attempts == 1  # the failed attempt still counts
    assert ledger.start_attempt(run_id, "map-00000") == 2
    assert ledger.retries(run_id) == 1


def test_reset_running_and_failed_touch_only_that_run(ledger: Ledger) -> None:
    run_id, other = with_tasks(ledger), with_tasks(ledger)
    for rid in (run_id, other):
        ledger.start_attempt(rid, "map-00000")
        ledger.start_attempt(rid, "map-00001")
        ledger.start_attempt(rid, "map-00002")
        ledger.finish_task(rid, "map-00002", 1, {}, None)
        ledger.fail_attempt(rid, "map-00001", 1, "boom", final=True)
    assert ledger.reset_running(run_id) == 1
    assert ledger.reset_running(run_id) == 0
    assert ledger.reset_failed(run_id) == 1
    assert [t.state for t in ledger.tasks(run_id, "map")] == ["pending", "pending", "done"]
    assert [t.state for t in ledger.tasks(other, "map")] == ["running", "failed", "done"]


def test_run_states(ledger: Ledger, clock: Clock) -> None:
    run_id = new_run(ledger)
    ledger.set_run_state(run_id, "running", counters={"records": 5})
    clock.now += 60
    ledger.set_run_state(run_id, "failed", error="map-00001 failed on every attempt")
    run = ledger.get_run(run_id)
    assert (run.state, run.finished_at, run.counters) == ("failed", T0 + 60, {"records": 5})
    assert run.error == "map-00001 failed on every attempt"
    ledger.set_run_state(run_id, "running")  # resume
    run = ledger.get_run(run_id)
    assert (run.state, run.finished_at, run.error) == ("running", None, None)
    clock.now += 5
    ledger.set_run_state(run_id, "done", counters={"records": 9})
    run = ledger.get_run(run_id)
    assert (run.state, run.finished_at, run.counters) == ("done", T0 + 65, {"records": 9})


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        (
            "done",
            "running",
            "cannot mark run .* running: expected it running or failed, but it is done",
        ),
        ("done", "failed", "expected it running, but it is done"),
        ("failed", "done", "cannot mark run .* done: expected it running, but it is failed"),
        ("running", "paused", "unknown run state 'paused'"),
    ],
)
def test_run_state_guards(ledger: Ledger, start: str, target: str, message: str) -> None:
    run_id = new_run(ledger)
    if start != "running":
        ledger.set_run_state(run_id, start)
    with pytest.raises(LedgerError, match=message):
        ledger.set_run_state(run_id, target)
    assert ledger.get_run(run_id).state == start


def test_set_state_of_unknown_run(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match=r"run nope done: .*there is no such run"):
        ledger.set_run_state("nope", "done")


def test_latest_unfinished(ledger: Ledger, clock: Clock) -> None:
    assert ledger.latest_unfinished(job_path="jobs/wc.py", out="out/wc") is None
    old = new_run(ledger)
    ledger.set_run_state(old, "failed", error="x")
    clock.now += 1
    newer = new_run(ledger)
    clock.now += 1
    finished = new_run(ledger)
    ledger.set_run_state(finished, "done")
    new_run(ledger, out="out/other")
    new_run(ledger, job_path="jobs/other.py")
    found = ledger.latest_unfinished(job_path="jobs/wc.py", out="out/wc")
    assert found is not None and found.run_id == newer
    ledger.set_run_state(newer, "done")
    found = ledger.latest_unfinished(job_path="jobs/wc.py", out="out/wc")
    assert found is not None and found.run_id == old


def test_list_runs_newest_first_with_progress(ledger: Ledger, clock: Clock) -> None:
    ids = []
    for _ in range(4):
        ids.append(with_tasks(ledger, maps=2, reduces=1))
        clock.now += 1
    ledger.start_attempt(ids[1], "map-00000")
    ledger.finish_task(ids[1], "map-00000", 1, {}, None)
    runs = ledger.list_runs()
    assert [r.run_id for r in runs] == ids[::-1]
    assert [(r.tasks_done, r.tasks_total) for r in runs] == [(0, 3), (0, 3), (1, 3), (0, 3)]
    assert [r.run_id for r in ledger.list_runs(limit=2)] == ids[:1:-1]


def make_work_dir(root: Path, name: str, sizes: list[int]) -> str:
    work = root / name
    (work / "spills").mkdir(parents=True)
    for i, size in enumerate(sizes):
        (work / "spills" / f"f{i}").write_bytes(b"x" * size)
    return str(work)


def test_purge(ledger: Ledger, clock: Clock, tmp_path: Path) -> None:
    day = 86_400.0
    runs = {}
    for name, state, age_days, sizes in [
        ("old_done", "done", 10, [100, 23]),
        ("old_failed", "failed", 8, [7]),
        ("young_done", "done", 1, [5]),
        ("old_running", "running", 10, [5]),
        ("old_gone", "done", 9, None),
    ]:
        work = make_work_dir(tmp_path, name, sizes) if sizes else str(tmp_path / name)
        clock.now = T0 - age_days * day - 60
        run_id = new_run(ledger, work_dir=work)
        ledger.add_tasks(run_id, [("map-00000", "map", 0), ("reduce-00000", "reduce", 0)])
        clock.now = T0 - age_days * day
        if state != "running":
            ledger.set_run_state(run_id, state)
        runs[name] = (run_id, work)
    clock.now = T0

    result = ledger.purge(older_than=7 * day, states=("done",))
    assert result == PurgeResult(runs=2, tasks=4, bytes_freed=123)
    assert not Path(runs["old_done"][1]).exists()
    with pytest.raises(UnknownRunError):
        ledger.get_run(runs["old_gone"][0])
    assert ledger.tasks(runs["old_done"][0]) == []

    result = ledger.purge(older_than=7 * day)
    assert result == PurgeResult(runs=1, tasks=2, bytes_freed=7)
    kept = {r.run_id for r in ledger.list_runs()}
    assert kept == {runs["young_done"][0], runs["old_running"][0]}
    assert Path(runs["young_done"][1]).exists() and Path(runs["old_running"][1]).exists()
    assert ledger.purge(older_than=7 * day) == PurgeResult(0, 0, 0)


def test_purge_refuses_running_runs(ledger: Ledger) -> None:
    with pytest.raises(UsageError, match="cannot purge runs in state running"):
        ledger.purge(older_than=0, states=("running",))


def test_purge_finishes_an_interrupted_purge(ledger: Ledger, clock: Clock, tmp_path: Path) -> None:
    run_id = new_run(ledger, work_dir=make_work_dir(tmp_path, "w", [10]))
    ledger.set_run_state(run_id, "done")
    clock.now += 100
    real_remove = ledger_purge._remove_tree

    def crash(work_dir: str) -> int:
        raise KeyboardInterrupt

    ledger_purge._remove_tree = crash
    try:
        with pytest.raises(KeyboardInterrupt):
            ledger.purge(older_than=10)
    finally:
        ledger_purge._remove_tree = real_remove
    assert ledger.get_run(run_id).state == "purging"
    assert ledger.latest_unfinished(job_path="jobs/wc.py", out="out/wc") is None
    assert ledger.purge(older_than=10**9) == PurgeResult(runs=1, tasks=0, bytes_freed=10)


def test_purge_reports_a_work_dir_it_cannot_delete(
    ledger: Ledger, clock: Clock, tmp_path: Path
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    run_id = new_run(ledger, work_dir=str(not_a_dir))
    ledger.set_run_state(run_id, "failed")
    with pytest.raises(LedgerError, match=r"cannot delete work dir .*file: .*purge again"):
        ledger.purge(older_than=-1)
    assert ledger.get_run(run_id).state == "purging"  # the next purge tries again


def test_one_ledger_shared_by_threads(ledger: Ledger) -> None:
    run_id = with_tasks(ledger, maps=40, reduces=0)

    def work(first: int) -> None:
        for i in range(first, 40, 4):
            task_id = f"map-{i:05d}"
            ledger.finish_task(run_id, task_id, ledger.start_attempt(run_id, task_id), {}, None)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.get_run(run_id).tasks_done == 40


# -- concurrency: separate processes against one fresh state dir ----------------

PROCESSES, TASKS = 8, 60


def hammer(state_dir: str, barrier: Any, results: Any) -> None:
    """One coordinator: open the ledger with the others, then ~250 state changes."""
    try:
        barrier.wait()
        with Ledger(state_dir) as ledger:
            run_id = ledger.create_run(
                job="j", job_path="j.py", out="o", params={}, inputs=[], config={}, work_dir=""
            )
            ledger.add_tasks(run_id, [(f"map-{i:05d}", "map", i) for i in range(TASKS)])
            for i in range(TASKS):
                task_id = f"map-{i:05d}"
                ledger.fail_attempt(
                    run_id, task_id, ledger.start_attempt(run_id, task_id), "flaky", final=False
                )
                ledger.finish_task(
                    run_id,
                    task_id,
                    ledger.start_attempt(run_id, task_id),
                    {"i": i, "run": run_id},
                    pid=None,
                )
            ledger.set_run_state(run_id, "done", counters={"tasks": TASKS})
            seen = ledger.tasks(run_id)
            own = all(t.result == {"i": t.index, "run": run_id} for t in seen)
            results.put(("ok", run_id, len(seen), own))
    except BaseException as exc:
        results.put(("error", repr(exc), 0, False))


def test_concurrent_coordinators_share_one_state_dir(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [
        ctx.Process(target=hammer, args=(str(tmp_path), barrier, results)) for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    results.close()
    results.join_thread()
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert all(count == TASKS and own for _, _, count, own in outcomes)
    with Ledger(tmp_path) as ledger:
        runs = ledger.list_runs()
        assert {r.run_id for r in runs} == {o[1] for o in outcomes}
        for run in runs:
            assert (run.state, run.tasks_total, run.tasks_done) == ("done", TASKS, TASKS)
            assert all(t.attempts == 2 for t in ledger.tasks(run.run_id))


def test_a_resumed_run_belongs_to_the_resuming_process(tmp_path):
    import os
    import sqlite3

    with Ledger(tmp_path) as ledger:
        run_id = ledger.create_run(
            job="J",
            job_path="j.py",
            out="o",
            params={},
            inputs=[],
            config={},
            work_dir=str(tmp_path / "w"),
        )
        ledger.set_run_state(run_id, "failed", error="boom")
        with closing(sqlite3.connect(ledger.path)) as conn, conn:
            conn.execute("UPDATE runs SET pid = 1 WHERE run_id = ?", (run_id,))
        assert ledger.get_run(run_id).pid == 1
        ledger.set_run_state(run_id, "running")
        assert ledger.get_run(run_id).pid == os.getpid()


def test_a_version_1_ledger_is_migrated_and_keeps_its_tasks(tmp_path: Path) -> None:
    # Version 2 lets tasks be 'load' tasks (one per partition of a database output).
    path = tmp_path / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    for statement in ledger_schema.MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO runs VALUES ('r1', 'J', 'j.py', 'out', 'failed', '{}', '[]', '{}', '',"
        " 0, NULL, '{}', NULL, NULL)"
    )
    conn.execute(
        "INSERT INTO tasks (run_id, task_id, kind, idx, state)"
        " VALUES ('r1', 'map-0', 'map', 0, 'done')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Ledger(tmp_path) as ledger:
        assert [(t.task_id, t.state) for t in ledger.tasks("r1")] == [("map-0", "done")]
        ledger.add_tasks("r1", [("load-00000", "load", 0)])
        assert [t.kind for t in ledger.tasks("r1")] == ["map", "load"]
