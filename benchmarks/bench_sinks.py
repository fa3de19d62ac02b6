"""Database load rates: the sinks' bulk loaders against one INSERT per record, side by side.

    python benchmarks/bench_sinks.py [--rows 1000000] [--partitions 4] [--workers 2]
                                     [--naive-rows 20000] [--postgres URL]

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

PostgreSQL uses --postgres or MAPREDUCE_TEST_POSTGRES_URL (.ci/run starts one), and is
skipped without either. Rates are rows per second of wall time, set against issue 10's
targets (SQLite 300,000, PostgreSQL 250,000 rows/s); nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson
import psycopg

from mapreduce.sinks import LoadSpec, StageTask, apply_load, parse_sink_url, stage_partition

TARGETS = {"sqlite": 300_000, "postgresql": 250_000}  # issue 10: rows/s of a 1M-row load
COLUMNS = ["id", "first_name", "last_name", "email", "gender", "city", "country", "balance",
           "active", "updated_at"]


def make_parts(folder: Path, rows: int, partitions: int) -> list[tuple[int, str]]:
    """datagen users, split by key into sorted NDJSON part files (not timed)."""
    source = folder / "users.jsonl"
    subprocess.run([sys.executable, "-m", "datagen", "--preset", "users", "--rows", str(rows),
                    "--workers", "2", "--quiet", "-o", str(source)], check=True)
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
        staged = list(pool.map(stage_partition, [StageTask("bench", n, p, spec)
                                                 for n, p in parts]))
    applying = time.perf_counter()
    result = apply_load(spec, "bench", parts, staged)
    done = time.perf_counter()
    return {"rows": result.rows_read, "seconds": done - started, "stage_s": applying - started,
            "apply_s": done - applying}


def naive_sqlite(path: str, parts: list[tuple[int, str]], limit: int,
                 one_transaction: bool) -> dict[str, float]:
    """One INSERT per record."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"CREATE TABLE users ({', '.join(COLUMNS)}, PRIMARY KEY (id))")
    sql = (f"INSERT INTO users VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (id) DO "
           f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS[1:])}")
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


def naive_postgres(url: str, parts: list[tuple[int, str]], limit: int,
                   one_transaction: bool) -> dict[str, float]:
    """One INSERT per record."""
    with psycopg.connect(url.split("?")[0], autocommit=not one_transaction) as conn:
        conn.execute("DROP TABLE IF EXISTS naive_users")
        conn.execute("CREATE TABLE naive_users (id bigint PRIMARY KEY, first_name text,"
                     " last_name text, email text, gender text, city text, country text,"
                     " balance double precision, active boolean, updated_at text)")
        sql = (f"INSERT INTO naive_users VALUES ({', '.join(['%s'] * len(COLUMNS))}) ON "
               f"CONFLICT (id) DO UPDATE SET "
               f"{', '.join(f'{c} = excluded.{c}' for c in COLUMNS[1:])}")
        started = time.perf_counter()
        count = 0
        for line in _lines(parts, limit):
            record = orjson.loads(line)
            conn.execute(sql, [_text(record.get(c)) if c == "updated_at" else record.get(c)
                               for c in COLUMNS])
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
    elif kind.startswith("sqlite-naive"):
        result = naive_sqlite(f"{args.folder}/{kind}.db", parts, args.naive_rows,
                              kind.endswith("txn"))
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
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--parts", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-sinks-") as tmp:
        folder = Path(tmp)
        parts = make_parts(folder, args.rows, args.partitions)
        (folder / "parts.json").write_text(json.dumps(parts))
        kinds = ["sqlite-bulk", "sqlite-naive", "sqlite-naive-txn"]
        if args.postgres:
            kinds += ["postgresql-bulk", "postgresql-naive", "postgresql-naive-txn"]
        else:
            print("PostgreSQL skipped: pass --postgres URL or set MAPREDUCE_TEST_POSTGRES_URL")
        results = {kind: _child(args, kind, folder) for kind in kinds}
    report(results)


def _child(args: argparse.Namespace, kind: str, folder: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", kind, "--parts", str(folder / "parts.json"),
               "--folder", str(folder), "--workers", str(args.workers),
               "--naive-rows", str(args.naive_rows)]
    if args.postgres:
        command += ["--postgres", args.postgres]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(results: dict[str, dict[str, float]]) -> None:
    print(f"{'measurement':<24} {'rows':>9} {'seconds':>8} {'rows/s':>10}  notes")
    for kind, r in results.items():
        rate = r["rows"] / r["seconds"]
        notes = (f"stage {r['stage_s']:.2f} s + apply {r['apply_s']:.2f} s"
                 if "stage_s" in r else "")
        print(f"{kind:<24} {r['rows']:>9,.0f} {r['seconds']:>8.2f} {rate:>10,.0f}  {notes}")
    for dialect in ("sqlite", "postgresql"):
        if f"{dialect}-bulk" not in results:
            continue
        bulk_rate = _rate(results[f"{dialect}-bulk"])
        for naive in ("naive", "naive-txn"):
            ratio = bulk_rate / _rate(results[f"{dialect}-{naive}"])
            print(f"{dialect} bulk vs one INSERT per record ({naive}): {ratio:,.1f}x")
        target = TARGETS[dialect]
        print(f"{dialect} bulk: {bulk_rate:,.0f} rows/s against the target of {target:,} "
              f"({'met' if bulk_rate >= target else 'NOT met'})")


def _rate(result: dict[str, float]) -> float:
    return result["rows"] / result["seconds"]


if __name__ == "__main__":
    main()
