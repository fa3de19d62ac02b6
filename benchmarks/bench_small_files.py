"""Many small files: word_count over a folder of small text files, side by side.

    python benchmarks/bench_small_files.py                  # 5,000 files of ~4 KB, best of 3
    python benchmarks/bench_small_files.py --files 20000 --repeat 1

A folder of many small files (logs, one export per day or per device) is where a
one-task-per-file engine drowns in set-up: the planner packs consecutive small files into
one map task (engine.planner.pack_splits). The folder is cut from the words preset (the
first --files x --lines lines), and the same lines are also written as one file, so the
table shows what the files themselves cost. Contenders, each in a fresh process, taking
turns, from a warm page cache: mapreduce (process pool and sequential) on the folder and
on the one file, the plain loop over the folder (`Counter` over `line.lower().split()`, as
bench_engine's), and Polars and DuckDB reading the folder by a glob when installed. Every
output is checked against the others before any figure is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import tempfile
from pathlib import Path

from bench_engine import check, ensure, warm
from treemem import precompile, timed

PLAIN = r"""
import glob, sys
from collections import Counter
counts = Counter()
for path in sorted(glob.glob(sys.argv[1])):
    with open(path, encoding="utf-8") as f:
        for line in f:
            counts.update(line.lower().split())
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.writelines(f"{w}\t{c}\n" for w, c in counts.items())
"""

POLARS = r"""
import sys, polars as pl
lines = pl.scan_csv(sys.argv[1], has_header=False, separator="\x01", quote_char=None,
                    new_columns=["line"], schema_overrides={"line": pl.String})
(lines.select(pl.col("line").str.to_lowercase().str.extract_all(r"[\w']+").alias("word"))
    .explode("word").drop_nulls().group_by("word").len()
    .collect().write_csv(sys.argv[2], separator="\t", include_header=False))
"""

DUCKDB = r"""
import sys, duckdb
duckdb.sql(f'''
COPY (SELECT word, count(*) FROM (
    SELECT unnest(regexp_extract_all(lower(line), '[\w'']+')) AS word
    FROM read_csv('{sys.argv[1]}', columns={{'line': 'VARCHAR'}}, delim='\x01', quote='',
                  escape='', header=false))
  GROUP BY word) TO '{sys.argv[2]}' (FORMAT CSV, DELIMITER '\t', HEADER false)''')
"""


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def make_inputs(data_dir: Path, files: int, lines: int) -> tuple[Path, Path]:
    """A folder of `files` text files of `lines` lines each, and the same lines in one file."""
    folder = data_dir / f"small-{files}x{lines}"
    single = data_dir / f"small-{files}x{lines}.txt"
    if not single.exists():
        words = ensure(data_dir, f"words-{files * lines}.txt", preset="words", rows=files * lines)
        folder.mkdir(parents=True, exist_ok=True)
        with open(words, "rb") as source:
            text = source.readlines()
        for i in range(files):
            (folder / f"part-{i:06d}.txt").write_bytes(b"".join(text[i * lines : (i + 1) * lines]))
        tmp = single.with_suffix(".tmp")
        tmp.write_bytes(b"".join(text[: files * lines]))
        tmp.rename(single)
    return folder, single


def contenders(folder: Path, single: Path, out: Path, workers: int) -> dict[str, tuple]:
    py = sys.executable
    runs = {}
    for label, data in (("folder", folder), ("one file", single)):
        for executor in ("process", "sequential"):
            target = out / f"{executor}-{label.replace(' ', '-')}"
            argv = [py, "-m", "mapreduce", "run", "word_count", str(data), "-o", str(target)]
            argv += ["--executor", executor, "--workers", str(workers), "--overwrite"]
            argv += ["--quiet", "--state-dir", str(out / "state")]
            name = f"mapreduce {executor}" + (f" x{workers}" if executor == "process" else "")
            runs[f"{name}, {label}"] = (argv, target)
    pattern = str(folder / "*.txt")
    scripts = {"plain python loop, folder": (PLAIN, None), "polars, folder": (POLARS, "polars")}
    scripts["duckdb, folder"] = (DUCKDB, "duckdb")
    for name, (script, module) in scripts.items():
        if module is None or _have(module):
            target = out / name.split(",")[0].replace(" ", "-")
            runs[name] = ([py, "-c", script, pattern, str(target)], target)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=64, help="lines per file (~4 KB)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "mapreduce-bench"))
    args = parser.parse_args()
    precompile("mapreduce", "jobs")
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    folder, single = make_inputs(data_dir, args.files, args.lines)
    with tempfile.TemporaryDirectory() as scratch:
        runs = contenders(folder, single, Path(scratch), args.workers)
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            for name, (argv, _) in runs.items():
                for path in (*sorted(folder.iterdir()), single):
                    warm(path)
                best[name] = min(timed(argv), best.get(name, math.inf))
        check("words", {name: target for name, (_, target) in runs.items()})
    size = single.stat().st_size / 1e6
    print(f"\nword_count, {args.files:,} files of {args.lines} lines ({size:,.0f} MB in all)")
    for name, seconds in best.items():
        print(f"  {name:<34} {seconds:7.2f} s")
    pool = best[f"mapreduce process x{args.workers}, folder"]
    one_file = best[f"mapreduce process x{args.workers}, one file"]
    print("\nRatios of wall time (lower is faster for mapreduce):")
    print(f"  process x{args.workers}, folder / one file: {pool / one_file:.2f}")
    for peer in ("plain python loop, folder", "polars, folder", "duckdb, folder"):
        if peer in best:
            print(f"  process x{args.workers} / {peer}: {pool / best[peer]:.2f}")


if __name__ == "__main__":
    main()
