"""A run's outcome: its counters, the `_SUCCESS` document, the gathered rejects, and the
run an exception stopped (so the CLI can say `mapreduce resume <id>`)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mapreduce.worker.tasks import MapResult, ReduceResult

__all__ = [
    "counters_of",
    "gather_rejects",
    "keep_only",
    "run_id_of",
    "tag_run",
    "user_counters_of",
]

_RUN_ID = "mapreduce_run_id"


def counters_of(
    maps: Sequence[MapResult], reduces: Sequence[ReduceResult], inputs: Sequence[dict[str, Any]]
) -> dict[str, int]:
    """The engine's counters of a run (first step's maps, last step's reduces)."""
    return {
        "records_read": sum(r.records_read for r in maps),
        "bad_records": sum(r.bad_records for r in maps),
        "pairs_emitted": sum(r.pairs_emitted for r in maps),
        "pairs_after_combine": sum(r.pairs_spilled for r in maps),
        "records_written": sum(r.records_written for r in reduces),
        "bytes_read": sum(item["size"] for item in inputs),
        "map_tasks": len(maps),
        "reduce_tasks": len(reduces),
    }


def user_counters_of(results: Sequence[MapResult | ReduceResult]) -> dict[str, int]:
    """Totals of the job's own counters (`self.count`) over every task."""
    user: dict[str, int] = {}
    for result in results:
        for name, value in result.user_counters.items():
            user[name] = user.get(name, 0) + value
    return user


def gather_rejects(maps: Sequence[MapResult], target: Path) -> None:
    """Concatenate the map tasks' reject logs, in input order, into one file."""
    with open(target, "wb") as out:
        for result in maps:
            if result.rejects_path and os.path.exists(result.rejects_path):
                with open(result.rejects_path, "rb") as source:
                    shutil.copyfileobj(source, out)


def keep_only(folder: Path, names: set[str]) -> None:
    """Drop leftovers of killed attempts (temporary part files) before publishing."""
    for entry in folder.iterdir():
        if entry.name not in names:
            entry.unlink()


def utc_now() -> str:
    """The current time as ISO-8601 UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def tag_run(exc: BaseException, run_id: str) -> None:
    """Record on an exception (a failure, or Ctrl-C's KeyboardInterrupt) the run it stopped;
    the innermost tag wins."""
    if getattr(exc, _RUN_ID, None) is None:
        setattr(exc, _RUN_ID, run_id)


def run_id_of(exc: BaseException) -> str | None:
    """The run `tag_run` recorded on the exception, if any."""
    run_id = getattr(exc, _RUN_ID, None)
    return run_id if isinstance(run_id, str) else None
