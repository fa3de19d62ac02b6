"""What a run is asked to do (`RunSpec`) and what a finished run reports (`RunSummary`).

`RunSpec` is stored in the ledger as the run's settings; `to_config` and `from_config`
name every field explicitly, so the ledger's JSON does not follow the dataclass's
field list by accident (a renamed field must come with a migration).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mapreduce.sinks import parse_sink_url

__all__ = ["RunSpec", "RunSummary"]


@dataclass(frozen=True, slots=True)
class RunSpec:
    """Everything a run needs; what `mapreduce run` parses from its command line.

    `params` are typed values (for callers of the Python API); `param_texts` are
    `name=value` texts (the CLI's `-p`), parsed against the job's Params when the job is
    loaded, once.
    """

    job: str
    inputs: tuple[str, ...]
    out: str
    params: dict[str, Any] = field(default_factory=dict)
    param_texts: tuple[str, ...] = ()
    input_format: str | None = None
    delimiter: str | None = None  # CSV inputs' field separator; None: by extension
    output_format: str = "ndjson"
    executor: str = "process"
    workers: int | None = None
    reducers: int | None = None
    split_size: int | None = None
    overwrite: bool = False
    skip_bad_records: bool = False
    max_bad_records: int | None = None
    state_dir: str = ".mapreduce"
    max_attempts: int = 3
    task_timeout: float | None = None
    spill_pairs: int = 1_000_000
    faults: str | None = None

    @property
    def stored_out(self) -> str:
        """OUT as it may be stored and shown: a database URL loses its password."""
        url = parse_sink_url(self.out)
        return self.out if url is None else url.redacted

    def to_config(self) -> dict[str, Any]:
        """The settings as the ledger stores them (JSON types only; no password)."""
        return {
            "job": self.job,
            "inputs": list(self.inputs),
            "out": self.stored_out,
            "params": dict(self.params),
            "input_format": self.input_format,
            "delimiter": self.delimiter,
            "output_format": self.output_format,
            "executor": self.executor,
            "workers": self.workers,
            "reducers": self.reducers,
            "split_size": self.split_size,
            "overwrite": self.overwrite,
            "skip_bad_records": self.skip_bad_records,
            "max_bad_records": self.max_bad_records,
            "state_dir": self.state_dir,
            "max_attempts": self.max_attempts,
            "task_timeout": self.task_timeout,
            "spill_pairs": self.spill_pairs,
            "faults": self.faults,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], state_dir: str) -> RunSpec:
        """The spec a recorded run was made from (`resume`), with today's state dir."""
        get = config.get
        return cls(
            job=config["job"],
            inputs=tuple(config["inputs"]),
            out=config["out"],
            params=dict(get("params") or {}),
            input_format=get("input_format"),
            delimiter=get("delimiter"),
            output_format=get("output_format", "ndjson"),
            executor=get("executor", "process"),
            workers=get("workers"),
            reducers=get("reducers"),
            split_size=get("split_size"),
            overwrite=bool(get("overwrite", False)),
            skip_bad_records=bool(get("skip_bad_records", False)),
            max_bad_records=get("max_bad_records"),
            state_dir=state_dir,
            max_attempts=get("max_attempts", 3),
            task_timeout=get("task_timeout"),
            spill_pairs=get("spill_pairs", 1_000_000),
            faults=get("faults"),
        )


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a finished run reports (also written to OUT/_SUCCESS)."""

    run_id: str
    out: str
    resumed: bool
    counters: dict[str, int]
    user_counters: dict[str, int]
    timings: dict[str, float]
    executor: str
    workers: int
    reducers: int
    files: list[str]
    combined: bool = True  # whether the first step combines map-side (has merge())
    retries: int = 0  # failed attempts that were tried again
