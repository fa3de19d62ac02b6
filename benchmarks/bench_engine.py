"""Engine benchmarks: mapreduce against plain loops, Polars and DuckDB, side by side.

    python benchmarks/bench_engine.py                      # issue 9's workloads (4M, 200 MB)
    python benchmarks/bench_engine.py --rows 1000000 --word-rows 1000000 --repeat 3

Workloads: latest_by_key on users NDJSON (each --rows, 4 versions per key) and on the
same records as CSV (the largest --rows), word_count on Zipf-distributed words. Each
contender runs in a fresh subprocess, one after another in one run, so figures compare
as ratios on a shared machine; wall time is the best of --repeat. Memory is the peak of
the sum of RSS over the contender's whole process tree, sampled from /proc. Every
output is read back and checked against the others (same keys, same winning versions,
same counts) before any figure is printed. Targets of issue 9 are printed as ratios.
Polars and DuckDB are optional (`pip install -e ".[bench]"`); missing ones are skipped.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import orjson

from mapreduce import parse_instant

PLAIN_LATEST = r"""
import sys, orjson
best = {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        r = orjson.loads(line)
        key, ts = r["id"], r["updated_at"]
        old = best.get(key)
        if old is None or ts >= old[0]:
            best[key] = (ts, line)
with open(sys.argv[2], "wb") as out:
    out.writelines(best[k][1] for k in sorted(best))
"""
PLAIN_WORDS = r"""
import sys
from collections import Counter
counts = Counter()
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        counts.update(line.lower().split())
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.writelines(f"{w}\t{c}\n" for w, c in counts.items())
"""
POLARS_LATEST = r"""
import sys, polars as pl
scan = pl.scan_csv(sys.argv[1], infer_schema=False) if sys.argv[1].endswith(".csv") \
    else pl.scan_ndjson(sys.argv[1])
(scan.with_row_index("_pos")
    .with_columns(pl.col("updated_at").str.to_datetime(time_zone="UTC").alias("_ts"))
    .sort("_ts", "_pos").group_by("id").last().drop("_ts", "_pos").sort("id")
    .collect().write_ndjson(sys.argv[2]))
"""
POLARS_WORDS = r"""
import sys, polars as pl
lines = pl.scan_csv(sys.argv[1], has_header=False, separator="\x01", quote_char=None,
                    new_columns=["line"], schema_overrides={"line": pl.String})
(lines.select(pl.col("line").str.to_lowercase().str.extract_all(r"[\w']+").alias("word"))
    .explode("word").drop_nulls().group_by("word").len()
    .collect().write_csv(sys.argv[2], separator="\t", include_header=False))
"""
DUCKDB_LATEST = r"""
import sys, duckdb
path, out = sys.argv[1], sys.argv[2]
source = (f"read_csv('{path}', all_varchar=true)" if path.endswith(".csv")
          else f"read_json_auto('{path}', format='newline_delimited')")
duckdb.sql(f'''
COPY (SELECT * EXCLUDE (_ts, _pos) FROM (
    SELECT *, CAST(updated_at AS TIMESTAMPTZ) AS _ts, row_number() OVER () AS _pos FROM {source})
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY _ts DESC, _pos DESC) = 1
  ORDER BY id) TO '{out}' (FORMAT JSON)''')
"""
DUCKDB_WORDS = r"""
import sys, duckdb
duckdb.sql(f'''
COPY (SELECT word, count(*) FROM (
    SELECT unnest(regexp_extract_all(lower(line), '[\w'']+')) AS word
    FROM read_csv('{sys.argv[1]}', columns={{'line': 'VARCHAR'}}, delim='\x01', quote='',
                  escape='', header=false))
  GROUP BY word) TO '{sys.argv[2]}' (FORMAT CSV, DELIMITER '\t', HEADER false)''')
"""
ENGINE = r"""
import sys
from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
job, data, out, executor, workers, state = sys.argv[1:7]
run(RunSpec(job=job, inputs=(data,), out=out, executor=executor, workers=int(workers),
            overwrite=True, state_dir=state))
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
    """Run a command; return its wall seconds and its process tree's peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed: {stderr.strip()[-800:]}")
    return {"seconds": wall, "tree_peak_mb": peak[0]}


def _have(module: str) -> bool:
    probe = [sys.executable, "-c", f"import {module}"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def ensure(directory: Path, name: str, **options: object) -> Path:
    """The benchmark input `name` in `directory`, generated once (seed 7)."""
    path = directory / name
    if not path.exists():
        from datagen import generate

        generate(path, seed=7, workers=os.cpu_count() or 1, **options)  # type: ignore[arg-type]
    return path


Contender = tuple[list[str], Path]  # the command, and where it writes its output


def contenders(kind: str, data: Path, out: Path, workers: int) -> dict[str, Contender]:
    """Every contender of one workload, in the order they run."""
    py, latest = sys.executable, kind == "latest"
    job = "latest_by_key" if latest else "word_count"
    runs: dict[str, Contender] = {}
    for name, executor in ((f"mapreduce process x{workers}", "process"), ("sequential", "")):
        executor = executor or "sequential"
        target = out / executor
        argv = [py, "-c", ENGINE, job, str(data), str(target), executor, str(workers)]
        runs[name if executor == "process" else "mapreduce sequential"] = (
            [*argv, str(out / "state")],
            target,
        )
    scripts = {
        "plain python loop": PLAIN_LATEST if latest else PLAIN_WORDS,
        "polars": POLARS_LATEST if latest else POLARS_WORDS,
        "duckdb": DUCKDB_LATEST if latest else DUCKDB_WORDS,
    }
    for name, script in scripts.items():
        if name == "plain python loop" and data.suffix == ".csv":
            continue  # the plain loop reads NDJSON
        if name in ("polars", "duckdb") and not _have(name):
            continue
        runs[name] = ([py, "-c", script, str(data), str(out / name)], out / name)
    return runs


def _read_latest(path: Path) -> dict[str, tuple[int, str]]:
    """id -> (instant, email) of every output record (NDJSON, part files or not); DuckDB
    writes timestamps in its own spelling, so they compare as instants."""
    paths = sorted(glob.glob(str(path / "part-*"))) if path.is_dir() else [str(path)]
    found = {}
    for name in paths:
        with open(name, "rb") as handle:
            rows = (
                csv.DictReader(line.decode() for line in handle)
                if name.endswith(".csv")
                else map(orjson.loads, handle)
            )
            for row in rows:
                found[str(row["id"])] = (parse_instant(row["updated_at"]), row["email"])
    return found


def _read_words(path: Path) -> Counter:
    if path.is_dir():
        counts: Counter = Counter()
        for name in sorted(glob.glob(str(path / "part-*"))):
            with open(name, "rb") as handle:
                for line in handle:
                    row = orjson.loads(line)
                    counts[row["word"]] = row["count"]
        return counts
    with open(path, encoding="utf-8") as handle:
        return Counter({w: int(c) for w, c in (line.rstrip("\n").split("\t") for line in handle)})


def check(kind: str, names: dict[str, Path]) -> None:
    """Every contender's output equals the first one's; raise naming the one that differs."""
    read = _read_latest if kind == "latest" else _read_words
    results = {name: read(path) for name, path in names.items()}
    first, expected = next(iter(results.items()))
    for name, got in results.items():
        if got != expected:
            diff = len(set(got.items()) ^ set(expected.items()))
            raise RuntimeError(f"{name}'s output differs from {first}'s ({diff} entries)")


def bench(kind: str, data: Path, repeat: int, workers: int) -> dict[str, dict]:
    """Run every contender of one workload `repeat` times; check their outputs agree."""
    with tempfile.TemporaryDirectory() as scratch:
        runs = contenders(kind, data, Path(scratch), workers)
        results = {}
        for name, (argv, _) in runs.items():
            best = min((measure(argv) for _ in range(repeat)), key=lambda r: r["seconds"])
            results[name] = best
        check(kind, {name: target for name, (_, target) in runs.items()})
    return results


def show(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    for name, r in results.items():
        print(f"  {name:<24} {r['seconds']:7.2f} s   tree peak {r['tree_peak_mb']:7.0f} MB")


def targets(title: str, results: dict[str, dict], workers: int, big: bool) -> list[str]:
    """Issue 9's targets for one workload, as 'met'/'missed' lines with the ratio."""
    seconds = {name: r["seconds"] for name, r in results.items()}
    pool, seq = seconds[f"mapreduce process x{workers}"], seconds["mapreduce sequential"]
    goals = []
    if "polars" in seconds and "CSV" not in title:  # CSV's target is DuckDB's time only
        limit = 0.5 if "NDJSON" in title else 1.0
        goals.append((f"process / polars <= {limit}", pool / seconds["polars"], limit, True))
    if "duckdb" in seconds and "word" not in title:
        goals.append(("process / duckdb <= 1.0", pool / seconds["duckdb"], 1.0, True))
    if "plain python loop" in seconds:
        plain = seconds["plain python loop"]
        goals.append(("sequential / plain loop <= 1.0", seq / plain, 1.0, True))
    if big:
        goals.append(("sequential / process >= 1.7", seq / pool, 1.7, False))
    if "polars" in results:
        peak = results[f"mapreduce process x{workers}"]["tree_peak_mb"]
        ratio = peak / results["polars"]["tree_peak_mb"]
        goals.append(("peak memory / polars <= 1.0", ratio, 1.0, True))
    lines = []
    for label, ratio, limit, at_most in goals:
        met = ratio <= limit if at_most else ratio >= limit
        lines.append(f"  {title}: {label}: {ratio:.2f}  {'met' if met else 'MISSED'}")
    return lines


def workloads(
    data_dir: Path, rows: list[int], word_rows: int, with_csv: bool
) -> list[tuple[str, Path, int]]:
    """(kind, input, rows) of every workload, generating inputs that are not there yet."""
    found = []
    sizes = [(n, ".jsonl") for n in rows] + ([(max(rows), ".csv")] if with_csv else [])
    for n, suffix in sizes:
        data = ensure(data_dir, f"users-{n}{suffix}", preset="users", rows=n, versions=4)
        found.append(("latest", data, n))
    words = ensure(data_dir, f"words-{word_rows}.txt", preset="words", rows=word_rows)
    return [*found, ("words", words, word_rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 4_000_000])
    parser.add_argument("--word-rows", type=int, default=3_200_000, help="3.2M lines: ~200 MB")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-csv", action="store_true", help="skip latest_by_key on CSV")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "mapreduce-bench"))
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    report, goals = {}, []
    for kind, data, rows in workloads(data_dir, args.rows, args.word_rows, not args.no_csv):
        label = "latest_by_key" if kind == "latest" else "word_count"
        fmt = {".jsonl": "NDJSON", ".csv": "CSV", ".txt": "text"}[data.suffix]
        title = f"{label}, {fmt} {rows:,} rows ({data.stat().st_size / 1e6:,.0f} MB)"
        report[title] = bench(kind, data, args.repeat, args.workers)
        show(title, report[title])
        big = rows == max(args.rows) or kind == "words"
        goals += targets(title, report[title], args.workers, big)
    print("\nTargets (issue 9), as ratios of wall time:")
    print("\n".join(goals))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
