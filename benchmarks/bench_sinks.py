"""Database load rates: the sinks' bulk loaders against one INSERT per record, side by side.

    python benchmarks/bench_sinks.py [--rows 1000000] [--partitions 4] [--workers 2]
                                     [--naive-rows 20000] [--postgres URL]
                                     [--run-rows 1000000] [--reps 3]

Generates `users` records with datagen into a temporary folder, splits them into NDJSON
part files the way the engine writes them (disjoint keys, sorted by key), then times, each
in a fresh process:

- sqlite bulk / postgresql bulk: stage_partition for every part file in a process pool
  (as the engine runs reduce partitions), then apply_load, into a new table, with the
  default mode (upsert-latest: users have updated_at). Decoding the NDJSON is included.
- one INSERT per record: decode each line with orjson and execute one
  `INSERT … ON CONFLICT DO UPDATE` per record, committing each (autocommit, the way a
  record-at-a-time pipeline writes), over the first --naive-rows records; and the same
  in one transaction, for reference.

- sqlite floor: SQLite's own `INSERT INTO t SELECT … FROM staged` (C, no decoding, no
  binding) of the same rows into the naive loop's table, so the note can say how far
  any loader can be from the one-transaction loop at all.
- whole runs: `python -m mapreduce run latest_by_key` of --run-rows datagen users (4
  versions per key) with `-o` a folder, a new SQLite database and a new PostgreSQL table,
  --reps times each, interleaved; issue 10 asks the load to add at most 1.5x to the
  folder's wall time.
  Each output also gets the median timeline of its runs, from the ledger: start-up,
  map, reduce and load phases, the longest load task, apply (the last load task's end
  to the run's end) and exit.

PostgreSQL uses --postgres or MAPREDUCE_TEST_POSTGRES_URL (.ci/run starts one), and is
skipped without either. Rates are rows per second of wall time, set against issue 10's
targets (SQLite 300,000, PostgreSQL 250,000 rows/s); nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson
import psycopg
from treemem import precompile

from mapreduce.sinks import LoadSpec, StageTask, apply_load, parse_sink_url, stage_partition
from mapreduce.sinks.stagefile import SUFFIX

TARGETS = {"sqlite": 300_000, "postgresql": 250_000}  # issue 10: rows/s of a 1M-row load
COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "gender",
    "city",
    "country",
    "balance",
    "active",
    "updated_at",
]


def make_parts(folder: Path, rows: int, partitions: int) -> list[tuple[int, str]]:
    """datagen users, split by key into sorted NDJSON part files (not timed)."""
    source = folder / "users.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datagen",
            "--preset",
            "users",
            "--rows",
            str(rows),
            "--workers",
            "2",
            "--quiet",
            "-o",
            str(source),
        ],
        check=True,
    )
    buckets: list[list[tuple[int, bytes]]] = [[] for _ in range(partitions)]
    with source.open("rb") as f:
        for line in f:
            key = orjson.loads(line)["id"]
            buckets[key % partitions].append((key, line if line.endswith(b"\n") else line + b"\n"))
    parts = []
    for number, bucket in enumerate(buckets):
        bucket.sort()
        path = folder / f"part-{number:05d}.jsonl"
        path.write_bytes(b"".join(line for _, line in bucket))
        parts.append((number, str(path)))
    source.unlink()
    return parts


def bulk(url: str, parts: list[tuple[int, str]], workers: int) -> dict[str, float]:
    """Stage in a process pool, then apply: the engine's path."""
    parsed = parse_sink_url(url)
    assert parsed is not None
    spec = LoadSpec(parsed, "id", "updated_at")
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        staged = list(pool.map(stage_partition, [StageTask("bench", n, p, spec) for n, p in parts]))
    applying = time.perf_counter()
    result = apply_load(spec, "bench", parts, staged)
    done = time.perf_counter()
    return {
        "rows": result.rows_read,
        "seconds": done - started,
        "stage_s": applying - started,
        "apply_s": done - applying,
    }


def floor_sqlite(folder: str, parts: list[tuple[int, str]], workers: int) -> dict[str, float]:
    """SQLite copying the staged rows itself: INSERT … SELECT into the naive loop's table."""
    parsed = parse_sink_url(f"sqlite:///{folder}/floor-stage.db?table=users")
    assert parsed is not None
    spec = LoadSpec(parsed, "id", "updated_at")
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(stage_partition, [StageTask("floor", n, p, spec) for n, p in parts]))
    conn = sqlite3.connect(f"{folder}/floor.db", isolation_level=None)
    conn.execute("PRAGMA page_size = 65536")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"CREATE TABLE users ({', '.join(COLUMNS)}, PRIMARY KEY (id))")
    for number, path in parts:
        conn.execute(f"ATTACH DATABASE ? AS s{number}", (path + SUFFIX,))
    started = time.perf_counter()
    conn.execute("BEGIN")
    for number, _ in parts:
        conn.execute(f"INSERT INTO users SELECT {', '.join(COLUMNS)} FROM s{number}._mr_rows")
    conn.execute("COMMIT")
    conn.close()
    seconds = time.perf_counter() - started
    count = sqlite3.connect(f"{folder}/floor.db").execute("SELECT count(*) FROM users")
    return {"rows": count.fetchone()[0], "seconds": seconds}


def naive_sqlite(
    path: str, parts: list[tuple[int, str]], limit: int, one_transaction: bool
) -> dict[str, float]:
    """One INSERT per record."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"CREATE TABLE users ({', '.join(COLUMNS)}, PRIMARY KEY (id))")
    sql = (
        f"INSERT INTO users VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (id) DO "
        f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS[1:])}"
    )
    started = time.perf_counter()
    if one_transaction:
        conn.execute("BEGIN")
    count = 0
    for line in _lines(parts, limit):
        record = orjson.loads(line)
        conn.execute(sql, [record.get(c) for c in COLUMNS])
        count += 1
    if one_transaction:
        conn.execute("COMMIT")
    conn.close()
    return {"rows": count, "seconds": time.perf_counter() - started}


def naive_postgres(
    url: str, parts: list[tuple[int, str]], limit: int, one_transaction: bool
) -> dict[str, float]:
    """One INSERT per record."""
    with psycopg.connect(url.split("?")[0], autocommit=not one_transaction) as conn:
        conn.execute("DROP TABLE IF EXISTS naive_users")
        conn.execute(
            "CREATE TABLE naive_users (id bigint PRIMARY KEY, first_name text,"
            " last_name text, email text, gender text, city text, country text,"
            " balance double precision, active boolean, updated_at text)"
        )
        sql = (
            f"INSERT INTO naive_users VALUES ({', '.join(['%s'] * len(COLUMNS))}) ON "
            f"CONFLICT (id) DO UPDATE SET "
            f"{', '.join(f'{c} = excluded.{c}' for c in COLUMNS[1:])}"
        )
        started = time.perf_counter()
        count = 0
        for line in _lines(parts, limit):
            record = orjson.loads(line)
            conn.execute(
                sql, [_text(record.get(c)) if c == "updated_at" else record.get(c) for c in COLUMNS]
            )
            count += 1
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE naive_users")
    return {"rows": count, "seconds": seconds}


def _text(value: object) -> object:
    return value if value is None or isinstance(value, str) else json.dumps(value)


def _lines(parts: list[tuple[int, str]], limit: int):  # type: ignore[no-untyped-def]
    count = 0
    for _, path in parts:
        with open(path, "rb") as f:
            for line in f:
                if count == limit:
                    return
                count += 1
                yield line


def measure(args: argparse.Namespace) -> None:
    """Child process: one measurement, printed as JSON."""
    parts = json.loads(Path(args.parts).read_text())
    kind = args.measure
    if kind == "sqlite-bulk":
        result = bulk(f"sqlite:///{args.folder}/bulk.db?table=users", parts, args.workers)
    elif kind == "sqlite-floor":
        result = floor_sqlite(args.folder, parts, args.workers)
    elif kind.startswith("sqlite-naive"):
        result = naive_sqlite(
            f"{args.folder}/{kind}.db", parts, args.naive_rows, kind.endswith("txn")
        )
    elif kind == "postgresql-bulk":
        table = f"bench_users_{os.getpid()}"
        result = bulk(f"{args.postgres.split('?')[0]}?table={table}", parts, args.workers)
        with psycopg.connect(args.postgres.split("?")[0], autocommit=True) as conn:
            conn.execute(f"DROP TABLE {table}")
            conn.execute("DELETE FROM _mr_loads WHERE table_name = %s", (table,))
    else:
        result = naive_postgres(args.postgres, parts, args.naive_rows, kind.endswith("txn"))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--postgres", default=os.environ.get("MAPREDUCE_TEST_POSTGRES_URL"))
    parser.add_argument(
        "--run-rows",
        type=int,
        default=1_000_000,
        help="records (4 versions per key) of the whole runs; 0: none",
    )
    parser.add_argument("--reps", type=int, default=3, help="whole runs per output")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--parts", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    precompile("mapreduce", "jobs")
    if args.measure:
        measure(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-sinks-") as tmp:
        folder = Path(tmp)
        parts = make_parts(folder, args.rows, args.partitions)
        (folder / "parts.json").write_text(json.dumps(parts))
        kinds = ["sqlite-bulk", "sqlite-floor", "sqlite-naive", "sqlite-naive-txn"]
        if args.postgres:
            kinds += ["postgresql-bulk", "postgresql-naive", "postgresql-naive-txn"]
        else:
            print("PostgreSQL skipped: pass --postgres URL or set MAPREDUCE_TEST_POSTGRES_URL")
        results = {kind: _child(args, kind, folder) for kind in kinds}
        runs = whole_runs(args, folder) if args.run_rows else {}
    report(results)
    report_runs(runs)


def whole_runs(args: argparse.Namespace, folder: Path) -> dict[str, list[dict[str, float]]]:
    """`mapreduce run latest_by_key` into a folder, SQLite and PostgreSQL, interleaved."""
    source = folder / "run-input.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datagen",
            "--preset",
            "users",
            "--rows",
            str(args.run_rows),
            "--versions",
            "4",
            "--workers",
            "2",
            "--quiet",
            "-o",
            str(source),
        ],
        check=True,
    )
    base = args.postgres.split("?")[0] if args.postgres else None
    runs: dict[str, list[dict[str, float]]] = {"folder": [], "sqlite": []}
    if base:
        runs["postgresql"] = []
    for rep in range(args.reps):
        outs = {
            "folder": str(folder / f"run-out-{rep}"),
            "sqlite": f"sqlite:///{folder}/run-{rep}.db?table=users",
        }
        table = f"bench_run_{os.getpid()}_{rep}"
        if base:
            outs["postgresql"] = f"{base}?table={table}"
        for target, out in outs.items():
            runs[target].append(_run(source, out, folder / "run-state", args.workers))
        if base:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP TABLE {table}")
                conn.execute("DELETE FROM _mr_loads WHERE table_name = %s", (table,))
    return runs


def _run(source: Path, out: str, state: Path, workers: int) -> dict[str, float]:
    """One `mapreduce run` in a process of its own: its wall time and summary timings."""
    command = [
        sys.executable,
        "-m",
        "mapreduce",
        "run",
        "latest_by_key",
        str(source),
        "-o",
        out,
        "--state-dir",
        str(state),
        "--workers",
        str(workers),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, clock = time.time(), time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the CPU of the run and its workers (not the database server's): less noisy than wall
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    result = {"wall": wall, "cpu": cpu}
    run_id = ""
    for line in done.stdout.splitlines():  # "time load            0.52 s"
        words = line.split()
        if len(words) == 4 and words[0] == "time" and words[3] == "s":
            result[words[1]] = float(words[2])
        elif len(words) == 2 and words[0] == "run":
            run_id = words[1]
    return {**result, **_timeline(state / "ledger.sqlite3", run_id, started, started + wall)}


def _timeline(ledger: Path, run_id: str, started: float, ended: float) -> dict[str, float]:
    """Where a run's wall time went, from its ledger: start-up (process start to the run's
    record), each kind of task from the first start to the last finish, the longest load
    task, apply (the last load task's end to the run's end) and the process's exit."""
    with contextlib.closing(sqlite3.connect(ledger)) as conn:
        created, finished = conn.execute(
            "SELECT created_at, finished_at FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        spans = conn.execute(
            "SELECT kind, min(started_at), max(finished_at), "
            "max(finished_at - started_at) FROM tasks WHERE run_id = ? "
            "GROUP BY kind",
            (run_id,),
        ).fetchall()
    found = {"t_start": created - started, "t_exit": ended - finished}
    for kind, first, last, longest in spans:
        found[f"t_{kind}"] = last - first
        if kind == "load":
            found["t_load_task"] = longest
            found["t_apply"] = finished - last
    return found


def _child(args: argparse.Namespace, kind: str, folder: Path) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--measure",
        kind,
        "--parts",
        str(folder / "parts.json"),
        "--folder",
        str(folder),
        "--workers",
        str(args.workers),
        "--naive-rows",
        str(args.naive_rows),
    ]
    if args.postgres:
        command += ["--postgres", args.postgres]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(results: dict[str, dict[str, float]]) -> None:
    print(f"{'measurement':<24} {'rows':>9} {'seconds':>8} {'rows/s':>10}  notes")
    for kind, r in results.items():
        rate = r["rows"] / r["seconds"]
        notes = f"stage {r['stage_s']:.2f} s + apply {r['apply_s']:.2f} s" if "stage_s" in r else ""
        print(f"{kind:<24} {r['rows']:>9,.0f} {r['seconds']:>8.2f} {rate:>10,.0f}  {notes}")
    for dialect in ("sqlite", "postgresql"):
        if f"{dialect}-bulk" not in results:
            continue
        bulk_rate = _rate(results[f"{dialect}-bulk"])
        for naive in ("naive", "naive-txn"):
            ratio = bulk_rate / _rate(results[f"{dialect}-{naive}"])
            print(f"{dialect} bulk vs one INSERT per record ({naive}): {ratio:,.1f}x")
        target = TARGETS[dialect]
        print(
            f"{dialect} bulk: {bulk_rate:,.0f} rows/s against the target of {target:,} "
            f"({'met' if bulk_rate >= target else 'NOT met'})"
        )
    if "sqlite-floor" in results:
        floor = _rate(results["sqlite-floor"]) / _rate(results["sqlite-naive-txn"])
        print(
            f"sqlite floor (its own INSERT … SELECT of the staged rows) vs one INSERT per "
            f"record (naive-txn): {floor:,.1f}x, so 20x over that loop is "
            f"{'within reach' if floor >= 20 else 'out of reach for any loader'}"
        )


def report_runs(runs: dict[str, list[dict[str, float]]]) -> None:
    """Median wall time of each output's whole runs, and the databases' against the folder's."""
    if not runs:
        return
    folder = statistics.median(r["wall"] for r in runs["folder"])
    for target, results in runs.items():
        walls = [r["wall"] for r in results]
        wall = statistics.median(walls)
        load = [r["load"] for r in results if "load" in r]
        notes = f"; load phase median {statistics.median(load):.2f} s" if load else ""
        cpu = statistics.median(r["cpu"] for r in results)
        print(
            f"whole run -o {target:<10}: median {wall:.2f} s of "
            f"{', '.join(f'{w:.2f}' for w in walls)}, min {min(walls):.2f} s; "
            f"CPU median {cpu:.2f} s{notes}"
        )
        parts = [
            k
            for k in ("t_start", "t_map", "t_reduce", "t_load", "t_load_task", "t_apply", "t_exit")
            if all(k in r for r in results)
        ]
        print(
            "    timeline medians: "
            + ", ".join(f"{k[2:]} {statistics.median(r[k] for r in results):.3f}" for k in parts)
        )
        if target != "folder":
            ratios = [w / f["wall"] for w, f in zip(walls, runs["folder"], strict=True)]
            print(
                f"whole run {target} / folder: {wall / folder:.2f}x (each rep "
                f"{', '.join(f'{r:.2f}' for r in ratios)}) against the target of 1.5x "
                f"({'met' if wall / folder <= 1.5 else 'NOT met'})"
            )


def _rate(result: dict[str, float]) -> float:
    return result["rows"] / result["seconds"]


if __name__ == "__main__":
    main()
