"""A run's columns: inferred per partition while staging, then merged for the whole run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mapreduce.sinks.columns import merge_columns
from mapreduce.sinks.decode import Decoded, read_decoded
from mapreduce.sinks.instants import INSTANT_COLUMNS, NS_PER_S
from mapreduce.sinks.records import (
    check_keys,
    instant_pairs,
    paused_gc,
)
from mapreduce.sinks.spec import LoadSpec, SinkError, StageResult, StageTask
from mapreduce.sinks.stagefile import StageWriter

__all__ = ["RunColumns", "missing_field", "run_columns", "scan_partition"]


@dataclass(frozen=True, slots=True)
class RunColumns:
    """The merged columns of every partition of a run, and how many rows they hold."""

    columns: tuple[tuple[str, str], ...]
    rows: int


def scan_partition(task: StageTask, instant_split: bool, keep_rows: bool) -> StageResult:
    """Read a part file once: infer its columns and refuse bad records (key, timestamp).

    With `keep_rows` the decoded rows are written to a staging file for apply (SQLite);
    instants are (seconds, nanoseconds) pairs with `instant_split`, else one int.
    """
    spec = task.spec
    parts: list[tuple[tuple[str, str], ...]] = []
    rows = 0
    tail = INSTANT_COLUMNS if spec.has_instant and instant_split else ()
    writer = StageWriter(task.path, tail) if keep_rows else None
    try:
        with paused_gc():
            for found in read_decoded(task.path, spec.batch_rows, spec.url.dialect):
                batch = found.batch
                _require_fields(spec, found.names, f"part file {batch.where(0)}")
                check_keys(batch, spec, found.column(spec.key_field))
                instants = _instants(spec, found, instant_split)
                if writer is not None and any(t == "decimal" for _, t in found.types):
                    writer.abandon()  # SQLite refuses such a column at apply anyway
                    writer = None
                if writer is not None:
                    writer.write(found, instants)
                parts.append(found.types)
                rows += len(batch)
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    if writer is not None:
        writer.publish()
    return StageResult(task.partition, rows, merge_columns(parts))


def _instants(spec: LoadSpec, found: Decoded, split: bool) -> list[Sequence[int]]:
    """The batch's instant columns: [seconds, nanoseconds] split, else [one exact int]."""
    if spec.timestamp_field is None:
        return []
    seconds, nanos = instant_pairs(found.batch, spec, found.column(spec.timestamp_field))
    if split:
        return [seconds, nanos]
    return [[s * NS_PER_S + n for s, n in zip(seconds, nanos, strict=True)]]


def run_columns(
    spec: LoadSpec,
    run_id: str,
    partitions: Sequence[tuple[int, str]],
    staged: Sequence[StageResult] | None,
    stage: Callable[[StageTask], StageResult],
) -> RunColumns:
    """Merge the staged partitions' columns, staging (scanning) any not given in `staged`."""
    by_partition = {r.partition: r for r in staged or ()}
    results = [
        by_partition.get(p) or stage(StageTask(run_id, p, str(path), spec))
        for p, path in partitions
    ]
    columns = merge_columns([spec.columns, *(r.columns for r in results)])
    rows = sum(r.rows for r in results)
    if rows:
        _require_fields(spec, [n for n, _ in columns], f"run {run_id}")
    return RunColumns(columns, rows)


def _require_fields(spec: LoadSpec, names: Sequence[str], where: str) -> None:
    """The records must hold the key field and, for a timestamped load, the timestamp field."""
    for field, role in ((spec.key_field, "key"), (spec.timestamp_field, "timestamp")):
        if field is not None and field not in names:
            raise SinkError(missing_field(field, role, names, where))


def missing_field(field: str, role: str, names: Sequence[str], where: str) -> str:
    """The error for records without the load's key (or timestamp) column; a dotted name
    reaching into an object keys an output folder, but a table's columns are top-level."""
    head = field.split(".", 1)[0]
    if head != field and head in names:
        return (
            f"{where}: the {role} field {field!r} is inside the object {head!r}, and a "
            f"table's {role} is a top-level column: output it at the top level from the job"
        )
    return (
        f"{where}: the records have no {role} field {field!r}: "
        f"output it from the job or pass the right {role} parameter"
    )
