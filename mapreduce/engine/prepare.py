"""Preparing a run once: load the job, resolve its settings, list inputs, choose the run.

    RunSpec ─prepare─► PreparedRun ─choose_run─► (RunInfo, resumed)
                        job loaded once,          a new run, or the recorded one
                        params typed and whole,   that matches; `resume` never
                        inputs listed             starts afresh silently

`run` and `resume` share both steps, so the two can never disagree about what changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mapreduce.engine.committer import check_apart, check_state_apart
from mapreduce.engine.executors import default_workers
from mapreduce.engine.ledger import Ledger, RunInfo
from mapreduce.engine.planner import PLAN, choose_split_size
from mapreduce.engine.progress import Progress
from mapreduce.engine.spec import RunSpec
from mapreduce.engine.target import resolve_output
from mapreduce.errors import ResumeError
from mapreduce.formats.files import InputFile
from mapreduce.formats.listing import list_inputs
from mapreduce.job import Job
from mapreduce.jobfile import JobRef, changed_code, load_job_class, resolve_job_path
from mapreduce.worker.faults import ENV_VAR, parse_faults

__all__ = ["PreparedRun", "changes", "choose_run", "prepare"]

# Settings that may differ on resume without changing the output.
_RESUME_FREE = {"executor", "workers", "state_dir", "max_attempts", "task_timeout", "faults"}


@dataclass(frozen=True, slots=True)
class PreparedRun:
    """A run's settings resolved once: what both the ledger and the coordinator use."""

    spec: RunSpec  # job and out as absolute paths, params typed with defaults filled in
    job_class: type[Job]
    ref: JobRef
    files: tuple[InputFile, ...]
    workers: int
    reducers: int
    split_size: int
    faults: dict[str, str]
    config: dict[str, Any]  # as the ledger stores it
    inputs: list[dict[str, Any]]  # path, size and mtime of each input, as recorded

    @property
    def combines(self) -> bool:
        """Whether the job's first step combines map-side (defines merge())."""
        return self.job_class(dict(self.ref.params)).steps()[0].merge is not None


def prepare(spec: RunSpec) -> PreparedRun:
    """Load the job file (once), type its parameters, list the inputs, fix the sizes."""
    job_path = resolve_job_path(spec.job).resolve()
    job_class, digest = load_job_class(job_path)
    params = job_class.complete_params({**spec.params, **job_class.parse_params(spec.param_texts)})
    spec = replace(
        spec, job=str(job_path), out=resolve_output(spec.out), params=params, param_texts=()
    )
    faults = parse_faults(spec.faults if spec.faults is not None else os.environ.get(ENV_VAR))
    workers = spec.workers or default_workers()
    reducers = spec.reducers or workers
    files = tuple(list_inputs(spec.inputs, spec.input_format, spec.delimiter))
    check_apart(Path(spec.out), spec.inputs, files)
    check_state_apart(Path(spec.out), spec.state_dir)
    split_size = choose_split_size(spec.split_size, sum(f.size for f in files), workers)
    config = {
        **spec.to_config(),
        "job_digest": digest,
        "workers": workers,
        "reducers": reducers,
        "split_size": split_size,
        "plan": PLAN,
    }
    ref = JobRef(spec.job, job_class.__name__, tuple(sorted(params.items())), digest)
    inputs = [{"path": f.path, "size": f.size, "mtime_ns": f.mtime_ns} for f in files]
    return PreparedRun(
        spec, job_class, ref, files, workers, reducers, split_size, faults, config, inputs
    )


def changes(old: RunInfo, prepared: PreparedRun) -> list[str]:
    """What differs between a recorded run and the one prepared now, as phrases."""
    found = _input_changes(old.inputs, prepared.inputs)
    config = prepared.config
    for key in sorted(old.config.keys() | config.keys()):
        if key in _RESUME_FREE or old.config.get(key) == config.get(key):
            continue
        if key == "job_digest":
            found.append(f"{changed_code(config.get('job', ''))} changed")
        else:
            found.append(f"{key} changed ({old.config.get(key)!r} → {config.get(key)!r})")
    return found


def _input_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    found = []
    before_all = {item["path"]: item for item in old}
    after_all = {item["path"]: item for item in new}
    for path in sorted(before_all.keys() | after_all.keys()):
        before, after = before_all.get(path), after_all.get(path)
        if before is None:
            found.append(f"input {path} was added")
        elif after is None:
            gone = "is no longer among the inputs" if os.path.exists(path) else "is gone"
            found.append(f"input {path} {gone}")
        elif before["size"] != after["size"]:
            found.append(f"input {path} changed (size {before['size']} → {after['size']} bytes)")
        elif before != after:
            found.append(f"input {path} changed (same size, modified since)")
    return found


def choose_run(
    ledger: Ledger, prepared: PreparedRun, progress: Progress, resume_id: str | None = None
) -> tuple[RunInfo, bool]:
    """The run to carry out and whether it is resumed.

    With `resume_id` (the `resume` command) that run, or ResumeError saying why not.
    Without, the newest unfinished run of this job into this OUT when nothing changed,
    else a new run (the abandoned one, if its coordinator died, is marked failed).
    """
    if resume_id is not None:
        info = ledger.get_run(resume_id)
        if info.state == "done":
            raise ResumeError(f"run {resume_id} is already done; its output is in {info.out}")
        refuse_if_alive(info)
        found = changes(info, prepared)
        if found:
            raise ResumeError(f"cannot resume run {resume_id}: {'; '.join(found)}")
        progress.note(f"resuming run {resume_id}")
        return info, True
    spec = prepared.spec
    previous = ledger.latest_unfinished(job_path=spec.job, out=spec.stored_out)
    if previous is not None:
        refuse_if_alive(previous)
        found = changes(previous, prepared)
        if not found:
            progress.note(f"resuming run {previous.run_id}")
            return previous, True
        why = "; ".join(found)
        progress.note(f"not resuming run {previous.run_id}: {why}")
        if previous.state == "running":  # its coordinator died; it will never finish
            ledger.set_run_state(previous.run_id, "failed", error=f"abandoned: {why}")
    return ledger.get_run(_create_run(ledger, prepared)), False


def _create_run(ledger: Ledger, prepared: PreparedRun) -> str:
    spec = prepared.spec
    work_root = Path(spec.state_dir).resolve() / "runs"
    work_root.mkdir(parents=True, exist_ok=True)
    return ledger.create_run(
        job=prepared.job_class.__name__,
        job_path=spec.job,
        out=spec.stored_out,
        params=spec.params,
        inputs=prepared.inputs,
        config=prepared.config,
        work_root=str(work_root),
    )


def refuse_if_alive(info: RunInfo) -> None:
    """ResumeError when the run's coordinator is another process that is still alive."""
    pid = info.pid
    if info.state != "running" or pid is None or pid == os.getpid():
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    except PermissionError:
        pass
    raise ResumeError(
        f"run {info.run_id} (pid {pid}) is still writing {info.out}; "
        "wait for it to finish or choose another -o"
    )
