"""Many small files: word_count and group_aggregate over folders of small files, side by side.

    python benchmarks/bench_small_files.py                  # 5,000 files of 64 lines, best of 3
    python benchmarks/bench_small_files.py --files 20000 --repeat 1

A folder of many small files (logs, one export per day or per device) is where a
one-task-per-file engine drowns in set-up: the planner packs consecutive small files into
one map task, and the fast path reads their records end to end (engine.planner.pack_splits,
worker.fastmap.map_splits). Two folders are cut from the presets, each the first --files x
--lines records: text lines of Zipf words (word_count) and CSV orders, each file with its
header (group_aggregate by country of amount). The same records are also written as one
file, so the table shows what the files themselves cost. Contenders, each in a fresh
process, taking turns, from a warm page cache: mapreduce (process pool and sequential) on
the folder and on the one file, the plain loops of engine_scripts (bench_engine's, file
after file) over the folder, and Polars and DuckDB reading the folder by a glob, when
installed. Every output is checked against the others before any figure is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import tempfile
from pathlib import Path

from bench_engine import JOBS, check, ensure, warm
from engine_scripts import DUCKDB, PLAIN, POLARS
from treemem import precompile, timed

PRESETS = {"words": ("words", ".txt"), "aggregate": ("orders", ".csv")}


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def make_inputs(data_dir: Path, kind: str, files: int, lines: int) -> tuple[Path, Path]:
    """A folder of `files` files of `lines` records each (CSV: each with the header), and
    the same records in one file."""
    preset, suffix = PRESETS[kind]
    folder = data_dir / f"small-{preset}-{files}x{lines}"
    single = data_dir / f"small-{preset}-{files}x{lines}{suffix}"
    if not single.exists():
        rows = files * lines
        source = ensure(data_dir, f"{preset}-{rows}{suffix}", preset=preset, rows=rows)
        with open(source, "rb") as handle:
            text = handle.readlines()
        header, text = (text[:1], text[1:]) if suffix == ".csv" else ([], text)
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(files):
            part = b"".join(header + text[i * lines : (i + 1) * lines])
            (folder / f"part-{i:06d}{suffix}").write_bytes(part)
        tmp = single.with_suffix(".tmp")
        tmp.write_bytes(b"".join(header + text[:rows]))
        tmp.rename(single)
    return folder, single


def contenders(kind: str, folder: Path, single: Path, out: Path, workers: int) -> dict:
    """Every contender of one workload, in the order they run: (command, output)."""
    py = sys.executable
    job, params = JOBS[kind]
    runs = {}
    for label, data in (("folder", folder), ("one file", single)):
        for executor in ("process", "sequential"):
            target = out / f"{executor}-{label.replace(' ', '-')}"
            argv = [py, "-m", "mapreduce", "run", job, str(data), "-o", str(target)]
            argv += ["--executor", executor, "--workers", str(workers), "--overwrite"]
            argv += ["--quiet", "--state-dir", str(out / "state")]
            for param in params:
                argv += ["-p", param]
            name = f"mapreduce {executor}" + (f" x{workers}" if executor == "process" else "")
            runs[f"{name}, {label}"] = (argv, target)
    pattern = str(folder / f"*{PRESETS[kind][1]}")
    peers = {"plain python loop": (PLAIN, None), "polars": (POLARS, "polars")}
    peers["duckdb"] = (DUCKDB, "duckdb")
    for name, (scripts, module) in peers.items():
        if module is None or _have(module):
            target = out / name.replace(" ", "-")
            runs[f"{name}, folder"] = ([py, "-c", scripts[kind], pattern, str(target)], target)
    return runs


def bench(kind: str, folder: Path, single: Path, repeat: int, workers: int) -> dict[str, float]:
    """Best wall time of each contender, taking turns; outputs checked against each other."""
    inputs = [*sorted(folder.iterdir()), single]
    with tempfile.TemporaryDirectory() as scratch:
        runs = contenders(kind, folder, single, Path(scratch), workers)
        best: dict[str, float] = {}
        for _ in range(repeat):
            for name, (argv, _) in runs.items():
                for path in inputs:
                    warm(path)
                best[name] = min(timed(argv), best.get(name, math.inf))
        check(kind, {name: target for name, (_, target) in runs.items()})
    return best


def report(title: str, best: dict[str, float], workers: int) -> None:
    print(f"\n{title}")
    for name, seconds in best.items():
        print(f"  {name:<34} {seconds:7.2f} s")
    pool = best[f"mapreduce process x{workers}, folder"]
    one_file = best[f"mapreduce process x{workers}, one file"]
    print("  ratios of wall time (below 1.0 mapreduce is faster):")
    print(f"    process x{workers}, folder / one file: {pool / one_file:.2f}")
    for peer in ("plain python loop, folder", "polars, folder", "duckdb, folder"):
        if peer in best:
            print(f"    process x{workers}, folder / {peer}: {pool / best[peer]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=64, help="records per file (~4-7 KB)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=["word_count", "group_aggregate"])
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "mapreduce-bench"))
    args = parser.parse_args()
    precompile("mapreduce", "jobs")
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, kind in (("word_count", "words"), ("group_aggregate", "aggregate")):
        if args.only and name not in args.only:
            continue
        folder, single = make_inputs(data_dir, kind, args.files, args.lines)
        size = single.stat().st_size / 1e6
        title = f"{name}, {args.files:,} files of {args.lines} records ({size:,.0f} MB in all)"
        report(title, bench(kind, folder, single, args.repeat, args.workers), args.workers)


if __name__ == "__main__":
    main()
