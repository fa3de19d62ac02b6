"""The tasks of a step, and how the coordinator records and describes them.

Task ids are stable across attempts and resumes (`map-00003`, `s2-reduce-00001`,
`load-00000`): the ledger keys every attempt by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mapreduce.engine.committer import part_name
from mapreduce.engine.ledger import Ledger
from mapreduce.engine.loading import LoadResultRecord, LoadTask
from mapreduce.engine.prepare import PreparedRun
from mapreduce.formats.files import Split
from mapreduce.formats.registry import format_named
from mapreduce.worker.tasks import MapResult, MapTask, ReduceResult, ReduceTask, StepInput

__all__ = ["LedgerJournal", "Source", "describe", "map_tasks", "reduce_tasks", "volume"]

# A map task reads one split, several small files packed together, or a step's output.
Source = tuple[Split, ...] | StepInput


class LedgerJournal:
    """Adapts the ledger to the scheduler's Journal protocol."""

    def __init__(self, ledger: Ledger, run_id: str) -> None:
        self.ledger = ledger
        self.run_id = run_id

    def start(self, task_id: str) -> int:
        return self.ledger.start_attempt(self.run_id, task_id)

    def done(self, task_id: str, attempt: int, result: Any) -> None:
        self.ledger.finish_task(self.run_id, task_id, attempt, asdict(result), result.pid)

    def failed(self, task_id: str, attempt: int, error: str, final: bool) -> None:
        self.ledger.fail_attempt(self.run_id, task_id, attempt, error, final=final)


def describe(task: MapTask | ReduceTask | LoadTask) -> str:
    if isinstance(task, LoadTask):
        return f"partition {task.stage.partition} into {task.stage.spec.url.redacted}"
    if isinstance(task, ReduceTask):
        return f"partition {task.partition}"
    source = task.source
    if isinstance(source, StepInput):
        return source.label
    if task.packed:
        return f"{len(task.splits)} files, {source.file.path} to {task.packed[-1].file.path}"
    unit = "row groups" if format_named(source.file.format).row_groups else "bytes"
    return f"{source.file.path} {unit} {source.start}-{source.end}"


def volume(result: MapResult | ReduceResult | LoadResultRecord) -> tuple[int, int]:
    if isinstance(result, LoadResultRecord):
        return result.staged.rows, 0
    if isinstance(result, MapResult):
        return result.records_read, result.bytes_read
    return result.records_written, result.size


def map_tasks(
    prepared: PreparedRun, work_dir: str, step: int, sources: Sequence[Source]
) -> list[MapTask]:
    """One map task per split or pack of small files (first step), or per previous step's
    partition."""
    prefix = "" if step == 0 else f"s{step + 1}-"
    spec = prepared.spec
    return [
        MapTask(
            task_id=f"{prefix}map-{i:05d}",
            job=prepared.ref,
            step=step,
            source=source[0] if isinstance(source, tuple) else source,
            packed=source[1:] if isinstance(source, tuple) else (),
            partitions=prepared.reducers,
            work_dir=work_dir,
            skip_bad=spec.skip_bad_records,
            max_bad=spec.max_bad_records,
            spill_pairs=spec.spill_pairs,
        )
        for i, source in enumerate(sources)
    ]


def reduce_tasks(
    prepared: PreparedRun,
    work_dir: str,
    staging: Path,
    step: int,
    spills: tuple[str, ...],
    last: bool,
) -> list[ReduceTask]:
    """One reduce task per partition: the last step writes parts into staging, the others
    records files in the work dir for the next step."""
    prefix = "" if step == 0 else f"s{step + 1}-"
    fmt = prepared.spec.output_format if last else "records"
    return [
        ReduceTask(
            task_id=f"{prefix}reduce-{r:05d}",
            job=prepared.ref,
            step=step,
            partition=r,
            spills=spills,
            output_path=str(
                staging / part_name(r, fmt)
                if last
                else Path(work_dir) / f"{prefix}output-{r:05d}.records"
            ),
            output_format=fmt,
        )
        for r in range(prepared.reducers)
    ]
