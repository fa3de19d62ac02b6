"""A loader SIGKILLed in the middle of apply leaves nothing half-loaded; the retry finishes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from mapreduce.sinks import LoadSpec, StageTask, apply_load, stage_partition
from tests.mapreduce.sinks.conftest import Target, load, write_parts

ROWS = 60_000


def _apply(spec: LoadSpec, parts: list[tuple[int, Path]]) -> None:
    apply_load(spec, "run", parts)


def _kill_during_apply(
    spec: LoadSpec, parts: list[tuple[int, Path]], applying: Callable[[], bool]
) -> None:
    """Start apply in a child, SIGKILL it once `applying()` says its transaction is open."""
    child = multiprocessing.get_context("fork").Process(target=_apply, args=(spec, parts))
    child.start()
    deadline = time.monotonic() + 60
    while not applying():
        assert child.is_alive() and time.monotonic() < deadline, "apply never started"
        time.sleep(0.005)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL


def _parts(tmp_path: Path) -> list[tuple[int, Path]]:
    records = [{"id": k, "name": "new", "updated_at": 2} for k in range(ROWS)]
    return write_parts(tmp_path, [records[0::2], records[1::2]], "run")


def test_sqlite_loader_killed_mid_apply(sqlite_target: Target, tmp_path: Path) -> None:
    spec = sqlite_target.spec()
    load(
        spec,
        "before",
        write_parts(tmp_path, [[{"id": 1, "name": "old", "updated_at": 1}]], "before"),
    )
    parts = _parts(tmp_path)
    for number, path in parts:
        stage_partition(StageTask("run", number, str(path), spec))

    def applying() -> bool:  # the child holds the write lock: its transaction is open
        probe = sqlite3.connect(spec.url.path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()

    _kill_during_apply(spec, parts, applying)
    assert sqlite_target.rows() == [
        {"id": 1, "name": "old", "updated_at": 1, "_mr_instant_s": 1, "_mr_instant_ns": 0}
    ]
    result = apply_load(spec, "run", parts)
    assert result.rows_read == ROWS and len(sqlite_target.rows()) == ROWS


def test_postgresql_loader_killed_mid_apply(pg_target: Target, tmp_path: Path) -> None:
    spec = pg_target.spec()
    load(
        spec,
        "before",
        write_parts(tmp_path, [[{"id": 1, "name": "old", "updated_at": 1}]], "before"),
    )
    parts = _parts(tmp_path)
    for number, path in parts:
        stage_partition(StageTask("run", number, str(path), spec))
    watcher = psycopg.connect(pg_target.base, autocommit=True)

    def applying() -> bool:  # the child's INSERT … SELECT is running
        found = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
            " AND query LIKE 'INSERT INTO \"' || %s || '\".\"users\"%%'",
            (pg_target.schema,),
        ).fetchone()
        return bool(found and found[0])

    try:
        _kill_during_apply(spec, parts, applying)
    finally:
        watcher.close()
    assert [(r["id"], r["name"]) for r in pg_target.rows()] == [(1, "old")]
    result = apply_load(spec, "run", parts)  # waits for the dead session's rollback
    assert result.rows_read == ROWS and len(pg_target.rows()) == ROWS
