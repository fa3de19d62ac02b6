"""Reusing done tasks on resume: results read back from the ledger, and their checks.

A task the ledger has as done is reused when its saved output still verifies: map spills
by size and CRC-32, a next step's records file the same way, a part file by its size. A
task whose output fails the check is reset and runs again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from mapreduce.engine.ledger import Ledger
from mapreduce.worker.spill import SpillFile, verify_spill
from mapreduce.worker.tasks import MapResult, ReduceResult

__all__ = ["MAP", "REDUCE", "PhaseKind", "reusable"]


def _spill(data: dict[str, Any]) -> SpillFile:
    return SpillFile(**{**data, "pairs": tuple(data["pairs"])})


def _map_result(data: dict[str, Any]) -> MapResult:
    return MapResult(**{**data, "spills": tuple(_spill(s) for s in data["spills"])})


def _reduce_result(data: dict[str, Any]) -> ReduceResult:
    output = data["output"]
    return ReduceResult(**{**data, "output": None if output is None else _spill(output)})


def _maps_intact(result: MapResult) -> bool:
    return all(verify_spill(spill) for spill in result.spills)


def _reduce_intact(result: ReduceResult) -> bool:
    if result.output is not None:
        return verify_spill(result.output)
    try:
        return os.path.getsize(result.output_path) == result.size
    except OSError:
        return False


class PhaseKind:
    """How one kind of task's recorded results are decoded and checked."""

    def __init__(
        self, name: str, decode: Callable[[dict[str, Any]], Any], intact: Callable[[Any], bool]
    ) -> None:
        self.name = name
        self.decode = decode
        self.intact = intact


MAP = PhaseKind("map", _map_result, _maps_intact)
REDUCE = PhaseKind("reduce", _reduce_result, _reduce_intact)


def reusable(
    ledger: Ledger, run_id: str, kind: PhaseKind, tasks: Sequence[Any]
) -> tuple[dict[str, Any], list[Any]]:
    """(results of the tasks done and intact, by task id; the tasks still to run)."""
    wanted = {task.task_id for task in tasks}
    done = {
        info.task_id: info
        for info in ledger.tasks(run_id)
        if info.state == "done" and info.task_id in wanted
    }
    results: dict[str, Any] = {}
    todo = []
    for task in tasks:
        info = done.get(task.task_id)
        if info is not None and info.result is not None:
            result = kind.decode(info.result)
            if kind.intact(result):
                results[task.task_id] = result
                continue
            ledger.reset_task(run_id, task.task_id)
        todo.append(task)
    return results, todo
