"""`mapreduce demo`: the main job on embedded defaults, checked against the truth.

Generates versioned users with datagen (4 versions per key, shuffled through the file,
with timestamp ties), runs `latest_by_key` with the sequential baseline and with the
process pool, checks both against datagen's truth file and each other, prints the speedup.
"""

from __future__ import annotations

import filecmp
import tempfile
import time
from pathlib import Path

import orjson

from mapreduce.cli.bars import make_progress
from mapreduce.engine.api import run
from mapreduce.engine.executors import default_workers
from mapreduce.engine.spec import RunSpec, RunSummary

__all__ = ["run_demo"]


def _latest_records(out: Path) -> dict[object, dict[str, object]]:
    records = {}
    for part in sorted(out.glob("part-*.jsonl")):
        with open(part, "rb") as handle:
            for line in handle:
                record = orjson.loads(line)
                records[record["id"]] = record
    return records


def _truth(path: Path) -> dict[object, dict[str, object]]:
    with open(path, "rb") as handle:
        return {(record := orjson.loads(line))["id"]: record for line in handle if line.strip()}


def _run(
    data: Path, out: Path, executor: str, workers: int, state_dir: str, progress: object
) -> RunSummary:
    spec = RunSpec(
        job="latest_by_key",
        inputs=(str(data),),
        out=str(out),
        executor=executor,
        workers=workers,
        overwrite=True,
        state_dir=state_dir,
    )
    return run(spec, progress)  # type: ignore[arg-type]


def run_demo(
    rows: int, workers: int | None, directory: str | None, state_dir: str, quiet: bool
) -> int:
    """Generate, run twice, verify, report; returns the exit code (0 when all matches)."""

    from datagen import generate

    workers = workers or default_workers()
    progress = make_progress(quiet)
    with tempfile.TemporaryDirectory(prefix="mapreduce-demo-") as scratch:
        base = Path(directory) if directory else Path(scratch)
        base.mkdir(parents=True, exist_ok=True)
        data, truth = base / "users.jsonl", base / "truth.jsonl"
        print(f"generating {rows:,} versioned user records (4 versions per key) in {base} ...")
        clock = time.perf_counter()
        generate(
            data,
            preset="users",
            rows=rows,
            seed=42,
            versions=4,
            truth=truth,
            ties=0.01,
            workers=workers,
        )
        print(f"  {data.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - clock:.1f} s")
        results = {}
        for executor in ("sequential", "process"):
            print(f"latest_by_key, {executor} executor ...")
            results[executor] = _run(
                data, base / f"latest-{executor}", executor, workers, state_dir, progress
            )
        expected = _truth(truth)
        ok = True
        for executor in results:
            got = _latest_records(base / f"latest-{executor}")
            match = got == expected
            ok &= match
            print(
                f"  {executor:<10} {len(got):,} keys, {'matches' if match else 'DIFFERS FROM'} "
                f"the truth file ({len(expected):,} keys); "
                f"{results[executor].timings['total']:.2f} s"
            )
        same = _same_parts(base / "latest-sequential", base / "latest-process")
        ok &= same
        print(f"  part files byte-identical across executors: {'yes' if same else 'NO'}")
        speedup = results["sequential"].timings["total"] / results["process"].timings["total"]
        print(f"speedup of the process pool ({workers} workers) over sequential: {speedup:.2f}x")
        return 0 if ok else 1


def _same_parts(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.glob("part-*"))
    if names != sorted(p.name for p in b.glob("part-*")):
        return False
    return all(filecmp.cmp(a / name, b / name, shallow=False) for name in names)
