"""`run` and `resume`: the two ways into the engine, for the CLI and for Python callers.

Both prepare the run once (run.prepare), choose it in the ledger, and hand it to the
Coordinator. `run` resumes an unfinished run of the same job into the same OUT when
nothing changed, and starts a new one otherwise; `resume RUN_ID` finishes that run or
says why it cannot, never starting afresh.
"""

from __future__ import annotations

import time

from mapreduce.engine.coordinator import Coordinator
from mapreduce.engine.ledger import Ledger, RunInfo
from mapreduce.engine.prepare import PreparedRun, choose_run, prepare
from mapreduce.engine.progress import NullProgress, Progress
from mapreduce.engine.spec import RunSpec, RunSummary
from mapreduce.errors import MapReduceError, ResumeError

__all__ = ["RunSpec", "RunSummary", "resume", "run"]


def run(spec: RunSpec, progress: Progress | None = None) -> RunSummary:
    """Run a job end to end, resuming an unfinished run of the same job into the same OUT."""
    started = time.perf_counter()
    progress = progress or NullProgress()
    prepared = prepare(spec)
    with Ledger(prepared.spec.state_dir) as ledger:
        info, resumed = choose_run(ledger, prepared, progress)
        return _carry_out(ledger, info, prepared, progress, resumed, started)


def resume(
    run_id: str, state_dir: str = ".mapreduce", progress: Progress | None = None
) -> RunSummary:
    """Finish a recorded run, re-running only the tasks that are not done."""
    started = time.perf_counter()
    progress = progress or NullProgress()
    with Ledger(state_dir) as ledger:
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
    coordinator = Coordinator(ledger, info, prepared)
    try:
        coordinator.check_target()
    except MapReduceError as exc:
        ledger.set_run_state(info.run_id, "failed", error=str(exc))
        raise
    return coordinator.execute(progress, resumed=resumed, started=started)
