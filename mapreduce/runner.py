"""One run's execution: its steps' map and reduce phases, resume bookkeeping, the commit.

The engine decides *which* run (new or resumed); the Runner carries it out. Tasks the
ledger already has as done are reused when their saved output still verifies (size and
CRC-32), so a resumed run re-runs only what is missing, and ends byte-identical to an
uninterrupted one.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from mapreduce.committer import commit, discard, part_name, staging_dir
from mapreduce.errors import BadRecordError
from mapreduce.executors import make_executor
from mapreduce.job import JobRef, instantiate
from mapreduce.ledger import Ledger, RunInfo
from mapreduce.progress import Progress
from mapreduce.scheduler import Phase, Pool, kill_workers, run_phase
from mapreduce.shuffle import SpillFile, verify_spill
from mapreduce.splits import InputFile, plan_splits
from mapreduce.tasks import (
    MapResult,
    MapTask,
    ReduceResult,
    ReduceTask,
    StepInput,
    run_map_task,
    run_reduce_task,
)

__all__ = ["RunSummary", "Runner"]

_IN_PROCESS_FAULTS = {"exit": "raise", "kill": "raise", "segv": "raise", "hang": "raise"}


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


class _LedgerJournal:
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


def _map_result(data: dict[str, Any]) -> MapResult:
    spills = tuple(SpillFile(**{**s, "pairs": tuple(s["pairs"])}) for s in data["spills"])
    return MapResult(**{**data, "spills": spills})


def _reduce_result(data: dict[str, Any]) -> ReduceResult:
    output = data["output"]
    if output is not None:
        output = SpillFile(**{**output, "pairs": tuple(output["pairs"])})
    return ReduceResult(**{**data, "output": output})


def _reduce_output_intact(result: ReduceResult) -> bool:
    if result.output is not None:
        return verify_spill(result.output)
    try:
        return os.path.getsize(result.output_path) == result.size
    except OSError:
        return False


def _describe(task: MapTask | ReduceTask) -> str:
    if isinstance(task, ReduceTask):
        return f"partition {task.partition}"
    source = task.source
    if isinstance(source, StepInput):
        return source.label
    if source.file.format == "parquet":
        return f"{source.file.path} row groups {source.start}-{source.end}"
    return f"{source.file.path} bytes {source.start}-{source.end}"


class Runner:
    """Carries out one recorded run: plan, steps, commit; records every attempt."""

    def __init__(
        self,
        ledger: Ledger,
        info: RunInfo,
        spec: Any,
        ref: JobRef,
        workers: int,
        reducers: int,
        faults: dict[str, str],
    ) -> None:
        self.ledger = ledger
        self.info = info
        self.run_id = info.run_id
        self.spec = spec
        self.ref = ref
        self.workers = workers
        self.reducers = reducers
        self.faults = faults
        self.work_dir = info.work_dir
        self.out = Path(spec.out)
        self.staging = staging_dir(self.out, self.run_id)
        self.timings: dict[str, float] = {"plan": 0.0, "map": 0.0, "reduce": 0.0}
        self.bad_records = 0

    def _prepare(self, task: Any, attempt: int) -> Any:
        fault = self.faults.get(task.task_id) if attempt == 1 else None
        if fault is not None and self.spec.executor != "process":
            fault = _IN_PROCESS_FAULTS.get(fault, fault)
        return replace(task, attempt=attempt, fault=fault)

    def _phase(
        self,
        pool: Pool,
        progress: Progress,
        name: str,
        fn: Callable[[Any], Any],
        tasks: Sequence[Any],
        decode: Callable[[dict[str, Any]], Any],
        intact: Callable[[Any], bool],
        on_result: Callable[[Any], None],
    ) -> list[Any]:
        """Run a phase's tasks, reusing the ones the ledger has as done and intact."""
        wanted = {task.task_id for task in tasks}
        done = {
            info.task_id: info
            for info in self.ledger.tasks(self.run_id)
            if info.state == "done" and info.task_id in wanted
        }
        results: dict[str, Any] = {}
        todo = []
        for task in tasks:
            info = done.get(task.task_id)
            if info is not None and info.result is not None:
                result = decode(info.result)
                if intact(result):
                    results[task.task_id] = result
                    on_result(result)
                    continue
                self.ledger.reset_task(self.run_id, task.task_id)
            todo.append(task)
        progress.start_phase(name, len(tasks), len(tasks) - len(todo))

        def collect(task: Any, result: Any) -> None:
            results[task.task_id] = result
            on_result(result)
            progress.task_done(*_volume(result))

        phase = Phase(
            name, fn, todo, self._prepare, _describe, self.spec.max_attempts, self.spec.task_timeout
        )
        run_phase(phase, pool, 2 * self.workers, _LedgerJournal(self.ledger, self.run_id), collect)
        progress.end_phase()
        return [results[task.task_id] for task in tasks]

    def execute(
        self,
        files: Sequence[InputFile],
        split_size: int,
        progress: Progress,
        *,
        resumed: bool,
        started: float,
    ) -> RunSummary:
        """Plan, run every step, commit; on failure record it and leave OUT untouched."""
        if resumed:
            self.ledger.set_run_state(self.run_id, "running")
            self.ledger.reset_running(self.run_id)
            self.ledger.reset_failed(self.run_id)
        os.makedirs(self.work_dir, exist_ok=True)
        self.staging.mkdir(exist_ok=True)
        steps = len(instantiate(self.ref).steps())
        pool = Pool(lambda: make_executor(self.spec.executor, self.workers))
        try:
            clock = time.perf_counter()
            sources: list[Any] = list(plan_splits(files, split_size, map_fn=pool.executor.map))
            self.timings["plan"] = time.perf_counter() - clock
            first: list[MapResult] = []
            results: list[ReduceResult] = []
            for step in range(steps):
                maps, results = self._step(pool, progress, step, sources, step == steps - 1)
                first = first or maps
                sources = [
                    StepInput(i, result.output_path, f"step {step + 1} output partition {i}")
                    for i, result in enumerate(results)
                ]
            return self._commit(first, results, started, resumed)
        except BaseException as exc:
            self._fail(exc, pool)
            raise
        finally:
            pool.executor.shutdown(wait=True, cancel_futures=True)

    def _fail(self, exc: BaseException, pool: Pool) -> None:
        kill_workers(pool.executor)
        text = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc) or repr(exc)
        self.ledger.set_run_state(self.run_id, "failed", error=text)
        discard(self.staging)

    def _step(
        self, pool: Pool, progress: Progress, step: int, sources: Sequence[Any], last: bool
    ) -> tuple[list[MapResult], list[ReduceResult]]:
        prefix = "" if step == 0 else f"s{step + 1}-"
        spec = self.spec
        maps = [
            MapTask(
                task_id=f"{prefix}map-{i:05d}",
                job=self.ref,
                step=step,
                source=source,
                partitions=self.reducers,
                work_dir=self.work_dir,
                skip_bad=spec.skip_bad_records,
                max_bad=spec.max_bad_records,
                spill_pairs=spec.spill_pairs,
            )
            for i, source in enumerate(sources)
        ]
        reduce_ids = [f"{prefix}reduce-{r:05d}" for r in range(self.reducers)]
        self.ledger.add_tasks(
            self.run_id,
            [(t.task_id, "map", i) for i, t in enumerate(maps)]
            + [(task_id, "reduce", r) for r, task_id in enumerate(reduce_ids)],
        )
        clock = time.perf_counter()
        on_map = self._count_bad if step == 0 else _ignore
        map_results = self._phase(
            pool, progress, "map", run_map_task, maps, _map_result, _maps_intact, on_map
        )
        self.timings["map"] += time.perf_counter() - clock
        spills = tuple(spill.path for result in map_results for spill in result.spills)
        fmt = spec.output_format if last else "records"
        reduces = [
            ReduceTask(
                task_id=task_id,
                job=self.ref,
                step=step,
                partition=r,
                spills=spills,
                output_path=str(
                    self.staging / part_name(r, fmt)
                    if last
                    else Path(self.work_dir) / f"{prefix}output-{r:05d}.records"
                ),
                output_format=fmt,
            )
            for r, task_id in enumerate(reduce_ids)
        ]
        clock = time.perf_counter()
        reduce_results = self._phase(
            pool,
            progress,
            "reduce",
            run_reduce_task,
            reduces,
            _reduce_result,
            _reduce_output_intact,
            _ignore,
        )
        self.timings["reduce"] += time.perf_counter() - clock
        return map_results, reduce_results

    def _count_bad(self, result: MapResult) -> None:
        self.bad_records += result.bad_records
        limit = self.spec.max_bad_records
        if limit is not None and self.bad_records > limit:
            raise BadRecordError(
                f"more than {limit} bad records in total (--max-bad-records {limit}); "
                "no output was written"
            )

    def _gather_rejects(self, maps: Sequence[MapResult]) -> None:
        """Concatenate the map tasks' reject logs, in input order, into OUT/_rejects.jsonl."""
        if not self.spec.skip_bad_records:
            return
        with open(self.staging / "_rejects.jsonl", "wb") as target:
            for result in maps:
                if result.rejects_path and os.path.exists(result.rejects_path):
                    with open(result.rejects_path, "rb") as source:
                        shutil.copyfileobj(source, target)

    def _commit(
        self,
        maps: Sequence[MapResult],
        reduces: Sequence[ReduceResult],
        started: float,
        resumed: bool,
    ) -> RunSummary:
        """Gather rejects, write _SUCCESS, publish OUT, record the run done."""
        clock = time.perf_counter()
        self._gather_rejects(maps)
        _keep_only(self.staging, {Path(r.output_path).name for r in reduces} | {"_rejects.jsonl"})
        counters = {
            "records_read": sum(r.records_read for r in maps),
            "bad_records": sum(r.bad_records for r in maps),
            "pairs_emitted": sum(r.pairs_emitted for r in maps),
            "pairs_after_combine": sum(r.pairs_spilled for r in maps),
            "records_written": sum(r.records_written for r in reduces),
            "bytes_read": sum(item["size"] for item in self.info.inputs),
            "map_tasks": len(maps),
            "reduce_tasks": len(reduces),
        }
        user: dict[str, int] = {}
        results: list[MapResult | ReduceResult] = [*maps, *reduces]
        for result in results:
            for name, value in result.user_counters.items():
                user[name] = user.get(name, 0) + value
        files = sorted(p.name for p in self.staging.iterdir())
        self.timings["commit"] = time.perf_counter() - clock
        self.timings["total"] = time.perf_counter() - started
        spec = self.spec
        success = {
            "run_id": self.run_id,
            "job": self.ref.class_name,
            "job_file": self.ref.path,
            "parameters": dict(self.ref.params),
            "inputs": self.info.inputs,
            "executor": spec.executor,
            "workers": self.workers,
            "reducers": self.reducers,
            "output_format": spec.output_format,
            "resumed": resumed,
            "counters": counters,
            "user_counters": user,
            "timings_seconds": {k: round(v, 6) for k, v in self.timings.items()},
            "files": files,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        commit(self.staging, self.out, success, spec.overwrite)
        self.ledger.set_run_state(self.run_id, "done", counters={**counters, **user})
        shutil.rmtree(self.work_dir, ignore_errors=True)
        return RunSummary(
            run_id=self.run_id,
            out=str(self.out),
            resumed=resumed,
            counters=counters,
            user_counters=user,
            timings=dict(self.timings),
            executor=spec.executor,
            workers=self.workers,
            reducers=self.reducers,
            files=files,
        )


def _keep_only(folder: Path, names: set[str]) -> None:
    """Drop leftovers of killed attempts (temporary part files) before publishing."""
    for entry in folder.iterdir():
        if entry.name not in names:
            entry.unlink()


def _ignore(result: Any) -> None:
    pass


def _maps_intact(result: MapResult) -> bool:
    return all(verify_spill(spill) for spill in result.spills)


def _volume(result: Any) -> tuple[int, int]:
    if isinstance(result, MapResult):
        return result.records_read, result.bytes_read
    return result.records_written, result.size
