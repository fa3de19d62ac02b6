"""`run` and `resume`: the two ways into the engine, for the CLI and for Python callers.

Both prepare the run once (run.prepare), choose it in the ledger, and hand it to the
Coordinator. `run` resumes an unfinished run of the same job into the same OUT when
nothing changed, and starts a new one otherwise; `resume RUN_ID` finishes that run or
says why it cannot, never starting afresh. A run whose coordinator died after its commit
renamed staging to OUT (OUT holds its `_SUCCESS`) is done: it is marked so and reported.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from mapreduce.engine.committer import committed, drop_leftovers
from mapreduce.engine.coordinator import Coordinator
from mapreduce.engine.ledger import Ledger, RunInfo
from mapreduce.engine.outcome import tag_run
from mapreduce.engine.prepare import PreparedRun, choose_run, prepare
from mapreduce.engine.progress import NullProgress, Progress
from mapreduce.engine.spec import RunSpec, RunSummary
from mapreduce.engine.target import check_target
from mapreduce.errors import MapReduceError, ResumeError
from mapreduce.jobfile import instantiate

__all__ = ["RunSpec", "RunSummary", "resume", "run"]


def run(spec: RunSpec, progress: Progress | None = None) -> RunSummary:
    """Run a job end to end, resuming an unfinished run of the same job into the same OUT."""
    started = time.perf_counter()
    progress = progress or NullProgress()
    prepared = prepare(spec)
    with Ledger(prepared.spec.state_dir) as ledger:
        stored = prepared.spec.stored_out
        if ledger.latest_unfinished(job_path=prepared.spec.job, out=stored) is None:
            # Nothing to resume: refuse an unusable OUT before a run is recorded, so a
            # refused command leaves no empty run behind in `status`.
            job = instantiate(prepared.ref)
            spec = prepared.spec
            check_target(spec.out, spec.overwrite, spec.output_format, job)
        info, resumed = choose_run(ledger, prepared, progress)
        return _carry_out(ledger, info, prepared, progress, resumed, started)


def resume(
    run_id: str, state_dir: str = ".mapreduce", progress: Progress | None = None
) -> RunSummary:
    """Finish a recorded run, re-running only the tasks that are not done."""
    started = time.perf_counter()
    progress = progress or NullProgress()
    with Ledger(state_dir, create=False) as ledger:  # resuming must not create a state dir
        info = ledger.get_run(run_id)
        if info.state == "done":
            raise ResumeError(f"run {run_id} is already done; its output is in {info.out}")
        try:
            prepared = prepare(RunSpec.from_config(info.config, state_dir))
        except MapReduceError as exc:
            raise ResumeError(f"cannot resume run {run_id}: {exc}") from exc
        info, resumed = choose_run(ledger, prepared, progress, resume_id=run_id)
        return _carry_out(ledger, info, prepared, progress, resumed, started)


def _carry_out(
    ledger: Ledger,
    info: RunInfo,
    prepared: PreparedRun,
    progress: Progress,
    resumed: bool,
    started: float,
) -> RunSummary:
    success = committed(Path(prepared.spec.out), info.run_id)
    if success is not None:
        return _already_committed(ledger, info, prepared, progress, success)
    coordinator = Coordinator(ledger, info, prepared)
    try:
        coordinator.check_target()
    except MapReduceError as exc:
        tag_run(exc, info.run_id)
        ledger.set_run_state(info.run_id, "failed", error=str(exc))
        raise
    return coordinator.execute(progress, resumed=resumed, started=started)


def _already_committed(
    ledger: Ledger,
    info: RunInfo,
    prepared: PreparedRun,
    progress: Progress,
    success: dict[str, Any],
) -> RunSummary:
    """Finish a run killed after its commit's rename: record it done, report its output."""
    counters, user = success.get("counters", {}), success.get("user_counters", {})
    if info.state != "running":  # done is reached from running only
        ledger.set_run_state(info.run_id, "running")
    ledger.set_run_state(info.run_id, "done", counters={**counters, **user})
    out = Path(prepared.spec.out)
    drop_leftovers(out, info.run_id)
    if info.work_dir:
        shutil.rmtree(info.work_dir, ignore_errors=True)
    progress.note(f"run {info.run_id} had committed {out} before it stopped; marked it done")
    return RunSummary(
        run_id=info.run_id,
        out=str(out),
        resumed=True,
        counters=counters,
        user_counters=user,
        timings=dict(success.get("timings_seconds", {})),
        executor=success.get("executor", prepared.spec.executor),
        workers=success.get("workers", prepared.workers),
        reducers=success.get("reducers", prepared.reducers),
        files=list(success.get("files", [])),
        combined=prepared.combines,
        retries=ledger.retries(info.run_id),
    )
