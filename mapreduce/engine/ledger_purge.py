"""Purging old runs: their rows, work dirs, leftovers beside OUT and database staging.

A run whose coordinator is gone is settled first (done if OUT holds its `_SUCCESS`, else
failed), so the age rule applies to it too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Collection
from pathlib import Path

from mapreduce.engine.committer import committed, drop_leftovers
from mapreduce.engine.ledger_schema import PURGING, PurgeResult
from mapreduce.engine.ledger_store import LedgerStore
from mapreduce.errors import LedgerError, UsageError
from mapreduce.sinks import discard_stored

__all__ = ["Purging"]


class Purging(LedgerStore):
    """The ledger's purge (a part of Ledger, kept apart for its own concerns)."""

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
