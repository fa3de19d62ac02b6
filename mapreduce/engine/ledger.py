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

import contextlib
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from mapreduce.engine.committer import committed, drop_leftovers
from mapreduce.engine.ledger_schema import (
    MIGRATIONS,
    PURGING,
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
from mapreduce.errors import LedgerError, StateError, UnknownRunError, UsageError
from mapreduce.sinks import discard_stored

__all__ = ["SCHEMA_VERSION", "Ledger", "LedgerError", "PurgeResult", "RunInfo", "TaskInfo"]

_TIMEOUT_S = 60.0


class Ledger:
    """The coordinator's handle on <state_dir>/ledger.sqlite3; a context manager."""

    def __init__(
        self,
        state_dir: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
        create: bool = True,
    ) -> None:
        """Open (with `create`, make) the ledger of `state_dir`; StateError if unusable."""
        self.path = Path(state_dir) / "ledger.sqlite3"
        _check_state_dir(Path(state_dir), create)
        self._clock = clock
        # Today only the coordinator's main thread calls; the connection may still be
        # used from another thread (check_same_thread=False, for future executors whose
        # callbacks run on their own threads), so a lock keeps each transaction whole.
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._state_error(exc) from exc
        try:
            self._set_up()
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._state_error(exc) from exc
        except BaseException:
            self._conn.close()
            raise

    def _set_up(self) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {int(_TIMEOUT_S * 1000)}")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        # Readers (`status`) must not queue behind a running coordinator's writes: an
        # up-to-date WAL ledger is used as it is, without a write lock (issue 8).
        mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self._use_wal()
        if self._conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            self._migrate()

    def _use_wal(self) -> None:
        # Switching a new ledger to WAL needs an exclusive lock the busy handler
        # does not wait for: 8 processes opening one new ledger together fail
        # with "database is locked" (test_concurrent_coordinators...), so retry.
        deadline = time.monotonic() + _TIMEOUT_S
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        with self._transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                msg = (
                    f"{self.path} has ledger schema {version}, newer than this mapreduce "
                    f"reads ({SCHEMA_VERSION}); upgrade mapreduce or use another --state-dir"
                )
                raise LedgerError(msg)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _state_error(self, exc: sqlite3.Error) -> StateError:
        """The one sentence for a ledger SQLite cannot use: what is wrong and what to do."""
        text, where = str(exc), self.path
        if self.path.is_dir():
            why = "is a folder, not a ledger file; move it aside or pass another --state-dir"
        elif any(word in text for word in ("not a database", "malformed", "corrupt")):
            why = (
                f"is damaged ({text}); move it aside (its runs cannot be resumed) "
                "or pass another --state-dir"
            )
        elif "full" in text:
            why = "cannot be written: the disk is full; free some space and run the command again"
        elif "I/O error" in text:
            why = f"cannot be written ({text}): is the disk full or failing? Check it and retry"
        elif "locked" in text:
            why = f"stayed locked by another process for {_TIMEOUT_S:.0f} s; try again later"
        else:
            why = (
                f"cannot be used ({text}); make {where.parent} readable and writable "
                "or pass another --state-dir"
            )
        return StateError(f"ledger {where} {why}")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The one write path: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):  # a damaged file, say
                            self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError:
                raise  # a constraint the caller handles (create_run's id draw)
            except sqlite3.Error as exc:
                raise self._state_error(exc) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._state_error(exc) from exc

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
        """running → pending for every task of a resumed run whose coordinator died."""
        return self._reset_all(run_id, "running")

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

    # -- purge -------------------------------------------------------------

    def _settle_abandoned(self) -> None:
        """A running run whose coordinator is gone will never finish by itself: it is done
        if OUT holds its `_SUCCESS` (killed after its commit), else failed (resumable), as
        of its last recorded activity, so purge's age rule applies to it (issue 8)."""
        rows = self._read(
            "SELECT run_id, out, pid, MAX(created_at, COALESCE((SELECT MAX(MAX(COALESCE("
            "started_at, 0), COALESCE(finished_at, 0))) FROM tasks t"
            " WHERE t.run_id = runs.run_id), 0)) FROM runs WHERE state = 'running'"
        )
        for run_id, out, pid, last_seen in rows:
            if not _gone(pid) or pid == os.getpid():
                continue
            success = committed(Path(out), run_id)
            state = "failed" if success is None else "done"
            error = None if success else f"abandoned: its coordinator (pid {pid}) stopped"
            with self._transaction() as conn:
                conn.execute(
                    "UPDATE runs SET state = ?, finished_at = ?, error = ?"
                    " WHERE run_id = ? AND state = 'running'",
                    (state, last_seen, error, run_id),
                )

    def purge(
        self, *, older_than: float, states: Collection[str] = ("done", "failed")
    ) -> PurgeResult:
        """Delete runs finished over `older_than` seconds ago: rows and work dirs.

        Runs are first marked purging, then their work dirs removed, then their
        rows deleted, so a purge that dies midway is finished by the next one and
        never leaves work dirs no row points to.
        """
        bad = set(states) - {"done", "failed"}
        if bad:
            raise UsageError(
                f"cannot purge runs in state {', '.join(sorted(bad))}; "
                "use --state done or --state failed"
            )
        self._settle_abandoned()
        cutoff = self._clock() - older_than
        marks = ", ".join("?" * len(states)) or "NULL"
        with self._transaction() as conn:
            conn.execute(
                f"UPDATE runs SET state = ? WHERE state IN ({marks}) AND finished_at < ?",
                (PURGING, *states, cutoff),
            )
        doomed = self._read("SELECT run_id, work_dir, out FROM runs WHERE state = ?", (PURGING,))
        freed = sum(_remove_tree(work_dir) for _, work_dir, _ in doomed)
        for run_id, _, out in doomed:  # staging beside OUT, an OUT a killed commit moved
            drop_leftovers(Path(out), run_id)
            discard_stored(out, run_id)  # a database output: the run's staging tables
        with self._transaction() as conn:
            ids = [run_id for run_id, _, _ in doomed]
            qs = ", ".join("?" * len(ids)) or "NULL"
            tasks = conn.execute(f"DELETE FROM tasks WHERE run_id IN ({qs})", ids).rowcount
            runs = conn.execute(f"DELETE FROM runs WHERE run_id IN ({qs})", ids).rowcount
        return PurgeResult(runs=runs, tasks=tasks, bytes_freed=freed)


def _gone(pid: int | None) -> bool:
    """Whether no process has that pid (a coordinator that died, SIGKILLed say)."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return False


def _check_state_dir(folder: Path, create: bool) -> None:
    """StateError unless `folder` is (or, with `create`, can be made) a folder."""
    if folder.exists() and not folder.is_dir():
        raise StateError(f"state dir {folder} is a file, not a folder; pass another --state-dir")
    if not create and not folder.exists():
        msg = f"state dir {folder} does not exist: no runs are recorded there; check --state-dir"
        raise StateError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = (
            f"cannot create state dir {folder}: {exc.strerror or exc}; "
            "pass a --state-dir in a writable place"
        )
        raise StateError(msg) from exc


def _remove_tree(work_dir: str) -> int:
    """Delete a run's work dir (a missing one is fine) and return the bytes its files held."""
    if not work_dir:
        return 0
    size = 0
    for top, _, names in os.walk(work_dir):
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                size += os.lstat(os.path.join(top, name)).st_size
    try:
        shutil.rmtree(work_dir)
    except FileNotFoundError:
        pass
    except OSError as exc:
        msg = f"cannot delete work dir {work_dir}: {exc}; fix its permissions and purge again"
        raise LedgerError(msg) from exc
    return size
