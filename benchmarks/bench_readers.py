"""Reader throughput: read_split per format against the plain orjson loop over the same records.

    python benchmarks/bench_readers.py [--mib 64] [--repeat 3] [--split-mib 64]

Writes the same Mockaroo-like records as NDJSON, JSON arrays (compact and pretty), CSV,
text, Parquet and NDJSON.gz into a temporary folder, then times reading every split of each
file. The baseline is `for line in f: orjson.loads(line)` over the NDJSON file; "vs loop"
is each reader's time (planning included) over that baseline's, and "plan s" the part spent
in plan_splits: the counting pass for CSV and JSON arrays, which an executor runs in
parallel. Best of --repeat runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import tempfile
import time
from collections.abc import Callable
from functools import partial

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from mapreduce.engine.planner import plan_splits
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import read_split


def records(count: int, seed: int = 7) -> list[dict[str, object]]:
    """Flat records like Mockaroo writes them, with some unicode and quoting to do."""
    rng = random.Random(seed)
    names = ["Ann", "Bob", "Zoë", "Émile", "Li", 'Jo "JJ"', "O'Neil"]
    return [
        {
            "id": i,
            "first_name": rng.choice(names),
            "last_name": "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=9)).title(),
            "email": f"user{i}@example.com",
            "gender": rng.choice(["Male", "Female", "Non-binary"]),
            "ip_address": f"10.{i % 256}.{i % 199}.{i % 7}",
            "amount": round(rng.random() * 1000, 2),
            "active": rng.random() < 0.5,
            "zip": f"{rng.randrange(100000):05d}",
            "created_at": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T06:07:08Z",
            "note": rng.choice(["", "fragile, handle with care", "line one\nline two"]),
        }
        for i in range(count)
    ]


def write_inputs(folder: str, mib: int) -> dict[str, str]:
    """The benchmark files, about `mib` MiB of NDJSON worth of records each."""
    sample = records(1000)
    per_record = sum(len(orjson.dumps(r)) + 1 for r in sample) / len(sample)
    rows = records(int(mib * 2**20 / per_record))
    lines = [orjson.dumps(r) for r in rows]
    paths = {name: os.path.join(folder, f"bench.{ext}") for name, ext in _FILES.items()}
    with open(paths["ndjson"], "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    with gzip.open(paths["ndjson.gz"], "wb", compresslevel=1) as f:
        f.write(b"\n".join(lines) + b"\n")
    with open(paths["json compact"], "wb") as f:
        f.write(b"[" + b",\n".join(lines) + b"]\n")
    with open(paths["json pretty"], "wb") as f:
        f.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
    with open(paths["csv"], "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    with open(paths["text"], "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    pq.write_table(pa.Table.from_pylist(rows), paths["parquet"], row_group_size=65_536)
    return paths


_FILES = {
    "ndjson": "ndjson",
    "ndjson.gz": "ndjson.gz",
    "json compact": "compact.json",
    "json pretty": "pretty.json",
    "csv": "csv",
    "text": "txt",
    "parquet": "parquet",
}


def plain_loop(path: str) -> int:
    """The baseline: the plain orjson loop over an NDJSON file."""
    count = 0
    with open(path, "rb") as f:
        for line in f:
            orjson.loads(line)
            count += 1
    return count


def read_all(path: str, split_bytes: int, timings: dict[str, float]) -> int:
    """Plan and read every split of one file with read_split, as a map loop would; the
    planning (the counting pass, run inline here) is timed on its own."""
    start = time.perf_counter()
    plan = plan_splits(list_inputs([path]), split_bytes)
    timings["plan"] = min(timings.get("plan", 1e9), time.perf_counter() - start)
    count = 0
    for split in plan:
        for _pos, _record in read_split(split, _raise):
            count += 1
    return count


def _raise(pos: int, reason: str) -> None:
    raise ValueError(f"bad record at {pos}: {reason}")


def best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    """The best wall time of `repeat` runs, and the record count."""
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run()
        times.append(time.perf_counter() - start)
    return min(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64, help="NDJSON MiB of records per file")
    parser.add_argument("--split-mib", type=int, default=64, help="split size in MiB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-readers-") as folder:
        paths = write_inputs(folder, args.mib)
        base, count = best(lambda: plain_loop(paths["ndjson"]), args.repeat)
        print(f"{count} records; plain orjson loop over NDJSON: {base:.3f} s")
        header = ("format", "MiB", "seconds", "plan s", "MiB/s", "ns/rec", "vs loop")
        print(f"{header[0]:<14}" + "".join(f"{h:>9}" for h in header[1:]))
        for name, path in paths.items():
            timings: dict[str, float] = {}
            split_bytes = args.split_mib << 20
            seconds, n = best(partial(read_all, path, split_bytes, timings), args.repeat)
            mib = os.path.getsize(path) / 2**20
            print(
                f"{name:<14}{mib:>9.1f}{seconds:>9.3f}{timings['plan']:>9.3f}{mib / seconds:>9.0f}"
                f"{seconds / n * 1e9:>9.0f}{seconds / base:>8.2f}x"
            )


if __name__ == "__main__":
    main()
