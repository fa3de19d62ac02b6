"""The ledger's schema and records: the tables, their migrations, and the rows as dataclasses.

The schema is versioned (`PRAGMA user_version`); a new version appends its statements to
MIGRATIONS, so a state dir written by an older release is upgraded in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mapreduce.errors import LedgerError

__all__ = [
    "MIGRATIONS",
    "PURGING",
    "RUN_COLUMNS",
    "SCHEMA_VERSION",
    "TASK_COLUMNS",
    "TASK_ORDER",
    "PurgeResult",
    "RunInfo",
    "TaskInfo",
    "dumps",
    "run_info",
    "task_info",
]

SCHEMA_VERSION = 2
PURGING = "purging"  # transient: rows still present, work dir being deleted
SCHEMA = [  # version 1; later versions append migrations to MIGRATIONS
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, job TEXT NOT NULL, job_path TEXT NOT NULL,
        out TEXT NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL,
        inputs TEXT NOT NULL, config TEXT NOT NULL, work_dir TEXT NOT NULL,
        created_at REAL NOT NULL, finished_at REAL, counters TEXT NOT NULL,
        error TEXT, pid INTEGER)""",
    "CREATE INDEX runs_by_target ON runs (job_path, out, created_at)",
    "CREATE INDEX runs_by_age ON runs (state, finished_at)",
    """CREATE TABLE tasks (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        task_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('map', 'reduce')),
        idx INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        pid INTEGER, started_at REAL, finished_at REAL, error TEXT, result TEXT,
        PRIMARY KEY (run_id, task_id)) WITHOUT ROWID""",
]
# Version 2: load tasks, one per partition of a database output, recorded like the others.
# SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
TO_VERSION_2 = [
    """CREATE TABLE tasks_v2 (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        task_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('map', 'reduce', 'load')),
        idx INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        pid INTEGER, started_at REAL, finished_at REAL, error TEXT, result TEXT,
        PRIMARY KEY (run_id, task_id)) WITHOUT ROWID""",
    "INSERT INTO tasks_v2 SELECT * FROM tasks",
    "DROP TABLE tasks",
    "ALTER TABLE tasks_v2 RENAME TO tasks",
]
MIGRATIONS: dict[int, list[str]] = {1: SCHEMA, 2: TO_VERSION_2}
RUN_COLUMNS = """run_id, job, job_path, out, state, params, inputs, config, work_dir,
    created_at, finished_at, counters, error,
    (SELECT COUNT(*) FROM tasks t WHERE t.run_id = runs.run_id),
    (SELECT COUNT(*) FROM tasks t WHERE t.run_id = runs.run_id AND t.state = 'done'), pid"""
TASK_COLUMNS = "task_id, kind, idx, state, attempts, pid, started_at, finished_at, error, result"
TASK_ORDER = "ORDER BY CASE kind WHEN 'map' THEN 0 WHEN 'reduce' THEN 1 ELSE 2 END, idx, task_id"


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One run as recorded: what was asked, where it stands, and its task counts."""

    run_id: str
    job: str
    job_path: str
    out: str
    state: str  # running | done | failed (purging while a purge deletes it)
    params: dict[str, Any]
    inputs: list[dict[str, Any]]  # [{"path", "size", "mtime_ns"}]
    config: dict[str, Any]
    work_dir: str
    created_at: float
    finished_at: float | None
    counters: dict[str, Any]
    error: str | None
    tasks_total: int
    tasks_done: int
    pid: int | None = None  # the coordinator process that created or last resumed the run


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """One task of a run; `error` is the last failed attempt's, kept after a retry succeeds."""

    task_id: str
    kind: str
    index: int
    state: str  # pending | running | done | failed
    attempts: int
    pid: int | None
    started_at: float | None
    finished_at: float | None
    error: str | None
    result: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge deleted."""

    runs: int
    tasks: int
    bytes_freed: int


def dumps(value: Any, what: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"cannot store {what} in the ledger: {exc}; use JSON values") from exc


def run_info(row: tuple[Any, ...]) -> RunInfo:
    (
        run_id,
        job,
        job_path,
        out,
        state,
        params,
        inputs,
        config,
        work_dir,
        created_at,
        finished_at,
        counters,
        error,
        total,
        done,
        pid,
    ) = row
    return RunInfo(
        run_id,
        job,
        job_path,
        out,
        state,
        json.loads(params),
        json.loads(inputs),
        json.loads(config),
        work_dir,
        created_at,
        finished_at,
        json.loads(counters),
        error,
        total,
        done,
        pid,
    )


def task_info(row: tuple[Any, ...]) -> TaskInfo:
    task_id, kind, idx, state, attempts, pid, started, finished, error, result = row
    return TaskInfo(
        task_id,
        kind,
        idx,
        state,
        attempts,
        pid,
        started,
        finished,
        error,
        None if result is None else json.loads(result),
    )
