"""The task messages: what the coordinator sends a worker, and what the worker sends back.

One small frozen descriptor in, one small frozen result out (worker.entry runs them).
Input bytes are read by the worker from its own byte range; map output goes to spill files
in the run's work dir; reduce output goes to a part file. Nothing bulky crosses the
executor's pipes, so the same messages serve the sequential, thread and process executors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapreduce.formats.files import Split
from mapreduce.jobfile import JobRef
from mapreduce.worker.spill import SpillFile

__all__ = [
    "MapResult",
    "MapTask",
    "ReduceResult",
    "ReduceTask",
    "StepInput",
]


@dataclass(frozen=True, slots=True)
class StepInput:
    """A previous step's reduce output, read as records by the next step's map."""

    index: int
    path: str
    label: str


@dataclass(frozen=True, slots=True)
class MapTask:
    """Map one split (or one previous-step partition) and spill its output by partition.

    `packed` holds the further small files a task reads after `source`, in input order
    (engine.planner.pack_splits); their output goes to the same spills."""

    task_id: str
    job: JobRef
    step: int
    source: Split | StepInput
    partitions: int
    work_dir: str
    skip_bad: bool = False
    max_bad: int | None = None
    spill_pairs: int = 1_000_000
    attempt: int = 1
    fault: str | None = None
    packed: tuple[Split, ...] = ()

    @property
    def splits(self) -> tuple[Split, ...]:
        """The splits this task reads, in input order (none for a previous step's output)."""
        return (self.source, *self.packed) if isinstance(self.source, Split) else ()


@dataclass(frozen=True, slots=True)
class MapResult:
    """What a map task reports: its spill files and counters."""

    task_id: str
    spills: tuple[SpillFile, ...]
    records_read: int
    bad_records: int
    pairs_emitted: int
    pairs_spilled: int
    bytes_read: int
    rejects_path: str | None
    user_counters: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pid: int = 0


@dataclass(frozen=True, slots=True)
class ReduceTask:
    """Reduce one partition from every map task's spills into one output file."""

    task_id: str
    job: JobRef
    step: int
    partition: int
    spills: tuple[str, ...]
    output_path: str
    output_format: str  # "ndjson" | "csv" | "parquet", or "records" for a next step
    attempt: int = 1
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class ReduceResult:
    """What a reduce task reports: the published file and counters."""

    task_id: str
    output: SpillFile | None
    output_path: str
    pairs_read: int
    records_written: int
    size: int = 0
    user_counters: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pid: int = 0
