"""Engine benchmarks: mapreduce against a plain loop, Polars and DuckDB, side by side.

    python benchmarks/bench_engine.py                    # 1M and 4M users, word count
    python benchmarks/bench_engine.py --rows 1000000 --repeat 3 --json results.json

Both mapreduce executors get the same plan (splits and reducers follow --workers), so
they run the same tasks: sequential one after another, process on the pool.
Every measurement runs in a fresh subprocess, one after another in one run, so the
figures are comparable as ratios on a shared, noisy machine. Wall time is the best of
`--repeat` runs; memory is the peak RSS of the measured process (the coordinator), and
for mapreduce also the peak of the sum over its whole process tree (coordinator, pool
server and workers), sampled from /proc. Polars and DuckDB are optional
(`pip install -e ".[bench]"`); missing ones are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAIN = r"""
import sys, orjson
from datetime import datetime
best = {}
parse = datetime.fromisoformat
with open(sys.argv[1], "rb") as f:
    for line in f:
        r = orjson.loads(line)
        ts = parse(r["updated_at"]).timestamp()
        b = best.get(r["id"])
        if b is None or ts >= b[0]:
            best[r["id"]] = (ts, r)
with open(sys.argv[2], "wb") as out:
    for k in sorted(best):
        out.write(orjson.dumps(best[k][1]) + b"\n")
"""
PARSE_ONLY = r"""
import sys, orjson
with open(sys.argv[1], "rb") as f:
    for line in f:
        orjson.loads(line)
"""
POLARS = r"""
import sys, polars as pl
df = pl.read_ndjson(sys.argv[1])
df = df.with_columns(pl.col("updated_at").str.to_datetime(time_zone="UTC").alias("_ts"),
                     pl.int_range(pl.len()).alias("_pos"))
out = df.sort(["_ts", "_pos"]).group_by("id").last().drop(["_ts", "_pos"]).sort("id")
out.write_ndjson(sys.argv[2])
"""
DUCKDB = r"""
import sys, duckdb
duckdb.sql(f'''
COPY (SELECT * EXCLUDE (_ts, _pos, _rank) FROM (
  SELECT *, row_number() OVER (PARTITION BY id ORDER BY _ts DESC, _pos DESC) AS _rank FROM (
    SELECT *, CAST(updated_at AS TIMESTAMPTZ) AS _ts, row_number() OVER () AS _pos
    FROM read_json_auto('{sys.argv[1]}', format='newline_delimited')))
  WHERE _rank = 1 ORDER BY id) TO '{sys.argv[2]}' (FORMAT JSON)
''')
"""
ENGINE = r"""
import json, resource, sys, time
from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
job, data, out, executor, workers, state = sys.argv[1:7]
summary = run(RunSpec(job=job, inputs=(data,), out=out, executor=executor,
                      workers=int(workers), overwrite=True, state_dir=state))
print(json.dumps({"coordinator_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "timings": summary.timings}))
"""


def _tree_rss_mb(root: int) -> float:
    """Sum of RSS over `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 2**20


def measure(argv: list[str]) -> dict[str, float]:
    """Run a command, returning wall seconds, its own peak RSS and the tree's peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed: {stderr.strip()[-500:]}")
    result = {"seconds": wall, "tree_peak_mb": peak[0]}
    for line in stdout.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def best_of(repeat: int, argv: list[str]) -> dict[str, float]:
    runs = [measure(argv) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def _have(module: str) -> bool:
    return (
        subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode
        == 0
    )


def ensure_users(directory: Path, rows: int) -> Path:
    path = directory / f"users-{rows}.jsonl"
    if not path.exists():
        from datagen import generate

        generate(path, preset="users", rows=rows, seed=7, versions=4, workers=os.cpu_count() or 1)
    return path


def ensure_words(directory: Path, rows: int) -> Path:
    path = directory / f"words-{rows}.txt"
    if not path.exists():
        from datagen import generate

        generate(path, preset="words", rows=rows, seed=7, workers=os.cpu_count() or 1)
    return path


def bench_latest(data: Path, work: Path, repeat: int, workers: int) -> dict[str, dict]:
    py = sys.executable
    out = str(work / "out")
    state = str(work / "state")
    results = {
        "orjson parse only": best_of(repeat, [py, "-c", PARSE_ONLY, str(data)]),
        "plain python loop": best_of(repeat, [py, "-c", PLAIN, str(data), out + ".plain"]),
        "mapreduce sequential": best_of(
            repeat,
            [py, "-c", ENGINE, "latest_by_key", str(data), out, "sequential", str(workers), state],
        ),
        f"mapreduce process x{workers}": best_of(
            repeat,
            [py, "-c", ENGINE, "latest_by_key", str(data), out, "process", str(workers), state],
        ),
    }
    if _have("polars"):
        results["polars group_by"] = best_of(repeat, [py, "-c", POLARS, str(data), out + ".pl"])
    if _have("duckdb"):
        results["duckdb"] = best_of(repeat, [py, "-c", DUCKDB, str(data), out + ".duck"])
    return results


def bench_words(data: Path, work: Path, repeat: int, workers: int) -> dict[str, dict]:
    py = sys.executable
    out, state = str(work / "wout"), str(work / "state")
    return {
        "mapreduce sequential": best_of(
            repeat,
            [py, "-c", ENGINE, "word_count", str(data), out, "sequential", str(workers), state],
        ),
        f"mapreduce process x{workers}": best_of(
            repeat, [py, "-c", ENGINE, "word_count", str(data), out, "process", str(workers), state]
        ),
    }


def _print(title: str, results: dict[str, dict], base: str) -> None:
    print(f"\n{title}")
    ref = results[base]["seconds"]
    for name, r in results.items():
        coord = r.get("coordinator_rss_mb")
        mem = f"tree peak {r['tree_peak_mb']:7.0f} MB" + (
            f", coordinator {coord:5.0f} MB" if coord else ""
        )
        print(f"  {name:<24} {r['seconds']:7.2f} s   {r['seconds'] / ref:5.2f}x {base:<10}  {mem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 4_000_000])
    parser.add_argument("--word-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "mapreduce-bench"))
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for rows in args.rows:
            data = ensure_users(data_dir, rows)
            title = f"latest_by_key, users {rows:,} rows ({data.stat().st_size / 1e6:,.0f} MB)"
            report[title] = bench_latest(data, work, args.repeat, args.workers)
            _print(title, report[title], "plain python loop")
        words = ensure_words(data_dir, args.word_rows)
        title = f"word_count, {args.word_rows:,} lines ({words.stat().st_size / 1e6:,.0f} MB)"
        report[title] = bench_words(words, work, args.repeat, args.workers)
        _print(title, report[title], "mapreduce sequential")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
