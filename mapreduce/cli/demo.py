"""`mapreduce demo`: the main job on embedded defaults, checked against the truth.

Generates versioned users with datagen (4 versions per key, shuffled through the file,
with timestamp ties), runs `latest_by_key` with the sequential baseline and with the
process pool, checks both against datagen's truth file and each other, prints the speedup;
then loads the latest users into SQLite and an older batch over them, and shows that no
newer row was replaced.
"""

from __future__ import annotations

import filecmp
import sqlite3
import tempfile
import time
from pathlib import Path

import orjson

from mapreduce.cli.bars import make_progress
from mapreduce.engine.api import run
from mapreduce.engine.executors import default_workers
from mapreduce.engine.progress import Progress
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
    data: Path, out: Path | str, executor: str, workers: int, state_dir: str, progress: Progress
) -> RunSummary:
    spec = RunSpec(
        job="latest_by_key",
        inputs=(str(data),),
        out=str(out),
        executor=executor,
        workers=workers,
        overwrite=not str(out).startswith("sqlite:"),
        state_dir=state_dir,
    )
    return run(spec, progress)


def run_demo(
    rows: int, workers: int | None, directory: str | None, state_dir: str | None, quiet: bool
) -> int:
    """Generate, run twice, verify, load into SQLite, report; the exit code (0 when all
    matches). The runs' ledger is kept beside the data unless `state_dir` says otherwise:
    the demo leaves nothing in the folder it was started from."""
    workers = workers or default_workers()
    progress = make_progress(quiet)
    with tempfile.TemporaryDirectory(prefix="mapreduce-demo-") as scratch:
        base = Path(directory) if directory else Path(scratch)
        base.mkdir(parents=True, exist_ok=True)
        state_dir = state_dir or str(base / ".mapreduce")
        data, truth = _generate(base, rows, workers)
        expected = _truth(truth)
        ok = _compare_executors(base, data, expected, workers, state_dir, progress)
        ok &= _database_step(base, data, expected, workers, state_dir, progress)
        return 0 if ok else 1


def _generate(base: Path, rows: int, workers: int) -> tuple[Path, Path]:
    # datagen (and Faker under it) is imported here, not at the top: it is ~160 ms that
    # every other `mapreduce` command would pay at start-up.
    from datagen import generate

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
        overwrite=True,
    )
    print(f"  {data.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - clock:.1f} s")
    return data, truth


def _compare_executors(
    base: Path, data: Path, expected: dict, workers: int, state_dir: str, progress: Progress
) -> bool:
    """latest_by_key with the sequential baseline and the process pool, against the truth."""
    results = {}
    for executor in ("sequential", "process"):
        print(f"latest_by_key, {executor} executor ...")
        out = base / f"latest-{executor}"
        results[executor] = _run(data, out, executor, workers, state_dir, progress)
    ok = True
    for executor, summary in results.items():
        got = _latest_records(base / f"latest-{executor}")
        match = got == expected
        ok &= match
        print(
            f"  {executor:<10} {len(got):,} keys, {'matches' if match else 'DIFFERS FROM'} "
            f"the truth file ({len(expected):,} keys); {summary.timings['total']:.2f} s"
        )
    same = _same_parts(base / "latest-sequential", base / "latest-process")
    print(f"  part files byte-identical across executors: {'yes' if same else 'NO'}")
    speedup = results["sequential"].timings["total"] / results["process"].timings["total"]
    print(f"speedup of the process pool ({workers} workers) over sequential: {speedup:.2f}x")
    return ok and same


def _database_step(
    base: Path, data: Path, expected: dict, workers: int, state_dir: str, progress: Progress
) -> bool:
    """Load the latest users into SQLite, then an older batch over them: no newer row may
    be replaced (upsert-latest keeps, per key, the row with the latest instant)."""
    db = base / "users.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}?table=users"
    print(f"latest_by_key into SQLite ({db.name}, table users) ...")
    _run(data, url, "process", workers, state_dir, progress)
    older = base / "older-batch.jsonl"
    stale = _write_older_batch(older, expected, count=min(1000, len(expected)))
    print(f"an older batch of {stale:,} versions (updated in 2001, first_name STALE) over it ...")
    _run(older, url, "process", workers, state_dir, progress)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        replaced = conn.execute("SELECT COUNT(*) FROM users WHERE first_name = 'STALE'").fetchone()[
            0
        ]
        stamps = dict(conn.execute("SELECT id, updated_at FROM users").fetchall())
    match = rows == len(expected) and all(
        stamps.get(key) == record["updated_at"] for key, record in expected.items()
    )
    print(
        f"  {rows:,} rows, {'match' if match else 'DIFFER FROM'} the truth file; "
        f"newer rows replaced by the older batch: {replaced}"
    )
    return match and replaced == 0


def _write_older_batch(path: Path, expected: dict, count: int) -> int:
    with open(path, "wb") as handle:
        for key in list(expected)[:count]:
            record = {**expected[key], "first_name": "STALE", "updated_at": "2001-01-01T00:00:00Z"}
            handle.write(orjson.dumps(record) + b"\n")
    return count


def _same_parts(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.glob("part-*"))
    if names != sorted(p.name for p in b.glob("part-*")):
        return False
    return all(filecmp.cmp(a / name, b / name, shallow=False) for name in names)
