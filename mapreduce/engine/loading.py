"""The load phase of a database output: stage each partition in a worker, apply them in one.

    reduce parts (NDJSON, in the work dir) ─► load tasks, one per partition (ledger kind
    'load'; PostgreSQL: COPY into a staging table, in parallel; SQLite: validate and infer
    columns) ─► apply_load: ONE transaction into the table, with the run's marker ─► done

A failure anywhere before apply leaves the table as it was; `resume` re-stages what is
missing and applies. Apply is idempotent (the marker), so a coordinator killed between
apply and the ledger's "done" finishes on resume without loading twice.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from mapreduce.engine.reuse import PhaseKind
from mapreduce.sinks import LoadSpec, StageResult, StageTask, stage_partition
from mapreduce.worker.faults import inject

__all__ = ["LoadResultRecord", "LoadTask", "load_kind", "load_tasks", "run_load_task"]


@dataclass(frozen=True, slots=True)
class LoadTask:
    """Stage one reduce partition's part file for the run's database output."""

    task_id: str
    stage: StageTask
    attempt: int = 1
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class LoadResultRecord:
    """What a load task reports: the staged partition, as the ledger keeps it."""

    task_id: str
    staged: StageResult
    seconds: float = 0.0
    pid: int = 0


def run_load_task(task: LoadTask) -> LoadResultRecord:
    """Stage one partition (a top-level function: it runs on any executor)."""
    started = time.perf_counter()
    inject(task.fault)
    staged = stage_partition(task.stage)
    return LoadResultRecord(task.task_id, staged, time.perf_counter() - started, os.getpid())


def load_tasks(spec: LoadSpec, run_id: str, parts: list[str]) -> list[LoadTask]:
    """One load task per partition, in partition order."""
    return [
        LoadTask(f"load-{r:05d}", StageTask(run_id=run_id, partition=r, path=path, spec=spec))
        for r, path in enumerate(parts)
    ]


def _decode(data: dict[str, Any]) -> LoadResultRecord:
    staged = dict(data["staged"])
    staged["columns"] = tuple(tuple(column) for column in staged["columns"])
    return LoadResultRecord(**{**data, "staged": StageResult(**staged)})


def load_kind(spec: LoadSpec) -> PhaseKind:
    """How recorded load tasks are reused on resume: SQLite stages nothing in the database,
    so a done task stands; a PostgreSQL staging table may not have survived, so its
    partition is staged again (staging replaces the table: it is idempotent)."""
    keeps = spec.url.dialect == "sqlite"
    return PhaseKind("load", _decode, lambda result: keeps)
