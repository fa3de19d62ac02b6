"""The coordinator: one run's steps and phases, reuse of done tasks on resume, the commit.

    PreparedRun + RunInfo ─► Coordinator.execute
       ├─ plan: byte-range splits (counting pass on the executor for CSV / JSON arrays),
       │        small files packed several to a map task
       ├─ for each step:  map phase    splits (or the last step's parts) ─► spill files
       │                  reduce phase spills, partition r             ─► part r
       └─ commit: _SUCCESS last, staging renamed to OUT ─► ledger: run done, work dir removed

`prepare.choose_run` decides *which* run (new or resumed); the Coordinator carries it
out. Tasks the ledger has as done are reused when their output still verifies
(run.reuse), so a resumed run re-runs only what is missing and ends byte-identical to an
uninterrupted one. Only descriptors cross to workers; data goes worker ↔ disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mapreduce.engine.committer import commit, discard, staging_dir
from mapreduce.engine.executors import make_executor
from mapreduce.engine.ledger import Ledger, RunInfo
from mapreduce.engine.loading import (
    load_kind,
    load_tasks,
    run_load_task,
)
from mapreduce.engine.outcome import (
    counters_of,
    gather_rejects,
    keep_only,
    tag_run,
    user_counters_of,
    utc_now,
)
from mapreduce.engine.planner import pack_splits, plan_splits
from mapreduce.engine.prepare import PreparedRun
from mapreduce.engine.progress import Progress
from mapreduce.engine.reuse import MAP, REDUCE, PhaseKind, reusable
from mapreduce.engine.scheduler import ExecutorSlot, Phase, kill_workers, run_phase
from mapreduce.engine.spec import RunSummary
from mapreduce.engine.steps import LedgerJournal, Source, describe, map_tasks, reduce_tasks, volume
from mapreduce.engine.target import check_target
from mapreduce.errors import BadRecordError, MapReduceError
from mapreduce.formats.registry import unify_parts
from mapreduce.jobfile import instantiate
from mapreduce.sinks import LoadSpec, apply_load, discard_load
from mapreduce.worker.entry import run_map_task, run_reduce_task
from mapreduce.worker.tasks import MapResult, ReduceResult, ReduceTask, StepInput

__all__ = ["Coordinator"]

_IN_PROCESS_FAULTS = {"exit": "raise", "kill": "raise", "segv": "raise", "hang": "raise"}


class Coordinator:
    """Carries out one recorded run: plan, steps, commit; records every attempt."""

    def __init__(self, ledger: Ledger, info: RunInfo, prepared: PreparedRun) -> None:
        self.ledger = ledger
        self.info = info
        self.run_id = info.run_id
        self.prepared = prepared
        self.spec = prepared.spec
        self.work_dir = info.work_dir
        self.out = Path(self.spec.out)
        self.staging = staging_dir(self.out, self.run_id)
        self.load: LoadSpec | None = None  # a database output's load, once check_target ran
        self.timings: dict[str, float] = {"plan": 0.0, "map": 0.0, "reduce": 0.0}
        self.bad_records = 0
        self.journal = LedgerJournal(ledger, self.run_id)

    def check_target(self) -> None:
        """Refuse an output that cannot be written (OUT, or the database), before any map
        work; a database output's parts go to the work dir, then load into the table."""
        spec = self.spec
        job = instantiate(self.prepared.ref)
        self.load = check_target(spec.out, spec.overwrite, spec.output_format, job)
        if self.load is not None:
            self.staging = Path(self.work_dir) / "parts"

    def execute(self, progress: Progress, *, resumed: bool, started: float) -> RunSummary:
        """Plan, run every step, commit; on failure record it and leave OUT untouched."""
        slot: ExecutorSlot | None = None
        try:
            if resumed:
                self.ledger.set_run_state(self.run_id, "running")
                self.ledger.reset_running(self.run_id)
                self.ledger.reset_failed(self.run_id)
            os.makedirs(self.work_dir, exist_ok=True)
            self.staging.mkdir(exist_ok=True)
            steps = len(instantiate(self.prepared.ref).steps())
            spec, workers = self.spec, self.prepared.workers
            slot = ExecutorSlot(lambda: make_executor(spec.executor, workers))
            maps, reduces = self._steps(slot, progress, steps)
            if self.load is not None:
                return self._commit_load(slot, progress, maps, reduces, started, resumed)
            return self._commit(maps, reduces, started, resumed)
        except BaseException as exc:
            tag_run(exc, self.run_id)
            self._fail(exc, slot)
            raise
        finally:
            if slot is not None:
                slot.executor.shutdown(wait=True, cancel_futures=True)

    def _steps(
        self, slot: ExecutorSlot, progress: Progress, steps: int
    ) -> tuple[list[MapResult], list[ReduceResult]]:
        """Plan the splits, then run each step on the previous one's output."""
        clock = time.perf_counter()
        split_size = self.prepared.split_size
        splits = plan_splits(self.prepared.files, split_size, map_fn=slot.executor.map)
        sources: list[Source] = list(pack_splits(splits, split_size))
        self.timings["plan"] = time.perf_counter() - clock
        first: list[MapResult] = []
        reduces: list[ReduceResult] = []
        for step in range(steps):
            maps, reduces = self._step(slot, progress, step, sources, step == steps - 1)
            first = first or maps
            sources = [
                StepInput(i, result.output_path, f"step {step + 1} output partition {i}")
                for i, result in enumerate(reduces)
            ]
        return first, reduces

    def _fail(self, exc: BaseException, slot: ExecutorSlot | None) -> None:
        """Stop the workers, discard staging, then record the failure (in that order: a
        ledger that cannot be written must not keep the staging dir alive)."""
        if slot is not None:
            kill_workers(slot.executor)
        discard(self.staging)
        if self.load is not None:
            self._discard_load()
        text = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc) or repr(exc)
        self.ledger.set_run_state(self.run_id, "failed", error=text)

    def _prepare_attempt(self, task: Any, attempt: int) -> Any:
        fault = self.prepared.faults.get(task.task_id) if attempt == 1 else None
        if fault is not None and self.spec.executor != "process":
            fault = _IN_PROCESS_FAULTS.get(fault, fault)
        return replace(task, attempt=attempt, fault=fault)

    def _phase(
        self,
        slot: ExecutorSlot,
        progress: Progress,
        kind: PhaseKind,
        fn: Callable[[Any], Any],
        tasks: Sequence[Any],
    ) -> list[Any]:
        """Run a phase's tasks, reusing the ones the ledger has as done and intact."""
        results, todo = reusable(self.ledger, self.run_id, kind, tasks)
        progress.start_phase(kind.name, len(tasks), len(tasks) - len(todo))

        def collect(task: Any, result: Any) -> None:
            results[task.task_id] = result
            progress.task_done(*volume(result))

        spec = self.spec
        phase = Phase(
            kind.name,
            fn,
            todo,
            self._prepare_attempt,
            describe,
            spec.max_attempts,
            spec.task_timeout,
        )
        run_phase(phase, slot, 2 * self.prepared.workers, self.journal, collect)
        progress.end_phase()
        return [results[task.task_id] for task in tasks]

    def _reduces(self, step: int, spills: tuple[str, ...], last: bool) -> list[ReduceTask]:
        return reduce_tasks(self.prepared, self.work_dir, self.staging, step, spills, last)

    def _step(
        self,
        slot: ExecutorSlot,
        progress: Progress,
        step: int,
        sources: Sequence[Source],
        last: bool,
    ) -> tuple[list[MapResult], list[ReduceResult]]:
        """One map phase and one reduce phase."""
        maps = map_tasks(self.prepared, self.work_dir, step, sources)
        reduce_ids = [t.task_id for t in self._reduces(step, (), last)]
        self.ledger.add_tasks(
            self.run_id,
            [(t.task_id, "map", i) for i, t in enumerate(maps)]
            + [(task_id, "reduce", r) for r, task_id in enumerate(reduce_ids)],
        )
        clock = time.perf_counter()
        map_results: list[MapResult] = self._phase(slot, progress, MAP, run_map_task, maps)
        if step == 0:
            self._count_bad(map_results)
        self.timings["map"] += time.perf_counter() - clock
        spills = tuple(spill.path for result in map_results for spill in result.spills)
        clock = time.perf_counter()
        reduces = self._reduces(step, spills, last)
        reduce_results = self._phase(slot, progress, REDUCE, run_reduce_task, reduces)
        self.timings["reduce"] += time.perf_counter() - clock
        return map_results, reduce_results

    def _count_bad(self, results: Sequence[MapResult]) -> None:
        self.bad_records = sum(result.bad_records for result in results)
        limit = self.spec.max_bad_records
        if limit is not None and self.bad_records > limit:
            raise BadRecordError(
                f"more than {limit} bad records in total (--max-bad-records {limit}); "
                "no output was written"
            )

    def _success(self, counters: dict[str, int], user: dict[str, int], resumed: bool) -> dict:
        spec, prepared = self.spec, self.prepared
        return {
            "run_id": self.run_id,
            "job": prepared.ref.class_name,
            "job_file": prepared.ref.path,
            "parameters": dict(prepared.ref.params),
            "inputs": self.info.inputs,
            "executor": spec.executor,
            "workers": prepared.workers,
            "reducers": prepared.reducers,
            "output_format": spec.output_format,
            "resumed": resumed,
            "counters": counters,
            "user_counters": user,
            "timings_seconds": {k: round(v, 6) for k, v in self.timings.items()},
            "files": sorted(p.name for p in self.staging.iterdir()),
            "finished_at": utc_now(),
        }

    def _commit(
        self,
        maps: Sequence[MapResult],
        reduces: Sequence[ReduceResult],
        started: float,
        resumed: bool,
    ) -> RunSummary:
        """Gather rejects, write _SUCCESS, publish OUT, record the run done."""
        clock = time.perf_counter()
        if self.spec.skip_bad_records:
            gather_rejects(maps, self.staging / "_rejects.jsonl")
        keep_only(self.staging, {Path(r.output_path).name for r in reduces} | {"_rejects.jsonl"})
        # one schema (Parquet) or header (CSV) across every part, empty ones included
        unify_parts(self.spec.output_format, [r.output_path for r in reduces])
        counters = counters_of(maps, reduces, self.info.inputs)
        user = user_counters_of([*maps, *reduces])
        self.timings["commit"] = time.perf_counter() - clock
        self.timings["total"] = time.perf_counter() - started
        success = self._success(counters, user, resumed)
        commit(self.staging, self.out, success, self.spec.overwrite)
        self.ledger.set_run_state(self.run_id, "done", counters={**counters, **user})
        shutil.rmtree(self.work_dir, ignore_errors=True)
        return self._summary(counters, user, resumed, success["files"])

    def _commit_load(
        self,
        slot: ExecutorSlot,
        progress: Progress,
        maps: Sequence[MapResult],
        reduces: Sequence[ReduceResult],
        started: float,
        resumed: bool,
    ) -> RunSummary:
        """Stage every partition (load tasks), apply them in one transaction, record done."""
        assert self.load is not None
        clock = time.perf_counter()
        tasks = load_tasks(self.load, self.run_id, [r.output_path for r in reduces])
        self.ledger.add_tasks(self.run_id, [(t.task_id, "load", i) for i, t in enumerate(tasks)])
        records = self._phase(slot, progress, load_kind(self.load), run_load_task, tasks)
        parts = [(task.stage.partition, task.stage.path) for task in tasks]
        result = apply_load(self.load, self.run_id, parts, [record.staged for record in records])
        self.timings["load"] = time.perf_counter() - clock
        counters = {
            **counters_of(maps, reduces, self.info.inputs),
            "rows_loaded": result.rows_written,
        }
        user = user_counters_of([*maps, *reduces])
        self.timings["total"] = time.perf_counter() - started
        self.ledger.set_run_state(self.run_id, "done", counters={**counters, **user})
        shutil.rmtree(self.work_dir, ignore_errors=True)
        return self._summary(counters, user, resumed, [])

    def _discard_load(self) -> None:
        """Drop a failed run's staging tables, if the database can be reached; `resume`
        stages again whatever is missing."""
        assert self.load is not None
        with contextlib.suppress(MapReduceError, OSError):
            discard_load(self.load, self.run_id)

    def _summary(
        self, counters: dict[str, int], user: dict[str, int], resumed: bool, files: list[str]
    ) -> RunSummary:
        return RunSummary(
            run_id=self.run_id,
            out=self.spec.stored_out,
            resumed=resumed,
            counters=counters,
            user_counters=user,
            timings=dict(self.timings),
            executor=self.spec.executor,
            workers=self.prepared.workers,
            reducers=self.prepared.reducers,
            files=files,
            combined=self.prepared.combines,
            retries=self.ledger.retries(self.run_id),
        )
