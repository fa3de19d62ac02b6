"""The coordinator: plan splits, run map and reduce phases, record them, commit the output.

    RunSpec ─► load job, check OUT, list inputs ─► ledger: new run, or resume a matching one
       │
       ├─ plan: byte-range splits (counting pass on the executor for CSV / JSON arrays)
       ├─ for each step:  map phase   splits (or the last step's parts) ─► spill files
       │                  reduce phase spills, partition r             ─► part r
       └─ commit: _SUCCESS last, staging renamed to OUT ─► ledger: run done, work dir removed

Only descriptors cross to workers; data goes worker ↔ disk. Every task attempt is
recorded in the ledger, so a killed coordinator can resume and skip the done tasks.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from mapreduce.committer import check_output
from mapreduce.errors import MapReduceError, ResumeError
from mapreduce.executors import default_workers
from mapreduce.faults import ENV_VAR, parse_faults
from mapreduce.job import JobRef, load_job_class, resolve_job_path
from mapreduce.ledger import Ledger, RunInfo
from mapreduce.progress import NullProgress, Progress
from mapreduce.runner import Runner, RunSummary
from mapreduce.splits import list_inputs

__all__ = ["DEFAULT_SPLIT_SIZE", "RunSpec", "RunSummary", "resume", "run"]

DEFAULT_SPLIT_SIZE = 64 * 1024 * 1024
_MIN_AUTO_SPLIT = 1024 * 1024
_SPLITS_PER_WORKER = 2


@dataclass(frozen=True, slots=True)
class RunSpec:
    """Everything a run needs; what `mapreduce run` parses from its command line."""

    job: str
    inputs: tuple[str, ...]
    out: str
    params: dict[str, Any] = field(default_factory=dict)
    input_format: str | None = None
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


def _fingerprint_inputs(files: list[Any]) -> list[dict[str, Any]]:
    return [{"path": f.path, "size": f.size, "mtime_ns": f.mtime_ns} for f in files]


def _split_size(spec: RunSpec, total_bytes: int, workers: int) -> int:
    """--split-size as given, or 64 MiB made smaller so each worker gets two splits."""
    if spec.split_size is not None:
        return spec.split_size
    balanced = math.ceil(total_bytes / (workers * _SPLITS_PER_WORKER))
    return max(_MIN_AUTO_SPLIT, min(DEFAULT_SPLIT_SIZE, balanced))


def _changes(old: RunInfo, inputs: list[dict[str, Any]], config: dict[str, Any]) -> list[str]:
    """What differs between a recorded run and the one asked for now, as phrases."""
    changes = []
    old_inputs = {item["path"]: item for item in old.inputs}
    new_inputs = {item["path"]: item for item in inputs}
    for path in sorted(old_inputs.keys() | new_inputs.keys()):
        before, after = old_inputs.get(path), new_inputs.get(path)
        if before is None:
            changes.append(f"input {path} was added")
        elif after is None:
            changes.append(f"input {path} is gone")
        elif before["size"] != after["size"]:
            changes.append(f"input {path} changed (size {before['size']} → {after['size']} bytes)")
        elif before != after:
            changes.append(f"input {path} changed (same size, modified since)")
    for key in sorted(old.config.keys() | config.keys()):
        if key in _RESUME_FREE or old.config.get(key) == config.get(key):
            continue
        if key == "job_digest":
            changes.append(f"job file {config.get('job')} changed")
        else:
            changes.append(f"{key} changed ({old.config.get(key)!r} → {config.get(key)!r})")
    return changes


# Settings that may differ on resume without changing the output.
_RESUME_FREE = {"executor", "workers", "state_dir", "max_attempts", "task_timeout", "faults"}


def _config(spec: RunSpec, digest: str, workers: int, reducers: int, split_size: int) -> dict:
    """The run's settings as the ledger stores them (JSON: tuples come back as lists)."""
    config = asdict(spec)
    config.update(job_digest=digest, workers=workers, reducers=reducers, split_size=split_size)
    return json.loads(json.dumps(config))


def run(
    spec: RunSpec, progress: Progress | None = None, *, resume_id: str | None = None
) -> RunSummary:
    """Run a job end to end, resuming an unfinished run of the same job into the same OUT."""
    progress = progress or NullProgress()
    started = time.perf_counter()
    job_path = resolve_job_path(spec.job).resolve()
    job_cls, digest = load_job_class(job_path)
    spec = replace(spec, job=str(job_path), out=str(Path(spec.out).resolve()))
    faults = parse_faults(spec.faults if spec.faults is not None else os.environ.get(ENV_VAR))
    workers = spec.workers or default_workers()
    reducers = spec.reducers or workers
    check_output(Path(spec.out), spec.overwrite)
    files = list_inputs(spec.inputs, spec.input_format)
    total = sum(f.size for f in files)
    split_size = _split_size(spec, total, workers)
    config = _config(spec, digest, workers, reducers, split_size)
    inputs = _fingerprint_inputs(files)
    with Ledger(spec.state_dir) as ledger:
        if resume_id is not None:
            previous: RunInfo | None = ledger.get_run(resume_id)
        else:
            previous = ledger.latest_unfinished(job_path=spec.job, out=spec.out)
        if previous is not None:
            _refuse_if_alive(previous)
            changes = _changes(previous, inputs, config)
            if changes:  # what it would resume is not what was asked: start afresh
                why = "; ".join(changes)
                progress.note(f"not resuming run {previous.run_id}: {why}")
                if previous.state == "running":  # its coordinator died; it will never finish
                    ledger.set_run_state(previous.run_id, "failed", error=f"abandoned: {why}")
                previous = None
        if previous is None:
            run_id = _create_run(ledger, job_cls.__name__, spec, inputs, config)
        else:
            run_id = previous.run_id
            progress.note(f"resuming run {run_id}")
        ref = JobRef(spec.job, job_cls.__name__, tuple(sorted(spec.params.items())), digest)
        runner = Runner(ledger, ledger.get_run(run_id), spec, ref, workers, reducers, faults)
        return runner.execute(
            files, split_size, progress, resumed=previous is not None, started=started
        )


def _create_run(ledger: Ledger, job: str, spec: RunSpec, inputs: list, config: dict) -> str:
    work_root = Path(spec.state_dir).resolve() / "runs"
    work_root.mkdir(parents=True, exist_ok=True)
    work_dir = tempfile.mkdtemp(prefix="run-", dir=work_root)
    return ledger.create_run(
        job=job,
        job_path=spec.job,
        out=spec.out,
        params=spec.params,
        inputs=inputs,
        config=config,
        work_dir=work_dir,
    )


def _refuse_if_alive(previous: RunInfo) -> None:
    pid = previous.pid
    if previous.state != "running" or pid is None or pid == os.getpid():
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    except PermissionError:
        pass
    raise ResumeError(
        f"run {previous.run_id} (pid {pid}) is still writing {previous.out}; "
        "wait for it to finish or choose another -o"
    )


def resume(
    run_id: str, state_dir: str = ".mapreduce", progress: Progress | None = None
) -> RunSummary:
    """Finish a recorded run, re-running only the tasks that are not done."""
    with Ledger(state_dir) as ledger:
        info = ledger.get_run(run_id)
    if info.state == "done":
        raise ResumeError(f"run {run_id} is already done; its output is in {info.out}")
    fields = {
        name: info.config[name] for name in RunSpec.__dataclass_fields__ if name in info.config
    }
    spec = RunSpec(**{**fields, "inputs": tuple(fields["inputs"]), "state_dir": state_dir})
    files = list_inputs(spec.inputs, spec.input_format)
    job_path = resolve_job_path(spec.job)
    try:
        _, digest = load_job_class(job_path)
    except MapReduceError as exc:
        raise ResumeError(f"cannot resume run {run_id}: {exc}") from exc
    config = {**info.config, "job_digest": digest}
    changes = _changes(info, _fingerprint_inputs(files), config)
    if changes:
        raise ResumeError(f"cannot resume run {run_id}: {'; '.join(changes)}")
    return run(spec, progress, resume_id=run_id)
