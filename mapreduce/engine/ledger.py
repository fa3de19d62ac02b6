"""The SQLite task ledger: runs, their tasks' states and attempts, resume and purge.

    coordinator ── Ledger ──► <state_dir>/ledger.sqlite3   (WAL, one writer at a time)
    workers ─────► return values only; they never open the ledger

Each run is one `runs` row; each map or reduce task one `tasks` row keyed by
(run_id, task_id), so concurrent jobs sharing a state dir never see each
other's tasks. A task moves pending → running → done | failed; a failed
attempt that may be retried goes back to pending. Every write is one short
`BEGIN IMMEDIATE` transaction (huey's SqliteStorage model): writers queue on
the busy timeout instead of failing with "database is locked", and each state
change is a single `UPDATE` guarded by the expected state, whose row count
proves the change happened; a failed guard raises `LedgerError`.

A ledger that cannot be used (damaged, a folder, on a full disk, in a read-only or missing
state dir) raises `StateError`, one sentence naming the file and the remedy, from any call.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from mapreduce.engine.ledger_purge import Purging
from mapreduce.engine.ledger_schema import (
    RUN_COLUMNS,
    SCHEMA_VERSION,
    TASK_COLUMNS,
    TASK_ORDER,
    PurgeResult,
    RunInfo,
    TaskInfo,
    dumps,
    run_info,
    task_info,
)
from mapreduce.errors import LedgerError, UnknownRunError

__all__ = ["SCHEMA_VERSION", "Ledger", "LedgerError", "PurgeResult", "RunInfo", "TaskInfo"]


class Ledger(Purging):
    """The coordinator's handle on <state_dir>/ledger.sqlite3; a context manager: runs,
    their tasks' states and attempts (ledger_store: the file; ledger_purge: purge)."""

    # -- runs --------------------------------------------------------------

    def create_run(
        self,
        *,
        job: str,
        job_path: str,
        out: str,
        params: dict[str, Any],
        inputs: list[dict[str, Any]],
        config: dict[str, Any],
        work_dir: str = "",
        work_root: str | None = None,
    ) -> str:
        """Record a new running run and return its id, e.g. "20261122-063012-7f3a" (UTC).

        The work dir is `work_dir`, or `work_root/<run id>`; it is stored absolute, so
        resume and purge find it from any directory.
        """
        blobs = [dumps(params, "params"), dumps(inputs, "inputs"), dumps(config, "config")]
        while True:
            now = self._clock()
            run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + "-" + secrets.token_hex(2)
            folder = os.path.join(work_root, run_id) if work_root is not None else work_dir
            work_dir = os.path.abspath(folder) if folder else ""
            try:
                with self._transaction() as conn:
                    conn.execute(
                        "INSERT INTO runs VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, NULL,"
                        " '{}', NULL, ?)",
                        (run_id, job, job_path, out, *blobs, work_dir, now, os.getpid()),
                    )
                return run_id
            except sqlite3.IntegrityError:
                continue  # another process drew the same id in the same second

    def get_run(self, run_id: str) -> RunInfo:
        """The run with that id; UnknownRunError if the state dir has none."""
        rows = self._read(f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))
        if not rows:
            msg = f"no run {run_id} in {self.path.parent}; `mapreduce status` lists the runs"
            raise UnknownRunError(msg)
        return run_info(rows[0])

    def latest_unfinished(self, *, job_path: str, out: str) -> RunInfo | None:
        """The newest running or failed run of that job file writing OUT, if any."""
        rows = self._read(
            f"SELECT {RUN_COLUMNS} FROM runs WHERE job_path = ? AND out = ?"
            " AND state IN ('running', 'failed') ORDER BY created_at DESC, run_id DESC LIMIT 1",
            (job_path, out),
        )
        return run_info(rows[0]) if rows else None

    def list_runs(self, limit: int = 50) -> list[RunInfo]:
        """The newest `limit` runs, newest first."""
        rows = self._read(
            f"SELECT {RUN_COLUMNS} FROM runs ORDER BY created_at DESC, run_id DESC LIMIT ?",
            (limit,),
        )
        return [run_info(row) for row in rows]

    def set_run_state(
        self,
        run_id: str,
        state: str,
        *,
        counters: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Move a run: running → done | failed, failed → running (resume), running → running.

        `counters` None keeps the stored ones; `error` always replaces the stored text.
        """
        allowed = {"running": ("running", "failed"), "done": ("running",), "failed": ("running",)}
        if state not in allowed:
            raise LedgerError(f"unknown run state {state!r}; use running, done or failed")
        finished = None if state == "running" else self._clock()
        blob = None if counters is None else dumps(counters, "counters")
        sources = allowed[state]
        with self._transaction() as conn:
            cur = conn.execute(
                "UPDATE runs SET state = ?, finished_at = ?, error = ?,"
                " counters = COALESCE(?, counters), pid = COALESCE(?, pid)"
                f" WHERE run_id = ? AND state IN ({', '.join('?' * len(sources))})",
                # a resumed run now belongs to this coordinator
                (
                    state,
                    finished,
                    error,
                    blob,
                    os.getpid() if state == "running" else None,
                    run_id,
                    *sources,
                ),
            )
            if cur.rowcount != 1:
                found = conn.execute("SELECT state FROM runs WHERE run_id = ?", (run_id,))
                row = found.fetchone()
                now_in = f"it is {row[0]}" if row else "there is no such run"
                msg = (
                    f"cannot mark run {run_id} {state}: expected it "
                    f"{' or '.join(sources)}, but {now_in}"
                )
                raise LedgerError(msg)

    # -- tasks -------------------------------------------------------------

    def add_tasks(self, run_id: str, tasks: Sequence[tuple[str, str, int]]) -> None:
        """Record (task_id, kind, index) tasks as pending; ones already recorded are kept."""
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
                raise LedgerError(f"cannot add tasks to run {run_id}: there is no such run")
            conn.executemany(
                "INSERT INTO tasks (run_id, task_id, kind, idx, state) VALUES (?, ?, ?, ?,"
                " 'pending') ON CONFLICT (run_id, task_id) DO NOTHING",
                [(run_id, task_id, kind, index) for task_id, kind, index in tasks],
            )

    def tasks(self, run_id: str, kind: str | None = None) -> list[TaskInfo]:
        """The run's tasks, map tasks first, each kind by index."""
        where, params = "run_id = ?", [run_id]
        if kind is not None:
            where, params = where + " AND kind = ?", [run_id, kind]
        rows = self._read(f"SELECT {TASK_COLUMNS} FROM tasks WHERE {where} {TASK_ORDER}", params)
        return [task_info(row) for row in rows]

    def retries(self, run_id: str) -> int:
        """Failed attempts of the run's tasks that were tried again (the summary's row)."""
        rows = self._read("SELECT SUM(MAX(attempts - 1, 0)) FROM tasks WHERE run_id = ?", (run_id,))
        return int(rows[0][0] or 0)

    def start_attempt(self, run_id: str, task_id: str) -> int:
        """pending → running; count and return the new attempt number."""
        with self._transaction() as conn:
            rows = conn.execute(
                "UPDATE tasks SET state = 'running', attempts = attempts + 1, started_at = ?,"
                " finished_at = NULL, pid = NULL WHERE run_id = ? AND task_id = ?"
                " AND state = 'pending' RETURNING attempts",
                (self._clock(), run_id, task_id),
            ).fetchall()
            if len(rows) != 1:
                self._guard_failed(conn, run_id, task_id, "start", "pending")
            return int(rows[0][0])

    def finish_task(
        self, run_id: str, task_id: str, attempt: int, result: dict[str, Any], pid: int | None
    ) -> None:
        """running (this attempt) → done, storing the task's result."""
        self._update_task(
            "state = 'done', finished_at = ?, result = ?, pid = ?",
            (self._clock(), dumps(result, f"result of {task_id}"), pid),
            run_id,
            task_id,
            "running",
            attempt,
            "finish",
        )

    def fail_attempt(
        self, run_id: str, task_id: str, attempt: int, error: str, *, final: bool
    ) -> None:
        """running (this attempt) → pending to retry, or → failed when `final`."""
        self._update_task(
            "state = ?, finished_at = ?, error = ?",
            ("failed" if final else "pending", self._clock(), error),
            run_id,
            task_id,
            "running",
            attempt,
            "fail",
        )

    def reset_task(self, run_id: str, task_id: str) -> None:
        """done → pending, dropping the result (its saved output failed verification)."""
        self._update_task(
            "state = 'pending', finished_at = NULL, result = NULL",
            (),
            run_id,
            task_id,
            "done",
            None,
            "reset",
        )

    def reset_running(self, run_id: str) -> int:
        """running → pending for every task of a resumed run whose coordinator stopped
        (interrupted or killed). The attempt it was in never ended, so it is taken back:
        it is neither a retry in the summary nor one of --max-attempts."""
        with self._transaction() as conn:
            cur = conn.execute(
                "UPDATE tasks SET state = 'pending', attempts = MAX(attempts - 1, 0)"
                " WHERE run_id = ? AND state = 'running'",
                (run_id,),
            )
            return cur.rowcount

    def reset_failed(self, run_id: str) -> int:
        """failed → pending for every task of a failed run being resumed."""
        return self._reset_all(run_id, "failed")

    def _reset_all(self, run_id: str, state: str) -> int:
        with self._transaction() as conn:
            cur = conn.execute(
                "UPDATE tasks SET state = 'pending' WHERE run_id = ? AND state = ?", (run_id, state)
            )
            return cur.rowcount

    def _update_task(
        self,
        assignments: str,
        values: tuple[Any, ...],
        run_id: str,
        task_id: str,
        expected: str,
        attempt: int | None,
        action: str,
    ) -> None:
        """One guarded UPDATE: applies only if the task is `expected` (at `attempt`)."""
        guard = "run_id = ? AND task_id = ? AND state = ?"
        params = [*values, run_id, task_id, expected]
        if attempt is not None:
            guard, params = guard + " AND attempts = ?", [*params, attempt]
        with self._transaction() as conn:
            cur = conn.execute(f"UPDATE tasks SET {assignments} WHERE {guard}", params)
            if cur.rowcount != 1:
                self._guard_failed(conn, run_id, task_id, action, expected, attempt)

    @staticmethod
    def _guard_failed(
        conn: sqlite3.Connection,
        run_id: str,
        task_id: str,
        action: str,
        expected: str,
        attempt: int | None = None,
    ) -> NoReturn:
        row = conn.execute(
            "SELECT state, attempts FROM tasks WHERE run_id = ? AND task_id = ?", (run_id, task_id)
        ).fetchone()
        want = expected if attempt is None else f"{expected} in attempt {attempt}"
        found = f"it is {row[0]} after {row[1]} attempt(s)" if row else "there is no such task"
        raise LedgerError(
            f"cannot {action} task {task_id} of run {run_id}: expected it {want}, but {found}"
        )
